// Converting a dump between JSON and binary (`jfsmeta convert`). The two formats are shaped
// differently (a tree against flat tables), so one cannot be streamed into the other in flat
// memory.
//
// Binary → JSON takes the JSON dump's staged walk (table-tree.ts): the binary dump's records
// are ordered into a tree on temporary files as they are read, checked as the binary load
// checks them (BinaryStructureCheck: the root stored, no dangling entry, every parent a
// directory, every ACL id defined; no inode, entry, chunk or xattr stored twice), and the tree
// is then written by the dump's own walk (dump.ts: toDumpNode, cycle check, Trash). A damaged
// dump is refused before a byte of output is written. The header is what a SQL engine's dump
// would give of the loaded dump (buildHeader), as this conversion gave before through a
// temporary SQLite database: one pass instead of a load and a dump, and no database.
//
// JSON → binary still loads the dump into a private SQLite database in a temporary directory
// and dumps it again: memory stays flat, the disk holds one SQLite copy of the metadata for the
// time of the conversion, removed whatever happens; the JSON load's checks apply on the way.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import type { TreeWriter } from "../dump/types";
import { ByteCounter, detectDumpFormat } from "../dump/input";
import { readBinaryDump, type BinaryDumpVisitor } from "../dump/binary/reader";
import { BinaryDumpError } from "../dump/binary/format";
import { BinaryStructureCheck } from "../dump/binary/check";
import { BinaryHeaderParts } from "../dump/binary/header-parts";
import { encodeAttr, encodeSlice, SLICE_BYTES } from "../jfs/binary-values";
import { JfsError } from "../jfs/errors";
import { REMOVED_SECRET } from "../jfs/setting";
import type { QuotaKind } from "../jfs/types";
import { ROOT_INODE, TRASH_INODE, TYPE_CODE } from "../jfs/types";
import type { MetaEngine } from "./engine";
import { loadMeta, type LoadResult } from "./load";
import { dumpMeta } from "./dump";
import { openEngine } from "./open";
import { TableStager, type StagedTree } from "./table-tree";

export interface ConvertResult {
  load: LoadResult;
  entries: number;
}

export interface ConvertOptions {
  /** Where the temporary files or database go (default: the system's temporary directory). */
  workDir?: string;
  onProgress?: (stage: "load" | "dump", entries: number) => void;
}

/**
 * Reads a (decompressed) dump of either format and writes it through `writer`, keeping the
 * dump's secrets as they are.
 */
