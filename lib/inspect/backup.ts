// Backups on the server: a dump is streamed once into an on-disk SQLite index (one row per
// entry: parent directory, raw name, rank among siblings, the node), then paged from there.
// Memory stays flat: rows go to SQLite in batches inside one transaction, and only the
// directories still open in the stream (one per level) are tracked.
import { rename, rm } from "node:fs/promises";
import { pipeline, type Readable, type Writable } from "node:stream";
import v8 from "node:v8";
import Database from "better-sqlite3";
import type { DumpHeader, DumpVisitor, ReadEntry, TreeName } from "../dump/types";
import { ByteCounter } from "../dump/input";
import { OpenDirs } from "../dump/open-dirs";
import { collectHeader, readDump } from "../dump/reader";
import { JsonDumpWriter } from "../dump/writer";
import { effectiveTiers, maskSecrets, type Setting } from "../jfs/setting";
import { unescapeName } from "../jfs/escape";
import type { ChangeLogEntry, Counters, DelFile, DumpNode, QuotaLimit, SustainedEntry } from "../jfs/types";
import { describeEntry, displayName, treeItemOf } from "./describe";
import { diffNodeOf, type DiffNode, type DiffSide } from "./diff";
import { nameMatcher, parseInodeQuery, pathNames, pathOf, type NameMatcher } from "./find";
import { decodeNode, encodeNode } from "./nodecodec";
import {
  BackupIndexInfoSchema,
  type BackupIndexInfo,
  type ChildrenPage,
  type EntryDetail,
  type FindHit,
  type FindPage,
  type FindQuery,
  type IndexProgress,
  type TreeItem,
} from "./schemas";
import { checkPage, InspectNotFoundError, InspectRequestError, type TreeSource } from "./source";

