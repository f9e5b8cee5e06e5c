// jfsmeta dump META-URL [FILE]: the JSON dump of `juicefs dump`, byte for byte, or its binary
// format (--binary).
//
// Only what runs before the database is first asked is imported up here; the dump's own modules
// (the walk, the writers, zod, protobuf, compression) are imported in run(): a binary dump of one
// Redis server asks for the server's snapshot first (prefetchFlatScan), and the server's child
// streams while they load (measured at 1M files: SYNC sent 0.3 s sooner).
import { existsSync } from "node:fs";
import path from "node:path";
import { CliError, metaUrlAndFile, parseCli, Progress } from "./common";
import { formatIssues } from "../lib/jfs/format";
import { openEngine, prefetchFlatScan } from "../lib/engines/open";
import { logIgnored } from "../lib/jfs/errors";
import { guardSignals } from "./signals";
import type { Writable } from "node:stream";
import type { TreeWriter } from "../lib/dump/types";

const HELP = `usage: jfsmeta dump [options] META-URL [FILE]

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

export async function run(args: string[]): Promise<number> {
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
      quiet: { type: "boolean", short: "q" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [url, file] = metaUrlAndFile("dump", positionals, HELP);
  const binary = !!values.binary;
  if (binary && values.subdir !== undefined) {
    throw new CliError("--subdir cannot be used with --binary: a binary dump holds the whole volume (JuiceFS ignores --subdir there); dump the subdirectory as JSON");
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && Number.isInteger(threads) && threads <= 0) process.stderr.write(`Invalid threads number ${threads}, reset to 1\n`);
  // A binary dump of the whole volume reads it by a flat scan (not with --skip-trash, which walks
  // the tree; not with --consistent, whose scan reads a private replica), and so does a JSON dump
  // of the whole volume, not paced, where the engine orders the tree itself (Redis: from its snapshot): the
  // snapshot is asked for now, and SYNC goes out once the options are known good (their schema
  // loads meanwhile), never for a FILE whose directory is missing (that error comes below): a
  // typo costs the server no fork.
  const checked = import("../lib/engines/dump-options").then(({ DumpOptionsSchema }) =>
    DumpOptionsSchema.safeParse({
      subdir: values.subdir,
      keepSecretKey: !!values["keep-secret-key"],
      skipTrash: !!values["skip-trash"],
      threads,
      consistent: !!values.consistent,
      maxOps: values["max-ops"] === undefined ? undefined : Number(values["max-ops"]),
      maxLatencyMs: values["max-latency"] === undefined ? undefined : Number(values["max-latency"]),
    }),
  );
  const paced = values["max-ops"] !== undefined || values["max-latency"] !== undefined;
  const flatScan = binary ? !values["skip-trash"] : values.subdir === undefined && !paced && process.env.JFSMETA_STAGED_WALK !== "0";
  const early = flatScan && !values.consistent && (file === undefined || existsSync(path.dirname(path.resolve(file))));
  // Only the numbers can be wrong (with --binary, --subdir is refused above; without it, it
  // leaves the snapshot unasked); without them SYNC need not wait for the schema to load (40-60 ms).
  const checkFirst = paced || values.threads !== undefined;
  const beforeSync = checkFirst ? checked.then((r) => r.success, () => false) : undefined;
  const prefetched = early ? await prefetchFlatScan(url, { beforeSync, purpose: binary ? "binary" : "json" }) : null;
  let options, modules;
  try {
    options = await checked;
    if (!options.success) throw new CliError(`invalid option: ${formatIssues(options.error)}`);
    modules = await dumpModules(binary);
  } catch (err) {
    prefetched?.close();
    throw err;
  }
  const { dumpMeta, newWriter, openDumpOutput, PhaseMeter, dumpProgressLine } = modules;
  const quiet = !!values.quiet;
  const progress = new Progress(quiet);
  const engine = await openEngine(url, { prefetched }); // closes `prefetched` if it fails, else with the engine
  const tmp = file === undefined ? null : `${file}.tmp`;
  const guard = guardSignals("dump", () => (tmp ? `remove ${tmp} by hand` : "the output is incomplete"));
  try {
    const output = await openDumpOutput(file);
    const started = Date.now();
    let result;
    try {
      const writer = newWriter(output.stream);
      const meter = new PhaseMeter();
      result = await dumpMeta(engine, writer, {
        ...options.data,
        signal: guard.signal,
        onProgress: (p) => progress.update(dumpProgressLine(p, meter)),
      });
      if (guard.received) throw new Error("dump cancelled");
      await output.commit();
    } catch (err) {
      const removed = await output.abort().then(
        () => true,
        (abortErr) => (logIgnored("removing the unfinished output file", abortErr), false),
      );
      if (!guard.received) throw err;
      const what = tmp ? (removed ? `${tmp} was removed, ${file} was not written` : `${tmp} could not be removed: delete it by hand`) : "the dump on stdout is incomplete";
      progress.done(`jfsmeta dump: stopped by ${guard.received}: ${what}`);
      return guard.exitCode;
    }
    if (!quiet) {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
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

/** The dump's modules (the writer of the format asked for), loaded once the database has been asked what it can start early. */
async function dumpModules(binary: boolean) {
  const [dump, output, meter, newWriter] = await Promise.all([
    import("../lib/engines/dump"),
    import("../lib/dump/output"),
    import("./progress-meter"),
    binary
      ? import("../lib/dump/binary/writer").then(({ BinaryDumpWriter }) => (out: Writable): TreeWriter => new BinaryDumpWriter(out))
      : import("../lib/dump/writer").then(({ JsonDumpWriter }) => (out: Writable): TreeWriter => new JsonDumpWriter(out)),
  ]);
  return { dumpMeta: dump.dumpMeta, openDumpOutput: output.openDumpOutput, newWriter, PhaseMeter: meter.PhaseMeter, dumpProgressLine: meter.dumpProgressLine };
}
