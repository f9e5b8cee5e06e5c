// One small async interface over better-sqlite3, the mariadb connector and pg. Statements are
// written with `?` placeholders; 64-bit integers come back as bigint on every dialect.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { finished } from "node:stream/promises";
import type { MysqlTarget, PostgresTarget, SqliteTarget, SqlDialect, SqlTarget } from "./url";

export type Row = Record<string, unknown>;

export interface SqlConn {
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Returns the number of affected rows. */
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface SqlSession extends SqlConn {
  release(): void;
  /**
   * The connection was closed under the session (PostgreSQL: a streamed COPY stopped midway
   * leaves it unusable, so it is closed at once): its transaction is gone, release() is a no-op.
   */
  readonly closed?: boolean;
  /** MySQL/MariaDB: one single-row statement executed for many rows (bulk protocol). */
  batch?(sql: string, rows: unknown[][]): Promise<void>;
  /** PostgreSQL: COPY ... FROM STDIN with `data` as the whole input. */
  copyIn?(sql: string, data: Buffer): Promise<void>;
  /** PostgreSQL: a SELECT's rows through binary COPY (see PostgresDriver.copyRows). */
  copyRows?(sql: string, params: unknown[], columns: readonly string[], bytes: ReadonlySet<string>): Promise<Row[]>;
  /** PostgreSQL: the same, as the COPY stream's bytes (see PostgresDriver.copyBytes). */
  copyBytes?(sql: string, params: unknown[]): Promise<Buffer>;
  /** PostgreSQL: the same as it comes, in groups of chunks (see PostgresDriver.copyBlocks). */
  copyBlocks?(sql: string, params: unknown[], blockBytes: number): AsyncIterable<Buffer[]>;
  /** MySQL/MariaDB: a SELECT's rows as arrays (see MysqlDriver.allArrays). */
  allArrays?(sql: string, params: unknown[]): Promise<unknown[][]>;
  /** MySQL/MariaDB: the same as they come, in batches (see MysqlDriver.streamArrays). */
  streamArrays?(sql: string, params: unknown[], batchRows: number): AsyncIterable<unknown[][]>;
}

export interface SqlDriver extends SqlConn {
  readonly dialect: SqlDialect;
  /** Bind parameters one statement may carry. */
  readonly maxParams: number;
  /** A connection of its own, for transactions spanning several statements. */
  connect(): Promise<SqlSession>;
  /**
   * From now until its end(), every all() of this driver reads one moment of the database, on
   * up to `parallel` connections that share it. Writes (run) are refused meanwhile: a snapshot
   * is read-only. One at a time.
   */
  beginSnapshot(parallel: number): Promise<ReadSnapshot>;
  close(): Promise<void>;
}

/** A read-only view of one moment of the database (see SqlDriver.beginSnapshot). */
export interface ReadSnapshot {
  /** When the snapshot was taken, by the database server's clock (SQLite: this host's). */
  readonly takenAt: Date;
  /** Connections reading in it at once (1 where the server cannot share a snapshot). */
  readonly connections: number;
  /** Close its transactions; all() reads the live database again. Idempotent. */
  end(): Promise<void>;
}

/**
 * Sessions that each hold a transaction on the same snapshot; a read takes an idle one (or
 * waits for one). Ending commits the read-only transactions and hands the sessions back.
 */
class SnapshotSessions implements ReadSnapshot {
  private readonly idle: SqlSession[];
  private readonly waiting: ((s: SqlSession) => void)[] = [];
  private ended: Promise<void> | null = null;
  constructor(
    readonly takenAt: Date,
    private readonly sessions: SqlSession[],
    private readonly onEnd: () => void,
  ) {
    this.idle = [...sessions];
  }
  get connections(): number {
    return this.sessions.length;
  }
  all(sql: string, params?: unknown[]): Promise<Row[]> {
    return this.on((s) => s.all(sql, params));
  }
  /** `read` on an idle session of the snapshot (waiting for one if need be). */
  async on<T>(read: (s: SqlSession) => Promise<T>): Promise<T> {
    const s = await this.take();
    try {
      return await read(s);
    } finally {
      this.give(s);
    }
  }
  /**
   * The items of `read` on an idle session of the snapshot, which it holds until the iteration
   * ends (a streamed read: one statement whose result is read as it comes).
   */
  async *stream<T>(read: (s: SqlSession) => AsyncIterable<T>): AsyncGenerator<T> {
    const s = await this.take();
    try {
      yield* read(s);
    } finally {
      this.give(s);
    }
  }
  /** An idle session, or the next one handed back. */
  private async take(): Promise<SqlSession> {
    if (this.ended) throw new JfsError("internal", "a read after the end of its snapshot");
    return this.idle.pop() ?? (await new Promise<SqlSession>((r) => this.waiting.push(r)));
  }
  /** A session back: to the first read waiting for one, else idle. */
  private give(s: SqlSession): void {
    const next = this.waiting.shift();
    if (next) next(s);
    else this.idle.push(s);
  }
  end(): Promise<void> {
    this.ended ??= (async () => {
      this.onEnd();
      for (const s of this.sessions) {
        // A read-only transaction: nothing to keep, so a failed COMMIT (connection lost) is moot.
        if (!s.closed) await s.run("COMMIT").catch((err) => logIgnored("ending a read snapshot", err));
        s.release();
      }
    })();
    return this.ended;
  }
}

/** Release every session (after a failure while opening a snapshot). */
async function dropSessions(sessions: SqlSession[]): Promise<void> {
  for (const s of sessions) {
    await s.run("ROLLBACK").catch(() => {}); // the failure being reported is the one that matters
    s.release();
  }
}

const refuseWrite = () => new JfsError("internal", "a write while a read snapshot is open (snapshots are read-only)");

/** The database file of a sqlite3:// URL does not exist (reads do not create it). */
export class SqliteMissingError extends JfsError {
  constructor(readonly path: string) {
    super("not-found", `SQLite database file ${path} does not exist; check the path in the META-URL`);
  }
}

// ---------------------------------------------------------------- SQLite

import type BetterSqlite3 from "better-sqlite3";
import { JfsError, logIgnored } from "../../jfs/errors";

class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite3" as const;
  // better-sqlite3 bundles SQLite ≥ 3.32 (32766 variables); stay well below.
  readonly maxParams = 30000;
  private db: BetterSqlite3.Database | null = null;
  private readonly stmts = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly Database: typeof BetterSqlite3,
    private readonly target: SqliteTarget,
  ) {}

  /** Whether the database file is absent (nothing has been created yet). */
  missing(): boolean {
    return !this.db && this.target.path !== ":memory:" && !existsSync(this.target.path);
  }

  /** Open, creating the file when `create`. */
  open(create: boolean): BetterSqlite3.Database {
    if (this.db) return this.db;
    if (!create && this.missing()) throw new SqliteMissingError(this.target.path);
    const db = new this.Database(this.target.path, { readonly: this.target.readonly });
    db.defaultSafeIntegers(true);
    db.pragma(`busy_timeout = ${this.target.busyTimeoutMs}`);
    if (this.target.journalMode && !this.target.readonly) db.pragma(`journal_mode = ${this.target.journalMode}`);
    this.db = db;
    return db;
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      if (this.stmts.size > 256) this.stmts.clear();
      s = this.open(false).prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private readonly rawStmts = new Map<string, BetterSqlite3.Statement>();

  /**
   * Rows as arrays, integers as plain numbers (a column past 2^53 must be selected as text by
   * the caller): the flat scan's bulk reads. Measured on 100,000 jfs_node rows: 3.8 s as
   * objects of bigints (safe integers), 1.0 s as arrays of numbers.
   */
  allRaw(sql: string, params: unknown[] = []): unknown[][] {
    let s = this.rawStmts.get(sql);
    if (!s) {
      if (this.rawStmts.size > 64) this.rawStmts.clear();
      s = this.open(false).prepare(sql).raw(true).safeIntegers(false);
      this.rawStmts.set(sql, s);
    }
    return s.all(...params) as unknown[][];
  }

  allSync(sql: string, params: unknown[] = []): Row[] {
    return this.stmt(sql).all(...params) as Row[];
  }

  runSync(sql: string, params: unknown[] = []): number {
    const s = this.stmt(sql);
    if (s.reader) {
      s.all(...params);
      return 0;
    }
    return s.run(...params).changes;
  }

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.allSync(sql, params);
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    if (this.snapshot) throw refuseWrite();
    return this.runSync(sql, params);
  }

  private snapshot: ReadSnapshot | null = null;

  /**
   * One read transaction on the one connection: every read until end() sees the database as
   * it was at the first read. In WAL mode writers go on meanwhile; in the rollback-journal
   * modes the shared lock it holds makes writers wait (busy_timeout) until it ends.
   */
  async beginSnapshot(): Promise<ReadSnapshot> {
    if (this.snapshot) throw new JfsError("internal", "a read snapshot is already open on this database");
    const db = this.open(false);
    db.exec("BEGIN DEFERRED");
    try {
      // A deferred transaction takes its snapshot at its first read.
      db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
    const takenAt = new Date();
    let ended = false;
    const snap: ReadSnapshot = {
      takenAt,
      connections: 1,
      end: async () => {
        if (ended) return;
        ended = true;
        this.snapshot = null;
        if (this.db?.inTransaction) this.db.exec("COMMIT");
      },
    };
    this.snapshot = snap;
    return snap;
  }

  async connect(): Promise<SqlSession> {
    // One connection serves everything; the caller serialises its transactions.
    return { all: (s, p) => this.all(s, p), run: (s, p) => this.run(s, p), release: () => {} };
  }

  /** Run a synchronous transaction that takes the write lock first (BEGIN IMMEDIATE). */
  immediate<T>(fn: () => T): T {
    return this.open(true).transaction(fn).immediate();
  }

  async close(): Promise<void> {
    await this.snapshot?.end();
    this.stmts.clear();
    this.rawStmts.clear();
    this.db?.close();
    this.db = null;
  }
}

