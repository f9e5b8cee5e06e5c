// A point-in-time image of a live Redis for a consistent dump: a private redis-server, started
// here on a temp dir and a free loopback port with no persistence, becomes a replica of the
// live server, waits for its initial sync, and is then detached (REPLICAOF NO ONE). What it
// holds is a prefix of the live server's command stream, so every MULTI/EXEC and script of
// the JuiceFS clients is in it whole or not at all: one moment of the volume. The dump reads
// the replica; the live server pays what it pays for any replica (a fork for the RDB it sends,
// and the copy over the network), never the dump's reads.
//
// Why a replica here when the binary dump reads the server's RDB itself (rdb.ts, rdb-tables.ts):
// the JSON dump walks the tree, a read per directory and per batch of inodes, which needs a
// server to ask; an RDB answers no lookups. The binary dump is a flat scan, which the RDB
// stream serves in one pass: there our own reader replaced commands because command-by-command
// reads cannot reach the snapshot's speed (measured at 1M files: bare pipelined reads of the
// keys alone took 2.5x `redis-cli --rdb`; README "Performance"). Inside --consistent, that
// reader takes its RDB from this replica.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis, type RedisOptions } from "ioredis";
import { JfsError, logIgnored, wrapError } from "../../jfs/errors";
import { freePort } from "../../jfs/network";

/** How long the initial sync may take before the dump gives up (a large volume's RDB). */
export const REPLICA_SYNC_TIMEOUT_MS = 30 * 60_000;

export interface FrozenReplica {
  /** Options reaching the frozen copy: the live server's, with host and port replaced. */
  readonly options: RedisOptions;
  /** When it was detached from the live server (this host's clock). */
  readonly takenAt: Date;
  /** Stop the server and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Where the live server is, or why a replica cannot follow it. */
function liveAddress(options: RedisOptions): { host: string; port: number } {
  if (options.path) {
    throw new JfsError("unsupported", "--consistent on Redis starts a replica of the server, which cannot replicate over a Unix socket: use the server's host:port in the META-URL");
  }
  if (options.tls) {
    throw new JfsError("unsupported", "--consistent on Redis over TLS (rediss://) is not supported yet: dump without --consistent, or from a replica you run yourself");
  }
  return { host: options.host ?? "127.0.0.1", port: options.port ?? 6379 };
}

/** `INFO replication` as name → value. */
function infoFields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a private replica of the server `live` names, wait for its initial sync and detach it.
 * `db` is the database the dump reads (the replica gets at least that many).
 */
export async function freezeReplica(
  live: RedisOptions,
  opts: { db: number; bin?: string; timeoutMs?: number; signal?: AbortSignal; now?: () => Date } = {} as { db: number },
): Promise<FrozenReplica> {
  const { host, port: livePort } = liveAddress(live);
  const bin = opts.bin ?? "redis-server";
  const dir = await mkdtemp(path.join(tmpdir(), "jfsmeta-replica-"));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let client: Redis | null = null;
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      client?.disconnect();
      const p = proc;
      if (p && p.exitCode === null && p.signalCode === null) {
        const exited = new Promise<void>((r) => p.once("exit", () => r()));
        p.kill("SIGTERM");
        const timer = setTimeout(() => p.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    proc = await startServer(bin, dir, port, Math.max(16, opts.db + 1));
    client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on("error", () => {}); // told by the command that meets it
    await client.connect();
    // The live server's credentials go over the loopback connection, never on a command line.
    if (live.username) await client.config("SET", "masteruser", live.username);
    if (live.password) await client.config("SET", "masterauth", live.password);
    await client.replicaof(host, livePort);
    const deadline = Date.now() + (opts.timeoutMs ?? REPLICA_SYNC_TIMEOUT_MS);
    for (;;) {
      if (opts.signal?.aborted) throw new JfsError("interrupted", "dump cancelled while the replica was syncing");
      const info = infoFields(await client.info("replication"));
      if (info.get("master_link_status") === "up" && info.get("master_sync_in_progress") === "0") break;
      if (proc.exitCode !== null) throw new JfsError("internal", `the private redis-server replica exited (code ${proc.exitCode}); its log was ${path.join(dir, "redis.log")}`);
      if (Date.now() > deadline) {
        throw new JfsError(
          "unreachable",
          `the private replica of ${host}:${livePort} did not finish its initial sync in time (link ${info.get("master_link_status") ?? "?"}): check that this host can reach the server and that the META-URL's user may replicate (ACL +psync +replconf +ping)`,
        );
      }
      await sleep(50);
    }
    await client.replicaof("NO", "ONE");
    const takenAt = (opts.now ?? (() => new Date()))();
    const options: RedisOptions = { ...live, host: "127.0.0.1", port, username: undefined, password: undefined, tls: undefined };
    return { options, takenAt, stop };
  } catch (err) {
    await stop().catch((e) => logIgnored("stopping the private Redis replica", e));
    throw err instanceof JfsError ? err : wrapError("--consistent: making a point-in-time replica of the Redis server", err, "unreachable");
  }
}

async function startServer(bin: string, dir: string, port: number, databases: number): Promise<ChildProcess> {
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--save", "",
    "--appendonly", "no",
    "--databases", String(databases),
    "--daemonize", "no",
    "--protected-mode", "yes",
    // The RDB from the live server goes to memory, never to this host's disk.
    "--repl-diskless-load", "on-empty-db",
    // The binary dump then asks this copy for its snapshot (SYNC): no wait for other replicas.
    "--repl-diskless-sync-delay", "0",
    "--logfile", path.join(dir, "redis.log"),
  ];
  const proc = spawn(bin, args, { stdio: "ignore" });
  const failed = new Promise<never>((_, reject) =>
    proc.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new JfsError("unsupported", `--consistent on Redis needs redis-server on this host (it runs a private replica for the dump) and ${bin} was not found: install it (e.g. apt install redis-server) or dump without --consistent`, { cause: err })
          : wrapError(`starting ${bin}`, err),
      ),
    ),
  );
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listening = await Promise.race([
      failed,
      new Promise<boolean>((resolve) => {
        const sock = net.connect(port, "127.0.0.1");
        sock.once("connect", () => (sock.destroy(), resolve(true)));
        sock.once("error", () => (sock.destroy(), resolve(false)));
      }),
    ]);
    if (listening) return proc;
    if (proc.exitCode !== null) throw new JfsError("internal", `the private redis-server exited at start (code ${proc.exitCode}); its log: ${path.join(dir, "redis.log")}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new JfsError("internal", `the private redis-server did not listen on port ${port} in time`);
    }
    await sleep(25);
  }
}
