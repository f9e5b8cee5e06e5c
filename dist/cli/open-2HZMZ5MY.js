import {
  checkMetaUrl,
  engineKindOf,
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";
export {
  checkMetaUrl,
  engineKindOf,
  openEngine,
  redactUrl
};
