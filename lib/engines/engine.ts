// One interface for every metadata engine, in the spirit of JuiceFS's pkg/meta: the engine
// reads and writes its own storage; the dump walk (dump.ts) and the load bookkeeping
// (load.ts) are shared above it. Engines never format JSON.
import type {
  AclRule,
  Attr,
  Chunk,
  Counters,
  DelFile,
  DirEntry,
  DumpNode,
  NodeType,
  QuotaKind,
  QuotaLimit,
  QuotaUsage,
  SustainedEntry,
  Xattr,
} from "../jfs/types";
import type { Setting } from "../jfs/setting";
import type { LoadChangelogOp } from "../jfs/changelog";
import type { ClearResult, LoadClaim } from "./load-claim";
import type { ChunkColumns, ColumnBatch, EdgeColumns, EncodedBatch, NodeColumns, RecordEncoder, ScanBatch, TableBatch } from "../jfs/table-records";

export type EngineKind = "redis" | "redis-sentinel" | "redis-cluster" | "sqlite3" | "mysql" | "postgres" | "etcd";

/** The Redis engine in any deployment (one server, Sentinel, Cluster): one key layout, one engine. */
export function isRedisKind(kind: EngineKind): kind is "redis" | "redis-sentinel" | "redis-cluster" {
  return kind === "redis" || kind === "redis-sentinel" || kind === "redis-cluster";
}

/** The raw facts of one inode, as stored (the dump walk applies JuiceFS's output rules). */
export interface StoredNode {
  inode: bigint;
  /** Type from the directory entry; used when the attr is missing. */
  entryType: NodeType;
  /** null when the inode has no stored attributes. */
  attr: Attr | null;
  symlink?: Buffer;
  xattrs: Xattr[];
  accessAcl?: AclRule;
  defaultAcl?: AclRule;
  /** Stored chunks with index < ceil(length / 64 MiB), ascending; others may be omitted. */
  chunks: Chunk[];
}

/** Runs one query when the caller allows (the dump bounds its concurrent reads by --threads). */
export type QueryGate = <T>(query: () => Promise<T>) => Promise<T>;

/** Reads of one moment of the database (MetaEngine.beginConsistentRead). */
export interface ConsistentRead {
  /** The moment read, by the database server's clock where it has one. */
  readonly takenAt: Date;
  /** Connections reading it at once (1 where the server cannot share one moment). */
  readonly connections: number;
  /** Back to reading the live database; frees what the snapshot holds. Idempotent. */
  end(): Promise<void>;
}

/** Children of a directory in output order: names[i] is the entry of nodes[i]. */
export interface ChildBatch {
  names: Buffer[];
  nodes: StoredNode[];
}

/** Why a database cannot take a load. */
export type EmptinessCheck =
  | { empty: true }
  | { empty: false; volume?: string; reason: string };

/** What the shared loader asks an engine to store. All writes may be buffered until flush(). */
export interface LoadSink {
  /**
   * Store an inode's attributes. `attr` carries the final nlink and length; `parent` is the
   * single-parent field (0 for hard links, fixed later by hardLink()).
   */
  node(attr: Attr, parent: bigint, aclIds: { access: number; default: number }, stored?: Buffer): void;
  edges(parent: bigint, entries: DirEntry[]): void;
  /**
   * `stored` (a binary load's): each chunk's slices as encodeSlice's records, one Buffer a chunk.
   * Like node()'s `stored` (encodeAttr of the same arguments, byte for byte), the bytes the
   * dump carried: an engine that stores these encodings (Redis) keeps them instead of encoding again.
   */
  chunks(inode: bigint, chunks: Chunk[], stored?: Buffer[]): void;
  /**
   * Slices met for the first time in this load (never id 0), with the size first met. Optional:
   * for engines that keep a row per slice (SQL); Redis and TKV keep shared slices only
   * (sliceRefs), and without it the load does not gather them.
   */
  newSlices?(slices: { id: bigint; size: number }[]): void;
  /**
   * Optional, a binary load's fast path for engines that store the dump's own encodings (Redis):
   * records [from, to) of a segment's columns (table-records.ts), stored as the dump carries
   * them, in place of node(), edges() and chunks(). storedNodes: each attr is encodeAttr's bytes
   * (isEncodedAttr; any other comes through node()), hard links patched by hardLink() as ever.
   * storedEdges: all of one parent. storedChunks: each a chunk's slice records, at least one.
   */
  storedNodes?(cols: NodeColumns, from: number, to: number): void;
  storedEdges?(cols: EdgeColumns, from: number, to: number): void;
  storedChunks?(cols: ChunkColumns, from: number, to: number): void;
  symlink(inode: bigint, target: Buffer): void;
  xattrs(inode: bigint, xattrs: Xattr[]): void;
  dirStats(inode: bigint, stats: { dataLength: bigint; usedSpace: bigint; usedInodes: bigint }): void;
  /** An inode met under several parents: nlink = occurrences, parent field 0, per-parent counts. */
  hardLink(inode: bigint, nlink: number, parents: Map<bigint, number>): void;
  aclRules(rules: Map<number, AclRule>): void;
  /** (id, size) pairs referenced more than once, with their total count. */
  sliceRefs(refs: { id: bigint; size: number; count: number }[]): void;
  delFiles(files: DelFile[]): void;
  quotas(kind: QuotaKind, quotas: Map<bigint, QuotaLimit & QuotaUsage>): void;
  /**
   * The change-log entries JuiceFS's load writes when the volume's ChangeLog is on (never
   * called otherwise), in order. Each engine words them as JuiceFS's does (changelogLines())
   * and stores them where its clients read the log; the dump's `lastChangelog` counts them.
   */
  changelog(ops: LoadChangelogOp[]): void;
  /** Counters in dump semantics; the engine applies its own storage convention. */
  counters(c: Counters): void;
  /** Written last, so that a half-loaded database never looks like a volume. */
  setting(s: Setting): void;
  /**
   * What the dump's header says the volume holds (its Counters), told before the first entry:
   * an engine with a hard size limit (etcd's backend quota) refuses a volume that cannot fit
   * before it writes anything. Optional; an estimate, the dump's counters may be stale.
   */
  expectVolume?(v: { inodes: bigint }): void;
  /** Send what is buffered; resolves when the engine can take more. */
  flush(): Promise<void>;
  /** Make everything durable. */
  commit(): Promise<void>;
  /** Undo everything this load wrote: the database is left empty, as it was found. */
  abort(): Promise<void>;
}

