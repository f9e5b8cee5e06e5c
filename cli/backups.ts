// jfsmeta backups META-URL: the volume's backups with each one's retention fate.
import { CliError, parseCli } from "./common";
import { STORAGE_FLAGS, STORAGE_HELP, storageOverrides } from "./storage-flags";
import { openEngine, redactUrl } from "../lib/engines/open";
import { cleanupBackups, diagnoseBackups, LAST_BACKUP_XATTR, parseBackupInterval } from "../lib/storage/autobackup";
import { formatBytes } from "../lib/jfs/format";
import { ROOT_INODE } from "../lib/jfs/types";
import { BACKUP_PREFIX, backupTimeline, listBackups, type BackupTimelineItem } from "../lib/storage/backups";
import { openVolumeStore } from "../lib/storage/volume";

const HELP = `usage: jfsmeta backups [options] META-URL

List the backups under <volume>/meta/ in the volume's object storage: time (UTC, from
the name), size, kind (gzip, encrypted, json, zstd, binary), and what JuiceFS's
retention does with each one at NOW (kept / deleted, and why), with the date a later
cleanup will delete it if backups go on every --interval (an estimate).

options:
  --now ISO-TIME       evaluate retention at this instant (default: now)
  --interval DURATION  assumed backup cadence for the forecast (default 1h)
  --v13                use JuiceFS v1.3 retention (no 2-year limit)
  --json               print the listing as JSON
  --cleanup            delete what retention deletes at NOW (as a client does after a backup)
  --dry-run            with --cleanup: only print what would be deleted
  --help, -h           this help

${STORAGE_HELP}`;

function row(b: BackupTimelineItem): string {
  const time = b.time ? b.time.toISOString().replace(".000Z", "Z") : "-";
  const later = b.fate === "kept" ? (b.deleteAt ? `until ~${b.deleteAt.toISOString().slice(0, 10)}` : "kept") : b.fate;
  return `${b.name.padEnd(31)} ${time.padEnd(21)} ${formatBytes(b.size).padStart(10)} ${b.kind.padEnd(9)} ${later.padEnd(17)} ${b.reason}`;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCli(
    args,
    {
      now: { type: "string" },
      interval: { type: "string" },
      v13: { type: "boolean" },
      json: { type: "boolean" },
      cleanup: { type: "boolean" },
      "dry-run": { type: "boolean" },
      ...STORAGE_FLAGS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL\n\n${HELP}`);
  if (values["dry-run"] && !values.cleanup) throw new CliError("--dry-run goes with --cleanup");
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new CliError(`--now "${values.now}" is not a time: use ISO 8601, e.g. 2026-11-26T12:00:00Z`);
  const intervalMs = parseBackupInterval(values.interval ?? "1h");
  if (intervalMs <= 0) throw new CliError(`invalid --interval "${values.interval}"`);
  const version = values.v13 ? "1.3" : "1.4";
  const [url] = positionals;
  process.title = `jfsmeta backups ${redactUrl(url)}`;

  const engine = await openEngine(url);
  let setting, usedInodes, lastBackup;
  try {
    setting = await engine.readSetting();
    if (setting) {
      usedInodes = (await engine.usage()).usedInodes;
      lastBackup = await engine.getXattr(ROOT_INODE, LAST_BACKUP_XATTR);
    }
  } finally {
    await engine.close();
  }
  if (!setting) throw new CliError(`no JuiceFS volume in ${redactUrl(url)}: the database holds no setting`, "not-found");
  const { store } = openVolumeStore(setting, storageOverrides(values));
  const backups = await listBackups(store);

  if (values.cleanup) {
    const dryRun = !!values["dry-run"];
    const r = await cleanupBackups(store, now, { version, dryRun, names: backups.map((b) => b.name) });
    for (const name of r.spared) {
      process.stderr.write(`kept ${BACKUP_PREFIX}${name}: not a backup name (JuiceFS v1.4 clients would delete it; keep only backups under meta/)\n`);
    }
    for (const name of r.deleted) process.stdout.write(`${dryRun ? "would delete" : "deleted"} ${BACKUP_PREFIX}${name}\n`);
    for (const e of r.errors) process.stderr.write(`${e}\n`);
    process.stderr.write(`${dryRun ? "would delete" : "deleted"} ${r.deleted.length} of ${backups.length} objects under ${store.describe()}${BACKUP_PREFIX}\n`);
    return r.errors.length ? 1 : 0;
  }

  const timeline = backupTimeline(backups, now, { version, intervalSeconds: intervalMs / 1000 });
  const times = backups.map((b) => b.time).filter((t): t is Date => t !== null);
  const latest = times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null;
  const health = diagnoseBackups({ now, latest, intervalMs, usedInodes: usedInodes ?? 0n, lastBackup: lastBackup ?? null });
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...timeline, health }, null, 2) + "\n");
    return 0;
  }
  process.stdout.write(`${store.describe()}${BACKUP_PREFIX} at ${now.toISOString()} (retention v${version}; forecast assumes a backup every ${values.interval ?? "1h"})\n`);
  process.stdout.write(`${"NAME".padEnd(31)} ${"TIME (UTC)".padEnd(21)} ${"SIZE".padStart(10)} ${"KIND".padEnd(9)} ${"FATE".padEnd(17)} REASON\n`);
  for (const b of timeline.items) process.stdout.write(row(b) + "\n");
  const kept = timeline.items.filter((b) => b.fate === "kept").length;
  process.stdout.write(`${timeline.items.length} objects, ${kept} kept by a cleanup at this time\n`);
  process.stdout.write(`${health.ok ? "ok" : "WARNING"}: ${health.message}\n`);
  return 0;
}
