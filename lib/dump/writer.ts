// Streaming writer of JuiceFS JSON dumps, byte for byte as `juicefs dump` writes them
// (docs/format/dump-json.md §1 header, §5 trees).
import { OutputFeed } from "./feed";
import type { Counters, DumpNode, QuotaLimit } from "../jfs/types";
import { NODE_TYPES } from "../jfs/types";
import { escapeName } from "../jfs/escape";
import { encodeAcl, encodeAttr, encodeChunk, encodeXattrs, goMarshalIndent, type GoObject, type GoValue } from "../jfs/json/gojson";
import { settingToGo } from "../jfs/setting-json";
import type { BinaryLeaf, DumpHeader, TreeName, TreeWriter } from "./types";

/** Bytes handed to the stream at a time. */
const FLUSH_AT = 64 * 1024;
/** Output is encoded into buffers of this size (or of one entry's worst case, if larger). */
const CHUNK_BYTES = 1 << 20;

function countersToGo(c: Counters): GoObject {
  const m: GoObject = new Map<string, GoValue>([
    ["usedSpace", c.usedSpace],
    ["usedInodes", c.usedInodes],
    ["nextInodes", c.nextInodes],
    ["nextChunk", c.nextChunk],
    ["nextSession", c.nextSession],
    ["nextTrash", c.nextTrash],
  ]);
  if (c.nextCleanupSlices) m.set("nextCleanupSlices", c.nextCleanupSlices);
  if (c.lastChangelog) m.set("lastChangelog", c.lastChangelog);
  return m;
}

function quotasToGo(q: Map<bigint, QuotaLimit>): GoObject {
  const keys = [...q.keys()].map((k) => k.toString()).sort(); // Go sorts map keys as text
  const out: GoObject = new Map();
  for (const k of keys) {
    const l = q.get(BigInt(k))!;
    out.set(k, new Map<string, GoValue>([["maxSpace", l.maxSpace], ["maxInodes", l.maxInodes]]));
  }
  return out;
}

/**
 * The header part (top-level keys 1–8): goccy MarshalIndent with a two-space indent, the
 * final "\n}" cut and "," appended. Empty quota maps and change logs are left out.
 */
export function encodeHeader(h: DumpHeader): string {
  const top: GoObject = new Map();
  top.set("Setting", settingToGo(h.setting));
  top.set("Counters", countersToGo(h.counters));
  top.set("Sustained", h.sustained.map((s) => new Map<string, GoValue>([["sid", s.sid], ["inodes", s.inodes]])));
  top.set(
    "DelFiles",
    h.delFiles.map((d) => new Map<string, GoValue>([["inode", d.inode], ["length", d.length], ["expire", d.expire]])),
  );
  if (h.quotas?.size) top.set("Quotas", quotasToGo(h.quotas));
  if (h.userQuotas?.size) top.set("UserQuotas", quotasToGo(h.userQuotas));
  if (h.groupQuotas?.size) top.set("GroupQuotas", quotasToGo(h.groupQuotas));
  if (h.changeLog?.length)
    top.set("ChangeLog", h.changeLog.map((c) => new Map<string, GoValue>([["version", c.version], ["entry", c.entry]])));
  const text = goMarshalIndent(top, "", "  ", "goccy");
  return text.slice(0, -2) + ",";
}

/**
 * Indentation up to this many spaces is appended as a cached string (every entry needs one);
 * deeper indentation is filled into the output buffer as bytes. In a chain of directories
 * 50,000 deep the indentation is nearly all of the dump's 25 GB (two spaces per level per
 * line, as JuiceFS writes it): as strings it cost a fresh buffer of 3 bytes per character
 * (the UTF-8 worst case) for every entry and a flattening copy of each line, and the cache
 * grew by one string per level; filled, the writer's time per byte no longer grows with depth.
 */
const INLINE_INDENT = 256;
const INDENTS: string[] = [];
function indent(spaces: number): string {
  return (INDENTS[spaces] ??= " ".repeat(spaces));
}

