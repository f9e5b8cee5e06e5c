// JuiceFS's transactional-KV layout (pkg/meta/tkv.go; /work/shared/spec/sql-tkv-schema.md §2):
// the keys and values every TKV backend (etcd here; TiKV, FoundationDB later) stores after its
// client prefix. Pure functions over Buffers; the backend adds its prefix (withPrefix).
//
// Byte order is the trap of this layout: an inode inside a KEY is 8 bytes little-endian, every
// other integer in a key is big-endian; inside VALUES inodes are big-endian, incremented counters,
// K refs and P link counts are little-endian, set-if-small timestamps big-endian.
import type { DelFile, NodeType, QuotaKind, QuotaLimit, QuotaUsage } from "../../jfs/types";
import { TYPE_CODE, typeFromCode } from "../../jfs/types";
import { readI64, readU64, writeI64, writeU64 } from "../../jfs/binary-values";
import { JfsError } from "../../jfs/errors";

/** The byte that ends every TKV client prefix (`<path>\xFD`). */
export const PREFIX_END = 0xfd;

/** The literal key of the volume format. */
export const SETTING_KEY = Buffer.from("setting");

const A = 0x41;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function le64(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}

function be64(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, v, 0);
  return b;
}

function be32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** The bytes of an `A` ino tag key (before any name or index after it). */
export const INODE_KEY_BYTES = 10;

/**
 * `A` ino(LE) tag at b[at, at + INODE_KEY_BYTES): an inode's key written into a request being
 * built (an etcd load's), with plain numbers below 2^53 (writeBigUInt64LE does BigInt arithmetic).
 */
export function writeInodeKeyAt(b: Buffer, at: number, ino: bigint | number, tag: number): void {
  b[at] = A;
  if (typeof ino === "number" || (ino >= 0n && ino <= SAFE)) {
    const n = Number(ino);
    b.writeUInt32LE(n >>> 0, at + 1);
    b.writeUInt32LE(Math.floor(n / 4294967296), at + 5);
  } else b.writeBigUInt64LE(BigInt.asUintN(64, ino), at + 1);
  b[at + 9] = tag;
}

/** The tags of an inode's keys. */
export const ATTR_TAG = 0x49; // I
export const ENTRY_TAG = 0x44; // D
export const CHUNK_TAG = 0x43; // C

/** `A` ino(LE) tag …: the keys of one inode. */
function inodeKey(ino: bigint, tag: number, extra?: Buffer): Buffer {
  const b = Buffer.allocUnsafe(10 + (extra?.length ?? 0));
  b[0] = A;
  b.writeBigUInt64LE(BigInt.asUintN(64, ino), 1);
  b[9] = tag;
  if (extra) extra.copy(b, 10);
  return b;
}

/** Every key of an inode starts with this: `A` ino. */
export function inodePrefix(ino: bigint): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = A;
  b.writeBigUInt64LE(BigInt.asUintN(64, ino), 1);
  return b;
}

export const attrKey = (ino: bigint) => inodeKey(ino, ATTR_TAG);
export const entryKey = (parent: bigint, name: Buffer) => inodeKey(parent, ENTRY_TAG, name);
/** The first key of a directory's entries (`A ino D`); its range ends at nextKey() of it. */
export const entriesPrefix = (parent: bigint) => inodeKey(parent, ENTRY_TAG);
export const parentKey = (ino: bigint, parent: bigint) => inodeKey(ino, 0x50, le64(parent)); // P
export const chunkKey = (ino: bigint, index: number) => inodeKey(ino, CHUNK_TAG, be32(index));
export const chunksPrefix = (ino: bigint) => inodeKey(ino, CHUNK_TAG);
export const symlinkKey = (ino: bigint) => inodeKey(ino, 0x53); // S
export const xattrKey = (ino: bigint, name: Buffer) => inodeKey(ino, 0x58, name); // X
export const xattrsPrefix = (ino: bigint) => inodeKey(ino, 0x58);

export function counterKey(name: string): Buffer {
  return Buffer.concat([Buffer.from("C"), Buffer.from(name)]);
}

/** `U` ino: a directory's stats. */
export function dirStatKey(ino: bigint): Buffer {
  return Buffer.concat([Buffer.from("U"), le64(ino)]);
}

/** `D` ino(LE) length(BE): a deleted file awaiting cleanup. */
export function delFileKey(ino: bigint, length: bigint): Buffer {
  return Buffer.concat([Buffer.from("D"), le64(ino), be64(length)]);
}

/** `K` sliceId(BE) size(BE u32). */
export function sliceRefKey(id: bigint, size: number): Buffer {
  return Buffer.concat([Buffer.from("K"), be64(id), be32(size)]);
}

/** `SS` sid(BE) ino(LE): a sustained inode. */
export function sustainedKey(sid: bigint, ino: bigint): Buffer {
  return Buffer.concat([Buffer.from("SS"), be64(sid), le64(ino)]);
}

