// Pure conversions between SQL rows and the engine-neutral domain (docs/format/sql-tables.md
// §2, §3). Drivers hand back numbers, bigints, strings or NULL for the same column
// depending on dialect and width; everything goes through toBig/toNum.
import type { AclEntry, AclRule, Attr, Chunk, Slice } from "../../jfs/types";
import { typeFromCode, TYPE_CODE } from "../../jfs/types";
import { JfsError } from "../../jfs/errors";

export function toBig(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (typeof v === "string") return BigInt(v);
  throw new TypeError(`expected an integer column, got ${typeof v}`);
}

export function toNum(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  throw new TypeError(`expected an integer column, got ${typeof v}`);
}

/** uint32 columns live in signed INT on MySQL/PostgreSQL; read any negative back as unsigned. */
export function toU32(v: unknown): number {
  return toNum(v) >>> 0;
}

/** Byte columns; NULL is empty and TEXT-class values (written by other tools) are UTF-8. */
export function toBuf(v: unknown): Buffer {
  if (v === null || v === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === "string") return Buffer.from(v, "utf8");
  throw new TypeError(`expected a binary column, got ${typeof v}`);
}

const NS = 1_000_000_000n;

/** seconds + nanoseconds → (microseconds, remaining ns 0–999), truncating like Go. */
export function timeToSql(sec: bigint, nsec: number): [bigint, number] {
  const ns = sec * NS + BigInt(nsec);
  return [ns / 1000n, Number(ns % 1000n)];
}

/**
 * (microseconds, remaining ns) → seconds + nanoseconds 0–999,999,999: the exact inverse of
 * timeToSql. JuiceFS divides with Go's truncation, which turns a time before 1970 with a
 * fraction of a second into a wrapped uint32 of nanoseconds; flooring gives the time stored
 * (docs/compatibility.md).
 */
export function timeFromSql(us: bigint, rest: number): [bigint, number] {
  const ns = us * 1000n + BigInt(rest);
  let sec = ns / NS;
  if (sec * NS > ns) sec -= 1n;
  return [sec, Number(ns - sec * NS)];
}

/** Column order of jfs_node. */
export const NODE_COLUMNS = [
  "inode",
  "type",
  "flags",
  "mode",
  "uid",
  "gid",
  "atime",
  "mtime",
  "ctime",
  "atimensec",
  "mtimensec",
  "ctimensec",
  "nlink",
  "length",
  "rdev",
  "parent",
  "access_acl_id",
  "default_acl_id",
  "tier_id",
] as const;

export function nodeRow(attr: Attr, parent: bigint, access: number, dflt: number): unknown[] {
  const [at, atn] = timeToSql(attr.atime, attr.atimensec);
  const [mt, mtn] = timeToSql(attr.mtime, attr.mtimensec);
  const [ct, ctn] = timeToSql(attr.ctime, attr.ctimensec);
  return [
    attr.inode,
    TYPE_CODE[attr.type],
    attr.flags,
    attr.mode & 0o7777,
    attr.uid,
    attr.gid,
    at,
    mt,
    ct,
    atn,
    mtn,
    ctn,
    attr.nlink,
    attr.length,
    attr.rdev,
    parent,
    access,
    dflt,
    attr.tier,
  ];
}

export interface NodeRowFacts {
  attr: Attr;
  parent: bigint;
  accessAclId: number;
  defaultAclId: number;
}

export function nodeFromRow(r: Record<string, unknown>): NodeRowFacts {
  const code = toNum(r.type);
  const type = typeFromCode(code);
  const inode = toBig(r.inode);
  if (!type) throw new JfsError("corrupt-input", `inode ${inode} has unknown type ${code} in jfs_node`);
  const [atime, atimensec] = timeFromSql(toBig(r.atime), toNum(r.atimensec));
  const [mtime, mtimensec] = timeFromSql(toBig(r.mtime), toNum(r.mtimensec));
  const [ctime, ctimensec] = timeFromSql(toBig(r.ctime), toNum(r.ctimensec));
  return {
    attr: {
      inode,
      flags: toNum(r.flags) & 0xff,
      type,
      mode: toNum(r.mode) & 0o7777,
      uid: toU32(r.uid),
      gid: toU32(r.gid),
      atime,
      mtime,
      ctime,
      atimensec,
      mtimensec,
      ctimensec,
      nlink: toU32(r.nlink),
      length: toBig(r.length),
      rdev: toU32(r.rdev),
      tier: toNum(r.tier_id) & 0xff,
    },
    parent: toBig(r.parent),
    accessAclId: toU32(r.access_acl_id),
    defaultAclId: toU32(r.default_acl_id),
  };
}

export const SLICE_RECORD = 24;

export function packSlices(slices: Slice[]): Buffer {
  const b = Buffer.alloc(slices.length * SLICE_RECORD);
  slices.forEach((s, i) => {
    const o = i * SLICE_RECORD;
    b.writeUInt32BE(s.pos >>> 0, o);
    b.writeBigUInt64BE(s.id, o + 4);
    b.writeUInt32BE(s.size >>> 0, o + 12);
    b.writeUInt32BE(s.off >>> 0, o + 16);
    b.writeUInt32BE(s.len >>> 0, o + 20);
  });
  return b;
}

/** A value whose length is not a multiple of 24 is corrupt; JuiceFS reads it as no slices. */
export function unpackSlices(b: Buffer): Slice[] {
  if (b.length % SLICE_RECORD !== 0) return [];
  const out: Slice[] = [];
  for (let o = 0; o < b.length; o += SLICE_RECORD) {
    out.push({
      pos: b.readUInt32BE(o),
      id: b.readBigUInt64BE(o + 4),
      size: b.readUInt32BE(o + 12),
      off: b.readUInt32BE(o + 16),
      len: b.readUInt32BE(o + 20),
    });
  }
  return out;
}

export function chunkFromRow(r: Record<string, unknown>): Chunk {
  return { index: toU32(r.indx), slices: unpackSlices(toBuf(r.slices)) };
}

/** ACL named entries: (id u32, perm u16) pairs without a count (docs/format/sql-tables.md §3). */
export function packAclEntries(entries: AclEntry[]): Buffer {
  const b = Buffer.alloc(entries.length * 6);
  entries.forEach((e, i) => {
    b.writeUInt32BE(e.id >>> 0, i * 6);
    b.writeUInt16BE(e.perm & 0xffff, i * 6 + 4);
  });
  return b;
}

export function unpackAclEntries(b: Buffer): AclEntry[] {
  const out: AclEntry[] = [];
  for (let o = 0; o + 6 <= b.length; o += 6) out.push({ id: b.readUInt32BE(o), perm: b.readUInt16BE(o + 4) });
  return out;
}

export function aclRow(id: number, r: AclRule): unknown[] {
  return [id, r.owner, r.group, r.mask, r.other, packAclEntries(r.users), packAclEntries(r.groups)];
}

export function aclFromRow(r: Record<string, unknown>): AclRule {
  return {
    owner: toNum(r.owner) & 0xffff,
    group: toNum(r.group) & 0xffff,
    mask: toNum(r.mask) & 0xffff,
    other: toNum(r.other) & 0xffff,
    users: unpackAclEntries(toBuf(r.named_users)),
    groups: unpackAclEntries(toBuf(r.named_groups)),
  };
}

/** Chunks JuiceFS dumps: index < ceil(length / 64 MiB). */
export function chunkCount(length: bigint): bigint {
  return (length + (1n << 26n) - 1n) >> 26n;
}
