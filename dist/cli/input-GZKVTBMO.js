import {
  ByteCounter,
  DumpInputError,
  detectDumpFormat,
  openDumpInput
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-CPAUB6IY.js";
export {
  ByteCounter,
  DumpInputError,
  detectDumpFormat,
  openDumpInput
};
