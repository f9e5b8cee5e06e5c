// Backups of a volume in its object storage (<bucket>/<name>/meta/), as the dashboard needs
// them: listing with kind sniffed from the first bytes, reading one, adding a manual one.
// TEMPORARY: only `file` storage until lib/storage's stores land; then this delegates.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { Setting } from "../jfs/setting";
import { parseBackupTime } from "../storage/retention";

export const StorageOverridesSchema = z.object({
  bucket: z.string().trim().max(4096).optional(),
  endpoint: z.string().trim().max(4096).optional(),
  accessKey: z.string().max(1024).optional(),
  secretKey: z.string().max(1024).optional(),
});
export type StorageOverrides = z.infer<typeof StorageOverridesSchema>;

export interface ListedBackup {
  key: string;
  time: Date | null;
  size: number;
  encrypted: boolean | null;
  compression: "gzip" | "zstd" | "none";
}

function fileMetaDir(setting: Setting, o: StorageOverrides): string {
  if (setting.Storage !== "file") {
    throw new Error(`listing "${setting.Storage}" storage is not available in this build yet (only "file")`);
  }
  const bucket = (o.bucket || setting.Bucket).replace(/^file:\/\//, "");
  return path.join(bucket, setting.Name, "meta");
}

export function backupLocation(setting: Setting, o: StorageOverrides): string {
  const bucket = o.bucket || setting.Bucket;
  return `${setting.Storage}:${bucket.replace(/\/?$/, "/")}${setting.Name}/meta/`;
}

/** What the first bytes of an object say about it. */
export function sniff(head: Buffer): Pick<ListedBackup, "encrypted" | "compression"> {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { encrypted: false, compression: "gzip" };
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return { encrypted: false, compression: "zstd" };
  const firstText = head.toString("latin1").trimStart()[0];
  if (firstText === "{") return { encrypted: false, compression: "none" };
  if (head.length === 0) return { encrypted: null, compression: "none" };
  // Neither gzip, zstd nor JSON: JuiceFS's RSA+AEAD envelope of an encrypted volume.
  return { encrypted: true, compression: "gzip" };
}

export async function listBackups(setting: Setting, o: StorageOverrides): Promise<ListedBackup[]> {
  const dir = fileMetaDir(setting, o);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`cannot list ${dir}: ${(err as Error).message}`);
  }
  const out: ListedBackup[] = [];
  for (const key of names.sort()) {
    if (key.endsWith(".tmp")) continue; // an unfinished upload is never a backup
    const p = path.join(dir, key);
    const st = await stat(p);
    if (!st.isFile()) continue;
    const fh = await open(p, "r");
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    await fh.close();
    out.push({ key, time: parseBackupTime(key) ?? st.mtime, size: st.size, ...sniff(head.subarray(0, bytesRead)) });
  }
  return out;
}

export function checkBackupKey(key: string): string {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(key) || key.startsWith(".")) throw new Error(`"${key}" is not a backup name`);
  return key;
}

export async function readBackup(setting: Setting, o: StorageOverrides, key: string): Promise<Readable> {
  const p = path.join(fileMetaDir(setting, o), checkBackupKey(key));
  await stat(p).catch(() => {
    throw new Error(`backup ${key} is not in ${backupLocation(setting, o)}`);
  });
  return createReadStream(p);
}

export async function backupSize(setting: Setting, o: StorageOverrides, key: string): Promise<number> {
  return (await stat(path.join(fileMetaDir(setting, o), checkBackupKey(key)))).size;
}

/** Upload a finished local file as meta/<key> (written to .tmp, then renamed). */
export async function putBackup(setting: Setting, o: StorageOverrides, key: string, localFile: string): Promise<void> {
  const dir = fileMetaDir(setting, o);
  await mkdir(dir, { recursive: true });
  const final = path.join(dir, checkBackupKey(key));
  await pipeline(createReadStream(localFile), createWriteStream(`${final}.tmp`));
  await rename(`${final}.tmp`, final);
}
