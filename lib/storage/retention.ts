// Retention of automatic backups, an exact replica of JuiceFS's `rotate` (pkg/vfs/backup.go),
// plus a simulator that predicts what repeated cleanups will do. Pure functions only.
import { z } from "zod";
import { MAX_AGE_YEARS, RECENT_DAYS, windowStep } from "./retention-windows";

export type RotateVersion = "1.4" | "1.3";

const DAY_MS = 24 * 3600 * 1000;
/** Every automatic backup name is exactly this many bytes: dump-YYYY-MM-DD-HHMMSS.json.gz */
export const BACKUP_NAME_LENGTH = 30;

/** The window a key was placed in by one cleanup run. */
export const RetentionWindowSchema = z.object({
  kind: z.enum(["recent", "daily", "weekly", "monthly", "expired"]),
  /** Age bounds in days: (fromDays, toDays]; for "recent" [0, 2]; for "expired" toDays is null. */
  fromDays: z.number(),
  toDays: z.number().nullable(),
});
export type RetentionWindow = z.infer<typeof RetentionWindowSchema>;

export const RotateDecisionSchema = z.object({
  key: z.string(),
  /** The UTC instant in the name, when the name is a valid backup name. */
  time: z.date().nullable(),
  fate: z.enum(["kept", "deleted", "ignored"]),
  window: RetentionWindowSchema.nullable(),
  reason: z.string(),
});
export type RotateDecision = z.infer<typeof RotateDecisionSchema>;

/** A key with what rotate needs, parsed once. */
interface ParsedKey {
  key: string;
  bytes: Buffer;
  /** ms since epoch, or null when the key is not a valid backup name */
  ts: number | null;
  invalid?: string;
}

function compareBytes(a: ParsedKey, b: ParsedKey): number {
  return Buffer.compare(a.bytes, b.bytes);
}

/**
 * The time in a backup name, as Go's time.Parse("2006-01-02-150405") reads bytes 5..22: exact
 * digit counts, month 1–12, day valid for the month, hour 0–23, minute/second 0–59. UTC.
 */
export function parseBackupTime(name: string): Date | null {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length !== BACKUP_NAME_LENGTH) return null;
  const ts = parseStamp(bytes.subarray(5, 22).toString("latin1"));
  return ts === null ? null : new Date(ts);
}

function parseStamp(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d); // Date.UTC maps years 0–99 to 1900+
  t.setUTCHours(h, mi, se, 0);
  return t.getTime();
}

function parseKey(key: string): ParsedKey {
  const bytes = Buffer.from(key, "utf8");
  if (bytes.length !== BACKUP_NAME_LENGTH) {
    return { key, bytes, ts: null, invalid: `not a backup name: ${bytes.length} bytes long, backups are ${BACKUP_NAME_LENGTH}` };
  }
  const ts = parseStamp(bytes.subarray(5, 22).toString("latin1"));
  if (ts === null) return { key, bytes, ts: null, invalid: "not a backup name: no valid YYYY-MM-DD-HHMMSS timestamp at bytes 5–21" };
  return { key, bytes, ts };
}

/** The UTC stamp in backup names, `YYYY-MM-DD-HHMMSS` (Go's "2006-01-02-150405"). */
export function backupStamp(start: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const d = start;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** The backup object name for a start instant: dump-YYYY-MM-DD-HHMMSS.json.gz in UTC. */
export function backupName(start: Date): string {
  return `dump-${backupStamp(start)}.json.gz`;
}

/** now minus 2 calendar years in UTC (Go AddDate(-2,0,0): 29 Feb → 1 Mar). */
function twoYearsBefore(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - MAX_AGE_YEARS);
  return d.getTime();
}

interface Placement {
  window: RetentionWindow;
  deleted: boolean;
  /** For deleted keys in a window: the key kept in that window. */
  keptInstead?: string;
}

/**
 * One cleanup run over keys already sorted by bytes. Returns the keys to delete in Go's
 * order, and where each examined key was placed.
 */