const INDEX_VERSION = 2;
const BATCH_ROWS = 2000;
const ROWS_PER_INSERT = 100; // 700 parameters, under SQLite's limit of 32766
const PROGRESS_EVERY = 10_000;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entries (
  id     INTEGER PRIMARY KEY,  -- stream order (post-order)
  parent INTEGER,              -- directory id of the containing directory; NULL for a tree root
  ord    INTEGER NOT NULL,     -- rank among siblings in raw-name byte order
  name   BLOB NOT NULL,        -- raw name bytes
  lname  TEXT NOT NULL,        -- lowercased display name, for filters
  dir    INTEGER,              -- directories: their own directory id
  nchild INTEGER,              -- directories: number of entries
  node   BLOB NOT NULL         -- DumpNode, nodecodec.ts
);`;

// Built after the bulk insert: cheaper than maintaining them row by row.
const INDEXES = `
CREATE INDEX entries_page ON entries(parent, ord);
CREATE INDEX entries_name ON entries(parent, name);
CREATE UNIQUE INDEX entries_dir ON entries(dir) WHERE dir IS NOT NULL;`;

export interface IndexBackupOptions {
  onProgress?: (p: IndexProgress) => void;
  /** Stops indexing; the partial index is removed. */
  signal?: AbortSignal;
}

/** A directory's children so far: how many, and whether they came sorted. */
interface ChildOrder {
  count: number;
  last: Buffer | null;
  sorted: boolean;
}

/** The entries table's rows, in column order. */
export type IndexRow = [parent: number | null, ord: number, name: Buffer, lname: string, dir: number | null, nchild: number | null, node: Buffer];

/** What the header of a dump holds, kept in the index for export (secrets already masked). */
export interface StoredHeader {
  setting: Setting | null;
  counters: Counters | null;
  sustained: SustainedEntry[];
  delFiles: DelFile[];
  quotas: Map<bigint, QuotaLimit>;
  userQuotas: Map<bigint, QuotaLimit>;
  groupQuotas: Map<bigint, QuotaLimit>;
  changeLog: ChangeLogEntry[] | null;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function quotaRecord(m: Map<bigint, QuotaLimit>): Record<string, { maxSpace: string; maxInodes: string }> {
  const out: Record<string, { maxSpace: string; maxInodes: string }> = {};
  for (const k of [...m.keys()].map(String).sort()) {
    const q = m.get(BigInt(k))!;
    out[k] = { maxSpace: q.maxSpace.toString(), maxInodes: q.maxInodes.toString() };
  }
  return out;
}

/** An index file being written: its open database (one transaction) and a batched row writer. */
export interface IndexBuild {
  readonly db: Database.Database;
  /** The file being written (renamed to the index's path when complete): siblings may go beside it. */
  readonly tmpPath: string;
  /** Rows in stream order: post-order, a directory after its entries (their ids are that order). */
  push(row: IndexRow): void;
}

/** What a build hands back for the summary; `afterRows` runs once the rows and indexes are written. */
export interface IndexBuilt {
  header: StoredHeader;
  /** Bytes of the (decompressed) dump read. */
  bytes: number;
  entries: number;
  directories: number;
  trees: TreeName[];
  afterRows?: () => void;
}

/** A header with nothing in it, for the build to fill. */
export function emptyStoredHeader(): StoredHeader {
  return { setting: null, counters: null, sustained: [], delFiles: [], quotas: new Map(), userQuotas: new Map(), groupQuotas: new Map(), changeLog: null };
}

/**
 * Builds an index file at `indexPath` under a temporary name: `build` pushes the rows and
 * returns what the summary needs; the indexes, header and summary are then written and the
 * file renamed. Whatever `build` throws leaves nothing behind (`cleanup` runs either way).
 * Shared by the JSON dump (indexBackup) and the binary one (binary-index.ts).
 */
export async function writeIndexFile(
  indexPath: string,
  build: (b: IndexBuild) => Promise<IndexBuilt>,
  cleanup?: () => Promise<void>,
): Promise<BackupIndexInfo> {
  const started = Date.now();
  const tmpPath = `${indexPath}.tmp-${process.pid}-${Date.now()}`;
  await rm(tmpPath, { force: true });
  const db = new Database(tmpPath);
  let ok = false;
  try {
    // A throwaway file until the rename: durability only matters at the end.
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -65536");
    db.pragma("temp_store = FILE");
    db.exec(SCHEMA);
    // Many rows per statement: one call into SQLite instead of one per entry.
    const insertSql = (rows: number) =>
      "INSERT INTO entries (parent, ord, name, lname, dir, nchild, node) VALUES " + Array(rows).fill("(?, ?, ?, ?, ?, ?, ?)").join(", ");
    const insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
    const insertOne = db.prepare(insertSql(1));
    let rows: IndexRow[] = [];
    const flush = () => {
      let i = 0;
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) insertMany.run(rows.slice(i, i + ROWS_PER_INSERT).flat());
      for (; i < rows.length; i++) insertOne.run(rows[i]);
      rows = [];
    };

    db.exec("BEGIN");
    const built = await build({
      db,
      tmpPath,
      push(row) {
        rows.push(row);
        if (rows.length >= BATCH_ROWS) flush();
      },
    });
    flush();
    const { header } = built;
    db.exec(INDEXES);
    built.afterRows?.();
    const info: BackupIndexInfo = BackupIndexInfoSchema.parse({
      indexVersion: INDEX_VERSION,
      bytes: built.bytes,
      entries: built.entries,
      directories: built.directories,
      trees: built.trees,
      setting: header.setting ? plain(header.setting) : {},
      counters: header.counters ? plain(header.counters) : {},
      quotas: { dir: quotaRecord(header.quotas), user: quotaRecord(header.userQuotas), group: quotaRecord(header.groupQuotas) },
      delFiles: header.delFiles.length,
      sustainedInodes: header.sustained.reduce((n, s) => n + s.inodes.length, 0),
      changeLogEntries: header.changeLog?.length ?? 0,
      durationMs: Date.now() - started,
    });
    const putMeta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    putMeta.run("header", v8.serialize(header));
    putMeta.run("info", Buffer.from(JSON.stringify(info)));
    db.exec("COMMIT");
    db.close();
    await cleanup?.();
    await rename(tmpPath, indexPath);
    ok = true;
    return info;
  } finally {
    if (!ok) {
      if (db.open) db.close();
      await cleanup?.();
      await rm(tmpPath, { force: true });
    }
  }
}

/**
 * Stream a (decompressed) JSON dump into a new index file at `indexPath`. The index is built
 * under a temporary name and renamed when complete, so a failed run leaves nothing behind.
 */
export async function indexBackup(input: Readable, indexPath: string, opts: IndexBackupOptions = {}): Promise<BackupIndexInfo> {
  return indexCountedInput(input, opts, (counted) =>
    writeIndexFile(indexPath, async ({ db, push }) => {
      const header = emptyStoredHeader();
      const open = new OpenDirs<ChildOrder>();
      const unsorted: number[] = [];
      const trees: TreeName[] = [];
      let entries = 0;
      let directories = 0;

      const visitor: DumpVisitor = {
        ...collectHeader(header),
        setting: (s) => void (header.setting = maskSecrets(s)),
        treeStart: (t) => void trees.push(t),
        entry: (e: ReadEntry) => {
          if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
          let ord = trees.length - 1; // tree roots: FSTree 0, Trash 1
          let parent: number | null = null;
          if (e.parent) {
            parent = e.parent.id;
            const st = open.of(e.parent, () => ({ count: 0, last: null, sorted: true }));
            ord = st.count++;
            if (st.last && Buffer.compare(st.last, e.name) >= 0) st.sorted = false;
            st.last = e.name;
          }
          let dir: number | null = null;
          let nchild: number | null = null;
          if (e.isDir && e.self) {
            dir = e.self.id;
            const st = open.close(e.self);
            nchild = st?.count ?? 0;
            if (st && !st.sorted) unsorted.push(dir);
            directories++;
          }
          push([parent, ord, e.name, displayName(e.name).toLowerCase(), dir, nchild, encodeNode(e.node)]);
          entries++;
          if (opts.onProgress && entries % PROGRESS_EVERY === 0) opts.onProgress({ bytes: counted.bytes, entries });
        },
      };

      await readDump(counted, visitor);
      if (!trees.includes("FSTree")) throw new InspectRequestError("the dump has no FSTree: it is not a JuiceFS metadata dump, or it is cut short");
      // Dumps list siblings sorted already; re-rank any directory that was not, once the rows
      // and indexes are written. SQLite does it in one statement, so a huge directory never
      // sits in JS memory.
      const rerank = () => {
        const stmt = db.prepare(
          `UPDATE entries SET ord = r.rank FROM
             (SELECT id, row_number() OVER (ORDER BY name, id) - 1 AS rank FROM entries WHERE parent = ?) AS r
           WHERE entries.id = r.id`,
        );
        for (const d of unsorted) stmt.run(d);
      };
      return { header, bytes: counted.bytes, entries, directories, trees, afterRows: rerank };
    }),
  );
}

/**
 * Runs an index build over `input` through a byte counter (the bytes read, for progress and
 * the summary) and reports the final progress. Shared by the JSON dump (indexBackup) and the
 * binary one (binary-index.ts).
 */
export async function indexCountedInput(input: Readable, opts: IndexBackupOptions, build: (counted: ByteCounter) => Promise<BackupIndexInfo>): Promise<BackupIndexInfo> {
  const counted = new ByteCounter();
  let ok = false;
  try {
    // Errors of the input reach the reader through the counter.
    pipeline(input, counted, () => {});
    const info = await build(counted);
    ok = true;
    opts.onProgress?.({ bytes: info.bytes, entries: info.entries });
    return info;
  } finally {
    // Stop reading: the pipeline then closes the input too.
    if (!ok) counted.destroy();
  }
}

function openIndex(indexPath: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(indexPath, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new InspectNotFoundError(`no backup index at ${indexPath} (${(err as Error).message}): index the backup first`, { cause: err });
  }
  let version: number | undefined;
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'info'").get() as { value: Buffer } | undefined;
    version = row ? (JSON.parse(row.value.toString()) as { indexVersion?: number }).indexVersion : undefined;
  } catch {
    version = undefined; // not SQLite, or not our tables
  }
  if (version !== INDEX_VERSION) {
    db.close();
    throw new InspectRequestError(`${indexPath} is not a backup index of version ${INDEX_VERSION}: index the backup again`);
  }
  return db;
}

/** The header summary saved when the backup was indexed. */
export function readBackupIndexInfo(indexPath: string): BackupIndexInfo {
  const db = openIndex(indexPath);
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'info'").get() as { value: Buffer };
    return BackupIndexInfoSchema.parse(JSON.parse(row.value.toString()));
  } finally {
    db.close();
  }
}

interface EntryRow {
  id: number;
  parent: number | null;
  ord: number;
  name: Buffer;
  dir: number | null;
  nchild: number | null;
  node: Buffer;
}

const COLS = "id, parent, ord, name, dir, nchild, node";

/** Reads of one index file; shared by the tree source and the exporter. */
class IndexReader {
  readonly db: Database.Database;
  private readonly byDir: Database.Statement;
  private readonly page: Database.Statement;
  private readonly after: Database.Statement;
  private readonly dirsAfter: Database.Statement;
  private readonly matchingOrds: Database.Statement;
  private readonly byOrd: Database.Statement;
  private readonly byName: Database.Statement;
  private readonly rootByName: Database.Statement;
  readonly roots: Database.Statement;
  private matchers: { pattern: string; match: NameMatcher } | null = null;

  constructor(indexPath: string) {
    this.db = openIndex(indexPath);
    // Find: one matcher for names (find.ts) and the inode of a node in the rare v8 encoding.
    this.db.function("jfs_match", { deterministic: true }, (lname: unknown, pattern: unknown) => {
      let m = this.matchers;
      if (!m || m.pattern !== pattern) m = this.matchers = { pattern: String(pattern), match: nameMatcher(String(pattern)) };
      return m.match(String(lname)) ? 1 : 0;
    });
    this.db.function("jfs_inode", { deterministic: true }, (node: unknown) => String(decodeNode(node as Buffer).attr.inode));
    this.byDir = this.db.prepare(`SELECT ${COLS} FROM entries WHERE dir = ?`);
    this.page = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord >= ? ORDER BY ord LIMIT ?`);
    this.after = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord > ? ORDER BY ord LIMIT ?`);
    this.dirsAfter = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord > ? AND dir IS NOT NULL ORDER BY ord LIMIT ?`);
    this.matchingOrds = this.db
      .prepare("SELECT ord FROM entries WHERE parent = ? AND instr(lname, ?) > 0 ORDER BY ord")
      .pluck();
    this.byOrd = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord = ?`);
    this.byName = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND name = ?`);
    this.rootByName = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent IS NULL AND name = ?`);
    this.roots = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent IS NULL ORDER BY ord`);
  }

  header(): StoredHeader {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'header'").get() as { value: Buffer };
    return v8.deserialize(row.value) as StoredHeader;
  }

  dir(dirId: string): EntryRow {
    const id = /^\d{1,15}$/.test(dirId) ? Number(dirId) : NaN;
    const row = Number.isSafeInteger(id) ? (this.byDir.get(id) as EntryRow | undefined) : undefined;
    if (!row) throw new InspectNotFoundError(`no directory with id "${dirId}" in this backup index`);
    return row;
  }

  /** Up to `limit` entries of a directory from rank `ord` on. */
  pageFrom(dir: number, ord: number, limit: number): EntryRow[] {
    return this.page.all(dir, ord, limit) as EntryRow[];
  }

  /** Up to `limit` entries ranked after `ord` (keyset paging for walks). */
  pageAfter(dir: number, ord: number, limit: number): EntryRow[] {
    return this.after.all(dir, ord, limit) as EntryRow[];
  }

  /** Up to `limit` sub-directories ranked after `ord`. */
  dirsPageAfter(dir: number, ord: number, limit: number): EntryRow[] {
    return this.dirsAfter.all(dir, ord, limit) as EntryRow[];
  }

  /** Ranks (ord) of the entries whose display name contains `needle`, in order. */
  matchingRanks(dir: number, needle: string): Uint32Array {
    return Uint32Array.from(this.matchingOrds.all(dir, needle) as number[]);
  }

  atRank(dir: number, ord: number): EntryRow {
    return this.byOrd.get(dir, ord) as EntryRow;
  }

  /** Rows whose name matches, in stream order: a page, or the count. */
  nameMatches(pattern: string, offset: number, limit: number): EntryRow[] {
    return this.db
      .prepare(`SELECT ${COLS} FROM entries WHERE parent IS NOT NULL AND jfs_match(lname, ?) ORDER BY id LIMIT ? OFFSET ?`)
      .all(pattern, limit, offset) as EntryRow[];
  }
  nameMatchCount(pattern: string): number {
    return this.db.prepare("SELECT count(*) FROM entries WHERE parent IS NOT NULL AND jfs_match(lname, ?)").pluck().get(pattern) as number;
  }

  /** Every row of an inode (a hard link has one per path), in stream order. The compact node encoding holds it at bytes 2–9. */
  inodeRows(inode: bigint): EntryRow[] {
    const be = Buffer.alloc(8);
    be.writeBigUInt64BE(inode);
    return this.db
      .prepare(
        `SELECT ${COLS} FROM entries WHERE (substr(node, 1, 1) = x'01' AND substr(node, 3, 8) = ?)
           OR (substr(node, 1, 1) = x'00' AND jfs_inode(node) = ?) ORDER BY id`,
      )
      .all(be, String(inode)) as EntryRow[];
  }

  /** The raw names from the tree root down to `row`, and which tree it is in. */
  namesOf(row: EntryRow): { names: Buffer[]; tree: "FSTree" | "Trash" } {
    const names: Buffer[] = [];
    let cur = row;
    while (cur.parent !== null) {
      names.push(cur.name);
      cur = this.dir(String(cur.parent));
    }
    return { names: names.reverse(), tree: cur.name.toString() === "Trash" ? "Trash" : "FSTree" };
  }

  lookup(dir: number | null, name: Buffer): EntryRow | undefined {
    return (dir === null ? this.rootByName.get(name) : this.byName.get(dir, name)) as EntryRow | undefined;
  }

  close(): void {
    this.db.close();
  }
}