const NL = 0x0a;
const SP = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_SQ = 0x5d;
const CLOSE_BRACE = 0x7d;
const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const L_OPEN_ATTR = ascii('": {\n');
const L_ATTR = ascii('"attr": ');
const L_COMMA_NL = ascii(",\n");
const L_CHUNKS = ascii('"chunks": [');
// encodeAttr's and encodeChunk's keys (gojson.ts), in their order.
const L_INODE = ascii('{"inode":');
const L_FLAGS = ascii(',"flags":');
const L_TYPE = ascii(',"type":"');
const L_MODE = ascii('","mode":');
/** L_TYPE, a type's name and L_MODE as one label, by type code - 1 (the binary attr's leaves). */
const L_TYPE_MODE = NODE_TYPES.map((t) => ascii(`,"type":"${t}","mode":`));
const L_UID = ascii(',"uid":');
const L_GID = ascii(',"gid":');
const L_ATIME = ascii(',"atime":');
const L_MTIME = ascii(',"mtime":');
const L_CTIME = ascii(',"ctime":');
const L_ATIMENSEC = ascii(',"atimensec":');
const L_MTIMENSEC = ascii(',"mtimensec":');
const L_CTIMENSEC = ascii(',"ctimensec":');
const L_NLINK = ascii(',"nlink":');
const L_LENGTH = ascii(',"length":');
const L_RDEV = ascii(',"rdev":');
const L_TIER = ascii(',"tier":');
const L_INDEX = ascii('{"index":');
const L_SLICES = ascii(',"slices":[');
const L_ID = ascii('{"id":');
const L_POS = ascii(',"pos":');
const L_SIZE = ascii(',"size":');
const L_OFF = ascii(',"off":');
const L_LEN = ascii(',"len":');
const L_END_CHUNK = ascii("]}");

/** Copies a short constant: a loop beats a native call at these sizes. */
function lit(b: Uint8Array, at: number, l: Uint8Array): number {
  for (let i = 0; i < l.length; i++) b[at + i] = l[i];
  return at + l.length;
}

/** "00" to "99" as byte pairs: two digits a division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** Decimal digits of a safe integer n >= 10, by comparisons. */
function digits(n: number): number {
  if (n < 1e8) {
    if (n < 1e4) return n < 100 ? 2 : n < 1000 ? 3 : 4;
    return n < 1e6 ? (n < 1e5 ? 5 : 6) : n < 1e7 ? 7 : 8;
  }
  let d = 9;
  for (let m = 1e9; d < 16 && n >= m; m *= 10) d++;
  return d;
}

/**
 * An integer (a safe one: every number field of an attr or slice) in decimal, as String() writes
 * it: two digits a division, in 32-bit arithmetic below 2^32. About 100 digits an entry: the
 * digit at a time (a division each, and another to count them) took 1.0 s of the 1M-file dump's CPU.
 */
function num(b: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    b[at++] = 0x2d;
    n = -n;
  }
  if (n < 10) {
    b[at] = 0x30 + n;
    return at + 1;
  }
  const end = at + digits(n);
  let i = end;
  while (n >= 4294967296) {
    const q = Math.floor(n / 100);
    const r = 2 * (n - q * 100);
    b[--i] = DIGIT_PAIRS[r + 1];
    b[--i] = DIGIT_PAIRS[r];
    n = q;
  }
  let m = n >>> 0;
  while (m >= 100) {
    const q = (m / 100) >>> 0;
    const r = 2 * (m - q * 100);
    b[--i] = DIGIT_PAIRS[r + 1];
    b[--i] = DIGIT_PAIRS[r];
    m = q;
  }
  // The first one or two digits: at `at`, where i has come down to.
  if (m >= 10) {
    b[at + 1] = DIGIT_PAIRS[2 * m + 1];
    b[at] = DIGIT_PAIRS[2 * m];
  } else b[at] = 0x30 + m;
  return end;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint in decimal: through num() when exact as a number, else its own text. */
function big(b: Uint8Array, at: number, v: bigint): number {
  if (v <= SAFE && v >= -SAFE) return num(b, at, Number(v));
  const s = v.toString();
  for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
  return at;
}

/** `label` and `n` where n is not 0; nothing where it is (JuiceFS's omitempty fields). */
function nonZero(b: Uint8Array, at: number, label: Uint8Array, n: number): number {
  return n ? num(b, lit(b, at, label), n) : at;
}

