// lib/jfs/setting.ts
import { z } from "zod";
var f = (name, kind, omitEmpty = true) => ({ name, kind, omitEmpty });
var SETTING_FIELDS = [
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
  f("KerbConf", "string")
];
var TierSchema = z.object({
  ID: z.number().int(),
  StorageClass: z.string(),
  Tag: z.string()
});
var SettingSchema = z.object({
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
  KerbConf: z.string().optional()
});
var REMOVED_SECRET = "removed";
function effectiveTiers(s) {
  return s.Tiers ?? { "0": { ID: 0, StorageClass: s.StorageClass ?? "", Tag: "" } };
}
function maskSecrets(s) {
  return {
    ...s,
    SecretKey: s.SecretKey ? REMOVED_SECRET : s.SecretKey,
    SessionToken: s.SessionToken ? REMOVED_SECRET : s.SessionToken
  };
}

export {
  SETTING_FIELDS,
  SettingSchema,
  REMOVED_SECRET,
  effectiveTiers,
  maskSecrets
};
