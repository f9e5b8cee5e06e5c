// Stored metadata as flat records, table by table: what a flat scan of a metadata engine yields
// (MetaEngine.scanTables) and what a binary dump holds (docs/format/dump-binary.md §2). No
// tree order and nothing recomputed: each record is what the engine stores, in the
// engine-neutral encodings the binary dump uses (lib/jfs/binary-values.ts).
import type { AclRule, QuotaKind } from "./types";

export interface NodeRecord {
  inode: bigint;
  /**
   * The binary attr (binary-values.ts encodeAttr: stored length, the parent field, ACL ids,
   * tier, trailing zero byte). Redis stores exactly this; SQL encodes its row into it.
   */
  attr: Buffer;
}
export interface EdgeRecord {
  parent: bigint;
  inode: bigint;
  /** Raw name bytes. */
  name: Buffer;
  /** Type code 1–7 (TYPE_CODE). */
  type: number;
}
export interface ChunkRecord {
  inode: bigint;
  index: number;
  /** Concatenated 24-byte slice records (binary-values.ts encodeSlice), in write order. */
  slices: Buffer;
}
export interface SymlinkRecord {
  inode: bigint;
  target: Buffer;
}
export interface XattrRecord {
  inode: bigint;
  name: Buffer;
  value: Buffer;
}
/** A directory's stats of its direct children. */
export interface DirStatRecord {
  inode: bigint;
  dataLength: bigint;
  usedSpace: bigint;
  usedInodes: bigint;
}
/** A hard-linked inode's links from one parent directory. */
export interface ParentRecord {
  inode: bigint;
  parent: bigint;
  cnt: bigint;
}
/** A slice referenced other than once; `refs` is the total count (Redis stores count − 1). */
export interface SliceRefRecord {
  id: bigint;
  size: number;
  refs: bigint;
}
export interface AclRecord {
  id: number;
  rule: AclRule;
}
/** A quota's limits (-1: none) and its stored usage. */
export interface QuotaRecord {
  key: bigint;
  maxSpace: bigint;
  maxInodes: bigint;
  usedSpace: bigint;
  usedInodes: bigint;
}

/** One batch of records of one table; a table may come in any number of batches. */
export type TableBatch =
  | { table: "nodes"; records: NodeRecord[] }
  | { table: "edges"; records: EdgeRecord[] }
  | { table: "chunks"; records: ChunkRecord[] }
  | { table: "symlinks"; records: SymlinkRecord[] }
  | { table: "xattrs"; records: XattrRecord[] }
  | { table: "dirStats"; records: DirStatRecord[] }
  | { table: "parents"; records: ParentRecord[] }
  | { table: "sliceRefs"; records: SliceRefRecord[] }
  | { table: "acls"; records: AclRecord[] }
  | { table: "quotas"; kind: QuotaKind; records: QuotaRecord[] };

export type TableName = TableBatch["table"];

/**
 * A batch of node, edge or chunk records as columns over the bytes they were read from (a
 * binary dump's segment payload): no object, bigint or Buffer view per record, which were most
 * of a binary load's garbage. Record i's numbers are at [i] of each column, exact (below 2^53:
 * a batch holding a larger one comes as records instead); its bytes are `bytes[start[i],
 * end[i])`. Valid only during the call that receives them: the columns may be reused.
 */
export interface RecordColumns {
  count: number;
  bytes: Buffer;
  start: Int32Array;
  end: Int32Array;
}
/** NodeRecords: bytes = the binary attr. */
export interface NodeColumns extends RecordColumns {
  inode: Float64Array;
}
/** EdgeRecords: bytes = the name; type = the type code (1–7). */
export interface EdgeColumns extends RecordColumns {
  parent: Float64Array;
  inode: Float64Array;
  type: Uint8Array;
}
/** ChunkRecords: bytes = the concatenated 24-byte slice records. */
export interface ChunkColumns extends RecordColumns {
  inode: Float64Array;
  index: Float64Array;
}
