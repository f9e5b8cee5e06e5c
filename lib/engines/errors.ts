// What the engines share about failures: recognising a network path that failed, whichever
// driver reported it (Node sockets, ioredis, mariadb, pg), from lib/jfs/network.
import { JfsError } from "../jfs/errors";
import { networkErrorCode } from "../jfs/network";

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
