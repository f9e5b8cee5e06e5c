// Contracts between the dump codecs (lib/dump) and their users (lib/engines, lib/storage, app).
// Codecs know nothing of engines: they turn these values into JuiceFS's JSON bytes and back.
import type {
  ChangeLogEntry,
  Counters,
  DelFile,
  DumpNode,
  QuotaLimit,
  SustainedEntry,
} from "../jfs/types";
import type { Setting } from "../jfs/setting";
import type { RecordEncoder, ScanBatch, TableBatch } from "../jfs/table-records";

/** Everything before the trees (dump keys 1–8). */
export interface DumpHeader {
  setting: Setting;
  counters: Counters;
  sustained: SustainedEntry[];
  delFiles: DelFile[];
  /** Keyed by inode / uid / gid; an empty or missing map is omitted from the output. */
  quotas?: Map<bigint, QuotaLimit>;
  userQuotas?: Map<bigint, QuotaLimit>;
  groupQuotas?: Map<bigint, QuotaLimit>;
  changeLog?: ChangeLogEntry[];
}

export type TreeName = "FSTree" | "Trash";

/**
 * Streaming writer of a JSON dump (lib/dump/writer.ts implements it), byte-exact with JuiceFS.
 * Call order: header, then for each tree: beginDir(tree) ... endDir(), then end().
 * Inside a directory: leaf() or beginDir(name)...endDir() per child, children in the order
 * they are to appear (the caller sorts by raw name bytes).
 * Every method returns a promise that resolves when the output can take more (backpressure).
 */
export interface TreeWriter {
  header(h: DumpHeader): Promise<void>;
  /** `name` is the tree key for a root, otherwise the raw entry name (escaped by the writer). */
  beginDir(name: TreeName | Buffer, node: DumpNode): Promise<void>;
  /** May return nothing when the output can take more at once (no promise to await per entry). */
  leaf(name: Buffer, node: DumpNode): Promise<void> | void;
  /**
   * leaf() of a plain entry given as JuiceFS's binary values (BinaryLeaf): the same output as
   * leaf() of the DumpNode they decode to, without the node (the staged walk, table-tree.ts).
   */
  leafBinary?(leaf: BinaryLeaf): Promise<void> | void;
  endDir(): Promise<void>;
  /** Writes the closing "\n}\n" and flushes; does not close the underlying stream. */
  end(): Promise<void>;
  /**
   * Instead of header, the trees and end: the whole dump from a flat scan of the stored tables
   * (MetaEngine.scanTables), for formats that need no tree order (binary). The header's quota
   * maps are not used: the scan's quota records carry limits and usage. `onRecords` is told
   * how many records each batch held. Flushes like end().
   */
  /** For tables(): an encoder of nodes, edges and chunks a scan may write them with (EncodedBatch). */
  recordEncoder?(): RecordEncoder;
  tables?(h: DumpHeader, batches: AsyncIterable<ScanBatch>, onRecords?: (n: number, table: TableBatch["table"]) => void): Promise<void>;
}

/**
 * A leaf without xattrs, ACLs or symlink target as stored, in b: its raw name, JuiceFS's binary
 * attr (lib/jfs/binary-values.ts: at least 63 bytes, a known type other than directory) and the
 * chunks the dump shows, ascending, each as u32 LE index, u32 LE byte length and that many bytes
 * of 24-byte binary slices (a partial one at the end ignored; a chunk with none left out).
 * The caller has applied the dump's rules that need more than these bytes (dump.ts toDumpNode):
 * `inode` is the entry's, `showLength` says whether the attr's length is shown (else 0), and
 * only chunks below the file's length are in [chunksAt, chunksEnd).
 */
export interface BinaryLeaf {
  b: Buffer;
  nameAt: number;
  nameLen: number;
  /** Below 2^53. */
  inode: number;
  attrAt: number;
  attrLen: number;
  showLength: boolean;
  chunksAt: number;
  chunksEnd: number;
}

/** A directory being read; `inode` is known once its attr has been read. */
export interface DirHandle {
  readonly id: number;
  inode?: bigint;
  /** The directory containing this one; null for a tree root. */
  readonly parent: DirHandle | null;
}

/** Where something was read: a JSON path (or a binary dump's record path) and a byte offset. */
export type { Where } from "../jfs/json/decode";
import type { Where } from "../jfs/json/decode";

/** One tree entry, delivered by the reader when its JSON object closes (post-order). */
export interface ReadEntry {
  tree: TreeName;
  /** Raw (unescaped) name; for a tree root, the bytes of "FSTree" / "Trash". */
  name: Buffer;
  /** 0 for a tree root, 1 for its children, ... */
  depth: number;
  node: DumpNode;
  isDir: boolean;
  /** The containing directory; null for a tree root. */
  parent: DirHandle | null;
  /** For directories: the handle its children carried as `parent`. */
  self: DirHandle | null;
  /** Where the entry's object starts; the path is built only when asked for. */
  at: Where;
}

/**
 * What the reader (lib/dump/reader.ts) calls while streaming a dump. Header sections are
 * delivered as they are met, in file order; any of them may be missing from the file, and
 * the consumer decides what is required. Returned promises are awaited (backpressure).
 */
export interface DumpVisitor {
  setting?(s: Setting): void | Promise<void>;
  counters?(c: Counters): void | Promise<void>;
  sustained?(s: SustainedEntry[]): void | Promise<void>;
  delFiles?(d: DelFile[]): void | Promise<void>;
  quotas?(kind: "dir" | "user" | "group", q: Map<bigint, QuotaLimit>): void | Promise<void>;
  changeLog?(c: ChangeLogEntry[]): void | Promise<void>;
  /** A tree (FSTree or Trash) starts; its entries follow, post-order, the root last. */
  treeStart?(tree: TreeName): void | Promise<void>;
  entry(e: ReadEntry): void | Promise<void>;
  treeEnd?(tree: TreeName): void | Promise<void>;
}

export { DumpFormatError } from "../jfs/json/format-error";
