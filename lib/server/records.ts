// What the dashboard knows of a backup object beyond its listing (the BackupRecord table):
// the last verify's outcome, and for backups jfsmeta made, whether the dump was consistent
// and the moment it read. Keyed by (volume, object name under meta/): a backup deleted by the
// cleanup leaves a row that no listing shows, removed with its volume.
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
}