// ---------------------------------------------------------------- MySQL / MariaDB

import type * as Mariadb from "mariadb";

function mysqlRows(res: unknown): Row[] {
  return Array.isArray(res) ? (res as Row[]) : [];
}

/**
 * Query options of allArrays. supportBigNumbers (deprecated by the connector for
 * bigIntAsNumber + checkNumberRange, which throws instead) gives a BIGINT past 2^53 as its text.
 */
const ARRAY_ROWS = { rowsAsArray: true, supportBigNumbers: true } as const;

function mysqlArrays(res: unknown): unknown[][] {
  return Array.isArray(res) ? (res as unknown[][]) : [];
}

function mysqlAffected(res: unknown): number {
  const r = res as { affectedRows?: number | bigint };
  return r && r.affectedRows !== undefined ? Number(r.affectedRows) : 0;
}

/**
 * A MariaDB/MySQL error with the server's own message and codes only. The connector appends the
 * statement and (with logParam) its parameters to its message: the user's metadata, which must
 * not reach a terminal or a log. The original is therefore not kept as `cause`.
 */
export class MysqlServerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly errno: number | undefined,
    readonly sqlState: string | undefined,
  ) {
    super(message);
    this.name = "MysqlServerError";
  }
}

function mysqlError(err: unknown): unknown {
  const e = err as { name?: string; sqlMessage?: string; code?: string; errno?: number; sqlState?: string };
  if (e?.name !== "SqlError") return err;
  return new MysqlServerError(e.sqlMessage ?? "MariaDB error", e.code, e.errno, e.sqlState);
}

