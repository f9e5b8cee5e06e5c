// A database of any engine for tests that load again and again (the fuzzer, the verifier's
// load tests): a private server (never the machine's own), one database reused while the
// loads leave it empty, replaced by wipe().
import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import type { EngineKind } from "../../lib/engines/engine";
import { openEngine } from "../../lib/engines/open";
import { startRedisServer } from "./redis-server";
import { startTargets, type FreshDb } from "./sql-targets";
import { startEtcdServer } from "./etcd-server";
import { startRedisCluster, startRedisSentinel } from "./redis-ha-servers";

/**
 * Puts the private database servers (and anything else in the OS temp dir) on /dev/shm when
 * there is one: every load creates and drops tables, and MariaDB's DDL fsyncs (1.3 s per
 * refused load on disk, 45 ms in memory). What is checked stays the same. Call before the
 * first server starts; JFSMETA_TEST_ON_DISK=1 keeps them on disk.
 */
export function serversInMemory(): void {
  if (existsSync("/dev/shm") && !process.env.JFSMETA_TEST_ON_DISK) process.env.TMPDIR = "/dev/shm";
}

export const ENGINES: EngineKind[] = ["redis", "sqlite3", "mysql", "postgres", "etcd"];
/**
 * Redis behind Sentinel and Redis Cluster: the Redis engine's code with another connection (and,
 * on Cluster, hash-tagged keys and per-slot pipelines). The suites run them on a sample of what
 * they run on ENGINES, as each server costs several processes to start.
 */
export const HA_ENGINES: EngineKind[] = ["redis-sentinel", "redis-cluster"];

export interface EngineTarget {
  engine: EngineKind;
  /** The URL of an empty database for the next case. */
  url(): Promise<string>;
  /** What the database holds after a case: null when it is empty (no keys, no tables). */
  leftover(url: string): Promise<string | null>;
  /** Throws the current database away; the next url() is a fresh one. */
  wipe(): Promise<void>;
  stop(): Promise<void>;
}

export async function leftoverOf(url: string): Promise<string | null> {
  const engine = await openEngine(url);
  try {
    const check = await engine.checkEmpty();
    return check.empty ? null : check.reason;
  } finally {
    await engine.close();
  }
}

export async function startTarget(engine: EngineKind): Promise<EngineTarget> {
  if (engine === "redis") {
    const server = await startRedisServer();
    let db = 1;
    return {
      engine,
      url: async () => server.db(db),
      leftover: leftoverOf,
      // 16 databases: move on, and flush the one we come back to.
      wipe: async () => {
        db = (db % 15) + 1;
        const c = new Redis(server.db(db), { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await c.connect();
          await c.flushdb();
        } finally {
          c.disconnect();
        }
      },
      stop: () => server.stop(),
    };
  }
  if (engine === "redis-sentinel") {
    const sentinel = await startRedisSentinel();
    let db = 1;
    return {
      engine,
      url: async () => sentinel.db(db),
      leftover: leftoverOf,
      // As on one redis-server: move on, and flush (on the master of now) the one we come back to.
      wipe: async () => {
        db = (db % 15) + 1;
        const c = new Redis({ port: await sentinel.currentMasterPort(), host: "127.0.0.1", db, lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await c.connect();
          await c.flushdb();
        } finally {
          c.disconnect();
        }
      },
      stop: () => sentinel.stop(),
    };
  }
  if (engine === "redis-cluster") {
    // Each volume under a hash tag of its own ({1}, {2}, …): wipe() moves on to a fresh one.
    const cluster = await startRedisCluster();
    let db = 1;
    return {
      engine,
      url: async () => cluster.db(db),
      leftover: leftoverOf,
      wipe: async () => {
        db++;
      },
      stop: () => cluster.stop(),
    };
  }
  if (engine === "etcd") {
    // Each volume under a prefix of its own: wipe() moves on to a fresh one.
    const server = await startEtcdServer();
    let url = server.fresh();
    return {
      engine,
      url: async () => url,
      leftover: leftoverOf,
      wipe: async () => {
        url = server.fresh();
      },
      stop: () => server.stop(),
    };
  }
  if (engine !== "sqlite3" && engine !== "mysql" && engine !== "postgres") throw new Error(`no reusable test target for ${engine}`);
  const targets = await startTargets(engine);
  let current: FreshDb | null = null;
  return {
    engine,
    url: async () => (current ??= await targets.fresh()).url,
    leftover: leftoverOf,
    wipe: async () => {
      const old = current;
      current = null;
      if (old) await old.drop();
    },
    stop: async () => {
      await current?.drop();
      await targets.stop();
    },
  };
}
