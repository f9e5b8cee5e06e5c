// Timing a command as users run it: a whole process, its wall time, CPU time and peak RSS.
// GNU time (/usr/bin/time, Debian's `time`) reports the child's own rusage: its CPU and its
// peak RSS (ru_maxrss), exact and for that process only. Without GNU time the peak is sampled
// from /proc/PID/status (VmHWM, the kernel's high-water mark) every 20 ms, and CPU is not known.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface Timed {
  /** What ran, for the table: "jfsmeta dump", "juicefs load", "pg_dump"... */
  op: string;
  ms: number;
  /** User + system CPU of the process; null when GNU time is missing. */
  cpuMs: number | null;
  maxRssMB: number;
  stderr: string;
  /** CPU the target's database servers spent meanwhile (bench/server-cpu.ts); absent when not measured. */
  serverCpuMs?: number;
}

const GNU_TIME = "/usr/bin/time";
const HAVE_GNU_TIME = existsSync(GNU_TIME);

export interface TimeOptions {
  /** A file that receives the process's stdout (mysqldump, redis-cli); else stdout is dropped. */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs `cmd args` to its end; rejects with its stderr when it exits non-zero. */
export async function timeProcess(op: string, cmd: string, args: string[], opts: TimeOptions = {}): Promise<Timed> {
  const report = path.join(os.tmpdir(), `jfsmeta-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [file, argv] = HAVE_GNU_TIME ? [GNU_TIME, ["-f", "%U %S %M", "-o", report, cmd, ...args]] : [cmd, args];
  const out = opts.stdoutFile ? await open(opts.stdoutFile, "w") : null;
  try {
    const t0 = performance.now();
    const child = spawn(file, argv, { stdio: ["ignore", out ? out.fd : "ignore", "pipe"], env: { ...process.env, ...opts.env }, cwd: opts.cwd });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    let sampledKB = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) sampledKB = Math.max(sampledKB, Number(m[1]));
      } catch {
        // the process has just ended
      }
    };
    const timer = HAVE_GNU_TIME ? null : setInterval(sample, 20);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    const ms = performance.now() - t0;
    if (timer) clearInterval(timer);
    if (code !== 0) throw new Error(`${op} (${cmd} ${args.join(" ")}) exited with ${code}: ${stderr.trim().split("\n").slice(-5).join("\n")}`);
    if (!HAVE_GNU_TIME) return { op, ms, cpuMs: null, maxRssMB: Math.round(sampledKB / 1024), stderr };
    const [user, sys, rssKB] = readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { op, ms, cpuMs: Math.round((user + sys) * 1000), maxRssMB: Math.round(rssKB / 1024), stderr };
  } finally {
    await out?.close();
    rmSync(report, { force: true });
  }
}
