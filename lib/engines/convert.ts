// Converting a dump between JSON and binary (`jfsmeta convert`). The two formats are shaped
// differently (a tree against flat tables), so one cannot be streamed into the other in flat
// memory; the dump is loaded into a private SQLite database in a temporary directory and
// dumped again in the other format: memory stays flat, the disk holds one SQLite copy of the
// metadata for the time of the conversion, and it is removed whatever happens. The load's
// checks apply on the way, so a damaged dump is refused, not converted.
//
// Binary → JSON could take the route the tree viewer now takes for a binary backup (its tables
// staged in SQLite and walked in dump order, with the binary load's structure check:
// lib/inspect/binary-index.ts), which yields the tree a dump writes. It does not yet. Measured
// (bench/inspect-binary.ts, CPU user+sys): at 50,000 files the staged index costs 5.3 s and
// this conversion about 4.4 s (7.4 s streamed into the JSON indexer, which alone takes 3.0 s),
// no gain; at 1,000,000 files 44-47 s against about 64 s (82.8 s, JSON indexing 18.9 s), a
// third less. Worth doing for big dumps, but only with its own proof of JuiceFS's bytes, which
// this route has (test/conformance/binary.test.ts): a TreeWriter fed by that walk, and those
// convert cases run against it.
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
