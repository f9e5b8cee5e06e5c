// Test targets for the SQL engines: a temp dir of SQLite files, or a private MariaDB /
// PostgreSQL server started once per test file, handing out fresh databases.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startMariadb, type MariadbServer } from "./mariadb-server";
import { startPostgres, type PostgresServer } from "./postgres-server";
import type { SqlDialect } from "../../lib/engines/sql/url";
import { openSqlEngine, type SqlEngine } from "../../lib/engines/sql/index";

export const DIALECTS: SqlDialect[] = ["sqlite3", "mysql", "postgres"];

export interface FreshDb {
  url: string;
  /** The database's name on its server (the SQLite file's path), for `admin` checks. */
  name: string;
  drop(): Promise<void>;
}

export interface SqlTargets {
  dialect: SqlDialect;
  fresh(query?: string): Promise<FreshDb>;
  /** Run `fn` on an engine over a fresh database; then the engine is closed and the database dropped. */
  withEngine<T>(fn: (engine: SqlEngine, db: FreshDb) => Promise<T>, query?: string): Promise<T>;
  /** Run raw SQL as an administrator on a fresh database (by its url) — for checks only. */
  admin: MariadbServer | PostgresServer | null;
  stop(): Promise<void>;
}

let n = 0;

export async function startTargets(dialect: SqlDialect): Promise<SqlTargets> {
  const targets = await startDatabases(dialect);
  return {
    ...targets,
    async withEngine(fn, query) {
      const db = await targets.fresh(query);
      const engine = await openSqlEngine(db.url);
      try {
        return await fn(engine, db);
      } finally {
        await engine.close();
        await db.drop();
      }
    },
  };
}

async function startDatabases(dialect: SqlDialect): Promise<Omit<SqlTargets, "withEngine">> {
  if (dialect === "sqlite3") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-sqlite-"));
    return {
      dialect,
      admin: null,
      async fresh(query) {
        const file = path.join(dir, `v${++n}.db`);
        return {
          url: `sqlite3://${file}${query ? `?${query}` : ""}`,
          name: file,
          drop: async () => {
            for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
          },
        };
      },
      async stop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const server = dialect === "mysql" ? await startMariadb() : await startPostgres();
  return {
    dialect,
    admin: server,
    async fresh(query) {
      const db = await server.createDatabase();
      const url = query ? server.url(db.name, dialect === "postgres" ? `sslmode=disable&${query}` : query) : db.url;
      return { url, name: db.name, drop: db.drop };
    },
    stop: () => server.stop(),
  };
}
