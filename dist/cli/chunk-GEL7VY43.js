import {
  TYPE_CODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";

// lib/jfs/binary-values.ts
var TWO32 = 4294967296;
var SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function writeU64(b, v, off) {
  if (v >= 0n && v <= SAFE) {
    const n = Number(v);
    b.writeUInt32BE(Math.floor(n / TWO32), off);
    b.writeUInt32BE(n >>> 0, off + 4);
  } else b.writeBigUInt64BE(BigInt.asUintN(64, v), off);
}
function writeI64(b, v, off) {
  if (v >= -SAFE && v <= SAFE) {
    const n = Number(v);
    b.writeInt32BE(Math.floor(n / TWO32), off);
    b.writeUInt32BE(n >>> 0, off + 4);
  } else b.writeBigInt64BE(BigInt.asIntN(64, v), off);
}
function readU64(b, off) {
  const hi = b.readUInt32BE(off);
  return hi < 2097152 ? BigInt(hi * TWO32 + b.readUInt32BE(off + 4)) : b.readBigUInt64BE(off);
}
function readI64(b, off) {
  const hi = b.readInt32BE(off);
  return hi < 2097152 && hi >= -2097152 ? BigInt(hi * TWO32 + b.readUInt32BE(off + 4)) : b.readBigInt64BE(off);
}
function encodeAttr(a, parent, accessAcl = 0, defaultAcl = 0) {
  const hasAcl = accessAcl !== 0 || defaultAcl !== 0;
  const size = 72 + (hasAcl ? 8 : 0) + (a.tier ? 1 : 0);
  const b = Buffer.allocUnsafe(size);
  b[size - 1] = 0;
  b.writeUInt8(a.flags & 255, 0);
  b.writeUInt16BE((TYPE_CODE[a.type] & 15) << 12 | a.mode & 4095, 1);
  b.writeUInt32BE(a.uid >>> 0, 3);
  b.writeUInt32BE(a.gid >>> 0, 7);
  writeI64(b, a.atime, 11);
  b.writeUInt32BE(a.atimensec >>> 0, 19);
  writeI64(b, a.mtime, 23);
  b.writeUInt32BE(a.mtimensec >>> 0, 31);
  writeI64(b, a.ctime, 35);
  b.writeUInt32BE(a.ctimensec >>> 0, 43);
  b.writeUInt32BE(a.nlink >>> 0, 47);
  writeU64(b, a.length, 51);
  b.writeUInt32BE(a.rdev >>> 0, 59);
  writeU64(b, parent, 63);
  let off = 71;
  if (hasAcl) {
    b.writeUInt32BE(accessAcl >>> 0, off);
    b.writeUInt32BE(defaultAcl >>> 0, off + 4);
    off += 8;
  }
  if (a.tier) b.writeUInt8(a.tier & 255, off);
  return b;
}
function isEncodedAttr(b, start = 0, end = b.length) {
  const n = end - start;
  if (n < 72 || b[end - 1] !== 0 || typeFromCode(b[start + 1] >> 4) === void 0) return false;
  if (n === 72) return true;
  if (n === 73) return b[start + 71] !== 0;
  if (n !== 80 && n !== 81) return false;
  let acl = 0;
  for (let i = start + 71; i < start + 79; i++) acl |= b[i];
  return acl !== 0 && (n === 80 || b[start + 79] !== 0);
}
function decodeAttr(inode, b) {
  if (b.length < 63) return null;
  const typeMode = b.readUInt16BE(1);
  const type = typeFromCode(typeMode >> 12);
  const attr = {
    inode,
    flags: b.readUInt8(0),
    type: type ?? "unknown",
    mode: typeMode & 4095,
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
    tier: 0
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
var SLICE_BYTES = 24;
function encodeSlice(s, b = Buffer.allocUnsafe(SLICE_BYTES), off = 0) {
  b.writeUInt32BE(s.pos >>> 0, off);
  writeU64(b, s.id, off + 4);
  b.writeUInt32BE(s.size >>> 0, off + 12);
  b.writeUInt32BE(s.off >>> 0, off + 16);
  b.writeUInt32BE(s.len >>> 0, off + 20);
  return b;
}
function decodeSlice(b) {
  if (b.length !== SLICE_BYTES) return null;
  return { pos: b.readUInt32BE(0), id: readU64(b, 4), size: b.readUInt32BE(12), off: b.readUInt32BE(16), len: b.readUInt32BE(20) };
}
function encodeAcl(r) {
  const b = Buffer.alloc(8 + 4 + r.users.length * 6 + 4 + r.groups.length * 6);
  b.writeUInt16BE(r.owner & 65535, 0);
  b.writeUInt16BE(r.group & 65535, 2);
  b.writeUInt16BE(r.mask & 65535, 4);
  b.writeUInt16BE(r.other & 65535, 6);
  let off = 8;
  for (const list of [r.users, r.groups]) {
    b.writeUInt32BE(list.length, off);
    off += 4;
    for (const e of list) {
      b.writeUInt32BE(e.id >>> 0, off);
      b.writeUInt16BE(e.perm & 65535, off + 4);
      off += 6;
    }
  }
  return b;
}
function decodeAcl(b) {
  if (b.length < 16) return null;
  let off = 8;
  const readList = () => {
    if (off + 4 > b.length) return null;
    const n = b.readUInt32BE(off);
    off += 4;
    if (off + n * 6 > b.length) return null;
    const list = [];
    for (let i = 0; i < n; i++, off += 6) list.push({ id: b.readUInt32BE(off), perm: b.readUInt16BE(off + 4) });
    return list;
  };
  const users = readList();
  const groups = readList();
  if (!users || !groups) return null;
  return { owner: b.readUInt16BE(0), group: b.readUInt16BE(2), mask: b.readUInt16BE(4), other: b.readUInt16BE(6), users, groups };
}

export {
  writeU64,
  writeI64,
  readU64,
  readI64,
  encodeAttr,
  isEncodedAttr,
  decodeAttr,
  SLICE_BYTES,
  encodeSlice,
  decodeSlice,
  encodeAcl,
  decodeAcl
};
