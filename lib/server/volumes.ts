// Volumes the dashboard watches: stored with their full META-URL (server side only), shown
// with the URL redacted, their setting summarised without secrets, and their backup health.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { MetaEngine } from "../engines/engine";
import { checkMetaUrl, engineKindOf, openEngine, redactUrl } from "../engines/open";
import { REMOVED_SECRET, type Setting } from "../jfs/setting";
import { readBackupInterval } from "../storage/autobackup";
import { checkVolumeStorage } from "../storage/volume";
import { backupTimeline, listBackups } from "../storage/backups";
import { backupLocation, volumeBackupStore, type StorageOverrides, StorageOverridesSchema } from "./backups";
import { audit, getDb } from "./db";
import { isSealed, seal, SecretKeyError, unseal } from "./secretbox";
import { backupHealth, shrunkBackups } from "./health";
import { backupRecords, forgetVolumeRecords } from "./records";
import type { BackupRow, SettingSummary, VolumeView } from "../ui/views";
import { JfsError, logIgnored, wrapError } from "../jfs/errors";

/** "1h", "90m", "2d", "1d12h", "3600" (seconds) → seconds: JuiceFS's --backup-meta, read as it reads it. */
export function parseInterval(text: string): number {
  const ms = readBackupInterval(text);
  if (ms === null || ms < 0) throw new JfsError("usage", `backup interval "${text}" is not a duration like 1h, 90m, 2d or 3600`);
  return Math.round(ms / 1000);
}

