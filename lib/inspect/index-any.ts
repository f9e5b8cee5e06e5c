// Index a dump of either format. A binary dump is flat tables and the index is a tree, so a
// binary one is read through a temporary SQLite database (convertDump, in `workDir`) and indexed
// from its JSON dump, streamed between the two: memory stays flat, the temporary database is
// removed. Shared by the dashboard's "Open for inspection" and `jfsmeta diff`.
import { PassThrough, type Readable } from "node:stream";
import { detectDumpFormat } from "../dump/input";
import { JsonDumpWriter } from "../dump/writer";
import { convertDump } from "../engines/convert";
import { JfsError } from "../jfs/errors";
import { indexBackup, type IndexBackupOptions } from "./backup";
import type { BackupIndexInfo } from "./schemas";

export interface IndexAnyDumpOptions extends IndexBackupOptions {
  /** Where a binary dump's temporary database goes (the index's directory is a good choice). */
  workDir: string;
  /** Told when the dump is binary (the conversion makes it slower). */
  onBinary?: () => void;
}

/** indexBackup() of a decompressed dump, JSON or binary (by its first bytes). */
export async function indexAnyDump(input: Readable, indexPath: string, opts: IndexAnyDumpOptions): Promise<BackupIndexInfo> {
  const detected = await detectDumpFormat(input);
  if (detected.format !== "binary") return indexBackup(detected.input, indexPath, opts);
  opts.onBinary?.();
  const json = new PassThrough({ highWaterMark: 1 << 20 });
  const converting = convertDump(detected.input, new JsonDumpWriter(json), { workDir: opts.workDir }).then(
    () => void json.end(),
    (e: unknown) => void json.destroy(e as Error),
  );
  try {
    const info = await indexBackup(json, indexPath, opts);
    await converting;
    return info;
  } finally {
    // An index that stopped early stops the conversion feeding it.
    if (!json.writableFinished) json.destroy(new JfsError("interrupted", "indexing stopped"));
    await converting;
  }
}
