import {
  getBytes,
  listAll
} from "./chunk-3B24ZKOH.js";
import {
  isEnvelope
} from "./chunk-MRG4XAQF.js";
import {
  sniffDump
} from "./chunk-ZFPZGAM2.js";

// lib/storage/backups.ts
import { z as z2 } from "zod";

// lib/storage/retention.ts
import { z } from "zod";

// lib/storage/retention-windows.ts
var RECENT_DAYS = 2;
var MAX_AGE_YEARS = 2;
function windowStep(span) {
  return span < 14 ? 1 : span < 60 ? 7 : 30;
}
function windowEdges(maxDays) {
  const edges = [];
  for (let span = RECENT_DAYS + windowStep(RECENT_DAYS); span <= maxDays; span += windowStep(span)) edges.push(span);
  return edges;
}
var DAILY_UNTIL_DAYS = windowEdges(60).find((d) => windowStep(d) === 7);
var WEEKLY_UNTIL_DAYS = windowEdges(365).find((d) => windowStep(d) === 30);

// lib/storage/retention.ts
var DAY_MS = 24 * 3600 * 1e3;
var BACKUP_NAME_LENGTH = 30;
var RetentionWindowSchema = z.object({
  kind: z.enum(["recent", "daily", "weekly", "monthly", "expired"]),
  /** Age bounds in days: (fromDays, toDays]; for "recent" [0, 2]; for "expired" toDays is null. */
  fromDays: z.number(),
  toDays: z.number().nullable()
});
var RotateDecisionSchema = z.object({
  key: z.string(),
  /** The UTC instant in the name, when the name is a valid backup name. */
  time: z.date().nullable(),
  fate: z.enum(["kept", "deleted", "ignored"]),
  window: RetentionWindowSchema.nullable(),
  reason: z.string()
});
function compareBytes(a, b) {
  return Buffer.compare(a.bytes, b.bytes);
}
function parseBackupTime(name) {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length !== BACKUP_NAME_LENGTH) return null;
  const ts = parseStamp(bytes.subarray(5, 22).toString("latin1"));
  return ts === null ? null : new Date(ts);
}
function parseStamp(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  const t = /* @__PURE__ */ new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, se, 0);
  return t.getTime();
}
function parseKey(key) {
  const bytes = Buffer.from(key, "utf8");
  if (bytes.length !== BACKUP_NAME_LENGTH) {
    return { key, bytes, ts: null, invalid: `not a backup name: ${bytes.length} bytes long, backups are ${BACKUP_NAME_LENGTH}` };
  }
  const ts = parseStamp(bytes.subarray(5, 22).toString("latin1"));
  if (ts === null) return { key, bytes, ts: null, invalid: "not a backup name: no valid YYYY-MM-DD-HHMMSS timestamp at bytes 5\u201321" };
  return { key, bytes, ts };
}
function backupStamp(start) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const d = start;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
function backupName(start) {
  return `dump-${backupStamp(start)}.json.gz`;
}
function twoYearsBefore(now) {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - MAX_AGE_YEARS);
  return d.getTime();
}
function rotateSorted(sorted, now, version, explain = true) {
  const placed = /* @__PURE__ */ new Map();
  const deleted = [];
  let span = RECENT_DAYS;
  let edge = now - RECENT_DAYS * DAY_MS;
  let prevSpan = 0;
  const cutoff = twoYearsBefore(now);
  let pending = [];
  let lexicalVictimsBefore = -1;
  const windowOf = () => {
    const step = span - prevSpan;
    return { kind: step === 1 ? "daily" : step === 7 ? "weekly" : "monthly", fromDays: prevSpan, toDays: span };
  };
  const flush = () => {
    const keep = pending[pending.length - 1];
    for (let i = 0; i < pending.length - 1; i++) {
      const p = pending[i];
      deleted.push(p.key);
      if (!explain) continue;
      const w = placed.get(p.key);
      if (w) {
        w.deleted = true;
        w.keptInstead = keep.key;
      }
    }
    pending = [];
  };
  for (let i = sorted.length - 1; i >= 0; i--) {
    const k = sorted[i];
    if (k.ts === null) continue;
    if (version === "1.4" && k.ts < cutoff) {
      for (let j = 0; j <= i; j++) deleted.push(sorted[j].key);
      lexicalVictimsBefore = i;
      if (explain) placed.set(k.key, { window: { kind: "expired", fromDays: (now - cutoff) / DAY_MS, toDays: null }, deleted: true });
      break;
    }
    if (k.ts < edge) {
      flush();
      while (k.ts < edge) {
        prevSpan = span;
        const step = windowStep(span);
        span += step;
        edge -= step * DAY_MS;
      }
      pending = [k];
      if (explain) placed.set(k.key, { window: windowOf(), deleted: false });
    } else if (span > RECENT_DAYS) {
      pending.push(k);
      if (explain) placed.set(k.key, { window: windowOf(), deleted: false });
    } else if (explain) {
      placed.set(k.key, { window: { kind: "recent", fromDays: 0, toDays: RECENT_DAYS }, deleted: false });
    }
  }
  flush();
  return { deleted, placed, lexicalVictimsBefore, cutoff };
}
function sortKeys(keys) {
  return keys.map(parseKey).sort(compareBytes);
}
function rotate(keys, now, version = "1.4") {
  return rotateSorted(sortKeys(keys), now.getTime(), version).deleted;
}
function describeWindow(w) {
  switch (w.kind) {
    case "recent":
      return "at most 2 days old: every backup is kept";
    case "expired":
      return "older than 2 years";
    default:
      return `the ${w.kind} window ${w.fromDays}\u2013${w.toDays} days old`;
  }
}
function explainRotate(keys, now, version = "1.4") {
  const sorted = sortKeys(keys);
  const run = rotateSorted(sorted, now.getTime(), version);
  const deletedSet = new Set(run.deleted);
  return sorted.map((k, i) => {
    const time = k.ts === null ? null : new Date(k.ts);
    const p = run.placed.get(k.key);
    if (p) {
      const where = describeWindow(p.window);
      let reason;
      if (p.window.kind === "expired") reason = `deleted: ${where} (JuiceFS v1.4 deletes backups before ${new Date(run.cutoff).toISOString()})`;
      else if (p.window.kind === "recent") reason = `kept: ${where}`;
      else if (p.deleted) reason = `deleted: in ${where}, where the older ${p.keptInstead} is kept`;
      else reason = `kept: the oldest backup in ${where}`;
      return { key: k.key, time, fate: p.deleted ? "deleted" : "kept", window: p.window, reason };
    }
    if (deletedSet.has(k.key) && i <= run.lexicalVictimsBefore) {
      if (k.ts !== null && k.ts < run.cutoff) {
        const window = { kind: "expired", fromDays: (now.getTime() - run.cutoff) / DAY_MS, toDays: null };
        return { key: k.key, time, fate: "deleted", window, reason: `deleted: ${describeWindow(window)} (JuiceFS v1.4 deletes backups before ${new Date(run.cutoff).toISOString()})` };
      }
      return {
        key: k.key,
        time,
        fate: "deleted",
        window: null,
        reason: "deleted: sorts before a backup older than 2 years, and JuiceFS v1.4 deletes every key that sorts before it (keep only backups under meta/)"
      };
    }
    if (k.ts !== null) {
      return { key: k.key, time, fate: "kept", window: null, reason: "kept" };
    }
    return { key: k.key, time, fate: "ignored", window: null, reason: `ignored by the cleanup: ${k.invalid}` };
  });
}
var RetentionForecastItemSchema = RotateDecisionSchema.extend({
  /** When a later cleanup deletes it if backups go on every `intervalSeconds`; null = not within the horizon. */
  deleteAt: z.date().nullable(),
  /** Why that later cleanup deletes it. */
  deleteReason: z.string().nullable()
});
var RetentionForecastSchema = z.object({
  now: z.date(),
  version: z.enum(["1.4", "1.3"]),
  intervalSeconds: z.number().positive(),
  horizon: z.date(),
  /** Forecasts assume exact intervals; real clients drift (60–66 min for 1h), so dates are approximate. */
  approximate: z.literal(true),
  items: z.array(RetentionForecastItemSchema)
});
function forecastRetention(keys, now, opts = {}) {
  const version = opts.version ?? "1.4";
  const intervalMs = (opts.intervalSeconds ?? 3600) * 1e3;
  if (!(intervalMs > 0)) throw new Error("forecastRetention: intervalSeconds must be positive");
  const maxSteps = opts.maxSteps ?? 2e4;
  const horizonMs = Math.min((opts.horizonDays ?? 2 * 366 + 60) * DAY_MS, maxSteps * intervalMs);
  const t0 = now.getTime();
  const decisions = explainRotate(keys, now, version);
  const deleteAt = /* @__PURE__ */ new Map();
  let live = sortKeys(keys);
  if (opts.cleanupAtNow !== false) {
    const gone = new Set(rotateSorted(live, t0, version).deleted);
    live = live.filter((k) => !gone.has(k.key));
  }
  const tracked = new Set(live.map((k) => k.key));
  const anchor = opts.cadenceFrom && opts.cadenceFrom.getTime() <= t0 ? opts.cadenceFrom.getTime() : t0;
  const base = anchor + Math.floor((t0 - anchor) / intervalMs) * intervalMs;
  const steps = Math.floor(horizonMs / intervalMs);
  const holdRecent = live.every((k) => k.ts === null || k.key.startsWith("dump-"));
  const recent = [];
  let recentHead = 0;
  for (let s = 1; s <= steps && tracked.size > 0; s++) {
    const t = base + s * intervalMs;
    const fresh = parseKey(backupName(new Date(t)));
    if (!holdRecent) insertSorted(live, fresh);
    else {
      recent.push(fresh);
      while (recentHead < recent.length && recent[recentHead].ts < t - 2 * DAY_MS) insertSorted(live, recent[recentHead++]);
      if (recentHead > 4096) {
        recent.splice(0, recentHead);
        recentHead = 0;
      }
    }
    const fast = rotateSorted(live, t, version, false);
    if (fast.deleted.length === 0) continue;
    const gone = new Set(fast.deleted);
    const run = fast.deleted.some((k) => tracked.has(k)) ? rotateSorted(live, t, version) : fast;
    for (const key of gone) {
      if (!tracked.has(key)) continue;
      tracked.delete(key);
      const p = run.placed.get(key);
      const reason = p ? p.window.kind === "expired" ? "older than 2 years" : `reaches ${describeWindow(p.window)}, which already keeps ${p.keptInstead}` : "sorts before a backup older than 2 years";
      deleteAt.set(key, { at: t, reason });
    }
    live = live.filter((k) => !gone.has(k.key));
  }
  const items = decisions.map((d) => {
    const later = d.fate === "kept" || d.fate === "ignored" ? deleteAt.get(d.key) : void 0;
    return {
      ...d,
      deleteAt: d.fate === "deleted" ? now : later ? new Date(later.at) : null,
      deleteReason: d.fate === "deleted" ? d.reason.replace(/^deleted: /, "") : later ? later.reason : null
    };
  });
  return { now, version, intervalSeconds: intervalMs / 1e3, horizon: new Date(t0 + horizonMs), approximate: true, items };
}
function insertSorted(list, k) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    const c = compareBytes(list[mid], k);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return;
  }
  list.splice(lo, 0, k);
}
function cleanupPlan(keys, now, version = "1.4") {
  const plan = { delete: [], spared: [] };
  for (const k of rotate(keys, now, version)) (parseBackupTime(k) ? plan.delete : plan.spared).push(k);
  return plan;
}