function nodeOf(row: EntryRow): DumpNode {
  return decodeNode(row.node);
}

function itemOf(row: EntryRow): TreeItem {
  const node = nodeOf(row);
  const dir =
    row.dir !== null ? { dirId: String(row.dir), hasChildren: (row.nchild ?? 0) > 0, childCount: row.nchild ?? 0 } : undefined;
  return treeItemOf(row.name, node.attr, dir);
}

class IndexedBackupSource implements TreeSource {
  readonly kind = "backup" as const;
  private readonly filterRanks = new Map<string, Uint32Array>();
  private readonly findTotals = new Map<string, number>();

  constructor(private readonly index: IndexReader) {}

  async roots(): Promise<TreeItem[]> {
    return (this.index.roots.all() as EntryRow[]).map(itemOf);
  }

  async root(): Promise<TreeItem> {
    const row = this.index.lookup(null, Buffer.from("FSTree"));
    if (!row) throw new InspectNotFoundError("this backup index has no FSTree");
    return itemOf(row);
  }

  async children(dirId: string, offset: number, limit: number, filter?: string): Promise<ChildrenPage> {
    checkPage(offset, limit);
    const dir = this.index.dir(dirId);
    const id = dir.dir!;
    const needle = filter?.trim().toLowerCase();
    if (!needle) {
      return { total: dir.nchild ?? 0, offset, items: this.index.pageFrom(id, offset, limit).map(itemOf) };
    }
    // Finding the matches scans the directory once; paging through them then costs a lookup per row.
    const key = `${id}\0${needle}`;
    let ranks = this.filterRanks.get(key);
    if (!ranks) {
      ranks = this.index.matchingRanks(id, needle);
      if (this.filterRanks.size >= 16) this.filterRanks.delete(this.filterRanks.keys().next().value as string);
    }
    this.filterRanks.delete(key); // re-insert: most recently used last
    this.filterRanks.set(key, ranks);
    const page = Array.from(ranks.subarray(offset, offset + limit), (ord) => itemOf(this.index.atRank(id, ord)));
    return { total: ranks.length, offset, items: page };
  }

