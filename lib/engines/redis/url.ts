// META-URL → ioredis options, following JuiceFS's rules (docs/format/redis-keys.md §6). Parsed by hand
// so that the options are explicit and no password leaks into a message.
import { readFileSync } from "node:fs";
import { passwordFromEnv } from "../url";
import type { RedisOptions } from "ioredis";
import { JfsError, wrapError } from "../../jfs/errors";

export interface RedisTarget {
  /** Options for `new Redis(...)` (single node). */
  options: RedisOptions;
  /** `host:port/db` or the socket path: what messages name (never the password). */
  addr: string;
  db: number;
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

  // query
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  // userinfo: the last '@' separates it, so passwords may contain '@' only when escaped anyway
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(":");
    try {
      if (colon >= 0) {
        username = decodeURIComponent(userinfo.slice(0, colon)) || undefined;
        password = decodeURIComponent(userinfo.slice(colon + 1));
      } else {
        username = decodeURIComponent(userinfo) || undefined;
      }
    } catch (err) {
      throw new JfsError("usage", "invalid escaping in the user or password of the Redis META-URL: percent-encode special characters", { cause: err });
    }
  }
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

  if (scheme === "unix") {
    const socketPath = rest;
    if (!socketPath.startsWith("/")) throw new JfsError("usage", "invalid unix:// META-URL: expected unix://[user][:password]@/path/to/redis.sock[?db=N]");
    options.path = socketPath;
    addr = socketPath;
  } else {
    const slash = rest.indexOf("/");
    let hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
    const pathPart = slash >= 0 ? rest.slice(slash + 1) : "";
    if (hostPart.includes(",")) {
      throw new JfsError(
        "usage",
        "Redis Sentinel and Cluster META-URLs (comma-separated hosts) are not supported by jfsmeta yet: point it at the master node as redis://host:port/db",
      );
    }
    if (pathPart !== "") {
      if (pathPart.includes("/")) throw new JfsError("usage", `invalid Redis META-URL path "/${pathPart}": only a database number is allowed`);
      db = parseDb(pathPart, "the URL path");
    }
    let host = "localhost";
    let port = 6379;
    if (hostPart.startsWith("[")) {
      const end = hostPart.indexOf("]");
      host = hostPart.slice(1, end);
      hostPart = hostPart.slice(end + 1);
      if (hostPart.startsWith(":")) port = Number(hostPart.slice(1));
    } else if (hostPart) {
      const colon = hostPart.lastIndexOf(":");
      if (colon >= 0) {
        host = hostPart.slice(0, colon) || "localhost";
        port = Number(hostPart.slice(colon + 1));
      } else host = hostPart;
    }
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new JfsError("usage", `invalid port in Redis META-URL: ${hostPart}`);
    options.host = host;
    options.port = port;
    addr = `${host}:${port}`;
    if (scheme === "rediss") {
      const tls: NonNullable<RedisOptions["tls"]> = { minVersion: "TLSv1.2", servername: params.get("tls-server-name") || host };
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
  options.db = db;
  return { options, addr: `${addr}/${db}`, db };
}
