// What the engines share about failures: recognising a network path that failed, whichever
// driver reported it (Node sockets, ioredis, mariadb, pg).
import { JfsError } from "../jfs/errors";

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENOENT", "ECONNRESET", "EPIPE", "EACCES",
  "ER_GET_CONNECTION_TIMEOUT", "ER_CONNECTION_TIMEOUT", "ER_SOCKET_UNEXPECTED_CLOSE",
]);
const NETWORK_MESSAGES =
  /connect ETIMEDOUT|Connection is closed|Stream isn't writeable|timeout exceeded when trying to connect|Connection terminated|socket hang up|socket has unexpectedly been closed/i;

/**
 * A network failure in the middle of a dump or load, said with the database and how far the
 * work got; other errors unchanged. Connection failures explained at open are kept as they are.
 */
export function lostConnection(err: unknown, redactedUrl: string, done: string): unknown {
  const network = networkErrorCode(err);
  // A failure explained at open (kind "unreachable" already) is kept as it is.
  if (!network || err instanceof JfsError) return err;
  return new JfsError("unreachable", `lost the connection to ${redactedUrl} after ${done} (${network}): check that the server is up`, { cause: err });
}

/** The error's code, when it is one of a failed network path (else null). */
export function networkErrorCode(err: unknown): string | null {
  const e = err as { message?: string; code?: string };
  const code = String(e?.code ?? "");
  if (NETWORK_CODES.has(code)) return code;
  const msg = e?.message ?? String(err);
  return NETWORK_MESSAGES.test(msg) ? code || msg : null;
}
