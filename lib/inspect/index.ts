// Metadata inspection for the dashboard's tree viewer (server side).
//
//   const src = openLiveSource(engine)            // pages a live volume
//   const info = await indexBackup(stream, path)  // streams a dump into an on-disk index
//   const src = openIndexedBackup(path)            // pages that index
//   await src.children(dirId, offset, limit, filter) / src.entry(dirId, rawName)
//   await exportSubdirFromBackup(path, dirId, out) // `dump --subdir` bytes out of a backup
//
// Browser code imports ./schemas only (zod schemas of everything returned here).
export * from "./schemas";
export { type TreeSource, InspectNotFoundError, InspectRequestError } from "./source";
export { openLiveSource, openLiveDiffSide, type LiveSourceOptions } from "./live";
export { diffTrees, diffIsEmpty, compareNodes, type DiffSide, type DiffNode, type DiffOptions } from "./diff";
export {
  indexBackup,
  readBackupIndexInfo,
  openIndexedBackup,
  exportSubdirFromBackup,
  openIndexDiffSide,
  type IndexBackupOptions,
  type ExportSubdirOptions,
} from "./backup";
export {
  describeEntry,
  treeItemOf,
  entryJson,
  entryCompactJson,
  parseJsonExact,
  displayName,
  modeString,
  isoTime,
  flagNames,
} from "./describe";
export { sortedNameOrder } from "../engines/nametable";