const TWO32 = 4294967296;

/** A big-endian u64 of `v` at `from` in decimal (readU64's value). */
function u64(b: Uint8Array, at: number, v: Buffer, from: number): number {
  const hi = v.readUInt32BE(from);
  if (hi < 0x200000) return num(b, at, hi * TWO32 + v.readUInt32BE(from + 4));
  return big(b, at, v.readBigUInt64BE(from));
}

/** A big-endian i64 of `v` at `from` in decimal (readI64's value). */
function i64(b: Uint8Array, at: number, v: Buffer, from: number): number {
  const hi = v.readInt32BE(from);
  if (hi >= -0x200000 && hi < 0x200000) return num(b, at, hi * TWO32 + v.readUInt32BE(from + 4));
  return big(b, at, v.readBigInt64BE(from));
}

/** The 24-byte binary slices of v[at, end) as chunk() writes their Slice values (decodeSlice's fields). */
function binarySlices(b: Uint8Array, at: number, v: Buffer, from: number, end: number): number {
  for (let s = from; s + 24 <= end; s += 24) {
    if (s > from) b[at++] = COMMA;
    at = lit(b, at, L_ID);
    at = u64(b, at, v, s + 4);
    const pos = v.readUInt32BE(s);
    at = nonZero(b, at, L_POS, pos);
    at = lit(b, at, L_SIZE);
    at = num(b, at, v.readUInt32BE(s + 12));
    const off = v.readUInt32BE(s + 16);
    at = nonZero(b, at, L_OFF, off);
    at = lit(b, at, L_LEN);
    at = num(b, at, v.readUInt32BE(s + 20));
    b[at++] = 0x7d;
  }
  return at;
}

/** encodeChunk's text as bytes. */
function chunk(b: Uint8Array, at: number, c: DumpNode["chunks"][number]): number {
  at = lit(b, at, L_INDEX);
  at = num(b, at, c.index);
  at = lit(b, at, L_SLICES);
  const slices = c.slices;
  for (let i = 0; i < slices.length; i++) {
    const sl = slices[i];
    if (i) b[at++] = COMMA;
    at = lit(b, at, L_ID);
    at = big(b, at, sl.id);
    at = nonZero(b, at, L_POS, sl.pos);
    at = lit(b, at, L_SIZE);
    at = num(b, at, sl.size);
    at = nonZero(b, at, L_OFF, sl.off);
    at = lit(b, at, L_LEN);
    at = num(b, at, sl.len);
    b[at++] = 0x7d;
  }
  return lit(b, at, L_END_CHUNK);
}

interface OpenDir {
  depth: number;
  children: number;
}

/**
 * Writes a dump to a byte stream as it is produced; memory stays flat whatever the volume.
 *
 * The caller owns the order and the content: it passes children sorted by raw name bytes,
 * xattrs sorted by name bytes, chunks ascending, and nodes already shaped by JuiceFS's dump
 * rules (length 0 for non-files, nlink as stored, ...). The writer only renders: it
 * %-escapes names, symlink targets and xattr values and JSON-encodes the rest per docs/format/dump-json.md §5–§7.
 */
/** `n` spaces at b[at]. */
function spaces(b: Uint8Array, at: number, n: number): number {
  b.fill(SP, at, at + n);
  return at + n;
}

/** `,\n` then `"chunks": [` at indent `f`. */
function chunksStart(b: Uint8Array, at: number, f: number): number {
  at = lit(b, at, L_COMMA_NL);
  at = spaces(b, at, f);
  return lit(b, at, L_CHUNKS);
}

/** Before chunk `k` of several: a comma after the one before, a newline, indent `f` + 2. */
function chunkLine(b: Uint8Array, at: number, k: number, f: number): number {
  if (k) b[at++] = COMMA;
  b[at++] = NL;
  return spaces(b, at, f + 2);
}

/** `]` after `count` chunks: one stays on the line of `[`, several end on a line of their own. */
function chunksEnd(b: Uint8Array, at: number, count: number, f: number): number {
  if (count > 1) {
    b[at++] = NL;
    at = spaces(b, at, f);
  }
  b[at++] = CLOSE_SQ;
  return at;
}

