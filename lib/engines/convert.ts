// Converting a dump between JSON and binary (`jfsmeta convert`). The two formats are shaped
// differently (a tree against flat tables), so one cannot be streamed into the other in flat
// memory; the dump is loaded into a private SQLite database in a temporary directory and
// dumped again in the other format: memory stays flat, the disk holds one SQLite copy of the
// metadata for the time of the conversion, and it is removed whatever happens. The load's
// checks apply on the way, so a damaged dump is refused, not converted.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import type { TreeWriter } from "../dump/types";
import { loadMeta, type LoadResult } from "./load";
import { dumpMeta } from "./dump";
import { openEngine } from "./open";

export interface ConvertResult {
  load: LoadResult;
  entries: number;
}

/**
 * Reads a (decompressed) dump of either format and writes it through `writer`, keeping the
 * dump's secrets as they are. `workDir` is where the temporary database goes (default: the
 * system's temporary directory).
 */
export async function convertDump(
  input: Readable,
  writer: TreeWriter,
  opts: { workDir?: string; onProgress?: (stage: "load" | "dump", entries: number) => void } = {},
): Promise<ConvertResult> {
  const dir = await mkdtemp(path.join(opts.workDir ?? tmpdir(), "jfsmeta-convert-"));
  try {
    const engine = await openEngine(`sqlite3://${path.join(dir, "convert.db")}`);
    try {
      const load = await loadMeta(engine, input, { onProgress: (p) => opts.onProgress?.("load", p.entries) });
      const dumped = await dumpMeta(engine, writer, { keepSecretKey: true, onProgress: (p) => opts.onProgress?.("dump", p.entries) });
      return { load, entries: dumped.entries };
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
