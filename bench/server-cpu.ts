// The CPU time a database server spends while a step runs: on this 2-core machine the server
// and our process share the cores, so a step whose wall time is near (our CPU + the server's)
// / cores is bound by the machine, not by either side's waiting. Summed over the server's
// processes from /proc: the root and its descendants (PostgreSQL's postmaster, backends and
// parallel workers; Redis and the child of a snapshot), with the children already ended and
// reaped (cutime, cstime). MariaDB's sessions are threads of its one process.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ, the unit of /proc's CPU times (100 on Linux, asked once). */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** ppid and CPU ticks (own + reaped children's) of a process, or null when it is gone. */
function procStat(pid: number): { ppid: number; ticks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: the fields start after its last ')'.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17.
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** CPU milliseconds so far of the processes `roots` and all their descendants. */
export function processTreeCpuMs(roots: readonly number[]): number {
  if (!roots.length) return 0;
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (!s) continue;
    ticks.set(Number(name), s.ticks);
    const list = children.get(s.ppid);
    if (list) list.push(Number(name));
    else children.set(s.ppid, [Number(name)]);
  }
  let total = 0;
  const todo = [...roots];
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += ticks.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return (total * 1000) / TICKS_PER_S;
}
