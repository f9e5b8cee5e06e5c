// The flat scan of a SQL volume (MetaEngine.scanTables): each table read in keyset pages on its
// primary key (an index range scan, the same cost as a cursor, and it runs unchanged inside a
// consistent read's snapshot sessions on every dialect), each row turned into the binary
// dump's record as stored. On PostgreSQL an unpaced scan reads its bulk tables whole instead,
// one streamed COPY each (WholeTables).
import type { QueryGate } from "../engine";
import type { Row, SqlConn } from "./driver";
import type { SqlNames } from "./schema";
import type { ChunkColumns, ChunkRecord, ColumnBatch, EdgeColumns, EdgeRecord, EncodedBatch, NodeColumns, NodeRecord, RecordEncoder, ScanBatch, TableBatch, QuotaRecord } from "../../jfs/table-records";
import { encodeAttr } from "../../jfs/binary-values";
import { aclFromRow, nodeFromRow, toBig, toBuf, toNum, toU32, NODE_COLUMNS, SLICE_RECORD } from "./rows";
import { HardLinkTally } from "./link-tally";
import { CopyRowReader, eachCopyRow } from "./pg-copy";

/** The byte columns (bytea, and xattr names, text) of the paged tables, for copyRows. */
const BYTE_COLUMNS: ReadonlySet<string> = new Set(["name", "slices", "target", "value"]);

/** Rows per keyset page: big enough that round trips cost little, small enough to stay flat. */
const PAGE = 10000;

/**
 * The bulk tables (nodes, edges, chunks) each read by one statement over the whole table in its
 * key's order, as it comes, instead of keyset pages: PostgreSQL's COPY (driver copyBlocks),
 * MariaDB's rows streamed in batches of a page (driver streamArrays); for a scan that is not
 * paced (--max-ops, --max-latency pace each query). A page's query waits until the page before
 * it is read whole, and while we decode a page the server cannot send much of the next; one
 * statement streams on while we decode, and costs the server no plan and index descent a page.
 * Measured at 1M files, `jfsmeta dump --binary`, runs taking turns: PostgreSQL 3.6–4.2 s in
 * pages, 2.5–2.8 s whole (`pg_dump` 2.6 s); MariaDB 4.8–5.4 s in pages, 3.6–5.2 s whole and
 * written with the encoder (`mysqldump` 3.7 s). The server plans each statement itself: the
 * key's index where the table lies in key order (as a loaded volume's does, and InnoDB's
 * tables always do), else possibly a sort of the table in its own temporary space; the order
 * keeps the scan's output the same bytes as the pages'. `blockBytes`: PostgreSQL's stream is
 * decoded this many bytes at a time (tests make it small, so that rows are split between blocks).
 */
export interface WholeTables {
  blockBytes: number;
}
export const WHOLE_TABLES: WholeTables = { blockBytes: 1 << 20 };

/**
 * Rows of a COPY stream to decode: eachCopyRow over a page (every row there whole) or over a
 * block of a streamed table (CopyRowReader.rows: the rows the block completes). each() may run
 * again over the same rows (a page of columns that falls back to records). `capacity`: the
 * most rows it can hold.
 */
interface CopyRows {
  data: Buffer;
  capacity: number;
  each(visit: (values: unknown[]) => void, ends?: Int32Array): number;
}

