// The bench's databases: a private, empty one per engine (redis-server, SQLite file, MariaDB,
// PostgreSQL, etcd), another beside it on demand, and the engine's own backup of it (the floor).
import { startRedisServer } from "../test/support/redis-server";
import { startEtcdServer } from "../test/support/etcd-server";
import { startRedisCluster, startRedisSentinel } from "../test/support/redis-ha-servers";
import { timeProcess, type Timed } from "./process";
import { isSqlEngine, startSqlTarget } from "./sql";

export interface Target {
  /** An empty database for the load, the one the dumps and floors read. */
  url: string;
  /** Another empty database of the same engine (for `juicefs load`); null with --url. */
  another: (() => Promise<string>) | null;
  /** The servers' processes, whose CPU time the bench reports beside ours (bench/server-cpu.ts); none with --url. */
  serverPids(): number[];
  /** The engine's own backup of `url` into a file, timed; null when there is none to run. */
  backup: ((file: string) => Promise<Timed>) | null;
  stop(): Promise<void>;
}

/** Engines get a private, empty database; others can be added here or passed with --url. */
export async function startTarget(engine: string, url?: string): Promise<Target> {
  if (url) return { url, another: null, serverPids: () => [], backup: null, stop: async () => {} };
  if (engine === "redis") {
    // Redis 7 waits repl-diskless-sync-delay (5 s by default) for more replicas before it streams
    // a snapshot to `redis-cli --rdb`: a wait, not work, so the floor is taken without it.
    const server = await startRedisServer({ args: ["--repl-diskless-sync-delay", "0"] });
    const others: { pid: number; stop(): Promise<void> }[] = [];
    return {
      url: server.db(1),
      // A server of its own: redis-cli --rdb snapshots a whole server, so the floor reads only the first.
      another: async () => {
        const s = await startRedisServer();
        others.push(s);
        return s.db(1);
      },
      serverPids: () => [server, ...others].map((s) => s.pid),
      backup: (file) => timeProcess("redis-cli --rdb", "redis-cli", ["-h", server.host, "-p", String(server.port), "--rdb", file]),
      stop: async () => {
        for (const s of [server, ...others]) await s.stop();
      },
    };
  }
  if (engine === "redis-sentinel" || engine === "redis-cluster") {
    // A master, a replica and two sentinels; or 3 masters with a replica each. Volumes by db number.
    const d = engine === "redis-sentinel" ? await startRedisSentinel() : await startRedisCluster({ replicasPerMaster: 1 });
    let db = 1;
    return { url: d.db(1), another: async () => d.db(++db), serverPids: () => [], backup: null, stop: () => d.stop() };
  }
  if (isSqlEngine(engine)) return startSqlTarget(engine);
  if (engine === "etcd") {
    // etcd's default 2 GiB quota holds about 2 million files: the bench gives it room for more.
    const server = await startEtcdServer({ quotaBytes: 8 * 1024 ** 3 });
    return {
      url: server.url("bench"),
      another: async () => server.fresh(),
      serverPids: () => server.members.flatMap((m) => (m.proc?.pid ? [m.proc.pid] : [])),
      // etcd's own backup: a snapshot of its whole backend (every prefix; only the bench's here).
      backup: (file) => timeProcess("etcdctl snapshot", "etcdctl", ["--endpoints", server.hosts, "snapshot", "save", file], { env: { ...process.env, ETCDCTL_API: "3" } }),
      stop: () => server.stop(),
    };
  }
  throw new Error(`no private server for engine "${engine}" yet: pass --url META-URL of an empty database`);
}

