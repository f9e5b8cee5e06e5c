// Private Redis Sentinel and Redis Cluster deployments for tests and benchmarks: redis-server
// processes on one temp dir and free loopback ports, no persistence, killed with the test
// process. Never point tests at a server they did not start.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { claimDir, removeStaleDirs, startWithRetry } from "./stale-dirs";
import { freePort } from "../../lib/jfs/network";
import { waitForPort } from "./wait-port";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RedisNode {
  port: number;
  proc: ChildProcess;
  /** kill -9: the node is gone at once, as a crashed machine is. */
  kill(): void;
}

/** One temp dir and the processes living in it; all killed when stopped or when the test process exits. */
class Deployment {
  readonly dir: string;
  readonly procs: ChildProcess[] = [];
  private readonly onExit = () => this.killAll();

  constructor(prefix: string) {
    removeStaleDirs(prefix);
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    claimDir(this.dir);
    process.once("exit", this.onExit);
  }

  async spawnServer(bin: string, name: string, port: number, args: string[]): Promise<RedisNode> {
    const dir = path.join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    const proc = spawn(bin, args, { stdio: "ignore", cwd: dir });
    this.procs.push(proc);
    await waitForPort(port, proc);
    return { port, proc, kill: () => void proc.kill("SIGKILL") };
  }

