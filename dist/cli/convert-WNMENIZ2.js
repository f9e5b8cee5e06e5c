import {
  BinaryHeaderParts
} from "./chunk-RV477GGG.js";
import {
  loadMeta
} from "./chunk-673Y5BJ2.js";
import "./chunk-XJ75VFCB.js";
import "./chunk-2HH2CB6Y.js";
import {
  BinaryStructureCheck
} from "./chunk-OQKBTTKU.js";
import {
  TableStager,
  dumpMeta
} from "./chunk-42XKLXRA.js";
import "./chunk-2IUHHPSG.js";
import "./chunk-FSMRZZN3.js";
import "./chunk-YBUR6YUE.js";
import "./chunk-PWJI7R5M.js";
import {
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import "./chunk-HSLINTMN.js";
import {
  ByteCounter,
  detectDumpFormat
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import {
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import "./chunk-T4KSQL2Z.js";
import {
  BinaryDumpError
} from "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import {
  REMOVED_SECRET
} from "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  encodeAttr,
  encodeSlice
} from "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TRASH_INODE,
  TYPE_CODE
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/engines/convert.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
async function convertDump(input, writer, opts = {}) {
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
var PROGRESS_EVERY = 1e4;
async function binaryToJson(input, writer, opts) {
  const check = new BinaryStructureCheck();
  const stager = new TableStager({ keep: [ROOT_INODE, TRASH_INODE], tmpDir: opts.workDir });
  const parts = new BinaryHeaderParts();
  const counter = new ByteCounter();
  input.on("error", (err) => counter.destroy(err));
  input.pipe(counter);
  let records = 0;
  const tick = (n) => {
    const before = records;
    records += n;
    if (opts.onProgress && Math.floor(before / PROGRESS_EVERY) !== Math.floor(records / PROGRESS_EVERY)) opts.onProgress("load", check.counts.entries);
  };
  const visitor = {
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
      const records2 = [];
      for (const { inode, chunk } of list) {
        check.chunk(chunk.slices.length);
        if (!chunk.slices.length) continue;
        const slices = Buffer.allocUnsafe(chunk.slices.length * SLICE_BYTES);
        chunk.slices.forEach((s, k) => encodeSlice(s, slices, k * SLICE_BYTES));
        records2.push({ inode, index: chunk.index, slices });
      }
      await stager.add({ table: "chunks", records: records2 });
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
    ...parts.visitor()
  };
  let tree;
  try {
    try {
      await readBinaryDump(counter, visitor);
    } catch (err) {
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
    const setting = check.setting;
    const counters = check.counters;
    const list = parts.sustainedBySession();
    const engine = {
      kind: "sqlite3",
      redactedUrl: "the binary dump",
      readSetting: async () => setting,
      findLoadClaim: async () => null,
      readCounters: async () => ({ ...counters }),
      readSustained: async () => list,
      readDelFiles: async () => parts.delFiles,
      readQuotas: async (kind) => parts.quotasByKey(kind),
      lookup: async () => null,
      readDir: () => ({ sorted: true, batches: (async function* () {
      })() }),
      readNodes: (entries) => tree.readNodes(entries)
    };
    const dumped = await dumpMeta(engine, writer, { keepSecretKey: true, stagedTree: tree, onProgress: (p) => opts.onProgress?.("dump", p.entries) });
    const c = check.counts;
    const load = {
      entries: c.entries + 1,
      inodes: c.inodes,
      files: c.inodes - c.directories,
      dirs: c.directories,
      bytes: counter.bytes,
      trashEntries: c.trashEntries,
      secretRemoved: setting.SecretKey === REMOVED_SECRET || setting.SessionToken === REMOVED_SECRET,
      volume: setting.Name,
      warnings: [],
      format: "binary"
    };
    return { load, entries: dumped.entries };
  } finally {
    await tree.close();
  }
}
export {
  convertDump
};
