// LoadSink for the SQL engines: buffers rows per table and writes them as multi-row INSERTs
// (SQLite), the connector's bulk batch (MySQL) or binary COPY (PostgreSQL). Writing overlaps
// with parsing: one round of rows is written while the next is buffered.
// SQLite and PostgreSQL run the whole load (DDL included) in one transaction, so abort() is a
// ROLLBACK; MySQL commits DDL implicitly, so abort() drops the tables this load created (and
// its rows go in two sessions' transactions, see SIDE_TABLES). The load's claim (claim.ts) is
// taken first and ends with commit() or abort().
import { existsSync, rmSync } from "node:fs";
import { setImmediate as turn } from "node:timers/promises";
import type { LoadSink } from "../engine";
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../../jfs/types";
import { TYPE_CODE } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting } from "../../jfs/setting-json";
import { changelogLines, type LoadChangelogOp } from "../../jfs/changelog";
import type { SqlSession } from "./driver";
import { TABLES, tableDef, type ColType } from "./schema";
import { aclRow, NODE_COLUMNS, nodeRow, packSlices } from "./rows";
import { CopyWriter } from "./pg-copy";
import { JfsError, logIgnored } from "../../jfs/errors";
import { claimSql, releaseSqlClaim, type SqlClaimTarget } from "./claim";
import { sqlFailure } from "./errors";

/** A session that writes some of the tables, one write at a time (see SIDE_TABLES). */
interface Lane {
  conn: SqlSession;
  /** The running or last write; the next one chains on it. */
  flushing: Promise<void>;
  /** A write is running. */
  writing: boolean;
}

interface Buffered {
  table: string;
  /** The session that writes this table. */
  lane: Lane;
  columns: readonly string[];
  /** PostgreSQL: the rows, encoded for COPY as they come (`rows` stays empty). */
  copy: CopyWriter | null;
  /** The load numbers the rows in the table's SERIAL / AUTO_INCREMENT column (see buf()). */
  numbered: boolean;
  /** MySQL, `numbered`: the last id given (PostgreSQL's CopyWriter keeps its own). */
  lastId: number;
  rows: unknown[][];
  /** Wire size of `rows`, tracked only for `variable` tables. */
  bytes: number;
  variable: boolean;
}

/** A statement should stay well under MySQL's default max_allowed_packet (16 MiB on MariaDB). */
const MAX_STATEMENT_BYTES = 4 << 20;
/** Rows per statement at most (JuiceFS uses 52 / 3449 / 1000; bigger is faster and still safe). */
const MAX_STATEMENT_ROWS = 2000;

const INT32_MAX = 0x7fffffff;

/** PostgreSQL: rows buffered (all tables) while a write runs before the parser waits for it. */
const BUFFERED_ROWS = 20000;
/** PostgreSQL: rows per COPY at least (one COPY round trip carries a whole buffer). */
export const COPY_ROWS = 10000;
/**
 * MySQL: statements' worth of rows buffered while a write runs. Its rows wait as JS arrays
 * until the connector encodes them (COPY encodes a whole buffer at once), and 20,000 of them
 * outlived the young generation: the binary load's old generation grew with their garbage to a
 * peak RSS of 279-316 MB at 1M files. The next statement ready when the server asks is enough.
 */
const AHEAD_STATEMENTS = 2;

/**
 * PostgreSQL: the tables a big volume fills, whose primary keys are built after their rows.
 * Measured on 1M rows each (COPY, the server's CPU): jfs_chunk_ref, whose slice ids come in
 * chunk order, not key order, 5.4 s with its key in place against 0.9 s + 0.6 s to build it
 * after; jfs_edge 2.8 s against 0.9 s + 0.4 s with its ids numbered by the load (a SERIAL's
 * nextval() per row was 0.6 s of it); jfs_node 2.4 s against 1.7 s + 0.5 s.
 */
const LATE_KEYS: ReadonlySet<string> = new Set(["node", "edge", "chunk", "chunk_ref"]);