  private killAll(): void {
    for (const p of this.procs) {
      try {
        p.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    process.removeListener("exit", this.onExit);
    await Promise.all(
      this.procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once("exit", r));
        p.kill("SIGKILL"); // throwaway data: no clean shutdown needed
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const serverArgs = (port: number, dir: string) => [
  "--port", String(port),
  "--bind", "127.0.0.1",
  "--dir", dir,
  "--save", "",
  "--appendonly", "no",
  "--daemonize", "no",
  "--logfile", path.join(dir, "redis.log"),
];

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

async function info(port: number, section: string): Promise<string> {
  const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  try {
    await c.connect();
    return section === "cluster" ? String(await c.call("CLUSTER", "INFO")) : await c.info(section);
  } finally {
    c.disconnect();
  }
}

export interface RedisCluster {
  /** redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 : append `/<db>` for a volume's `{db}` prefix. */
  url: string;
  /** Every node, masters first (as created). */
  nodes: RedisNode[];
  /** The node serving a key's slot as master now. */
  masterOf(key: string): Promise<RedisNode>;
  /** A URL for volume `{n}`. */
  db(n: number): string;
  /**
   * Move the slot of `key` to another master, as `redis-cli --cluster reshard` does it:
   * IMPORTING on the target, MIGRATING on the source, MIGRATE of its keys, then SETSLOT NODE on
   * every master. Returns the new owner.
   */
  moveSlot(key: string): Promise<RedisNode>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters with `replicasPerMaster` replicas each, joined with
 * `redis-cli --cluster create`; cluster-node-timeout 1 s so that a killed master fails over in
 * a couple of seconds.
 */
export function startRedisCluster(opts: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  return startWithRetry(() => startClusterOnce(opts.masters ?? 3, opts.replicasPerMaster ?? 0));
}

async function startClusterOnce(masters: number, replicas: number): Promise<RedisCluster> {
  const d = new Deployment("jfsmeta-rcluster-");
  try {
    const nodes: RedisNode[] = [];
    const total = masters * (1 + replicas);
    const started = [];
    for (let i = 0; i < total; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const dir = path.join(d.dir, `n${i}`);
      started.push(
        d.spawnServer("redis-server", `n${i}`, port, [
          ...serverArgs(port, dir),
          "--cluster-enabled", "yes",
          "--cluster-port", String(busPort),
          "--cluster-config-file", path.join(dir, "nodes.conf"),
          "--cluster-node-timeout", "1000",
          // A replica takes over however long its link was down (the tests kill masters).
          "--cluster-replica-validity-factor", "0",
        ]),
      );
    }
    nodes.push(...(await Promise.all(started)));
    await run("redis-cli", [
      "--cluster", "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas", String(replicas),
      "--cluster-yes",
    ]);
    for (const n of nodes) await until(`node ${n.port} sees the cluster ok`, async () => (await info(n.port, "cluster")).includes("cluster_state:ok"));
    if (replicas > 0) {
      for (const n of nodes) {
        await until(`node ${n.port} is synced`, async () => {
          const i = await info(n.port, "replication");
          return i.includes("role:master") || (i.includes("master_link_status:up") && i.includes("master_sync_in_progress:0"));
        });
      }
    }
    const url = `redis://${nodes.slice(0, masters).map((n) => `127.0.0.1:${n.port}`).join(",")}`;
    const cluster: RedisCluster = {
      url,
      nodes,
      db: (n: number) => `${url}/${n}`,
      async masterOf(key) {
        for (const n of nodes) {
          if (n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
          const c = new Redis({ port: n.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          c.on("error", () => {});
          try {
            await c.connect();
            const slot = Number(await c.call("CLUSTER", "KEYSLOT", key));
            const slots = (await c.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
            const owner = slots.find(([from, to]) => slot >= from && slot <= to);
            const node = owner && nodes.find((x) => x.port === Number(owner[2][1]));
            if (node) return node;
          } finally {
            c.disconnect();
          }
        }
        throw new Error(`no live node knows the master of ${key}`);
      },
      async moveSlot(key) {
        const src = await cluster.masterOf(key);
        const conn = (n: RedisNode) => {
          const c = new Redis({ port: n.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          c.on("error", () => {});
          return c;
        };
        const s = conn(src);
        await s.connect();
        try {
          const slot = Number(await s.call("CLUSTER", "KEYSLOT", key));
          const lines = String(await s.call("CLUSTER", "NODES")).trim().split("\n").map((l) => l.split(" "));
          const masters = lines.filter((f) => f[2].includes("master") && !f[2].includes("fail"));
          const srcId = String(await s.call("CLUSTER", "MYID"));
          const dstLine = masters.find((f) => f[0] !== srcId)!;
          const dst = nodes.find((x) => x.port === Number(dstLine[1].split("@")[0].split(":")[1]))!;
          const t = conn(dst);
          await t.connect();
          try {
            await t.call("CLUSTER", "SETSLOT", slot, "IMPORTING", srcId);
            await s.call("CLUSTER", "SETSLOT", slot, "MIGRATING", dstLine[0]);
            for (;;) {
              const keys = (await s.call("CLUSTER", "GETKEYSINSLOT", slot, 1000)) as string[];
              if (keys.length === 0) break;
              await s.call("MIGRATE", "127.0.0.1", dst.port, "", 0, 10_000, "KEYS", ...keys);
            }
            for (const f of masters) {
              const m = conn(nodes.find((x) => x.port === Number(f[1].split("@")[0].split(":")[1]))!);
              await m.connect();
              await m.call("CLUSTER", "SETSLOT", slot, "NODE", dstLine[0]).finally(() => m.disconnect());
            }
          } finally {
            t.disconnect();
          }
          return dst;
        } finally {
          s.disconnect();
        }
      },
      stop: () => d.stop(),
    };
    return cluster;
  } catch (err) {
    await d.stop();
    throw err;
  }
}

export interface RedisSentinel {
  /** redis://mymaster,127.0.0.1:s1,127.0.0.1:s2 (with `:password@` when one was set): append `/<db>`. */
  url: string;
  masterName: string;
  master: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  db(n: number): string;
  /** The master's port as the sentinels see it now. */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A master, one replica and two sentinels (quorum 1, down-after 1 s, so that a killed master
 * fails over in a few seconds). `password` is the data nodes' requirepass and masterauth;
 * `sentinelPassword` the sentinels' own.
 */
export function startRedisSentinel(opts: { password?: string; sentinelPassword?: string } = {}): Promise<RedisSentinel> {
  return startWithRetry(() => startSentinelOnce(opts));
}

async function startSentinelOnce(opts: { password?: string; sentinelPassword?: string }): Promise<RedisSentinel> {
  const d = new Deployment("jfsmeta-rsentinel-");
  const masterName = "jfsmaster";
  try {
    const auth = opts.password ? ["--requirepass", opts.password, "--masterauth", opts.password] : [];
    const mPort = await freePort();
    const master = await d.spawnServer("redis-server", "master", mPort, [...serverArgs(mPort, path.join(d.dir, "master")), "--databases", "16", ...auth]);
    const rPort = await freePort();
    const replica = await d.spawnServer("redis-server", "replica", rPort, [
      ...serverArgs(rPort, path.join(d.dir, "replica")),
      "--databases", "16",
      "--replicaof", "127.0.0.1", String(mPort),
      ...auth,
    ]);
    await until("the replica is synced", async () => (await infoAuth(rPort, opts.password, "replication")).includes("master_link_status:up"));
    const sentinels: RedisNode[] = [];
    for (const name of ["s1", "s2"]) {
      const port = await freePort();
      const dir = path.join(d.dir, name);
      mkdirSync(dir, { recursive: true });
      const conf = path.join(dir, "sentinel.conf");
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `logfile ${path.join(dir, "sentinel.log")}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${mPort} 1`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          ...(opts.password ? [`sentinel auth-pass ${masterName} ${opts.password}`] : []),
          ...(opts.sentinelPassword ? [`requirepass ${opts.sentinelPassword}`] : []),
          "",
        ].join("\n"),
      );
      sentinels.push(await d.spawnServer("redis-sentinel", name, port, [conf]));
    }
    const cred = opts.password ? `:${encodeURIComponent(opts.password)}@` : "";
    const url = `redis://${cred}${masterName},${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}`;
    const currentMasterPort = async () => {
      for (const s of sentinels) {
        if (s.proc.exitCode !== null || s.proc.signalCode !== null) continue;
        const c = new Redis({ port: s.port, host: "127.0.0.1", password: opts.sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on("error", () => {});
        try {
          await c.connect();
          const addr = (await c.call("SENTINEL", "get-master-addr-by-name", masterName)) as string[] | null;
          if (addr) return Number(addr[1]);
        } finally {
          c.disconnect();
        }
      }
      throw new Error("no sentinel knows the master");
    };
    // Both sentinels must know the replica and each other before a failover can be elected.
    await until("the sentinels see the replica", async () => {
      for (const s of sentinels) {
        const c = new Redis({ port: s.port, host: "127.0.0.1", password: opts.sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on("error", () => {});
        try {
          await c.connect();
          const m = (await c.call("SENTINEL", "master", masterName)) as string[];
          const f = new Map<string, string>();
          for (let i = 0; i + 1 < m.length; i += 2) f.set(m[i], m[i + 1]);
          if (f.get("num-slaves") !== "1" || f.get("num-other-sentinels") !== "1") return false;
        } finally {
          c.disconnect();
        }
      }
      return true;
    });
    return { url, masterName, master, replica, sentinels, db: (n) => `${url}/${n}`, currentMasterPort, stop: () => d.stop() };
  } catch (err) {
    await d.stop();
    throw err;
  }
}

async function infoAuth(port: number, password: string | undefined, section: string): Promise<string> {
  const c = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  try {
    await c.connect();
    return await c.info(section);
  } finally {
    c.disconnect();
  }
}

/**
 * Until every replica of the master on `port` has acknowledged all it was sent (its offset in
 * INFO replication equals the master's): what a test loaded is then on the replicas too, so a
 * failover loses nothing of it.
 */
export async function replicasCaughtUp(port: number, password?: string, ms = 20_000): Promise<void> {
  await until(`the replicas of ${port} caught up`, async () => {
    const text = await infoAuth(port, password, "replication");
    const master = /master_repl_offset:(\d+)/.exec(text)?.[1];
    const offsets = [...text.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => m[1]);
    return master !== undefined && offsets.length > 0 && offsets.every((o) => o === master);
  }, ms);
}
