#!/usr/bin/env node
// The jfsmeta CLI: a thin shell over lib/, run from TypeScript source through tsx.
//
// First of all, before the CLI loads (~0.2 s as a bundle, ~0.45 s from source through tsx), the process title (what
// `ps` and /proc/PID/cmdline show to every local user) is replaced by the arguments with
// passwords masked: `redis://:secret@host` → `redis://:****@host`, and the value of options
// that carry secrets. This runs in plain JavaScript with no imports, so it cannot share
// lib/engines/open.ts's redactUrl; it masks more, not less.
const SECRET_OPTIONS = /^--?(secret-key|session-token|passphrase|password|encrypt-rsa-key-passphrase)(=|$)/;
function maskArg(arg, prev) {
  if (prev !== undefined && SECRET_OPTIONS.test(prev) && !prev.includes("=")) return "****";
  const eq = SECRET_OPTIONS.exec(arg);
  if (eq && eq[2] === "=") return `${arg.slice(0, arg.indexOf("=") + 1)}****`;
  // scheme://user:password@host, and every further user:password@ in a multi-host URL.
  return arg.replace(/(:\/\/|,)([^:@/\s,]*):[^@\s]*@/g, "$1$2:****@");
}
const args = process.argv.slice(2);
process.title = ["jfsmeta", ...args.map((a, i) => maskArg(a, args[i - 1]))].join(" ");

// The prebuilt bundle while it matches the sources (scripts/build-cli.mjs), else the sources
// through tsx.
const { currentCliBuild } = await import("../scripts/build-freshness.mjs");
const { fileURLToPath } = await import("node:url");
const root = fileURLToPath(new URL("..", import.meta.url));
const built = process.env.JFSMETA_FROM_SOURCE ? { entry: null, reason: "JFSMETA_FROM_SOURCE is set" } : currentCliBuild(root);
if (process.env.JFSMETA_DEBUG) process.stderr.write(`jfsmeta: running ${built.entry ?? `from source (${built.reason})`}\n`);
let main;
if (built.entry) {
  ({ main } = await import(built.entry));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../cli/main.ts"));
}
process.exitCode = await main(args);