// lib/storage/backups.ts
var BACKUP_PREFIX = "meta/";
var BackupKindSchema = z2.enum(["gzip", "encrypted", "json", "zstd", "binary", "empty", "unknown"]);
var BackupInfoSchema = z2.object({
  /** Name under meta/ (what retention sees), e.g. dump-2025-06-15-120007.json.gz */
  name: z2.string(),
  /** Key relative to the volume prefix: meta/<name> */
  key: z2.string(),
  /** Start time in UTC, from the name; null when the name is not an automatic-backup name. */
  time: z2.date().nullable(),
  size: z2.number().int().nonnegative(),
  lastModified: z2.date(),
  kind: BackupKindSchema
});
function sniffKind(head, size) {
  if (size === 0) return "empty";
  if (isEnvelope(head, size)) return "encrypted";
  return sniffDump(head);
}
function isTempName(name) {
  return name.endsWith(".tmp");
}
function infoOf(o) {
  const name = o.key.slice(BACKUP_PREFIX.length);
  return { name, key: o.key, time: parseBackupTime(name), size: o.size, lastModified: o.lastModified, kind: "unknown" };
}
async function sniffInto(store, b) {
  if (b.size === 0) {
    b.kind = "empty";
    return;
  }
  const head = await getBytes(store, b.key, { start: 0, end: Math.min(b.size, 16) - 1 });
  b.kind = sniffKind(head, b.size);
}
async function listBackups(store, opts = {}) {
  const objects = (await listAll(store, BACKUP_PREFIX)).filter((o) => !isTempName(o.key));
  const out = objects.map(infoOf);
  if (opts.sniff === false) return out;
  let next = 0;
  const worker = async () => {
    while (next < out.length) await sniffInto(store, out[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, out.length) }, worker));
  return out;
}
var BackupTimelineItemSchema = BackupInfoSchema.extend(RetentionForecastItemSchema.pick({ fate: true, window: true, reason: true, deleteAt: true, deleteReason: true }).shape);
var BackupTimelineSchema = RetentionForecastSchema.omit({ items: true }).extend({ items: z2.array(BackupTimelineItemSchema) });
function backupTimeline(backups, now, opts = {}) {
  const forecast = forecastRetention(
    backups.map((b) => b.name),
    now,
    opts
  );
  const byName = new Map(forecast.items.map((i) => [i.key, i]));
  const items = backups.map((b) => {
    const f = byName.get(b.name);
    return { ...b, fate: f.fate, window: f.window, reason: f.reason, deleteAt: f.deleteAt, deleteReason: f.deleteReason };
  });
  return { ...forecast, items };
}

export {
  backupName,
  cleanupPlan,
  BACKUP_PREFIX,
  listBackups,
  backupTimeline
};
