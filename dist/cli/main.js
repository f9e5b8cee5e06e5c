import {
  exitCodeOf
} from "./chunk-XZRBIH2T.js";
import {
  CliError
} from "./chunk-S7H772A3.js";
import "./chunk-HSLINTMN.js";
import "./chunk-CPAUB6IY.js";

// cli/global-flags.ts
var BOOLEAN = /* @__PURE__ */ new Map([
  ["--verbose", "verbose"],
  ["--debug", "verbose"],
  ["-v", "verbose"],
  ["--quiet", "quiet"],
  ["-q", "quiet"],
  ["--trace", "trace"],
  ["--no-agent", "no-agent"],
  ["--no-color", "no-color"]
]);
var VALUED = /* @__PURE__ */ new Set(["--log-level", "--log-id", "--pyroscope"]);
function splitGlobalFlags(argv) {
  const args = [];
  const flags = { verbose: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      args.push(...argv.slice(i));
      break;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const bool = BOOLEAN.get(name);
    if (bool) {
      const value = name === a ? true : /^(true|1)$/i.test(a.slice(eq + 1));
      if (bool === "verbose" || bool === "trace") flags.verbose ||= value;
      if (bool === "quiet") flags.quiet ||= value;
      continue;
    }
    if (VALUED.has(name)) {
      let value;
      if (name !== a) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new CliError(`flag needs an argument: ${name}`);
      if (name === "--log-level") {
        const level = value.toLowerCase();
        if (!["trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"].includes(level)) {
          throw new CliError(`--log-level ${value}: use trace, debug, info, warn, error, fatal or panic`);
        }
        if (level === "trace" || level === "debug") flags.verbose = true;
        if (["warn", "warning", "error", "fatal", "panic"].includes(level)) flags.quiet = true;
      }
      continue;
    }
    args.push(a);
  }
  return { args, flags };
}

// cli/main.ts
var VERBS = {
  dump: { summary: "dump metadata into a JSON or binary file (like juicefs dump)", quiet: true, load: () => import("./dump-BCJ2R242.js") },
  load: { summary: "load metadata from a JSON or binary dump or backup into an empty database (like juicefs load)", quiet: true, load: () => import("./load-QOOUT7LW.js") },
  convert: { summary: "convert a dump between JSON and binary, and between compressions", quiet: true, load: () => import("./convert-CU7KYXPV.js") },
  config: { summary: "show or change the volume's format: storage, credentials, trash, quotas, limits (like juicefs config)", load: () => import("./config-CIEBFMAR.js") },
  backup: { summary: "run automatic metadata backups as a JuiceFS client does", quiet: true, load: () => import("./backup-DTMVJKG5.js") },
  verify: { summary: "check a dump or backup the way load does, without loading it", load: () => import("./verify-57TGI5TI.js") },
  diff: { summary: "show what changed between two backups, or a backup and the live volume", quiet: true, load: () => import("./diff-PD4XHYBM.js") },
  backups: { summary: "list backups in object storage with their retention fate", load: () => import("./backups-HIKBGET6.js") }
};
function usage() {
  const lines = Object.entries(VERBS).map(([name, v]) => `  ${name.padEnd(8)} ${v.summary}`);
  return `usage: jfsmeta <command> [options]

commands:
${lines.join("\n")}

Run 'jfsmeta <command> --help' for a command's options.
`;
}
async function main(argv) {
  let split;
  try {
    split = splitGlobalFlags(argv);
  } catch (err) {
    process.stderr.write(`jfsmeta: ${err.message}
`);
    return exitCodeOf(err);
  }
  const { flags } = split;
  const [verb, ...rest] = split.args;
  if (flags.verbose) process.env.JFSMETA_DEBUG ||= "1";
  if (!verb || verb === "--help" || verb === "-h" || verb === "help") {
    process.stdout.write(usage());
    return verb ? 0 : 2;
  }
  const entry = VERBS[verb];
  if (!entry) {
    process.stderr.write(`jfsmeta: unknown command "${verb}"

${usage()}`);
    return 2;
  }
  try {
    const mod = await entry.load();
    return await mod.run(flags.quiet && entry.quiet ? [...rest, "--quiet"] : rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`jfsmeta ${verb}: ${message}
`);
    if (process.env.JFSMETA_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    return exitCodeOf(err);
  }
}
export {
  main,
  usage
};
