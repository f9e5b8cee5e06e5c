// jfsmeta load META-URL [FILE]: `juicefs load` of a JSON or binary dump into an empty
// database; `jfsmeta load FILE --binary --stat [--offset N]` shows a binary dump's segments.
import { CliError, metaUrlAndFile, parseCli, Progress } from "./common";
import { openEngine } from "../lib/engines/open";
import { dumpVersionCheck } from "../lib/engines/dump";
import { loadMeta } from "../lib/engines/load";
import { clientVersionProblem, JUICEFS_CLIENT_VERSION } from "../lib/jfs/version";
import { openDumpInput } from "../lib/dump/input";
import { STORAGE_HELP } from "./storage-flags";
import { closeDumpSource, openDumpSource, SOURCE_FLAGS, SOURCE_HELP } from "./dump-source";
import { clearCommand } from "../lib/engines/load-claim";
import { loadProgressLine, PhaseMeter } from "./progress-meter";
import { guardSignals } from "./signals";

const HELP = `usage: jfsmeta load [options] META-URL [FILE | s3://BUCKET/KEY | file:///PATH | BACKUP]
       jfsmeta load FILE --binary --stat [--offset N]
       jfsmeta load --clear-interrupted META-URL

Load a metadata dump (from 'juicefs dump', 'jfsmeta dump' or an automatic backup) into
an empty database. Without FILE the dump is read from stdin. JSON and binary dumps, gzip
and zstd are all recognised by their content (--binary is accepted, not needed). On any
error, and on Ctrl-C, SIGTERM or SIGHUP, the database is emptied again (exit 130, 143,
129). Only one load may run into a database at a time.

A load killed outright (kill -9, a crash, a power cut) on Redis or MySQL/MariaDB leaves
what it wrote; the next load or dump says so. --clear-interrupted removes exactly that,
and never a volume. (SQLite and PostgreSQL roll such a load back by themselves.)

A backup can be read straight from object storage: s3://bucket/key (with the storage
flags below for endpoint and credentials), file:///path, or, with --from-volume, the name
of a backup under that volume's meta/ (or 'latest'). Encrypted backups are decrypted with
--encrypt-rsa-key, or with the source volume's own key.

options:
${SOURCE_HELP}
  --binary                 accepted for compatibility: the format is told by content
  --stat                   with --binary and only FILE: print the binary dump's segment
                           table (its footer) instead of loading
  --offset N               with --stat: -1 adds the segments' offsets; N prints the
                           segment that starts at byte N
  --threads N              accepted for compatibility (JuiceFS's binary load threads)
  --clear-interrupted      remove what an interrupted load left in META-URL, then exit
  --accept-changed-hardlinks
                           load a dump of a volume in use whose hard-linked files changed
                           between their reads: the first occurrence is kept, as in
                           JuiceFS (refused by default: corruption looks the same)
  --quiet, -q              no progress or summary on stderr
  --help, -h               this help


${STORAGE_HELP}
examples:
  jfsmeta load redis://localhost:6379/1 meta-dump.json
  jfsmeta load redis://localhost:6379/1 dump-2026-11-26-120000.json.gz --encrypt-rsa-key my-private.pem
  jfsmeta load sqlite3://restored.db latest --from-volume redis://localhost:6379/1
  jfsmeta load postgres://pg:5432/jfs s3://bucket/myjfs/meta/dump-2026-11-26-120000.json.gz --storage-endpoint http://127.0.0.1:9000
`;

