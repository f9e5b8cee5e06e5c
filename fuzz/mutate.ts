// Seeded mutations of valid dumps: the fuzzer's cases. Each case is the bytes to load and a
// name for what was done, so a failure can be replayed (`--seed S --only N`). Byte-level
// mutations damage the text (truncations inside strings, numbers, escapes and UTF-8; byte and
// bit flips; bad escapes; wrong types and ranges; repeated members and names; deep nesting);
// tree-level ones rewrite a parsed dump into shapes no JuiceFS client can make (inode
// collisions and cycles, hard-linked directories, bad names, trash inodes in FSTree) and some
// it can (a true hard link, odd but legal names), so that acceptance is exercised too;
// format-level ones give other file formats and corrupt gzip.
import { gzipSync } from "node:zlib";
import type { DumpNode } from "../lib/jfs/types";
import { CHUNK_SIZE, ROOT_INODE, TRASH_INODE } from "../lib/jfs/types";
import { prng } from "../lib/synth/prng";
import { collect, emitTree, readDumpToTree, writeTree, type MemDump, type MemEntry } from "../test/support/dump-tree";
import { BinaryDumpWriter } from "../lib/dump/binary/writer";
import { BAK_EOS, SEGMENT_HEADER_BYTES } from "../lib/dump/binary/format";

export interface FuzzCase {
  /** Which mutation made it, with its parameters (for the report and for replay). */
  kind: string;
  detail: string;
  bytes: Buffer;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A seed dump, as bytes and as a tree (for tree-level mutations). */
export interface Seed {
  name: string;
  bytes: Buffer;
  tree: MemDump;
  /** The same volume as a binary dump; null for a --subdir dump (a binary dump holds a whole volume). */
  binary: Buffer | null;
}

export async function makeSeed(name: string, bytes: Buffer): Promise<Seed> {
  const tree = await readDumpToTree(bytes);
  let binary: Buffer | null = null;
  if (tree.trees[0]?.root.node.attr.inode === ROOT_INODE) {
    const out = collect();
    await emitTree(tree, new BinaryDumpWriter(out.stream));
    out.stream.end();
    binary = out.bytes();
  }
  return { name, bytes, tree, binary };
}

// ---------------------------------------------------------------- byte level

/** Offsets in `b` where `test` holds, or all offsets when none does. */
function offsets(b: Buffer, test: (c: number, i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (test(b[i], i)) out.push(i);
  return out.length ? out : [...Array(b.length).keys()];
}

const cut = (b: Buffer, at: number) => Buffer.from(b.subarray(0, at));
const splice = (b: Buffer, at: number, remove: number, insert: Buffer | string) =>
  Buffer.concat([b.subarray(0, at), Buffer.from(insert), b.subarray(at + remove)]);

/** Spans of `"key":value` members with a scalar value (compact JSON, as attrs are written). */
function members(b: Buffer): { key: string; keyAt: number; valueAt: number; valueEnd: number }[] {
  const text = b.toString("latin1");
  const re = /"([A-Za-z_]+)": ?(-?\d+|"(?:[^"\\]|\\.)*"|true|false|null)/g;
  const out = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const valueAt = m.index + m[0].length - m[2].length;
    out.push({ key: m[1], keyAt: m.index, valueAt, valueEnd: valueAt + m[2].length });
  }
  return out;
}

/** The end (exclusive) of the JSON value that starts at `at` (an object or array). */
function valueEnd(b: Buffer, at: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = at; i < b.length; i++) {
    const c = b[i];
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
    } else if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return b.length;
}

const WRONG_VALUES = ['"x"', "[]", "{}", "null", "true", "-1", "1.5", "1e3", "18446744073709551616", "-9223372036854775809", '""', "[1]", '{"a":1}', "0"];
const RANGE_VALUES = ["0", "1", "2", "255", "256", "4095", "4096", "65535", "65536", "999999999", "1000000000", "4294967295", "4294967296",
  "67108864", "67108865", "2147483648", "9223372032828243968", "9223372032828243969", "144115188075855871", "144115188075855872",
  "9223372036854775807", "9223372036854775808", "18446744073709551615", "-1", "-9223372036854775808"];
const BAD_ESCAPES = ["\\x", "\\u12G4", "\\u00", "\\", "%G0", "%a1", "%", "%4", "\\ud800", "\\udc00\\ud800", "%00", "%2F", "\\u0000", "\t", "\n"];

