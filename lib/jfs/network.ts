// Recognising a failed network path, whichever client reported it (Node sockets, ioredis,
// mariadb, pg, the AWS SDK): the one list of codes and messages for engines and storage.
// Also the one way to pick a free loopback port (private servers: Redis replicas, tests).
import net from "node:net";

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENOENT", "ECONNRESET", "EPIPE", "EACCES",
  "ER_GET_CONNECTION_TIMEOUT", "ER_CONNECTION_TIMEOUT", "ER_SOCKET_UNEXPECTED_CLOSE",
  // PostgreSQL's FATAL before it closes the connection: terminated by an administrator
  // (pg_terminate_backend, a fast shutdown), after a crash, or not taking connections yet.
  "57P01", "57P02", "57P03",
]);
const NETWORK_MESSAGES =
  /connect ECONNREFUSED|getaddrinfo ENOTFOUND|connect ETIMEDOUT|Connection is closed|Stream isn't writeable|timeout exceeded when trying to connect|Connection terminated|socket hang up|socket has unexpectedly been closed|has encountered a connection error and is not queryable/i;

/**
 * The error's code when it is one of a failed network path, else null. The code is looked
 * for on the error and on its `cause` (the AWS SDK wraps the socket error); an error with
 * no known code is recognised by its message, and the message stands for the code.
 */
export function networkErrorCode(err: unknown): string | null {
  const e = err as { message?: string; code?: string; cause?: { code?: string } } | null | undefined;
  for (const c of [e?.code, e?.cause?.code]) if (c !== undefined && NETWORK_CODES.has(String(c))) return String(c);
  const code = String(e?.code ?? "");
  const msg = e?.message ?? String(err);
  return NETWORK_MESSAGES.test(msg) ? code || msg : null;
}

/** A loopback port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
