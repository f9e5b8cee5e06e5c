// JuiceFS's binary encodings of an inode's attributes, a slice record and an ACL rule,
// big-endian (docs/format/redis-keys.md §3, docs/format/dump-binary.md §2). One home for the
// engines that store them (Redis, TKV) and the binary dump, which carries the very same bytes.
import type { AclEntry, AclRule, Attr, NodeType, Slice } from "./types";
import { TYPE_CODE, typeFromCode } from "./types";

// Node's BigInt buffer helpers do BigInt arithmetic on every call; most values fit in a
// double exactly, so split them with plain numbers and keep the BigInt path for the rest.
const TWO32 = 4294967296;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function writeU64(b: Buffer, v: bigint, off: number): void {
  if (v >= 0n && v <= SAFE) {
    const n = Number(v);
    b.writeUInt32BE(Math.floor(n / TWO32), off);
    b.writeUInt32BE(n >>> 0, off + 4);
  } else b.writeBigUInt64BE(BigInt.asUintN(64, v), off);
}

export function writeI64(b: Buffer, v: bigint, off: number): void {
  if (v >= -SAFE && v <= SAFE) {
    const n = Number(v);
    b.writeInt32BE(Math.floor(n / TWO32), off);
    b.writeUInt32BE(n >>> 0, off + 4);
  } else b.writeBigInt64BE(BigInt.asIntN(64, v), off);
}

/**
 * The big-endian u64 at b[off] as a double when it is exact (below 2^53: every inode and slice
 * id a real volume reaches), else as a bigint. The scans that hand ids straight to a
 * RecordEncoder take this form, which spares a BigInt per record.
 */
export function readU64Exact(b: Buffer, off: number): number | bigint {
  const hi = b.readUInt32BE(off);
  return hi < 0x200000 ? hi * TWO32 + b.readUInt32BE(off + 4) : b.readBigUInt64BE(off);
}

/** readU64Exact for the little-endian u64 at b[off] (TKV keys store inodes so). */
export function readU64ExactLE(b: Buffer, off: number): number | bigint {
  const hi = b.readUInt32LE(off + 4);
  return hi < 0x200000 ? hi * TWO32 + b.readUInt32LE(off) : b.readBigUInt64LE(off);
}

export function readU64(b: Buffer, off: number): bigint {
  const v = readU64Exact(b, off);
  return typeof v === "bigint" ? v : BigInt(v);
}

export function readI64(b: Buffer, off: number): bigint {
  const hi = b.readInt32BE(off);
  return hi < 0x200000 && hi >= -0x200000 ? BigInt(hi * TWO32 + b.readUInt32BE(off + 4)) : b.readBigInt64BE(off);
}

export interface StoredAttr {
  attr: Attr;
  parent: bigint;
  accessAcl: number;
  defaultAcl: number;
  /**
   * The bytes it was decoded from, when they are exactly what encodeAttr writes for it
   * (isEncodedAttr): a store of this encoding (Redis) can keep them instead of encoding again.
   */
  stored?: Buffer;
}

/**
 * Encode an attr exactly as JuiceFS does: 71 fixed bytes, +8 for ACL ids when either is set,
 * +1 for a non-zero tier, plus one trailing zero byte (the Go encoder's over-allocation).
 */
export function encodeAttr(a: Attr, parent: bigint, accessAcl = 0, defaultAcl = 0): Buffer {
  const b = Buffer.allocUnsafe(attrBytes(a, accessAcl, defaultAcl));
  writeAttrAt(b, 0, a, parent, accessAcl, defaultAcl);
  return b;
}

/** The length of encodeAttr()'s bytes. */
export function attrBytes(a: Attr, accessAcl = 0, defaultAcl = 0): number {
  return 72 + (accessAcl !== 0 || defaultAcl !== 0 ? 8 : 0) + (a.tier ? 1 : 0);
}

/** encodeAttr()'s bytes at b[at, at + attrBytes()): written into a request being built (an etcd load's). */
export function writeAttrAt(b: Buffer, at: number, a: Attr, parent: bigint, accessAcl = 0, defaultAcl = 0): void {
  const hasAcl = accessAcl !== 0 || defaultAcl !== 0;
  // Every byte but the trailing pad is written below.
  b[at + 71 + (hasAcl ? 8 : 0) + (a.tier ? 1 : 0)] = 0;
  b[at] = a.flags & 0xff;
  b.writeUInt16BE(((TYPE_CODE[a.type] & 0xf) << 12) | (a.mode & 0xfff), at + 1);
  b.writeUInt32BE(a.uid >>> 0, at + 3);
  b.writeUInt32BE(a.gid >>> 0, at + 7);
  writeI64(b, a.atime, at + 11);
  b.writeUInt32BE(a.atimensec >>> 0, at + 19);
  writeI64(b, a.mtime, at + 23);
  b.writeUInt32BE(a.mtimensec >>> 0, at + 31);
  writeI64(b, a.ctime, at + 35);
  b.writeUInt32BE(a.ctimensec >>> 0, at + 43);
  b.writeUInt32BE(a.nlink >>> 0, at + 47);
  writeU64(b, a.length, at + 51);
  b.writeUInt32BE(a.rdev >>> 0, at + 59);
  writeU64(b, parent, at + 63);
  let off = at + 71;
  if (hasAcl) {
    b.writeUInt32BE(accessAcl >>> 0, off);
    b.writeUInt32BE(defaultAcl >>> 0, off + 4);
    off += 8;
  }
  if (a.tier) b[off] = a.tier & 0xff;
}