type ByteMutator = (b: Buffer, r: Rng) => { detail: string; bytes: Buffer };

const BYTE_MUTATORS: Record<string, ByteMutator> = {
  truncate: (b, r) => {
    const at = r.int(0, b.length - 1);
    return { detail: `at ${at}`, bytes: cut(b, at) };
  },
  "truncate-in-string": (b, r) => {
    const at = r.pick(offsets(b, (c) => c === 0x22)) + r.int(1, 3);
    return { detail: `at ${at}`, bytes: cut(b, at) };
  },
  "truncate-in-number": (b, r) => {
    const at = r.pick(offsets(b, (c, i) => c >= 0x30 && c <= 0x39 && b[i + 1] >= 0x30 && b[i + 1] <= 0x39)) + 1;
    return { detail: `at ${at}`, bytes: cut(b, at) };
  },
  "truncate-in-escape": (b, r) => {
    const at = r.pick(offsets(b, (c) => c === 0x25 || c === 0x5c)) + r.int(1, 2);
    return { detail: `at ${at}`, bytes: cut(b, at) };
  },
  "truncate-in-utf8": (b, r) => {
    const at = r.pick(offsets(b, (c) => c >= 0xc0)) + 1;
    return { detail: `at ${at}`, bytes: cut(b, at) };
  },
  "byte-flip": (b, r) => {
    const at = r.int(0, b.length - 1);
    const v = r.int(0, 255);
    const out = Buffer.from(b);
    out[at] = v;
    return { detail: `byte ${at} = 0x${v.toString(16)}`, bytes: out };
  },
  "bit-flip": (b, r) => {
    const at = r.int(0, b.length - 1);
    const bit = r.int(0, 7);
    const out = Buffer.from(b);
    out[at] ^= 1 << bit;
    return { detail: `byte ${at} bit ${bit}`, bytes: out };
  },
  "digit-bit-flip": (b, r) => {
    // Flips a low bit of a digit: inode 3 becomes 1, 2 becomes 6… (issue #9's first repro).
    const at = r.pick(offsets(b, (c) => c >= 0x30 && c <= 0x39));
    const bit = r.int(0, 2);
    const out = Buffer.from(b);
    out[at] ^= 1 << bit;
    return { detail: `byte ${at} bit ${bit}`, bytes: out };
  },
  "bad-escape": (b, r) => {
    const at = r.pick(offsets(b, (c, i) => c === 0x22 && i > 0 && b[i - 1] !== 0x5c)) + 1;
    const esc = r.pick(BAD_ESCAPES);
    return { detail: `${JSON.stringify(esc)} at ${at}`, bytes: splice(b, at, 0, esc) };
  },
  "wrong-type": (b, r) => {
    const m = r.pick(members(b));
    const v = r.pick(WRONG_VALUES);
    return { detail: `${m.key} = ${v}`, bytes: splice(b, m.valueAt, m.valueEnd - m.valueAt, v) };
  },
  "wrong-range": (b, r) => {
    const nums = members(b).filter((m) => b[m.valueAt] !== 0x22);
    const m = r.pick(nums);
    const v = r.pick(RANGE_VALUES);
    return { detail: `${m.key} = ${v}`, bytes: splice(b, m.valueAt, m.valueEnd - m.valueAt, v) };
  },
  "duplicate-member": (b, r) => {
    const m = r.pick(members(b));
    const ms = members(b).filter((x) => x.key === m.key);
    const other = r.chance(0.5) ? b.subarray(m.valueAt, m.valueEnd).toString("latin1") : b.subarray(r.pick(ms).valueAt, r.pick(ms).valueEnd).toString("latin1");
    const before = r.chance(0.5);
    const text = before ? `"${m.key}":${other},` : `,"${m.key}":${other}`;
    return { detail: `${m.key} repeated ${before ? "before" : "after"}`, bytes: splice(b, before ? m.keyAt : m.valueEnd, 0, text) };
  },
  "duplicate-object-member": (b, r) => {
    // A whole object member ("attr", "entries", "chunks", a tree, a section) given twice.
    const text = b.toString("latin1");
    const re = /"([A-Za-z_]+)": ?[[{]/g;
    const found: { key: string; at: number; value: number }[] = [];
    for (let m = re.exec(text); m; m = re.exec(text)) found.push({ key: m[1], at: m.index, value: m.index + m[0].length - 1 });
    if (!found.length) return { detail: "none", bytes: b };
    const m = r.pick(found);
    const end = valueEnd(b, m.value);
    return { detail: m.key, bytes: splice(b, end, 0, `, ${b.subarray(m.at, end).toString("latin1")}`) };
  },
  "duplicate-range": (b, r) => {
    const from = r.int(0, b.length - 1);
    const len = r.int(1, 200);
    const to = r.int(0, b.length);
    return { detail: `${len} bytes from ${from} to ${to}`, bytes: splice(b, to, 0, b.subarray(from, from + len)) };
  },
  "delete-range": (b, r) => {
    const at = r.int(0, b.length - 1);
    const len = r.int(1, 64);
    return { detail: `${len} bytes at ${at}`, bytes: splice(b, at, len, "") };
  },
  "deep-nesting": (b, r) => {
    const m = r.pick(members(b));
    const depth = r.pick([1000, 50_000, 200_000]);
    const open = r.chance(0.5) ? "[".repeat(depth) : '{"a":'.repeat(depth);
    return { detail: `${depth} levels at ${m.key}`, bytes: splice(b, m.valueAt, m.valueEnd - m.valueAt, open) };
  },
};

// ---------------------------------------------------------------- tree level

function clone(d: MemDump): MemDump {
  const node = (n: DumpNode): DumpNode => ({
    ...n,
    attr: { ...n.attr },
    xattrs: n.xattrs.map((x) => ({ ...x })),
    chunks: n.chunks.map((c) => ({ index: c.index, slices: c.slices.map((s) => ({ ...s })) })),
  });
  const entry = (e: MemEntry): MemEntry => ({ name: e.name, node: node(e.node), children: e.children?.map(entry) });
  return { header: { ...d.header }, trees: d.trees.map((t) => ({ tree: t.tree, root: entry(t.root) })) };
}

interface Placed {
  entry: MemEntry;
  parent: MemEntry | null;
  ancestors: MemEntry[];
  tree: string;
}

function walk(d: MemDump): Placed[] {
  const out: Placed[] = [];
  const go = (e: MemEntry, parent: MemEntry | null, ancestors: MemEntry[], tree: string) => {
    out.push({ entry: e, parent, ancestors, tree });
    for (const c of e.children ?? []) go(c, e, [...ancestors, e], tree);
  };
  for (const t of d.trees) go(t.root, null, [], t.tree);
  return out;
}

const isDir = (e: MemEntry) => e.node.attr.type === "directory";
const nonRoot = (ps: Placed[]) => ps.filter((p) => p.parent);

type TreeMutator = (d: MemDump, r: Rng) => string;

const TREE_MUTATORS: Record<string, TreeMutator> = {
  "inode-collision": (d, r) => {
    const ps = nonRoot(walk(d));
    const a = r.pick(ps);
    const b = r.pick(ps);
    a.entry.node.attr.inode = b.entry.node.attr.inode;
    return `${a.entry.name} takes ${b.entry.name}'s inode ${b.entry.node.attr.inode}`;
  },
  "inode-cycle": (d, r) => {
    const ps = nonRoot(walk(d)).filter((p) => p.ancestors.length > 1);
    if (!ps.length) return "none";
    const p = r.pick(ps);
    const anc = r.pick(p.ancestors.slice(1));
    p.entry.node.attr.inode = anc.node.attr.inode;
    return `${p.entry.name} takes ancestor ${anc.name}'s inode`;
  },
  "special-inode": (d, r) => {
    const p = r.pick(nonRoot(walk(d)));
    const v = r.pick([0n, ROOT_INODE, TRASH_INODE, TRASH_INODE + 1n, TRASH_INODE + 999n, (1n << 64n) - 1n]);
    p.entry.node.attr.inode = v;
    return `${p.entry.name} inode ${v}`;
  },
  "trash-root-inode": (d, r) => {
    const t = d.trees.find((x) => x.tree === "Trash");
    if (!t) return "none";
    t.root.node.attr.inode = r.pick([1n, 2n, TRASH_INODE + 1n]);
    return `Trash root inode ${t.root.node.attr.inode}`;
  },
  "hard-linked-directory": (d, r) => {
    const ps = walk(d);
    const dirs = nonRoot(ps).filter((p) => isDir(p.entry));
    const targets = ps.filter((p) => isDir(p.entry));
    if (!dirs.length) return "none";
    const src = r.pick(dirs);
    const dst = r.pick(targets);
    // The same inode again, as an empty directory (a copy of its children could put the tree inside itself).
    dst.entry.children!.push({ name: Buffer.from(`link-${r.int(0, 999)}`), node: src.entry.node, children: [] });
    return `${src.entry.name} linked into ${dst.entry.name}`;
  },
  "hard-link": (d, r) => {
    // A true hard link (same node, nlink 2 on both): acceptable.
    const ps = walk(d);
    const files = nonRoot(ps).filter((p) => !isDir(p.entry) && p.tree === "FSTree");
    const dirs = ps.filter((p) => isDir(p.entry) && p.tree === "FSTree");
    if (!files.length) return "none";
    const src = r.pick(files);
    const dst = r.pick(dirs);
    src.entry.node.attr.nlink = Math.max(2, src.entry.node.attr.nlink + 1);
    const name = Buffer.from(`hl-${r.int(0, 99999)}`);
    const mismatch = r.chance(0.5);
    const node = mismatch ? { ...src.entry.node, attr: { ...src.entry.node.attr, mode: src.entry.node.attr.mode ^ 1 } } : src.entry.node;
    dst.entry.children!.push({ name, node });
    return `${src.entry.name} linked into ${dst.entry.name}${mismatch ? " with another mode" : ""}`;
  },
  "bad-name": (d, r) => {
    const p = r.pick(nonRoot(walk(d)));
    const names = [".", "..", "a/b", "/", "a\0b", "", "x".repeat(256), "x".repeat(255), "é".repeat(127) + "x", "%", " lead", "\x01ctl", "\xff\xfe"];
    const n = r.pick(names);
    p.entry.name = Buffer.from(n, n === "\xff\xfe" ? "latin1" : "utf8");
    return `${JSON.stringify(n.length > 20 ? n.slice(0, 10) + "…" : n)}`;
  },
  "same-name": (d, r) => {
    const dirs = walk(d).filter((p) => (p.entry.children?.length ?? 0) >= 2);
    if (!dirs.length) return "none";
    const dir = r.pick(dirs).entry;
    const a = r.pick(dir.children!);
    const b = r.pick(dir.children!);
    a.name = b.name;
    if (r.chance(0.3)) dir.children!.reverse();
    return `${a.node.attr.inode} named like ${b.node.attr.inode}`;
  },
  "out-of-range": (d, r) => {
    const p = r.pick(nonRoot(walk(d)));
    const a = p.entry.node.attr;
    const n = p.entry.node;
    const which = r.int(0, 9);
    switch (which) {
      case 0:
        a.mode = r.pick([4096, 0o7777 + 1, 65535]);
        return `mode ${a.mode}`;
      case 1:
        a.mtimensec = 1_000_000_000;
        return "mtimensec 1e9";
      case 2:
        a.length = r.pick([1n << 57n, 1n << 63n, (1n << 64n) - 1n]);
        return `length ${a.length}`;
      case 3:
        n.symlink = Buffer.alloc(r.pick([4095, 4096, 5000]), 0x61);
        return `symlink of ${n.symlink.length} bytes on a ${a.type}`;
      case 4:
        n.xattrs = [{ name: Buffer.from("k"), value: Buffer.from("1") }, { name: Buffer.from("k"), value: Buffer.from("2") }];
        return "two xattrs named k";
      case 5:
        n.xattrs = [{ name: Buffer.alloc(r.pick([0, 256])), value: Buffer.alloc(r.pick([0, 65537])) }];
        return `xattr name ${n.xattrs[0].name.length} value ${n.xattrs[0].value.length}`;
      case 6:
        n.chunks = [{ index: 0, slices: [{ id: 1n, pos: 0, size: 10, off: 0, len: 10 }] }, { index: 0, slices: [{ id: 2n, pos: 0, size: 10, off: 0, len: 10 }] }];
        return "two chunks of index 0";
      case 7:
        n.chunks = [{ index: 0, slices: [{ id: 3n, pos: r.pick([0, 1, CHUNK_SIZE]), size: r.pick([10, CHUNK_SIZE, CHUNK_SIZE + 1]), off: r.pick([0, 5]), len: r.pick([10, CHUNK_SIZE]) }] }];
        return `slice ${JSON.stringify(n.chunks[0].slices[0], (_k, v) => (typeof v === "bigint" ? String(v) : v))}`;
      case 8:
        n.chunks = [{ index: r.pick([2 ** 31, 2 ** 32 - 1]), slices: [{ id: 4n, pos: 0, size: 1, off: 0, len: 1 }] }];
        return `chunk index ${n.chunks[0].index}`;
      default:
        a.type = r.pick(["regular", "directory", "symlink", "fifo", "socket"] as const);
        if (a.type === "directory" && !p.entry.children) p.entry.children = [];
        return `type ${a.type}`;
    }
  },
};

// ---------------------------------------------------------------- other formats and gzip

const OTHER_FORMATS: Record<string, (b: Buffer, r: Rng) => Buffer> = {
  empty: () => Buffer.alloc(0),
  whitespace: () => Buffer.from(" \n\t"),
  "json-array": () => Buffer.from("[]"),
  "json-null": () => Buffer.from("null"),
  "json-number": () => Buffer.from("12345"),
  "empty-object": () => Buffer.from("{}"),
  "utf8-bom": (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  "utf16": (b) => Buffer.from(b.toString("latin1"), "utf16le"),
  "binary-dump-magic": () => Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3]),
  "zstd-magic": () => Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]),
  png: () => Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
  xml: () => Buffer.from('<?xml version="1.0"?><dump/>'),
  random: (_b, r) => Buffer.from(Array.from({ length: r.int(1, 4096) }, () => r.int(0, 255))),
  "two-documents": (b) => Buffer.concat([b, b]),
  "trailing-garbage": (b) => Buffer.concat([b, Buffer.from("x")]),
};