export interface MetaEngine {
  readonly kind: EngineKind;
  /** The META-URL with any password replaced by "****": safe to show and log. */
  readonly redactedUrl: string;

  close(): Promise<void>;

  /** The stored volume format, or null when the database holds none. */
  readSetting(): Promise<Setting | null>;
  writeSetting(s: Setting): Promise<void>;
  /**
   * Create the Trash directory (TRASH_INODE) when it is missing, as JuiceFS's format and config
   * do whenever TrashDays > 0: root-owned, mode 0555, nlink 2, parent 1, times `now`. A dump
   * taken with --subdir or --skip-trash has no Trash, and without it JuiceFS clients fail
   * unlink and rmdir. Resolves to whether it was created.
   */
  ensureTrashDir(now: Date): Promise<boolean>;

  /** Load needs an empty database (JuiceFS's rule for each engine). */
  checkEmpty(): Promise<EmptinessCheck>;

  // --- reading (dump, inspection) ---
  readCounters(): Promise<Counters>;
  readSustained(): Promise<SustainedEntry[]>;
  readDelFiles(): Promise<DelFile[]>;
  /** Limits only. */
  readQuotas(kind: QuotaKind): Promise<Map<bigint, QuotaLimit>>;
  lookup(parent: bigint, name: Buffer): Promise<DirEntry | null>;
  /**
   * The entries of a directory in batches. `sorted` tells whether the engine yields them in
   * raw-name byte order already (SQL can; Redis cannot), so the walker sorts only when needed.
   */
  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> };
  /** Full data of a batch of inodes, in the order asked. */
  readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]>;
  /**
   * A directory's children with their full data, in raw-name byte order, a page at a time.
   * Engines that list sorted and can join an entry with its inode (SQL) offer it: the dump
   * then costs two queries a page instead of a listing plus reads of every hundred entries.
   */
  readDirNodes?(inode: bigint, gate?: QueryGate): AsyncIterable<ChildBatch>;
  /**
   * Every stored record of the tables a binary dump holds (nodes, edges, chunks, symlinks,
   * xattrs, dir stats, hard-link parents, slice references, ACL rules, quotas with their usage),
   * in batches, in no tree order: a flat bulk scan (SQL: keyset pages of each table; Redis:
   * SCAN by key type with pipelined reads of raw values). Records are as stored, nothing
   * recomputed, chunks past a file's length included, as JuiceFS's binary dump takes them.
   * Each query runs through `gate` (--threads, a gentle dump's pacing); inside
   * beginConsistentRead every query reads that moment. A binary dump of the whole volume uses
   * it; without it (or with --skip-trash, which needs the tree) the dump walks the tree.
   * The dump calls it before it reads the header and iterates it after: an engine whose scan
   * reads a snapshot (Redis: the server's RDB) asks for it at the call, and its readCounters()
   * waits until the snapshot has begun, so the header's counters are never older than the
   * tables; a scan never iterated is ended by return(). `paced: false` (a dump without
   * --max-ops or --max-latency): an engine may read a whole table by one streamed statement,
   * outside `gate` (which paces and bounds queries: an unpaced scan of one statement at a time
   * has nothing for it to hold back; PostgreSQL and MariaDB, sql/scan.ts WholeTables); unsaid, it reads in
   * pages, each through `gate`.
   */
  scanTables?(gate?: QueryGate, opts?: { paced?: boolean }): AsyncIterable<TableBatch>;
  /**
   * `encoder`: the caller (the binary writer) also takes nodes, edges and chunks written with
   * it (EncodedBatch); an engine may still give them as records. `treeOnly`: the caller (the
   * staged walk of a JSON dump) uses only what the dump's tree shows, and the engine may leave
   * out what scanTableColumns may (dir stats, hard links' parents, slice references): where
   * they would be held until the scan's end (Redis's snapshot joins the dir-stat hashes), that
   * memory grows with the volume.
   */
  scanTables?(gate: QueryGate | undefined, opts: { encoder: RecordEncoder; paced?: boolean; treeOnly?: boolean }): AsyncIterable<ScanBatch>;
  /**
   * scanTables() with node, edge and chunk records as columns where the engine reads them so
   * (ColumnBatch), for the staged walk (table-tree.ts), which copies them on at once. It may
   * leave out the tables a JSON dump's tree does not show (dir stats, hard-link parents, slice
   * references, quotas). `encoder`: the staged walk's (StagingEncoder); where the engine can
   * read nodes, chunks and edges in its order it may write them with it instead, after awaiting
   * RecordEncoder.inodeOrder (the staged walk then joins them without sorting them first).
   */
  scanTableColumns?(gate?: QueryGate, opts?: { paced?: boolean; encoder?: RecordEncoder }): AsyncIterable<TableBatch | ColumnBatch | EncodedBatch>;
  /**
   * Whether a JSON dump of the whole volume reads scanTables() and orders the tree itself
   * (table-tree.ts) instead of walking it through readDir/readNodes: true where that measured
   * cheaper (README, Performance). A promise where only the server can tell: Redis's flat scan
   * is the cheaper only as the server's snapshot, so it asks for that snapshot here. Asked once,
   * just before such a dump, which calls scanTables() next when the answer is true. `paced`: the
   * dump was given a pace (--max-ops, --max-latency), which a server's snapshot (one fork, one
   * stream) would not keep. JFSMETA_STAGED_WALK=0 turns it off for a run (and it is not asked).
   */
  jsonDumpFromTables?(opts: { paced: boolean }): boolean | Promise<boolean>;
  /**
   * How far a dump may read ahead of what it has written: directories opened and entries
   * held. More overlaps more round trips; an engine that answers synchronously gains nothing
   * from it but memory. Default: 64 directories, 8192 entries.
   */
  readonly dumpReadAhead?: { dirs: number; entries: number };
  /**
   * From now until end(), every read of this engine sees one moment of the database (a dump's
   * --consistent); `parallel` is how many reads the caller will make at once. Writes are refused
   * meanwhile. An engine that cannot offer it leaves it out, and the dump refuses --consistent.
   */
  beginConsistentRead?(parallel: number): Promise<ConsistentRead>;
  /**
   * Whether beginConsistentRead costs the database next to nothing (an MVCC snapshot), so that
   * automatic backups use it by default; false where it copies the data (Redis's replica).
   */
  readonly consistentReadIsCheap?: boolean;
  /**
   * What the engine is waiting on before it can answer at all, or null: a Redis server asked
   * for its snapshot forks only after repl-diskless-sync-delay (5 s by default) or a save in
   * progress. The dump shows it as progress while it waits, so a quiet start is explained.
   */
  waitingFor?(): string | null;
  /**
   * Every dump reads one moment, --consistent or not (dumpMeta opens beginConsistentRead itself):
   * where the snapshot costs nothing and a live read would gain nothing (etcd's revisions).
   */
  readonly dumpsAlwaysConsistent?: boolean;
  /** Counts for dashboards: inodes and used space as the engine's counters say. */
  usage(): Promise<{ usedSpace: bigint; usedInodes: bigint }>;

  // --- writing (load) ---
  /**
   * Claim an empty database for this load, atomically (see load-claim.ts), and prepare it (SQL
   * creates its tables). Fails if it is not empty, or with LoadClaimedError if another load
   * holds or left a claim. The claim ends with the sink's commit() or abort().
   */
  beginLoad(): Promise<LoadSink>;
  /** The claim of a jfsmeta load on this database, running or interrupted; null when none. */
  findLoadClaim(): Promise<LoadClaim | null>;
  /**
   * Remove what an interrupted jfsmeta load wrote, and its claim. Refuses while that load runs;
   * never removes a volume: once a setting exists only the stale claim goes.
   */
  clearInterruptedLoad(): Promise<ClearResult>;

  // --- xattr on one inode (automatic-backup lock: `lastBackup` on inode 1) ---
  getXattr(inode: bigint, name: string): Promise<Buffer | null>;
  /** Atomically set `name` to `value` only if it still holds `expected` (null = absent). */
  compareAndSetXattr(inode: bigint, name: string, expected: Buffer | null, value: Buffer): Promise<boolean>;
}

/** Convert a DumpNode-producing stored node for dumps (applied by dump.ts). */
export type { DumpNode };
