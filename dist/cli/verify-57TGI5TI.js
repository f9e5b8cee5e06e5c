import {
  SOURCE_FLAGS,
  SOURCE_HELP,
  closeDumpSource,
  openDumpSource
} from "./chunk-AT6GBXYV.js";
import {
  STORAGE_HELP
} from "./chunk-YASBIB2U.js";
import {
  verifyDump
} from "./chunk-XJ75VFCB.js";
import "./chunk-2HH2CB6Y.js";
import "./chunk-MRG4XAQF.js";
import "./chunk-FSMRZZN3.js";
import {
  CliError,
  parseCli
} from "./chunk-S7H772A3.js";
import "./chunk-HSLINTMN.js";
import {
  detectDumpFormat,
  openDumpInput
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// cli/verify.ts
var HELP = `usage: jfsmeta verify [options] [FILE | s3://BUCKET/KEY | file:///PATH | BACKUP]

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
var MAX_LISTED = 1e3;
function formatCounts(c, bytesRead) {
  const rows = [
    ["directories", String(c.directories)],
    ["files", String(c.files)],
    ["hard links", String(c.hardLinks)],
    ["symlinks", String(c.symlinks)],
    ["other nodes", String(c.others)],
    ["slices", String(c.slices)],
    ["bytes", `${c.bytes} (${formatBytes(c.bytes)})`],
    ["trash entries", String(c.trashEntries)],
    ["dump read", formatBytes(bytesRead)]
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(14)} ${v}
`).join("");
}
async function run(args) {
  const parsed = parseCli(args, { ...SOURCE_FLAGS, all: { type: "boolean" }, "accept-changed-hardlinks": { type: "boolean" } }, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new CliError(`expected at most one FILE

${HELP}`);
  const file = positionals[0];
  const name = file ?? "stdin";
  const source = await openDumpSource(file, values, "jfsmeta verify < dump.json");
  try {
    return await verifySource(source, name, values);
  } finally {
    closeDumpSource(source);
  }
}
async function verifySource(source, name, values) {
  const detected = await detectDumpFormat(await openDumpInput(source));
  if (detected.format === "binary") return verifyBinary(detected.input, name);
  const input = detected.input;
  let listed = 0;
  const onProblem = values.all ? (p) => {
    if (++listed <= MAX_LISTED) process.stderr.write(`problem: ${p.message}
`);
  } : void 0;
  let report;
  try {
    report = await verifyDump(input, {
      onProblem,
      acceptChangedHardLinks: !!values["accept-changed-hardlinks"],
      onWarning: (w) => void process.stderr.write(`warning: ${w}
`)
    });
  } catch (err) {
    if (listed === 0 || !(err instanceof JfsError)) throw err;
    process.stderr.write(`problem: ${err.message}
`);
    process.stderr.write(`${name}: ${listed + 1} problems; the check stopped at the last one
`);
    return 1;
  }
  if (report.problems > 0) {
    if (listed > MAX_LISTED) process.stderr.write(`\u2026 and ${listed - MAX_LISTED} more
`);
    process.stderr.write(`${name}: ${report.problems} problem${report.problems === 1 ? "" : "s"}; 'jfsmeta load' refuses this dump
`);
    process.stdout.write(`${name}: what was read
${formatCounts(report.counts, report.bytes)}`);
    return 1;
  }
  process.stdout.write(`${name}: OK, ${report.counts.entries} entries verified
${formatCounts(report.counts, report.bytes)}`);
  return 0;
}
async function verifyBinary(input, name) {
  const { readBinaryDump } = await import("./reader-NZSEYHA4.js");
  const { BinaryStructureCheck, checkingVisitor } = await import("./check-53UN75RW.js");
  const check = new BinaryStructureCheck();
  let footer;
  try {
    footer = await readBinaryDump(input, checkingVisitor(check));
    check.finish();
  } catch (err) {
    if (!(err instanceof Error) || !/binary dump|byte \d+/.test(err.message)) throw err;
    process.stderr.write(`problem: ${err.message}
${name}: 'jfsmeta load' refuses this binary dump
`);
    return 1;
  }
  const c = check.counts;
  const rows = [
    ["directories", String(c.directories)],
    ["files", String(c.files)],
    ["symlinks", String(c.symlinks)],
    ["entries", String(c.entries)],
    ["chunks", String(c.chunks)],
    ["slices", String(c.slices)],
    ["bytes", `${c.bytes} (${formatBytes(Number(c.bytes))})`],
    ["trash entries", String(c.trashEntries)],
    ["segments", String([...footer.infos.values()].reduce((n, i) => n + i.offsets.length, 0))],
    ["dump read", formatBytes(footer.bytes)]
  ];
  process.stdout.write(`${name}: OK, binary dump of ${c.inodes} inodes verified
${rows.map(([k, v]) => `  ${k.padEnd(14)} ${v}
`).join("")}`);
  return 0;
}
export {
  formatCounts,
  run
};
