// A private, throwaway redis-server for tests and benchmarks: its own temp dir, a free port,
// no persistence. Never point tests at the machine's shared Redis.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startWithRetry } from "./stale-dirs";
import { freePort } from "../../lib/jfs/network";
import { waitForPort } from "./wait-port";

/** The suites' private servers take their ports from the product's one freePort(). */
export { freePort };

export interface RedisServer {
  /** redis://127.0.0.1:<port> (with `:password@` when one was set); append `/<db>` to pick a DB. */
  url: string;
  host: string;
  port: number;
  dir: string;
  /** The server's process (the bench reads its CPU time from /proc). */
  pid: number;
  /** URL for one database number, e.g. server.db(2) → redis://127.0.0.1:port/2 */
  db(n: number): string;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  password?: string;
  /** Extra redis-server arguments, e.g. ["--maxmemory", "1gb"]. */
  args?: string[];
}

export function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  return startWithRetry(() => startRedisServerOnce(opts));
}

async function startRedisServerOnce(opts: RedisServerOptions): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-redis-"));
  const port = await freePort();
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--save", "",
    "--appendonly", "no",
    "--databases", "16",
    "--daemonize", "no",
    "--logfile", path.join(dir, "redis.log"),
    ...(opts.password ? ["--requirepass", opts.password] : []),
    ...(opts.args ?? []),
  ];
  const proc = spawn("redis-server", args, { stdio: "ignore" });
  try {
    await waitForPort(port, proc, 10_000, "redis-server");
  } catch (err) {
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : "";
  const url = `redis://${auth}127.0.0.1:${port}`;
  return {
    url,
    host: "127.0.0.1",
    port,
    dir,
    pid: proc.pid!,
    db: (n: number) => `${url}/${n}`,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
