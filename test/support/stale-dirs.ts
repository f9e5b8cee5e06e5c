// Temp dirs of private test servers record their owner's pid; a dir whose owner is gone (killed
// outright, so no cleanup ran) is removed by the next server start.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const OWNER = "owner.pid";

export function claimDir(dir: string): void {
  writeFileSync(path.join(dir, OWNER), String(process.pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function removeStaleDirs(prefix: string): void {
  for (const name of readdirSync(os.tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(os.tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(dir, OWNER), "utf8"));
    } catch {
      continue; // not claimed yet (being created) or not ours
    }
    if (pid > 0 && !alive(pid)) rmSync(dir, { recursive: true, force: true });
  }
}