/**
 * MySQL: tables written by a second session, in a transaction of its own, at the same time as
 * the others: the server, more than our process, bounds a MySQL load (binary load of 1M files:
 * the server's CPU 14-16 s, ours 11-14 s), and one session's statements run one at a time on
 * one server thread. A binary dump's chunk segments fill jfs_chunk and jfs_chunk_ref together
 * (each slice's first use). Measured at 1M files, 7 alternating pairs on the shared 2-core
 * machine: faster in 6 (the quietest 3: 27.8/25.9/29.5 s → 18.8/25.6/25.1 s wall), for
 * 0.5-1.5 s more of the server's CPU; the JSON load 43.0 → 40.1 s (2 pairs).
 * PostgreSQL's tables are created in the load's transaction: no other session sees them before COMMIT.
 */
const SIDE_TABLES: ReadonlySet<string> = new Set(["chunk_ref"]);

/** Tables whose rows can be large (blobs past a few hundred bytes); others are bounded by row count. */
const VARIABLE_ROWS = new Set(["chunk", "xattr", "symlink", "acl", "setting"]);

/** Roughly the bytes a row takes on the wire (hex-escaped on MySQL). */
function rowBytes(row: unknown[]): number {
  let n = 0;
  for (const v of row) n += Buffer.isBuffer(v) ? v.length * 2 + 8 : typeof v === "string" ? v.length * 2 + 8 : 12;
  return n;
}

/** What the sink needs of the engine it loads into (SqlEngine; an interface, not an import of it). */
/** What the sink needs of its engine: what its claim needs (claim.ts). */
export type SqlLoadTarget = SqlClaimTarget;

export class SqlLoadSink implements LoadSink {
  private readonly buffers = new Map<string, Buffered>();
  /** Written at commit, once the rows they update are in: hard links' nlink, shared slices' refs. */
  private readonly hardLinks: [bigint, number][] = [];
  private readonly sharedRefs = new Map<bigint, number>();
  private pendingSetting: Setting | null = null;
  /** The load's own session (claim, DDL, all tables but SIDE_TABLES). */
  private readonly main: Lane;
  /** MySQL: SIDE_TABLES' session, committed just before the main one (the setting's). */
  private side: Lane | null = null;
  private writeError: Error | null = null;
  private done = false;
  /**
   * Every dialect writes the rows in one transaction per session (one commit, not one per
   * statement); SQLite and PostgreSQL hold the DDL in it too, MySQL commits DDL on its own.
   */
  private readonly ddlInTransaction: boolean;
  /** SQLite: the file did not exist before the load; abort removes it. */
  private createdFile = false;
  /** The database is claimed by this load: abort() may remove what is in it. */
  private claimed = false;
  /** PostgreSQL: LATE_KEYS' primary keys and the secondary indexes, built at commit (see start()). */
  private lateKeys: { table: string; sql: string }[] = [];
  private lateIndexes: { table: string; sql: string }[] = [];

  private constructor(
    private readonly engine: SqlLoadTarget,
    private readonly conn: SqlSession,
  ) {
    this.ddlInTransaction = engine.driver.dialect !== "mysql";
    this.main = { conn, flushing: Promise.resolve(), writing: false };
  }

  /** MySQL: the tables the second session writes (SIDE_TABLES; a test may name others). */
  static sideTables: ReadonlySet<string> = SIDE_TABLES;

  /** The session whose transaction holds a table's rows. */
  private laneOf(base: string): Lane {
    return this.side && SqlLoadSink.sideTables.has(base) ? this.side : this.main;
  }

  private get lanes(): Lane[] {
    return this.side ? [this.main, this.side] : [this.main];
  }

