// Automatic metadata backups exactly as a JuiceFS client takes them (docs/format/backups.md §1): the `lastBackup`
// xattr on inode 1, the 1M-inode rule, a gzip level 1 JSON dump uploaded to
// meta/dump-YYYY-MM-DD-HHMMSS.json.gz, enveloped on encrypted volumes, then retention.
// Differences, on purpose: the xattr is taken with compare-and-set (two processes never back up
// in one interval), the temp file is 0600 and already encrypted, large encrypted backups stay
// encrypted, and a skipped backup is reported as a failure with its fix.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { constants as zlibConstants, createGzip } from "node:zlib";
import { z } from "zod";
import { createEncryptStream, envelopeAlgo, loadRsaPrivateKey } from "../dump/envelope";
import { JsonDumpWriter } from "../dump/writer";
import { dumpMeta } from "../engines/dump";
import type { MetaEngine } from "../engines/engine";
import { decryptSetting } from "../jfs/secrets";
import { ROOT_INODE } from "../jfs/types";
import { BACKUP_PREFIX, listBackups } from "./backups";
import { backupName, cleanupPlan, type RotateVersion } from "./retention";
import type { ObjectStore } from "./store";
import { openVolumeStore, type StorageOverrides } from "./volume";
import { JfsError } from "../jfs/errors";

export const LAST_BACKUP_XATTR = "lastBackup";
const MIN_INTERVAL_MS = 5 * 60 * 1000;
const HOUR_MS = 3600 * 1000;
export const INODE_LIMIT = 1_000_000;
export const FAST_MODE_LIMIT = 100_000;

// --- durations (--backup-meta) ------------------------------------------------------------

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: HOUR_MS };

/** Go's time.ParseDuration, in milliseconds; null when invalid. */
export function parseGoDuration(s: string): number | null {
  if (s === "0") return 0;
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m) return null;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += parseFloat(part[1]) * UNIT_MS[part[2]];
  return m[1] === "-" ? -total : total;
}

/**
 * `--backup-meta` as JuiceFS reads it, in milliseconds: a bare number is seconds; else an
 * optional `<float>d` prefix (days × 24, truncated to whole hours) and a Go duration. null
 * when JuiceFS cannot read it (it then disables backups).
 */
export function readBackupInterval(value: string): number | null {
  const v = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Math.trunc(parseFloat(v) * 1000);
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

/** readBackupInterval with JuiceFS's fallback: what it cannot read is 0 (disabled). */
export function parseBackupInterval(value: string): number {
  return readBackupInterval(value) ?? 0;
}

/** mount/gateway refuse 0 < interval < 5 min unless SKIP_BACKUP_META_CHECK=true. */
export function checkBackupInterval(ms: number, env: Record<string, string | undefined> = process.env): void {
  if (ms > 0 && ms < MIN_INTERVAL_MS && env.SKIP_BACKUP_META_CHECK !== "true") {
    throw new JfsError("usage", `backup interval ${formatGoDuration(ms)} is below the 5-minute minimum; use a longer --interval or set SKIP_BACKUP_META_CHECK=true`);
  }
}

/** Go's Duration.String() for whole-millisecond values: 1h0m0s, 30m0s, 1.5s, 0s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const secs = rest / 1000;
  let out: string;
  if (h === 0 && m === 0 && secs < 1) out = `${rest}ms`;
  else out = `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${String(Number(secs.toFixed(3)))}s`;
  return (neg ? "-" : "") + out;
}

// --- the lastBackup value ------------------------------------------------------------------

/** Go's RFC3339 parse: fractional seconds allowed, `Z` or `±hh:mm`. null when Go would reject it. */
export function parseLastBackup(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] ? Math.floor(parseFloat(m[7]) * 1000) : 0;
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, frac);
  return new Date(t.getTime() - offsetMin * 60_000);
}

