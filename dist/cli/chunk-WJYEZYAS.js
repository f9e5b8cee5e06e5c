import {
  BACKUP_PREFIX,
  backupName,
  cleanupPlan,
  listBackups
} from "./chunk-7NXSN43M.js";
import {
  decryptSetting,
  openVolumeStore
} from "./chunk-3B24ZKOH.js";
import {
  createEncryptStream,
  envelopeAlgo,
  loadRsaPrivateKey
} from "./chunk-MRG4XAQF.js";
import {
  dumpMeta
} from "./chunk-42XKLXRA.js";
import {
  JsonDumpWriter
} from "./chunk-FY4XRHOE.js";
import {
  ROOT_INODE
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/storage/autobackup.ts
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGzip } from "node:zlib";
import { z } from "zod";
var LAST_BACKUP_XATTR = "lastBackup";
var MIN_INTERVAL_MS = 5 * 60 * 1e3;
var HOUR_MS = 3600 * 1e3;
var INODE_LIMIT = 1e6;
var FAST_MODE_LIMIT = 1e5;
var UNIT_MS = { ns: 1e-6, us: 1e-3, "\xB5s": 1e-3, "\u03BCs": 1e-3, ms: 1, s: 1e3, m: 6e4, h: HOUR_MS };
function parseGoDuration(s) {
  if (s === "0") return 0;
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m) return null;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += parseFloat(part[1]) * UNIT_MS[part[2]];
  return m[1] === "-" ? -total : total;
}
function readBackupInterval(value) {
  const v = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Math.trunc(parseFloat(v) * 1e3);
  const m = /^(\d+\.?\d*|\.\d+)d(.*)$/.exec(v);
  let days = 0;
  let rest = v;
  if (m) {
    days = Math.trunc(parseFloat(m[1]) * 24) * HOUR_MS;
    rest = m[2];
  }
  if (rest === "") return m ? days : null;
  const d = parseGoDuration(rest);
  return d === null ? null : days + d;
}
function parseBackupInterval(value) {
  return readBackupInterval(value) ?? 0;
}
function checkBackupInterval(ms, env = process.env) {
  if (ms > 0 && ms < MIN_INTERVAL_MS && env.SKIP_BACKUP_META_CHECK !== "true") {
    throw new JfsError("usage", `backup interval ${formatGoDuration(ms)} is below the 5-minute minimum; use a longer --interval or set SKIP_BACKUP_META_CHECK=true`);
  }
}
function formatGoDuration(ms) {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / 6e4);
  rest -= m * 6e4;
  const secs = rest / 1e3;
  let out;
  if (h === 0 && m === 0 && secs < 1) out = `${rest}ms`;
  else out = `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${String(Number(secs.toFixed(3)))}s`;
  return (neg ? "-" : "") + out;
}
function parseLastBackup(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] ? Math.floor(parseFloat(m[7]) * 1e3) : 0;
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const t = /* @__PURE__ */ new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, frac);
  return new Date(t.getTime() - offsetMin * 6e4);
}
function formatLastBackup(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
function decideBackup(input) {
  const raw = input.lastBackup === null ? "" : input.lastBackup.toString();
  if (raw !== "") {
    const last = parseLastBackup(raw);
    if (!last) {
      return {
        action: "blocked",
        reason: "bad-lastBackup",
        message: `the lastBackup attribute of inode 1 holds "${raw}", which is not an RFC3339 time; JuiceFS clients stop all automatic backups until it is fixed: remove it (e.g. \`setfattr -x lastBackup <mountpoint>\`) or run \`jfsmeta backup --force\``
      };
    }
    const elapsed = input.now.getTime() - last.getTime();
    if (elapsed < input.intervalMs) return { action: "wait", last, due: new Date(last.getTime() + input.intervalMs) };
  }
  const iused = BigInt(input.usedInodes);
  if (input.intervalMs <= HOUR_MS && iused > BigInt(INODE_LIMIT)) {
    return {
      action: "skip",
      reason: "too-many-inodes",
      message: `backup metadata skipped because of too many inodes: ${iused} ${formatGoDuration(input.intervalMs)}; JuiceFS clients skip volumes over 1,000,000 inodes when the interval is 1h or less: use a longer interval (e.g. --interval 2h, and \`--backup-meta 2h\` on mounts)`
    };
  }
  return { action: "backup", fast: iused < BigInt(FAST_MODE_LIMIT) };
}
var BackupResultSchema = z.object({
  status: z.enum(["done", "not-due", "failed"]),
  /** Why a cycle did not back up or failed: "too-many-inodes", "bad-lastBackup", "lost-race", "error". */
  reason: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.date(),
  /** When the next backup is due (not-due). */
  due: z.date().optional(),
  name: z.string().optional(),
  /** Where the backup went (no secrets), e.g. s3://…/myjfs/meta/dump-….json.gz */
  location: z.string().optional(),
  size: z.number().optional(),
  encrypted: z.boolean().optional(),
  entries: z.number().optional(),
  usedInodes: z.number().optional(),
  fastMode: z.boolean().optional(),
  /**
   * When the backup read one moment of the database (a consistent dump): that moment. Kept
   * here and in the dashboard's record, not in the dump, whose header JuiceFS reads strictly.
   */
  snapshotAt: z.date().optional(),
  durationMs: z.number(),
  /** Cleanup after success: what retention deleted, and any failures (never fatal). */
  cleanup: z.object({
    /** In the order JuiceFS deletes them; in a dry run, what would be deleted. */
    deleted: z.array(z.string()),
    /** Not backup names, which JuiceFS v1.4 would delete too (docs/format/backups.md §2.1); left alone. */
    spared: z.array(z.string()),
    errors: z.array(z.string())
  }).optional()
});
var DEFAULT_BACKUP_MAX_LATENCY_MS = 250;
async function runBackupCycle(engine, opts = {}) {
  const now = (opts.now ?? (() => /* @__PURE__ */ new Date()))();
  const t0 = Date.now();
  const intervalMs = opts.intervalMs ?? HOUR_MS;
  const failed = (reason, message, extra = {}) => ({
    status: "failed",
    reason,
    message,
    startedAt: now,
    durationMs: Date.now() - t0,
    ...extra
  });
  try {
    const stored = await engine.readSetting();
    if (!stored) return failed("error", `no JuiceFS volume in ${engine.redactedUrl}: the database holds no setting`);
    const last = await engine.getXattr(ROOT_INODE, LAST_BACKUP_XATTR);
    const { usedInodes } = await engine.usage();
    const decision = opts.force ? decideBackup({ now, lastBackup: null, intervalMs: Number.POSITIVE_INFINITY, usedInodes }) : decideBackup({ now, lastBackup: last, intervalMs, usedInodes });
    if (decision.action === "wait") {
      return { status: "not-due", reason: "not-due", startedAt: now, due: decision.due, durationMs: Date.now() - t0, usedInodes: Number(usedInodes) };
    }
    if (decision.action !== "backup") return failed(decision.reason, decision.message, { usedInodes: Number(usedInodes) });
    const store = opts.store ?? openVolumeStore(stored, opts.storage).store;
    const { setting: clear, removed } = decryptSetting(stored);
    if (removed.includes("EncryptKey")) {
      return failed("error", "the volume's EncryptKey was removed (the setting came from a binary dump): restore the setting from a JSON dump, which keeps the key");
    }
    const encryptKey = clear.EncryptKey ? loadRsaPrivateKey(clear.EncryptKey) : null;
    const algo = encryptKey ? envelopeAlgo(clear.EncryptAlgo) : void 0;
    const value = Buffer.from(formatLastBackup(now));
    if (!await engine.compareAndSetXattr(ROOT_INODE, LAST_BACKUP_XATTR, last, value)) {
      return { status: "not-due", reason: "lost-race", message: "another process claimed this interval's backup first", startedAt: now, durationMs: Date.now() - t0 };
    }
    const name = backupName(now);
    const key = BACKUP_PREFIX + name;
    const dir = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), "jfsmeta-backup-"));
    const file = path.join(dir, name);
    try {
      const out = createWriteStream(file, { mode: 384 });
      const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
      const written = encryptKey ? pipeline(gzip, createEncryptStream(encryptKey, { algo }), out) : pipeline(gzip, out);
      const writer = new JsonDumpWriter(gzip);
      let dumped;
      try {
        dumped = await dumpMeta(engine, writer, {
          keepSecretKey: false,
          skipTrash: opts.skipTrash,
          threads: 2,
          consistent: opts.consistent ?? !!engine.consistentReadIsCheap,
          ...opts.gentle ?? { maxLatencyMs: DEFAULT_BACKUP_MAX_LATENCY_MS },
          onProgress: (p) => opts.onProgress?.({ phase: "dump", entries: p.entries })
        });
        gzip.end();
        await written;
      } catch (err) {
        gzip.destroy(err);
        await written.catch(() => void 0);
        throw err;
      }
      const size = (await stat(file)).size;
      opts.onProgress?.({ phase: "upload", bytes: size });
      await store.put(key, createReadStream(file), size);
      const uploaded = await store.head(key);
      if (uploaded?.size !== size) {
        throw new JfsError("unreachable", `the upload of ${key} is incomplete: storage holds ${uploaded?.size ?? "no"} bytes of ${size}`);
      }
      opts.onProgress?.({ phase: "cleanup" });
      const cleanup = await cleanupBackups(store, now);
      return {
        status: "done",
        startedAt: now,
        name,
        location: store.describe() + key,
        size,
        encrypted: !!encryptKey,
        entries: dumped.entries,
        usedInodes: Number(usedInodes),
        fastMode: decision.fast,
        snapshotAt: dumped.snapshot?.takenAt,
        durationMs: Date.now() - t0,
        cleanup
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } catch (err) {
    return failed("error", `backup metadata failed: ${err.message}`);
  }
}
async function cleanupBackups(store, now, opts = {}) {
  let names;
  try {
    names = opts.names ?? (await listBackups(store, { sniff: false })).map((b) => b.name);
  } catch (err) {
    return { deleted: [], spared: [], errors: [`list ${BACKUP_PREFIX} failed, no cleanup: ${err.message}`] };
  }
  const deleted = [];
  const errors = [];
  const plan = cleanupPlan(names, now, opts.version);
  for (const name of plan.delete) {
    try {
      if (!opts.dryRun) await store.delete(BACKUP_PREFIX + name);
      deleted.push(name);
    } catch (err) {
      errors.push(`delete ${BACKUP_PREFIX + name}: ${err.message}`);
    }
  }
  return { deleted, spared: plan.spared, errors };
}
async function watchBackups(engine, opts) {
  const intervalMs = opts.intervalMs ?? HOUR_MS;
  while (!opts.signal?.aborted) {
    const pause = intervalMs / 10 * (0.95 + Math.random() * 0.1);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, pause);
      opts.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (opts.signal?.aborted) break;
    const r = await runBackupCycle(engine, opts);
    opts.onResult?.(r);
  }
}
function diagnoseBackups(input) {
  const age = input.latest ? input.now.getTime() - input.latest.getTime() : Number.POSITIVE_INFINITY;
  if (age <= 2 * input.intervalMs) return { ok: true, message: `latest backup ${formatGoDuration(Math.max(0, Math.round(age / 1e3) * 1e3))} ago` };
  const since = input.latest ? `the latest backup is ${formatGoDuration(Math.round(age / 1e3) * 1e3)} old` : "there is no backup";
  const d = decideBackup({ now: input.now, lastBackup: input.lastBackup, intervalMs: input.intervalMs, usedInodes: input.usedInodes });
  if (d.action === "skip" || d.action === "blocked") return { ok: false, message: `${since}: ${d.message}` };
  if (d.action === "wait") {
    return { ok: false, message: `${since}, but lastBackup says one started at ${d.last.toISOString()}: it failed or its upload went elsewhere (check the clients' logs for "backup metadata failed")` };
  }
  return {
    ok: false,
    message: `${since} and one is due: no client seems to run them (read-only mounts, --no-bgjob or --backup-meta 0 disable them); run \`jfsmeta backup --watch\``
  };
}

export {
  LAST_BACKUP_XATTR,
  parseBackupInterval,
  checkBackupInterval,
  DEFAULT_BACKUP_MAX_LATENCY_MS,
  runBackupCycle,
  cleanupBackups,
  watchBackups,
  diagnoseBackups
};