  static async start(engine: SqlLoadTarget): Promise<SqlLoadSink> {
    const d = engine.driver;
    let createdFile = false;
    if (d.dialect === "sqlite3") {
      createdFile = d.missing();
      d.open(true);
    }
    const conn = await d.connect();
    const sink = new SqlLoadSink(engine, conn);
    sink.createdFile = createdFile;
    try {
      await claimSql(engine, conn);
      sink.claimed = true;
    } catch (err) {
      conn.release();
      throw err;
    }
    try {
      const schema = engine.target.dialect === "postgres" ? engine.target.schema : undefined;
      if (schema) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${engine.names.q(schema)}`);
      // PostgreSQL builds the secondary indexes (UQE_, IDX_), and the big tables' primary keys
      // (LATE_KEYS), after the rows, in the same transaction: one sorted build each instead of a
      // B-tree insert per row. Measured at 1M files (binary load): the server's CPU 11.7 → 8.7 s
      // for the secondary indexes. A key held twice then fails the unique index's build, before
      // COMMIT, as it failed the COPY before. MySQL would commit at each CREATE INDEX (DDL) half
      // way through the rows; SQLite's loads are client-bound.
      const late = d.dialect === "postgres";
      const { tables, keys, indexes } = engine.names.createInSteps(late ? LATE_KEYS : undefined);
      for (const stmt of late ? tables : engine.names.createAll()) await conn.run(stmt.replace(/;$/, ""));
      if (late) {
        sink.lateKeys = keys;
        sink.lateIndexes = indexes;
      }
      if (d.dialect === "mysql") {
        await conn.run("BEGIN");
        // The tables exist for other sessions (MySQL commits DDL): SIDE_TABLES go on a second one.
        const side = await d.connect();
        sink.side = { conn: side, flushing: Promise.resolve(), writing: false };
        await side.run("BEGIN");
      }
    } catch (err) {
      await sink.abort().catch((abortErr) => logIgnored(`removing what a failed load start created in ${engine.redactedUrl}`, abortErr));
      throw err;
    }
    return sink;
  }

  private buf(table: string, columns: readonly string[]): Buffered {
    let b = this.buffers.get(table);
    if (!b) {
      // The table's SERIAL / AUTO_INCREMENT id is numbered here (1, 2, 3… in the order of the
      // rows, as the database would number them one insert at a time):
      // - PostgreSQL, for a table whose primary key comes after the rows (commit() sets the
      //   sequence where as many nextval() would leave it);
      // - MySQL, for every such table: the bulk protocol left gaps where InnoDB reserved ids in
      //   blocks (a 9,000-chunk file's rows from id 2001 were stored from 2048).
      const numbers = this.conn.copyIn ? LATE_KEYS.has(table) : this.engine.driver.dialect === "mysql";
      const serial = numbers ? this.engine.names.serialColumn(table) : null;
      const numbered = serial !== null && !columns.includes(serial);
      if (numbered) columns = [serial, ...columns];
      const copy = this.conn.copyIn ? new CopyWriter(this.columnTypes(table, columns), numbered) : null;
      this.buffers.set(table, (b = { table, lane: this.laneOf(table), columns, copy, numbered, lastId: 0, rows: [], bytes: 0, variable: VARIABLE_ROWS.has(table) }));
    }
    return b;
  }

  private add(table: string, columns: readonly string[], row: unknown[]): void {
    if (this.done) throw new Error("this load has already finished; start a new one");
    const b = this.buf(table, columns);
    if (b.copy) {
      try {
        b.copy.add(row);
      } catch (err) {
        throw this.explain(err as Error, table);
      }
      return;
    }
    if (b.numbered) row = [++b.lastId, ...row];
    b.rows.push(row);
    if (b.variable) b.bytes += rowBytes(row);
  }

  /**
   * MySQL and PostgreSQL keep uid, gid and rdev in signed INT. JuiceFS fails such a load half
   * way (out of range); a two's-complement value would load but JuiceFS's client could not read
   * it back into its uint32 fields. So refuse before anything is kept, naming inode and fix.
   */
  private checkInt32(attr: Attr): void {
    if (this.engine.driver.dialect === "sqlite3") return;
    for (const field of ["uid", "gid", "rdev"] as const) {
      if (attr[field] > INT32_MAX) {
        throw new JfsError(
          "unsupported",
          `inode ${attr.inode} has ${field} ${attr[field]}, which does not fit the signed 32-bit column ${this.engine.names.raw("node")}.${field} ` +
            `JuiceFS uses on ${this.engine.driver.dialect === "mysql" ? "MySQL" : "PostgreSQL"}: load this dump into SQLite, Redis or a TKV engine, or change that ${field} in the source volume first`,
        );
      }
    }
  }

  node(attr: Attr, parent: bigint, aclIds: { access: number; default: number }): void {
    this.checkInt32(attr);
    this.add("node", NODE_COLUMNS, nodeRow(attr, parent, aclIds.access, aclIds.default));
  }

  edges(parent: bigint, entries: DirEntry[]): void {
    for (const e of entries) this.add("edge", ["parent", "name", "inode", "type"], [parent, e.name, e.inode, TYPE_CODE[e.type]]);
  }

  chunks(inode: bigint, chunks: Chunk[], stored?: Buffer[]): void {
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      if (!c.slices.length) continue;
      // A binary load's bytes are the column's own (encodeSlice's records are packSlices'):
      // kept, not encoded again. Measured at 300,000 files: packSlices was 0.3 s of the client's CPU.
      this.add("chunk", ["inode", "indx", "slices"], [inode, c.index, stored?.[i] ?? packSlices(c.slices)]);
    }
  }

  newSlices(slices: { id: bigint; size: number }[]): void {
    // Every live slice needs a row or JuiceFS never deletes its object; shared ones get their
    // full count from sliceRefs() at the end.
    for (const s of slices) this.add("chunk_ref", ["chunkid", "size", "refs"], [s.id, s.size, 1]);
  }

  symlink(inode: bigint, target: Buffer): void {
    this.add("symlink", ["inode", "target"], [inode, target]);
  }

  xattrs(inode: bigint, xattrs: Xattr[]): void {
    for (const x of xattrs) this.add("xattr", ["inode", "name", "value"], [inode, x.name.toString("utf8"), x.value]);
  }

  dirStats(inode: bigint, s: { dataLength: bigint; usedSpace: bigint; usedInodes: bigint }): void {
    this.add("dir_stats", ["inode", "data_length", "used_space", "used_inodes"], [inode, s.dataLength, s.usedSpace, s.usedInodes]);
  }

  hardLink(inode: bigint, nlink: number): void {
    // SQL keeps no per-parent counts: the parents are the edges pointing at the inode.
    this.hardLinks.push([inode, nlink]);
  }

  aclRules(rules: Map<number, AclRule>): void {
    for (const [id, rule] of rules) this.add("acl", ["id", "owner", "group", "mask", "other", "named_users", "named_groups"], aclRow(id, rule));
  }

  sliceRefs(refs: { id: bigint; size: number; count: number }[]): void {
    // newSlices() wrote each row with refs 1. An id met with several sizes comes once per size,
    // each count but the first one's including that first use again: count it once.
    for (const r of refs) {
      if (r.id === 0n) continue;
      const counted = this.sharedRefs.get(r.id);
      this.sharedRefs.set(r.id, counted === undefined ? r.count : counted + r.count - 1);
    }
  }

  delFiles(files: DelFile[]): void {
    for (const f of files) this.add("delfile", ["inode", "length", "expire"], [f.inode, f.length, f.expire]);
  }

  quotas(kind: QuotaKind, quotas: Map<bigint, QuotaLimit & QuotaUsage>): void {
    for (const [key, q] of quotas) {
      if (kind === "dir") {
        this.add("dir_quota", ["inode", "max_space", "max_inodes", "used_space", "used_inodes"], [key, q.maxSpace, q.maxInodes, q.usedSpace, q.usedInodes]);
      } else {
        this.add(
          "user_group_quota",
          ["qtype", "qkey", "max_space", "max_inodes", "used_space", "used_inodes"],
          [kind === "user" ? 1 : 2, key, q.maxSpace, q.maxInodes, q.usedSpace, q.usedInodes],
        );
      }
    }
  }

  changelog(ops: LoadChangelogOp[]): void {
    // JuiceFS's SQL engine records the limits stored after a SETQUOTA. Ids come from the
    // table's auto-increment, in insertion order: 1…n on the fresh table, the sequence advanced.
    for (const line of changelogLines(ops, "stored")) this.add("change_log", ["entry"], [line]);
  }

  counters(c: Counters): void {
    const rows: [string, bigint][] = [
      ["usedSpace", c.usedSpace],
      ["totalInodes", c.usedInodes],
      ["nextInode", c.nextInodes],
      ["nextChunk", c.nextChunk],
      ["nextSession", c.nextSession],
      ["nextTrash", c.nextTrash],
    ];
    for (const r of rows) this.add("counter", ["name", "value"], r);
  }

  setting(s: Setting): void {
    this.pendingSetting = s;
  }

  /**
   * Writes the tables whose buffers fill at least one full statement; the rest waits for more
   * rows (memory stays bounded by one statement per table) or for commit().
   */
  flush(): Promise<void> {
    // One write per lane runs while the parser goes on filling the buffers, so that parsing and
    // the database's work overlap; the parser waits only when a lane's BUFFERED_ROWS pile up meanwhile.
    if (this.writeError) return Promise.reject(this.writeError);
    // SQLite writes on this very thread: running ahead would only buffer more.
    const overlap = this.engine.driver.dialect !== "sqlite3";
    const waits: Promise<void>[] = [];
    for (const lane of this.lanes) {
      if (!lane.writing) {
        this.startWrite(lane);
        continue;
      }
      if (!overlap) return lane.flushing;
      // Only rows a write would take count: a lane holding partial statements alone (each table
      // under one statement, bounded so) has nothing a wait would write. Counting those too, two
      // lanes of several tables each waited on each other's empty writes for ever (SIDE_TABLES
      // chunk_ref, node and xattr: the heap grew to 4 GB).
      let rows = 0;
      for (const b of this.buffers.values()) if (b.lane === lane && this.ready(b, false)) rows += b.copy ? b.copy.rows : b.rows.length;
      // The next write starts as soon as this one ends, not at the parser's next flush().
      if (rows >= (lane.conn.copyIn ? BUFFERED_ROWS : AHEAD_STATEMENTS * MAX_STATEMENT_ROWS)) waits.push(lane.flushing.then(() => this.flush()));
    }
    if (!overlap) return this.main.flushing;
    if (waits.length) return Promise.all(waits).then(() => {});
    // PostgreSQL (every lane writes by now): a turn of the event loop, so that a COPY the server
    // has finished is seen now and the next one starts at the parser's next flush. The parser
    // runs on between flushes without one (their promises resolve at once), and the server sat
    // idle until the parser next waited for a full buffer: 1M-file binary load 9.2-11.6 s ->
    // 8.3-10.8 s, runs taking turns. MariaDB's loads, which the server bounds, showed no gain.
    return this.main.conn.copyIn ? turn() : Promise.resolve();
  }

  private startWrite(lane: Lane): void {
    lane.writing = true;
    lane.flushing = lane.flushing
      .then(() => this.writeBuffered(lane, false))
      .catch((err: Error) => {
        this.writeError = err;
        throw err;
      })
      .finally(() => {
        lane.writing = false;
      });
    lane.flushing.catch(() => {}); // reported by the next flush(), commit() or abort()
  }

  /** Whether a write takes `b`'s rows now: a full statement (COPY) of them, or any with `all` (the commit). */
  private ready(b: Buffered, all: boolean): boolean {
    if (b.copy) return b.copy.rows > 0 && (all || b.copy.rows >= COPY_ROWS || b.copy.bytes >= MAX_STATEMENT_BYTES);
    return b.rows.length > 0 && (all || b.rows.length >= this.statementRows(b) || b.bytes >= MAX_STATEMENT_BYTES);
  }

  private statementRows(b: Buffered): number {
    return Math.max(1, Math.min(MAX_STATEMENT_ROWS, Math.floor(this.engine.driver.maxParams / b.columns.length)));
  }

  private insertSql(b: Buffered, n: number): string {
    const { names } = this.engine;
    const dialect = this.engine.driver.dialect;
    const q = (c: string) => names.q(c);
    const tuple = `(${b.columns.map(() => "?").join(",")})`;
    // MySQL goes through the connector's batch(): one tuple, many rows.
    const tuples = dialect === "mysql" ? 1 : n;
    return `INSERT INTO ${names.t(b.table)} (${b.columns.map(q).join(",")}) VALUES ${new Array(tuples).fill(tuple).join(",")}`;
  }

  private async writeBuffered(lane: Lane, all: boolean): Promise<void> {
    const dialect = this.engine.driver.dialect;
    const { conn } = lane;
    const copy = conn.copyIn;
    const ready = [...this.buffers.values()].filter((b) => b.lane === lane && this.ready(b, all));
    for (const b of ready) {
      if (b.copy) {
        // Taken before the first await: the parser keeps adding rows meanwhile.
        const data = b.copy.take();
        await copy!(this.copySql(b), data).catch((err: Error) => {
          throw this.explain(err, b.table);
        });
        continue;
      }
      const rows = b.rows;
      b.rows = [];
      b.bytes = 0;
      const maxRows = this.statementRows(b);
      let i = 0;
      while (i < rows.length) {
        let n = 0;
        let bytes = 0;
        if (b.variable) {
          while (i + n < rows.length && n < maxRows && (n === 0 || bytes + rowBytes(rows[i + n]) <= MAX_STATEMENT_BYTES)) {
            bytes += rowBytes(rows[i + n]);
            n++;
          }
        } else {
          n = Math.min(maxRows, rows.length - i);
        }
        // Keep a partial tail for later (unless finishing): full statements reuse one plan.
        if (!all && n < maxRows && bytes < MAX_STATEMENT_BYTES && i + n === rows.length) break;
        const fail = (err: Error) => {
          throw this.explain(err, b.table);
        };
        if (conn.batch) {
          await conn.batch(this.insertSql(b, n), rows.slice(i, i + n)).catch(fail);
          i += n;
          continue;
        }
        const params: unknown[] = [];
        for (let k = i; k < i + n; k++) for (const v of rows[k]) params.push(v);
        await conn.run(this.insertSql(b, n), params).catch(fail);
        i += n;
        // better-sqlite3 is synchronous: let the event loop breathe between statements.
        if (dialect === "sqlite3") await new Promise((r) => setImmediate(r));
      }
      for (; i < rows.length; i++) {
        b.rows.push(rows[i]);
        if (b.variable) b.bytes += rowBytes(rows[i]);
      }
    }
  }

  /** Hard links' nlink and shared slices' refs, once the rows they update are all in. */
  private async updateCounts(): Promise<void> {
    const { names } = this.engine;
    await this.updateByKey("node", "inode", "nlink", this.hardLinks.splice(0), `${names.q("parent")} = 0`);
    await this.updateByKey("chunk_ref", "chunkid", "refs", [...this.sharedRefs]);
    this.sharedRefs.clear();
  }

  /**
   * FREEZE: the rows are written frozen and their pages all-visible, which PostgreSQL allows in
   * the transaction that created the table (every table here: the claim found none). Else the
   * first reader sets every row's hint bits and writes every page again, and a vacuum later
   * freezes them all: measured at 1M files, the first binary dump after a load took 8.3-8.6 s
   * against 6.0-6.9 s after a frozen one. The load itself takes the same time.
   */
  private copySql(b: Buffered): string {
    const cols = b.columns.map((c) => this.engine.names.q(c)).join(",");
    return `COPY ${this.engine.names.t(b.table)} (${cols}) FROM STDIN (FORMAT binary, FREEZE)`;
  }

  private columnTypes(table: string, columns: readonly string[]): { name: string; type: ColType }[] {
    const def = tableDef(table);
    return columns.map((name) => ({ name, type: def.columns.find((x) => x.name === name)!.type }));
  }

  /**
   * `column` = value for each (key, value), 500 rows per statement, plus `alsoSet` when given:
   * hard links (nlink = links, parent 0) and shared slices (refs = uses).
   */
  private async updateByKey(base: string, key: string, column: string, pairs: [bigint, number][], alsoSet?: string): Promise<void> {
    const q = (c: string) => this.engine.names.q(c);
    const table = this.engine.names.t(base);
    const { conn } = this.laneOf(base);
    const set = alsoSet ? `, ${alsoSet}` : "";
    for (let i = 0; i < pairs.length; i += 500) {
      const part = pairs.slice(i, i + 500);
      if (this.engine.driver.dialect === "postgres") {
        await conn.run(
          `UPDATE ${table} SET ${q(column)} = u.v${set} FROM UNNEST(?::bigint[], ?::integer[]) AS u(k, v) WHERE ${q(key)} = u.k`,
          [part.map(([k]) => k), part.map(([, v]) => v)],
        );
      } else {
        const cases = part.map(() => "WHEN ? THEN ?").join(" ");
        await conn.run(
          `UPDATE ${table} SET ${q(column)} = CASE ${q(key)} ${cases} END${set} WHERE ${q(key)} IN (${part.map(() => "?").join(",")})`,
          [...part.flatMap(([k, v]) => [k, v]), ...part.map(([k]) => k)],
        );
      }
    }
  }

  /**
   * A failed write in words, by the driver's codes. The verifier in front of the load refuses
   * what JuiceFS cannot hold with the JSON path; what still fails here is said per table.
   */
  private explain(err: Error, table: string): Error {
    const { label } = this.engine.target;
    const name = this.engine.names.raw(table);
    const failure = sqlFailure(err);
    const m = err.message;
    if (failure === "range") {
      return new JfsError("corrupt-input", `${label}: a value of the dump does not fit a column of ${name} (${m})`, { cause: err });
    }
    if (failure === "too-long") {
      const what =
        table === "chunk" ? "a chunk with more than 2730 slices" : table === "xattr" ? "an extended attribute value over 64 KiB" : table === "symlink" ? "a symlink target over 4096 bytes" : "a value";
      return new JfsError(
        "unsupported",
        `${label}: ${what} does not fit JuiceFS's MySQL column in ${name} (BLOB/VARBINARY limits); compact the file in the source volume or load into PostgreSQL, SQLite or Redis (${m})`,
        { cause: err },
      );
    }
    if (failure === "unique" && table === "xattr" && this.engine.driver.dialect === "mysql") {
      return new JfsError(
        "unsupported",
        `${label}: two extended attributes of one inode differ only in letter case; MySQL's default collation treats them as equal (${m})`,
        { cause: err },
      );
    }
    if (failure === "unique") {
      return new JfsError("corrupt-input", `${label}: the dump holds one key of ${name} twice (${m})`, { cause: err });
    }
    return err;
  }

  async commit(): Promise<void> {
    for (const lane of this.lanes) lane.flushing = lane.flushing.then(() => this.writeBuffered(lane, true));
    await Promise.all(this.lanes.map((lane) => lane.flushing));
    const { names } = this.engine;
    const dialect = this.engine.driver.dialect;
    const build = async (steps: { table: string; sql: string }[]) => {
      for (const { table, sql } of steps) {
        await this.conn.run(sql.replace(/;$/, "")).catch((err: Error) => {
          throw this.explain(err, table);
        });
      }
    };
    if (dialect === "postgres") {
      // Explicit ACL ids do not advance the SERIAL sequence (JuiceFS's load leaves it at 1).
      const acl = names.t("acl");
      await this.conn.run(
        `SELECT setval(pg_get_serial_sequence('${acl.replace(/'/g, "''")}', 'id'), m) FROM (SELECT MAX(${names.q("id")}) AS m FROM ${acl}) s WHERE m IS NOT NULL`,
      );
      // Ids numbered by the load (buf()): the sequence where as many nextval() would leave it.
      for (const b of this.buffers.values()) {
        if (!b.numbered || !b.copy?.total) continue;
        await this.conn.run(`SELECT setval(pg_get_serial_sequence('${names.t(b.table).replace(/'/g, "''")}', '${b.columns[0]}'), ${b.copy.total})`);
      }
    }
    // The hard links' and shared slices' updates find their rows by primary key: after the keys
    // built late (PostgreSQL), before the secondary indexes.
    await build(this.lateKeys);
    await this.updateCounts();
    await build(this.lateIndexes);
    if (this.side) {
      // Before the setting's transaction: the volume appears whole or not at all. Should the
      // main COMMIT fail after this one, abort() drops the tables, these rows with them.
      await this.side.conn.run("COMMIT");
      this.side.conn.release();
      this.side = null;
    }
    if (this.pendingSetting) {
      // The setting goes last: a half-written database never looks like a volume.
      const q = (c: string) => names.q(c);
      await this.conn.run(`INSERT INTO ${names.t("setting")} (${q("name")}, ${q("value")}) VALUES ('format', ?)`, [encodeStoredSetting(this.pendingSetting)]);
    }
    if (dialect === "postgres") {
      // Fresh tables have no statistics: without them a keyset page of a big directory is
      // planned as bitmap scan + sort of the whole rest (measured: 70 ms a page at 100k).
      for (const base of ["node", "edge", "chunk", "xattr", "symlink", "chunk_ref"]) await this.conn.run(`ANALYZE ${names.t(base)}`);
    }
    await this.conn.run("COMMIT");
    this.done = true;
    // MySQL: the volume is committed; a claim left by a failure here is only reported as stale.
    if (dialect === "mysql") {
      await releaseSqlClaim(this.engine, this.conn, true).catch((err) =>
        logIgnored(`removing the load's claim (table ${this.engine.names.raw("jfsmeta_load")}) after the commit; the volume is complete`, err),
      );
    }
    this.conn.release();
  }

  /** Committed or aborted. */
  get finished(): boolean {
    return this.done;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.buffers.clear();
    // A failed flush is what the caller is aborting for.
    await Promise.all(this.lanes.map((lane) => lane.flushing.catch(() => {})));
    if (this.side) {
      // Before the tables are dropped: DROP TABLE would wait for this open transaction's locks.
      // A ROLLBACK fails only on a connection already lost: the server then rolls back itself.
      await this.side.conn.run("ROLLBACK").catch(() => {});
      this.side.conn.release();
      this.side = null;
    }
    const d = this.engine.driver;
    const path = (this.engine.target as { path?: string }).path;
    // SQLite: the file this load created goes while its write lock is held, so that a load
    // waiting for the lock finds it gone (claim.ts) instead of loading into an unlinked file.
    const removeFile = d.dialect === "sqlite3" && this.createdFile && this.claimed && path !== undefined;
    if (removeFile && existsSync(path)) rmSync(path, { force: true });
    try {
      if (!this.claimed) return;
      if (this.ddlInTransaction) {
        // A ROLLBACK fails only on a connection already lost: the server then rolls back itself.
        await this.conn.run("ROLLBACK").catch(() => {});
      } else {
        // MySQL: DDL committed on its own; drop what this load created (the claim found the
        // database without tables), then the claim. Dropping is quicker than a rollback first.
        for (const t of [...TABLES].reverse()) await this.conn.run(`DROP TABLE IF EXISTS ${this.engine.names.t(t.base)}`);
        await releaseSqlClaim(this.engine, this.conn, true);
      }
    } finally {
      this.conn.release();
    }
    if (removeFile) {
      await d.close();
      for (const suffix of ["", "-wal", "-shm", "-journal"]) {
        const p = path + suffix;
        if (existsSync(p)) rmSync(p, { force: true });
      }
    }
  }
}
