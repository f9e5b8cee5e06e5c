// A private, throwaway redis-server for tests and benchmarks: its own temp dir, a free port,
// no persistence. Never point tests at the machine's shared Redis.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startWithRetry } from "./stale-dirs";
import { freePort } from "../../lib/jfs/network";

/** The suites' private servers take their ports from the product's one freePort(). */
export { freePort };

export interface RedisServer {
  /** redis://127.0.0.1:<port> (with `:password@` when one was set); append `/<db>` to pick a DB. */
  url: string;
  host: string;
  port: number;
  dir: string;
  /** URL for one database number, e.g. server.db(2) → redis://127.0.0.1:port/2 */
  db(n: number): string;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  password?: string;
  /** Extra redis-server arguments, e.g. ["--maxmemory", "1gb"]. */
  args?: string[];
}


function waitForPort(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`redis-server exited with code ${proc.exitCode}`));
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on port ${port} in time`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
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
    await waitForPort(port, proc, 10_000);
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