/** The driver's call, with its failure told without the SQL (see MysqlServerError). */
async function mysqlCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mysqlError(err);
  }
}

class MysqlDriver implements SqlDriver {
  readonly dialect = "mysql" as const;
  readonly maxParams = 60000;
  constructor(
    private readonly pool: Mariadb.Pool,
    private readonly single: () => Promise<Mariadb.Connection>,
  ) {}

  /**
   * One connection made outside the pool: the pool retries a refused login until its acquire
   * timeout (10 s) and then reports a timeout, where this says "Access denied" or "Unknown
   * database" at once.
   */
  async ping(): Promise<void> {
    const conn = await mysqlCall(this.single);
    await conn.end().catch(() => conn.destroy()); // it answered; a failed goodbye changes nothing
  }
  private snapshot: SnapshotSessions | null = null;
  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.snapshot) return this.snapshot.all(sql, params);
    return mysqlRows(await mysqlCall(() => this.pool.query(sql, params)));
  }
  /**
   * A SELECT's rows as arrays in its column order, BIGINT as a number while exact and as its
   * decimal text past 2^53 (the connector's supportBigNumbers): no object and no bigint per
   * row, for the flat scan's bulk tables (scan.ts).
   */
  async allArrays(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    if (this.snapshot) return this.snapshot.on((s) => s.allArrays!(sql, params));
    return mysqlArrays(await mysqlCall(() => this.pool.query({ sql, ...ARRAY_ROWS }, params)));
  }
  /**
   * allArrays' rows as the server sends them, in batches of `batchRows` (the last may be
   * smaller): one statement for a whole table, read at the pace the caller takes the batches
   * (the socket is paused meanwhile), so memory stays two batches'. Why: keyset pages on the
   * one snapshot session alternate with the server (each page asked for when the one before
   * has come whole); reading a 1M-file volume's three bulk tables took 3.4–3.6 s by pages of
   * 10,000 rows and 2.9–3.0 s streamed, with less of our CPU.
   */
  async *streamArrays(sql: string, params: unknown[], batchRows: number): AsyncGenerator<unknown[][]> {
    if (this.snapshot) {
      yield* this.snapshot.stream((s) => s.streamArrays!(sql, params, batchRows));
      return;
    }
    const session = await this.connect();
    try {
      yield* session.streamArrays!(sql, params, batchRows);
    } finally {
      session.release();
    }
  }
  async run(sql: string, params: unknown[] = []): Promise<number> {
    if (this.snapshot) throw refuseWrite();
    return mysqlAffected(await mysqlCall(() => this.pool.query(sql, params)));
  }
  /**
   * START TRANSACTION WITH CONSISTENT SNAPSHOT on one connection (the sessions run REPEATABLE
   * READ, see initSql). Neither MariaDB nor MySQL lets a second connection join a snapshot
   * without stopping writers (FLUSH TABLES WITH READ LOCK, as mydumper does), so a consistent
   * dump reads on this one connection whatever `parallel` asks.
   */
  async beginSnapshot(): Promise<ReadSnapshot> {
    if (this.snapshot) throw new JfsError("internal", "a read snapshot is already open on this database");
    const session = await this.connect();
    let at: Row[];
    try {
      await session.run("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      at = await session.all("SELECT UTC_TIMESTAMP(6) AS at");
    } catch (err) {
      await dropSessions([session]);
      throw err;
    }
    const snap = new SnapshotSessions(utcDate(at[0]?.at), [session], () => (this.snapshot = null));
    this.snapshot = snap;
    return snap;
  }
  async connect(): Promise<SqlSession> {
    const conn = await mysqlCall(() => this.pool.getConnection());
    let closed = false;
    return {
      get closed() {
        return closed;
      },
      all: async (s, p = []) => mysqlRows(await mysqlCall(() => conn.query(s, p))),
      allArrays: async (s, p = []) => mysqlArrays(await mysqlCall(() => conn.query({ sql: s, ...ARRAY_ROWS }, p))),
      streamArrays: (s, p, batchRows) =>
        mysqlRowBatches(conn, s, p, batchRows, () => {
          if (closed) return;
          closed = true;
          conn.destroy();
        }),
      run: async (s, p = []) => mysqlAffected(await mysqlCall(() => conn.query(s, p))),
      batch: async (s, rows) => void (await mysqlCall(() => conn.batch(s, rows))),
      release: () => {
        if (!closed) void conn.release();
      },
    };
  }
  async close(): Promise<void> {
    await this.snapshot?.end();
    await this.pool.end();
  }
}