  private hit(row: EntryRow): FindHit {
    const { names, tree } = this.index.namesOf(row);
    return { ...pathOf(names, tree), ...(row.parent !== null ? { parentDirId: String(row.parent) } : {}), item: itemOf(row) };
  }

  async find(q: FindQuery): Promise<FindPage> {
    checkPage(q.offset, q.limit);
    if (q.by === "path") {
      let row = this.index.lookup(null, Buffer.from("FSTree"));
      for (const name of pathNames(q.q)) row = row?.dir != null ? this.index.lookup(row.dir, name) : undefined;
      const hits = row ? [this.hit(row)] : [];
      return { total: hits.length, offset: q.offset, hits: hits.slice(q.offset, q.offset + q.limit) };
    }
    if (q.by === "inode") {
      const rows = this.index.inodeRows(parseInodeQuery(q.q));
      return { total: rows.length, offset: q.offset, hits: rows.slice(q.offset, q.offset + q.limit).map((r) => this.hit(r)) };
    }
    const key = q.q.toLowerCase();
    let total = this.findTotals.get(key);
    if (total === undefined) {
      total = this.index.nameMatchCount(key);
      if (this.findTotals.size >= 16) this.findTotals.delete(this.findTotals.keys().next().value as string);
      this.findTotals.set(key, total);
    }
    return { total, offset: q.offset, hits: this.index.nameMatches(key, q.offset, q.limit).map((r) => this.hit(r)) };
  }