/** The value a backup writes: whole seconds, UTC, `Z` (a format every JuiceFS client parses). */
export function formatLastBackup(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// --- the decision (pure) ---------------------------------------------------------------

export type BackupDecision =
  | { action: "backup"; fast: boolean }
  | { action: "wait"; last: Date; due: Date }
  | { action: "skip"; reason: "too-many-inodes"; message: string }
  | { action: "blocked"; reason: "bad-lastBackup"; message: string };

/** What a JuiceFS client decides at one poll (docs/format/backups.md §1.2–§1.3). */
export function decideBackup(input: { now: Date; lastBackup: Buffer | string | null; intervalMs: number; usedInodes: bigint | number }): BackupDecision {
  const raw = input.lastBackup === null ? "" : input.lastBackup.toString();
  if (raw !== "") {
    const last = parseLastBackup(raw);
    if (!last) {
      return {
        action: "blocked",
        reason: "bad-lastBackup",
        message:
          `the lastBackup attribute of inode 1 holds "${raw}", which is not an RFC3339 time; JuiceFS clients stop all automatic backups ` +
          "until it is fixed: remove it (e.g. `setfattr -x lastBackup <mountpoint>`) or run `jfsmeta backup --force`",
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
      message:
        `backup metadata skipped because of too many inodes: ${iused} ${formatGoDuration(input.intervalMs)}; ` +
        "JuiceFS clients skip volumes over 1,000,000 inodes when the interval is 1h or less: use a longer interval (e.g. --interval 2h, and `--backup-meta 2h` on mounts)",
    };
  }
  return { action: "backup", fast: iused < BigInt(FAST_MODE_LIMIT) };
}

// --- one cycle (I/O) -----------------------------------------------------------------------

export const BackupResultSchema = z.object({
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
  cleanup: z
    .object({
      /** In the order JuiceFS deletes them; in a dry run, what would be deleted. */
      deleted: z.array(z.string()),
      /** Not backup names, which JuiceFS v1.4 would delete too (docs/format/backups.md §2.1); left alone. */
      spared: z.array(z.string()),
      errors: z.array(z.string()),
    })
    .optional(),
});
export type BackupResult = z.infer<typeof BackupResultSchema>;

export interface BackupProgress {
  phase: "dump" | "upload" | "cleanup";
  entries?: number;
  bytes?: number;
}

export interface BackupOptions {
  /** Interval in ms (the --backup-meta value); default 1 hour. */
  intervalMs?: number;
  skipTrash?: boolean;
  storage?: StorageOverrides;
  /** Back up now whatever lastBackup and the 1M-inode rule say (still taken with compare-and-set). */
  force?: boolean;
  now?: () => Date;
  /** Where the temporary dump goes; default the OS temp dir. */
  tmpDir?: string;
  onProgress?: (p: BackupProgress) => void;
  /** Use this store instead of the one the volume setting names (tests, dashboard). */
  store?: ObjectStore;
  /**
   * Dump one moment of the database (dumpMeta's `consistent`). Default: on wherever it is cheap
   * (engine.consistentReadIsCheap: SQL's snapshot transaction costs the writers nothing in MVCC
   * engines and SQLite's WAL mode), off on Redis, whose consistent read copies the data into a
   * private replica; false dumps the live database as JuiceFS's clients do.
   */
  consistent?: boolean;
  /**
   * Gentle-dump limits (dumpMeta's maxOps / maxLatencyMs). Default: slow down while the engine
   * answers slower than DEFAULT_BACKUP_MAX_LATENCY_MS, as a client's background backup should
   * yield to the foreground; `{}` dumps at full speed.
   */
  gentle?: { maxOps?: number; maxLatencyMs?: number };
}

/** An automatic backup slows down while the engine's answers take longer than this. */
export const DEFAULT_BACKUP_MAX_LATENCY_MS = 250;

/** One poll of the automatic-backup loop: back up if due, then clean up. Never throws. */
export async function runBackupCycle(engine: MetaEngine, opts: BackupOptions = {}): Promise<BackupResult> {
  const now = (opts.now ?? (() => new Date()))();
  const t0 = Date.now();
  const intervalMs = opts.intervalMs ?? HOUR_MS;
  const failed = (reason: string, message: string, extra: Partial<BackupResult> = {}): BackupResult => ({
    status: "failed",
    reason,
    message,
    startedAt: now,
    durationMs: Date.now() - t0,
    ...extra,
  });
  try {
    const stored = await engine.readSetting();
    if (!stored) return failed("error", `no JuiceFS volume in ${engine.redactedUrl}: the database holds no setting`);
    const last = await engine.getXattr(ROOT_INODE, LAST_BACKUP_XATTR);
    const { usedInodes } = await engine.usage();
    // A forced backup is asked for explicitly: neither the interval nor the inode rule applies.
    const decision = opts.force
      ? decideBackup({ now, lastBackup: null, intervalMs: Number.POSITIVE_INFINITY, usedInodes })
      : decideBackup({ now, lastBackup: last, intervalMs, usedInodes });
    if (decision.action === "wait") {
      return { status: "not-due", reason: "not-due", startedAt: now, due: decision.due, durationMs: Date.now() - t0, usedInodes: Number(usedInodes) };
    }
    if (decision.action !== "backup") return failed(decision.reason, decision.message, { usedInodes: Number(usedInodes) });

    // Storage and key problems are found before the interval is claimed.
    const store = opts.store ?? openVolumeStore(stored, opts.storage).store;
    const { setting: clear, removed } = decryptSetting(stored);
    if (removed.includes("EncryptKey")) {
      return failed("error", "the volume's EncryptKey was removed (the setting came from a binary dump): restore the setting from a JSON dump, which keeps the key");
    }
    const encryptKey = clear.EncryptKey ? loadRsaPrivateKey(clear.EncryptKey) : null;
    const algo = encryptKey ? envelopeAlgo(clear.EncryptAlgo) : undefined;

    const value = Buffer.from(formatLastBackup(now));
    if (!(await engine.compareAndSetXattr(ROOT_INODE, LAST_BACKUP_XATTR, last, value))) {
      return { status: "not-due", reason: "lost-race", message: "another process claimed this interval's backup first", startedAt: now, durationMs: Date.now() - t0 };
    }

    const name = backupName(now);
    const key = BACKUP_PREFIX + name;
    const dir = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), "jfsmeta-backup-"));
    const file = path.join(dir, name);
    try {
      const out = createWriteStream(file, { mode: 0o600 });
      const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
      // Encrypted before it touches the disk: the temp file never holds plaintext secrets.
      const written = encryptKey ? pipeline(gzip, createEncryptStream(encryptKey, { algo }), out) : pipeline(gzip, out);
      const writer = new JsonDumpWriter(gzip);
      let dumped;
      try {
        dumped = await dumpMeta(engine, writer, {
          keepSecretKey: false,
          skipTrash: opts.skipTrash,
          threads: 2,
          consistent: opts.consistent ?? !!engine.consistentReadIsCheap,
          ...(opts.gentle ?? { maxLatencyMs: DEFAULT_BACKUP_MAX_LATENCY_MS }),
          onProgress: (p) => opts.onProgress?.({ phase: "dump", entries: p.entries }),
        });
        gzip.end(); // dumpMeta has called writer.end()
        await written;
      } catch (err) {
        gzip.destroy(err as Error);
        await written.catch(() => undefined); // fails with the error it was destroyed with: `err`
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
        cleanup,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } catch (err) {
    return failed("error", `backup metadata failed: ${(err as Error).message}`);
  }
}

export interface CleanupOptions {
  /** Retention rules of this JuiceFS version (default 1.4). */
  version?: RotateVersion;
  /** Only say what would be deleted. */
  dryRun?: boolean;
  /** The names under meta/, when the caller has listed them already. */
  names?: readonly string[];
}

/** What a cleanup deleted (in a dry run: would delete), spared and failed to delete. */
export type CleanupResult = NonNullable<BackupResult["cleanup"]>;

/** JuiceFS's cleanup after a successful backup: list meta/, rotate, delete. Never throws. */
export async function cleanupBackups(store: ObjectStore, now: Date, opts: CleanupOptions = {}): Promise<CleanupResult> {
  let names: readonly string[];
  try {
    names = opts.names ?? (await listBackups(store, { sniff: false })).map((b) => b.name);
  } catch (err) {
    return { deleted: [], spared: [], errors: [`list ${BACKUP_PREFIX} failed, no cleanup: ${(err as Error).message}`] };
  }
  const deleted: string[] = [];
  const errors: string[] = [];
  const plan = cleanupPlan(names, now, opts.version);
  for (const name of plan.delete) {
    try {
      if (!opts.dryRun) await store.delete(BACKUP_PREFIX + name);
      deleted.push(name);
    } catch (err) {
      errors.push(`delete ${BACKUP_PREFIX + name}: ${(err as Error).message}`);
    }
  }
  return { deleted, spared: plan.spared, errors };
}

/** The loop of a JuiceFS client: poll every interval/10 (±5 %), back up when due. */
export async function watchBackups(
  engine: MetaEngine,
  opts: BackupOptions & { signal?: AbortSignal; onResult?: (r: BackupResult) => void },
): Promise<void> {
  const intervalMs = opts.intervalMs ?? HOUR_MS;
  while (!opts.signal?.aborted) {
    const pause = (intervalMs / 10) * (0.95 + Math.random() * 0.1);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pause);
      opts.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (opts.signal?.aborted) break;
    const r = await runBackupCycle(engine, opts);
    opts.onResult?.(r);
  }
}

