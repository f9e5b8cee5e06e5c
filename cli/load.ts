// jfsmeta load META-URL [FILE]: `juicefs load` of a JSON dump into an empty database.
import { metaUrlAndFile, parseCli, Progress } from "./common";
import { openEngine } from "../lib/engines/open";
import { dumpVersionCheck } from "../lib/engines/dump";
import { loadMeta } from "../lib/engines/load";
import { openDumpInput } from "../lib/dump/input";
import { formatBytes } from "../lib/jfs/format";
import { STORAGE_HELP } from "./storage-flags";
import { openDumpSource, SOURCE_FLAGS, SOURCE_HELP } from "./dump-source";

const HELP = `usage: jfsmeta load [options] META-URL [FILE | s3://BUCKET/KEY | file:///PATH | BACKUP]

Load a JSON metadata dump (from 'juicefs dump', 'jfsmeta dump' or an automatic backup)
into an empty database. Without FILE the dump is read from stdin. gzip input is
recognised by its content. On any error the database is emptied again.

A backup can be read straight from object storage: s3://bucket/key (with the storage
flags below for endpoint and credentials), file:///path, or, with --from-volume, the name
of a backup under that volume's meta/ (or 'latest'). Encrypted backups are decrypted with
--encrypt-rsa-key, or with the source volume's own key.

options:
${SOURCE_HELP}
  --quiet, -q              no progress or summary on stderr
  --help, -h               this help


${STORAGE_HELP}
examples:
  jfsmeta load redis://localhost:6379/1 meta-dump.json
  jfsmeta load redis://localhost:6379/1 dump-2026-11-26-120000.json.gz --encrypt-rsa-key my-private.pem
  jfsmeta load sqlite3://restored.db latest --from-volume redis://localhost:6379/1
  jfsmeta load postgres://pg:5432/jfs s3://bucket/myjfs/meta/dump-2026-11-26-120000.json.gz --storage-endpoint http://127.0.0.1:9000
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCli(
    args,
    {
      ...SOURCE_FLAGS,
      binary: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [url, file] = metaUrlAndFile("load", positionals, values.binary, HELP);
  const source = await openDumpSource(file, values, "jfsmeta load META-URL < dump.json");
  const quiet = !!values.quiet;
  const progress = new Progress(quiet);
  const engine = await openEngine(url);
  try {
    const input = await openDumpInput(source);
    const started = Date.now();
    const result = await loadMeta(engine, input, {
      onProgress: (p) => progress.update(`Loaded entries: ${p.entries} (${formatBytes(p.bytes)} read)`),
    });
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const stored = await engine.readSetting();
    try {
      if (stored) dumpVersionCheck(stored);
    } catch (err) {
      process.stderr.write(`warning: the data is loaded, but ${(err as Error).message}\n`);
    }
    if (result.secretRemoved) {
      process.stderr.write(
        `warning: the dump has no object storage secret key ("removed"); clients cannot mount the volume until you set it with: jfsmeta config --secret-key <SECRET> ${engine.redactedUrl}\n`,
      );
    }
    if (!quiet) {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      progress.done(
        `load metadata from "${file ?? "STDIN"}" succeed: volume ${result.volume}, ${result.inodes} inodes (${result.files} files, ${result.dirs} directories, ${result.trashEntries} trash entries) in ${secs}s`,
      );
    }
    return 0;
  } finally {
    await engine.close();
  }
}
