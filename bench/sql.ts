// Private SQL targets for the benchmark: a temp SQLite file, or a throwaway MariaDB /
// PostgreSQL server with a fresh database. Wire into bench/main.ts's startTarget with
//   if (isSqlEngine(engine)) return startSqlTarget(engine);
// Run on its own: tsx bench/sql.ts --engine sqlite3|mysql|postgres [--files N] [--threads N]
// (starts the server, runs bench/main.ts against it with --url, stops the server).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startMariadb } from "../test/support/mariadb-server";
import { startPostgres } from "../test/support/postgres-server";
import { timeProcess, type Timed } from "./process";

export type SqlEngineName = "sqlite3" | "mysql" | "postgres";

export function isSqlEngine(engine: string): engine is SqlEngineName {
  return engine === "sqlite3" || engine === "mysql" || engine === "postgres";
}

export interface SqlTarget {
  url: string;
  /** Another empty database beside the first (same server; SQLite: another file), for `juicefs load`. */
  another(): Promise<string>;
  /** The server's processes (none for SQLite, which runs in the client): bench/server-cpu.ts. */
  serverPids(): number[];
  /** The engine's own backup of the first database into `file`: the floor of what it can stream. */
  backup(file: string): Promise<Timed>;
  stop(): Promise<void>;
}

export async function startSqlTarget(engine: SqlEngineName): Promise<SqlTarget> {
  if (engine === "sqlite3") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-sqlite-"));
    const db = path.join(dir, "meta.db");
    let n = 0;
    return {
      url: `sqlite3://${db}`,
      another: async () => `sqlite3://${path.join(dir, `meta-${++n}.db`)}`,
      serverPids: () => [],
      backup: (file) => timeProcess("sqlite3 .backup", "sqlite3", [db, `.backup '${file.replace(/'/g, "''")}'`]),
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = engine === "mysql" ? await startMariadb() : await startPostgres();
  const dbs = [await server.createDatabase("bench")];
  const first = dbs[0];
  return {
    url: first.url,
    serverPids: () => [server.pid],
    async another() {
      const db = await server.createDatabase(`bench${dbs.length + 1}`);
      dbs.push(db);
      return db.url;
    },
    backup(file) {
      if (engine === "postgres") return timeProcess("pg_dump", "pg_dump", [`--dbname=${first.url}`, "--file", file]);
      const port = String((server as { port: number }).port);
      return timeProcess("mysqldump", "mysqldump", ["-h", "127.0.0.1", "-P", port, "-u", "root", "--single-transaction", `--result-file=${file}`, first.name]);
    },
    stop: async () => {
      for (const db of dbs) await db.drop().catch(() => {});
      await server.stop();
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      engine: { type: "string", default: "sqlite3" },
      files: { type: "string", default: "100000" },
      threads: { type: "string", default: "10" },
    },
  });
  const engine = values.engine!;
  if (!isSqlEngine(engine)) throw new Error(`--engine must be sqlite3, mysql or postgres, not "${engine}"`);
  const target = await startSqlTarget(engine);
  try {
    const here = path.dirname(new URL(import.meta.url).pathname);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(here, "main.ts"), "--engine", engine, "--url", target.url, "--files", values.files!, "--threads", values.threads!],
        { stdio: "inherit", cwd: path.join(here, "..") },
      );
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    process.exitCode = code;
  } finally {
    await target.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
