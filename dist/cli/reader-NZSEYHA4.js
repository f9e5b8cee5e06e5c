import {
  ByteQueue,
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import "./chunk-T4KSQL2Z.js";
import "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";
export {
  ByteQueue,
  readBinaryDump
};
