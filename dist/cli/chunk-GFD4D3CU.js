import {
  passwordFromEnv,
  splitAuthority
} from "./chunk-HSLINTMN.js";
import {
  JfsError,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/redis/url.ts
import { readFileSync } from "node:fs";
function keyPrefix(mode, db) {
  return mode === "cluster" ? `{${db}}` : "";
}
function splitHostPort(text, port) {
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
  if (!Number.isInteger(port) || port < 0 || port > 65535 || port === 0 && text.includes(":")) {
    throw new JfsError("usage", `invalid port in Redis META-URL address "${text}"`);
  }
  return { host, port };
}
var formatHostPort = (h) => h.host.includes(":") ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
function hostListMode(hostPart) {
  const comma = hostPart.indexOf(",");
  if (comma < 0) return "single";
  const colon = hostPart.indexOf(":");
  return colon >= 0 && comma < colon ? "sentinel" : "cluster";
}
var IGNORED_OPTIONS = /* @__PURE__ */ new Set([
  // JuiceFS client tuning that does not affect dump/load.
  "client-cache",
  "client-cache-size",
  "client-cache-expire",
  "client-cache-preload",
  "route-read",
  "protocol",
  "client_name",
  "max_retries",
  "pool_fifo",
  "pool_size",
  "pool_timeout",
  "min_idle_conns",
  "max_idle_conns",
  "max_active_conns",
  "conn_max_idle_time",
  "idle_timeout",
  "conn_max_lifetime",
  "max_conn_age",
  "min-retry-backoff",
  "min_retry_backoff",
  "max-retry-backoff",
  "max_retry_backoff"
]);
function parseDuration(name, value) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new JfsError("usage", `invalid duration "${value}" for Redis URL option ${name}: use e.g. 30s or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * (unit === "ms" ? 1 : unit === "s" ? 1e3 : unit === "m" ? 6e4 : 36e5);
}
function passwordFallback(env) {
  return passwordFromEnv(env, ["REDIS_PASSWORD", "META_PASSWORD"]);
}
function parseDb(text, what) {
  if (!/^\d+$/.test(text)) throw new JfsError("usage", `invalid Redis database number "${text}" in ${what}: it must be a non-negative integer`);
  return Number(text);
}
function parseRedisUrl(url, env = process.env) {
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
  const username = parts.username || void 0;
  let password = parts.password;
  if (!password) password = passwordFallback(env);
  const params = new URLSearchParams(query);
  const options = {
    username,
    password: password || void 0,
    // Fail fast with a clear message instead of queueing commands forever.
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 1e4,
    retryStrategy: () => null,
    enableReadyCheck: false
  };
  let db = 0;
  let addr;
  let mode = "single";
  let sentinel;
  let clusterNodes;
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
    let tlsHost;
    if (mode === "sentinel") {
      const [name, ...listed] = hostPart.split(",");
      if (!name || listed.some((x) => x === "")) {
        throw new JfsError("usage", "invalid Redis Sentinel META-URL: expected redis://[user][:password]@MASTERNAME,SENTINEL1[:port],SENTINEL2[:port][/db]");
      }
      const last = splitHostPort(listed[listed.length - 1], 0);
      const sentinels = listed.map((x) => splitHostPort(x, last.port || 26379));
      sentinel = { name, sentinels, password: env.SENTINEL_PASSWORD || void 0 };
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
      const tls = { minVersion: "TLSv1.2" };
      const servername = params.get("tls-server-name") || tlsHost;
      if (servername) tls.servername = servername;
      const readOpt = (name) => {
        const file = params.get(name);
        if (!file) return void 0;
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
function withMode(t, mode) {
  const base = t.addr.replace(/\/\d+$/, "");
  const options = { ...t.options, db: mode === "cluster" ? 0 : t.db };
  const clusterNodes = mode === "cluster" ? t.clusterNodes ?? [{ host: t.options.host ?? "localhost", port: t.options.port ?? 6379 }] : t.clusterNodes;
  if (mode === "cluster") {
    delete options.host;
    delete options.port;
  }
  return { ...t, mode, options, clusterNodes, addr: `${base}/${t.db}` };
}

export {
  keyPrefix,
  formatHostPort,
  hostListMode,
  parseRedisUrl,
  withMode
};
