import {
  guardSignals
} from "./chunk-HQ4HO26Q.js";
import {
  DumpOptionsSchema,
  dumpMeta
} from "./chunk-42XKLXRA.js";
import {
  BinaryDumpWriter,
  openDumpOutput
} from "./chunk-DAELPPGZ.js";
import {
  JsonDumpWriter
} from "./chunk-FY4XRHOE.js";
import "./chunk-2IUHHPSG.js";
import "./chunk-FSMRZZN3.js";
import "./chunk-6VX6LUXZ.js";
import {
  CliError,
  Progress,
  metaUrlAndFile,
  parseCli
} from "./chunk-S7H772A3.js";
import "./chunk-YBUR6YUE.js";
import "./chunk-PWJI7R5M.js";
import {
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import "./chunk-HSLINTMN.js";
import "./chunk-T4KSQL2Z.js";
import "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import {
  formatIssues
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import {
  logIgnored
} from "./chunk-CPAUB6IY.js";

// cli/dump.ts
var HELP = `usage: jfsmeta dump [options] META-URL [FILE]

Dump the metadata of a JuiceFS volume as JSON, byte-compatible with 'juicefs dump', or
in JuiceFS's binary format (--binary, about a third of the size). Without FILE the dump
goes to stdout. FILE is written as FILE.tmp, flushed to disk and renamed when complete; a
name ending in .gz is gzip-compressed, one ending in .zstd zstd-compressed. Ctrl-C,
SIGTERM or SIGHUP stop the dump and remove FILE.tmp (exit 130, 143, 129).

options:
  --binary            write the binary format of 'juicefs dump --binary' (JuiceFS 1.3+);
                      the whole volume, so --subdir is refused
  --subdir PATH       dump only this directory (it must exist; no Trash is written)
  --keep-secret-key   keep the object storage secret key and session token
                      (otherwise they are written as "removed")
  --skip-trash        leave the Trash out (with --binary: walks the tree, as slow as JSON)
  --threads N         concurrent batch reads (default 10, at most 64)
  --consistent        read one moment of the database, whatever writers do meanwhile
                      (SQL: one snapshot transaction; Redis: a private replica,
                      synced then detached, which needs redis-server on this host)
  --max-ops N         gentle: at most N engine queries a second
  --max-latency MS    gentle: slow down, or pause, while the engine answers the dump's
                      queries slower than MS milliseconds; catch up when it recovers
  --fast              accepted for compatibility; has no effect
  --quiet, -q         no progress or summary on stderr
  --help, -h          this help

examples:
  jfsmeta dump redis://localhost:6379/1 meta-dump.json
  jfsmeta dump redis://localhost:6379/1 meta-dump.json.gz --subdir /dir1
  jfsmeta dump redis://localhost:6379/1 meta-dump.bin.zstd --binary
`;
async function run(args) {
  const parsed = parseCli(
    args,
    {
      subdir: { type: "string" },
      "keep-secret-key": { type: "boolean" },
      "skip-trash": { type: "boolean" },
      threads: { type: "string" },
      consistent: { type: "boolean" },
      "max-ops": { type: "string" },
      "max-latency": { type: "string" },
      fast: { type: "boolean" },
      binary: { type: "boolean" },
      quiet: { type: "boolean", short: "q" }
    },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [url, file] = metaUrlAndFile("dump", positionals, HELP);
  const binary = !!values.binary;
  if (binary && values.subdir !== void 0) {
    throw new CliError("--subdir cannot be used with --binary: a binary dump holds the whole volume (JuiceFS ignores --subdir there); dump the subdirectory as JSON");
  }
  const threads = values.threads === void 0 ? void 0 : Number(values.threads);
  if (threads !== void 0 && Number.isInteger(threads) && threads <= 0) process.stderr.write(`Invalid threads number ${threads}, reset to 1
`);
  const options = DumpOptionsSchema.safeParse({
    subdir: values.subdir,
    keepSecretKey: !!values["keep-secret-key"],
    skipTrash: !!values["skip-trash"],
    threads,
    consistent: !!values.consistent,
    maxOps: values["max-ops"] === void 0 ? void 0 : Number(values["max-ops"]),
    maxLatencyMs: values["max-latency"] === void 0 ? void 0 : Number(values["max-latency"])
  });
  if (!options.success) throw new CliError(`invalid option: ${formatIssues(options.error)}`);
  const quiet = !!values.quiet;
  const progress = new Progress(quiet);
  const engine = await openEngine(url);
  const tmp = file === void 0 ? null : `${file}.tmp`;
  const guard = guardSignals("dump", () => tmp ? `remove ${tmp} by hand` : "the output is incomplete");
  try {
    const output = await openDumpOutput(file);
    const started = Date.now();
    let result;
    try {
      const writer = binary ? new BinaryDumpWriter(output.stream) : new JsonDumpWriter(output.stream);
      result = await dumpMeta(engine, writer, {
        ...options.data,
        signal: guard.signal,
        onProgress: (p) => progress.update(`${p.phase === "reading tables" ? "Read inodes (the tables, before the tree is written)" : "Dumped entries"}: ${p.entries}${p.holdingBack ? ` (${p.holdingBack})` : ""}`)
      });
      if (guard.received) throw new Error("dump cancelled");
      await output.commit();
    } catch (err) {
      const removed = await output.abort().then(
        () => true,
        (abortErr) => (logIgnored("removing the unfinished output file", abortErr), false)
      );
      if (!guard.received) throw err;
      const what = tmp ? removed ? `${tmp} was removed, ${file} was not written` : `${tmp} could not be removed: delete it by hand` : "the dump on stdout is incomplete";
      progress.done(`jfsmeta dump: stopped by ${guard.received}: ${what}`);
      return guard.exitCode;
    }
    if (!quiet) {
      const secs = ((Date.now() - started) / 1e3).toFixed(1);
      progress.done(`Dump metadata into "${file ?? "STDOUT"}" succeed: ${result.entries} entries in ${secs}s`);
      if (result.snapshot) {
        progress.done(`Consistent: every entry as of ${result.snapshot.takenAt.toISOString()} (one snapshot, ${result.snapshot.connections} connection${result.snapshot.connections === 1 ? "" : "s"})`);
      }
    }
    return 0;
  } finally {
    await engine.close();
    guard.release();
  }
}
export {
  run
};