export interface SqlScanSource {
  readonly names: SqlNames;
  /**
   * allRaw: rows as arrays of plain numbers (SQLite), the fast path of the bulk tables;
   * copyRows: rows through binary COPY (PostgreSQL, driver.ts), the same for the paged tables;
   * copyBytes: that COPY stream undecoded, read field by field for the bulk tables;
   * copyBlocks: a whole table's COPY stream as it comes (WholeTables);
   * allArrays: rows as arrays, 64-bit columns as numbers while exact (MariaDB), the bulk tables.
   */
  readonly driver: SqlConn & {
    allRaw?(sql: string, params?: unknown[]): unknown[][];
    copyRows?(sql: string, params: unknown[], columns: readonly string[], bytes: ReadonlySet<string>): Promise<Row[]>;
    copyBytes?(sql: string, params: unknown[]): Promise<Buffer>;
    copyBlocks?(sql: string, params: unknown[], blockBytes: number): AsyncIterable<Buffer[]>;
    allArrays?(sql: string, params: unknown[]): Promise<unknown[][]>;
    streamArrays?(sql: string, params: unknown[], batchRows: number): AsyncIterable<unknown[][]>;
    /** How many copyBlocks streams may be open at once (connections free for them). */
    streamsAtOnce?(): number;
  };
  hasTable(base: string): Promise<boolean>;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const TWO32 = 4294967296;

/** A 64-bit column as a plain number while exact, else as its decimal text (for allRaw). */
function exact(col: string): string {
  return `CASE WHEN ${col} BETWEEN -${SAFE} AND ${SAFE} THEN ${col} ELSE CAST(${col} AS TEXT) END`;
}

/** A bigint from a number or decimal text (what exact() selects). */
const big = (v: unknown): bigint => (typeof v === "number" ? BigInt(v) : toBig(v));

/**
 * The low 32 bits of `v`, big-endian, by byte stores: Buffer's write*BE check their arguments on
 * every call, a third of the node encoder's time (the attr's offsets are known to fit).
 */
function put32(b: Buffer, v: number, off: number): void {
  b[off] = v >>> 24;
  b[off + 1] = v >>> 16;
  b[off + 2] = v >>> 8;
  b[off + 3] = v;
}

/** Two's complement 64 bits of an exact integer number, big-endian. */
function put64(b: Buffer, v: number, off: number): void {
  const hi = Math.floor(v / TWO32);
  put32(b, hi, off);
  put32(b, v - hi * TWO32, off + 4);
}

/**
 * A jfs_node row (NODE_COLUMNS order, 64-bit columns through exact()) as the binary attr,
 * straight from numbers; null when a column is past 2^53 or the type unknown (the caller
 * then takes the general path, which also names a bad type). Same bytes as encodeAttr.
 */
export function encodeNodeRaw(r: unknown[]): Buffer | null {
  const b = Buffer.allocUnsafe(MAX_ATTR);
  const end = encodeNodeRawAt(r, b, 0);
  return end < 0 ? null : b.subarray(0, end);
}

/** The longest binary attr (ACL ids and tier). */
const MAX_ATTR = 81;

/** encodeNodeRaw into `b` at `at`: where it ends, or -1 (then `b` holds scraps). */
function encodeNodeRawAt(r: unknown[], b: Buffer, at: number): number {
  const [, type, flags, mode, uid, gid, atime, mtime, ctime, atimensec, mtimensec, ctimensec, nlink, length, rdev, parent, access, dflt, tier] = r as number[];
  if (typeof atime !== "number" || typeof mtime !== "number" || typeof ctime !== "number" || typeof length !== "number" || typeof parent !== "number") return -1;
  if (!(type >= 1 && type <= 7)) return -1;
  const acl = (access ?? 0) !== 0 || (dflt ?? 0) !== 0;
  const t = (tier ?? 0) & 0xff;
  const size = 72 + (acl ? 8 : 0) + (t ? 1 : 0);
  b[at + size - 1] = 0;
  b[at] = flags & 0xff;
  const typeMode = ((type & 0xf) << 12) | (mode & 0xfff);
  b[at + 1] = typeMode >>> 8;
  b[at + 2] = typeMode;
  put32(b, uid, at + 3);
  put32(b, gid, at + 7);
  // Microseconds and the remaining nanoseconds → seconds and nanoseconds (rows.ts timeFromSql).
  if (!putTime(b, atime, atimensec, at + 11) || !putTime(b, mtime, mtimensec, at + 23) || !putTime(b, ctime, ctimensec, at + 35)) return -1;
  put32(b, nlink, at + 47);
  put64(b, length, at + 51);
  put32(b, rdev ?? 0, at + 59);
  put64(b, parent, at + 63);
  if (acl) {
    put32(b, access ?? 0, at + 71);
    put32(b, dflt ?? 0, at + 75);
  }
  if (t) b[at + (acl ? 79 : 71)] = t;
  return at + size;
}

/** A time column (microseconds) and its remaining nanoseconds as seconds (64 bits) and nanoseconds (32). */
function putTime(b: Buffer, us: number, rest: number | null, off: number): boolean {
  if (!(rest === null || (rest >= 0 && rest < 1000))) return false;
  const sec = Math.floor(us / 1e6);
  put64(b, sec, off);
  put32(b, (us - sec * 1e6) * 1000 + (rest ?? 0), off + 8);
  return true;
}

/**
 * A jfs_node row as a NodeRecord: straight from its numbers (encodeNodeRaw), else through the
 * general path (a 64-bit column past 2^53, a NULL time, or an unknown type, which it names).
 */
function nodeRecord(r: unknown[]): NodeRecord {
  const attr = encodeNodeRaw(r);
  if (attr) return { inode: big(r[0]), attr };
  const n = nodeFromRow(Object.fromEntries(NODE_COLUMNS.map((c, i) => [c, typeof r[i] === "number" ? BigInt(r[i] as number) : r[i]])));
  return { inode: n.attr.inode, attr: encodeAttr(n.attr, n.parent, n.accessAclId, n.defaultAclId) };
}

/**
 * A jfs_node row written with `enc`: straight from its numbers into `attr` (scratch of MAX_ATTR
 * bytes), else through nodeRecord's general path, which names what is wrong.
 */
function encodeNodeRow(enc: RecordEncoder, r: unknown[], attr: Buffer): void {
  const end = encodeNodeRawAt(r, attr, 0);
  if (end >= 0) return enc.node(u64Of(r[0]), attr, 0, end);
  const n = nodeRecord(r);
  enc.node(n.inode, n.attr, 0, n.attr.length);
}

/**
 * Whether a chunk's slices value of `length` bytes holds slices: one that is not whole 24-byte
 * records holds none (as JuiceFS reads it).
 */
const holdsSlices = (length: number): boolean => length > 0 && length % SLICE_RECORD === 0;

/** A byte field of eachCopyRow (a view of the page, or null) as a Buffer of its own. */
const ownBytes = (v: unknown): Buffer => (v === null ? Buffer.alloc(0) : Buffer.from(v as Buffer));

/** A page of jfs_node rows as NodeColumns (the attrs encoded into one buffer); null when an inode is past 2^53. */
function nodeColumnsOf(rows: unknown[][]): ColumnBatch | null {
  const n = rows.length;
  const cols: NodeColumns = { count: n, bytes: Buffer.allocUnsafe(n * MAX_ATTR), start: new Int32Array(n), end: new Int32Array(n), inode: new Float64Array(n) };
  let at = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (typeof r[0] !== "number") return null;
    let end = encodeNodeRawAt(r, cols.bytes, at);
    if (end < 0) end = at + nodeRecord(r).attr.copy(cols.bytes, at); // the general path, which names what is wrong
    cols.inode[i] = r[0];
    cols.start[i] = at;
    cols.end[i] = at = end;
  }
  return { table: "columns", field: "nodes", cols };
}

/**
 * Edge rows (id, parent, name, inode, type) or chunk rows with slices (id, inode, indx,
 * slices) as columns, their bytes copied into one buffer; null when a number is past 2^53.
 */
