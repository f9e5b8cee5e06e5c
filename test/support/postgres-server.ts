// A private, throwaway PostgreSQL for tests and benchmarks: initdb on a temp dir, trust auth,
// a free port on 127.0.0.1, no fsync. Databases are created and dropped per test.
// Never point tests at the machine's shared PostgreSQL.
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { freePort } from "./redis-server";
import { ServerLifetime, startWithRetry } from "./stale-dirs";

export interface PostgresServer {
  port: number;
  /** The postmaster's process, parent of every backend (the bench reads their CPU time from /proc). */
  pid: number;
  /** Directory of the unix socket (postgres://user@/db?host=<socketDir>). */
  socketDir: string;
  /** Base META-URL for a database name: postgres://postgres@127.0.0.1:<port>/<db>?sslmode=disable */
  url(db: string, query?: string): string;
  /** A fresh empty database; drop() removes it (and any connections to it). */
  createDatabase(name?: string): Promise<{ name: string; url: string; drop(): Promise<void> }>;
  /** Run SQL as the superuser on a database (default: postgres). */
  sql(text: string, db?: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

function pgBin(name: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(root, v, "bin", name);
    if (existsSync(p)) return p;
  }
  return name; // on PATH, hopefully
}

/**
 * PostgreSQL refuses to run as root: drop to the `postgres` user when we are root. The server
 * also gets a parent-death signal, so a test process killed outright does not leave it behind.
 */
function asPostgresUser(cmd: string, args: string[], dieWithParent = false): [string, string[]] {
  const death = dieWithParent ? ["--pdeathsig", "SIGQUIT"] : [];
  if (process.getuid?.() !== 0) return death.length ? ["setpriv", [...death, "--", cmd, ...args]] : [cmd, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", ...death, "--", cmd, ...args]];
}

let counter = 0;

export function startPostgres(): Promise<PostgresServer> {
  return startWithRetry(startPostgresOnce);
}

async function startPostgresOnce(): Promise<PostgresServer> {
  const life = new ServerLifetime("jfsmeta-pg-", "SIGQUIT");
  const dir = life.dir;
  const data = path.join(dir, "data");
  try {
    if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
    const [icmd, iargs] = asPostgresUser(pgBin("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    execFileSync(icmd, iargs, { stdio: "ignore" });
    const port = await freePort();
    const [cmd, args] = asPostgresUser(pgBin("postgres"), [
      "-D", data,
      "-p", String(port),
      "-k", dir,
      "-c", "listen_addresses=127.0.0.1",
      "-c", "fsync=off",
      "-c", "synchronous_commit=off",
      "-c", "full_page_writes=off",
      "-c", "max_connections=50",
      "-c", "shared_buffers=64MB",
    ], true);
    const proc = spawn(cmd, args, { stdio: "ignore" });
    life.proc = proc;
    const pg = (await import("pg")).default;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`postgres exited with code ${proc.exitCode} (data dir ${data})`);
      const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
      try {
        await c.connect();
        await c.end();
        break;
      } catch {
        await c.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections on port ${port} in time`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const sql = async (text: string, db = "postgres") => {
      const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: db });
      await c.connect();
      try {
        return (await c.query(text)).rows;
      } finally {
        await c.end();
      }
    };
    const url = (db: string, query = "sslmode=disable") => `postgres://postgres@127.0.0.1:${port}/${db}${query ? `?${query}` : ""}`;
    return {
      port,
      pid: proc.pid!,
      socketDir: dir,
      url,
      sql,
      async createDatabase(name = `t${process.pid}_${++counter}_${Date.now() % 100000}`) {
        await sql(`CREATE DATABASE "${name}"`);
        return { name, url: url(name), drop: async () => void (await sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
      },
      stop: () => life.stop(),
    };
  } catch (err) {
    life.killNow();
    throw err;
  }
}
