// Protobuf encoding and decoding of the bulk batches (nodes, edges, chunks, symlinks, xattrs,
// dir stats, parents, slice refs) by hand, for the same bytes as @bufbuild/protobuf's reflection
// (proto.ts). Measured on 100,000 nodes: reflection takes about 1.3 µs a record to encode and
// more to decode, a third of a binary dump's CPU, where this takes a tenth of that. The
// decoder is a fast path only: anything it does not expect (another field, a wire type, a
// truncation) returns null and the caller decodes with the library, which keeps its checks
// and its messages. Every other message (format, counters, quotas, footer…) goes through the
// library.
import type { BatchField } from "./format";
import type { ChunkColumns, ChunkRecord, EdgeColumns, EdgeRecord, EncodedBatch, NodeColumns, NodeRecord, RecordColumns, RecordEncoder } from "../../jfs/table-records";

type Kind = "u64" | "i64" | "u32" | "bytes" | "string";
interface Spec {
  /** The Batch field number. */
  field: number;
  /** [member, field number, kind] in field order. */
  members: [string, number, Kind][];
}

export const BULK_SPECS: Partial<Record<BatchField, Spec>> = {
  nodes: { field: 1, members: [["inode", 1, "u64"], ["data", 2, "bytes"]] },
  edges: { field: 2, members: [["parent", 1, "u64"], ["inode", 2, "u64"], ["name", 3, "bytes"], ["type", 4, "u32"]] },
  chunks: { field: 3, members: [["inode", 1, "u64"], ["index", 2, "u32"], ["slices", 3, "bytes"]] },
  sliceRefs: { field: 4, members: [["id", 1, "u64"], ["size", 2, "u32"], ["refs", 3, "i64"]] },
  xattrs: { field: 5, members: [["inode", 1, "u64"], ["name", 2, "string"], ["value", 3, "bytes"]] },
  parents: { field: 6, members: [["inode", 1, "u64"], ["parent", 2, "u64"], ["cnt", 3, "i64"]] },
  symlinks: { field: 7, members: [["inode", 1, "u64"], ["target", 2, "bytes"]] },
  dirstats: { field: 10, members: [["inode", 1, "u64"], ["dataLength", 2, "i64"], ["usedSpace", 3, "i64"], ["usedInodes", 4, "i64"]] },
};

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function varintSize(n: number): number {
  // Comparisons up to 2^28 (lengths, most inodes), not a division a byte: three million records
  // at 1M files, a few varints each.
  if (n < 0x4000) return n < 0x80 ? 1 : 2;
  if (n < 0x10000000) return n < 0x200000 ? 3 : 4;
  let s = 5;
  for (n = Math.floor(n / 0x800000000); n >= 1; n = Math.floor(n / 128)) s++;
  return s;
}

/** A 64-bit value as the unsigned integer protobuf writes (int64: two's complement). */
const u64 = (v: bigint): bigint => (v >= 0n ? v : BigInt.asUintN(64, v));