const GZIP_MUTATORS: Record<string, (gz: Buffer, r: Rng) => { detail: string; bytes: Buffer }> = {
  "gzip-truncated": (gz, r) => {
    const at = r.int(1, gz.length - 1);
    return { detail: `at ${at} of ${gz.length}`, bytes: cut(gz, at) };
  },
  "gzip-byte-flip": (gz, r) => {
    const at = r.int(0, gz.length - 1);
    const out = Buffer.from(gz);
    out[at] ^= r.int(1, 255);
    return { detail: `byte ${at}`, bytes: out };
  },
  "gzip-crc": (gz) => {
    const out = Buffer.from(gz);
    out[out.length - 8] ^= 1;
    return { detail: "trailer CRC", bytes: out };
  },
  "gzip-length": (gz) => {
    const out = Buffer.from(gz);
    out[out.length - 1] ^= 1;
    return { detail: "trailer length", bytes: out };
  },
  "gzip-twice": (gz) => ({ detail: "gzip of gzip", bytes: gzipSync(gz) }),
  "gzip-trailing-garbage": (gz, r) => ({ detail: "garbage after the stream", bytes: Buffer.concat([gz, Buffer.from(Array.from({ length: r.int(1, 30) }, () => r.int(0, 255)))]) }),
};

// ---------------------------------------------------------------- binary dumps

