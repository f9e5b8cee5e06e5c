// etcd failures said plainly: which ones a retry cures (a member down, a leader election), and
// the one-line message with the fix for the rest.
import { JfsError } from "../../jfs/errors";
import { networkErrorCode } from "../../jfs/network";

const TRANSIENT =
  /leader changed|no leader|required revision is a future revision|request timed out|timed out waiting for read index|too many requests|not capable|UNAVAILABLE|ECONNREFUSED|ECONNRESET|No connection established|Connection dropped|failed to connect|DEADLINE_EXCEEDED|Deadline exceeded/i;

/** Whether the same request may simply be sent again (to this member or another). */
const TLS = /ERR_TLS_|certificate|self[- ]signed|unable to verify|SSL routines|handshake/i;

export function isTransientEtcdError(err: unknown): boolean {
  if (err instanceof JfsError) return false;
  if (TLS.test((err as Error)?.message ?? "")) return false; // a certificate does not get better by waiting
  const e = err as { name?: string; message?: string } | null;
  const name = e?.name ?? "";
  if (/GRPCUnavailableError|GRPCDeadlineExceededError|GRPCCancelledError/.test(name)) return true;
  return TRANSIENT.test(e?.message ?? String(err)) || networkErrorCode(err) !== null;
}

/** etcd3 refusing to try a member that failed repeatedly (cockatiel's BrokenCircuitError). */
export function isBrokenCircuit(err: unknown): boolean {
  return (err as Error)?.name === "BrokenCircuitError" || /circuit breaker is open/i.test((err as Error)?.message ?? "");
}

export function isCompactedError(err: unknown): boolean {
  return /required revision has been compacted/i.test((err as Error)?.message ?? "");
}

/** A JfsError naming etcd at `addr` and what to do. JfsErrors pass through unchanged. */
export function explainEtcdError(err: unknown, addr: string): JfsError {
  if (err instanceof JfsError) return err;
  const msg = (err as Error)?.message ?? String(err);
  const at = `etcd at ${addr}`;
  if (/database space exceeded|NOSPACE/i.test(msg)) {
    return new JfsError(
      "refused",
      `${at} refuses writes: its database reached the backend quota (--quota-backend-bytes, 2 GiB by default). Compact and defragment it and disarm the NOSPACE alarm (etcdctl compact, etcdctl defrag, etcdctl alarm disarm), or restart it with a larger --quota-backend-bytes`,
      { cause: err },
    );
  }
  if (isCompactedError(err)) {
    return new JfsError(
      "busy",
      `${at} compacted the revision this dump was reading before it finished (auto-compaction-retention shorter than the dump): nothing was written; dump again, or keep more history (--auto-compaction-retention)`,
      { cause: err },
    );
  }
  if (/authentication failed|invalid auth token|user name is empty|GRPCUnauthenticatedError/i.test(msg) || /Unauthenticated|AuthenticationFailed/.test((err as Error)?.name ?? "")) {
    return new JfsError("auth", `${at} refused the user name or password of the META-URL (${msg})`, { cause: err });
  }
  if (/permission denied/i.test(msg)) {
    return new JfsError("auth", `${at}: the META-URL's etcd user may not read or write this prefix (${msg}): grant it a role with read-write permission on it`, { cause: err });
  }
  if (TLS.test(msg)) {
    return new JfsError(
      "auth",
      `${at}: the TLS connection was refused (${msg}). Check cacert= (the CA that signed the server's certificate), server-name= (a name the certificate holds, when it is not the host of the URL) and cert=/key= (the client certificate etcd expects)`,
      { cause: err },
    );
  }
  if (/too many operations in txn request/i.test(msg)) {
    // The load nests its puts (put-txn.ts) within etcd's default --max-txn-ops, as etcd counts them.
    return new JfsError(
      "refused",
      `${at} refused a transaction as holding too many operations (${msg}): it runs with a --max-txn-ops below etcd's default of 128, which jfsmeta's load needs (as JuiceFS's does); restart it with --max-txn-ops 128 or more`,
      { cause: err },
    );
  }
  if (/request is too large|message larger than max|ResourceExhausted/i.test(msg)) {
    return new JfsError("refused", `${at} refused a request as too large (${msg}): raise etcd's --max-request-bytes`, { cause: err });
  }
  if (isTransientEtcdError(err)) {
    return new JfsError("unreachable", `cannot reach ${at} (${msg}): check that its members are up and that the hosts and ports of the META-URL are right`, { cause: err });
  }
  return new JfsError("internal", `${at}: ${msg}`, { cause: err });
}
