// The demo volume has no JuiceFS client mounted, so the dashboard plays one: every few minutes
// it runs the automatic-backup cycle (which backs up only when the interval has passed since
// the lastBackup xattr, then cleans up as JuiceFS does). Real volumes are left to their clients.
import { runAutoBackup } from "./tasks";
import { listVolumes } from "./volumes";
import { errorMessage } from "../jfs/errors";

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
