// Binary values as JuiceFS stores them in Redis (docs/format/redis-keys.md §3), big-endian.
import type { DirEntry, NodeType, QuotaLimit } from "../../jfs/types";
import { TYPE_CODE, typeFromCode } from "../../jfs/types";
import { readU64, writeU64 } from "../../jfs/binary-values";

// The attr, slice and ACL encodings are shared with the binary dump: they live in lib/jfs.
export { decodeAcl, decodeAttr, decodeSlice, encodeAcl, encodeAttr, encodeSlice, SLICE_BYTES, type StoredAttr } from "../../jfs/binary-values";
import { JfsError } from "../../jfs/errors";

/** Directory entry value: type u8 + inode u64. */
export const ENTRY_BYTES = 9;

export function encodeEntry(type: NodeType, inode: bigint): Buffer {
  const b = Buffer.allocUnsafe(ENTRY_BYTES);
  b.writeUInt8(TYPE_CODE[type], 0);
  writeU64(b, inode, 1);
  return b;
}

/** encodeEntry()'s bytes at b[off, off + ENTRY_BYTES) from a type code and an inode below 2^53 (a binary load's columns). */
export function writeEntryAt(b: Buffer, off: number, typeCode: number, inode: number): void {
  b[off] = typeCode;
  b.writeUInt32BE(Math.floor(inode / 4294967296), off + 1);
  b.writeUInt32BE(inode >>> 0, off + 5);
}

export function decodeEntry(name: Buffer, b: Buffer): DirEntry {
  if (b.length !== ENTRY_BYTES) throw new JfsError("corrupt-input", `corrupt directory entry "${name.toString("latin1")}": value has ${b.length} bytes, expected ${ENTRY_BYTES}`);
  const type = typeFromCode(b.readUInt8(0));
  return { name, inode: readU64(b, 1), type: type ?? ("unknown" as NodeType) };
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

