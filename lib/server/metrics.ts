// /metrics in Prometheus's text format (prom-client), behind a bearer token. Everything is
// read from the listing and the dashboard's store at scrape time into a registry made for the
// request, so nothing lingers in module-global state between scrapes (or tests). Backup age
// comes from the backups in meta/, not from JuiceFS's per-client gauges, so it is right even
// when no client runs or every client is broken.
import { createHash, timingSafeEqual } from "node:crypto";
import { Gauge, Registry } from "prom-client";
import { alertsOf, ALERT_KINDS, type AlertKind } from "./alerts";
import { getDb } from "./db";
import { listVolumes, volumeView } from "./volumes";
import { newestBackup, type VolumeView } from "../ui/views";

/** One volume's figures; null where nothing is known (the series is then left out). */
export interface VolumeMetrics {
  volume: string;
  listingOk: boolean;
  newestAgeSeconds: number | null;
  newestSizeBytes: number | null;
  newestInodes: number | null;
  backups: number | null;
  lastBackupDurationSeconds: number | null;
  lastVerify: { ok: boolean; at: number } | null;
  alerts: Record<AlertKind, number>;
}

/** Is `header` "Bearer <the token>"? Compared in constant time. False when no token is set. */
export function bearerOk(header: string | null, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(m[1].trim()), digest(token));
}

/** The figures of one volume's page (pure). `lastBackupMs`: its last backup job's wall time. */
export function volumeMetrics(v: VolumeView, lastBackupMs: number | null): VolumeMetrics {
  const rows = v.backups ?? [];
  const newest = newestBackup(rows);
  const verified = rows.filter((b) => b.verify?.at).sort((a, b) => b.verify!.at!.localeCompare(a.verify!.at!))[0];
  const alerts = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;
  for (const a of alertsOf(v)) alerts[a.kind]++;
  return {
    volume: v.name,
    listingOk: v.backups !== null,
    newestAgeSeconds: newest?.time ? (new Date(v.now).getTime() - new Date(newest.time).getTime()) / 1000 : null,
    newestSizeBytes: newest?.size ?? null,
    newestInodes: newest?.inodes ?? null,
    backups: v.backups ? rows.length : null,
    lastBackupDurationSeconds: lastBackupMs === null ? null : lastBackupMs / 1000,
    lastVerify: verified ? { ok: verified.verify!.state === "ok", at: new Date(verified.verify!.at!).getTime() / 1000 } : null,
    alerts,
  };
}

export async function collectMetrics(): Promise<VolumeMetrics[]> {
  const db = await getDb();
  const out: VolumeMetrics[] = [];
  for (const v of await listVolumes()) {
    // A backup jfsmeta ran: "Back up now", or a dump into meta/.
    const jobs = await db.job.findMany({
      where: { volumeId: v.id, state: "succeeded", kind: { in: ["backup", "dump"] } },
      orderBy: { finishedAt: "desc" },
      take: 20,
      select: { kind: true, paramsJson: true, startedAt: true, finishedAt: true },
    });
    const last = jobs.find((j) => j.kind === "backup" || JSON.parse(j.paramsJson || "{}").target === "meta");
    const ms = last?.startedAt && last.finishedAt ? last.finishedAt.getTime() - last.startedAt.getTime() : null;
    out.push(volumeMetrics(await volumeView(v), ms));
  }
  return out;
}

/** The exposition text and its content type. */
export async function renderMetrics(volumes: VolumeMetrics[]): Promise<{ body: string; contentType: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = ["volume"]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const up = gauge("jfsmeta_backup_listing_ok", "1 if the volume's backups could be listed from its object storage, else 0");
  const age = gauge("jfsmeta_backup_newest_age_seconds", "Age of the newest automatic backup (the newest backup if there is none), from the listing");
  const size = gauge("jfsmeta_backup_newest_size_bytes", "Size of the newest backup as stored");
  const inodes = gauge("jfsmeta_backup_newest_inodes", "Inodes in the newest backup, once a verify counted them");
  const kept = gauge("jfsmeta_backups", "Backups in meta/ (automatic, manual and other objects)");
  const duration = gauge("jfsmeta_backup_last_duration_seconds", "Wall time of the last backup jfsmeta ran for the volume");
  const verify = gauge("jfsmeta_verify_last_success", "1 if the last verify of a backup of the volume passed, 0 if it failed");
  const verifyAt = gauge("jfsmeta_verify_last_timestamp_seconds", "When the last verify of a backup of the volume ended (Unix time)");
  const alerts = gauge("jfsmeta_alerts", "Alerts the volume has now, by kind (late, skipped, shrunk, verify-failed)", ["volume", "kind"]);
  const set = (g: Gauge, volume: string, value: number | null) => {
    if (value !== null) g.set({ volume }, value);
  };
  for (const m of volumes) {
    up.set({ volume: m.volume }, m.listingOk ? 1 : 0);
    set(age, m.volume, m.newestAgeSeconds);
    set(size, m.volume, m.newestSizeBytes);
    set(inodes, m.volume, m.newestInodes);
    set(kept, m.volume, m.backups);
    set(duration, m.volume, m.lastBackupDurationSeconds);
    if (m.lastVerify) {
      verify.set({ volume: m.volume }, m.lastVerify.ok ? 1 : 0);
      verifyAt.set({ volume: m.volume }, m.lastVerify.at);
    }
    for (const k of ALERT_KINDS) alerts.set({ volume: m.volume, kind: k }, m.alerts[k]);
  }
  return { body: await registry.metrics(), contentType: registry.contentType };
}