/**
 * A streamed read of one statement waits on its reader: while the socket is paused the server
 * cannot send, and drops the connection after net_write_timeout (60 s by default). A dump
 * written to a slow pipe may hold a batch that long; an hour is what the session allows here.
 */
const STREAM_WRITE_TIMEOUT_S = 3600;

/**
 * MysqlDriver.streamArrays on `conn`. `midway`: called when the iteration stops before the
 * result's end (an error, or the reader returning early); the rest of the result would still
 * come down the connection before it could take another statement, so the caller closes it.
 */
async function* mysqlRowBatches(conn: Mariadb.PoolConnection, sql: string, params: unknown[], batchRows: number, midway: () => void): AsyncGenerator<unknown[][]> {
  let whole = false;
  try {
    // A server or proxy that refuses the variable still streams: only a reader held up past its
    // own timeout would then be cut off, and that failure names the lost connection.
    await conn.query(`SET SESSION net_write_timeout = ${STREAM_WRITE_TIMEOUT_S}`).catch((err) => logIgnored("raising net_write_timeout for a streamed read", mysqlError(err)));
    /** The connection is gone: said as a lost connection whatever the connector threw. */
    const lost = (cause: unknown) => Object.assign(new Error("the connection closed during the read"), { code: "ER_SOCKET_UNEXPECTED_CLOSE", cause });
    let stream: ReturnType<typeof conn.queryStream>;
    try {
      stream = conn.queryStream({ sql, ...ARRAY_ROWS }, params);
    } catch (err) {
      // On a connection already closed the connector's queryStream throws a TypeError of its own
      // (it resumes a socket that is gone) instead of the closed connection's error.
      throw mysqlError(conn.isValid() ? err : lost(err));
    }
    const ready: unknown[][][] = [];
    let batch: unknown[][] = [];
    let ended = false;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    // Rows taken by 'data' events into batches, not by `for await` over the stream: that costs
    // a promise a row (1M-file volume's three bulk tables: 3.8–4.5 s of our CPU against 2.3–2.7 s).
    // Two batches ready is enough to keep the reader busy; the stream then holds its own
    // buffer (16 rows) and pauses the socket.
    stream.on("data", (row: unknown[]) => {
      batch.push(row);
      if (batch.length < batchRows) return;
      ready.push(batch);
      batch = [];
      if (ready.length >= 2) stream.pause();
      poke();
    });
    stream.on("end", () => {
      ended = true;
      poke();
    });
    stream.on("error", (err: unknown) => {
      // The connector's 'close' comes without an error, and a stream resumed after its socket
      // is gone fails with a TypeError of the connector's own: a lost connection all the same.
      failure ??= err && conn.isValid() ? err : lost(err);
      poke();
    });
    for (;;) {
      const next = ready.shift();
      if (next) {
        if (stream.isPaused() && ready.length < 2) stream.resume();
        yield next;
      } else if (failure) {
        throw mysqlError(failure);
      } else if (ended) {
        if (batch.length) yield batch;
        whole = true;
        return;
      } else {
        await new Promise<void>((r) => (wake = r));
      }
    }
  } finally {
    if (!whole) midway();
  }
}

