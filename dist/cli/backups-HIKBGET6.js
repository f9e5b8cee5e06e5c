import {
  LAST_BACKUP_XATTR,
  cleanupBackups,
  diagnoseBackups,
  parseBackupInterval
} from "./chunk-WJYEZYAS.js";
import {
  BACKUP_PREFIX,
  backupTimeline,
  listBackups
} from "./chunk-7NXSN43M.js";
import {
  STORAGE_FLAGS,
  STORAGE_HELP,
  storageOverrides
} from "./chunk-YASBIB2U.js";
import {
  openVolumeStore
} from "./chunk-3B24ZKOH.js";
import "./chunk-MRG4XAQF.js";
import "./chunk-42XKLXRA.js";
import "./chunk-FY4XRHOE.js";
import "./chunk-6VX6LUXZ.js";
import {
  CliError,
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
  formatBytes
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import {
  ROOT_INODE
} from "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// cli/backups.ts
var HELP = `usage: jfsmeta backups [options] META-URL

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
function row(b) {
  const time = b.time ? b.time.toISOString().replace(".000Z", "Z") : "-";
  const later = b.fate === "kept" ? b.deleteAt ? `until ~${b.deleteAt.toISOString().slice(0, 10)}` : "kept" : b.fate;
  return `${b.name.padEnd(31)} ${time.padEnd(21)} ${formatBytes(b.size).padStart(10)} ${b.kind.padEnd(9)} ${later.padEnd(17)} ${b.reason}`;
}
async function run(args) {
  const parsed = parseCli(
    args,
    {
      now: { type: "string" },
      interval: { type: "string" },
      v13: { type: "boolean" },
      json: { type: "boolean" },
      cleanup: { type: "boolean" },
      "dry-run": { type: "boolean" },
      ...STORAGE_FLAGS
    },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL

${HELP}`);
  if (values["dry-run"] && !values.cleanup) throw new CliError("--dry-run goes with --cleanup");
  const now = values.now ? new Date(values.now) : /* @__PURE__ */ new Date();
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
      process.stderr.write(`kept ${BACKUP_PREFIX}${name}: not a backup name (JuiceFS v1.4 clients would delete it; keep only backups under meta/)
`);
    }
    for (const name of r.deleted) process.stdout.write(`${dryRun ? "would delete" : "deleted"} ${BACKUP_PREFIX}${name}
`);
    for (const e of r.errors) process.stderr.write(`${e}
`);
    process.stderr.write(`${dryRun ? "would delete" : "deleted"} ${r.deleted.length} of ${backups.length} objects under ${store.describe()}${BACKUP_PREFIX}
`);
    return r.errors.length ? 1 : 0;
  }
  const timeline = backupTimeline(backups, now, { version, intervalSeconds: intervalMs / 1e3 });
  const times = backups.map((b) => b.time).filter((t) => t !== null);
  const latest = times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null;
  const health = diagnoseBackups({ now, latest, intervalMs, usedInodes: usedInodes ?? 0n, lastBackup: lastBackup ?? null });
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...timeline, health }, null, 2) + "\n");
    return 0;
  }
  process.stdout.write(`${store.describe()}${BACKUP_PREFIX} at ${now.toISOString()} (retention v${version}; forecast assumes a backup every ${values.interval ?? "1h"})
`);
  process.stdout.write(`${"NAME".padEnd(31)} ${"TIME (UTC)".padEnd(21)} ${"SIZE".padStart(10)} ${"KIND".padEnd(9)} ${"FATE".padEnd(17)} REASON
`);
  for (const b of timeline.items) process.stdout.write(row(b) + "\n");
  const kept = timeline.items.filter((b) => b.fate === "kept").length;
  process.stdout.write(`${timeline.items.length} objects, ${kept} kept by a cleanup at this time
`);
  process.stdout.write(`${health.ok ? "ok" : "WARNING"}: ${health.message}
`);
  return 0;
}
export {
  run
};