/** The segments of a sound binary dump: offset, type and payload length; and where the end marker is. */
function binarySegments(b: Buffer): { segs: { offset: number; type: number; length: number }[]; eos: number } {
  const segs = [];
  let pos = 0;
  while (b.readUInt32BE(pos) !== BAK_EOS) {
    const length = Number(b.readBigUInt64BE(pos + 4));
    segs.push({ offset: pos, type: b.readUInt32BE(pos), length });
    pos += SEGMENT_HEADER_BYTES + length;
  }
  return { segs, eos: pos };
}

const BINARY_MUTATORS: Record<string, (b: Buffer, r: Rng) => { detail: string; bytes: Buffer }> = {
  "binary-truncated-segment": (b, r) => {
    const { segs } = binarySegments(b);
    const s = r.pick(segs.filter((x) => x.length > 0));
    const at = s.offset + r.int(1, SEGMENT_HEADER_BYTES + s.length - 1);
    return { detail: `at ${at}, inside the type ${s.type} segment at ${s.offset}`, bytes: cut(b, at) };
  },
  "binary-bad-footer": (b, r) => {
    const { eos } = binarySegments(b);
    const at = r.int(eos, b.length - 1);
    const out = Buffer.from(b);
    out[at] ^= 1 << r.int(0, 7);
    return { detail: `bit flip at ${at} (end marker at ${eos})`, bytes: out };
  },
  "binary-wrong-length": (b, r) => {
    const s = r.pick(binarySegments(b).segs);
    const delta = r.pick([-3n, -1n, 1n, 2n, 1n << 40n]);
    const out = Buffer.from(b);
    const length = BigInt(s.length) + delta;
    out.writeBigUInt64BE(length < 0n ? 0n : length, s.offset + 4);
    return { detail: `type ${s.type} segment at ${s.offset}: length ${s.length} → ${length < 0n ? 0n : length}`, bytes: out };
  },
  "binary-flipped-byte": (b, r) => {
    const s = r.pick(binarySegments(b).segs.filter((x) => x.length > 0));
    const at = s.offset + r.int(0, SEGMENT_HEADER_BYTES + s.length - 1);
    const out = Buffer.from(b);
    out[at] ^= r.int(1, 255);
    return { detail: `byte ${at} of the type ${s.type} segment at ${s.offset}`, bytes: out };
  },
  "binary-dropped-segment": (b, r) => {
    const s = r.pick(binarySegments(b).segs);
    return { detail: `type ${s.type} segment at ${s.offset}`, bytes: splice(b, s.offset, SEGMENT_HEADER_BYTES + s.length, "") };
  },
};

