// The SQL side of a load's claim (../load-claim.ts), one way per dialect, each chosen by what
// survives the loader's death:
// - SQLite and PostgreSQL hold the whole load, DDL included, in one transaction: a killed load
//   leaves nothing, so the claim needs no record. SQLite's write lock (BEGIN IMMEDIATE) and a
//   PostgreSQL transaction-scoped advisory lock make a second load wait or be refused, and end
//   with the transaction.
// - MariaDB/MySQL commit DDL on their own: a killed load leaves its tables. So the load first
//   takes a named lock (GET_LOCK, released by the server when the session ends: "running") and
//   then writes its owner in a table of its own (`<prefix>jfsmeta_load`: "a load was here"). A
//   claim table without a lock holder is an interrupted load; its tables are all it wrote, as
//   the database had no table when it was claimed (JuiceFS's own emptiness rule).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { AnySqlDriver, SqlConn, SqlSession } from "./driver";
import { sqlFailure } from "./errors";
import type { EmptinessCheck } from "../engine";
import { TABLES, type SqlNames } from "./schema";
import type { SqlTarget } from "./url";
import { LoadClaimedError, newLoadOwner, parseLoadOwner, type ClearResult, type LoadClaim, type LoadOwner } from "../load-claim";

/** What a claim needs of its engine (SqlEngine; an interface, not an import of it). */
export interface SqlClaimTarget {
  /** The META-URL without its password, for messages. */
  readonly redactedUrl: string;
  readonly target: SqlTarget;
  readonly driver: AnySqlDriver;
  readonly names: SqlNames;
  /** Every table of the database (schema), read on `conn` when given. */
  listTables(conn?: SqlConn): Promise<string[]>;
  checkEmpty(): Promise<EmptinessCheck>;
  /** This very engine runs a load (its transaction is open): no probe of its own lock. */
  readonly loading: boolean;
}

/** Base name of MySQL's claim table (prefixed like JuiceFS's tables; JuiceFS has no such table). */
export const CLAIM_TABLE = "jfsmeta_load";

/** PostgreSQL advisory lock class for loads ("jfsm"), paired with a key per schema and prefix. */
const PG_LOCK_CLASS = 0x6a66736d;