export async function run(argv: string[]): Promise<number> {
  // JuiceFS's `--offset -1`: a negative value that parseArgs would take for a flag.
  const args = argv.flatMap((a, i) =>
    a === "--offset" && /^-\d+$/.test(argv[i + 1] ?? "") ? [] : i > 0 && argv[i - 1] === "--offset" && /^-\d+$/.test(a) ? [`--offset=${a}`] : [a],
  );
  const parsed = parseCli(
    args,
    {
      ...SOURCE_FLAGS,
      "clear-interrupted": { type: "boolean" },
      "accept-changed-hardlinks": { type: "boolean" },
      binary: { type: "boolean" },
      stat: { type: "boolean" },
      offset: { type: "string" },
      threads: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (values["clear-interrupted"]) {
    if (positionals.length !== 1) throw new CliError(`--clear-interrupted takes the META-URL only\n\n${HELP}`);
    const [url] = metaUrlAndFile("load", positionals, HELP);
    return clearInterrupted(url);
  }
  if (values.stat) return stat(values, positionals);
  if (values.offset !== undefined) throw new CliError("--offset works with --stat only");
  const [url, file] = metaUrlAndFile("load", positionals, HELP);
  const source = await openDumpSource(file, values, "jfsmeta load META-URL < dump.json");
  const quiet = !!values.quiet;
  const progress = new Progress(quiet);
  const engine = await openEngine(url);
  // From here on a signal stops the load and empties the database before exiting.
  const guard = guardSignals("load", () => `what this load wrote may be left in ${engine.redactedUrl}; remove it with: ${clearCommand(engine.redactedUrl)}`);
  try {
    const input = await openDumpInput(source);
    const meter = new PhaseMeter();
    const started = Date.now();
    let result;
    try {
      result = await loadMeta(engine, input, {
        signal: guard.signal,
        acceptChangedHardLinks: !!values["accept-changed-hardlinks"],
        onProgress: (p) => progress.update(loadProgressLine(p, meter)),
      });
    } catch (err) {
      if (!guard.received) throw err;
      progress.done(`jfsmeta load: stopped by ${guard.received}: ${(err as Error).message}`);
      return guard.exitCode;
    }
    if (guard.received) {
      process.stderr.write(`jfsmeta load: ${guard.received} came after the load had committed: the volume is loaded in full\n`);
    }
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const stored = await engine.readSetting();
    try {
      if (stored) dumpVersionCheck(stored);
    } catch (err) {
      process.stderr.write(`warning: the data is loaded, but ${(err as Error).message}\n`);
    }
    // JuiceFS's load exits 1 here (the data stays loaded); the load is complete, so jfsmeta says
    // which clients are shut out and exits 0 (docs/compatibility.md).
    const versionProblem = stored ? clientVersionProblem(stored) : null;
    if (versionProblem) {
      process.stderr.write(
        `warning: the data is loaded, but JuiceFS ${JUICEFS_CLIENT_VERSION} clients cannot mount this volume: ${versionProblem}${versionProblem.includes("maximum") ? ` (raise it with: jfsmeta config --max-client-version VERSION ${engine.redactedUrl})` : ""}\n`,
      );
    }
    if (result.secretRemoved) {
      process.stderr.write(
        `warning: the dump has no object storage secret key ("removed"); clients cannot mount the volume until you set it with: jfsmeta config --secret-key <SECRET> ${engine.redactedUrl}\n`,
      );
    }
    if (values.binary && result.format === "json") process.stderr.write(`note: ${file ?? "STDIN"} is a JSON dump, not binary: it was loaded as JSON\n`);
    if (!quiet) {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      progress.done(
        `load metadata from "${file ?? "STDIN"}" succeed: ${result.format} dump, volume ${result.volume}, ${result.inodes} inodes (${result.files} files, ${result.dirs} directories, ${result.trashEntries} trash entries) in ${secs}s`,
      );
    }
    return 0;
  } finally {
    closeDumpSource(source);
    await engine.close();
    guard.release();
  }
}

async function clearInterrupted(url: string): Promise<number> {
  const engine = await openEngine(url);
  try {
    const result = await engine.clearInterruptedLoad();
    process.stderr.write(`${result.message}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

/** `load FILE --binary --stat [--offset N]`: the footer's table, or one segment. */
async function stat(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (!values.binary) throw new CliError("--stat needs --binary (it reads a binary dump's footer)");
  if (positionals.length !== 1) throw new CliError("--stat takes one argument, the dump FILE: jfsmeta load FILE --binary --stat");
  const file = positionals[0];
  let offset: number | undefined;
  if (values.offset !== undefined) {
    offset = Number(values.offset);
    if (!Number.isSafeInteger(offset) || offset < -1) throw new CliError(`--offset must be -1 or a byte offset, got "${values.offset}"`);
  }
  const stat = await import("../lib/dump/binary/stat");
  const { detectDumpFormat } = await import("../lib/dump/input");
  // A plain local file is read where needed, as JuiceFS does; anything else is read forward
  // as it is decompressed or decrypted.
  const plainFile = !values["encrypt-rsa-key"] && !values["from-volume"] && !/^(s3|file):\/\//.test(file) && (await stat.isPlainBinaryFile(file));
  const streamOf = async () => {
    const d = await detectDumpFormat(await openDumpInput(await openDumpSource(file, values, "")));
    if (d.format !== "binary") {
      d.input.destroy();
      throw new CliError(`${file} is a JSON dump, not a binary one: --stat reads binary dumps`);
    }
    return d.input;
  };
  if (offset === undefined || offset === -1) {
    const footer = plainFile ? await stat.readFooterOfFile(file) : await stat.readFooterOfStream(await streamOf());
    process.stdout.write(stat.formatFooter(footer, offset === -1));
  } else {
    const seg = plainFile ? await stat.readSegmentAt({ file }, offset) : await stat.readSegmentAt({ stream: await streamOf() }, offset);
    process.stdout.write(stat.formatSegment(seg.type, seg.payload));
  }
  return 0;
}
