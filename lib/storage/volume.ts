// The object store of a volume, built from its Setting as a JuiceFS client builds its blob
// (docs/format/backups.md §7.1): secrets decrypted, store from Storage + Bucket, keys under `<Name>/`.
import { z } from "zod";
import { decryptEnvelope, envelopeAlgo, isEnvelope, loadRsaPrivateKey } from "../dump/envelope";
import { decryptSetting, type SecretField } from "../jfs/secrets";
import type { Setting } from "../jfs/setting";
import { FileStore } from "./file";
import { parseMinioBucket, parseS3Bucket, S3Store, type S3Location } from "./s3";
import { ShardedStore, shardBucket } from "./sharded";
import { getBytes, PrefixedStore, StorageError, type ObjectStore } from "./store";

/** What a user may override (a dump whose secret is "removed", a moved endpoint). */
export const StorageOverridesSchema = z.object({
  /** Replaces the Storage type (file, s3, minio). */
  storage: z.string().optional(),
  /** Replaces the whole Bucket URL / directory. */
  bucket: z.string().optional(),
  /** s3/minio: replaces the endpoint (scheme://host:port); the bucket name is kept; path style. */
  endpoint: z.string().url().optional(),
  accessKey: z.string().optional(),
  secretKey: z.string().optional(),
  sessionToken: z.string().optional(),
});
export type StorageOverrides = z.infer<typeof StorageOverridesSchema>;

export interface VolumeStore {
  /** The store with keys relative to `<Name>/`. */
  store: ObjectStore;
  /** The setting with secrets in clear (never log it). */
  setting: Setting;
}

export function openVolumeStore(stored: Setting, overrides: StorageOverrides = {}): VolumeStore {
  const o = StorageOverridesSchema.parse(overrides);
  const { setting, removed } = decryptSetting(stored);
  const storage = (o.storage ?? setting.Storage).toLowerCase();
  const bucket = o.bucket ?? setting.Bucket;
  const prefix = `${setting.Name}/`;
  const shards = setting.Shards ?? 0;
  const build = (b: string) => openBucket(storage, b, setting, removed, o);
  // Shards hash the full key (`<Name>/meta/…`), so the prefix goes outside the sharding.
  const inner = shards > 1 ? new ShardedStore(Array.from({ length: shards }, (_, i) => build(shardBucket(bucket, i)))) : build(bucket);
  return { store: new PrefixedStore(inner, prefix), setting };
}

function openBucket(storage: string, bucket: string, setting: Setting, removed: SecretField[], o: StorageOverrides): ObjectStore {
  if (storage === "file") return new FileStore(bucket);
  if (storage !== "s3" && storage !== "minio") {
    throw new StorageError(
      `storage type "${storage}" is not supported; jfsmeta speaks file, s3 and minio — for an S3-compatible service pass --storage s3 (and --storage-endpoint if needed)`,
      "unsupported",
    );
  }
  const secretKey = o.secretKey ?? setting.SecretKey;
  const sessionToken = o.sessionToken ?? setting.SessionToken;
  const accessKey = o.accessKey ?? setting.AccessKey ?? (storage === "minio" ? process.env.MINIO_ACCESS_KEY : undefined);
  if (secretKey === "removed" || (removed.includes("SecretKey") && o.secretKey === undefined)) {
    throw new StorageError(
      `the volume's secret key was removed (it came from a dump): pass --secret-key (or JFSMETA_SECRET_KEY), or store it with \`jfsmeta config META-URL --secret-key …\``,
      "refused",
    );
  }
  if (sessionToken === "removed") {
    throw new StorageError("the volume's session token was removed (it came from a dump): store a fresh one with `jfsmeta config --session-token …`", "refused");
  }
  let loc: S3Location = storage === "minio" ? parseMinioBucket(bucket) : parseS3Bucket(bucket);
  if (o.endpoint) loc = { ...loc, endpoint: o.endpoint.replace(/\/+$/, ""), forcePathStyle: true, tls: o.endpoint.startsWith("https:") };
  return new S3Store(loc, {
    accessKey,
    secretKey: secretKey ?? (storage === "minio" ? process.env.MINIO_SECRET_KEY : undefined),
    sessionToken,
  });
}

export interface StorageCheck {
  ok: boolean;
  /** What was found, in words (no secrets). */
  message: string;
}

/**
 * Check that the storage answers with these credentials and holds this volume: read
 * `<Name>/juicefs_uuid` (written by `juicefs format`, enveloped on encrypted volumes) and
 * compare it with the setting's UUID.
 */
export async function checkVolumeStorage(stored: Setting, overrides: StorageOverrides = {}): Promise<StorageCheck> {
  let store: ObjectStore;
  let setting: Setting;
  try {
    ({ store, setting } = openVolumeStore(stored, overrides));
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const where = `${store.describe()}juicefs_uuid`;
  try {
    const info = await store.head("juicefs_uuid");
    if (!info) return { ok: false, message: `${where} does not exist: wrong bucket, or not this volume's storage` };
    let body = await getBytes(store, "juicefs_uuid");
    if (isEnvelope(body, body.length) && setting.EncryptKey) {
      body = decryptEnvelope(body, loadRsaPrivateKey(setting.EncryptKey), envelopeAlgo(setting.EncryptAlgo));
    }
    const found = body.toString("utf8").trim();
    if (found !== setting.UUID) return { ok: false, message: `${where} holds UUID ${found.slice(0, 36)}, but the volume's UUID is ${setting.UUID}: this storage belongs to another volume` };
    return { ok: true, message: `storage ${store.describe()} answers and holds volume ${setting.Name} (UUID ${setting.UUID})` };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
