// One-line explanations of connection failures, naming the fix. Never includes the password.
import { JfsError } from "../../jfs/errors";
import { networkErrorCode } from "../../jfs/network";

export function explainConnectError(err: unknown, label: string): Error {
  const cause = { cause: err };
  const e = err as { message?: string; code?: string; errno?: number; sqlState?: string };
  const msg = e?.message ?? String(err);
  const code = String(e?.code ?? "");
  const network = networkErrorCode(err);
  if (network) {
    return new JfsError("unreachable", `cannot reach ${label} (${network}): check the host, port or socket path in the META-URL, and that the server is running`, cause);
  }
  // PostgreSQL 28P01 / 28000, MySQL 1045 ER_ACCESS_DENIED_ERROR
  if (code === "28P01" || code === "28000" || code === "ER_ACCESS_DENIED_ERROR" || /password authentication failed|Access denied for user/i.test(msg)) {
    return new JfsError("auth", `${label} rejected the credentials: check the user and password in the META-URL or META_PASSWORD / META_PASSWORD_FILE`, cause);
  }
  // PostgreSQL 3D000, MySQL 1049 ER_BAD_DB_ERROR
  if (code === "3D000" || code === "ER_BAD_DB_ERROR" || /database .* does not exist|Unknown database/i.test(msg)) {
    return new JfsError("not-found", `${label}: the database does not exist: create it first (JuiceFS does not create databases either)`, cause);
  }
  if (/SSL|TLS/i.test(msg)) {
    return new JfsError("usage", `${label}: TLS negotiation failed (${msg}): adjust sslmode= (postgres) or tls= (mysql) in the META-URL`, cause);
  }
  return err instanceof Error ? err : new Error(msg);
}

/** What a failed SQL statement ran into, by the driver's codes (never by its text). */
export type SqlFailure = "unique" | "range" | "too-long" | "deadlock" | "locked";

const FAILURE_CODES: Record<string, SqlFailure> = {
  // SQLite (better-sqlite3's extended result codes)
  SQLITE_CONSTRAINT_UNIQUE: "unique",
  SQLITE_CONSTRAINT_PRIMARYKEY: "unique",
  SQLITE_TOOBIG: "too-long",
  // Another connection holds the lock past the busy timeout (a load holds it throughout)
  SQLITE_BUSY: "locked",
  SQLITE_BUSY_RECOVERY: "locked",
  SQLITE_BUSY_SNAPSHOT: "locked",
  SQLITE_BUSY_TIMEOUT: "locked",
  SQLITE_LOCKED: "locked",
  // PostgreSQL SQLSTATEs
  "23505": "unique",
  "22003": "range",
  "22001": "too-long",
  "40P01": "deadlock",
  "40001": "deadlock",
  // MySQL / MariaDB
  ER_DUP_ENTRY: "unique",
  ER_DUP_KEY: "unique",
  ER_WARN_DATA_OUT_OF_RANGE: "range",
  ER_DATA_OUT_OF_RANGE: "range",
  ER_DATA_TOO_LONG: "too-long",
  ER_LOCK_DEADLOCK: "deadlock",
};

export function sqlFailure(err: unknown): SqlFailure | null {
  const code = String((err as { code?: unknown })?.code ?? "");
  if (FAILURE_CODES[code]) return FAILURE_CODES[code];
  // better-sqlite3 refuses to bind a bigint outside int64 with a RangeError of its own, before
  // SQLite sees it ("The bound string, buffer, or bigint is too big").
  if (err instanceof RangeError) return "range";
  return null;
}
