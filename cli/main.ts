// Verb dispatch for `jfsmeta`. Each verb lives in its own file and exports run(args).
import { exitCodeOf } from "./exit-codes";

type Verb = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const VERBS: Record<string, Verb> = {
  dump: { summary: "dump metadata into a JSON or binary file (like juicefs dump)", load: () => import("./dump") },
  load: { summary: "load metadata from a JSON or binary dump or backup into an empty database (like juicefs load)", load: () => import("./load") },
  convert: { summary: "convert a dump between JSON and binary, and between compressions", load: () => import("./convert") },
  config: { summary: "change the volume's storage credentials (like juicefs config)", load: () => import("./config") },
  backup: { summary: "run automatic metadata backups as a JuiceFS client does", load: () => import("./backup") },
  verify: { summary: "check a dump or backup the way load does, without loading it", load: () => import("./verify") },
  backups: { summary: "list backups in object storage with their retention fate", load: () => import("./backups") },
};

export function usage(): string {
  const lines = Object.entries(VERBS).map(([name, v]) => `  ${name.padEnd(8)} ${v.summary}`);
  return `usage: jfsmeta <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun 'jfsmeta <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
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
    return await mod.run(rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`jfsmeta ${verb}: ${message}\n`);
    if (process.env.JFSMETA_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    return exitCodeOf(err);
  }
}