export class JsonDumpWriter implements TreeWriter {
  /**
   * The entry being rendered. It is encoded into `chunk` after every call, while it is a
   * small string: encoding a 64 KiB string built from thousands of concatenations meant
   * flattening that rope first, a tenth of the dump's CPU.
   */
  private buf = "";
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** `chunk` as a plain Uint8Array: its fill and set are the typed array's builtins, not Buffer's wrappers. */
  private bytes = new Uint8Array(this.chunk.buffer, this.chunk.byteOffset, this.chunk.length);
  /** chunk[unwritten, used) is encoded but not yet handed to the stream. */
  private unwritten = 0;
  private used = 0;
  private readonly stack: OpenDir[] = [];
  private trees = 0;
  private headerDone = false;
  private failure: Error | null = null;

  private readonly feed: OutputFeed;

  constructor(out: NodeJS.WritableStream) {
    out.on("error", (e: Error) => (this.failure ??= e));
    this.feed = new OutputFeed(out);
  }

  async header(h: DumpHeader): Promise<void> {
    if (this.headerDone) throw new Error("JsonDumpWriter: header() called twice");
    this.headerDone = true;
    this.buf += encodeHeader(h);
    await this.maybeFlush();
  }

  async beginDir(name: TreeName | Buffer, node: DumpNode): Promise<void> {
    const depth = this.openChild(typeof name === "string" && this.stack.length === 0);
    const p = 2 * depth;
    const f = p + 2;
    this.buf += "\n";
    this.pad(p);
    this.buf += '"' + (typeof name === "string" ? name : escapeName(name)) + '": {\n';
    this.pad(f);
    this.buf += '"attr": ' + encodeAttr(node.attr);
    this.extras(node, f, false);
    this.buf += ",\n";
    this.pad(f);
    this.buf += '"entries": {';
    this.stack.push({ depth, children: 0 });
    await this.maybeFlush();
  }

