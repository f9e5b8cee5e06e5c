// Timers of the dashboard's server. The demo volume has no JuiceFS client mounted, so the dashboard plays one: every few minutes
// it runs the automatic-backup cycle (which backs up only when the interval has passed since
// the lastBackup xattr, then cleans up as JuiceFS does). Real volumes are left to their clients.
import { runAutoBackup } from "./tasks";
import { listVolumes, volumeView } from "./volumes";
import { alertsOf, announce } from "./alerts";
import { startVerify } from "./verify";
import { newestBackup, type BackupRow } from "../ui/views";
import { errorMessage, JfsError } from "../jfs/errors";

const POLL_MS = 5 * 60_000;
const g = globalThis as unknown as { __jfsmetaScheduler?: NodeJS.Timeout };

export function startDemoBackups(log: (line: string) => void = (l) => console.log(l)): void {
  if (g.__jfsmetaScheduler || process.env.JFSMETA_DEMO_BACKUPS === "0") return;
  const tick = async () => {
    for (const v of (await listVolumes()).filter((x) => x.demo)) {
      const r = await runAutoBackup(v, { force: false });
      if (r.status === "done") log(`jfsmeta: demo backup ${r.name} (${r.size} bytes); cleanup deleted ${r.cleanup?.deleted.length ?? 0}`);
      else if (r.status === "failed") log(`jfsmeta: demo backup failed: ${r.message}`);
    }
  };
  const run = () => void tick().catch((err) => log(`jfsmeta: demo backup failed: ${errorMessage(err)}`));
  g.__jfsmetaScheduler = setInterval(run, POLL_MS);
  g.__jfsmetaScheduler.unref();
  run();
}

// ---------------------------------------------------------------- verify and alert schedules

/** "90s", "5m", "24h", "0" (off) → ms; JFSMETA_VERIFY_EVERY and JFSMETA_ALERT_EVERY. */
export function scheduleMs(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value.trim() === "") return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new JfsError("usage", `"${value}" is not an interval like 30s, 5m, 24h or 0 (off)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"]!;
  return Number(m[1]) * unit;
}

/**
 * Which backup the schedule verifies: the volume's newest (newestBackup: what a restore reaches for first), unless
 * it was verified within `everyMs` or is encrypted (that needs the RSA key, which the
 * dashboard does not keep). Pure.
 */
export function backupToVerify(backups: BackupRow[] | null, now: Date, everyMs: number): BackupRow | null {
  const newest = newestBackup(backups);
  if (!newest || newest.encrypted) return null;
  if (newest.verify?.at && now.getTime() - new Date(newest.verify.at).getTime() < everyMs) return null;
  return newest;
}

const ops = globalThis as unknown as { __jfsmetaOps?: NodeJS.Timeout[] };

/**
 * Every JFSMETA_VERIFY_EVERY (default 24h; 0 off) each volume's newest backup is verified, one
 * job at a time; every JFSMETA_ALERT_EVERY (default 5m; 0 off) every volume's health is
 * checked and new alerts go to the webhook. Both run once soon after start.
 */
export function startOpsSchedule(log: (line: string) => void = (l) => console.log(l)): void {
  if (ops.__jfsmetaOps) return;
  const verifyEvery = scheduleMs(process.env.JFSMETA_VERIFY_EVERY, 24 * 3_600_000);
  const alertEvery = scheduleMs(process.env.JFSMETA_ALERT_EVERY, 5 * 60_000);
  const timers: NodeJS.Timeout[] = [];
  let verifying = false;
  const verifyTick = async () => {
    if (verifying) return;
    verifying = true;
    try {
      for (const v of await listVolumes()) {
        const view = await volumeView(v);
        const b = backupToVerify(view.backups, new Date(), verifyEvery);
        if (!b) continue;
        const { done } = await startVerify(v, b.key, "scheduler", { scheduled: true });
        await done;
      }
    } finally {
      verifying = false;
    }
  };
  let checking = false;
  const alertTick = async () => {
    if (checking) return;
    checking = true;
    try {
      const volumes = await listVolumes();
      const active = [];
      for (const v of volumes) active.push(...alertsOf(await volumeView(v)));
      await announce(active, volumes.map((v) => v.id));
    } finally {
      checking = false;
    }
  };
  const every = (ms: number, what: string, fn: () => Promise<void>) => {
    if (!(ms > 0)) return;
    const run = () => void fn().catch((err) => log(`jfsmeta: ${what} failed: ${errorMessage(err)}`));
    const t = setInterval(run, ms);
    t.unref();
    timers.push(t);
    const first = setTimeout(run, Math.min(ms, 5_000));
    first.unref();
    timers.push(first);
  };
  every(verifyEvery, "scheduled verify", verifyTick);
  every(alertEvery, "alert check", alertTick);
  ops.__jfsmetaOps = timers;
}