function rotateSorted(sorted: ParsedKey[], now: number, version: RotateVersion, explain = true) {
  const placed = new Map<string, Placement>();
  const deleted: string[] = [];
  let span = RECENT_DAYS;
  let edge = now - RECENT_DAYS * DAY_MS;
  let prevSpan = 0;
  const cutoff = twoYearsBefore(now);
  let pending: ParsedKey[] = [];
  let lexicalVictimsBefore = -1;

  const windowOf = (): RetentionWindow => {
    const step = span - prevSpan;
    return { kind: step === 1 ? "daily" : step === 7 ? "weekly" : "monthly", fromDays: prevSpan, toDays: span };
  };
  const flush = () => {
    // The last pending key is the oldest of its window: it is kept.
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
  // Go appends the final window last, after the cutoff block when there is one.
  flush();
  return { deleted, placed, lexicalVictimsBefore, cutoff };
}

function sortKeys(keys: readonly string[]): ParsedKey[] {
  return keys.map(parseKey).sort(compareBytes);
}

/**
 * JuiceFS's cleanup: which of the keys under meta/ (relative names) one run at `now` deletes,
 * in Go's order. `version` "1.3" leaves out the v1.4 rule that deletes backups older than
 * 2 years (and every key sorting before the newest such backup).
 */
export function rotate(keys: readonly string[], now: Date, version: RotateVersion = "1.4"): string[] {
  return rotateSorted(sortKeys(keys), now.getTime(), version).deleted;
}

function describeWindow(w: RetentionWindow): string {
  switch (w.kind) {
    case "recent":
      return "at most 2 days old: every backup is kept";
    case "expired":
      return "older than 2 years";
    default:
      return `the ${w.kind} window ${w.fromDays}–${w.toDays} days old`;
  }
}

/** One cleanup run at `now`, explained key by key (sorted by bytes). */
export function explainRotate(keys: readonly string[], now: Date, version: RotateVersion = "1.4"): RotateDecision[] {
  const sorted = sortKeys(keys);
  const run = rotateSorted(sorted, now.getTime(), version);
  const deletedSet = new Set(run.deleted);
  return sorted.map((k, i): RotateDecision => {
    const time = k.ts === null ? null : new Date(k.ts);
    const p = run.placed.get(k.key);
    if (p) {
      const where = describeWindow(p.window);
      let reason: string;
      if (p.window.kind === "expired") reason = `deleted: ${where} (JuiceFS v1.4 deletes backups before ${new Date(run.cutoff).toISOString()})`;
      else if (p.window.kind === "recent") reason = `kept: ${where}`;
      else if (p.deleted) reason = `deleted: in ${where}, where the older ${p.keptInstead} is kept`;
      else reason = `kept: the oldest backup in ${where}`;
      return { key: k.key, time, fate: p.deleted ? "deleted" : "kept", window: p.window, reason };
    }
    if (deletedSet.has(k.key) && i <= run.lexicalVictimsBefore) {
      if (k.ts !== null && k.ts < run.cutoff) {
        const window: RetentionWindow = { kind: "expired", fromDays: (now.getTime() - run.cutoff) / DAY_MS, toDays: null };
        return { key: k.key, time, fate: "deleted", window, reason: `deleted: ${describeWindow(window)} (JuiceFS v1.4 deletes backups before ${new Date(run.cutoff).toISOString()})` };
      }
      return {
        key: k.key,
        time,
        fate: "deleted",
        window: null,
        reason:
          "deleted: sorts before a backup older than 2 years, and JuiceFS v1.4 deletes every key that sorts before it " +
          "(keep only backups under meta/)",
      };
    }
    if (k.ts !== null) {
      // Unreachable: the walk visits every valid name unless the cutoff block deleted it.
      return { key: k.key, time, fate: "kept", window: null, reason: "kept" };
    }
    return { key: k.key, time, fate: "ignored", window: null, reason: `ignored by the cleanup: ${k.invalid}` };
  });
}

// --- simulator -------------------------------------------------------------------------

export const RetentionForecastItemSchema = RotateDecisionSchema.extend({
  /** When a later cleanup deletes it if backups go on every `intervalSeconds`; null = not within the horizon. */
  deleteAt: z.date().nullable(),
  /** Why that later cleanup deletes it. */
  deleteReason: z.string().nullable(),
});
export type RetentionForecastItem = z.infer<typeof RetentionForecastItemSchema>;

export const RetentionForecastSchema = z.object({
  now: z.date(),
  version: z.enum(["1.4", "1.3"]),
  intervalSeconds: z.number().positive(),
  horizon: z.date(),
  /** Forecasts assume exact intervals; real clients drift (60–66 min for 1h), so dates are approximate. */
  approximate: z.literal(true),
  items: z.array(RetentionForecastItemSchema),
});
export type RetentionForecast = z.infer<typeof RetentionForecastSchema>;

export interface ForecastOptions {
  version?: RotateVersion;
  /** Assumed cadence of future backups; default 1 hour. */
  intervalSeconds?: number;
  /** How far ahead to simulate; default 2 years + 60 days (past the v1.4 cutoff). */
  horizonDays?: number;
  /** At most this many simulated backups (default 20,000, enough for hourly over 2 years): shorter intervals shorten the horizon. */
  maxSteps?: number;
  /**
   * Whether the cleanup at `now` runs on the listing as it is (true, default: "what does a
   * cleanup at this instant do"), or the listing is taken as already cleaned.
   */
  cleanupAtNow?: boolean;
  /**
   * Where the simulated cadence is anchored: future backups land at `cadenceFrom + k·interval`,
   * the first after `now` (default: `now` itself). Anchored to the newest listed backup, as
   * clients are, a forecast does not move each time it is asked for.
   */
  cadenceFrom?: Date;
}

/**
 * Each listed key's fate at `now` (one cleanup run), and, simulating a backup every
 * `intervalSeconds` after `now` with a cleanup after each, when it will be deleted.
 */
export function forecastRetention(keys: readonly string[], now: Date, opts: ForecastOptions = {}): RetentionForecast {
  const version = opts.version ?? "1.4";
  const intervalMs = (opts.intervalSeconds ?? 3600) * 1000;
  if (!(intervalMs > 0)) throw new Error("forecastRetention: intervalSeconds must be positive");
  const maxSteps = opts.maxSteps ?? 20_000;
  const horizonMs = Math.min((opts.horizonDays ?? 2 * 366 + 60) * DAY_MS, maxSteps * intervalMs);
  const t0 = now.getTime();
  const decisions = explainRotate(keys, now, version);
  const deleteAt = new Map<string, { at: number; reason: string }>();

  // The live set after the cleanup at now, kept sorted; new backup names only ever grow
  // (names of later instants sort later among dump- names), but insert generally.
  let live: ParsedKey[] = sortKeys(keys);
  if (opts.cleanupAtNow !== false) {
    const gone = new Set(rotateSorted(live, t0, version).deleted);
    live = live.filter((k) => !gone.has(k.key));
  }
  const tracked = new Set(live.map((k) => k.key));
  const anchor = opts.cadenceFrom && opts.cadenceFrom.getTime() <= t0 ? opts.cadenceFrom.getTime() : t0;
  // The grid point at or before now: step s lands at base + s·interval, the first after now.
  const base = anchor + Math.floor((t0 - anchor) / intervalMs) * intervalMs;
  const steps = Math.floor(horizonMs / intervalMs);
  // Simulated backups younger than 2 days can neither be deleted nor change a cleanup as long
  // as every valid name starts with "dump-" (then byte order is time order): hold them aside,
  // so each step costs the number of windows, not the number of backups in the last 2 days.
  const holdRecent = live.every((k) => k.ts === null || k.key.startsWith("dump-"));
  const recent: ParsedKey[] = [];
  let recentHead = 0;
  for (let s = 1; s <= steps && tracked.size > 0; s++) {
    const t = base + s * intervalMs;
    const fresh = parseKey(backupName(new Date(t)));
    if (!holdRecent) insertSorted(live, fresh);
    else {
      recent.push(fresh);
      while (recentHead < recent.length && recent[recentHead].ts! < t - 2 * DAY_MS) insertSorted(live, recent[recentHead++]);
      if (recentHead > 4096) {
        recent.splice(0, recentHead);
        recentHead = 0;
      }
    }
    const fast = rotateSorted(live, t, version, false);
    if (fast.deleted.length === 0) continue;
    const gone = new Set(fast.deleted);
    // Explanations only for the rare runs that delete a listed backup.
    const run = fast.deleted.some((k) => tracked.has(k)) ? rotateSorted(live, t, version) : fast;
    for (const key of gone) {
      if (!tracked.has(key)) continue;
      tracked.delete(key);
      const p = run.placed.get(key);
      const reason = p
        ? p.window.kind === "expired"
          ? "older than 2 years"
          : `reaches ${describeWindow(p.window)}, which already keeps ${p.keptInstead}`
        : "sorts before a backup older than 2 years";
      deleteAt.set(key, { at: t, reason });
    }
    live = live.filter((k) => !gone.has(k.key));
  }
  const items = decisions.map((d): RetentionForecastItem => {
    const later = d.fate === "kept" || d.fate === "ignored" ? deleteAt.get(d.key) : undefined;
    return {
      ...d,
      deleteAt: d.fate === "deleted" ? now : later ? new Date(later.at) : null,
      deleteReason: d.fate === "deleted" ? d.reason.replace(/^deleted: /, "") : later ? later.reason : null,
    };
  });
  return { now, version, intervalSeconds: intervalMs / 1000, horizon: new Date(t0 + horizonMs), approximate: true, items };
}

function insertSorted(list: ParsedKey[], k: ParsedKey): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareBytes(list[mid], k);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return; // same second: the later upload replaces the earlier one
  }
  list.splice(lo, 0, k);
}

/**
 * What jfsmeta's own cleanup deletes: JuiceFS's rotate, except keys that are not backup names.
 * JuiceFS v1.4 also deletes those when they sort before a backup older than 2 years (any
 * README or notes under meta/); jfsmeta spares them and reports them.
 */
export function cleanupPlan(keys: readonly string[], now: Date, version: RotateVersion = "1.4"): { delete: string[]; spared: string[] } {
  const plan = { delete: [] as string[], spared: [] as string[] };
  for (const k of rotate(keys, now, version)) (parseBackupTime(k) ? plan.delete : plan.spared).push(k);
  return plan;
}
