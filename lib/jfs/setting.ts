// The volume format ("Setting" in dumps, the `setting` key/row in engines).
// SETTING_FIELDS is the single source of the member order, JSON kind and omitempty rule; the
// encoder and decoder (lib/jfs/setting-json.ts) are derived from it. The zod schema is written
// out so that the Setting type is static; setting.test.ts checks that it agrees with the table.
import { z } from "zod";

export type SettingFieldKind = "string" | "int" | "int64" | "bool" | "tiers";

export interface SettingField {
  name: string;
  kind: SettingFieldKind;
  /** Go `omitempty`: left out when "", 0, false. */
  omitEmpty: boolean;
}

const f = (name: string, kind: SettingFieldKind, omitEmpty = true): SettingField => ({ name, kind, omitEmpty });

/** pkg/meta/config.go Format, in serialisation order. */
export const SETTING_FIELDS: readonly SettingField[] = [
  f("Name", "string", false),
  f("UUID", "string", false),
  f("Storage", "string", false),
  f("StorageClass", "string"),
  f("Tiers", "tiers", false),
  f("Bucket", "string", false),
  f("AccessKey", "string"),
  f("SecretKey", "string"),
  f("SessionToken", "string"),
  f("BlockSize", "int", false),
  f("Compression", "string"),
  f("Shards", "int"),
  f("HashPrefix", "bool"),
  f("Capacity", "int64"),
  f("Inodes", "int64"),
  f("EncryptKey", "string"),
  f("EncryptAlgo", "string"),
  f("KeyEncrypted", "bool"),
  f("UploadLimit", "int64"),
  f("DownloadLimit", "int64"),
  f("TrashDays", "int", false),
  f("MetaVersion", "int"),
  f("MinClientVersion", "string"),
  f("MaxClientVersion", "string"),
  f("DirStats", "bool"),
  f("UserGroupQuota", "bool"),
  f("EnableACL", "bool", false),
  f("RangerRestUrl", "string"),
  f("RangerService", "string"),
  f("ChangeLog", "bool"),
  f("ChangeLogMaxAge", "int64"),
  f("ChangeLogMaxLines", "int64"),
  f("KerbConf", "string"),
];

export const TierSchema = z.object({
  ID: z.number().int(),
  StorageClass: z.string(),
  Tag: z.string(),
});
export type Tier = z.infer<typeof TierSchema>;

/**
 * The decoded volume format. 64-bit members are bigint. `Tiers` keeps null when the stored
 * format has none (pre-1.4); see effectiveTiers().
 */
export const SettingSchema = z.object({
  Name: z.string(),
  UUID: z.string(),
  Storage: z.string(),
  StorageClass: z.string().optional(),
  Tiers: z.record(z.string(), TierSchema).nullable().optional(),
  Bucket: z.string(),
  AccessKey: z.string().optional(),
  SecretKey: z.string().optional(),
  SessionToken: z.string().optional(),
  BlockSize: z.number().int(),
  Compression: z.string().optional(),
  Shards: z.number().int().optional(),
  HashPrefix: z.boolean().optional(),
  Capacity: z.bigint().optional(),
  Inodes: z.bigint().optional(),
  EncryptKey: z.string().optional(),
  EncryptAlgo: z.string().optional(),
  KeyEncrypted: z.boolean().optional(),
  UploadLimit: z.bigint().optional(),
  DownloadLimit: z.bigint().optional(),
  TrashDays: z.number().int(),
  MetaVersion: z.number().int().optional(),
  MinClientVersion: z.string().optional(),
  MaxClientVersion: z.string().optional(),
  DirStats: z.boolean().optional(),
  UserGroupQuota: z.boolean().optional(),
  EnableACL: z.boolean(),
  RangerRestUrl: z.string().optional(),
  RangerService: z.string().optional(),
  ChangeLog: z.boolean().optional(),
  ChangeLogMaxAge: z.bigint().optional(),
  ChangeLogMaxLines: z.bigint().optional(),
  KerbConf: z.string().optional(),
});
export type Setting = z.infer<typeof SettingSchema>;

/** The literal JuiceFS writes in place of a secret that a dump left out. */
export const REMOVED_SECRET = "removed";

/** Tiers as a reader of the format sees them: a missing map means tier 0 = StorageClass. */
export function effectiveTiers(s: Setting): Record<string, Tier> {
  return s.Tiers ?? { "0": { ID: 0, StorageClass: s.StorageClass ?? "", Tag: "" } };
}

/** The secrets a dump masks unless --keep-secret-key (JSON dumps keep EncryptKey). */
export function maskSecrets(s: Setting): Setting {
  return {
    ...s,
    SecretKey: s.SecretKey ? REMOVED_SECRET : s.SecretKey,
    SessionToken: s.SessionToken ? REMOVED_SECRET : s.SessionToken,
  };
}
