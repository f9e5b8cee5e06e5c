// META-URL → ioredis options, following JuiceFS's rules (docs/format/redis-keys.md §6). Parsed by hand
// so that the options are explicit and no password leaks into a message.
import { readFileSync } from "node:fs";
import { passwordFromEnv, splitAuthority } from "../url";
import type { RedisOptions } from "ioredis";
import { JfsError, wrapError } from "../../jfs/errors";

/** How the servers behind a META-URL are deployed (docs/format/redis-keys.md §8). */
export type RedisMode = "single" | "sentinel" | "cluster";

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisTarget {
  mode: RedisMode;
  /**
   * Options for one data node: `new Redis(...)` for a single node; for Sentinel and Cluster,
   * the credentials, TLS and timeouts every data node is reached with (its host and port are
   * asked of the sentinels or of the cluster).
   */
  options: RedisOptions;
  /** What messages name (never the password): `host:port/db`, the socket path, `MASTER,s1:port,…/db`, `h1:p1,h2:p2/db`. */
  addr: string;
  db: number;
  /** Sentinel: the master's name and the sentinels, with SENTINEL_PASSWORD. */
  sentinel?: { name: string; sentinels: HostPort[]; password?: string };
  /** Cluster: the nodes the URL lists (any of them leads to the others). */
  clusterNodes?: HostPort[];
}

/** The key prefix of a volume: `{db}` in a Redis Cluster (a hash tag: all its keys in one slot), else none. */
export function keyPrefix(mode: RedisMode, db: number): string {
  return mode === "cluster" ? `{${db}}` : "";
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`; `port` is the default (0: none). */
function splitHostPort(text: string, port: number): HostPort {
  let host = "localhost";
  const bad = () => new JfsError("usage", `invalid address "${text}" in the Redis META-URL: expected host[:port]`);
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0) throw bad();
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest.startsWith(":")) port = Number(rest.slice(1));
    else if (rest !== "") throw bad();
  } else if (text) {
    const colon = text.lastIndexOf(":");
    if (colon >= 0) {
      host = text.slice(0, colon) || "localhost";
      port = Number(text.slice(colon + 1));
    } else host = text;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (port === 0 && text.includes(":"))) {
    throw new JfsError("usage", `invalid port in Redis META-URL address "${text}"`);
  }
  return { host, port };
}

export const formatHostPort = (h: HostPort) => (h.host.includes(":") ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`);

/**
 * The mode a host list names, as JuiceFS tells them: Sentinel when the first comma comes
 * before the first colon (`MASTER,s1:26379,…`); any other list is a cluster's nodes
 * (`h1:7000,h2:7001`, also a list with no colon at all). One host: single (a cluster node is
 * recognised only when connected).
 */
export function hostListMode(hostPart: string): RedisMode {
  const comma = hostPart.indexOf(",");
  if (comma < 0) return "single";
  const colon = hostPart.indexOf(":");
  return colon >= 0 && comma < colon ? "sentinel" : "cluster";
}

const IGNORED_OPTIONS = new Set([
  // JuiceFS client tuning that does not affect dump/load.
  "client-cache", "client-cache-size", "client-cache-expire", "client-cache-preload",
  "route-read", "protocol", "client_name", "max_retries", "pool_fifo", "pool_size", "pool_timeout",
  "min_idle_conns", "max_idle_conns", "max_active_conns", "conn_max_idle_time", "idle_timeout",
  "conn_max_lifetime", "max_conn_age", "min-retry-backoff", "min_retry_backoff",
  "max-retry-backoff", "max_retry_backoff",
]);

