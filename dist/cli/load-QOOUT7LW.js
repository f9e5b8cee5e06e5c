import {
  loadMeta
} from "./chunk-673Y5BJ2.js";
import {
  SOURCE_FLAGS,
  SOURCE_HELP,
  closeDumpSource,
  openDumpSource
} from "./chunk-AT6GBXYV.js";
import {
  STORAGE_HELP
} from "./chunk-YASBIB2U.js";
import "./chunk-XJ75VFCB.js";
import "./chunk-2HH2CB6Y.js";
import "./chunk-OQKBTTKU.js";
import {
  JUICEFS_CLIENT_VERSION,
  clientVersionProblem
} from "./chunk-MBCI7NWR.js";
import "./chunk-MRG4XAQF.js";
import {
  guardSignals
} from "./chunk-HQ4HO26Q.js";
import {
  dumpVersionCheck
} from "./chunk-42XKLXRA.js";
import "./chunk-2IUHHPSG.js";
import "./chunk-FSMRZZN3.js";
import {
  CliError,
  Progress,
  metaUrlAndFile,
  parseCli
} from "./chunk-S7H772A3.js";
import {
  clearCommand
} from "./chunk-YBUR6YUE.js";
import "./chunk-PWJI7R5M.js";
import {
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import "./chunk-HSLINTMN.js";
import {
  openDumpInput
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-SRWFOR7S.js";
import "./chunk-T4KSQL2Z.js";
import "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// cli/load.ts
var HELP = `usage: jfsmeta load [options] META-URL [FILE | s3://BUCKET/KEY | file:///PATH | BACKUP]
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
async function run(argv) {
  const args = argv.flatMap(
    (a, i) => a === "--offset" && /^-\d+$/.test(argv[i + 1] ?? "") ? [] : i > 0 && argv[i - 1] === "--offset" && /^-\d+$/.test(a) ? [`--offset=${a}`] : [a]
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
      quiet: { type: "boolean", short: "q" }
    },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (values["clear-interrupted"]) {
    if (positionals.length !== 1) throw new CliError(`--clear-interrupted takes the META-URL only

${HELP}`);
    const [url2] = metaUrlAndFile("load", positionals, HELP);
    return clearInterrupted(url2);
  }
  if (values.stat) return stat(values, positionals);
  if (values.offset !== void 0) throw new CliError("--offset works with --stat only");
  const [url, file] = metaUrlAndFile("load", positionals, HELP);
  const source = await openDumpSource(file, values, "jfsmeta load META-URL < dump.json");
  const quiet = !!values.quiet;
  const progress = new Progress(quiet);
  const engine = await openEngine(url);
  const guard = guardSignals("load", () => `what this load wrote may be left in ${engine.redactedUrl}; remove it with: ${clearCommand(engine.redactedUrl)}`);
  try {
    const input = await openDumpInput(source);
    const started = Date.now();
    let result;
    try {
      result = await loadMeta(engine, input, {
        signal: guard.signal,
        acceptChangedHardLinks: !!values["accept-changed-hardlinks"],
        onProgress: (p) => progress.update(`Loaded entries: ${p.entries} (${formatBytes(p.bytes)} read)`)
      });
    } catch (err) {
      if (!guard.received) throw err;
      progress.done(`jfsmeta load: stopped by ${guard.received}: ${err.message}`);
      return guard.exitCode;
    }
    if (guard.received) {
      process.stderr.write(`jfsmeta load: ${guard.received} came after the load had committed: the volume is loaded in full
`);
    }
    for (const w of result.warnings) process.stderr.write(`warning: ${w}
`);
    const stored = await engine.readSetting();
    try {
      if (stored) dumpVersionCheck(stored);
    } catch (err) {
      process.stderr.write(`warning: the data is loaded, but ${err.message}
`);
    }
    const versionProblem = stored ? clientVersionProblem(stored) : null;
    if (versionProblem) {
      process.stderr.write(
        `warning: the data is loaded, but JuiceFS ${JUICEFS_CLIENT_VERSION} clients cannot mount this volume: ${versionProblem}${versionProblem.includes("maximum") ? ` (raise it with: jfsmeta config --max-client-version VERSION ${engine.redactedUrl})` : ""}
`
      );
    }
    if (result.secretRemoved) {
      process.stderr.write(
        `warning: the dump has no object storage secret key ("removed"); clients cannot mount the volume until you set it with: jfsmeta config --secret-key <SECRET> ${engine.redactedUrl}
`
      );
    }
    if (values.binary && result.format === "json") process.stderr.write(`note: ${file ?? "STDIN"} is a JSON dump, not binary: it was loaded as JSON
`);
    if (!quiet) {
      const secs = ((Date.now() - started) / 1e3).toFixed(1);
      progress.done(
        `load metadata from "${file ?? "STDIN"}" succeed: ${result.format} dump, volume ${result.volume}, ${result.inodes} inodes (${result.files} files, ${result.dirs} directories, ${result.trashEntries} trash entries) in ${secs}s`
      );
    }
    return 0;
  } finally {
    closeDumpSource(source);
    await engine.close();
    guard.release();
  }
}
async function clearInterrupted(url) {
  const engine = await openEngine(url);
  try {
    const result = await engine.clearInterruptedLoad();
    process.stderr.write(`${result.message}
`);
    return 0;
  } finally {
    await engine.close();
  }
}
async function stat(values, positionals) {
  if (!values.binary) throw new CliError("--stat needs --binary (it reads a binary dump's footer)");
  if (positionals.length !== 1) throw new CliError("--stat takes one argument, the dump FILE: jfsmeta load FILE --binary --stat");
  const file = positionals[0];
  let offset;
  if (values.offset !== void 0) {
    offset = Number(values.offset);
    if (!Number.isSafeInteger(offset) || offset < -1) throw new CliError(`--offset must be -1 or a byte offset, got "${values.offset}"`);
  }
  const stat2 = await import("./stat-L5WRPPW6.js");
  const { detectDumpFormat } = await import("./input-GZKVTBMO.js");
  const plainFile = !values["encrypt-rsa-key"] && !values["from-volume"] && !/^(s3|file):\/\//.test(file) && await stat2.isPlainBinaryFile(file);
  const streamOf = async () => {
    const d = await detectDumpFormat(await openDumpInput(await openDumpSource(file, values, "")));
    if (d.format !== "binary") {
      d.input.destroy();
      throw new CliError(`${file} is a JSON dump, not a binary one: --stat reads binary dumps`);
    }
    return d.input;
  };
  if (offset === void 0 || offset === -1) {
    const footer = plainFile ? await stat2.readFooterOfFile(file) : await stat2.readFooterOfStream(await streamOf());
    process.stdout.write(stat2.formatFooter(footer, offset === -1));
  } else {
    const seg = plainFile ? await stat2.readSegmentAt({ file }, offset) : await stat2.readSegmentAt({ stream: await streamOf() }, offset);
    process.stdout.write(stat2.formatSegment(seg.type, seg.payload));
  }
  return 0;
}
export {
  run
};
