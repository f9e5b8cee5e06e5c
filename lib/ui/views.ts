// Shapes the server sends to the browser (no secrets, 64-bit numbers as strings, dates as
// ISO strings). Browser-safe: types and pure helpers only.
import { formatBytes, formatDuration as formatAge } from "../jfs/format";

export type HealthLevel = "ok" | "warn" | "critical" | "unknown";

export interface HealthIssue {
  level: Exclude<HealthLevel, "ok" | "unknown">;
  code: "no-backups" | "stale" | "late" | "skipped-too-many-inodes" | "shrank" | "listing-failed" | "verify-failed";
  title: string;
  detail: string;
  /** A shrunk backup (b) and the one before it (a): the diff that shows what went. */
  diff?: { a: string; b: string };
}

/** A volume's backup health (computed by lib/server/health.ts). */
export interface Health {
  level: HealthLevel;
  newestAt: string | null;
  newestAgeSeconds: number | null;
  issues: HealthIssue[];
}

export interface SettingSummary {
  name: string;
  uuid: string;
  storage: string;
  bucket: string;
  trashDays: number;
  blockSizeKiB: number;
  compression: string;
  /** The volume encrypts its objects (EncryptKey set): backups are RSA-wrapped AEAD blobs. */
  encrypted: boolean;
  encryptAlgo: string;
  /** SecretKey is the literal "removed" (restored from a dump without --keep-secret-key). */
  secretRemoved: boolean;
  hasSecretKey: boolean;
  enableACL: boolean;
  metaVersion: number;
}

export type BackupFate = "kept" | "deleted" | "ignored";

export interface BackupRow {
  key: string;
  /** From the name (automatic backups) or the object's modification time. */
  time: string | null;
  size: number;
  kind: "auto" | "manual" | "other";
  /** What the first bytes say: gzip, encrypted, json, zstd, binary, empty, unknown. */
  format: string;
  encrypted: boolean;
  fate: BackupFate;
  reason: string;
  windowKind: string | null;
  /** When a later cleanup deletes it (approximate), null if not within two years. */
  deleteAt: string | null;
  deleteReason: string | null;
  /** Much smaller than the automatic backups before it (a sign of lost metadata). */
  shrank: boolean;
  /** The last structural verify of this object, null if never verified. */
  verify: BackupVerify | null;
  /** Backups jfsmeta made: whether the dump was --consistent (null: not known, e.g. a client's backup). */
  consistent: boolean | null;
  /** Backups jfsmeta made with --consistent: the moment every entry was read as of. */
  snapshotAt: string | null;
  /** Inodes the backup holds, when a verify or the dump that made it counted them. */
  inodes: number | null;
}

/**
 * "The newest backup" of a volume, for the verify schedule and the metrics: the newest
 * automatic one (what the clients make and a restore reaches for first), else the newest of any kind.
 */
export function newestBackup<T extends Pick<BackupRow, "kind" | "time">>(rows: readonly T[] | null): T | null {
  const dated = (rows ?? []).filter((b) => b.time).sort((a, b) => b.time!.localeCompare(a.time!));
  return dated.find((b) => b.kind === "auto") ?? dated[0] ?? null;
}

/** The outcome of the last verify of a backup (lib/server/records.ts). */
export interface BackupVerify {
  state: "ok" | "failed";
  at: string | null;
  /** The first problem (failed) or what was counted (ok). */
  detail: string;
  jobId: string | null;
}

/**
 * What retention will do with a backup, in a few words: "goes ≈ 2026-01-05 14:00 UTC" within
 * a week (or at the next cleanup), "kept until ≈ 2026-06-01" later, "kept over 2 years", or
 * "never rotated" for a name JuiceFS's cleanup ignores.
 */
export function backupFateText(b: Pick<BackupRow, "fate" | "deleteAt">, nowMs?: number): string {
  if (b.fate === "ignored") return "never rotated (not a backup name)";
  if (b.fate === "deleted") return "goes at the next cleanup";
  if (!b.deleteAt) return "kept over 2 years";
  const at = new Date(b.deleteAt).getTime();
  if (nowMs !== undefined && at - nowMs < 7 * 86_400_000) return `goes ≈ ${formatUtc(b.deleteAt).slice(0, 16)} UTC`;
  return `kept until ≈ ${formatUtc(b.deleteAt).slice(0, 10)}`;
}