/** Go-style durations used by the JuiceFS options: "30s", "500ms", "1m", plain seconds. */
function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new JfsError("usage", `invalid duration "${value}" for Redis URL option ${name}: use e.g. 30s or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * (unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000);
}

function passwordFallback(env: Record<string, string | undefined>): string | undefined {
  return passwordFromEnv(env, ["REDIS_PASSWORD", "META_PASSWORD"]);
}

function parseDb(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new JfsError("usage", `invalid Redis database number "${text}" in ${what}: it must be a non-negative integer`);
  return Number(text);
}

export function parseRedisUrl(url: string, env: Record<string, string | undefined> = process.env): RedisTarget {
  const full = url.includes("://") ? url : `redis://${url}`;
  const m = /^([a-z]+):\/\/(.*)$/i.exec(full);
  if (!m) throw new JfsError("usage", "invalid Redis META-URL: expected redis://[user][:password]@host[:port][/db]");
  const scheme = m[1].toLowerCase();
  let rest = m[2];
  if (scheme !== "redis" && scheme !== "rediss" && scheme !== "unix") {
    throw new JfsError("usage", `unsupported Redis scheme "${scheme}://": use redis://, rediss:// or unix://`);
  }

  const parts = splitAuthority(rest, "Redis");
  rest = parts.address;
  const query = parts.query;
  const username = parts.username || undefined;
  let password = parts.password;
  if (!password) password = passwordFallback(env);

  const params = new URLSearchParams(query);
  const options: RedisOptions = {
    username,
    password: password || undefined,
    // Fail fast with a clear message instead of queueing commands forever.
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 10_000,
    retryStrategy: () => null,
    enableReadyCheck: false,
  };
  let db = 0;
  let addr: string;
  let mode: RedisMode = "single";
  let sentinel: RedisTarget["sentinel"];
  let clusterNodes: HostPort[] | undefined;

  if (scheme === "unix") {
    const socketPath = rest;
    if (!socketPath.startsWith("/")) throw new JfsError("usage", "invalid unix:// META-URL: expected unix://[user][:password]@/path/to/redis.sock[?db=N]");
    options.path = socketPath;
    addr = socketPath;
  } else {
    const slash = rest.indexOf("/");
    const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
    const pathPart = slash >= 0 ? rest.slice(slash + 1) : "";
    if (pathPart !== "") {
      if (pathPart.includes("/")) throw new JfsError("usage", `invalid Redis META-URL path "/${pathPart}": only a database number is allowed`);
      db = parseDb(pathPart, "the URL path");
    }
    mode = hostListMode(hostPart);
    let tlsHost: string | undefined;
    if (mode === "sentinel") {
      const [name, ...listed] = hostPart.split(",");
      if (!name || listed.some((x) => x === "")) {
        throw new JfsError("usage", "invalid Redis Sentinel META-URL: expected redis://[user][:password]@MASTERNAME,SENTINEL1[:port],SENTINEL2[:port][/db]");
      }
      // A sentinel without a port takes the last listed sentinel's, else 26379 (JuiceFS's rule).
      const last = splitHostPort(listed[listed.length - 1], 0);
      const sentinels = listed.map((x) => splitHostPort(x, last.port || 26379));
      sentinel = { name, sentinels, password: env.SENTINEL_PASSWORD || undefined };
      addr = `${name},${sentinels.map(formatHostPort).join(",")}`;
    } else if (mode === "cluster") {
      clusterNodes = hostPart.split(",").map((x) => {
        if (x === "") throw new JfsError("usage", "invalid Redis Cluster META-URL: an empty address in the host list");
        return splitHostPort(x, 6379);
      });
      addr = clusterNodes.map(formatHostPort).join(",");
    } else {
      const one = splitHostPort(hostPart, 6379);
      options.host = one.host;
      options.port = one.port;
      addr = formatHostPort(one);
      tlsHost = one.host;
    }
    if (scheme === "rediss") {
      // Sentinel and Cluster reach several hosts: each is verified by its own name unless
      // tls-server-name names one for all.
      const tls: NonNullable<RedisOptions["tls"]> = { minVersion: "TLSv1.2" };
      const servername = params.get("tls-server-name") || tlsHost;
      if (servername) tls.servername = servername;
      const readOpt = (name: string) => {
        const file = params.get(name);
        if (!file) return undefined;
        try {
          return readFileSync(file);
        } catch (err) {
          throw wrapError(`cannot read ${name} ${file}`, err);
        }
      };
      const cert = readOpt("tls-cert-file");
      const key = readOpt("tls-key-file");
      const ca = readOpt("tls-ca-cert-file");
      if (cert) tls.cert = cert;
      if (key) tls.key = key;
      if (ca) tls.ca = ca;
      if (params.get("insecure-skip-verify") || params.get("skip_verify") === "true") tls.rejectUnauthorized = false;
      options.tls = tls;
    }
  }

  for (const [name, value] of params) {
    switch (name) {
      case "db":
        db = parseDb(value, "?db=");
        break;
      case "read-timeout":
      case "read_timeout":
        options.commandTimeout = parseDuration(name, value);
        break;
      case "write-timeout":
      case "write_timeout":
        break;
      case "dial_timeout":
        options.connectTimeout = parseDuration(name, value);
        break;
      case "tls-server-name":
      case "tls-cert-file":
      case "tls-key-file":
      case "tls-ca-cert-file":
      case "insecure-skip-verify":
      case "skip_verify":
        if (scheme !== "rediss") throw new JfsError("usage", `Redis URL option ${name} needs the rediss:// scheme`);
        break;
      default:
        if (!IGNORED_OPTIONS.has(name)) {
          throw new JfsError("usage", `unknown Redis URL option "${name}": remove it (JuiceFS rejects unknown options too)`);
        }
    }
  }
  return withMode({ mode, options, addr, db, sentinel, clusterNodes }, mode);
}

/**
 * The target in `mode`: in a cluster the db number is only the key prefix `{db}` (no SELECT,
 * which a cluster refuses); elsewhere it is the database selected. A single host that turns out
 * to be a cluster node is re-moded with this.
 */
export function withMode(t: Omit<RedisTarget, "addr"> & { addr: string }, mode: RedisMode): RedisTarget {
  const base = t.addr.replace(/\/\d+$/, "");
  const options: RedisOptions = { ...t.options, db: mode === "cluster" ? 0 : t.db };
  const clusterNodes = mode === "cluster" ? (t.clusterNodes ?? [{ host: t.options.host ?? "localhost", port: t.options.port ?? 6379 }]) : t.clusterNodes;
  if (mode === "cluster") {
    delete options.host;
    delete options.port;
  }
  return { ...t, mode, options, clusterNodes, addr: `${base}/${t.db}` };
}