function hash31(text: string): number {
  return createHash("sha1").update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

/** The named lock of one MySQL database and table prefix (64 characters at most). */
function mysqlLockName(engine: SqlClaimTarget): string {
  const t = engine.target as { database?: string };
  return `jfsmeta-load-${createHash("sha1").update(`${t.database ?? ""}\0${engine.target.prefix}`).digest("hex").slice(0, 32)}`;
}

function pgLockKey(engine: SqlClaimTarget): number {
  return hash31(`${engine.names.schema ?? ""}\0${engine.target.prefix}`);
}

function isSqliteBusy(err: unknown): boolean {
  return sqlFailure(err) === "locked";
}

function sqliteRunning(engine: SqlClaimTarget): LoadClaim {
  return {
    state: "running",
    owner: null,
    where: `SQLite's write lock on ${(engine.target as { path: string }).path}`,
    detail: "another process is writing to the file: a jfsmeta load, or a JuiceFS client",
  };
}

/** The claim on `engine`'s database, if any (see MetaEngine.findLoadClaim). */
export async function findSqlClaim(engine: SqlClaimTarget): Promise<LoadClaim | null> {
  const d = engine.driver;
  if (d.dialect === "sqlite3") {
    const t = engine.target as { path: string; readonly: boolean };
    if (t.readonly || t.path === ":memory:" || !existsSync(t.path) || engine.loading) return null;
    // Probe the write lock without waiting: held means another process writes right now.
    const db = d.open(false);
    const timeout = db.pragma("busy_timeout", { simple: true });
    db.pragma("busy_timeout = 0");
    try {
      db.prepare("BEGIN IMMEDIATE").run();
      db.prepare("ROLLBACK").run();
      return null;
    } catch (err) {
      if (isSqliteBusy(err)) return sqliteRunning(engine);
      throw err;
    } finally {
      db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
  }
  if (d.dialect === "postgres") {
    const rows = await d.all(
      `SELECT a.application_name AS app, a.client_addr AS addr, a.xact_start AS since FROM pg_catalog.pg_locks l ` +
        `JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted ` +
        `AND l.classid = CAST(? AS oid) AND l.objid = CAST(? AS oid) AND l.objsubid = 2 ` +
        `AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
      [String(PG_LOCK_CLASS), String(pgLockKey(engine))],
    );
    if (!rows.length) return null;
    const r = rows[0];
    const since = r.since instanceof Date ? r.since.toISOString() : r.since ? String(r.since) : null;
    const parts = [r.app ? String(r.app) : "a session", r.addr ? `from ${String(r.addr)}` : null, since ? `writing since ${since}` : null];
    return { state: "running", owner: null, where: "a PostgreSQL advisory lock", detail: parts.filter(Boolean).join(" ") };
  }
  let holder: unknown = null;
  let owner: LoadOwner | null = null;
  let hasTable = false;
  // A load writes its owner row just after taking the lock: give it a moment to appear.
  for (let tries = 0; tries < 20; tries++) {
    const [lock] = await d.all("SELECT IS_USED_LOCK(?) AS holder", [mysqlLockName(engine)]);
    holder = lock?.holder ?? null;
    hasTable = (await engine.listTables()).includes(engine.names.raw(CLAIM_TABLE));
    if (hasTable) {
      const rows = await d.all(`SELECT ${engine.names.q("owner")} AS owner FROM ${engine.names.t(CLAIM_TABLE)}`);
      owner = parseLoadOwner(rows[0] ? String(rows[0].owner) : null);
    }
    if (owner || holder === null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!hasTable && holder === null) return null;
  const where = `table ${engine.names.raw(CLAIM_TABLE)} in ${engine.target.label}`;
  if (holder !== null) return { state: "running", owner, where, detail: `MariaDB/MySQL connection ${String(holder)}` };
  return { state: "interrupted", owner, where };
}

/**
 * Claim the database for a load on `conn`, the load's own session, and check inside the claim
 * that it is empty. SQLite and PostgreSQL leave their transaction open (the load goes on in it).
 * Returns the owner record, or throws with nothing of the claim left.
 */
export async function claimSql(engine: SqlClaimTarget, conn: SqlSession): Promise<LoadOwner> {
  const d = engine.driver;
  const owner = newLoadOwner();
  const refuse = async (claim: LoadClaim | null): Promise<never> => {
    throw new LoadClaimedError(claim ?? { state: "running", owner: null, where: "the load lock" }, engine.redactedUrl);
  };
  if (d.dialect === "sqlite3") {
    try {
      await conn.run("BEGIN IMMEDIATE");
    } catch (err) {
      if (isSqliteBusy(err)) await refuse(sqliteRunning(engine));
      throw err;
    }
    const path = (engine.target as { path: string }).path;
    if (path !== ":memory:" && !existsSync(path)) {
      // The file this connection waited on was removed by a load that gave up: it is not the path's.
      await conn.run("ROLLBACK");
      throw new Error(`${engine.target.label}: the database file was removed while this load waited for another one to finish: retry`);
    }
  } else if (d.dialect === "postgres") {
    await conn.run("BEGIN");
    // Shown to others in pg_stat_activity (NAMEDATALEN: 63 bytes): who holds the lock, from the
    // moment it is taken.
    const app = `jfsmeta load pid ${owner.pid} on ${owner.host}`.slice(0, 63).replace(/'/g, "");
    await conn.run(`SET LOCAL application_name = '${app}'`);
    const [row] = await conn.all("SELECT pg_try_advisory_xact_lock(?, ?) AS ok", [PG_LOCK_CLASS, pgLockKey(engine)]);
    if (!row?.ok) {
      await conn.run("ROLLBACK");
      await refuse(await findSqlClaim(engine));
    }
  } else {
    const [row] = await conn.all("SELECT GET_LOCK(?, 0) AS ok", [mysqlLockName(engine)]);
    if (Number(row?.ok) !== 1) await refuse(await findSqlClaim(engine));
  }
  const tables = await engine.listTables(conn);
  if (tables.length) {
    await releaseSqlClaim(engine, conn, false);
    const check = await engine.checkEmpty();
    throw new Error(check.empty ? `${engine.target.label} changed while the load claimed it: retry` : check.reason);
  }
  if (d.dialect === "mysql") {
    const q = (c: string) => engine.names.q(c);
    await conn.run(`CREATE TABLE ${engine.names.t(CLAIM_TABLE)} (${q("owner")} TEXT NOT NULL)`);
    await conn.run(`INSERT INTO ${engine.names.t(CLAIM_TABLE)} (${q("owner")}) VALUES (?)`, [JSON.stringify(owner)]);
  }
  return owner;
}

/**
 * End the claim held on `conn`: on MySQL drop its table (when `dropTable`) and the named lock.
 * SQLite and PostgreSQL end theirs with the transaction (rolled back here when still open).
 */
export async function releaseSqlClaim(engine: SqlClaimTarget, conn: SqlConn, dropTable: boolean): Promise<void> {
  const d = engine.driver;
  if (d.dialect !== "mysql") {
    await conn.run("ROLLBACK").catch(() => {}); // fails only on a lost connection: the server rolls back
    return;
  }
  if (dropTable) await conn.run(`DROP TABLE IF EXISTS ${engine.names.t(CLAIM_TABLE)}`);
  await conn.run("SELECT RELEASE_LOCK(?)", [mysqlLockName(engine)]);
}

/** MetaEngine.clearInterruptedLoad for the SQL engines. */
export async function clearSqlClaim(engine: SqlClaimTarget): Promise<ClearResult> {
  const d = engine.driver;
  const url = engine.redactedUrl;
  if (d.dialect !== "mysql") {
    const claim = await findSqlClaim(engine);
    if (claim) throw new LoadClaimedError(claim, url);
    const what = d.dialect === "sqlite3" ? "SQLite" : "PostgreSQL";
    return {
      cleared: false,
      message: `${url}: nothing to clear. On ${what} a load runs in one transaction, which the database rolls back when the load dies, so an interrupted load leaves nothing behind`,
    };
  }
  const conn = await d.connect();
  try {
    const [row] = await conn.all("SELECT GET_LOCK(?, 0) AS ok", [mysqlLockName(engine)]);
    if (Number(row?.ok) !== 1) throw new LoadClaimedError((await findSqlClaim(engine)) ?? { state: "running", owner: null, where: "the load lock" }, url);
    try {
      const claimTable = engine.names.raw(CLAIM_TABLE);
      const tables = await engine.listTables(conn);
      if (!tables.includes(claimTable)) {
        return { cleared: false, message: `${url} holds no interrupted jfsmeta load (no table ${claimTable}): nothing was removed` };
      }
      const rows = await conn.all(`SELECT ${engine.names.q("owner")} AS owner FROM ${engine.names.t(CLAIM_TABLE)}`);
      const owner = parseLoadOwner(rows[0] ? String(rows[0].owner) : null);
      const who = owner ? ` (pid ${owner.pid} on ${owner.host}, started ${owner.started})` : "";
      const settingTable = engine.names.raw("setting");
      const hasSetting =
        tables.includes(settingTable) &&
        (await conn.all(`SELECT 1 AS one FROM ${engine.names.t("setting")} WHERE ${engine.names.q("name")} = 'format'`)).length > 0;
      if (hasSetting) {
        await conn.run(`DROP TABLE ${engine.names.t(CLAIM_TABLE)}`);
        return { cleared: true, message: `${url} holds a volume: only the stale claim table ${claimTable} of a load${who} was dropped, no volume data was touched` };
      }
      // The claim was taken on a database without tables: the load's own tables are all it wrote.
      const own = TABLES.map((t) => t.base).filter((base) => tables.includes(engine.names.raw(base)));
      for (const base of [...own].reverse()) await conn.run(`DROP TABLE ${engine.names.t(base)}`);
      await conn.run(`DROP TABLE ${engine.names.t(CLAIM_TABLE)}`);
      return {
        cleared: true,
        message: `dropped the ${own.length} tables an interrupted load${who} had created, and its claim table ${claimTable}: ${url} is empty again`,
      };
    } finally {
      await conn.run("SELECT RELEASE_LOCK(?)", [mysqlLockName(engine)]).catch(() => {}); // the session's end releases it too
    }
  } finally {
    conn.release();
  }
}