  async entry(dirId: string | null, name: string): Promise<EntryDetail> {
    const raw = unescapeName(name);
    const parent = dirId === null ? null : this.index.dir(dirId).dir;
    const row = this.index.lookup(parent, raw);
    if (!row) {
      throw new InspectNotFoundError(
        dirId === null ? `no tree named "${name}" in this backup` : `no entry "${name}" in directory ${dirId} of this backup`,
      );
    }
    return describeEntry(raw, nodeOf(row), row.dir !== null ? { childCount: row.nchild ?? 0 } : {});
  }

  async close(): Promise<void> {
    this.filterRanks.clear();
    this.index.close();
  }
}

/** Page an index written by indexBackup() (lib/storage/source opens the backup itself). */
export function openIndexedBackup(indexPath: string): TreeSource {
  return new IndexedBackupSource(new IndexReader(indexPath));
}

export interface ExportSubdirOptions {
  /** Rows read per query while walking. */
  batchRows?: number;
  /** Entries written so far (every 10,000 and at the end). */
  onProgress?: (p: { entries: number }) => void;
  /** Stops the export (the output is then incomplete: the caller discards it). */
  signal?: AbortSignal;
}

/**
 * Write a `dump --subdir` of one directory of an indexed backup to `out` (not closed): the
 * directory as FSTree with its real inode, the backup's global Setting (secrets masked),
 * Counters, Sustained, DelFiles and directory Quotas, no UserQuotas/GroupQuotas, no Trash.
 */
