// Helpers shared by the CLI verbs: argument errors and progress on stderr.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { redactUrl } from "../lib/engines/url";
import { JfsError, type ErrorKind } from "../lib/jfs/errors";

/** A failure the CLI itself finds: a usage error unless said otherwise. */
export class CliError extends JfsError {
  constructor(message: string, kind: ErrorKind = "usage", options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/** parseArgs with jfsmeta's conventions: unknown flags are errors that name the flag. */
export function parseCli<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  help: string,
) {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(help);
    return null;
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${help}`, "usage", { cause: err });
  }
}

/**
 * The `META-URL [FILE]` positionals of dump and load (JuiceFS's shape); names the process
 * after the redacted URL so `ps` never shows a password.
 */
export function metaUrlAndFile(verb: string, positionals: string[], help: string): [string, string | undefined] {
  if (positionals.length < 1 || positionals.length > 2) throw new CliError(`expected META-URL and an optional FILE\n\n${help}`);
  const [url, file] = positionals;
  process.title = `jfsmeta ${verb} ${redactUrl(url)}`;
  return [url, file];
}

/** A progress line on stderr, redrawn in place; silent unless stderr is a terminal. */
export class Progress {
  private last = 0;
  private readonly enabled: boolean;
  constructor(quiet: boolean) {
    this.enabled = !quiet && !!process.stderr.isTTY;
  }
  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    // One line, cut to the terminal's width: a wrapped line would not be cleared by the next.
    const width = process.stderr.columns;
    const line = width && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    process.stderr.write(`\r\x1b[K${line}`);
  }
  done(text: string): void {
    if (this.enabled) process.stderr.write(`\r\x1b[K`);
    process.stderr.write(`${text}\n`);
  }
}
