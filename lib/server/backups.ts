// Backups of a volume in its object storage (<bucket>/<name>/meta/), through lib/storage:
// the volume's store built from its Setting (+ the dashboard's overrides), reading one, adding
// a manual one. Listing and opening a backup are lib/storage/backups and lib/storage/source.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { JfsError } from "../jfs/errors";
import type { Setting } from "../jfs/setting";
import { BACKUP_PREFIX, type BackupInfo } from "../storage/backups";
import { openVolumeStore, StorageOverridesSchema, type StorageOverrides } from "../storage/volume";

export { StorageOverridesSchema, type StorageOverrides };
export type { BackupInfo };

export function checkBackupKey(key: string): string {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(key) || key.startsWith(".")) throw new JfsError("usage", `"${key}" is not a backup name`);
  return key;
}

/** The volume's store (keys under `<Name>/`), as the dashboard's overrides change it. */
export function volumeBackupStore(setting: Setting, o: StorageOverrides) {
  return openVolumeStore(setting, o).store;
}

/** Where backups are listed from, without secrets: `file:/…/demo/meta/`, `s3://bucket/name/meta/`. */
export function backupLocation(setting: Setting, o: StorageOverrides): string {
  return volumeBackupStore(setting, o).describe() + BACKUP_PREFIX;
}

export async function readBackup(setting: Setting, o: StorageOverrides, name: string): Promise<Readable> {
  return volumeBackupStore(setting, o).get(BACKUP_PREFIX + checkBackupKey(name));
}

export async function backupSize(setting: Setting, o: StorageOverrides, name: string): Promise<number> {
  const info = await volumeBackupStore(setting, o).head(BACKUP_PREFIX + checkBackupKey(name));
  if (!info) throw new JfsError("not-found", `backup ${name} is not in ${backupLocation(setting, o)}`);
  return info.size;
}

/** Upload a finished local file as meta/<name>. */
export async function putBackup(setting: Setting, o: StorageOverrides, name: string, localFile: string): Promise<void> {
  const { size } = await stat(localFile);
  await volumeBackupStore(setting, o).put(BACKUP_PREFIX + checkBackupKey(name), createReadStream(localFile), size);
}
