// Open a metadata engine by its META-URL, as JuiceFS names them.
import { isRedisKind, type EngineKind, type MetaEngine } from "./engine";
import { JfsError } from "../jfs/errors";
// Parsing only (its etcd3 import is of types): cheap to load with this module.
import { parseEtcdUrl } from "./etcd/url";
import { hostListMode } from "./redis/url";
// Sends SYNC with no ioredis loaded (prefetchFlatScan).
import { requestSnapshotEarly, type EarlySnapshot } from "./redis/early";

/** The engine a META-URL names; a URL without a scheme is Redis, as in JuiceFS. */
export function engineKindOf(url: string): EngineKind {
  const m = /^([a-z0-9+]+):\/\//i.exec(url);
  const scheme = m ? m[1].toLowerCase() : "redis";
  switch (scheme) {
    case "redis":
    case "rediss": {
      // The host list tells Sentinel from Cluster; one host may still turn out to be a cluster node.
      const rest = (m ? url.slice(m[0].length) : url).split("?")[0];
      const mode = hostListMode(rest.slice(rest.lastIndexOf("@") + 1).split("/")[0]);
      return mode === "sentinel" ? "redis-sentinel" : mode === "cluster" ? "redis-cluster" : "redis";
    }
    case "unix":
      return "redis";
    case "sqlite3":
      return "sqlite3";
    case "mysql":
      return "mysql";
    case "postgres":
    case "postgresql":
      return "postgres";
    case "etcd":
      return "etcd";
    default:
      throw new JfsError(
        "usage",
        `unsupported META-URL scheme "${scheme}://": jfsmeta speaks redis://, rediss:// (one server, Sentinel or Cluster), unix://, sqlite3://, mysql://, postgres:// and etcd://`,
      );
  }
}

export { redactUrl } from "./url";

/**
 * A META-URL checked as far as can be without connecting (forms validate with it): its scheme,
 * and for etcd its hosts, ports and options. Throws a JfsError naming what is wrong.
 */
export function checkMetaUrl(url: string): EngineKind {
  const kind = engineKindOf(url);
  if (kind === "etcd") parseEtcdUrl(url);
  return kind;
}

/** What prefetchFlatScan started: handed to openEngine, which closes it if no scan reads it. */
export type Prefetched = EarlySnapshot;

/**
 * Start what a flat scan of the whole volume (scanTables) will read, before the engine and the
 * dump's writer load: on one Redis server, ask for its snapshot (redis/early.ts), so the server's
 * child streams while jfsmeta starts. Null where nothing starts early (other engines, Sentinel,
 * Cluster, a URL that does not parse: openEngine tells that). The caller passes the result to
 * openEngine, and must not ask it for a consistent read (the snapshot is of the live server).
 * `beforeSync` (the caller's own checks, overlapping the connection's handshake) resolves to
 * false to send no SYNC after all: a typo must not cost the server a fork. `purpose`: a JSON
 * or a binary dump, each reading a snapshot only where it is the cheaper (redis/early.ts).
 */
export async function prefetchFlatScan(url: string, opts: { beforeSync?: Promise<boolean>; purpose?: "json" | "binary" } = {}): Promise<Prefetched | null> {
  let kind: EngineKind;
  try {
    kind = engineKindOf(url);
  } catch {
    return null;
  }
  return kind === "redis" ? requestSnapshotEarly(url, opts) : null;
}

export async function openEngine(url: string, opts: { prefetched?: Prefetched | null } = {}): Promise<MetaEngine> {
  const kind = engineKindOf(url);
  if (isRedisKind(kind)) {
    const { openRedis } = await import("./redis");
    return openRedis(url, opts.prefetched);
  }
  opts.prefetched?.close();
  if (kind === "etcd") {
    const { openEtcd } = await import("./etcd");
    return openEtcd(url);
  }
  const { openSql } = await import("./sql");
  return openSql(url);
}
