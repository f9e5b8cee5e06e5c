// Shared pieces of the conformance suite: engines on private servers, both CLIs as processes,
// and the seeded synthetic volumes that together use every feature of the dump.
import { createWriteStream } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { JsonDumpWriter } from "../../lib/dump/writer";
import { writeSyntheticDump, type SyntheticOptions } from "../../lib/synth/volume";
import { runProcess, type RunOptions, type RunResult } from "../support/juicefs";

export { ENGINE_KINDS as KINDS, startEngine, type EngineTarget } from "../support/engine-targets";

const CLI = path.resolve(import.meta.dirname, "..", "..", "bin", "jfsmeta.mjs");

/** `jfsmeta ARGS…` as a user runs it; rejects on a non-zero exit, with its stderr. */
export async function jfsmeta(args: string[], opts: RunOptions & { allowFailure?: boolean } = {}): Promise<RunResult> {
  const r = await runProcess(process.execPath, [CLI, ...args], opts);
  if (r.code !== 0 && !opts.allowFailure) throw new Error(`jfsmeta ${args.join(" ")} exited with ${r.code}:\n${r.stderr.slice(-4000)}`);
  return r;
}

/** A synthetic volume of the suite: a name for the test title and the generator's options. */
export interface Volume {
  name: string;
  opts: SyntheticOptions;
}

/**
 * The suite's volumes. Together they use every feature of the dump: hard links (within and across
 * directories), symlinks, xattrs (some not UTF-8), ACLs, directory/user/group quotas, directory
 * stats, Trash, DelFiles, special files, %XX names, files of two chunks with several slices each
 * (lib/synth); one has ChangeLog on, one TrashDays 0 (with a Trash still holding entries).
 */
export const VOLUMES: Volume[] = [
  { name: "every feature", opts: { files: 400, seed: 11, name: "everything" } },
  { name: "ChangeLog on", opts: { files: 150, seed: 12, name: "changelog", setting: { ChangeLog: true } } },
  { name: "TrashDays 0", opts: { files: 150, seed: 13, name: "notrash", setting: { TrashDays: 0 } } },
];

/** Writes a synthetic volume's dump to `file`. */
export async function writeVolume(file: string, opts: SyntheticOptions): Promise<string> {
  const out = createWriteStream(file);
  await writeSyntheticDump(new JsonDumpWriter(out), opts);
  out.end();
  await finished(out);
  return file;
}
