import {
  DEFAULT_BACKUP_MAX_LATENCY_MS,
  checkBackupInterval,
  parseBackupInterval,
  runBackupCycle,
  watchBackups
} from "./chunk-WJYEZYAS.js";
import "./chunk-7NXSN43M.js";
import {
  STORAGE_FLAGS,
  STORAGE_HELP,
  storageOverrides
} from "./chunk-YASBIB2U.js";
import "./chunk-3B24ZKOH.js";
import "./chunk-MRG4XAQF.js";
import {
  DumpOptionsSchema
} from "./chunk-42XKLXRA.js";
import "./chunk-FY4XRHOE.js";
import "./chunk-6VX6LUXZ.js";
import {
  CliError,
  Progress,
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
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import {
  formatIssues
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// cli/backup.ts
var HELP = `usage: jfsmeta backup [options] META-URL

Run one automatic-backup cycle now, exactly as a JuiceFS client does (the 'lastBackup'
attribute on the root decides whether a backup is due, so jfsmeta and mounted clients
share one schedule), upload meta/dump-YYYY-MM-DD-HHMMSS.json.gz to the volume's object
storage (encrypted on encrypted volumes), then apply JuiceFS's retention.

options:
  --interval DURATION  backup interval, as --backup-meta (default 1h; e.g. 90, 30m, 1d12h)
  --skip-trash         leave the Trash out of the backup
  --watch              keep running: poll every interval/10 like a client
  --force              back up now, even if not due or over the 1M-inode rule
  --consistent         dump one moment of the database (the default on SQL engines,
                       where a snapshot is cheap; on Redis it syncs a private replica)
  --no-consistent      dump the live database, as JuiceFS clients do
  --max-latency MS     slow down while the engine answers slower than MS (default 250)
  --max-ops N          at most N engine queries a second (default: no cap)
  --json               print each result as JSON
  --quiet, -q          no progress on stderr
  --help, -h           this help

${STORAGE_HELP}
A private key protected by a passphrase reads JFS_RSA_PASSPHRASE.

examples:
  jfsmeta backup redis://localhost:6379/1
  JFSMETA_SECRET_KEY=... jfsmeta backup --watch --interval 2h mysql://user:pass@(host:3306)/jfs
`;
function describe(r) {
  switch (r.status) {
    case "done": {
      const c = r.cleanup;
      const cleaned = c ? `; cleanup deleted ${c.deleted.length}${c.errors.length ? `, ${c.errors.length} failed: ${c.errors.join("; ")}` : ""}` : "";
      const consistent = r.snapshotAt ? `, consistent as of ${r.snapshotAt.toISOString()}` : "";
      return `backup metadata succeeded: ${r.location} (${r.size} bytes${r.encrypted ? ", encrypted" : ""}, ${r.entries} entries${consistent}, ${(r.durationMs / 1e3).toFixed(1)}s)${cleaned}`;
    }
    case "not-due":
      return r.reason === "lost-race" ? `no backup: ${r.message}` : `no backup due: the next one is due at ${r.due?.toISOString()}`;
    default:
      return `backup failed (${r.reason}): ${r.message}`;
  }
}
function gentleFlags(latency, ops) {
  if (latency === void 0 && ops === void 0) return void 0;
  const parsed = DumpOptionsSchema.pick({ maxOps: true, maxLatencyMs: true }).safeParse({
    maxLatencyMs: latency === void 0 ? DEFAULT_BACKUP_MAX_LATENCY_MS : Number(latency),
    maxOps: ops === void 0 ? void 0 : Number(ops)
  });
  if (!parsed.success) throw new CliError(`invalid option: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
async function run(args) {
  const parsed = parseCli(
    args,
    {
      interval: { type: "string" },
      "skip-trash": { type: "boolean" },
      watch: { type: "boolean" },
      force: { type: "boolean" },
      consistent: { type: "boolean" },
      "no-consistent": { type: "boolean" },
      "max-latency": { type: "string" },
      "max-ops": { type: "string" },
      json: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      ...STORAGE_FLAGS
    },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL

${HELP}`);
  const [url] = positionals;
  process.title = `jfsmeta backup ${redactUrl(url)}`;
  const intervalMs = parseBackupInterval(values.interval ?? "1h");
  if (intervalMs <= 0) throw new CliError(`invalid --interval "${values.interval}": use e.g. 1h, 30m, 90 (seconds) or 1d12h`);
  try {
    checkBackupInterval(intervalMs);
  } catch (err) {
    throw new CliError(err.message, "usage", { cause: err });
  }
  const progress = new Progress(!!values.quiet);
  const report = (r) => {
    if (values.json) process.stdout.write(JSON.stringify(r) + "\n");
    else progress.done(describe(r));
  };
  const opts = {
    intervalMs,
    skipTrash: !!values["skip-trash"],
    force: !!values.force,
    consistent: values["no-consistent"] ? false : values.consistent ? true : void 0,
    gentle: gentleFlags(values["max-latency"], values["max-ops"]),
    storage: storageOverrides(values),
    onProgress: (p) => progress.update(p.phase === "dump" ? `Dumped entries: ${p.entries}` : p.phase === "upload" ? `Uploading ${p.bytes} bytes` : "Cleaning up")
  };
  const engine = await openEngine(url);
  try {
    if (values.watch) {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        if (values.force) report(await runBackupCycle(engine, opts));
        await watchBackups(engine, { ...opts, force: false, signal: ac.signal, onResult: report });
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
      return 0;
    }
    const r = await runBackupCycle(engine, opts);
    report(r);
    return r.status === "failed" ? 1 : 0;
  } finally {
    await engine.close();
  }
}
export {
  run
};