/** A backup as a restore picker lists it: name, age, size and fate ("dump-… · 3.2d old · 1.1 MiB · kept until ≈ …"). */
export function backupOptionLabel(b: Pick<BackupRow, "key" | "time" | "size" | "fate" | "deleteAt" | "shrank" | "encrypted">, nowMs: number): string {
  const age = b.time ? `${formatAge(nowMs - new Date(b.time).getTime())} old` : "age unknown";
  return [b.key, age, formatBytes(b.size), backupFateText(b, nowMs), b.encrypted ? "encrypted" : "", b.shrank ? "▼ shrank sharply" : ""].filter(Boolean).join(" · ");
}

export interface VolumeView {
  id: string;
  name: string;
  redactedUrl: string;
  engine: string;
  demo: boolean;
  intervalSeconds: number;
  setting: SettingSummary | null;
  settingError: string | null;
  usage: { usedSpace: string; usedInodes: string } | null;
  backups: BackupRow[] | null;
  backupsError: string | null;
  /** Where backups are listed from, for display: "file:/…/demo/meta/". */
  backupLocation: string | null;
  health: Health;
  now: string;
}

export function formatUtc(iso: string | null): string {
  if (!iso) return "–";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
}

export interface JobView {
  id: string;
  kind: string;
  state: "running" | "succeeded" | "failed" | "cancelled" | "interrupted";
  title: string;
  volumeId: string | null;
  params: Record<string, unknown>;
  done: number;
  total: number;
  phase: string;
  log: string;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * The line under a job's progress bar. A running job shows its phase and percentage; a job
 * that ended says how, and where it stopped ("failed during dumping at 0%"), never a phase
 * as if it still ran.
 */
export function jobStatusLine(job: Pick<JobView, "state" | "phase" | "done" | "total">): string {
  const pct = job.total > 0 ? `${Math.min(100, Math.round((job.done / job.total) * 100))}%` : null;
  if (job.state === "running") return pct ? `${job.phase} · ${pct}` : job.phase;
  if (job.state === "succeeded") return job.phase === "ready to download" ? "finished · ready to download" : "finished";
  const where = job.phase && job.phase !== "starting" ? ` during ${job.phase}${pct ? ` at ${pct}` : ""}` : " before it started work";
  return `${job.state}${where}`;
}

/** A job's wall time: "85 ms", "4.2 s", "3 min 07 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** How long a job ran (to now while it runs), or null before it started. */
export function jobDuration(job: Pick<JobView, "startedAt" | "finishedAt">, now = Date.now()): number | null {
  if (!job.startedAt) return null;
  return (job.finishedAt ? new Date(job.finishedAt).getTime() : now) - new Date(job.startedAt).getTime();
}

/** What a job's `done` and `total` count: bytes of a backup read (restore, index, verify) or entries written. */
export function progressUnit(kind: string): "bytes" | "entries" {
  return kind === "restore" || kind === "index" || kind === "verify" ? "bytes" : "entries";
}

/**
 * The speed of `done` in `elapsedMs`, the average since the start (as Backrest shows it), and
 * with a known `total` the time left at that rate. Null before there is a rate. The dashboard's
 * jobs and the CLI's progress lines both say it so.
 */
export function rateOf(done: number, total: number | null, elapsedMs: number): { perSecond: number; leftMs: number | null } | null {
  if (!(elapsedMs > 0) || done <= 0) return null;
  const perSecond = done / (elapsedMs / 1000);
  return { perSecond, leftMs: total !== null && total > done ? ((total - done) / perSecond) * 1000 : null };
}

/** "12,345 entries/s · 4.2 s left", "3.1 MiB/s". */
export function formatRate(r: { perSecond: number; leftMs: number | null }, unit: "bytes" | "entries"): string {
  const speed = unit === "bytes" ? `${formatBytes(Math.round(r.perSecond))}/s` : `${Math.round(r.perSecond).toLocaleString("en-US")} entries/s`;
  return r.leftMs === null ? speed : `${speed} · ${formatDuration(r.leftMs)} left`;
}

/** A job's rateOf(): its total only while it runs. */
export function jobRate(
  job: Pick<JobView, "kind" | "state" | "done" | "total" | "startedAt" | "finishedAt">,
  now: number,
): { perSecond: number; leftMs: number | null; unit: "bytes" | "entries" } | null {
  const ms = jobDuration(job, now);
  // done/total of 1/1 is a job that reports only "finished" (an export from a backup index): no rate.
  if (ms === null || (job.total === 1 && job.done === 1)) return null;
  const r = rateOf(job.done, job.state === "running" ? job.total : null, ms);
  return r && { ...r, unit: progressUnit(job.kind) };
}

/** "12,345 entries/s · 4.2 s left", "3.1 MiB/s", or "" when there is no rate yet. */
export function jobRateLine(job: Parameters<typeof jobRate>[0], now: number): string {
  const r = jobRate(job, now);
  return r ? formatRate(r, r.unit) : "";
}