function bytesColumnsOf(field: "edges" | "chunks", rows: unknown[][]): ColumnBatch | null {
  const n = rows.length;
  const b = field === "edges" ? 2 : 3;
  let size = 0;
  for (const r of rows) size += (r[b] as Buffer | null)?.length ?? 0;
  const bytes = Buffer.allocUnsafe(size);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const inode = new Float64Array(n);
  const other = new Float64Array(n);
  const type = new Uint8Array(field === "edges" ? n : 0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const v = r[b] as Buffer | null;
    start[i] = at;
    if (v) {
      bytes.set(v, at);
      at += v.length;
    }
    end[i] = at;
    if (field === "edges") {
      if (typeof r[1] !== "number" || typeof r[3] !== "number") return null;
      other[i] = r[1];
      inode[i] = r[3];
      type[i] = toNum(r[4]);
    } else {
      if (typeof r[1] !== "number") return null;
      inode[i] = r[1];
      other[i] = toU32(r[2]);
    }
  }
  return field === "edges"
    ? { table: "columns", field, cols: { count: n, bytes, start, end, inode, parent: other, type } }
    : { table: "columns", field, cols: { count: n, bytes, start, end, inode, index: other } };
}

/**
 * A 64-bit field as the encoder takes a u64: a number while exact and not negative, else a
 * bigint (a stored negative is a u64 past 2^63, which the encoder wraps). eachCopyRow gives a
 * bigint past 2^53, MariaDB's arrays decimal text.
 */
const u64Of = (v: unknown): number | bigint => (typeof v === "number" ? (v >= 0 ? v : BigInt(v)) : typeof v === "bigint" ? v : typeof v === "string" ? BigInt(v) : 0);

const TWO32N = 4294967296n;

/**
 * One table's batches in inode order, a row at a time (inInodeOrder): columns, or records where
 * a batch holds a number past 2^53 (the Trash's inodes, at the end). The current row's inode is
 * `hi` and `lo`, its two 32-bit words: exact for any inode.
 */
class InodeCursor {
  hi = Infinity;
  lo = 0;
  private batch: TableBatch | ColumnBatch | null = null;
  private i = 0;
  private n = 0;
  constructor(private readonly batches: AsyncIterator<TableBatch | ColumnBatch | EncodedBatch>) {}

  /** Whether the row is at (hi, lo). */
  at(hi: number, lo: number): boolean {
    return this.hi === hi && this.lo === lo;
  }

  /** Whether the row comes before (hi, lo); Infinity (read whole) never does. */
  before(hi: number, lo: number): boolean {
    return this.hi < hi || (this.hi === hi && this.lo < lo);
  }

  /** Writes the current row with `encoder`. */
  write(encoder: RecordEncoder): void {
    const b = this.batch!;
    const i = this.i;
    if (b.table === "columns") {
      const c = b.cols;
      if (b.field === "nodes") encoder.node(b.cols.inode[i], c.bytes, c.start[i], c.end[i]);
      else if (b.field === "chunks") encoder.chunk(b.cols.inode[i], b.cols.index[i], c.bytes, c.start[i], c.end[i]);
      else encoder.edge(b.cols.parent[i], b.cols.inode[i], c.bytes, c.start[i], c.end[i], b.cols.type[i]);
    } else if (b.table === "nodes") {
      const r = b.records[i];
      encoder.node(r.inode, r.attr, 0, r.attr.length);
    } else if (b.table === "chunks") {
      const r = b.records[i];
      encoder.chunk(r.inode, r.index, r.slices, 0, r.slices.length);
    } else if (b.table === "edges") {
      const r = b.records[i];
      encoder.edge(r.parent, r.inode, r.name, 0, r.name.length, r.type);
    }
  }

  /** Steps on within the batch; false when it is used up (then fill(): no await a row). */
  next(): boolean {
    if (++this.i === this.n) return false;
    this.key();
    return true;
  }

  /** The next batch with rows, or none left (hi Infinity). */
  async fill(): Promise<void> {
    for (;;) {
      const r = await this.batches.next();
      if (r.done) {
        this.batch = null;
        this.hi = Infinity;
        return;
      }
      const b = r.value;
      if (b.table === "encoded") continue;
      const n = b.table === "columns" ? b.cols.count : b.table === "nodes" || b.table === "chunks" || b.table === "edges" ? b.records.length : 0;
      if (n === 0) continue;
      this.batch = b;
      this.i = 0;
      this.n = n;
      this.key();
      return;
    }
  }

  private key(): void {
    const b = this.batch!;
    if (b.table === "columns") {
      const v = b.cols.inode[this.i];
      this.hi = Math.floor(v / 4294967296);
      this.lo = v - this.hi * 4294967296;
      return;
    }
    const v = BigInt.asUintN(64, (b as { records: { inode: bigint }[] }).records[this.i].inode);
    this.hi = Number(v / TWO32N);
    this.lo = Number(v % TWO32N);
  }
}

/**
 * Nodes, chunks and edges, each table's batches in unsigned inode order (and chunks by index),
 * written with `encoder` merged into one inode order (RecordEncoder.inodeOrder): for an inode
 * its node, its chunks, then its entries. The three reads run at once, each paced by the merge.
 * Yields the encoder's batches (their counts) as the nodes' batches are used up. A table out
 * of order is the encoder's error, not a wrong merge: its sink checks the order.
 */