export const MetaUrlSchema = z
  .string()
  .trim()
  .min(3, "META-URL is required, e.g. redis://host:6379/1 or sqlite3:///path/meta.db")
  .max(4096)
  .superRefine((url, ctx) => {
    try {
      checkMetaUrl(url);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

export const VolumeInputSchema = z.object({
  metaUrl: MetaUrlSchema,
  name: z.string().trim().max(255).optional(),
  backupInterval: z
    .string()
    .default("1h")
    .transform((s, ctx) => {
      try {
        return parseInterval(s || "1h");
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  storage: StorageOverridesSchema.default({}),
});
export type VolumeInput = z.input<typeof VolumeInputSchema>;

export function summariseSetting(s: Setting): SettingSummary {
  return {
    name: s.Name,
    uuid: s.UUID,
    storage: s.Storage,
    bucket: s.Bucket,
    trashDays: s.TrashDays,
    blockSizeKiB: s.BlockSize,
    compression: s.Compression || "none",
    encrypted: !!s.EncryptKey,
    encryptAlgo: s.EncryptKey ? s.EncryptAlgo || "aes256gcm-rsa" : "",
    secretRemoved: s.SecretKey === REMOVED_SECRET,
    hasSecretKey: !!s.SecretKey && s.SecretKey !== REMOVED_SECRET,
    enableACL: s.EnableACL,
    metaVersion: s.MetaVersion ?? 0,
  };
}

/** Open a META-URL, run `fn`, always close. Errors name the URL without its password. */
export async function withEngine<T>(url: string, fn: (e: MetaEngine) => Promise<T>): Promise<T> {
  let engine: MetaEngine;
  try {
    engine = await openEngine(url);
  } catch (err) {
    throw wrapError(`cannot open ${redactUrl(url)}`, err);
  }
  try {
    return await fn(engine);
  } finally {
    await engine.close().catch((err) => logIgnored(`closing ${redactUrl(url)}`, err));
  }
}

/** Connect, read the volume's setting and usage: the test run before saving a volume. */
export async function probeVolume(url: string): Promise<{ setting: Setting; usage: { usedSpace: bigint; usedInodes: bigint } }> {
  return withEngine(url, async (e) => {
    const setting = await e.readSetting();
    if (!setting) throw new JfsError("not-found", `${redactUrl(url)} holds no JuiceFS volume (no setting): format it, or restore a backup into it`);
    return { setting, usage: await e.usage() };
  });
}

/** What "Test connection" found, part by part: the metadata engine, then the object storage. */
export interface ConnectionTest {
  setting: SettingSummary;
  usedInodes: string;
  /** The bucket the setting (and the form's overrides) name: answers, holds this volume, lists meta/. */
  storage: { ok: boolean; message: string };
}

/**
 * "Test connection": read the setting and usage from the metadata engine (throws when that
 * fails), then check the storage it names with the form's overrides: juicefs_uuid holds
 * this volume's UUID (lib/storage/volume checkVolumeStorage) and meta/ lists. A volume whose
 * engine answers but whose bucket does not is not "connected": backups live in the bucket.
 */
export async function testConnection(input: z.output<typeof VolumeInputSchema>): Promise<ConnectionTest> {
  const { setting, usage } = await probeVolume(input.metaUrl);
  let storage = await checkVolumeStorage(setting, input.storage);
  if (storage.ok) {
    try {
      const n = (await listBackups(volumeBackupStore(setting, input.storage))).length;
      storage = { ok: true, message: `${storage.message}; ${n.toLocaleString("en-US")} ${n === 1 ? "object" : "objects"} in meta/` };
    } catch (err) {
      storage = { ok: false, message: `listing ${backupLocation(setting, input.storage)} failed: ${(err as Error).message}` };
    }
  }
  return { setting: summariseSetting(setting), usedInodes: usage.usedInodes.toString(), storage };
}

export async function addVolume(raw: unknown, actor: string): Promise<{ id: string; name: string }> {
  const input = VolumeInputSchema.parse(raw);
  const { setting } = await probeVolume(input.metaUrl);
  const db = await getDb();
  const name = input.name || setting.Name;
  if (await db.volume.findUnique({ where: { name } })) throw new JfsError("refused", `a volume named "${name}" is already registered`);
  const id = randomUUID();
  await db.volume.create({
    data: { id, name, ...sealedColumns(id, input.metaUrl, input.storage), backupInterval: input.backupInterval },
  });
  await audit(actor, "volume-add", name, redactUrl(input.metaUrl));
  return { id, name };
}

/** The volume forms' fields as their labels say, for error messages. */
export const VOLUME_FIELD_LABELS: Readonly<Record<string, string>> = {
  metaUrl: "META-URL",
  name: "Display name",
  backupInterval: "Clients' --backup-meta interval",
  "storage.bucket": "Bucket",
  "storage.endpoint": "Endpoint",
  "storage.accessKey": "Access key",
  "storage.secretKey": "Secret key",
};

export const VolumeUpdateSchema = z.object({
  backupInterval: VolumeInputSchema.shape.backupInterval,
  storage: StorageOverridesSchema,
});

/** Change the expected interval and the storage overrides; a blank secret keeps the stored one. */
export async function updateVolume(id: string, raw: unknown, actor: string): Promise<void> {
  const input = VolumeUpdateSchema.parse(raw);
  const v = await getVolume(id);
  if (!v) throw new JfsError("not-found", `no volume ${id}`);
  const storage = { ...input.storage, secretKey: input.storage.secretKey || v.storage.secretKey };
  const db = await getDb();
  const { storageJson } = sealedColumns(id, v.metaUrl, storage);
  await db.volume.update({ where: { id }, data: { backupInterval: input.backupInterval, storageJson } });
  const shown = { ...storage, secretKey: storage.secretKey ? "****" : undefined, sessionToken: storage.sessionToken ? "****" : undefined };
  await audit(actor, "volume-update", v.name, JSON.stringify({ backupInterval: input.backupInterval, storage: shown }));
}

export async function removeVolume(id: string, actor: string): Promise<void> {
  const db = await getDb();
  const v = await db.volume.delete({ where: { id } });
  await forgetVolumeRecords(id);
  await audit(actor, "volume-remove", v.name, redactUrl(unseal(v.metaUrl, `Volume.metaUrl:${id}`)));
}

export type VolumeRecord = {
  id: string;
  name: string;
  metaUrl: string;
  storage: StorageOverrides;
  backupInterval: number;
  demo: boolean;
};

/**
 * The stored form of a volume's secrets: the META-URL (it may hold a password) and the
 * storage overrides (they may hold a secret key) are sealed whole (./secretbox), bound to the
 * row. Every write of these columns goes through here.
 */
export function sealedColumns(id: string, metaUrl: string, storage: StorageOverrides): { metaUrl: string; storageJson: string } {
  return { metaUrl: seal(metaUrl, `Volume.metaUrl:${id}`), storageJson: seal(JSON.stringify(storage), `Volume.storageJson:${id}`) };
}

export async function getVolume(id: string): Promise<VolumeRecord | null> {
  const db = await getDb();
  const v = await db.volume.findUnique({ where: { id } });
  if (!v) return null;
  return {
    id: v.id,
    name: v.name,
    metaUrl: unseal(v.metaUrl, `Volume.metaUrl:${v.id}`),
    storage: StorageOverridesSchema.parse(JSON.parse(unseal(v.storageJson || "{}", `Volume.storageJson:${v.id}`) || "{}")),
    backupInterval: v.backupInterval,
    demo: v.demo,
  };
}

/**
 * Start-up: seal the rows an older version stored in clear, and try every sealed row with the
 * key, so a replaced or lost key file is reported at start with the volumes it affects.
 */
export async function sealStoredSecrets(): Promise<{ sealed: number; unreadable: string[] }> {
  const db = await getDb();
  let sealed = 0;
  const unreadable: string[] = [];
  for (const v of await db.volume.findMany({ select: { id: true, name: true, metaUrl: true, storageJson: true } })) {
    let metaUrl: string;
    let storage: StorageOverrides;
    try {
      metaUrl = unseal(v.metaUrl, `Volume.metaUrl:${v.id}`);
      storage = StorageOverridesSchema.parse(JSON.parse(unseal(v.storageJson || "{}", `Volume.storageJson:${v.id}`) || "{}"));
    } catch (err) {
      if (!(err instanceof SecretKeyError)) throw err;
      unreadable.push(v.name);
      continue;
    }
    if (isSealed(v.metaUrl) && isSealed(v.storageJson)) continue;
    await db.volume.update({ where: { id: v.id }, data: sealedColumns(v.id, metaUrl, storage) });
    sealed++;
  }
  return { sealed, unreadable };
}

export async function listVolumes(): Promise<VolumeRecord[]> {
  const db = await getDb();
  const rows = await db.volume.findMany({ orderBy: { name: "asc" } });
  return (await Promise.all(rows.map((r) => getVolume(r.id)))).filter((v): v is VolumeRecord => !!v);
}

/**
 * Forecast cadence: the clients' interval, but at least an hour. Beyond the first two days
 * JuiceFS's windows are days wide, so a finer cadence moves predicted deletions by under an
 * hour while costing a simulation step per backup over two years (17 s at 5 minutes).
 */
export function forecastCadence(intervalSeconds: number): number {
  return Math.max(3600, intervalSeconds > 0 ? intervalSeconds : 3600);
}

const timelineCache = new Map<string, ReturnType<typeof backupTimeline>>();

/** The timeline of a listing, reused for a minute (pages and polls ask for it often). */
function cachedTimeline(v: VolumeRecord, listed: Parameters<typeof backupTimeline>[0], now: Date) {
  const minute = Math.floor(now.getTime() / 60_000);
  const key = `${v.id}|${v.backupInterval}|${minute}|${listed.map((b) => `${b.name}:${b.size}:${b.kind}`).join(",")}`;
  let t = timelineCache.get(key);
  if (!t) {
    // Simulated backups follow the newest real one's cadence, so "goes ≈" stays put across loads.
    const newest = listed.reduce<number | null>((m, b) => (b.time && (m === null || b.time.getTime() > m) ? b.time.getTime() : m), null);
    t = backupTimeline(listed, new Date(minute * 60_000), {
      intervalSeconds: forecastCadence(v.backupInterval),
      cadenceFrom: newest === null ? undefined : new Date(newest),
    });
    if (timelineCache.size > 32) timelineCache.delete(timelineCache.keys().next().value!);
    timelineCache.set(key, t);
  }
  return t;
}

/** Everything the volume page shows, gathered server side; failures become messages. */
export async function volumeView(v: VolumeRecord, now = new Date()): Promise<VolumeView> {
  let setting: Setting | null = null;
  let settingError: string | null = null;
  let usage: VolumeView["usage"] = null;
  try {
    const probed = await probeVolume(v.metaUrl);
    setting = probed.setting;
    usage = { usedSpace: probed.usage.usedSpace.toString(), usedInodes: probed.usage.usedInodes.toString() };
  } catch (err) {
    settingError = (err as Error).message;
  }
  let backups: BackupRow[] | null = null;
  let backupsError: string | null = null;
  let location: string | null = null;
  if (setting) {
    try {
      location = backupLocation(setting, v.storage);
      const listed = await listBackups(volumeBackupStore(setting, v.storage));
      const timeline = cachedTimeline(v, listed, now);
      const records = await backupRecords(v.id);
      backups = timeline.items
        .map((b): BackupRow => ({
          key: b.name,
          time: (b.time ?? b.lastModified).toISOString(),
          size: b.size,
          kind: b.time ? "auto" : b.name.startsWith("dump-") ? "manual" : "other",
          format: b.kind,
          encrypted: b.kind === "encrypted",
          fate: b.fate,
          reason: b.reason,
          windowKind: b.window?.kind ?? null,
          deleteAt: b.deleteAt?.toISOString() ?? null,
          deleteReason: b.deleteReason ?? null,
          shrank: false,
          verify: records.get(b.name)?.verify ?? null,
          consistent: records.get(b.name)?.consistent ?? null,
          snapshotAt: records.get(b.name)?.snapshotAt ?? null,
          inodes: records.get(b.name)?.inodes ?? null,
        }))
        .sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
      const autos = backups.filter((b) => b.kind === "auto").map((b) => ({ row: b, time: new Date(b.time!), size: b.size }));
      for (const a of shrunkBackups(autos)) a.row.shrank = true;
    } catch (err) {
      backupsError = (err as Error).message;
    }
  }
  const health = backupHealth({
    now,
    intervalSeconds: v.backupInterval,
    usedInodes: usage ? Number(usage.usedInodes) : null,
    backups: backups ? backups.filter((b) => b.kind === "auto" && b.time).map((b) => ({ time: new Date(b.time!), size: b.size, name: b.key })) : null,
    listingError: backupsError ?? undefined,
    failedVerifies: (backups ?? [])
      .filter((b) => b.verify?.state === "failed" && b.time)
      .map((b) => ({ name: b.key, time: new Date(b.time!), detail: b.verify!.detail })),
  });
  return {
    id: v.id,
    name: v.name,
    redactedUrl: redactUrl(v.metaUrl),
    engine: engineKindOf(v.metaUrl),
    demo: v.demo,
    intervalSeconds: v.backupInterval,
    setting: setting ? summariseSetting(setting) : null,
    settingError,
    usage,
    backups,
    backupsError,
    backupLocation: location,
    health,
    now: now.toISOString(),
  };
}
