import {
  emptyStoredHeader,
  exportSubdirFromBackup,
  indexBackup,
  indexCountedInput,
  openIndexDiffSide,
  openIndexedBackup,
  readBackupIndexInfo,
  writeIndexFile
} from "./chunk-POC7LDLW.js";
import "./chunk-D4L2BVNW.js";
import "./chunk-YO3SMYIS.js";
import "./chunk-2HH2CB6Y.js";
import "./chunk-FY4XRHOE.js";
import "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";
export {
  emptyStoredHeader,
  exportSubdirFromBackup,
  indexBackup,
  indexCountedInput,
  openIndexDiffSide,
  openIndexedBackup,
  readBackupIndexInfo,
  writeIndexFile
};
