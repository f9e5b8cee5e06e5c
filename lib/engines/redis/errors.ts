// One-line explanations of Redis failures, naming the fix. Never includes the password.
import { JfsError, type ErrorKind } from "../../jfs/errors";
import { NotRedisError, RespError } from "./resp";
import { networkErrorCode } from "../../jfs/network";

export function explainRedisError(err: unknown, addr: string): Error {
  // Already explained (by this function, or by the sentinel and cluster lookups): as it is.
  if (err instanceof JfsError && !(err instanceof RespError) && !(err instanceof NotRedisError)) return err;
  const explained = (kind: ErrorKind, message: string) => new JfsError(kind, message, { cause: err });
  const msg = (err as { message?: string })?.message ?? String(err);
  if (/^LOADING\b/.test(msg)) {
    return explained("busy", `Redis at ${addr} is still loading its dataset into memory (LOADING): wait until it has finished, then retry`);
  }
  if (/^NOAUTH\b/.test(msg)) {
    return explained(
      "auth",
      `Redis at ${addr} requires a password (NOAUTH): put it in the META-URL (redis://:PASSWORD@host:port/db) or set REDIS_PASSWORD / META_PASSWORD`,
    );
  }
  if (/^WRONGPASS\b|invalid password|invalid username-password/i.test(msg)) {
    return explained("auth", `Redis at ${addr} rejected the credentials (WRONGPASS): check the user and password in the META-URL or REDIS_PASSWORD / META_PASSWORD`);
  }
  if (/without any password configured/i.test(msg)) {
    return explained("auth", `Redis at ${addr} has no password set, but one was given: remove it from the META-URL or from REDIS_PASSWORD / META_PASSWORD`);
  }
  // Our RESP reader's and ioredis's (redis-parser's ParserError: "Unknown RESP type 72") view
  // of a port where something other than Redis listens.
  if (err instanceof NotRedisError || (err as Error)?.name === "ParserError") {
    const seen = err instanceof NotRedisError ? ` (it answered "${err.seen}…")` : "";
    return explained("usage", `${addr} is not a Redis server${seen}: check the host and port in the META-URL`);
  }
  const network = networkErrorCode(err);
  if (network) {
    return explained("unreachable", `cannot reach Redis at ${addr} (${network}): check the host, port or socket path, and that redis-server is running`);
  }
  if (/^OOM\b/.test(msg)) {
    return explained("refused", `Redis at ${addr} is out of memory (maxmemory reached): raise maxmemory or use a bigger server, then retry`);
  }
  if (/^READONLY\b/.test(msg)) {
    return explained("refused", `Redis at ${addr} is a read-only replica (READONLY): point the META-URL at the master`);
  }
  if (/^NOPERM\b/.test(msg)) {
    return explained("auth", `Redis at ${addr} denied a command to this user (NOPERM): grant the user access to all keys and commands of this database`);
  }
  if (/^ERR DB index is out of range/i.test(msg)) {
    return explained("usage", `Redis at ${addr}: database number out of range: pick a DB below the server's 'databases' setting`);
  }
  return err instanceof Error ? err : new Error(msg);
}