function bigVarintSize(v: bigint): number {
  if (v <= SAFE) return varintSize(Number(v));
  let s = 1;
  while (v >= 128n) {
    v >>= 7n;
    s++;
  }
  return s;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(n: number): void {
    const b = this.buf;
    while (n >= 128) {
      b[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    b[this.pos++] = n;
  }
  bigVarint(v: bigint): void {
    if (v <= SAFE) return this.varint(Number(v));
    const b = this.buf;
    while (v >= 128n) {
      b[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[this.pos++] = Number(v);
  }
  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
}

/** Whether this Batch field has a hand encoder. */
export function isBulkField(field: BatchField): boolean {
  return BULK_SPECS[field] !== undefined;
}

/** A Batch holding only `records` in `field`: the bytes toBinary(BatchDesc, …) gives (proto3: zero values left out). */
export function encodeBulkBatch(field: BatchField, records: readonly Record<string, unknown>[]): Buffer {
  const spec = BULK_SPECS[field];
  if (!spec) throw new Error(`internal error: no bulk encoder for ${field}`);
  // Members as parallel arrays: destructuring them in the record loop cost more than the encoding.
  const m = spec.members.length;
  const names = spec.members.map((x) => x[0]);
  const kinds = spec.members.map((x) => KIND_CODE[x[2]]);
  const tags = spec.members.map((x) => (x[1] << 3) | (x[2] === "bytes" || x[2] === "string" ? 2 : 0));
  const n = records.length;
  const sizes = new Int32Array(n);
  // Member values of every record, read once: [record * m + member].
  const values: unknown[] = new Array(n * m);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    let size = 0;
    for (let j = 0; j < m; j++) {
      let v = r[names[j]];
      switch (kinds[j]) {
        case K_U64:
          if (v !== 0n) {
            v = u64(v as bigint);
            size += 1 + bigVarintSize(v as bigint);
          }
          break;
        case K_U32:
          v = (v as number) >>> 0;
          if (v !== 0) size += 1 + varintSize(v as number);
          break;
        case K_STRING:
          v = Buffer.from(v as string, "utf8");
        // falls through
        default: {
          const len = (v as Uint8Array).length;
          if (len) size += 1 + varintSize(len) + len;
        }
      }
      values[i * m + j] = v;
    }
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const out = new Out(Buffer.allocUnsafe(total));
  const buf = out.buf;
  const batchTag = (spec.field << 3) | 2;
  for (let i = 0; i < n; i++) {
    if (batchTag < 128) buf[out.pos++] = batchTag;
    else out.varint(batchTag);
    out.varint(sizes[i]);
    for (let j = 0; j < m; j++) {
      const v = values[i * m + j];
      switch (kinds[j]) {
        case K_U64:
          if (v !== 0n) {
            buf[out.pos++] = tags[j];
            out.bigVarint(v as bigint);
          }
          break;
        case K_U32:
          if (v !== 0) {
            buf[out.pos++] = tags[j];
            out.varint(v as number);
          }
          break;
        default: {
          const b = v as Uint8Array;
          if (b.length) {
            buf[out.pos++] = tags[j];
            out.varint(b.length);
            out.bytes(b);
          }
        }
      }
    }
  }
  if (out.pos !== total) throw new Error(`internal error: bulk encoder wrote ${out.pos} bytes of ${total}`);
  return buf;
}

const K_U64 = 0;
const K_U32 = 1;
const K_BYTES = 2;
const K_STRING = 3;
/** int64 and uint64 are written alike (two's complement as unsigned). */
const KIND_CODE: Record<Kind, number> = { u64: K_U64, i64: K_U64, u32: K_U32, bytes: K_BYTES, string: K_STRING };

/** A varint reader over a payload: value() below 2^49, else BIG with the value in `big`; BAD when malformed. */
class Cursor {
  pos = 0;
  big = 0n;
  constructor(
    readonly b: Buffer,
    readonly end: number,
  ) {}
  varint(): number {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) return BAD;
      const x = b[this.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
    // Past 49 bits: the rest as a bigint (at most 10 bytes, 64 bits).
    let big = BigInt(v);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) return BAD;
      const x = b[this.pos++];
      big |= BigInt(x & 0x7f) << BigInt(7 * i);
      if (x < 0x80) {
        if (i === 9 && x > 1) return BAD;
        this.big = big;
        return BIG;
      }
    }
    return BAD;
  }
}
const BAD = -1;
const BIG = -2;

/** Fresh records with every member at its zero value, one shape per field (monomorphic). */
const FACTORY: Partial<Record<BatchField, () => Record<string, unknown>>> = {
  nodes: () => ({ inode: 0n, data: EMPTY }),
  edges: () => ({ parent: 0n, inode: 0n, name: EMPTY, type: 0 }),
  chunks: () => ({ inode: 0n, index: 0, slices: EMPTY }),
  sliceRefs: () => ({ id: 0n, size: 0, refs: 0n }),
  xattrs: () => ({ inode: 0n, name: "", value: EMPTY }),
  parents: () => ({ inode: 0n, parent: 0n, cnt: 0n }),
  symlinks: () => ({ inode: 0n, target: EMPTY }),
  dirstats: () => ({ inode: 0n, dataLength: 0n, usedSpace: 0n, usedInodes: 0n }),
};

/**
 * The records of a Batch that holds only `field` messages with only their known members, in
 * the shapes fromBinary gives (64-bit members as bigint, bytes as Buffer views of `payload`,
 * absent members as zero); null when the payload holds anything else or is malformed: the
 * caller then decodes with the library, which says what is wrong.
 */
export function decodeBulkBatch(field: BatchField, payload: Buffer): Record<string, unknown>[] | null {
  const spec = BULK_SPECS[field];
  const make = FACTORY[field];
  if (!spec || !make) return null;
  const names: string[] = [];
  const kinds: number[] = [];
  for (const [name, num, kind] of spec.members) {
    names[num] = name;
    kinds[num] = KIND_CODE[kind] + (kind === "i64" ? 10 : 0);
  }
  const batchTag = (spec.field << 3) | 2;
  const out: Record<string, unknown>[] = [];
  const c = new Cursor(payload, payload.length);
  while (c.pos < c.end) {
    if (c.varint() !== batchTag) return null;
    const len = c.varint();
    if (len < 0) return null;
    const stop = c.pos + len;
    if (stop > c.end) return null;
    const rec = make();
    while (c.pos < stop) {
      const tag = c.varint();
      if (tag < 0 || tag > 0xffffffff) return null;
      const num = tag >>> 3;
      const wire = tag & 7;
      const kind = kinds[num];
      if (kind === undefined) return null;
      if (kind === K_BYTES || kind === K_STRING) {
        if (wire !== 2) return null;
        const n = c.varint();
        if (n < 0 || c.pos + n > stop) return null;
        const b = payload.subarray(c.pos, c.pos + n);
        c.pos += n;
        if (kind === K_STRING) {
          const s = b.toString("utf8");
          if (Buffer.byteLength(s, "utf8") !== b.length || !Buffer.from(s, "utf8").equals(b)) return null; // not UTF-8: the library says so
          rec[names[num]] = s;
        } else rec[names[num]] = b;
      } else {
        if (wire !== 0) return null;
        const v = c.varint();
        if (v === BAD || c.pos > stop) return null;
        if (kind === K_U32) rec[names[num]] = v === BIG ? Number(c.big & 0xffffffffn) : v % 4294967296;
        else if (kind === K_U64) rec[names[num]] = v === BIG ? c.big : BigInt(v);
        else rec[names[num]] = v === BIG ? BigInt.asIntN(64, c.big) : BigInt(v); // int64
      }
    }
    if (c.pos !== stop) return null;
    out.push(rec);
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

// --- Nodes, edges and chunks as columns (table-records.ts RecordColumns) ----------------------
// decodeBulkBatch's record objects (a bigint per number, a view per byte string) were a third
// of a binary load's CPU in garbage collection; a load that stores the dump's bytes as they are
// (Redis) takes these instead. Same acceptance as decodeBulkBatch, plus: null when a number is
// not exact as a double (2^53 or more: trash inodes) or a type code exceeds a byte, so that the
// caller decodes that batch as records.

/** The column layout of a table: its number members' field numbers, its one bytes member's. */
const COLUMN_LAYOUT = {
  nodes: { numbers: [1], bytes: 2, guess: 80 },
  edges: { numbers: [1, 2, 4], bytes: 3, guess: 24 },
  chunks: { numbers: [1, 2], bytes: 3, guess: 32 },
} as const;

type ColumnField = keyof typeof COLUMN_LAYOUT;

/** The records of a Batch of only `field` messages as columns; null where decodeBulkBatch would be, or a number is inexact. */
export function decodeColumns(field: "nodes", payload: Buffer): NodeColumns | null;
export function decodeColumns(field: "edges", payload: Buffer): EdgeColumns | null;
export function decodeColumns(field: "chunks", payload: Buffer): ChunkColumns | null;
export function decodeColumns(field: ColumnField, payload: Buffer): RecordColumns | null {
  const layout = COLUMN_LAYOUT[field];
  const batchTag = (BULK_SPECS[field]!.field << 3) | 2;
  const bytesTag = (layout.bytes << 3) | 2;
  const numberCount = layout.numbers.length;
  // Column k of the numbers holds member field number layout.numbers[k]; -1: not a number member.
  const columnOf = [-1, -1, -1, -1, -1];
  layout.numbers.forEach((num, k) => (columnOf[num] = k));
  let capacity = Math.max(16, Math.ceil(payload.length / layout.guess));
  let nums = Array.from({ length: numberCount }, () => new Float64Array(capacity));
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  let count = 0;
  const c = new Cursor(payload, payload.length);
  while (c.pos < c.end) {
    if (c.varint() !== batchTag) return null;
    const len = c.varint();
    if (len < 0) return null;
    const stop = c.pos + len;
    if (stop > c.end) return null;
    if (count === capacity) {
      capacity *= 2;
      nums = nums.map((col) => grow(col, new Float64Array(capacity)));
      start = grow(start, new Int32Array(capacity));
      end = grow(end, new Int32Array(capacity));
    }
    for (let k = 0; k < numberCount; k++) nums[k][count] = 0;
    start[count] = 0;
    end[count] = 0;
    while (c.pos < stop) {
      const tag = c.varint();
      if (tag === bytesTag) {
        const n = c.varint();
        if (n < 0 || c.pos + n > stop) return null;
        start[count] = c.pos;
        end[count] = c.pos += n;
        continue;
      }
      // A number member: wire type 0, an exact value (field 4 of edges, the type, a byte).
      const k = tag >= 0 && (tag & 7) === 0 && tag >>> 3 < columnOf.length ? columnOf[tag >>> 3] : -1;
      if (k < 0) return null;
      let v = c.varint();
      if (v === BIG && c.big <= SAFE) v = Number(c.big);
      if (v < 0 || c.pos > stop) return null;
      if (field === "edges" && tag >>> 3 === 4 && v > 0xff) return null;
      if (field === "chunks" && tag >>> 3 === 2 && v > 0xffffffff) return null;
      nums[k][count] = v;
    }
    if (c.pos !== stop) return null;
    count++;
  }
  const base = { count, bytes: payload, start, end };
  if (field === "nodes") {
    const nodes: NodeColumns = { ...base, inode: nums[0] };
    return nodes;
  }
  if (field === "chunks") {
    const chunks: ChunkColumns = { ...base, inode: nums[0], index: nums[1] };
    return chunks;
  }
  const edges: EdgeColumns = { ...base, parent: nums[0], inode: nums[1], type: Uint8Array.from(nums[2].subarray(0, count)) };
  return edges;
}

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

// --- The flat scan's records (lib/jfs/table-records.ts) straight to bytes -------------------
// The binary dump of a whole volume writes a million nodes, edges and chunks: encodeBulkBatch's
// generic member walk (keyed reads of each record, a values array) was its writer's largest
// cost, so these three tables have encoders of their own. Same bytes as encodeBulkBatch (the
// tests compare them), for records [from, to) of a batch.
// Alike in shape on purpose: one shared two-pass loop would need per-record size/write callbacks here.

/**
 * A u64 member's value as a double when exact (the common case), else -1 (write it as bigint).
 * One conversion, no BigInt comparisons: past 2^53 the double rounds to 2^53 or more.
 */
const small = (v: bigint): number => {
  const n = Number(v);
  return n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : -1;
};

function putVarint(b: Buffer, p: number, n: number): number {
  // Below 2^31 by 32-bit operations, not a float division and floor a byte.
  if (n < 0x80000000) {
    while (n >= 128) {
      b[p++] = (n & 127) | 128;
      n >>>= 7;
    }
    b[p++] = n;
    return p;
  }
  while (n >= 128) {
    b[p++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}

function putBigVarint(b: Buffer, p: number, v: bigint): number {
  v = u64(v);
  while (v >= 128n) {
    b[p++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  b[p++] = Number(v);
  return p;
}

/** A u64 member: nothing when zero, else its tag and varint. */
function u64Size(n: number, v: bigint): number {
  return n === 0 ? 0 : 1 + (n > 0 ? varintSize(n) : bigVarintSize(u64(v)));
}
function putU64(b: Buffer, p: number, tag: number, n: number, v: bigint): number {
  if (n === 0) return p;
  b[p++] = tag;
  return n > 0 ? putVarint(b, p, n) : putBigVarint(b, p, v);
}
/** A bytes member: nothing when empty. Short ones copied by a loop: set()'s call cost more. */
function putBytes(b: Buffer, p: number, tag: number, src: Uint8Array): number {
  const n = src.length;
  if (n === 0) return p;
  b[p++] = tag;
  p = putVarint(b, p, n);
  if (n > 64) {
    b.set(src, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) b[p++] = src[i];
  return p;
}
const bytesSize = (n: number): number => (n === 0 ? 0 : 1 + varintSize(n) + n);

/** Nodes ({inode, attr}) as a Batch's `nodes` (member data = the attr bytes). */
export function encodeNodeRecords(records: readonly NodeRecord[], from = 0, to = records.length): Buffer {
  const n = to - from;
  const ino = new Float64Array(n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const a = (ino[i] = small(r.inode));
    const size = u64Size(a, r.inode) + bytesSize(r.attr.length);
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = (1 << 3) | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, ino[i], r.inode);
    p = putBytes(b, p, 18, r.attr);
  }
  if (p !== total) throw new Error(`internal error: node encoder wrote ${p} bytes of ${total}`);
  return b;
}

/** Edges ({parent, inode, name, type}) as a Batch's `edges`. */
export function encodeEdgeRecords(records: readonly EdgeRecord[], from = 0, to = records.length): Buffer {
  const n = to - from;
  const nums = new Float64Array(2 * n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const parent = (nums[2 * i] = small(r.parent));
    const inode = (nums[2 * i + 1] = small(r.inode));
    const type = r.type >>> 0;
    const size = u64Size(parent, r.parent) + u64Size(inode, r.inode) + bytesSize(r.name.length) + (type === 0 ? 0 : 1 + varintSize(type));
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = (2 << 3) | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, nums[2 * i], r.parent);
    p = putU64(b, p, 16, nums[2 * i + 1], r.inode);
    p = putBytes(b, p, 26, r.name);
    const type = r.type >>> 0;
    if (type !== 0) {
      b[p++] = 32;
      p = putVarint(b, p, type);
    }
  }
  if (p !== total) throw new Error(`internal error: edge encoder wrote ${p} bytes of ${total}`);
  return b;
}

/** Chunks ({inode, index, slices}) as a Batch's `chunks`. */
export function encodeChunkRecords(records: readonly ChunkRecord[], from = 0, to = records.length): Buffer {
  const n = to - from;
  const ino = new Float64Array(n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const a = (ino[i] = small(r.inode));
    const index = r.index >>> 0;
    const size = u64Size(a, r.inode) + (index === 0 ? 0 : 1 + varintSize(index)) + bytesSize(r.slices.length);
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = (3 << 3) | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, ino[i], r.inode);
    const index = r.index >>> 0;
    if (index !== 0) {
      b[p++] = 16;
      p = putVarint(b, p, index);
    }
    p = putBytes(b, p, 26, r.slices);
  }
  if (p !== total) throw new Error(`internal error: chunk encoder wrote ${p} bytes of ${total}`);
  return b;
}

// --- Records written as they are read (table-records.ts RecordEncoder) ------------------------
// The Redis snapshot reader has each record's numbers and bytes at hand: writing them here
// skips the record object, the bigint of each number and the Buffer view of each value (the
// same bytes as encodeNodeRecords/encodeEdgeRecords/encodeChunkRecords: the tests compare them).

/**
 * Bytes (and record ends) the EncodedBatches are cut from: each take() hands over the part
 * written since the last one and writing goes on after it, so a batch of 1,000 records costs
 * no allocation of its own. 1M files: scavenges 83 -> 46 against a fresh 64 KiB buffer a batch;
 * buffers of 1 MiB, alive while the writer holds any batch cut from them, doubled the full
 * collections (5 -> 10) and raised peak RSS by ~20 MB.
 */
const ENCODED_BYTES = 256 << 10;
const ENCODED_ENDS = 1 << 14;

const numberSize = (v: number | bigint): number => (typeof v === "number" ? (v === 0 ? 0 : 1 + varintSize(v)) : v === 0n ? 0 : 1 + bigVarintSize(u64(v)));
function putNumber(b: Buffer, p: number, tag: number, v: number | bigint): number {
  if (typeof v === "number") {
    if (v === 0) return p;
    b[p++] = tag;
    return putVarint(b, p, v);
  }
  if (v === 0n) return p;
  b[p++] = tag;
  return putBigVarint(b, p, v);
}
/** A bytes member from src[s, e): nothing when empty. */
function putRange(b: Buffer, p: number, tag: number, src: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n === 0) return p;
  b[p++] = tag;
  p = putVarint(b, p, n);
  // Attrs (72 bytes and more) and slices copied by a loop too: Buffer.copy's call cost more.
  if (n > 256) {
    src.copy(b, p, s, e);
    return p + n;
  }
  for (let i = s; i < e; i++) b[p++] = src[i];
  return p;
}

class EncodedTable {
  bytes = Buffer.allocUnsafe(ENCODED_BYTES);
  pos = 0;
  /** Where the records not yet taken begin in `bytes`. */
  from = 0;
  ends = new Int32Array(ENCODED_ENDS);
  /** Where the records not yet taken begin in `ends`. */
  endsFrom = 0;
  count = 0;
  /** Room for a record of `size` bytes (its message), with its Batch tag and length. */
  begin(tag: number, size: number): number {
    const need = 2 + varintSize(size) + size;
    if (this.pos + need > this.bytes.length) {
      // A new buffer, with the records not yet taken moved to its start (the old one is left to the batches that view it).
      const grown = Buffer.allocUnsafe(Math.max(ENCODED_BYTES, 2 * (this.pos - this.from + need)));
      this.bytes.copy(grown, 0, this.from, this.pos);
      for (let i = 0; i < this.count; i++) this.ends[this.endsFrom + i] -= this.from;
      this.pos -= this.from;
      this.from = 0;
      this.bytes = grown;
    }
    const b = this.bytes;
    let p = this.pos;
    b[p++] = tag;
    return putVarint(b, p, size);
  }
  finish(p: number): void {
    if (this.endsFrom + this.count === this.ends.length) {
      const grown = new Int32Array(Math.max(ENCODED_ENDS, 2 * this.count));
      grown.set(this.ends.subarray(this.endsFrom, this.endsFrom + this.count));
      this.ends = grown;
      this.endsFrom = 0;
    }
    this.ends[this.endsFrom + this.count++] = this.pos = p;
  }
  take(field: EncodedBatch["field"]): EncodedBatch | null {
    const n = this.count;
    if (n === 0) return null;
    const ends = this.ends.subarray(this.endsFrom, this.endsFrom + n);
    // Ends relative to the batch's bytes.
    if (this.from) for (let i = 0; i < n; i++) ends[i] -= this.from;
    const batch: EncodedBatch = { table: "encoded", field, bytes: this.bytes.subarray(this.from, this.pos), ends, count: n };
    this.from = this.pos;
    this.endsFrom += n;
    this.count = 0;
    return batch;
  }
}

/** A RecordEncoder: Batch members of nodes (1), edges (2) and chunks (3). */
export class BatchRecordEncoder implements RecordEncoder {
  private readonly tables = { nodes: new EncodedTable(), edges: new EncodedTable(), chunks: new EncodedTable() };

  node(inode: number | bigint, attr: Buffer, start: number, end: number): void {
    const t = this.tables.nodes;
    let p = t.begin((1 << 3) | 2, numberSize(inode) + bytesSize(end - start));
    const b = t.bytes;
    p = putNumber(b, p, 8, inode);
    t.finish(putRange(b, p, 18, attr, start, end));
  }

  edge(parent: number | bigint, inode: number | bigint, name: Buffer, start: number, end: number, type: number): void {
    const t = this.tables.edges;
    type >>>= 0;
    let p = t.begin((2 << 3) | 2, numberSize(parent) + numberSize(inode) + bytesSize(end - start) + (type === 0 ? 0 : 1 + varintSize(type)));
    const b = t.bytes;
    p = putNumber(b, p, 8, parent);
    p = putNumber(b, p, 16, inode);
    p = putRange(b, p, 26, name, start, end);
    if (type !== 0) {
      b[p++] = 32;
      p = putVarint(b, p, type);
    }
    t.finish(p);
  }

  chunk(inode: number | bigint, index: number, slices: Buffer, start: number, end: number): void {
    const t = this.tables.chunks;
    index >>>= 0;
    let p = t.begin((3 << 3) | 2, numberSize(inode) + (index === 0 ? 0 : 1 + varintSize(index)) + bytesSize(end - start));
    const b = t.bytes;
    p = putNumber(b, p, 8, inode);
    if (index !== 0) {
      b[p++] = 16;
      p = putVarint(b, p, index);
    }
    t.finish(putRange(b, p, 26, slices, start, end));
  }

  count(field: EncodedBatch["field"]): number {
    return this.tables[field].count;
  }

  take(field: EncodedBatch["field"]): EncodedBatch | null {
    return this.tables[field].take(field);
  }
}
