// META-URLs of the SQL engines, parsed the way JuiceFS reads them (docs/format/sql-tables.md §5),
// into plain connection settings for the Node drivers. Pure: the environment is passed in.
import { passwordFromEnv, redactUrl } from "../url";
import { JfsError } from "../../jfs/errors";

export type SqlDialect = "sqlite3" | "mysql" | "postgres";

/** Options JuiceFS strips from the query string before handing it to the driver. */
const JUICEFS_ONLY = ["max_open_conns", "max_idle_conns", "max_idle_time", "max_life_time", "table_prefix"];

export interface SqliteTarget {
  dialect: "sqlite3";
  path: string;
  /** journal_mode to set, or null to leave the file's own. */
  journalMode: string | null;
  busyTimeoutMs: number;
  readonly: boolean;
}

export interface MysqlTarget {
  dialect: "mysql";
  host?: string;
  port?: number;
  socketPath?: string;
  user?: string;
  password?: string;
  database: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
  charset?: string;
}

export interface PostgresTarget {
  dialect: "postgres";
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: false | { rejectUnauthorized: boolean };
  /** The one schema of `search_path`; tables are qualified with it. */
  schema?: string;
  /** Other query parameters, passed to the server as run-time options where they are GUCs. */
  options: Record<string, string>;
}

export type SqlTarget = (SqliteTarget | MysqlTarget | PostgresTarget) & {
  /** Table name prefix: `jfs_` or `jfs_<table_prefix>_`. */
  prefix: string;
  /** The META-URL with the password replaced by ****. */
  redacted: string;
  /** `<driver>://<addr>` with the password removed, as JuiceFS's messages show it. */
  label: string;
};

/** Where META_PASSWORD / META_PASSWORD_FILE come from (process.env by default). */
export type UrlEnv = Record<string, string | undefined>;

export class SqlUrlError extends JfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("usage", message, options);
  }
}

function splitScheme(url: string): { scheme: string; addr: string } {
  const i = url.indexOf("://");
  if (i < 0) throw new SqlUrlError(`META-URL "${redactSqlUrl(url)}" has no scheme; write sqlite3://, mysql:// or postgres://`);
  return { scheme: url.slice(0, i).toLowerCase(), addr: url.slice(i + 3) };
}

/** The SQL META-URL with its password hidden (the same rule as every engine's). */
export const redactSqlUrl = redactUrl;

function envPassword(env: UrlEnv): string | undefined {
  try {
    return passwordFromEnv(env, ["META_PASSWORD"]);
  } catch (err) {
    throw new SqlUrlError((err as Error).message, { cause: err });
  }
}

function parseQuery(q: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(q)) out.set(k, v);
  return out;
}

function tablePrefix(params: Map<string, string>): string {
  const p = params.get("table_prefix");
  if (p === undefined || p === "") return "jfs_";
  if (!/^[A-Za-z0-9_]+$/.test(p)) {
    throw new SqlUrlError(`table_prefix "${p}" may only contain letters, digits and '_'`);
  }
  return `jfs_${p}_`;
}

function decodePassword(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p; // not percent-encoding after all (a bare % in the password): taken literally
  }
}