/** A server's UTC timestamp as the drivers return it (a Date, or text without a zone). */
function utcDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const d = new Date(`${String(v).replace(" ", "T")}Z`);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

// ---------------------------------------------------------------- PostgreSQL

import type * as Pg from "pg";
import { decodeCopyBinary, inlineParams } from "./pg-copy";

/** `?` → `$1, $2, …` (our statements never hold a literal question mark). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Reads the engine repeats (batch lookups, directory pages) run as named prepared statements. */
const pgStatementNames = new Map<string, string>();

function pgQuery(sql: string, params: unknown[]): Pg.QueryConfig {
  const text = pgPlaceholders(sql);
  if (!sql.startsWith("SELECT")) return { text, values: params };
  let name = pgStatementNames.get(text);
  if (!name) {
    if (pgStatementNames.size > 1000) pgStatementNames.clear();
    name = `jfsmeta_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    pgStatementNames.set(text, name);
  }
  return { name, text, values: params };
}

class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  readonly maxParams = 65000;
  constructor(private readonly pool: Pg.Pool) {}

  async ping(): Promise<void> {
    await this.all("SELECT 1 AS one");
  }
  private snapshot: SnapshotSessions | null = null;
  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.snapshot) return this.snapshot.all(sql, params);
    return (await this.pool.query(pgQuery(sql, params))).rows;
  }
  async run(sql: string, params: unknown[] = []): Promise<number> {
    if (this.snapshot) throw refuseWrite();
    return (await this.pool.query(pgPlaceholders(sql), params)).rowCount ?? 0;
  }
  /**
   * A REPEATABLE READ, READ ONLY transaction exports its snapshot (pg_export_snapshot) and up to
   * `parallel` - 1 more connections import it (SET TRANSACTION SNAPSHOT): all of them read the
   * same moment, so a consistent dump keeps its parallel reads. The exporting transaction stays
   * open to the end, as the import requires.
   */
  async beginSnapshot(parallel: number): Promise<ReadSnapshot> {
    if (this.snapshot) throw new JfsError("internal", "a read snapshot is already open on this database");
    // The pool holds PG_POOL_MAX connections; leave one for anything outside the snapshot.
    const n = Math.max(1, Math.min(parallel, PG_POOL_MAX - 1));
    const sessions: SqlSession[] = [];
    try {
      const first = await this.connect();
      sessions.push(first);
      await first.run("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      // The snapshot is taken by the transaction's first statement: this one.
      const [row] = await first.all("SELECT pg_export_snapshot() AS id, statement_timestamp() AS at");
      const id = String(row?.id ?? "");
      if (!/^[0-9A-Fa-f-]+$/.test(id)) throw new JfsError("internal", `PostgreSQL exported an unexpected snapshot id "${id}"`);
      const joins = Array.from({ length: n - 1 }, async () => {
        const s = await this.connect();
        sessions.push(s);
        await s.run("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        await s.run(`SET TRANSACTION SNAPSHOT '${id}'`);
      });
      const joined = await Promise.allSettled(joins);
      const failed = joined.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const snap = new SnapshotSessions(utcDate(row?.at), sessions, () => (this.snapshot = null));
      this.snapshot = snap;
      return snap;
    } catch (err) {
      await dropSessions(sessions);
      throw err;
    }
  }
  /**
   * A SELECT (with `?` placeholders) read through `COPY (…) TO STDOUT (FORMAT binary)`, its rows
   * keyed by `columns` (the SELECT list in order), the columns in `bytes` as Buffers and the
   * integers by width (pg-copy.ts decodeCopyBinary). Why: `pg` turns every field of a row into
   * a JavaScript string (bytea as hex, int8 as decimal text parsed again into a bigint) and every
   * row into an object through its type parsers (a flat scan of 1M files: 17.5–19.3 s of our
   * CPU on PostgreSQL, 10.6 s on MariaDB). The price: COPY takes no parameters, so the values
   * are inlined as literals and the statement is planned each time (about 2 ms for the tree
   * walk's joins, whose many small queries it therefore made no cheaper): for big pages only.
   */
  async copyRows(sql: string, params: unknown[], columns: readonly string[], bytes: ReadonlySet<string>): Promise<Row[]> {
    return decodeCopyBinary(await this.copyBytes(sql, params), columns, bytes);
  }
  /**
   * copyRows' stream undecoded, for a reader that takes its fields as they are (pg-copy.ts
   * eachCopyRow: the flat scan's bulk tables, with no object per row).
   */
  async copyBytes(sql: string, params: unknown[]): Promise<Buffer> {
    if (this.snapshot) return this.snapshot.on((s) => s.copyBytes!(sql, params));
    const client = await this.pool.connect();
    try {
      const data = await pgCopyBytes(client, sql, params);
      client.release();
      return data;
    } catch (err) {
      client.release(err instanceof Error ? err : true); // not back into the pool mid-COPY
      throw err;
    }
  }
  /**
   * copyBytes' stream as it comes, in groups of chunks of `blockBytes` (the last may be
   * smaller): one statement for a whole table, read at the pace the caller takes the groups
   * (the connection is paused meanwhile), so memory stays one group's.
   */
  async *copyBlocks(sql: string, params: unknown[], blockBytes: number): AsyncGenerator<Buffer[]> {
    if (this.snapshot) {
      yield* this.snapshot.stream((s) => s.copyBlocks!(sql, params, blockBytes));
      return;
    }
    const client = await this.pool.connect();
    yield* pgCopyBlocks(client, sql, params, blockBytes, () => client.release(true)); // not back into the pool mid-COPY
    client.release();
  }
  /** Streams (copyBlocks) that may be open at once: the snapshot's sessions, or the pool's connections but one. */
  streamsAtOnce(): number {
    return this.snapshot ? this.snapshot.connections : PG_POOL_MAX - 1;
  }
  async connect(): Promise<SqlSession> {
    const client = await this.pool.connect();
    let closed = false;
    return {
      get closed() {
        return closed;
      },
      all: async (s, p = []) => (await client.query(pgQuery(s, p))).rows,
      copyRows: async (s, p, cols, bytes) => decodeCopyBinary(await pgCopyBytes(client, s, p), cols, bytes),
      copyBytes: (s, p) => pgCopyBytes(client, s, p),
      copyBlocks: (s, p, blockBytes) =>
        pgCopyBlocks(client, s, p, blockBytes, () => {
          if (closed) return;
          closed = true;
          client.release(true);
        }),
      run: async (s, p = []) => (await client.query(pgPlaceholders(s), p)).rowCount ?? 0,
      copyIn: async (s, data) => {
        const { from: copyFrom } = await import("pg-copy-streams");
        const stream = client.query(copyFrom(s));
        stream.end(data);
        await finished(stream);
      },
      release: () => {
        if (!closed) client.release();
      },
    };
  }
  async close(): Promise<void> {
    await this.snapshot?.end();
    await this.pool.end();
  }
}

async function pgCopyBytes(client: Pg.PoolClient, sql: string, params: unknown[]): Promise<Buffer> {
  const { to: copyTo } = await import("pg-copy-streams");
  const stream = client.query(copyTo(`COPY (${inlineParams(sql, params)}) TO STDOUT (FORMAT binary)`));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * PostgresDriver.copyBlocks on `client`. `midway`: called when the iteration stops before the
 * COPY's end (an error, or the reader returning early), which leaves the connection unable to
 * take another statement (pg-copy-streams keeps it paused): the caller closes it.
 */
async function* pgCopyBlocks(client: Pg.PoolClient, sql: string, params: unknown[], blockBytes: number, midway: () => void): AsyncGenerator<Buffer[]> {
  const { to: copyTo } = await import("pg-copy-streams");
  let whole = false;
  try {
    yield* copyGroups(client.query(copyTo(`COPY (${inlineParams(sql, params)}) TO STDOUT (FORMAT binary)`)), blockBytes);
    whole = true;
  } finally {
    if (!whole) midway();
  }
}

/** A readable's chunks in groups of `blockBytes` (the last may be smaller). */
async function* copyGroups(stream: AsyncIterable<unknown>, blockBytes: number): AsyncGenerator<Buffer[]> {
  let group: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    // A chunk bigger than what the group lacks is cut (views, no copy): groups are blockBytes.
    for (let piece = chunk as Buffer; piece.length; ) {
      const take = Math.min(piece.length, blockBytes - bytes);
      group.push(take === piece.length ? piece : piece.subarray(0, take));
      bytes += take;
      piece = piece.subarray(take);
      if (bytes === blockBytes) {
        yield group;
        group = [];
        bytes = 0;
      }
    }
  }
  if (group.length) yield group;
}

/** Connections of a PostgreSQL engine's pool. */
const PG_POOL_MAX = 10;

// ---------------------------------------------------------------- opening

export type AnySqlDriver = SqliteDriver | MysqlDriver | PostgresDriver;
export type { SqliteDriver };

export async function openDriver(target: SqlTarget): Promise<AnySqlDriver> {
  if (target.dialect === "sqlite3") {
    const { default: Database } = await import("better-sqlite3");
    return new SqliteDriver(Database, target);
  }
  if (target.dialect === "mysql") {
    const mariadb = await import("mariadb");
    const t: MysqlTarget = target;
    const options: Mariadb.PoolConfig = {
      host: t.host,
      port: t.port,
      socketPath: t.socketPath,
      user: t.user,
      password: t.password,
      database: t.database,
      ssl: t.ssl,
      charset: t.charset,
      connectionLimit: 10,
      bigIntAsNumber: false,
      insertIdAsNumber: true,
      decimalAsNumber: false,
      checkDuplicate: false,
      connectTimeout: 10_000,
      // JuiceFS forces repeatable-read on MySQL sessions.
      initSql: "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    };
    return new MysqlDriver(mariadb.createPool(options), () => mariadb.createConnection(options));
  }
  const pg = await import("pg");
  const t: PostgresTarget = target;
  const PgPool = (pg.default ?? pg).Pool;
  const pgTypes = (pg.default ?? pg).types;
  const optionFlags = Object.entries(t.options).map(([k, v]) => `-c ${k}=${v}`);
  if (t.schema) optionFlags.push(`-c search_path=${t.schema}`);
  const pool = new PgPool({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    ssl: t.ssl,
    max: PG_POOL_MAX,
    connectionTimeoutMillis: 10_000,
    options: optionFlags.length ? optionFlags.join(" ") : undefined,
    // Per pool, so the dashboard's own pg users keep their parsers: int8 → bigint.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 && format !== "binary"
          ? (v: string) => BigInt(v)
          : (pgTypes.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as Pg.CustomTypesConfig["getTypeParser"],
    },
  });
  // A dropped connection must not crash the process: the pool's idle clients report through
  // pool "error", a checked-out one through its own "error". Both are told by the next query
  // that uses it, so the events themselves are dropped. One listener per client, added when
  // the pool creates it (adding one per checkout grew without bound under `backup --watch`).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return new PostgresDriver(pool);
}
