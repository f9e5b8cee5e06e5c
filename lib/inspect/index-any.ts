// Index a dump of either format (by its first bytes): JSON through indexBackup(), binary
// through indexBinaryBackup(), which stages its tables beside the index and walks them.
// Shared by the dashboard's "Open for inspection" and `jfsmeta diff`.
import type { Readable } from "node:stream";
import { detectDumpFormat } from "../dump/input";
import { indexBackup, type IndexBackupOptions } from "./backup";
import { indexBinaryBackup } from "./binary-index";
import type { BackupIndexInfo } from "./schemas";

export interface IndexAnyDumpOptions extends IndexBackupOptions {
  /** Told when the dump is binary. */
  onBinary?: () => void;
}

/** indexBackup() of a decompressed dump, JSON or binary. */
export async function indexAnyDump(input: Readable, indexPath: string, opts: IndexAnyDumpOptions = {}): Promise<BackupIndexInfo> {
  const detected = await detectDumpFormat(input);
  if (detected.format !== "binary") return indexBackup(detected.input, indexPath, opts);
  opts.onBinary?.();
  return indexBinaryBackup(detected.input, indexPath, opts);
}
