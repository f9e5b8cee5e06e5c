import {
  BinaryStructureCheck,
  checkingVisitor
} from "./chunk-OQKBTTKU.js";
import "./chunk-FSMRZZN3.js";
import "./chunk-DOIJPOW2.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";
export {
  BinaryStructureCheck,
  checkingVisitor
};
