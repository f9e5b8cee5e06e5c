// The one error base of jfsmeta. Every failure a person should read is a JfsError: a message
// that names the problem and its fix, a `kind` that says what sort of failure it is (the CLI
// turns it into an exit code, the dashboard into an HTTP status; see cli/exit-codes.ts and
// lib/server/errors.ts), and the standard `cause` holding the lower-level error it explains.
//
// Why kinds and not one class per failure: callers decide by what they can do about a failure
// (retry, fix the input, fix the flags, report a bug), and that is a small closed set. Classify
// by kind, never by matching an error's text. Lives in lib/jfs because every layer may import
// lib/jfs and lib/jfs imports nothing of ours.

export const ERROR_KINDS = [
  /** The command line, a URL or a request is malformed or asks for something contradictory. */
  "usage",
  /** A thing named does not exist: file, backup, bucket, database, volume, path in the tree. */
  "not-found",
  /** The target is in a state that forbids the operation: not empty, in use, secret removed. */
  "refused",
  /** The input (a dump, a backup, an encrypted object) is damaged or not what it claims. */
  "corrupt-input",
  /** A server (database, object store) cannot be reached, or was lost mid-way. Retryable. */
  "unreachable",
  /** A server rejected the credentials or permissions it was given, or a key does not match. */
  "auth",
  /** Something else holds what is needed (a load running, an index being built). Retryable. */
  "busy",
  /** The work was stopped by a signal or a cancel before it finished. */
  "interrupted",
  /** Valid input that this build cannot handle (zstd on old Node, binary dumps, sm4gcm). */
  "unsupported",
  /** A bug or an unexplained failure: anything not classified above. */
  "internal",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export class JfsError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The kind of any thrown value: a JfsError's own, "internal" for everything else. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof JfsError ? err.kind : "internal";
}

/** The message of any thrown value, for the one line a person reads. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Node's codes for a local file that is missing or not ours to read, as error kinds. */
const SYSTEM_KINDS: Record<string, ErrorKind> = {
  ENOENT: "not-found",
  ENOTDIR: "not-found",
  EISDIR: "usage",
  EACCES: "auth",
  EPERM: "auth",
};

/**
 * `context: what went wrong below`, as one JfsError: the lower error stays as `cause` and its
 * kind is kept (a corrupt dump under "load failed" is still corrupt input) unless `kind` says
 * otherwise. The one place that puts an error's message inside another's.
 */
export function wrapError(context: string, cause: unknown, kind?: ErrorKind): JfsError {
  const inner = cause instanceof JfsError ? cause.kind : SYSTEM_KINDS[String((cause as { code?: unknown })?.code)];
  return new JfsError(kind ?? inner ?? "internal", `${context}: ${errorMessage(cause)}`, { cause });
}

/**
 * The one log line of a failure that is deliberately not thrown: a cleanup after another error
 * (that error is the one reported), a best-effort write. Goes to stderr, where the CLI's
 * warnings and the dashboard server's log go; never silent, since a failed cleanup may leave
 * something behind that a person must remove.
 */
export function logIgnored(what: string, err: unknown): void {
  process.stderr.write(`jfsmeta: warning: ${what} failed: ${errorMessage(err)}\n`);
}

/**
 * A line for whoever debugs a run (JFSMETA_DEBUG=1): a choice the program made on its own,
 * such as a slower path taken because a faster one was refused. Off by default.
 */
export function logDebug(line: string): void {
  if (process.env.JFSMETA_DEBUG && process.env.JFSMETA_DEBUG !== "0") process.stderr.write(`jfsmeta: debug: ${line}\n`);
}