export async function exportSubdirFromBackup(indexPath: string, dirId: string, out: Writable, opts: ExportSubdirOptions = {}): Promise<void> {
  const batchRows = opts.batchRows ?? 1000;
  const index = new IndexReader(indexPath);
  try {
    const top = index.dir(dirId);
    const h = index.header();
    if (!h.setting || !h.counters) {
      throw new InspectRequestError("this backup has no Setting or Counters, so no loadable dump can be made of it");
    }
    // What a dump of the live volume would write (lib/engines/dump.ts buildHeader): tier 0
    // filled in for pre-1.4 formats, no deprecated nextCleanupSlices, lastChangelog only
    // with the change log on.
    const setting: Setting = { ...h.setting, Tiers: effectiveTiers(h.setting) };
    const counters: Counters = { ...h.counters };
    delete counters.nextCleanupSlices;
    if (!setting.ChangeLog) delete counters.lastChangelog;
    const header: DumpHeader = {
      setting,
      counters,
      sustained: h.sustained,
      delFiles: h.delFiles,
      quotas: h.quotas,
      ...(h.changeLog ? { changeLog: h.changeLog } : {}),
    };
    const writer = new JsonDumpWriter(out);
    await writer.header(header);
    await writer.beginDir("FSTree", nodeOf(top));
    // One cursor per open directory: a batch of rows and the rank to continue after.
    let entries = 1;
    const stack: { dir: number; rows: EntryRow[]; i: number; lastOrd: number }[] = [{ dir: top.dir!, rows: [], i: 0, lastOrd: -1 }];
    while (stack.length) {
      const cur = stack[stack.length - 1];
      if (cur.i >= cur.rows.length) {
        cur.rows = index.pageAfter(cur.dir, cur.lastOrd, batchRows);
        cur.i = 0;
        if (!cur.rows.length) {
          await writer.endDir();
          stack.pop();
          continue;
        }
        cur.lastOrd = cur.rows[cur.rows.length - 1].ord;
      }
      const row = cur.rows[cur.i++];
      if (opts.signal?.aborted) throw new InspectRequestError("the export was cancelled");
      if (++entries % PROGRESS_EVERY === 0) opts.onProgress?.({ entries });
      if (row.dir !== null) {
        await writer.beginDir(row.name, nodeOf(row));
        stack.push({ dir: row.dir, rows: [], i: 0, lastOrd: -1 });
      } else {
        await writer.leaf(row.name, nodeOf(row));
      }
    }
    await writer.end();
    opts.onProgress?.({ entries });
  } finally {
    index.close();
  }
}