export async function* inInodeOrder(
  encoder: RecordEncoder,
  nodeBatches: AsyncIterable<TableBatch | ColumnBatch>,
  chunkBatches: AsyncIterable<TableBatch | ColumnBatch>,
  edgeBatches: AsyncIterable<TableBatch | ColumnBatch>,
): AsyncGenerator<EncodedBatch> {
  const its = [nodeBatches, chunkBatches, edgeBatches].map((b) => b[Symbol.asyncIterator]());
  const [nodes, chunks, edges] = its.map((it) => new InodeCursor(it));
  try {
    await Promise.all([nodes.fill(), chunks.fill(), edges.fill()]);
    for (;;) {
      // The least inode of the three rows.
      let { hi, lo } = nodes;
      if (chunks.before(hi, lo)) ({ hi, lo } = chunks);
      if (edges.before(hi, lo)) ({ hi, lo } = edges);
      if (hi === Infinity) break;
      while (nodes.at(hi, lo)) {
        nodes.write(encoder);
        if (nodes.next()) continue;
        await nodes.fill();
        const b = encoder.take("nodes");
        if (b) yield b;
      }
      while (chunks.at(hi, lo)) {
        chunks.write(encoder);
        if (!chunks.next()) await chunks.fill();
      }
      while (edges.at(hi, lo)) {
        edges.write(encoder);
        if (!edges.next()) await edges.fill();
      }
    }
    for (const field of ["nodes", "chunks", "edges"] as const) {
      const b = encoder.take(field);
      if (b) yield b;
    }
  } finally {
    // A merge stopped early (an error, a cancel) ends the reads still open.
    await Promise.allSettled(its.map((it) => it.return?.()));
  }
}

/** A COPY page decoded: its rows, its last key (the next page starts after it), what to yield. */
interface CopyPage<B> {
  rows: number;
  last: unknown;
  batch: B;
}

const EDGE_COLUMNS = ["id", "parent", "name", "inode", "type"];
const CHUNK_COLUMNS = ["id", "inode", "indx", "slices"];

/**
 * `pageRows`: rows per keyset page (tests make it small to cross pages on a small volume).
 * `columns`: node, edge and chunk pages as columns where the driver reads them so
 * (ColumnBatch; MetaEngine.scanTableColumns), and only the tables of a JSON dump's tree
 * (nodes, edges, chunks, symlinks, xattrs, ACLs). `encoder`: nodes, edges and chunks written
 * with it (EncodedBatch) where the driver gives COPY bytes (PostgreSQL) or row arrays
 * (MariaDB), as records elsewhere. With `columns`, an encoder is the staged walk's: used only
 * where the bulk tables can be read in its order (RecordEncoder.inodeOrder: PostgreSQL, whole).
 */
