// Every metadata engine on a private server (or temp dir), handing out empty databases by URL.
// ENGINE_KINDS is the list the engine suites run over (describe.each): a new engine joins them
// by a row here and a branch in startEngine().
import type { EngineKind } from "../../lib/engines/engine";
import { startRedisServer } from "./redis-server";
import { startRedisCluster, startRedisSentinel } from "./redis-ha-servers";
import { startTargets } from "./sql-targets";
import { startEtcdServer } from "./etcd-server";

export const ENGINE_KINDS: EngineKind[] = ["redis", "redis-sentinel", "redis-cluster", "sqlite3", "mysql", "postgres", "etcd"];

/** One engine on a private server (or temp dir), handing out empty databases by URL. */
export interface EngineTarget {
  kind: EngineKind;
  /** A fresh, empty database's URL, understood by both juicefs and jfsmeta. */
  fresh(): Promise<string>;
  stop(): Promise<void>;
}

export async function startEngine(kind: EngineKind): Promise<EngineTarget> {
  if (kind === "redis") {
    const server = await startRedisServer();
    let db = 0;
    return {
      kind,
      async fresh() {
        if (++db > 15) throw new Error("the private redis-server has 16 databases; this suite asked for more");
        return server.db(db);
      },
      stop: () => server.stop(),
    };
  }
  if (kind === "redis-sentinel") {
    const sentinel = await startRedisSentinel();
    let db = 0;
    return {
      kind,
      async fresh() {
        if (++db > 15) throw new Error("the private Sentinel master has 16 databases; this suite asked for more");
        return sentinel.db(db);
      },
      stop: () => sentinel.stop(),
    };
  }
  if (kind === "redis-cluster") {
    // Each volume its own key prefix {n}: as many as a suite wants, on one cluster.
    const cluster = await startRedisCluster();
    let db = 0;
    return { kind, fresh: async () => cluster.db(++db), stop: () => cluster.stop() };
  }
  if (kind === "etcd") {
    // One etcd; each volume under a prefix of its own (etcd://…/jfs1, /jfs2, …).
    const server = await startEtcdServer();
    return { kind, fresh: async () => server.fresh(), stop: () => server.stop() };
  }
  if (kind !== "sqlite3" && kind !== "mysql" && kind !== "postgres") throw new Error(`no test target for ${kind}`);
  const targets = await startTargets(kind);
  const drops: (() => Promise<void>)[] = [];
  return {
    kind,
    async fresh() {
      const db = await targets.fresh();
      drops.push(db.drop);
      return db.url;
    },
    async stop() {
      for (const d of drops) await d().catch(() => {});
      await targets.stop();
    },
  };
}