/**
 * Whether `b` is byte for byte encodeAttr(decodeAttr(b)): a known type, and the lengths
 * encodeAttr gives (72; 73 with a tier; 80 with ACL ids, not both zero; 81 with both), with
 * the trailing zero byte. Legacy short attrs, ACL ids of zero written out, a missing pad:
 * all decode fine but are not this encoding, so they are encoded again. `start`/`end`: the attr
 * as a range of `b` (a binary dump's payload).
 */
export function isEncodedAttr(b: Buffer, start = 0, end = b.length): boolean {
  const n = end - start;
  if (n < 72 || b[end - 1] !== 0 || typeFromCode(b[start + 1] >> 4) === undefined) return false;
  if (n === 72) return true;
  if (n === 73) return b[start + 71] !== 0;
  if (n !== 80 && n !== 81) return false;
  let acl = 0;
  for (let i = start + 71; i < start + 79; i++) acl |= b[i];
  return acl !== 0 && (n === 80 || b[start + 79] !== 0);
}

/** Decode a stored attr; tolerant of legacy short values like the Go reader. null when too short. */
export function decodeAttr(inode: bigint, b: Buffer): StoredAttr | null {
  if (b.length < 63) return null;
  const typeMode = b.readUInt16BE(1);
  const type = typeFromCode(typeMode >> 12);
  const attr: Attr = {
    inode,
    flags: b.readUInt8(0),
    type: type ?? ("unknown" as NodeType),
    mode: typeMode & 0xfff,
    uid: b.readUInt32BE(3),
    gid: b.readUInt32BE(7),
    atime: readI64(b, 11),
    atimensec: b.readUInt32BE(19),
    mtime: readI64(b, 23),
    mtimensec: b.readUInt32BE(31),
    ctime: readI64(b, 35),
    ctimensec: b.readUInt32BE(43),
    nlink: b.readUInt32BE(47),
    length: readU64(b, 51),
    rdev: b.readUInt32BE(59),
    tier: 0,
  };
  let off = 63;
  let parent = 0n;
  let accessAcl = 0;
  let defaultAcl = 0;
  if (b.length - off >= 8) {
    parent = readU64(b, off);
    off += 8;
  }
  if (b.length - off >= 8) {
    accessAcl = b.readUInt32BE(off);
    defaultAcl = b.readUInt32BE(off + 4);
    off += 8;
  }
  if (b.length - off >= 1) attr.tier = b.readUInt8(off);
  return { attr, parent, accessAcl, defaultAcl };
}

export const SLICE_BYTES = 24;

export function encodeSlice(s: Slice, b: Buffer = Buffer.allocUnsafe(SLICE_BYTES), off = 0): Buffer {
  b.writeUInt32BE(s.pos >>> 0, off);
  writeU64(b, s.id, off + 4);
  b.writeUInt32BE(s.size >>> 0, off + 12);
  b.writeUInt32BE(s.off >>> 0, off + 16);
  b.writeUInt32BE(s.len >>> 0, off + 20);
  return b;
}

/** A chunk list element; null for corrupt (wrong-size) records, which readers skip. */
export function decodeSlice(b: Buffer): Slice | null {
  if (b.length !== SLICE_BYTES) return null;
  return { pos: b.readUInt32BE(0), id: readU64(b, 4), size: b.readUInt32BE(12), off: b.readUInt32BE(16), len: b.readUInt32BE(20) };
}

/** ACL rule: owner, group, mask, other (u16), then users and groups as (u32 count, {u32 id, u16 perm}...). */
export function encodeAcl(r: AclRule): Buffer {
  const b = Buffer.alloc(8 + 4 + r.users.length * 6 + 4 + r.groups.length * 6);
  b.writeUInt16BE(r.owner & 0xffff, 0);
  b.writeUInt16BE(r.group & 0xffff, 2);
  b.writeUInt16BE(r.mask & 0xffff, 4);
  b.writeUInt16BE(r.other & 0xffff, 6);
  let off = 8;
  for (const list of [r.users, r.groups]) {
    b.writeUInt32BE(list.length, off);
    off += 4;
    for (const e of list) {
      b.writeUInt32BE(e.id >>> 0, off);
      b.writeUInt16BE(e.perm & 0xffff, off + 4);
      off += 6;
    }
  }
  return b;
}

export function decodeAcl(b: Buffer): AclRule | null {
  if (b.length < 16) return null;
  let off = 8;
  const readList = (): AclEntry[] | null => {
    if (off + 4 > b.length) return null;
    const n = b.readUInt32BE(off);
    off += 4;
    if (off + n * 6 > b.length) return null;
    const list: AclEntry[] = [];
    for (let i = 0; i < n; i++, off += 6) list.push({ id: b.readUInt32BE(off), perm: b.readUInt16BE(off + 4) });
    return list;
  };
  const users = readList();
  const groups = readList();
  if (!users || !groups) return null;
  return { owner: b.readUInt16BE(0), group: b.readUInt16BE(2), mask: b.readUInt16BE(4), other: b.readUInt16BE(6), users, groups };
}
