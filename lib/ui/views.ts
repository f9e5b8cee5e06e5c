// Shapes the server sends to the browser (no secrets, 64-bit numbers as strings, dates as
// ISO strings). Browser-safe: types and pure helpers only.

export type HealthLevel = "ok" | "warn" | "critical" | "unknown";

export interface HealthIssue {
  level: Exclude<HealthLevel, "ok" | "unknown">;
  code: "no-backups" | "stale" | "late" | "skipped-too-many-inodes" | "shrank" | "listing-failed";
  title: string;
  detail: string;
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
