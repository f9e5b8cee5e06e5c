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

/** What a scan asked for encoded records gives: record batches, and encoded ones of the tables it can encode. */
export type ScanBatch = TableBatch | EncodedBatch;

/**
 * Node, edge or chunk records already encoded as a binary dump's Batch members (the bytes
 * bulk-codec.ts encodeNodeRecords/encodeEdgeRecords/encodeChunkRecords give for the same
 * records), from a scan asked for them (MetaEngine.scanTables `encoded`): the Redis snapshot
 * reader writes them straight from the RDB's bytes, with no object, bigint or Buffer view per
 * record. Record i ends at `ends[i]` (it starts where record i − 1 ends, record 0 at 0). The
 * bytes are the receiver's: the scan never writes to them again.
 */
export interface EncodedBatch {
  table: "encoded";
  field: "nodes" | "edges" | "chunks";
  bytes: Buffer;
  ends: Int32Array;
  /** Records: `ends` may be longer. */
  count: number;
}

/** The fields a RecordEncoder writes, in the order a scan hands them over. */
export const ENCODED_FIELDS: readonly EncodedBatch["field"][] = ["nodes", "edges", "chunks"];

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

/**
 * Node, edge or chunk records of a flat scan as columns (NodeColumns, EdgeColumns, ChunkColumns)
 * over the bytes they were read in (MetaEngine.scanTableColumns), for a reader that copies them
 * on at once (the staged walk's sort, table-tree.ts): no object, bigint or Buffer per record.
 * Valid until the next batch is asked for.
 */
export type ColumnBatch =
  | { table: "columns"; field: "nodes"; cols: NodeColumns }
  | { table: "columns"; field: "edges"; cols: EdgeColumns }
  | { table: "columns"; field: "chunks"; cols: ChunkColumns };

/**
 * Writes node, edge and chunk records as they are read, straight into a binary dump's encoding
 * (EncodedBatch), for a scan that has each record's numbers and bytes at hand and no need of a
 * record object (the Redis snapshot reader). Numbers: a double when exact (below 2^53), else a
 * bigint. Bytes are copied before the call returns. Given by the binary writer
 * (TreeWriter.recordEncoder): the scan knows the records, not their format.
 */
export interface RecordEncoder {
  node(inode: number | bigint, attr: Buffer, start: number, end: number): void;
  edge(parent: number | bigint, inode: number | bigint, name: Buffer, start: number, end: number, type: number): void;
  chunk(inode: number | bigint, index: number, slices: Buffer, start: number, end: number): void;
  /**
   * Offered by an encoder that can take nodes, chunks and edges already in its order (the
   * staged walk's, table-tree.ts StagingEncoder: unsigned inode, then for an inode its node, its
   * chunks by index, its entries), which then joins them as they come instead of sorting them.
   * A scan that reads them so awaits it before the first of them and after every symlink and
   * xattr record (which it no longer takes); a record out of that order is an error.
   */
  inodeOrder?(): Promise<void>;
  /** Records of `field` written since its last take(). */
  count(field: EncodedBatch["field"]): number;
  /** Those records, handed over (null when none): later ones go to new bytes. */
  take(field: EncodedBatch["field"]): EncodedBatch | null;
}
