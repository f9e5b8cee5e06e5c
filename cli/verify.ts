// jfsmeta verify [FILE | s3://… | file://… | BACKUP]: the structural check `load` runs before
// it commits, alone: nothing is written anywhere. Counts go to stdout, problems to stderr.
import { CliError, parseCli } from "./common";
import { closeDumpSource, openDumpSource, SOURCE_FLAGS, SOURCE_HELP } from "./dump-source";
import { STORAGE_HELP } from "./storage-flags";
import { detectDumpFormat, openDumpInput } from "../lib/dump/input";
import type { Readable } from "node:stream";
import { verifyDump, type VerifyCounts } from "../lib/dump/verify";
import type { DumpFormatError } from "../lib/dump/types";
import { JfsError } from "../lib/jfs/errors";
import { formatBytes } from "../lib/jfs/format";

const HELP = `usage: jfsmeta verify [options] [FILE | s3://BUCKET/KEY | file:///PATH | BACKUP]

Check that a JSON or binary metadata dump or backup is whole and structurally sound, exactly as
'jfsmeta load' checks it before anything is committed: one member of each name per
object, every inode where JuiceFS can put it (inode 1 only at the root, a directory once,
hard links only between identical non-directories, trash inodes only in the Trash), names
a JuiceFS client can create, one entry per name in a directory, numbers in JuiceFS's ranges.
Without FILE the dump is read from stdin; gzip is recognised by its content.

Prints what the dump holds and exits 0, or names the first problem (its JSON path and byte
offset) and exits 1. With --all every problem is listed before exiting 1; a dump that is
not valid JSON still ends the check at the first syntax error.

options:
  --all                    list every problem instead of stopping at the first
  --accept-changed-hardlinks
                           hard links whose occurrences differ (a dump of a volume in use)
                           are warnings, as load --accept-changed-hardlinks takes them
${SOURCE_HELP}
  --help, -h               this help

${STORAGE_HELP}
examples:
  jfsmeta verify meta-dump.json
  jfsmeta verify dump-2026-11-26-120000.json.gz --encrypt-rsa-key my-private.pem
  jfsmeta verify latest --from-volume redis://localhost:6379/1
  jfsmeta verify s3://bucket/myjfs/meta/dump-2026-11-26-120000.json.gz --storage-endpoint http://127.0.0.1:9000
`;

/** Problems listed with --all before the rest are only counted (keeps a wrecked dump's output readable). */
const MAX_LISTED = 1000;

export function formatCounts(c: VerifyCounts, bytesRead: number): string {
  const rows: [string, string][] = [
    ["directories", String(c.directories)],
    ["files", String(c.files)],
    ["hard links", String(c.hardLinks)],
    ["symlinks", String(c.symlinks)],
    ["other nodes", String(c.others)],
    ["slices", String(c.slices)],
    ["bytes", `${c.bytes} (${formatBytes(c.bytes)})`],
    ["trash entries", String(c.trashEntries)],
    ["dump read", formatBytes(bytesRead)],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(14)} ${v}\n`).join("");
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCli(args, { ...SOURCE_FLAGS, all: { type: "boolean" }, "accept-changed-hardlinks": { type: "boolean" } }, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new CliError(`expected at most one FILE\n\n${HELP}`);
  const file = positionals[0];
  const name = file ?? "stdin";
  const source = await openDumpSource(file, values, "jfsmeta verify < dump.json");
  try {
    return await verifySource(source, name, values);
  } finally {
    closeDumpSource(source);
  }
}

async function verifySource(source: Awaited<ReturnType<typeof openDumpSource>>, name: string, values: Record<string, unknown>): Promise<number> {
  const detected = await detectDumpFormat(await openDumpInput(source));
  if (detected.format === "binary") return verifyBinary(detected.input, name);
  const input = detected.input;
  let listed = 0;
  const onProblem = values.all
    ? (p: DumpFormatError) => {
        if (++listed <= MAX_LISTED) process.stderr.write(`problem: ${p.message}\n`);
      }
    : undefined;
  let report;
  try {
    report = await verifyDump(input, {
      onProblem,
      acceptChangedHardLinks: !!values["accept-changed-hardlinks"],
      onWarning: (w) => void process.stderr.write(`warning: ${w}\n`),
    });
  } catch (err) {
    // The first problem (or, with --all, one that ends the read) after those already listed.
    if (listed === 0 || !(err instanceof JfsError)) throw err;
    process.stderr.write(`problem: ${err.message}\n`);
    process.stderr.write(`${name}: ${listed + 1} problems; the check stopped at the last one\n`);
    return 1;
  }
  if (report.problems > 0) {
    if (listed > MAX_LISTED) process.stderr.write(`… and ${listed - MAX_LISTED} more\n`);
    process.stderr.write(`${name}: ${report.problems} problem${report.problems === 1 ? "" : "s"}; 'jfsmeta load' refuses this dump\n`);
    process.stdout.write(`${name}: what was read\n${formatCounts(report.counts, report.bytes)}`);
    return 1;
  }
  process.stdout.write(`${name}: OK, ${report.counts.entries} entries verified\n${formatCounts(report.counts, report.bytes)}`);
  return 0;
}

/** A binary dump: its framing and footer (the reader) and its structure, as the binary load checks them. */
async function verifyBinary(input: Readable, name: string): Promise<number> {
  const { readBinaryDump } = await import("../lib/dump/binary/reader");
  const { BinaryStructureCheck, checkingVisitor } = await import("../lib/dump/binary/check");
  const check = new BinaryStructureCheck();
  let footer;
  try {
    footer = await readBinaryDump(input, checkingVisitor(check));
    check.finish();
  } catch (err) {
    if (!(err instanceof Error) || !/binary dump|byte \d+/.test(err.message)) throw err;
    process.stderr.write(`problem: ${err.message}\n${name}: 'jfsmeta load' refuses this binary dump\n`);
    return 1;
  }
  const c = check.counts;
  const rows: [string, string][] = [
    ["directories", String(c.directories)],
    ["files", String(c.files)],
    ["symlinks", String(c.symlinks)],
    ["entries", String(c.entries)],
    ["chunks", String(c.chunks)],
    ["slices", String(c.slices)],
    ["bytes", `${c.bytes} (${formatBytes(Number(c.bytes))})`],
    ["trash entries", String(c.trashEntries)],
    ["segments", String([...footer.infos.values()].reduce((n, i) => n + i.offsets.length, 0))],
    ["dump read", formatBytes(footer.bytes)],
  ];
  process.stdout.write(`${name}: OK, binary dump of ${c.inodes} inodes verified\n${rows.map(([k, v]) => `  ${k.padEnd(14)} ${v}\n`).join("")}`);
  return 0;
}