export function scanSqlTables(src: SqlScanSource, gate?: QueryGate, pageRows?: number): AsyncGenerator<TableBatch>;
export function scanSqlTables(src: SqlScanSource, gate: QueryGate | undefined, pageRows: number | undefined, columns: true, encoder?: undefined, whole?: WholeTables): AsyncGenerator<TableBatch | ColumnBatch>;
export function scanSqlTables(src: SqlScanSource, gate: QueryGate | undefined, pageRows: number | undefined, columns: true, encoder: RecordEncoder | undefined, whole?: WholeTables): AsyncGenerator<TableBatch | ColumnBatch | EncodedBatch>;
export function scanSqlTables(src: SqlScanSource, gate: QueryGate | undefined, pageRows: number | undefined, columns: false, encoder: RecordEncoder | undefined, whole?: WholeTables): AsyncGenerator<ScanBatch>;
export async function* scanSqlTables(src: SqlScanSource, gate: QueryGate = (q) => q(), pageRows = PAGE, columns = false, encoder?: RecordEncoder, whole?: WholeTables): AsyncGenerator<ScanBatch | ColumnBatch> {
  const { names, driver } = src;
  const q = (n: string) => names.q(n);
  const t = (base: string) => names.t(base);
  const all = (sql: string, params: unknown[] = []) => gate(() => driver.all(sql, params));
  const copy = driver.copyRows?.bind(driver);

  /**
   * Pages of a table in key order; `key` is a single-column primary key. The next page is asked
   * for as soon as a full page arrives, before this one is decoded and written, so the server's
   * work overlaps ours instead of alternating with it. What it can gain is the server's part:
   * on PostgreSQL at 100,000 files, 0.3 s of its CPU beside 2.5–3 s of ours (start-up aside);
   * on the shared machine at a load average of 50–65 no difference in wall time showed.
   */
  const pageSql = (base: string, key: string, cols: string[], after: unknown, where: string): [string, unknown[]] => {
    const cond: string[] = [];
    const params: unknown[] = [];
    if (after !== null) {
      cond.push(`${q(key)} > ?`);
      params.push(after);
    }
    if (where) cond.push(where);
    return [`SELECT ${cols.map(q).join(", ")} FROM ${t(base)}${cond.length ? ` WHERE ${cond.join(" AND ")}` : ""} ORDER BY ${q(key)} LIMIT ${pageRows}`, params];
  };
  async function* pages(base: string, key: string, cols: string[], where = ""): AsyncGenerator<Row[]> {
    const page = (after: bigint | null) => {
      const [sql, params] = pageSql(base, key, cols, after, where);
      const read = copy ? gate(() => copy(sql, params, cols, BYTE_COLUMNS)) : all(sql, params);
      read.catch(() => {}); // awaited below; a scan stopped early never asks for it
      return read;
    };
    for (let next = page(null); ; ) {
      const rows = await next;
      if (rows.length === pageRows) next = page(toBig(rows[rows.length - 1][key]));
      if (rows.length) yield rows;
      if (rows.length < pageRows) return;
    }
  }

  /** The tables of an inode's data besides nodes and chunks, in pages. */
  async function* symlinksAndXattrs(): AsyncGenerator<TableBatch> {
    for await (const rows of pages("symlink", "inode", ["inode", "target"])) {
      yield { table: "symlinks", records: rows.filter((r) => toBuf(r.target).length).map((r) => ({ inode: toBig(r.inode), target: toBuf(r.target) })) };
    }
    for await (const rows of pages("xattr", "id", ["id", "inode", "name", "value"])) {
      yield { table: "xattrs", records: rows.map((r) => ({ inode: toBig(r.inode), name: toBuf(r.name), value: toBuf(r.value) })) };
    }
  }

  const aclBatch = async (): Promise<TableBatch> => {
    const acls = await all(`SELECT * FROM ${t("acl")} ORDER BY ${q("id")}`);
    return { table: "acls", records: acls.map((r) => ({ id: toU32(r.id), rule: aclFromRow(r) })) };
  };

  /**
   * Whether no inode of the bulk tables is past 2^63 (stored negative in a signed BIGINT): then
   * the server's order of them is their unsigned order, which the inode-ordered read needs.
   * Each bound is an index's end, not a scan.
   */
  const inodesSigned = async (): Promise<boolean> => {
    const bounds = ["node", "chunk", "edge"].map((base, k) => `(SELECT MIN(${q("inode")}) FROM ${t(base)}) AS least${k}`);
    const [row] = await all(`SELECT ${bounds.join(", ")}`);
    return Object.values(row ?? {}).every((v) => v === null || toBig(v) >= 0n);
  };

  const arrays = driver.allArrays?.bind(driver);
  const copyBytes = driver.copyBytes?.bind(driver);
  const copyBlocks = driver.copyBlocks?.bind(driver);
  /**
   * pages() of a bulk table through copyBytes (PostgreSQL), keyed by its first column: each
   * page's COPY stream goes to `decode`, which gives its rows, its last key and what to yield.
   * Next page asked for as in pages(). With `whole`, the table is one streamed COPY instead
   * (WholeTables), in the order of `orderBy`, each block of it going to `decode` the same way.
   */
  async function* copyPages<B>(base: string, cols: string[], decode: (rows: CopyRows) => CopyPage<B | null>, orderBy: string[] = [cols[0]]): AsyncGenerator<B> {
    const isBytes = cols.map((c) => BYTE_COLUMNS.has(c));
    if (whole && copyBlocks) {
      const reader = new CopyRowReader(isBytes);
      // The fewest bytes a row takes (every field NULL) bounds the rows a block holds.
      const rowBytes = 2 + 4 * cols.length;
      const sql = `SELECT ${cols.map(q).join(", ")} FROM ${t(base)} ORDER BY ${orderBy.map(q).join(", ")}`;
      for await (const group of copyBlocks(sql, [], whole.blockBytes)) {
        const data = reader.block(group);
        const { rows, batch } = decode({ data, capacity: Math.floor(data.length / rowBytes) + 1, each: (visit, ends) => reader.rows(visit, ends) });
        if (rows && batch) yield batch;
      }
      reader.end();
      return;
    }
    const page = (after: unknown) => {
      const [sql, params] = pageSql(base, cols[0], cols, after, "");
      const read = gate(() => copyBytes!(sql, params));
      read.catch(() => {}); // awaited below; a scan stopped early never asks for it
      return read;
    };
    for (let next = page(null); ; ) {
      const data = await next;
      const { rows, last, batch } = decode({ data, capacity: pageRows, each: (visit, ends) => eachCopyRow(data, isBytes, visit, false, ends) });
      if (rows === pageRows) next = page(last);
      if (rows && batch) yield batch;
      if (rows < pageRows) return;
    }
  }
  /** A page's rows as records: each row's fields go to `add` in one reused array (pg-copy.ts eachCopyRow), which pushes its record, if any. */
  const recordsOf =
    <R>(add: (v: unknown[], out: R[]) => void) =>
    (src: CopyRows): CopyPage<R[]> => {
      const batch: R[] = [];
      let last: unknown = null;
      const rows = src.each((v) => {
        last = v[0];
        add(v, batch);
      });
      return { rows, last, batch };
    };
  /**
   * A page's rows as columns (ColumnBatch) when every number the columns hold is exact,
   * else as records (`records`): `add` takes a row's fields and its index in the columns and
   * says whether it could.
   */
  const columnsOf =
    <C>(make: (data: Buffer, capacity: number) => { cols: C; batch: TableBatch | ColumnBatch }, add: (v: unknown[], cols: C, ends: Int32Array) => boolean, records: (src: CopyRows) => CopyPage<TableBatch>) =>
    (src: CopyRows): CopyPage<TableBatch | ColumnBatch> => {
      const { data } = src;
      const { cols, batch } = make(data, src.capacity);
      // Byte fields as their offsets in `data` (start in the row, end in `ends`): a view of
      // each would be an object a row (2M of them for the edges' and chunks' of 1M files).
      const ends = new Int32Array(NODE_COLUMNS.length);
      let last: unknown = null;
      let exact = true;
      const rows = src.each((v) => {
        last = v[0];
        if (exact) exact = add(v, cols, ends);
      }, ends);
      return exact ? { rows, last, batch } : records(src);
    };

  // SQL keeps no parents table: a hard-linked file (node parent 0) has an entry per link. The
  // records are tallied from the node and edge rows as they pass (link-tally.ts); this join is
  // asked only when a linked inode or parent is past 2^53, or of a driver that gives rows as
  // objects (the last branch below). The staged walk needs none.
  const linkedSql =
    `SELECT e.${q("inode")} AS inode, e.${q("parent")} AS parent, COUNT(*) AS cnt FROM ${t("edge")} e JOIN ${t("node")} n ON n.${q("inode")} = e.${q("inode")}` +
    ` WHERE n.${q("parent")} = 0 AND n.${q("type")} <> 2 GROUP BY e.${q("inode")}, e.${q("parent")} ORDER BY e.${q("inode")}, e.${q("parent")}`;
  const links = !columns && (driver.allRaw || copyBytes || arrays) ? new HardLinkTally() : null;
  const raw = driver.allRaw?.bind(driver);
  if (raw) {
    // SQLite: arrays of plain numbers, 64-bit columns as text only past 2^53.
    const sel = (cols: string[], wide: Set<string>) => cols.map((c) => (wide.has(c) ? exact(q(c)) : q(c))).join(", ");
    async function* rawPages(base: string, cols: string[], wide: string[], keyIndex = 0): AsyncGenerator<unknown[][]> {
      const list = sel(cols, new Set(wide));
      const key = q(cols[keyIndex]);
      let after: unknown = null;
      for (;;) {
        const rows = await gate(async () => raw!(`SELECT ${list} FROM ${t(base)}${after === null ? "" : ` WHERE ${key} > ?`} ORDER BY ${key} LIMIT ${pageRows}`, after === null ? [] : [big(after)]));
        if (rows.length) yield rows;
        if (rows.length < pageRows) return;
        after = rows[rows.length - 1][keyIndex];
      }
    }
    for await (const rows of rawPages("node", [...NODE_COLUMNS], ["inode", "atime", "mtime", "ctime", "length", "parent"])) {
      if (links) for (const r of rows) links.node(r[0], r[1], r[15]);
      yield { table: "nodes", records: rows.map(nodeRecord) };
    }
    for await (const rows of rawPages("edge", ["id", "parent", "name", "inode", "type"], ["id", "parent", "inode"])) {
      if (links) for (const r of rows) links.edge(r[3], r[1]);
      yield { table: "edges", records: rows.map((r) => ({ parent: big(r[1]), inode: big(r[3]), name: toBuf(r[2]), type: r[4] as number })) };
    }
    for await (const rows of rawPages("chunk", ["id", "inode", "indx", "slices"], ["id", "inode"])) {
      const records = [];
      for (const r of rows) {
        const slices = toBuf(r[3]);
        if (holdsSlices(slices.length)) records.push({ inode: big(r[1]), index: (r[2] as number) >>> 0, slices });
      }
      yield { table: "chunks", records };
    }
  } else if (copyBytes) {
    // PostgreSQL: fields straight from the COPY stream, as SQLite's numbers above.
    const nodeRecords = recordsOf<NodeRecord>((v, out) => {
      links?.node(v[0], v[1], v[15]);
      out.push(nodeRecord(v));
    });
    const nodes = (src: CopyRows): CopyPage<TableBatch> => {
      const p = nodeRecords(src);
      return { ...p, batch: { table: "nodes", records: p.batch } };
    };
    const edgeRecords = recordsOf<EdgeRecord>((v, out) => {
      links?.edge(v[3], v[1]);
      out.push({ parent: big(v[1]), inode: big(v[3]), name: ownBytes(v[2]), type: toNum(v[4]) });
    });
    const edges = (src: CopyRows): CopyPage<TableBatch> => {
      const p = edgeRecords(src);
      return { ...p, batch: { table: "edges", records: p.batch } };
    };
    const chunkRecords = recordsOf<ChunkRecord>((v, out) => {
      const slices = v[3] as Buffer | null;
      if (slices && holdsSlices(slices.length)) out.push({ inode: big(v[1]), index: toU32(v[2]), slices: ownBytes(slices) });
    });
    const chunks = (src: CopyRows): CopyPage<TableBatch> => {
      const p = chunkRecords(src);
      return { ...p, batch: { table: "chunks", records: p.batch } };
    };
    if (encoder && !columns) {
      // Written with the encoder straight from each page's bytes, as the etcd and Redis snapshot
      // scans do: no record object, bigint or Buffer per row (byte fields as spans of the page).
      const enc = encoder;
      const ends = new Int32Array(NODE_COLUMNS.length);
      const attr = Buffer.allocUnsafe(MAX_ATTR);
      const encodedOf =
        (field: EncodedBatch["field"], add: (v: unknown[], data: Buffer) => void) =>
        (src: CopyRows): CopyPage<EncodedBatch | null> => {
          let last: unknown = null;
          const { data } = src;
          const rows = src.each((v) => {
            last = v[0];
            add(v, data);
          }, ends);
          return { rows, last, batch: enc.take(field) };
        };
      const encNodes = encodedOf("nodes", (v) => {
        links?.node(v[0], v[1], v[15]);
        encodeNodeRow(enc, v, attr);
      });
      const encEdges = encodedOf("edges", (v, data) => {
        links?.edge(v[3], v[1]);
        const name = v[2] as number | null;
        enc.edge(u64Of(v[1]), u64Of(v[3]), data, name ?? 0, name === null ? 0 : ends[2], toNum(v[4]));
      });
      const encChunks = encodedOf("chunks", (v, data) => {
        const slices = v[3] as number | null;
        if (slices === null || !holdsSlices(ends[3] - slices)) return;
        enc.chunk(u64Of(v[1]), toU32(v[2]), data, slices, ends[3]);
      });
      for await (const b of copyPages("node", [...NODE_COLUMNS], encNodes)) yield b;
      for await (const b of copyPages("edge", EDGE_COLUMNS, encEdges)) yield b;
      for await (const b of copyPages("chunk", CHUNK_COLUMNS, encChunks)) yield b;
    } else if (!columns) {
      for await (const b of copyPages("node", [...NODE_COLUMNS], nodes)) yield b;
      for await (const b of copyPages("edge", EDGE_COLUMNS, edges)) yield b;
      for await (const b of copyPages("chunk", CHUNK_COLUMNS, chunks)) yield b;
    } else {
      // Columns over the page's own bytes (the attrs encoded into one buffer a page): no
      // object, bigint or Buffer per row. The scan and staging alone at 1M files (load
      // average about 14): 11.0 and 11.8 s CPU with records, 8.7 and 8.0 s with columns.
      const nodeCols = columnsOf(
        (_data, n): { cols: NodeColumns; batch: ColumnBatch } => {
          const cols: NodeColumns = { count: 0, bytes: Buffer.allocUnsafe(n * MAX_ATTR), start: new Int32Array(n), end: new Int32Array(n), inode: new Float64Array(n) };
          return { cols, batch: { table: "columns", field: "nodes", cols } };
        },
        (v, c) => {
          if (typeof v[0] !== "number") return false;
          const i = c.count;
          const at = i ? c.end[i - 1] : 0;
          let end = encodeNodeRawAt(v, c.bytes, at);
          if (end < 0) end = at + nodeRecord(v).attr.copy(c.bytes, at); // the general path, which names what is wrong
          c.inode[i] = v[0];
          c.start[i] = at;
          c.end[i] = end;
          c.count++;
          return true;
        },
        nodes,
      );
      const edgeCols = columnsOf(
        (data, n): { cols: EdgeColumns; batch: ColumnBatch } => {
          const cols: EdgeColumns = { count: 0, bytes: data, start: new Int32Array(n), end: new Int32Array(n), parent: new Float64Array(n), inode: new Float64Array(n), type: new Uint8Array(n) };
          return { cols, batch: { table: "columns", field: "edges", cols } };
        },
        (v, c, ends) => {
          if (typeof v[1] !== "number" || typeof v[3] !== "number") return false;
          const i = c.count++;
          const name = v[2] as number | null;
          c.start[i] = name ?? 0;
          c.end[i] = name === null ? 0 : ends[2];
          c.parent[i] = v[1];
          c.inode[i] = v[3];
          c.type[i] = toNum(v[4]);
          return true;
        },
        edges,
      );
      const chunkCols = columnsOf(
        (data, n): { cols: ChunkColumns; batch: ColumnBatch } => {
          const cols: ChunkColumns = { count: 0, bytes: data, start: new Int32Array(n), end: new Int32Array(n), inode: new Float64Array(n), index: new Float64Array(n) };
          return { cols, batch: { table: "columns", field: "chunks", cols } };
        },
        (v, c, ends) => {
          const slices = v[3] as number | null;
          if (slices === null || !holdsSlices(ends[3] - slices)) return true;
          if (typeof v[1] !== "number") return false;
          const i = c.count++;
          c.start[i] = slices;
          c.end[i] = ends[3];
          c.inode[i] = v[1];
          c.index[i] = toU32(v[2]);
          return true;
        },
        chunks,
      );
      if (whole && copyBlocks && encoder?.inodeOrder && (driver.streamsAtOnce?.() ?? 0) >= 3 && (await inodesSigned())) {
        // The staged walk's tables read in its join's order (RecordEncoder.inodeOrder), three
        // COPY streams at once merged here: the walk then sorts only the entries by name.
        yield* symlinksAndXattrs();
        await encoder.inodeOrder();
        yield* inInodeOrder(
          encoder,
          copyPages("node", [...NODE_COLUMNS], nodeCols, ["inode"]),
          copyPages("chunk", CHUNK_COLUMNS, chunkCols, ["inode", "indx"]),
          copyPages("edge", EDGE_COLUMNS, edgeCols, ["inode"]),
        );
        yield await aclBatch();
        return;
      }
      for await (const b of copyPages("node", [...NODE_COLUMNS], nodeCols)) yield b;
      for await (const b of copyPages("edge", EDGE_COLUMNS, edgeCols)) yield b;
      for await (const b of copyPages("chunk", CHUNK_COLUMNS, chunkCols)) yield b;
    }
  } else if (arrays) {
    // MariaDB: rows as arrays, 64-bit columns numbers while exact (text past 2^53), read as
    // SQLite's above; as columns when asked for and every number is exact. The scan and
    // staging alone at 1M files (load average about 14): 11.0 s CPU from row objects, 10.9 s
    // as records from arrays, 8.1 s as columns.
    const streamArrays = driver.streamArrays?.bind(driver);
    async function* arrayPages(base: string, cols: string[]): AsyncGenerator<unknown[][]> {
      if (whole && streamArrays) {
        // One statement a table, read as it comes (MysqlDriver.streamArrays).
        yield* streamArrays(`SELECT ${cols.map(q).join(", ")} FROM ${t(base)} ORDER BY ${q(cols[0])}`, [], pageRows);
        return;
      }
      const page = (after: unknown) => {
        const [sql, params] = pageSql(base, cols[0], cols, after === null ? null : big(after), "");
        const read = gate(() => arrays!(sql, params));
        read.catch(() => {}); // awaited below; a scan stopped early never asks for it
        return read;
      };
      for (let next = page(null); ; ) {
        const rows = await next;
        if (rows.length === pageRows) next = page(rows[rows.length - 1][0]);
        if (rows.length) yield rows;
        if (rows.length < pageRows) return;
      }
    }
    if (encoder && !columns) {
      // Written with the encoder straight from the rows, as PostgreSQL's COPY pages are: no
      // record object, bigint or attr Buffer per row (the binary dump's garbage collection
      // took a quarter of its time with records).
      const enc = encoder;
      const attr = Buffer.allocUnsafe(MAX_ATTR);
      for await (const rows of arrayPages("node", [...NODE_COLUMNS])) {
        for (const r of rows) {
          links?.node(r[0], r[1], r[15]);
          encodeNodeRow(enc, r, attr);
        }
        const b = enc.take("nodes");
        if (b) yield b;
      }
      for await (const rows of arrayPages("edge", EDGE_COLUMNS)) {
        for (const r of rows) {
          links?.edge(r[3], r[1]);
          const name = toBuf(r[2]);
          enc.edge(u64Of(r[1]), u64Of(r[3]), name, 0, name.length, toNum(r[4]));
        }
        const b = enc.take("edges");
        if (b) yield b;
      }
      for await (const rows of arrayPages("chunk", CHUNK_COLUMNS)) {
        for (const r of rows) {
          const slices = r[3] as Buffer | null;
          if (slices && holdsSlices(slices.length)) enc.chunk(u64Of(r[1]), toU32(r[2]), slices, 0, slices.length);
        }
        const b = enc.take("chunks");
        if (b) yield b;
      }
    } else {
      for await (const rows of arrayPages("node", [...NODE_COLUMNS])) {
        if (links) for (const r of rows) links.node(r[0], r[1], r[15]);
        yield (columns && nodeColumnsOf(rows)) || { table: "nodes", records: rows.map(nodeRecord) };
      }
      for await (const rows of arrayPages("edge", EDGE_COLUMNS)) {
        if (links) for (const r of rows) links.edge(r[3], r[1]);
        yield (columns && bytesColumnsOf("edges", rows)) || { table: "edges", records: rows.map((r) => ({ parent: big(r[1]), inode: big(r[3]), name: toBuf(r[2]), type: toNum(r[4]) })) };
      }
      for await (const rows of arrayPages("chunk", CHUNK_COLUMNS)) {
        const kept = rows.filter((r) => {
          const slices = r[3] as Buffer | null;
          return slices && holdsSlices(slices.length);
        });
        yield (columns && bytesColumnsOf("chunks", kept)) || { table: "chunks", records: kept.map((r) => ({ inode: big(r[1]), index: toU32(r[2]), slices: toBuf(r[3]) })) };
      }
    }
  } else {
    for await (const rows of pages("node", "inode", [...NODE_COLUMNS])) {
      yield {
        table: "nodes",
        records: rows.map((r) => {
          const n = nodeFromRow(r);
          return { inode: n.attr.inode, attr: encodeAttr(n.attr, n.parent, n.accessAclId, n.defaultAclId) };
        }),
      };
    }
    for await (const rows of pages("edge", "id", ["id", "parent", "name", "inode", "type"])) {
      yield { table: "edges", records: rows.map((r) => ({ parent: toBig(r.parent), inode: toBig(r.inode), name: toBuf(r.name), type: toNum(r.type) })) };
    }
    for await (const rows of pages("chunk", "id", ["id", "inode", "indx", "slices"])) {
      const records = [];
      for (const r of rows) {
        const slices = toBuf(r.slices);
        if (holdsSlices(slices.length)) records.push({ inode: toBig(r.inode), index: toU32(r.indx), slices });
      }
      yield { table: "chunks", records };
    }
  }
  yield* symlinksAndXattrs();
  if (columns) {
    // The staged walk's scan: the ACLs are the last table a JSON dump's tree uses. Dir stats,
    // hard-link parents, slice references and quotas would cost the server a join and scans
    // of whole tables, and us a record with bigints per row, for nothing the tree shows.
    yield await aclBatch();
    return;
  }
  for await (const rows of pages("dir_stats", "inode", ["inode", "data_length", "used_space", "used_inodes"])) {
    yield {
      table: "dirStats",
      records: rows.map((r) => ({ inode: toBig(r.inode), dataLength: toBig(r.data_length), usedSpace: toBig(r.used_space), usedInodes: toBig(r.used_inodes) })),
    };
  }
  const linked = links && !links.inexact ? links.records() : (await all(linkedSql)).map((r) => ({ inode: toBig(r.inode), parent: toBig(r.parent), cnt: toBig(r.cnt) }));
  yield { table: "parents", records: linked };
  // Only slices referenced other than once are dumped.
  for await (const rows of pages("chunk_ref", "chunkid", ["chunkid", "size", "refs"], `${q("refs")} <> 1`)) {
    yield { table: "sliceRefs", records: rows.map((r) => ({ id: toBig(r.chunkid), size: toU32(r.size), refs: toBig(r.refs) })) };
  }
  yield await aclBatch();

  const quota = (r: Row, key: string): QuotaRecord => ({
    key: toBig(r[key]),
    maxSpace: toBig(r.max_space),
    maxInodes: toBig(r.max_inodes),
    usedSpace: toBig(r.used_space),
    usedInodes: toBig(r.used_inodes),
  });
  const cols = [q("max_space"), q("max_inodes"), q("used_space"), q("used_inodes")].join(", ");
  const dirQuotas = await all(`SELECT ${q("inode")}, ${cols} FROM ${t("dir_quota")} ORDER BY ${q("inode")}`);
  yield { table: "quotas", kind: "dir", records: dirQuotas.map((r) => quota(r, "inode")) };
  if (await src.hasTable("user_group_quota")) {
    for (const [kind, qtype] of [["user", 1], ["group", 2]] as const) {
      const rows = await all(`SELECT ${q("qkey")}, ${cols} FROM ${t("user_group_quota")} WHERE ${q("qtype")} = ? ORDER BY ${q("qkey")}`, [qtype]);
      yield { table: "quotas", kind, records: rows.map((r) => quota(r, "qkey")) };
    }
  }
}