  /**
   * Returns nothing when the output takes more at once: an await of a settled promise per
   * entry is a microtask turn per entry (TreeWriter.leaf). Misuse and a failed stream reject.
   */
  leaf(name: Buffer, node: DumpNode): Promise<void> | void {
    try {
      if (!node.xattrs.length && !node.accessAcl && !node.defaultAcl && !(node.symlink && node.symlink.length)) return this.plainLeaf(name, node);
      return this.leafText(name, node);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A leaf without xattrs, ACLs or symlink target (nearly every entry of a volume) rendered
   * straight into the output bytes: no string per piece, no rope to flatten and encode. Same
   * bytes as leafText. At 1M files on PostgreSQL (shared machine, load average 11-15) the
   * staged dump's walk took 14.1 s CPU through leafText, 8.4 s with this.
   */
  private plainLeaf(name: Buffer, node: DumpNode): Promise<void> | void {
    const a = node.attr;
    const chunks = node.chunks;
    const depth = this.openChild(false);
    const p = 2 * depth;
    const f = p + 2;
    // Room for the worst case: every name byte escaped (3 bytes), 20 digits a number.
    let room = 3 * name.length + 6 * f + 420;
    for (let i = 0; i < chunks.length; i++) room += f + 48 + 120 * chunks[i].slices.length;
    let at = this.leafStart(room, p);
    at = this.name(name, at);
    at = this.attrStart(at, f);
    at = this.attr(a, at);
    const b = this.bytes;
    if (chunks.length) {
      at = chunksStart(b, at, f);
      for (let i = 0; i < chunks.length; i++) {
        if (chunks.length > 1) at = chunkLine(b, at, i, f);
        at = chunk(b, at, chunks[i]);
      }
      at = chunksEnd(b, at, chunks.length, f);
    }
    return this.leafEnd(at, p);
  }

  /**
   * plainLeaf() of the node a BinaryLeaf's values decode to, straight from their bytes: no node,
   * bigint or string per entry (the staged walk's files).
   */
  leafBinary(e: BinaryLeaf): Promise<void> | void {
    try {
      return this.binaryLeaf(e);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private binaryLeaf(e: BinaryLeaf): Promise<void> | void {
    const v = e.b;
    const depth = this.openChild(false);
    const p = 2 * depth;
    const f = p + 2;
    // Chunks shown (those with a whole slice), and room for the worst case as in plainLeaf.
    let shown = 0;
    let room = 3 * e.nameLen + 6 * f + 420;
    for (let c = e.chunksAt; c < e.chunksEnd; c += 8 + v.readUInt32LE(c + 4)) {
      const len = v.readUInt32LE(c + 4);
      if (len < 24) continue;
      shown++;
      room += f + 48 + 5 * len;
    }
    let at = this.leafStart(room, p);
    at = this.rawName(v, e.nameAt, e.nameLen, at);
    at = this.attrStart(at, f);
    at = this.binaryAttr(e, at);
    const b = this.bytes;
    if (shown) {
      at = chunksStart(b, at, f);
      let k = 0;
      for (let c = e.chunksAt; c < e.chunksEnd; c += 8 + v.readUInt32LE(c + 4)) {
        const len = v.readUInt32LE(c + 4);
        if (len < 24) continue;
        if (shown > 1) at = chunkLine(b, at, k, f);
        k++;
        at = lit(b, at, L_INDEX);
        at = num(b, at, v.readUInt32LE(c));
        at = lit(b, at, L_SLICES);
        at = binarySlices(b, at, v, c + 8, c + 8 + len);
        at = lit(b, at, L_END_CHUNK);
      }
      at = chunksEnd(b, at, shown, f);
    }
    return this.leafEnd(at, p);
  }

  /**
   * A byte-path leaf's start: the comma openChild left, room for `room` bytes, then the newline,
   * indent `p` and opening quote of its name. Returns where the name goes.
   */
  private leafStart(room: number, p: number): number {
    if (this.buf.length) this.encode();
    if (this.used + room > this.chunk.length) this.nextChunk(room);
    const b = this.bytes;
    let at = this.used;
    b[at++] = NL;
    at = spaces(b, at, p);
    b[at++] = QUOTE;
    return at;
  }

  /** After the leaf's name: `": {`, then `"attr": ` at indent `f`. */
  private attrStart(at: number, f: number): number {
    const b = this.bytes;
    at = lit(b, at, L_OPEN_ATTR);
    at = spaces(b, at, f);
    return lit(b, at, L_ATTR);
  }

  /** The leaf's close at indent `p`, and the flush when enough waits. */
  private leafEnd(at: number, p: number): Promise<void> | void {
    const b = this.bytes;
    b[at++] = NL;
    at = spaces(b, at, p);
    b[at++] = CLOSE_BRACE;
    this.used = at;
    if (this.used - this.unwritten >= FLUSH_AT) return this.flush();
    if (this.failure) throw this.failure;
  }

  /** attr() of the attr decodeAttr reads from the binary attr at e.attrAt. */
  private binaryAttr(e: BinaryLeaf, at: number): number {
    const b = this.bytes;
    const v = e.b;
    const a = e.attrAt;
    at = lit(b, at, L_INODE);
    at = num(b, at, e.inode);
    const flags = v[a];
    at = nonZero(b, at, L_FLAGS, flags);
    const typeMode = v.readUInt16BE(a + 1);
    at = lit(b, at, L_TYPE_MODE[(typeMode >> 12) - 1]);
    at = num(b, at, typeMode & 0xfff);
    at = lit(b, at, L_UID);
    at = num(b, at, v.readUInt32BE(a + 3));
    at = lit(b, at, L_GID);
    at = num(b, at, v.readUInt32BE(a + 7));
    at = lit(b, at, L_ATIME);
    at = i64(b, at, v, a + 11);
    at = lit(b, at, L_MTIME);
    at = i64(b, at, v, a + 23);
    at = lit(b, at, L_CTIME);
    at = i64(b, at, v, a + 35);
    const an = v.readUInt32BE(a + 19);
    at = nonZero(b, at, L_ATIMENSEC, an);
    const mn = v.readUInt32BE(a + 31);
    at = nonZero(b, at, L_MTIMENSEC, mn);
    const cn = v.readUInt32BE(a + 43);
    at = nonZero(b, at, L_CTIMENSEC, cn);
    at = lit(b, at, L_NLINK);
    at = num(b, at, v.readUInt32BE(a + 47));
    at = lit(b, at, L_LENGTH);
    if (e.showLength) at = u64(b, at, v, a + 51);
    else b[at++] = 0x30;
    const rdev = v.readUInt32BE(a + 59);
    at = nonZero(b, at, L_RDEV, rdev);
    // After the rdev: the parent (8 bytes), then the ACL ids (8), then the tier, each if present.
    let tierAt = 63;
    if (e.attrLen - tierAt >= 8) tierAt += 8;
    if (e.attrLen - tierAt >= 8) tierAt += 8;
    const tier = e.attrLen > tierAt ? v[a + tierAt] : 0;
    at = nonZero(b, at, L_TIER, tier);
    b[at++] = CLOSE_BRACE;
    return at;
  }

  /** name() of the raw name v[from, from + n): copied as it is while no byte needs escaping. */
  private rawName(v: Buffer, from: number, n: number, at: number): number {
    const b = this.bytes;
    for (let i = 0; i < n; i++) {
      const c = v[from + i];
      if (c <= 0x20 || c >= 0x80 || c === 0x25 || c === 0x22 || c === 0x5c) return this.name(v.subarray(from, from + n), at);
      b[at + i] = c;
    }
    return at + n;
  }

  /** An entry name %-escaped (escapeName) at `at`: its bytes as they are when none needs it. */
  private name(name: Buffer, at: number): number {
    const n = name.length;
    for (let i = 0; i < n; i++) {
      const c = name[i];
      if (c <= 0x20 || c >= 0x80 || c === 0x25 || c === 0x22 || c === 0x5c) return at + this.chunk.write(escapeName(name), at, "utf8");
    }
    this.bytes.set(name, at);
    return at + n;
  }

  /** encodeAttr's text as bytes. */
  private attr(a: DumpNode["attr"], at: number): number {
    const b = this.bytes;
    at = lit(b, at, L_INODE);
    at = big(b, at, a.inode);
    at = nonZero(b, at, L_FLAGS, a.flags);
    at = lit(b, at, L_TYPE);
    at = this.latin1(a.type, at);
    at = lit(b, at, L_MODE);
    at = num(b, at, a.mode);
    at = lit(b, at, L_UID);
    at = num(b, at, a.uid);
    at = lit(b, at, L_GID);
    at = num(b, at, a.gid);
    at = lit(b, at, L_ATIME);
    at = big(b, at, a.atime);
    at = lit(b, at, L_MTIME);
    at = big(b, at, a.mtime);
    at = lit(b, at, L_CTIME);
    at = big(b, at, a.ctime);
    at = nonZero(b, at, L_ATIMENSEC, a.atimensec);
    at = nonZero(b, at, L_MTIMENSEC, a.mtimensec);
    at = nonZero(b, at, L_CTIMENSEC, a.ctimensec);
    at = lit(b, at, L_NLINK);
    at = num(b, at, a.nlink);
    at = lit(b, at, L_LENGTH);
    at = big(b, at, a.length);
    at = nonZero(b, at, L_RDEV, a.rdev);
    at = nonZero(b, at, L_TIER, a.tier);
    b[at++] = CLOSE_BRACE;
    return at;
  }

  private latin1(s: string, at: number): number {
    const b = this.bytes;
    for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
    return at;
  }

  private leafText(name: Buffer, node: DumpNode): Promise<void> | void {
    const depth = this.openChild(false);
    const p = 2 * depth;
    const f = p + 2;
    this.buf += "\n";
    this.pad(p);
    this.buf += '"' + escapeName(name) + '": {\n';
    this.pad(f);
    this.buf += '"attr": ' + encodeAttr(node.attr);
    this.extras(node, f, true);
    const chunks = node.chunks;
    if (chunks.length === 1) {
      this.buf += ",\n";
      this.pad(f);
      this.buf += '"chunks": [' + encodeChunk(chunks[0]) + "]";
    } else if (chunks.length > 1) {
      this.buf += ",\n";
      this.pad(f);
      this.buf += '"chunks": [';
      for (let i = 0; i < chunks.length; i++) {
        this.buf += (i ? "," : "") + "\n";
        this.pad(f + 2);
        this.buf += encodeChunk(chunks[i]);
      }
      this.buf += "\n";
      this.pad(f);
      this.buf += "]";
    }
    this.buf += "\n";
    this.pad(p);
    this.buf += "}";
    return this.maybeFlush();
  }

  async endDir(): Promise<void> {
    const d = this.stack.pop();
    if (!d) throw new Error("JsonDumpWriter: endDir() without an open directory");
    const p = 2 * d.depth;
    this.buf += "\n";
    this.pad(p + 2);
    this.buf += "}\n";
    this.pad(p);
    this.buf += "}";
    await this.maybeFlush();
  }

  async end(): Promise<void> {
    if (this.stack.length) throw new Error(`JsonDumpWriter: end() with ${this.stack.length} directories still open`);
    if (!this.headerDone || this.trees === 0) throw new Error("JsonDumpWriter: end() before the header and a tree were written");
    this.buf += "\n}\n";
    await this.flush(true);
  }

  /** Accounts for a new child of the open directory (or a new tree); returns its depth. */
  private openChild(isTree: boolean): number {
    if (!this.headerDone) throw new Error("JsonDumpWriter: header() must come first");
    if (this.stack.length === 0) {
      if (!isTree) throw new Error("JsonDumpWriter: a tree root must be named FSTree or Trash");
      if (this.trees++ > 0) this.buf += ",";
      return 1;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent.children++ > 0) this.buf += ",";
    return parent.depth + 2;
  }

  /** A member of the entry on a new line indented by `f` spaces. */
  private member(f: number, text: string): void {
    this.buf += ",\n";
    this.pad(f);
    this.buf += text;
  }

  private extras(node: DumpNode, f: number, leaf: boolean): void {
    if (leaf && node.symlink && node.symlink.length) this.member(f, '"symlink": "' + escapeName(node.symlink) + '"');
    if (node.xattrs.length) this.member(f, '"xattrs": ' + encodeXattrs(node.xattrs));
    if (node.accessAcl) this.member(f, '"posix_acl_access": ' + encodeAcl(node.accessAcl));
    if (node.defaultAcl) this.member(f, '"posix_acl_default": ' + encodeAcl(node.defaultAcl));
  }

  /** `spaces` spaces of indentation: a cached string when short, else bytes filled into `chunk`. */
  private pad(spaces: number): void {
    if (spaces <= INLINE_INDENT) {
      this.buf += indent(spaces);
      return;
    }
    this.encode();
    for (let left = spaces; left > 0; ) {
      if (this.used === this.chunk.length) this.nextChunk(CHUNK_BYTES);
      const n = Math.min(left, this.chunk.length - this.used);
      this.chunk.fill(0x20, this.used, this.used + n);
      this.used += n;
      left -= n;
    }
  }

  /** Hands the encoded bytes over and starts a fresh buffer of at least `bytes`. */
  private nextChunk(bytes: number): void {
    this.handOver();
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.bytes = new Uint8Array(this.chunk.buffer, this.chunk.byteOffset, this.chunk.length);
    this.unwritten = this.used = 0;
  }

  /** Moves `buf` into `chunk` as UTF-8. */
  private encode(): void {
    const s = this.buf;
    this.buf = "";
    const worst = s.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (this.used + worst > this.chunk.length) this.nextChunk(worst);
    this.used += this.chunk.write(s, this.used, "utf8");
  }

  /** Hands the encoded bytes not yet written to the stream. */
  private handOver(): void {
    if (this.used === this.unwritten) return;
    const piece = this.chunk.subarray(this.unwritten, this.used);
    this.unwritten = this.used;
    this.feed.write(piece);
  }

  private maybeFlush(): Promise<void> | void {
    this.encode();
    if (this.used - this.unwritten >= FLUSH_AT) return this.flush();
    if (this.failure) throw this.failure;
  }

  /** Hands over what is encoded, then waits as the feed says (feed.ts); `last`: before the end. */
  private async flush(last = false): Promise<void> {
    if (this.failure) throw this.failure;
    this.encode();
    this.handOver();
    await (last ? this.feed.drained() : this.feed.pace());
    if (this.failure) throw this.failure;
  }
}
