// Backups of a volume in its object storage (<bucket>/<name>/meta/), through lib/storage:
// the volume's store built from its Setting (+ the dashboard's overrides), the listing with
// each object's kind sniffed from its first bytes, reading one, adding a manual one.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { JfsError } from "../jfs/errors";
import type { Setting } from "../jfs/setting";
import { getBytes } from "../storage/store";
import { BACKUP_PREFIX, listBackups as listStoredBackups, type BackupInfo } from "../storage/backups";
import { openVolumeStore, StorageOverridesSchema, type StorageOverrides } from "../storage/volume";

export { StorageOverridesSchema, type StorageOverrides };
export type { BackupInfo };

export function checkBackupKey(key: string): string {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(key) || key.startsWith(".")) throw new JfsError("usage", `"${key}" is not a backup name`);
  return key;
}

function storeOf(setting: Setting, o: StorageOverrides) {
  return openVolumeStore(setting, o).store;
}

/** Where backups are listed from, without secrets: `file:/…/demo/meta/`, `s3://bucket/name/meta/`. */
export function backupLocation(setting: Setting, o: StorageOverrides): string {
  return storeOf(setting, o).describe() + BACKUP_PREFIX;
}

export async function listBackups(setting: Setting, o: StorageOverrides): Promise<BackupInfo[]> {
  return listStoredBackups(storeOf(setting, o));
}

export async function readBackup(setting: Setting, o: StorageOverrides, name: string): Promise<Readable> {
  return storeOf(setting, o).get(BACKUP_PREFIX + checkBackupKey(name));
}

/** The first `bytes` bytes of a backup (header checks without a download). */
export async function readBackupHead(setting: Setting, o: StorageOverrides, name: string, bytes: number): Promise<Buffer> {
  return getBytes(storeOf(setting, o), BACKUP_PREFIX + checkBackupKey(name), { start: 0, end: bytes - 1 });
}

export async function backupSize(setting: Setting, o: StorageOverrides, name: string): Promise<number> {
  const info = await storeOf(setting, o).head(BACKUP_PREFIX + checkBackupKey(name));
  if (!info) throw new JfsError("not-found", `backup ${name} is not in ${backupLocation(setting, o)}`);
  return info.size;
}

/** Upload a finished local file as meta/<name>. */
export async function putBackup(setting: Setting, o: StorageOverrides, name: string, localFile: string): Promise<void> {
  const { size } = await stat(localFile);
  await storeOf(setting, o).put(BACKUP_PREFIX + checkBackupKey(name), createReadStream(localFile), size);
}
