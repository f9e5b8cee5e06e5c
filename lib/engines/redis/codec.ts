// Binary values as JuiceFS stores them in Redis (redis-schema.md §2), big-endian.
import type { AclEntry, AclRule, Attr, DirEntry, NodeType, QuotaLimit, Slice } from "../../jfs/types";
import { TYPE_CODE, typeFromCode } from "../../jfs/types";

export interface StoredAttr {
  attr: Attr;
  parent: bigint;
  accessAcl: number;
  defaultAcl: number;
}

/**
 * Encode an attr exactly as JuiceFS does: 71 fixed bytes, +8 for ACL ids when either is set,
 * +1 for a non-zero tier, plus one trailing zero byte (the Go encoder's over-allocation).
 */
export function encodeAttr(a: Attr, parent: bigint, accessAcl = 0, defaultAcl = 0): Buffer {
  const hasAcl = accessAcl !== 0 || defaultAcl !== 0;
  const size = 72 + (hasAcl ? 8 : 0) + (a.tier ? 1 : 0);
  const b = Buffer.alloc(size);
  b.writeUInt8(a.flags & 0xff, 0);
  b.writeUInt16BE(((TYPE_CODE[a.type] & 0xf) << 12) | (a.mode & 0xfff), 1);
  b.writeUInt32BE(a.uid >>> 0, 3);
  b.writeUInt32BE(a.gid >>> 0, 7);
  b.writeBigInt64BE(BigInt.asIntN(64, a.atime), 11);
  b.writeUInt32BE(a.atimensec >>> 0, 19);
  b.writeBigInt64BE(BigInt.asIntN(64, a.mtime), 23);
  b.writeUInt32BE(a.mtimensec >>> 0, 31);
  b.writeBigInt64BE(BigInt.asIntN(64, a.ctime), 35);
  b.writeUInt32BE(a.ctimensec >>> 0, 43);
  b.writeUInt32BE(a.nlink >>> 0, 47);
  b.writeBigUInt64BE(BigInt.asUintN(64, a.length), 51);
  b.writeUInt32BE(a.rdev >>> 0, 59);
  b.writeBigUInt64BE(BigInt.asUintN(64, parent), 63);
  let off = 71;
  if (hasAcl) {
    b.writeUInt32BE(accessAcl >>> 0, off);
    b.writeUInt32BE(defaultAcl >>> 0, off + 4);
    off += 8;
  }
  if (a.tier) b.writeUInt8(a.tier & 0xff, off);
  return b;
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
    atime: b.readBigInt64BE(11),
    atimensec: b.readUInt32BE(19),
    mtime: b.readBigInt64BE(23),
    mtimensec: b.readUInt32BE(31),
    ctime: b.readBigInt64BE(35),
    ctimensec: b.readUInt32BE(43),
    nlink: b.readUInt32BE(47),
    length: b.readBigUInt64BE(51),
    rdev: b.readUInt32BE(59),
    tier: 0,
  };
  let off = 63;
  let parent = 0n;
  let accessAcl = 0;
  let defaultAcl = 0;
  if (b.length - off >= 8) {
    parent = b.readBigUInt64BE(off);
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

/** Directory entry value: type u8 + inode u64. */
export function encodeEntry(type: NodeType, inode: bigint): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt8(TYPE_CODE[type], 0);
  b.writeBigUInt64BE(inode, 1);
  return b;
}

export function decodeEntry(name: Buffer, b: Buffer): DirEntry {
  if (b.length !== 9) throw new Error(`corrupt directory entry "${name.toString("latin1")}": value has ${b.length} bytes, expected 9`);
  const type = typeFromCode(b.readUInt8(0));
  return { name, inode: b.readBigUInt64BE(1), type: type ?? ("unknown" as NodeType) };
}

export const SLICE_BYTES = 24;

export function encodeSlice(s: Slice, b: Buffer = Buffer.alloc(SLICE_BYTES), off = 0): Buffer {
  b.writeUInt32BE(s.pos >>> 0, off);
  b.writeBigUInt64BE(s.id, off + 4);
  b.writeUInt32BE(s.size >>> 0, off + 12);
  b.writeUInt32BE(s.off >>> 0, off + 16);
  b.writeUInt32BE(s.len >>> 0, off + 20);
  return b;
}

/** A chunk list element; null for corrupt (wrong-size) records, which readers skip. */
export function decodeSlice(b: Buffer): Slice | null {
  if (b.length !== SLICE_BYTES) return null;
  return { pos: b.readUInt32BE(0), id: b.readBigUInt64BE(4), size: b.readUInt32BE(12), off: b.readUInt32BE(16), len: b.readUInt32BE(20) };
}

export function encodeQuota(q: QuotaLimit): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigInt64BE(BigInt.asIntN(64, q.maxSpace), 0);
  b.writeBigInt64BE(BigInt.asIntN(64, q.maxInodes), 8);
  return b;
}

export function decodeQuota(b: Buffer): QuotaLimit | null {
  if (b.length !== 16) return null;
  return { maxSpace: b.readBigInt64BE(0), maxInodes: b.readBigInt64BE(8) };
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
