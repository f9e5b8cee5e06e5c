// `jfsmeta ARGS…` as users run it (bin/jfsmeta.mjs, a process of its own), for the CLI tests.
import path from "node:path";
import { runProcess, type RunOptions, type RunResult } from "./juicefs";

export const JFSMETA_BIN = path.resolve(__dirname, "..", "..", "bin", "jfsmeta.mjs");

/** Runs to its end; stdout as bytes (dumps are compared byte for byte). */
export function jfsmetaBytes(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [JFSMETA_BIN, ...args], opts);
}

/** Runs to its end; stdout as UTF-8 text (reports, diffs). */
export async function jfsmetaText(args: string[], opts: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await jfsmetaBytes(args, opts);
  return { ...r, stdout: r.stdout.toString("utf8") };
}