/** `QD` ino(LE), `QU` uid(BE u64), `QG` gid(BE u64): quotas (the user and group ids are not inodes). */
export function quotaKey(kind: QuotaKind, id: bigint): Buffer {
  if (kind === "dir") return Buffer.concat([Buffer.from("QD"), le64(id)]);
  return Buffer.concat([Buffer.from(kind === "user" ? "QU" : "QG"), be64(id)]);
}
export const QUOTA_PREFIX: Record<QuotaKind, Buffer> = { dir: Buffer.from("QD"), user: Buffer.from("QU"), group: Buffer.from("QG") };

/** `R` id(BE u32): an ACL rule. */
export function aclKey(id: number): Buffer {
  return Buffer.concat([Buffer.from("R"), be32(id)]);
}

/** The end of the range of every key that starts with `p`: p with its last byte incremented (with carry). */
export function nextKey(p: Buffer): Buffer {
  const b = Buffer.from(p);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      b[i]++;
      return b.subarray(0, i + 1);
    }
  }
  // All 0xFF: every key above it. etcd reads a range end of "\0" as "to the end of the keyspace".
  return Buffer.from([0]);
}

// --- parsing keys (after the client prefix) ---

/** The inode of an `A` ino … key. */
export const keyInode = (k: Buffer, at = 1) => k.readBigUInt64LE(at);

/** A `D` key's (inode, length); null when its body is not 16 bytes (JuiceFS skips it with a warning). */
export function parseDelFileKey(k: Buffer, value: Buffer): DelFile | null {
  if (k.length !== 17 || value.length !== 8) return null;
  return { inode: k.readBigUInt64LE(1), length: readU64(k, 9), expire: readU64(value, 0) };
}

/** An `SS` key's (sid, inode); null when it is not 2+8+8 bytes. */
export function parseSustainedKey(k: Buffer): { sid: bigint; inode: bigint } | null {
  if (k.length !== 18) return null;
  return { sid: readU64(k, 2), inode: k.readBigUInt64LE(10) };
}

/** A quota key's id (inode LE for QD, uid/gid BE otherwise); null when it is not 10 bytes. */
export function parseQuotaKey(kind: QuotaKind, k: Buffer): bigint | null {
  if (k.length !== 10) return null;
  return kind === "dir" ? k.readBigUInt64LE(2) : readU64(k, 2);
}

// --- values ---

/** An incremented counter, K refs − 1, a P link count: 8-byte little-endian signed. */
export function encodeCounter(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(BigInt.asIntN(64, v));
  return b;
}

/** Absent reads as 0, as in JuiceFS; a value that is not 8 bytes too (JuiceFS would panic). */
export function decodeCounter(b: Buffer | null | undefined): bigint {
  return b && b.length === 8 ? b.readBigInt64LE(0) : 0n;
}

/** Directory entry value: type u8 + inode BE u64 (the same 9 bytes as in Redis). */
export function encodeEntry(type: NodeType, inode: bigint): Buffer {
  const b = Buffer.allocUnsafe(ENTRY_BYTES);
  writeEntryValueAt(b, 0, TYPE_CODE[type], inode);
  return b;
}
export const ENTRY_BYTES = 9;

/** encodeEntry()'s bytes at b[at, at + ENTRY_BYTES), from a type code (a binary load's columns give numbers). */
export function writeEntryValueAt(b: Buffer, at: number, typeCode: number, inode: bigint | number): void {
  b[at] = typeCode;
  if (typeof inode === "bigint") return writeU64(b, inode, at + 1);
  b.writeUInt32BE(Math.floor(inode / 4294967296), at + 1);
  b.writeUInt32BE(inode >>> 0, at + 5);
}

export function decodeEntry(name: Buffer, b: Buffer): { name: Buffer; inode: bigint; type: NodeType } {
  if (b.length !== 9) throw new JfsError("corrupt-input", `corrupt directory entry "${name.toString("latin1")}": value has ${b.length} bytes, expected 9`);
  return { name, inode: readU64(b, 1), type: typeFromCode(b[0]) ?? ("unknown" as NodeType) };
}

/** Dir stat: length, space, inodes, each i64 BE. */
export function encodeDirStat(s: { dataLength: bigint; usedSpace: bigint; usedInodes: bigint }): Buffer {
  const b = Buffer.allocUnsafe(24);
  writeI64(b, s.dataLength, 0);
  writeI64(b, s.usedSpace, 8);
  writeI64(b, s.usedInodes, 16);
  return b;
}

/** Quota: maxSpace, maxInodes, usedSpace, usedInodes, each i64 BE (32 bytes). */
export function encodeQuota(q: QuotaLimit & QuotaUsage): Buffer {
  const b = Buffer.allocUnsafe(32);
  writeI64(b, q.maxSpace, 0);
  writeI64(b, q.maxInodes, 8);
  writeI64(b, q.usedSpace, 16);
  writeI64(b, q.usedInodes, 24);
  return b;
}

/** The limits of a quota value; null unless it is 32 bytes (JuiceFS skips those). */
export function decodeQuota(b: Buffer): (QuotaLimit & QuotaUsage) | null {
  if (b.length !== 32) return null;
  return { maxSpace: readI64(b, 0), maxInodes: readI64(b, 8), usedSpace: readI64(b, 16), usedInodes: readI64(b, 24) };
}

/** A delfile's value: BE unix seconds. */
export const encodeDelFileTime = (expire: bigint) => be64(expire);