export function parseSqlUrl(url: string, env: UrlEnv = process.env): SqlTarget {
  const { scheme, addr } = splitScheme(url);
  const q = addr.indexOf("?");
  const body = q >= 0 ? addr.slice(0, q) : addr;
  const params = parseQuery(q >= 0 ? addr.slice(q + 1) : "");
  const prefix = tablePrefix(params);
  for (const k of JUICEFS_ONLY) params.delete(k);
  const redacted = redactSqlUrl(url);
  const dialect: SqlDialect =
    scheme === "sqlite3" ? "sqlite3" : scheme === "mysql" ? "mysql" : scheme === "postgres" || scheme === "postgresql" ? "postgres" : (() => {
      throw new SqlUrlError(`"${scheme}://" is not an SQL META-URL; write sqlite3://, mysql:// or postgres://`);
    })();
  const label = `${dialect}://${redacted.slice(redacted.indexOf("://") + 3).replace(/\?.*$/, "")}`;

  if (dialect === "sqlite3") {
    if (!body) throw new SqlUrlError(`sqlite3:// needs a file path, e.g. sqlite3://my-jfs.db or sqlite3:///abs/path.db`);
    const journal = params.get("_journal_mode") ?? params.get("_journal");
    const timeout = params.get("_busy_timeout") ?? params.get("_timeout");
    const mode = params.get("mode");
    return {
      dialect,
      path: decodeURIComponent(body),
      journalMode: journal === undefined ? "WAL" : journal,
      busyTimeoutMs: timeout === undefined ? 5000 : Number(timeout) || 5000,
      readonly: mode === "ro",
      prefix,
      redacted,
      label,
    };
  }

  // Split userinfo at the last '@' (passwords may contain '@').
  const at = body.lastIndexOf("@");
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = body;
  if (at >= 0) {
    const userinfo = body.slice(0, at);
    hostPart = body.slice(at + 1);
    const colon = userinfo.indexOf(":");
    user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    password = colon >= 0 ? decodePassword(userinfo.slice(colon + 1)) : undefined;
    user = decodePassword(user);
  }
  if (password === undefined) password = envPassword(env);

  if (dialect === "mysql") {
    // go-sql-driver DSN: [net[(address)]]/dbname
    const slash = hostPart.lastIndexOf("/");
    if (slash < 0) throw new SqlUrlError(`mysql META-URL needs a database name: mysql://user:pass@(host:3306)/db`);
    const netAddr = hostPart.slice(0, slash);
    const database = hostPart.slice(slash + 1);
    if (!database) throw new SqlUrlError(`mysql META-URL needs a database name after '/'`);
    const m = /^([a-z0-9]*)(?:\((.*)\))?$/i.exec(netAddr);
    if (!m) throw new SqlUrlError(`cannot read the address "${netAddr}" of the mysql META-URL; write (host:port), tcp(host:port) or unix(/path/to.sock)`);
    const net = m[1] || "tcp";
    const address = m[2] ?? "";
    const t: MysqlTarget = { dialect, user, password, database };
    if (net === "unix") {
      t.socketPath = address || "/tmp/mysql.sock";
    } else if (net === "tcp" || net === "tcp6") {
      const hp = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address || "127.0.0.1:3306");
      t.host = hp?.[1] || "127.0.0.1";
      t.port = hp?.[2] ? Number(hp[2]) : 3306;
    } else {
      throw new SqlUrlError(`mysql network "${net}" is not supported; use tcp or unix`);
    }
    const tls = params.get("tls");
    if (tls === "true") t.ssl = { rejectUnauthorized: true };
    else if (tls === "skip-verify" || tls === "preferred") t.ssl = { rejectUnauthorized: false };
    const charset = params.get("charset");
    if (charset) t.charset = charset.split(",")[0];
    return { ...t, prefix, redacted, label };
  }

  // postgres: host[:port][,more]/db
  const slash = hostPart.indexOf("/");
  const hostPort = slash >= 0 ? hostPart.slice(0, slash) : hostPart;
  const database = slash >= 0 ? decodeURIComponent(hostPart.slice(slash + 1)) : undefined;
  const t: PostgresTarget = { dialect, user, password, database: database || undefined, options: {} };
  if (hostPort) {
    const first = hostPort.split(",")[0];
    const hp = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(first);
    t.host = hp?.[1] ? decodeURIComponent(hp[1]) : undefined;
    t.port = hp?.[2] ? Number(hp[2]) : undefined;
  }
  const socketHost = params.get("host");
  if (socketHost) t.host = socketHost;
  const port = params.get("port");
  if (port) t.port = Number(port);
  params.delete("host");
  params.delete("port");
  const sslmode = params.get("sslmode");
  params.delete("sslmode");
  // node-postgres cannot "prefer"/"allow" (try TLS, fall back): those connect in plain text.
  if (sslmode === "require") t.ssl = { rejectUnauthorized: false };
  else if (sslmode === "verify-ca" || sslmode === "verify-full") t.ssl = { rejectUnauthorized: true };
  else t.ssl = false;
  const sp = params.get("search_path");
  params.delete("search_path");
  if (sp !== undefined) {
    if (sp.includes(",")) throw new SqlUrlError(`search_path "${sp}" must name exactly one schema (JuiceFS keeps all tables in one)`);
    if (sp) t.schema = sp;
  }
  for (const [k, v] of params) t.options[k] = v;
  return { ...t, prefix, redacted, label };
}
