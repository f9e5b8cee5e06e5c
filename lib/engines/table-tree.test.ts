// The staged walk (table-tree.ts) against the tree walk of the same volume: one in-memory volume
// read two ways, by an engine-like model (readDir unsorted + readNodes, built here from the same
// records) and by a flat scan yielding its records scrambled in small batches. The JSON dumps
// must be the same bytes, with the sorts forced to spill by a tiny memory bound.
import { readdirSync, readlinkSync } from "node:fs";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import type { AclRule, Attr, DirEntry, NodeType } from "../jfs/types";
import { TRASH_INODE, TYPE_CODE, typeFromCode } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import { decodeAcl, decodeAttr, decodeSlice, encodeAcl, encodeAttr, encodeSlice, SLICE_BYTES } from "../jfs/binary-values";
import type { EncodedBatch, RecordEncoder, TableBatch } from "../jfs/table-records";
import type { BinaryLeaf } from "../dump/types";
import { JsonDumpWriter } from "../dump/writer";
import type { MetaEngine, StoredNode } from "./engine";
import { dumpMeta } from "./dump";
import { StagedTree } from "./table-tree";

const setting: Setting = { Name: "t", UUID: "u", Storage: "file", Bucket: "/b/", BlockSize: 4096, TrashDays: 1, EnableACL: true, SecretKey: "sk", MetaVersion: 1 };

function attr(inode: bigint, type: NodeType, over: Partial<Attr> = {}): Attr {
  return { inode, flags: 0, type, mode: 0o644, uid: 1, gid: 2, atime: 1n, mtime: 2n, ctime: 3n, atimensec: 4, mtimensec: 5, ctimensec: 6, nlink: type === "directory" ? 2 : 1, length: 0n, rdev: 0, tier: 0, ...over };
}

/** A record of Volume.orderedScan: its key in the staged walk's order (inode, tag, chunk index) and its write. */
interface OrderedRecord {
  key: readonly [bigint, number, number];
  write: () => void;
}

/** A volume as flat records, the way scanTables yields them. */
class Volume {
  nodes: { inode: bigint; attr: Buffer }[] = [];
  edges: { parent: bigint; inode: bigint; name: Buffer; type: number }[] = [];
  chunks: { inode: bigint; index: number; slices: Buffer }[] = [];
  symlinks: { inode: bigint; target: Buffer }[] = [];
  xattrs: { inode: bigint; name: Buffer; value: Buffer }[] = [];
  acls: { id: number; rule: AclRule }[] = [];

  node(inode: bigint, type: NodeType, over: Partial<Attr> = {}, acl = 0): void {
    this.nodes.push({ inode, attr: encodeAttr(attr(inode, type, over), 0n, acl, 0) });
  }
  edge(parent: bigint, name: string | Buffer, inode: bigint, type: NodeType): void {
    this.edges.push({ parent, inode, name: typeof name === "string" ? Buffer.from(name) : name, type: TYPE_CODE[type] });
  }
  chunk(inode: bigint, index: number, sliceIds: number[]): void {
    const b = Buffer.alloc(sliceIds.length * SLICE_BYTES);
    sliceIds.forEach((id, k) => encodeSlice({ pos: 0, id: BigInt(id), size: 4096, off: 0, len: 4096 }, b, k * SLICE_BYTES));
    this.chunks.push({ inode, index, slices: b });
  }