/**
 * A directory's rows by keyset pages, small first (a deep tree opens one listing per level),
 * growing to `max` rows a query for big directories.
 */
function* pagesOf(page: (after: number, limit: number) => EntryRow[], max = 1000): Generator<EntryRow[]> {
  let limit = 32;
  let after = -1;
  for (;;) {
    const rows = page(after, limit);
    if (rows.length) yield rows;
    if (rows.length < limit) return;
    after = rows[rows.length - 1].ord;
    limit = Math.min(max, limit * 4);
  }
}

/** The directory row `subdir` names below FSTree's root ("a/b", "/a/b/", escaped names accepted). */
function resolveSubdir(index: IndexReader, subdir: string | undefined): EntryRow {
  let row = index.lookup(null, Buffer.from("FSTree"));
  if (!row) throw new InspectNotFoundError("this backup index has no FSTree");
  const walked: string[] = [];
  for (const part of (subdir ?? "").split("/").filter(Boolean)) {
    walked.push(part);
    const next: EntryRow | undefined = row.dir !== null ? index.lookup(row.dir, unescapeName(part)) : undefined;
    if (!next) throw new InspectNotFoundError(`no directory /${walked.join("/")} in this backup`);
    row = next;
  }
  if (row.dir === null) throw new InspectNotFoundError(`/${walked.join("/")} is not a directory in this backup`);
  return row;
}

/** One side of a diff over an index written by indexBackup(). */
export function openIndexDiffSide(indexPath: string): DiffSide {
  const index = new IndexReader(indexPath);
  const toDiff = (r: EntryRow): DiffNode => diffNodeOf(r.name, decodeNode(r.node, { chunks: false }), r.dir !== null ? String(r.dir) : undefined);
  return {
    async top(subdir) {
      return String(resolveSubdir(index, subdir).dir);
    },
    async *children(dirId, dirsOnly) {
      // Handles come from top() and this side's own rows: no lookup to check them.
      const id = Number(dirId);
      const page = dirsOnly ? (after: number, n: number) => index.dirsPageAfter(id, after, n) : (after: number, n: number) => index.pageAfter(id, after, n);
      for (const rows of pagesOf(page)) yield rows.map(toDiff);
    },
    async close() {
      index.close();
    },
  };
}
