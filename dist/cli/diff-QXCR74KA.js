import {
  compareNodes,
  diffIsEmpty,
  diffNodeOf,
  diffTrees,
  mergeBatches,
  mergeByName,
  subtreeSize
} from "./chunk-YO3SMYIS.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-CPAUB6IY.js";
export {
  compareNodes,
  diffIsEmpty,
  diffNodeOf,
  diffTrees,
  mergeBatches,
  mergeByName,
  subtreeSize
};
