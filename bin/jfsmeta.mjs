#!/usr/bin/env node
// The jfsmeta CLI: a thin shell over lib/, run from TypeScript source through tsx.
//
// First of all, before the ~600 ms it takes to load tsx and the CLI, the process title (what
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

const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(args);
