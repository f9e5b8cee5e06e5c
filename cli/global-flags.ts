// JuiceFS's global flags (cmd/flags.go globalFlags), accepted anywhere on the line as JuiceFS
// accepts them (its reorderOptions moves them): scripts written for `juicefs` pass them freely.
import { CliError } from "./common";

/** Boolean global flags and their aliases. */
const BOOLEAN = new Map<string, "verbose" | "quiet" | "trace" | "no-agent" | "no-color">([
  ["--verbose", "verbose"], ["--debug", "verbose"], ["-v", "verbose"],
  ["--quiet", "quiet"], ["-q", "quiet"],
  ["--trace", "trace"],
  ["--no-agent", "no-agent"],
  ["--no-color", "no-color"],
]);
/** Global flags that take a value (`--flag V` or `--flag=V`). */
const VALUED = new Set(["--log-level", "--log-id", "--pyroscope"]);

export interface GlobalFlags {
  /** --verbose/--debug/-v, --trace or --log-level debug|trace: errors show their stack. */
  verbose: boolean;
  /** --quiet/-q or --log-level warn|error|fatal|panic: passed on to the verbs that have --quiet. */
  quiet: boolean;
}

/**
 * Takes JuiceFS's global flags out of `argv` wherever they stand (before `--` only); what is
 * left is the verb and its own arguments. `-q`/`--quiet` are left to verbs that know them.
 */
export function splitGlobalFlags(argv: string[]): { args: string[]; flags: GlobalFlags } {
  const args: string[] = [];
  const flags: GlobalFlags = { verbose: false, quiet: false };
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
      let value: string | undefined;
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