/** Whether automatic backups look alive, and the likely cause when not (pure). */
export function diagnoseBackups(input: {
  now: Date;
  /** Start time of the newest backup in storage, or null when there is none. */
  latest: Date | null;
  intervalMs: number;
  usedInodes: bigint | number;
  lastBackup: Buffer | string | null;
}): { ok: boolean; message: string } {
  const age = input.latest ? input.now.getTime() - input.latest.getTime() : Number.POSITIVE_INFINITY;
  // A client polls every interval/10 and a backup takes time: allow two intervals.
  if (age <= 2 * input.intervalMs) return { ok: true, message: `latest backup ${formatGoDuration(Math.max(0, Math.round(age / 1000) * 1000))} ago` };
  const since = input.latest ? `the latest backup is ${formatGoDuration(Math.round(age / 1000) * 1000)} old` : "there is no backup";
  const d = decideBackup({ now: input.now, lastBackup: input.lastBackup, intervalMs: input.intervalMs, usedInodes: input.usedInodes });
  if (d.action === "skip" || d.action === "blocked") return { ok: false, message: `${since}: ${d.message}` };
  if (d.action === "wait") {
    return { ok: false, message: `${since}, but lastBackup says one started at ${d.last.toISOString()}: it failed or its upload went elsewhere (check the clients' logs for "backup metadata failed")` };
  }
  return {
    ok: false,
    message: `${since} and one is due: no client seems to run them (read-only mounts, --no-bgjob or --backup-meta 0 disable them); run \`jfsmeta backup --watch\``,
  };
}
