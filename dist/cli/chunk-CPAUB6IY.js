// lib/jfs/errors.ts
var JfsError = class extends Error {
  constructor(kind, message, options) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
  kind;
};
function errorKind(err) {
  return err instanceof JfsError ? err.kind : "internal";
}
function errorMessage(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}
var SYSTEM_KINDS = {
  ENOENT: "not-found",
  ENOTDIR: "not-found",
  EISDIR: "usage",
  EACCES: "auth",
  EPERM: "auth"
};
function wrapError(context, cause, kind) {
  const inner = cause instanceof JfsError ? cause.kind : SYSTEM_KINDS[String(cause?.code)];
  return new JfsError(kind ?? inner ?? "internal", `${context}: ${errorMessage(cause)}`, { cause });
}
function logIgnored(what, err) {
  process.stderr.write(`jfsmeta: warning: ${what} failed: ${errorMessage(err)}
`);
}
function logDebug(line) {
  if (process.env.JFSMETA_DEBUG && process.env.JFSMETA_DEBUG !== "0") process.stderr.write(`jfsmeta: debug: ${line}
`);
}

export {
  JfsError,
  errorKind,
  errorMessage,
  wrapError,
  logIgnored,
  logDebug
};
