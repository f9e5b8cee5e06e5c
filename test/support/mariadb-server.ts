// A private, throwaway MariaDB for tests and benchmarks: mariadb-install-db on a temp dir,
// its own socket and a free port on 127.0.0.1, grant tables skipped (root, no password).
// Databases are created and dropped per test. Never point tests at the machine's shared MySQL.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "./redis-server";
import { ServerLifetime, startWithRetry } from "./stale-dirs";

export interface MariadbServer {
  port: number;
  /** The server's process, every session a thread of it (the bench reads its CPU time from /proc). */
  pid: number;
  socket: string;
  /** mysql://root@(127.0.0.1:<port>)/<db> */
  url(db: string, query?: string): string;
  createDatabase(name?: string): Promise<{ name: string; url: string; drop(): Promise<void> }>;
  sql(text: string, db?: string): Promise<unknown>;
  stop(): Promise<void>;
}

let counter = 0;

export function startMariadb(): Promise<MariadbServer> {
  return startWithRetry(startMariadbOnce);
}

async function startMariadbOnce(): Promise<MariadbServer> {
  const life = new ServerLifetime("jfsmeta-mariadb-", "SIGKILL");
  const dir = life.dir;
  const data = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const user = process.getuid?.() === 0 ? ["--user=root"] : [];
  try {
    execFileSync(
      "mariadb-install-db",
      ["--no-defaults", `--datadir=${data}`, ...user, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
      { stdio: "ignore" },
    );
    const port = await freePort();
    // setpriv gives the server a parent-death signal: a test process killed outright takes it along.
    const proc = spawn(
      "setpriv",
      [
        "--pdeathsig",
        "SIGKILL",
        "--",
        "mariadbd",
        "--no-defaults",
        ...user,
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--pid-file=${path.join(dir, "mysqld.pid")}`,
        "--skip-grant-tables",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=128M",
        "--innodb-flush-log-at-trx-commit=0",
        "--innodb-doublewrite=0",
        "--max-allowed-packet=64M",
      ],
      { stdio: "ignore" },
    );
    life.proc = proc;
    const mariadb = await import("mariadb");
    const deadline = Date.now() + 20_000;
    while (!existsSync(socket)) {
      if (proc.exitCode !== null) throw new Error(`mariadbd exited with code ${proc.exitCode} (data dir ${data})`);
      if (Date.now() > deadline) throw new Error("mariadbd did not create its socket in time");
      await new Promise((r) => setTimeout(r, 50));
    }
    const sql = async (text: string, db?: string) => {
      const c = await mariadb.createConnection({ socketPath: socket, user: "root", database: db });
      try {
        return await c.query(text);
      } finally {
        await c.end();
      }
    };
    // The socket file appears at bind(), before the server listens on it: a connection then is
    // refused (seen once in CI, on a loaded machine, as the first test's CREATE DATABASE). Ready
    // is when a query answers.
    for (;;) {
      try {
        await sql("SELECT 1");
        break;
      } catch (err) {
        if (proc.exitCode !== null) throw new Error(`mariadbd exited with code ${proc.exitCode} (data dir ${data})`, { cause: err });
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ECONNREFUSED" && code !== "ENOENT") throw err;
        if (Date.now() > deadline) throw new Error("mariadbd did not answer on its socket in time", { cause: err });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const url = (db: string, query = "") => `mysql://root@(127.0.0.1:${port})/${db}${query ? `?${query}` : ""}`;
    return {
      port,
      pid: proc.pid!,
      socket,
      url,
      sql,
      async createDatabase(name = `t${process.pid}_${++counter}_${Date.now() % 100000}`) {
        await sql(`CREATE DATABASE \`${name}\``);
        return { name, url: url(name), drop: async () => void (await sql(`DROP DATABASE IF EXISTS \`${name}\``)) };
      },
      stop: () => life.stop(),
    };
  } catch (err) {
    life.killNow();
    throw err;
  }
}
