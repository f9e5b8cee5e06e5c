// What the dashboard knows of a backup object beyond its listing (the BackupRecord table):
// the last verify's outcome, and for backups jfsmeta made, whether the dump was consistent
// and the moment it read. Also how the dashboard's own backups of a volume dump it (BackupPolicy). Keyed by (volume, object name under meta/): a backup deleted by the
// cleanup leaves a row that no listing shows, removed with its volume.
import { z } from "zod";
import { DEFAULT_BACKUP_MAX_LATENCY_MS } from "../storage/autobackup";
import { getDb } from "./db";
import type { BackupVerify } from "../ui/views";

export interface BackupRecordView {
  verify: BackupVerify | null;
  inodes: number | null;
  consistent: boolean | null;
  snapshotAt: string | null;
}

/** The outcome of a verify of `backup`: the newest one replaces the last. */
export async function recordVerify(
  volumeId: string,
  backup: string,
  r: { ok: boolean; detail: string; jobId: string; inodes?: number },
): Promise<void> {
  const db = await getDb();
  const data = {
    verifyState: r.ok ? "ok" : "failed",
    verifiedAt: new Date(),
    verifyDetail: r.detail.slice(0, 2000),
    verifyJobId: r.jobId,
    ...(r.inodes != null ? { inodes: r.inodes } : {}),
    updatedAt: new Date(),
  };
  await db.backupRecord.upsert({ where: { volumeId_backup: { volumeId, backup } }, create: { volumeId, backup, ...data }, update: data });
}

/** How a backup jfsmeta made was dumped (kept here: JuiceFS's loader allows nothing new in the header). */
export async function recordMade(volumeId: string, backup: string, r: { consistent: boolean; snapshotAt: Date | null }): Promise<void> {
  const db = await getDb();
  const data = { consistent: r.consistent, snapshotAt: r.snapshotAt, updatedAt: new Date() };
  await db.backupRecord.upsert({ where: { volumeId_backup: { volumeId, backup } }, create: { volumeId, backup, ...data }, update: data });
}

/** Every record of a volume, by backup name. */
export async function backupRecords(volumeId: string): Promise<Map<string, BackupRecordView>> {
  const db = await getDb();
  const rows = await db.backupRecord.findMany({ where: { volumeId } });
  return new Map(
    rows.map((r) => [
      r.backup,
      {
        verify:
          r.verifyState === "ok" || r.verifyState === "failed"
            ? { state: r.verifyState, at: r.verifiedAt?.toISOString() ?? null, detail: r.verifyDetail, jobId: r.verifyJobId }
            : null,
        inodes: r.inodes ?? null,
        consistent: r.consistent ?? null,
        snapshotAt: r.snapshotAt?.toISOString() ?? null,
      },
    ]),
  );
}

export async function forgetVolumeRecords(volumeId: string): Promise<void> {
  const db = await getDb();
  await db.backupRecord.deleteMany({ where: { volumeId } });
  await db.alertSent.deleteMany({ where: { volumeId } });
  await db.backupPolicy.deleteMany({ where: { volumeId } });
}

// ---------------------------------------------------------------- backup policy (issue #15)

export const BackupPolicySchema = z.object({
  consistent: z.enum(["auto", "on", "off"]),
  /** Engine queries a second at most (--max-ops); absent: no limit. */
  maxOps: z.number().int().positive().max(10_000_000).nullable(),
  /** --max-latency in ms; absent: the automatic backups' 250; 0: no bound. */
  maxLatencyMs: z.number().int().min(0).max(600_000).nullable(),
});
export type BackupPolicy = z.infer<typeof BackupPolicySchema>;

export const DEFAULT_BACKUP_POLICY: BackupPolicy = { consistent: "auto", maxOps: null, maxLatencyMs: null };

export async function getBackupPolicy(volumeId: string): Promise<BackupPolicy> {
  const db = await getDb();
  const p = await db.backupPolicy.findUnique({ where: { volumeId } });
  return p ? BackupPolicySchema.parse({ consistent: p.consistent, maxOps: p.maxOps, maxLatencyMs: p.maxLatencyMs }) : DEFAULT_BACKUP_POLICY;
}

export async function saveBackupPolicy(volumeId: string, raw: unknown): Promise<BackupPolicy> {
  const p = BackupPolicySchema.parse(raw);
  const db = await getDb();
  const data = { ...p, updatedAt: new Date() };
  await db.backupPolicy.upsert({ where: { volumeId }, create: { volumeId, ...data }, update: data });
  return p;
}

/** The policy as runBackupCycle's options: `consistent` undefined is its "where cheap" default. */
export function backupCycleOptions(p: BackupPolicy): { consistent?: boolean; gentle?: { maxOps?: number; maxLatencyMs?: number } } {
  const latency = p.maxLatencyMs === null ? DEFAULT_BACKUP_MAX_LATENCY_MS : p.maxLatencyMs || undefined;
  return {
    consistent: p.consistent === "auto" ? undefined : p.consistent === "on",
    gentle: { maxOps: p.maxOps ?? undefined, maxLatencyMs: latency },
  };
}