// ---------------------------------------------------------------- the case stream

/** Weights of the families of mutations. */
const FAMILIES: [string, number][] = [
  ["byte", 45],
  ["tree", 35],
  ["format", 6],
  ["gzip", 8],
  ["gzip-of-mutated", 6],
  ["binary", 15],
];

/** Case `n` of seed `seed`: deterministic in (seed, n) alone, so any case can be replayed. */
export async function makeCase(seeds: Seed[], seed: number, n: number): Promise<FuzzCase> {
  const r = new Rng((seed * 1_000_003 + n * 7919) >>> 0);
  const s = r.pick(seeds);
  let total = 0;
  for (const [, w] of FAMILIES) total += w;
  let x = r.float() * total;
  let family = FAMILIES[0][0];
  for (const [f, w] of FAMILIES) {
    if ((x -= w) < 0) {
      family = f;
      break;
    }
  }
  const byteCase = (b: Buffer) => {
    const kind = r.pick(Object.keys(BYTE_MUTATORS));
    const m = BYTE_MUTATORS[kind](b, r);
    return { kind, detail: m.detail, bytes: m.bytes };
  };
  if (family === "binary" && !s.binary) family = "byte";
  switch (family) {
    case "binary": {
      const kind = r.pick(Object.keys(BINARY_MUTATORS));
      const m = BINARY_MUTATORS[kind](s.binary!, r);
      return { kind, detail: `${s.name}: ${m.detail}`, bytes: m.bytes };
    }
    case "byte": {
      const c = byteCase(s.bytes);
      return { kind: c.kind, detail: `${s.name}: ${c.detail}`, bytes: c.bytes };
    }
    case "tree": {
      const kind = r.pick(Object.keys(TREE_MUTATORS));
      const d = clone(s.tree);
      const detail = TREE_MUTATORS[kind](d, r);
      return { kind, detail: `${s.name}: ${detail}`, bytes: await writeTree(d) };
    }
    case "format": {
      const kind = r.pick(Object.keys(OTHER_FORMATS));
      return { kind: `format-${kind}`, detail: s.name, bytes: OTHER_FORMATS[kind](s.bytes, r) };
    }
    case "gzip": {
      const kind = r.pick(Object.keys(GZIP_MUTATORS));
      const m = GZIP_MUTATORS[kind](gzipSync(s.bytes, { level: 1 }), r);
      return { kind, detail: `${s.name}: ${m.detail}`, bytes: m.bytes };
    }
    default: {
      const c = byteCase(s.bytes);
      return { kind: `gzip+${c.kind}`, detail: `${s.name}: ${c.detail}`, bytes: gzipSync(c.bytes, { level: 1 }) };
    }
  }
}
