// The backups of a volume: every object under `meta/`, with its time, size and kind sniffed
// from its first bytes (JuiceFS's large encrypted backups are really plain gzip, docs/format/backups.md §1.5).
import { z } from "zod";
import { isEnvelope } from "../dump/envelope";
import { sniffDump } from "../dump/magic";
import { forecastRetention, parseBackupTime, RetentionForecastItemSchema, RetentionForecastSchema, type ForecastOptions } from "./retention";
import { getBytes, listAll, type ObjectInfo, type ObjectStore } from "./store";

export const BACKUP_PREFIX = "meta/";

export const BackupKindSchema = z.enum(["gzip", "encrypted", "json", "zstd", "binary", "empty", "unknown"]);
export type BackupKind = z.infer<typeof BackupKindSchema>;

export const BackupInfoSchema = z.object({
  /** Name under meta/ (what retention sees), e.g. dump-2025-06-15-120007.json.gz */
  name: z.string(),
  /** Key relative to the volume prefix: meta/<name> */
  key: z.string(),
  /** Start time in UTC, from the name; null when the name is not an automatic-backup name. */
  time: z.date().nullable(),
  size: z.number().int().nonnegative(),
  lastModified: z.date(),
  kind: BackupKindSchema,
});
export type BackupInfo = z.infer<typeof BackupInfoSchema>;

/** What the first bytes of an object say it is. */
export function sniffKind(head: Buffer, size: number): BackupKind {
  if (size === 0) return "empty";
  if (isEnvelope(head, size)) return "encrypted";
  return sniffDump(head);
}

/** A half-written upload or temp file is never offered as a backup. */
export function isTempName(name: string): boolean {
  return name.endsWith(".tmp");
}

export interface ListBackupsOptions {
  /** Read each object's first bytes to tell its kind (default true). */
  sniff?: boolean;
  concurrency?: number;
}

function infoOf(o: ObjectInfo): BackupInfo {
  const name = o.key.slice(BACKUP_PREFIX.length);
  return { name, key: o.key, time: parseBackupTime(name), size: o.size, lastModified: o.lastModified, kind: "unknown" };
}

async function sniffInto(store: ObjectStore, b: BackupInfo): Promise<void> {
  if (b.size === 0) {
    b.kind = "empty";
    return;
  }
  const head = await getBytes(store, b.key, { start: 0, end: Math.min(b.size, 16) - 1 });
  b.kind = sniffKind(head, b.size);
}

/** Every backup under meta/, sorted by name bytes (= time for automatic backups). */
export async function listBackups(store: ObjectStore, opts: ListBackupsOptions = {}): Promise<BackupInfo[]> {
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

/** The listing entry of one backup under meta/ (kind sniffed), or null when there is none. */
export async function statBackup(store: ObjectStore, name: string): Promise<BackupInfo | null> {
  const info = await store.head(BACKUP_PREFIX + name);
  if (!info) return null;
  const b = infoOf({ ...info, key: BACKUP_PREFIX + name });
  await sniffInto(store, b);
  return b;
}

export const BackupTimelineItemSchema = BackupInfoSchema.extend(RetentionForecastItemSchema.pick({ fate: true, window: true, reason: true, deleteAt: true, deleteReason: true }).shape);
export type BackupTimelineItem = z.infer<typeof BackupTimelineItemSchema>;

export const BackupTimelineSchema = RetentionForecastSchema.omit({ items: true }).extend({ items: z.array(BackupTimelineItemSchema) });
export type BackupTimeline = z.infer<typeof BackupTimelineSchema>;

/** The listing joined with each backup's fate at `now` and its forecast deletion (for tables and timelines). */
export function backupTimeline(backups: readonly BackupInfo[], now: Date, opts: ForecastOptions = {}): BackupTimeline {
  const forecast = forecastRetention(
    backups.map((b) => b.name),
    now,
    opts,
  );
  const byName = new Map(forecast.items.map((i) => [i.key, i]));
  const items = backups.map((b): BackupTimelineItem => {
    const f = byName.get(b.name)!;
    return { ...b, fate: f.fate, window: f.window, reason: f.reason, deleteAt: f.deleteAt, deleteReason: f.deleteReason };
  });
  return { ...forecast, items };
}
