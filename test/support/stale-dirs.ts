// Temp dirs of private test servers record their owner's pid; a dir whose owner is gone (killed
// outright, so no cleanup ran) is removed by the next server start.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * The temp dir and process of one private test server. Both go when the server is stopped,
 * when its start fails, or when the test process exits without stopping it.
 */
export class ServerLifetime {
  readonly dir: string;
  proc: ChildProcess | null = null;
  private readonly onExit = () => this.killNow();

  constructor(
    prefix: string,
    /** How the server is stopped: its data is throwaway, so no clean shutdown is needed. */
    private readonly signal: NodeJS.Signals,
  ) {
    removeStaleDirs(prefix);
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    claimDir(this.dir);
    process.once("exit", this.onExit);
  }

  /** Kill and remove at once (a failed start, or the process exiting). */
  killNow(): void {
    process.removeListener("exit", this.onExit);
    try {
      this.proc?.kill(this.signal);
    } catch {
      /* already gone */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stop the server, wait for it to exit, remove its dir. */
  async stop(): Promise<void> {
    process.removeListener("exit", this.onExit);
    const p = this.proc;
    // A process killed by a signal keeps exitCode null: check both, or a second stop() waits forever.
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill(this.signal);
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Start a private server, again on a failed start (up to `attempts` times): parallel test
 * files pick free ports independently, so two of them may race for one port.
 */
export async function startWithRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}
