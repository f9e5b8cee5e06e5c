// Verb dispatch for `jfsmeta`. Each verb lives in its own file and exports run(args).
import { exitCodeOf } from "./exit-codes";
import { splitGlobalFlags } from "./global-flags";

/** `quiet`: the verb has its own --quiet, which JuiceFS's global -q/--quiet turns on. */
type Verb = { summary: string; quiet?: boolean; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const VERBS: Record<string, Verb> = {
  dump: { summary: "dump metadata into a JSON or binary file (like juicefs dump)", quiet: true, load: () => import("./dump") },
  load: { summary: "load metadata from a JSON or binary dump or backup into an empty database (like juicefs load)", quiet: true, load: () => import("./load") },
  convert: { summary: "convert a dump between JSON and binary, and between compressions", quiet: true, load: () => import("./convert") },
  config: { summary: "show or change the volume's format: storage, credentials, trash, quotas, limits (like juicefs config)", load: () => import("./config") },
  backup: { summary: "run automatic metadata backups as a JuiceFS client does", quiet: true, load: () => import("./backup") },
  verify: { summary: "check a dump or backup the way load does, without loading it", load: () => import("./verify") },
  diff: { summary: "show what changed between two backups, or a backup and the live volume", quiet: true, load: () => import("./diff") },
  backups: { summary: "list backups in object storage with their retention fate", load: () => import("./backups") },
};

export function usage(): string {
  const lines = Object.entries(VERBS).map(([name, v]) => `  ${name.padEnd(8)} ${v.summary}`);
  return `usage: jfsmeta <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun 'jfsmeta <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  let split;
  try {
    split = splitGlobalFlags(argv);
  } catch (err) {
    process.stderr.write(`jfsmeta: ${(err as Error).message}\n`);
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
    process.stderr.write(`jfsmeta: unknown command "${verb}"\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await entry.load();
    return await mod.run(flags.quiet && entry.quiet ? [...rest, "--quiet"] : rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`jfsmeta ${verb}: ${message}\n`);
    if (process.env.JFSMETA_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    return exitCodeOf(err);
  }
}