  /** Every record in small batches, tables interleaved, each table's records scrambled. */
  scan(batch = 7): AsyncIterable<TableBatch> {
    const scramble = <T>(xs: T[]) => xs.map((x, i) => [(i * 7919) % 10007, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
    const parts: TableBatch[] = [];
    const cut = <T>(xs: T[], make: (r: T[]) => TableBatch) => {
      const s = scramble(xs);
      for (let i = 0; i < s.length; i += batch) parts.push(make(s.slice(i, i + batch)));
    };
    cut(this.edges, (records) => ({ table: "edges", records }));
    cut(this.xattrs, (records) => ({ table: "xattrs", records }));
    cut(this.nodes, (records) => ({ table: "nodes", records }));
    cut(this.chunks, (records) => ({ table: "chunks", records }));
    cut(this.symlinks, (records) => ({ table: "symlinks", records }));
    parts.push({ table: "acls", records: this.acls });
    parts.push({ table: "dirStats", records: [{ inode: 1n, dataLength: 0n, usedSpace: 0n, usedInodes: 0n }] });
    const order = scramble(parts);
    return (async function* () {
      yield* order;
    })();
  }

  /**
   * The scan of an engine that reads in the staged walk's order (RecordEncoder.inodeOrder):
   * symlinks and xattrs as batches first, then nodes, chunks and edges through `encoder` in
   * unsigned inode order, as PostgreSQL's merged COPY streams give them. `tamper` may reorder
   * the records written (a tampered order must be refused).
   */
  orderedScan(encoder: RecordEncoder, tamper?: (records: OrderedRecord[]) => void): AsyncIterable<TableBatch | EncodedBatch> {
    const key = (inode: bigint, tag: number, sub = 0) => [BigInt.asUintN(64, inode), tag, sub] as const;
    const records: OrderedRecord[] = [
      ...this.nodes.map((r) => ({ key: key(r.inode, 1), write: () => encoder.node(r.inode, r.attr, 0, r.attr.length) })),
      ...this.chunks.map((r) => ({ key: key(r.inode, 3, r.index), write: () => encoder.chunk(r.inode, r.index, r.slices, 0, r.slices.length) })),
      ...this.edges.map((r) => ({ key: key(r.inode, 5), write: () => encoder.edge(r.parent, r.inode, r.name, 0, r.name.length, r.type) })),
    ];
    records.sort((a, b) => (a.key[0] !== b.key[0] ? (a.key[0] < b.key[0] ? -1 : 1) : a.key[1] - b.key[1] || a.key[2] - b.key[2]));
    tamper?.(records);
    const writes = records.map((r) => r.write);
    const { symlinks, xattrs, acls } = this;
    return (async function* () {
      yield { table: "xattrs", records: xattrs } satisfies TableBatch;
      yield { table: "symlinks", records: symlinks } satisfies TableBatch;
      await encoder.inodeOrder!();
      for (let i = 0; i < writes.length; i++) {
        writes[i]();
        if (i % 5 === 4) {
          const b = encoder.take("nodes");
          if (b) yield b;
        }
      }
      for (const field of ["nodes", "chunks", "edges"] as const) {
        const b = encoder.take(field);
        if (b) yield b;
      }
      yield { table: "acls", records: acls } satisfies TableBatch;
    })();
  }

  /** An engine over the same records: listings unsorted, nodes built the way engines build them. */
  engine(staged: boolean, ordered?: { tamper?: (records: OrderedRecord[]) => void }): MetaEngine {
    const { nodes, edges, chunks, symlinks, xattrs, acls } = this;
    const readNodes = async (items: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> =>
      items.map(({ inode, type }) => {
        const n = nodes.find((x) => x.inode === inode);
        const stored = n ? decodeAttr(inode, n.attr) : null;
        const node: StoredNode = { inode, entryType: type, attr: stored?.attr ?? null, xattrs: [], chunks: [] };
        const acl = stored?.accessAcl ? acls.find((a) => a.id === stored.accessAcl) : undefined;
        if (acl) node.accessAcl = decodeAcl(encodeAcl(acl.rule))!;
        const link = symlinks.find((s) => s.inode === inode);
        if (link) node.symlink = link.target;
        for (const x of xattrs) if (x.inode === inode) node.xattrs.push({ name: x.name, value: x.value });
        for (const c of chunks) {
          if (c.inode !== inode) continue;
          const slices = [];
          for (let s = 0; s < c.slices.length; s += SLICE_BYTES) slices.push(decodeSlice(c.slices.subarray(s, s + SLICE_BYTES))!);
          node.chunks.push({ index: c.index, slices });
        }
        return node;
      });
    return {
      kind: "redis",
      redactedUrl: "mem://",
      jsonDumpFromTables: () => staged,
      readSetting: async () => setting,
      findLoadClaim: async () => null,
      readCounters: async () => ({ usedSpace: 0n, usedInodes: 0n, nextInodes: 100n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n }),
      readSustained: async () => [],
      readDelFiles: async () => [],
      readQuotas: async () => new Map(),
      lookup: async (p: bigint, name: Buffer) => {
        const e = edges.find((x) => x.parent === p && x.name.equals(name));
        return e ? { name: e.name, inode: e.inode, type: typeFromCode(e.type)! } : null;
      },
      readDir: (ino: bigint) => ({
        sorted: false,
        batches: (async function* () {
          const list: DirEntry[] = edges.filter((e) => e.parent === ino).map((e) => ({ name: e.name, inode: e.inode, type: typeFromCode(e.type)! }));
          if (list.length) yield list.reverse();
        })(),
      }),
      readNodes,
      scanTables: (_gate: unknown, opts?: { encoder?: RecordEncoder }) => (ordered && opts?.encoder?.inodeOrder ? this.orderedScan(opts.encoder, ordered.tamper) : this.scan()),
    } as unknown as MetaEngine;
  }
}

/** Root (1) with dirs, files with chunks (some past their length), a hard link, odd names, Trash. */
function sampleVolume(files = 40): Volume {
  const v = new Volume();
  v.acls.push({ id: 7, rule: { owner: 7, group: 5, mask: 7, other: 4, users: [{ id: 1000, perm: 6 }], groups: [] } });
  v.node(1n, "directory", { mode: 0o755 });
  v.node(2n, "directory", { mode: 0o700 }, 7);
  v.edge(1n, "d1", 2n, "directory");
  v.node(3n, "directory");
  v.edge(2n, "sub", 3n, "directory");
  let ino = 1000n;
  for (let i = 0; i < files; i++, ino++) {
    const parent = i % 3 === 0 ? 1n : i % 3 === 1 ? 2n : 3n;
    v.node(ino, "regular", { length: BigInt(i) * 40_000_000n });
    v.edge(parent, `file-${(i * 37) % 101}-${i}`, ino, "regular");
    if (i > 0) v.chunk(ino, 0, [i, i + 1000]);
    if (i % 5 === 0) v.chunk(ino, 7, [i + 2000]); // past the length: not dumped
    if (i % 4 === 0) v.xattrs.push({ inode: ino, name: Buffer.from(`user.b${i}`), value: Buffer.from("v") }, { inode: ino, name: Buffer.from("user.a"), value: Buffer.from([0xff, 0]) });
  }
  // Names that are not UTF-8, and names that share a prefix (byte order, not string order).
  v.node(200n, "regular");
  v.edge(1n, Buffer.from([0x66, 0xff, 0xfe]), 200n, "regular");
  v.node(201n, "regular");
  v.edge(1n, Buffer.from([0x66]), 201n, "regular");
  v.node(202n, "symlink");
  v.symlinks.push({ inode: 202n, target: Buffer.from("../d1/sub") });
  v.edge(2n, "link", 202n, "symlink");
  // A hard link: inode 1000 under the root and under d1/sub.
  v.edge(3n, "hard", 1000n, "regular");
  // An entry whose inode has no attr: dumped with zeros, as JuiceFS does.
  v.edge(3n, "lost", 300n, "regular");
  // Trash with an hour directory and a deleted file.
  v.node(TRASH_INODE, "directory", { mode: 0o555 });
  v.node(TRASH_INODE + 1n, "directory");
  v.edge(TRASH_INODE, "2026-01-01-00", TRASH_INODE + 1n, "directory");
  v.node(400n, "regular", { length: 5n });
  v.chunk(400n, 0, [9]);
  v.edge(TRASH_INODE + 1n, "1-400-gone", 400n, "regular");
  return v;
}

/** `writer`: "nodes" takes every leaf as a DumpNode (no leafBinary); `binaryLeaves` counts those taken as bytes. */
async function dumpJson(engine: MetaEngine, opts: Parameters<typeof dumpMeta>[2] = {}, writer: "bytes" | "nodes" = "bytes", binaryLeaves = { count: 0 }): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const w = new JsonDumpWriter(out);
  const leafBinary = w.leafBinary.bind(w);
  Object.assign(w, { leafBinary: writer === "nodes" ? undefined : (e: BinaryLeaf) => (binaryLeaves.count++, leafBinary(e)) });
  await dumpMeta(engine, w, opts);
  out.end();
  return Buffer.concat(chunks).toString("latin1");
}

const openUnder = (dir: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;

describe("the staged walk", () => {
  // Each test says which walk it wants (jsonDumpFromTables); the escape hatch would override it.
  const hatch = process.env.JFSMETA_STAGED_WALK;
  beforeAll(() => void delete process.env.JFSMETA_STAGED_WALK);
  afterAll(() => {
    if (hatch !== undefined) process.env.JFSMETA_STAGED_WALK = hatch;
  });

  it("dumps the bytes the tree walk dumps, its sorts spilled by a tiny memory bound", async () => {
    const v = sampleVolume();
    const walked = await dumpJson(v.engine(false));
    for (const stageMemory of [4096, 1 << 20]) {
      expect(await dumpJson(v.engine(true), { stageMemory })).toBe(walked);
      expect(await dumpJson(v.engine(true), { stageMemory, skipTrash: true })).toBe(await dumpJson(v.engine(false), { skipTrash: true }));
    }
    // The sample holds what the comparison is about.
    expect(walked).toContain('"hard"');
    expect(walked).toContain('"f%FF%FE"');
    expect(walked).toContain('"lost"');
    expect(walked).toContain('"Trash"');
    expect(walked).toContain('"user.a"');
  });

  it("writes plain leaves from the tree file's bytes, and the rest from nodes, as the tree walk writes them", async () => {
    const v = sampleVolume();
    // Leaves the bytes cannot give (each read as a node) beside ones they can.
    v.acls.push({ id: 9, rule: { owner: 6, group: 4, mask: 6, other: 4, users: [], groups: [{ id: 50, perm: 4 }] } });
    v.node(500n, "regular", { length: 10n }, 9); // an ACL
    v.edge(1n, "acl", 500n, "regular");
    v.node(501n, "regular", { length: 10n, tier: 3, flags: 2, rdev: 0, atime: -5n, atimensec: 0, mtimensec: 0 }, 11); // an ACL id without a rule: plain
    v.chunk(501n, 0, [77]);
    v.edge(1n, "no-rule", 501n, "regular");
    v.node(502n, "fifo", { length: 99n, rdev: 12 }); // a length not shown
    v.edge(1n, "fifo", 502n, "fifo");
    v.node(503n, "symlink");
    v.symlinks.push({ inode: 503n, target: Buffer.alloc(0) }); // no target shown: plain
    v.edge(1n, "empty-link", 503n, "symlink");
    v.node(2n ** 60n, "regular", { length: 1n });
    v.chunk(2n ** 60n, 0, [78]);
    v.edge(1n, "big-inode", 2n ** 60n, "regular");
    v.node(504n, "regular", { length: 2n ** 60n, mtime: 2n ** 62n });
    v.chunk(504n, 0, [79]);
    v.chunk(504n, 3, [80, 81]);
    v.edge(1n, "big-length", 504n, "regular");
    v.node(505n, "regular", { length: 64n * 1024n * 1024n + 1n });
    v.chunk(505n, 0, [82]);
    v.chunk(505n, 1, [83]);
    v.chunk(505n, 2, [84]); // past the length
    v.edge(1n, "two-chunks", 505n, "regular");
    const walked = await dumpJson(v.engine(false));
    for (const stageMemory of [4096, 1 << 20]) {
      const binaryLeaves = { count: 0 };
      expect(await dumpJson(v.engine(true), { stageMemory }, "bytes", binaryLeaves)).toBe(walked);
      expect(binaryLeaves.count).toBeGreaterThan(30);
      expect(await dumpJson(v.engine(true), { stageMemory }, "nodes")).toBe(walked);
    }
    for (const key of ['"acl"', '"posix_acl_access"', '"no-rule"', '"tier":3', '"fifo"', '"length":0,"rdev":12', '"empty-link"', '"inode":1152921504606846976', '"length":1152921504606846976', '"two-chunks"']) expect(walked).toContain(key);
    // Which leaves went as bytes: the plain ones, not the ACL's, the big inode's or the big length's.
    const counted = { count: 0 };
    await dumpJson(v.engine(true), {}, "bytes", counted);
    const plain = (walked.match(/"attr": \{"inode":\d+,(?:"flags":\d+,)?"type":"(?!directory)/g) ?? []).length;
    // Not as bytes: the 3 above; the 10 sample files with xattrs and the hard link to one of
    // them; the symlink with a target; the entry whose inode has no attr.
    expect(counted.count).toBe(plain - 3 - 11 - 1 - 1);
  });

  it("merges its runs inside the sorts' arenas whatever their number, a record longer than a run's share in a block of its own", async () => {
    const walked = await dumpJson(sampleVolume(3000).engine(false));
    // Many runs, each record shorter than a run's share of the arena: no block of their own.
    const many = await StagedTree.stage(sampleVolume(3000).scan(), { memory: 64 << 10, keep: [1n] });
    await many.close();
    expect(many.spilledRuns).toBeGreaterThan(10);
    expect(many.mergeOwnBytes).toBe(0);
    expect(await dumpJson(sampleVolume(3000).engine(true), { stageMemory: 64 << 10 })).toBe(walked);
    // An xattr longer than a run's share: read into a block of its own, and dumped whole.
    const v = sampleVolume(300);
    v.xattrs.push({ inode: 1003n, name: Buffer.from("user.long"), value: Buffer.alloc(3000, 0x61) });
    const long = await StagedTree.stage(v.scan(), { memory: 4096, keep: [1n] });
    await long.close();
    expect(long.spilledRuns).toBeGreaterThan(3);
    expect(long.mergeOwnBytes).toBeGreaterThan(3000);
    const dumped = await dumpJson(v.engine(true), { stageMemory: 4096 });
    expect(dumped).toBe(await dumpJson(v.engine(false)));
    expect(dumped).toContain("a".repeat(3000));
  });

  it("dumps a file whose data outgrows a read block (12,000 chunks: a 380 KiB record), first in its directory", async () => {
    // A refill at a record's start did not know its length: it read one block (256 KiB) and
    // took the record for a truncated file.
    const v = new Volume();
    v.node(1n, "directory", { mode: 0o755 });
    v.node(10n, "regular", { length: 12_000n * 64n * 1024n * 1024n });
    for (let i = 0; i < 12_000; i++) v.chunk(10n, i, [i + 1]);
    v.edge(1n, "a-huge-file", 10n, "regular");
    v.node(11n, "regular", { length: 1n });
    v.edge(1n, "b", 11n, "regular");
    const walked = await dumpJson(v.engine(false));
    expect(walked).toContain('"index":11999');
    for (const stageMemory of [4096, 1 << 20, undefined]) expect(await dumpJson(v.engine(true), { stageMemory })).toBe(walked);
  });

  it("searches a directory index bigger than a quarter of its memory on disk, a block a lookup, and dumps the same bytes", async () => {
    // 700 directories (28 bytes each in the index: 19.6 KB), two levels deep, a file in each.
    const v = sampleVolume(10);
    let ino = 5000n;
    for (let d = 0; d < 700; d++) {
      const dir = ino++;
      const parent = d < 20 ? 1n : 5000n + 2n * BigInt(d % 20); // one of the first 20 directories
      v.node(dir, "directory");
      v.edge(parent, `dir-${(d * 53) % 701}`, dir, "directory");
      const file = ino++;
      v.node(file, "regular", { length: 10n });
      v.chunk(file, 0, [Number(file)]);
      v.edge(dir, `f-${d}`, file, "regular");
    }
    const walked = await dumpJson(v.engine(false));
    for (const [memory, onDisk] of [[16 << 10, true], [1 << 20, false]] as const) {
      const tree = await StagedTree.stage(v.scan(), { memory, keep: [1n] });
      await tree.close();
      expect(tree.dirIndexOnDisk).toBe(onDisk);
      expect(await dumpJson(v.engine(true), { stageMemory: memory })).toBe(walked);
    }
    expect(walked).toContain('"f-699"');
  });

  it("spills the unordered records to runs and merges them", async () => {
    const v = sampleVolume(300);
    const tree = await StagedTree.stage(v.scan(), { memory: 4096, keep: [1n] });
    try {
      expect(tree.spilledRuns).toBeGreaterThan(3);
      // Every directory's children in raw-name byte order, the hard link under both parents.
      const names: string[] = [];
      for await (const page of tree.readDirNodes(3n)) names.push(...page.names.map((n) => n.toString("latin1")));
      expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"))));
      expect(names).toContain("hard");
      const root: bigint[] = [];
      for await (const page of tree.readDirNodes(1n)) root.push(...page.nodes.map((n) => n.inode));
      expect(root).toContain(1000n);
    } finally {
      await tree.close();
    }
  });

  it("looks an entry up by name and reads its node (--subdir), and refuses inodes it did not keep", async () => {
    const tree = await StagedTree.stage(sampleVolume().scan(), { memory: 4096, keep: [1n, TRASH_INODE] });
    try {
      const d1 = await tree.lookup(1n, Buffer.from("d1"));
      expect(d1).toMatchObject({ inode: 2n, type: "directory" });
      const [node] = await tree.readNodes([{ inode: 2n, type: "directory" }]);
      expect(node.attr?.mode).toBe(0o700);
      expect(node.accessAcl?.users).toEqual([{ id: 1000, perm: 6 }]);
      const sub = await tree.lookup(2n, Buffer.from("sub"));
      expect(sub?.inode).toBe(3n);
      expect(await tree.lookup(2n, Buffer.from("nope"))).toBeNull();
      const [lost] = await tree.readNodes([{ inode: TRASH_INODE, type: "directory" }]);
      expect(lost.attr?.mode).toBe(0o555);
      await expect(tree.readNodes([{ inode: 1000n, type: "regular" }])).rejects.toThrow(/not kept/);
    } finally {
      await tree.close();
    }
  });

  it("joins records given in inode order as they come, with the symlinks and xattrs sorted before: the same bytes", async () => {
    const v = sampleVolume(300);
    // A hard link whose second entry sorts first, a chunk list over several indexes, and
    // symlinks and xattrs on inodes before, between and after the others.
    v.chunk(1002n, 3, [77]);
    v.chunk(1002n, 1, [78]);
    v.node(5n, "symlink");
    v.symlinks.push({ inode: 5n, target: Buffer.from("/far") });
    v.edge(1n, "first", 5n, "symlink");
    v.xattrs.push({ inode: TRASH_INODE + 1n, name: Buffer.from("user.t"), value: Buffer.from("x") });
    const walked = await dumpJson(v.engine(false));
    for (const stageMemory of [4096, 1 << 20]) expect(await dumpJson(v.engine(true, {}), { stageMemory })).toBe(walked);
    expect(walked).toContain('"/far"');
    expect(walked).toContain('"user.t"');
  });

  it("refuses records out of the inode order they were promised in, and tables given after it", async () => {
    type Tamper = (w: OrderedRecord[]) => void;
    const refused = (v: Volume, tamper: Tamper) => dumpJson(v.engine(true, { tamper }), { stageMemory: 4096 });
    // Two inodes swapped.
    await expect(
      refused(sampleVolume(50), (w) => {
        const k = w.length >> 1;
        [w[k - 20], w[k]] = [w[k], w[k - 20]];
      }),
    ).rejects.toThrow(/promised its records in inode order, but inode \d+ came after inode \d+/);
    // An entry before its inode's node.
    await expect(
      refused(sampleVolume(50), (w) => {
        const node = w.findIndex((r) => r.key[0] === 1001n && r.key[1] === 1);
        const edge = w.findIndex((r) => r.key[0] === 1001n && r.key[1] === 5);
        [w[node], w[edge]] = [w[edge], w[node]];
      }),
    ).rejects.toThrow(/inode 1001 came after inode 1001/);
    // A file's chunks out of index order.
    const c = sampleVolume(50);
    c.chunk(1001n, 2, [5]);
    await expect(
      refused(c, (w) => {
        const [x, y] = [0, 2].map((index) => w.findIndex((r) => r.key[0] === 1001n && r.key[1] === 3 && r.key[2] === index));
        [w[x], w[y]] = [w[y], w[x]];
      }),
    ).rejects.toThrow(/the chunks of inode 1001 came out of index order/);
    // A table given as records once the order was promised.
    const late = sampleVolume(50);
    const engine = late.engine(true);
    engine.scanTables = ((_gate: unknown, opts: { encoder: RecordEncoder }) =>
      (async function* () {
        await opts.encoder.inodeOrder!();
        yield { table: "nodes", records: late.nodes } satisfies TableBatch;
      })()) as MetaEngine["scanTables"];
    await expect(dumpJson(engine)).rejects.toThrow(/the scan gave nodes as a batch after it promised the records in inode order/);
  });

  it("refuses a directory cycle as the tree walk does", async () => {
    const v = sampleVolume();
    v.edge(3n, "loop", 2n, "directory"); // d1/sub/loop is d1 again
    await expect(dumpJson(v.engine(false))).rejects.toThrow(/directory cycle: inode 2/);
    await expect(dumpJson(v.engine(true), { stageMemory: 4096 })).rejects.toThrow(/directory cycle: inode 2/);
  });

  it("refuses records stored twice: two entries of one name, an inode stored twice", async () => {
    const v = sampleVolume();
    v.edge(2n, "sub", 1001n, "regular");
    await expect(StagedTree.stage(v.scan(), { memory: 4096 })).rejects.toThrow(/directory 2 holds two entries named "sub"/);
    const w = sampleVolume();
    w.node(1001n, "regular");
    await expect(StagedTree.stage(w.scan(), { memory: 4096 })).rejects.toThrow(/inode 1001 is stored twice/);
  });

  it("a dump cancelled while it walks leaves no temporary file open or on disk", async () => {
    const tmp = tempDir("jfsmeta-stage-");
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const v = sampleVolume(5000);
      const ac = new AbortController();
      let openMidWalk = 0;
      const run = dumpJson(v.engine(true), {
        stageMemory: 1 << 16,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.entries >= 1000 && !ac.signal.aborted) {
            openMidWalk = openUnder(tmp);
            ac.abort();
          }
        },
      });
      await expect(run).rejects.toThrow(/cancelled/);
      expect(openMidWalk).toBeGreaterThan(0); // the tree's files were open (and already unlinked)
      expect(readdirSync(tmp)).toEqual([]);
      expect(openUnder(tmp)).toBe(0);
      // Cancelled while the tables are still being read: nothing left either.
      const early = new AbortController();
      early.abort();
      await expect(dumpJson(v.engine(true), { signal: early.signal })).rejects.toThrow(/cancelled/);
      expect(readdirSync(tmp)).toEqual([]);
      expect(openUnder(tmp)).toBe(0);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });
  it("reports the tables' reading as its own phase, then the entries written from 0", async () => {
    const v = sampleVolume(25_000);
    const seen: { entries: number; phase?: string }[] = [];
    await dumpJson(v.engine(true), { onProgress: (p) => seen.push({ entries: p.entries, phase: p.phase }) });
    const reading = seen.filter((p) => p.phase === "reading tables");
    const firstWalk = seen.findIndex((p) => p.phase === undefined);
    // inodes read, once each 10,000 are passed (at the end of the batch that passes them)
    expect(reading.map((p) => Math.floor(p.entries / 10_000))).toEqual([1, 2]);
    expect(firstWalk).toBe(reading.length); // the reading comes first, all of it
    expect(seen[firstWalk].entries).toBe(1000); // then the walk counts its entries from 0
    expect(seen.at(-1)!.phase).toBeUndefined(); // the last word is the walk's total: every entry written
    expect(seen.at(-1)!.entries).toBeGreaterThan(25_000);
  });
});