export async function convertDump(input: Readable, writer: TreeWriter, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const detected = await detectDumpFormat(input);
  if (detected.format === "binary" && !writer.tables) return binaryToJson(detected.input, writer, opts);
  const dir = await mkdtemp(path.join(opts.workDir ?? tmpdir(), "jfsmeta-convert-"));
  try {
    const engine = await openEngine(`sqlite3://${path.join(dir, "convert.db")}`);
    try {
      const load = await loadMeta(engine, detected.input, { onProgress: (p) => opts.onProgress?.("load", p.entries) });
      const dumped = await dumpMeta(engine, writer, { keepSecretKey: true, onProgress: (p) => opts.onProgress?.("dump", p.entries) });
      return { load, entries: dumped.entries };
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Records pushed to the stager between two progress reports. */
const PROGRESS_EVERY = 10_000;

async function binaryToJson(input: Readable, writer: TreeWriter, opts: ConvertOptions): Promise<ConvertResult> {
  const check = new BinaryStructureCheck();
  const stager = new TableStager({ keep: [ROOT_INODE, TRASH_INODE], tmpDir: opts.workDir });
  const parts = new BinaryHeaderParts();
  const counter = new ByteCounter();
  input.on("error", (err) => counter.destroy(err));
  input.pipe(counter);
  let records = 0;
  const tick = (n: number) => {
    const before = records;
    records += n;
    if (opts.onProgress && Math.floor(before / PROGRESS_EVERY) !== Math.floor(records / PROGRESS_EVERY)) opts.onProgress("load", check.counts.entries);
  };
  const visitor: BinaryDumpVisitor = {
    format: (s, at) => check.format(s, at),
    counters: (c) => check.counter(c),
    async nodes(list, at) {
      for (const n of list) check.node(n, at);
      await stager.add({ table: "nodes", records: list.map((n) => ({ inode: n.attr.inode, attr: encodeAttr(n.attr, n.parent, n.accessAcl, n.defaultAcl) })) });
      tick(list.length);
    },
    async edges(list) {
      for (const e of list) check.edge(e);
      await stager.add({ table: "edges", records: list.map((e) => ({ parent: e.parent, inode: e.inode, name: e.name, type: TYPE_CODE[e.type] ?? 0 })) });
      tick(list.length);
    },
    async chunks(list) {
      const records = [];
      for (const { inode, chunk } of list) {
        check.chunk(chunk.slices.length);
        if (!chunk.slices.length) continue; // a load keeps no empty chunk, so no dump shows one
        const slices = Buffer.allocUnsafe(chunk.slices.length * SLICE_BYTES);
        chunk.slices.forEach((s, k) => encodeSlice(s, slices, k * SLICE_BYTES));
        records.push({ inode, index: chunk.index, slices });
      }
      await stager.add({ table: "chunks", records });
      tick(list.length);
    },
    async symlinks(list) {
      await stager.add({ table: "symlinks", records: list });
      tick(list.length);
    },
    async xattrs(list) {
      await stager.add({ table: "xattrs", records: list.map((x) => ({ inode: x.inode, name: x.xattr.name, value: x.xattr.value })) });
      tick(list.length);
    },
    async acls(list, at) {
      for (const a of list) check.acl(a, at);
      await stager.add({ table: "acls", records: list });
    },
    ...parts.visitor(),
  };
  let tree: StagedTree;
  try {
    try {
      await readBinaryDump(counter, visitor);
    } catch (err) {
      // The reader's own error names the segment and byte; it is the dump's fault, not ours.
      if (err instanceof BinaryDumpError) throw new JfsError("corrupt-input", `invalid binary dump: ${err.message}`, { cause: err });
      throw err;
    }
    check.finish();
    tree = await stager.finish();
  } catch (err) {
    input.unpipe(counter);
    counter.destroy();
    await stager.abort();
    throw err;
  }
  try {
    const setting = check.setting!;
    const counters = check.counters!;
    const list = parts.sustainedBySession();
    // What the dump of a SQL engine that loaded it reads back (buildHeader over SqlEngine).
    const engine = {
      kind: "sqlite3",
      redactedUrl: "the binary dump",
      readSetting: async () => setting,
      findLoadClaim: async () => null,
      readCounters: async () => ({ ...counters }),
      readSustained: async () => list,
      readDelFiles: async () => parts.delFiles,
      readQuotas: async (kind: QuotaKind) => parts.quotasByKey(kind),
      lookup: async () => null,
      readDir: () => ({ sorted: true, batches: (async function* () {})() }),
      readNodes: (entries: { inode: bigint; type: "directory" }[]) => tree.readNodes(entries),
    } as unknown as MetaEngine;
    const dumped = await dumpMeta(engine, writer, { keepSecretKey: true, stagedTree: tree, onProgress: (p) => opts.onProgress?.("dump", p.entries) });
    const c = check.counts;
    const load: LoadResult = {
      entries: c.entries + 1,
      inodes: c.inodes,
      files: c.inodes - c.directories,
      dirs: c.directories,
      bytes: counter.bytes,
      trashEntries: c.trashEntries,
      secretRemoved: setting.SecretKey === REMOVED_SECRET || setting.SessionToken === REMOVED_SECRET,
      volume: setting.Name,
      warnings: [],
      format: "binary",
    };
    return { load, entries: dumped.entries };
  } finally {
    await tree.close();
  }
}
