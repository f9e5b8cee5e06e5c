// npm run bench -- --live-load [--files N] [--engine E] [--threads N] [--rate OPS] [--max-latency MS] [--max-ops N]
// Issue #15's figures: a foreground client (bench/client.ts, its own process) does metadata
// operations at a steady rate against a volume of N files while `jfsmeta dump` runs, as users
// run it. Printed: the client's p50/p99/max latency with no dump, during a plain dump, a
// gentle one (--max-latency, and --max-ops when given) and a consistent one, and each dump's
// wall time; then consistent / plain (the aim: at most 1.2x) and gentle / plain.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { JsonDumpWriter } from "../lib/dump/writer";
import { writeSyntheticDump } from "../lib/synth/volume";
import { timeProcess, type Timed } from "./process";
import { startTarget } from "./targets";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "1000000" },
    engine: { type: "string", default: "redis" },
    threads: { type: "string", default: "10" },
    rate: { type: "string", default: "200" },
    "max-latency": { type: "string", default: "20" },
    "max-ops": { type: "string" },
    /** Seconds of client alone before the dumps (the baseline). */
    baseline: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
  },
});
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.join(here, "..");
const files = Number(values.files);
const threads = values.threads!;

interface Window {
  name: string;
  from: number;
  to: number;
  dump?: Timed;
}

/** The client process; `samples()` stops it (SIGTERM) and returns its [startEpochMs, latencyMs] pairs. */
async function startClient(url: string): Promise<{ samples(): Promise<[number, number][]>; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(here, "client.ts"), url, values.rate!], { stdio: ["ignore", "pipe", "inherit"], cwd: root });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("close", resolve);
  });
  // Started when it has read the root directory and is about to begin.
  while (!out.startsWith("ready\n")) {
    if (proc.exitCode !== null) throw new Error(`the bench client exited with ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    async samples() {
      proc.kill("SIGTERM");
      const code = await closed;
      if (code !== 0) throw new Error(`the bench client exited with ${code}`);
      return JSON.parse(out.slice("ready\n".length).trim()) as [number, number][];
    },
  };
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-live-"));
  const target = await startTarget(values.engine!);
  let client: Awaited<ReturnType<typeof startClient>> | null = null;
  try {
    const source = path.join(tmp, "synthetic.json");
    const out = createWriteStream(source, { highWaterMark: 1 << 20 });
    await writeSyntheticDump(new JsonDumpWriter(out), { files, seed: Number(values.seed) });
    out.end();
    await finished(out);
    const jfsmeta = (op: string, args: string[]) => timeProcess(`jfsmeta ${op}`, process.execPath, [path.join(root, "bin", "jfsmeta.mjs"), op, ...args], { cwd: root });
    await jfsmeta("load", [target.url, source]);
    rmSync(source);
    console.log(
      `live load: ${files.toLocaleString("en-US")} files on ${values.engine}, a client doing ${values.rate} operations/s (lookups and xattr writes, alternately), dump threads ${threads}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
    );

    client = await startClient(target.url);
    const windows: Window[] = [];
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, Number(values.baseline) * 1000));
    windows.push({ name: "no dump", from: t0, to: Date.now() });
    const dumpFile = path.join(tmp, "dump.json");
    const dumps: [string, string[]][] = [
      ["plain dump", []],
      [`gentle, --max-latency ${values["max-latency"]}`, ["--max-latency", values["max-latency"]!]],
      ...(values["max-ops"] ? [[`gentle, --max-ops ${values["max-ops"]}`, ["--max-ops", values["max-ops"]]] as [string, string[]]] : []),
      ["consistent dump", ["--consistent"]],
    ];
    for (const [name, flags] of dumps) {
      const from = Date.now();
      const dump = await jfsmeta("dump", [target.url, dumpFile, "--threads", threads, ...flags]);
      windows.push({ name, from, to: Date.now(), dump });
      rmSync(dumpFile, { force: true });
    }
    const samples = await client.samples();
    client = null;

    console.log(`${"".padEnd(28)} ${"client p50".padStart(10)} ${"p99".padStart(10)} ${"max".padStart(10)}  ops   dump wall   dump peak RSS`);
    for (const w of windows) {
      const lat = samples.filter(([at]) => at >= w.from && at < w.to).map(([, l]) => l).sort((a, b) => a - b);
      const dump = w.dump ? `${(w.dump.ms / 1000).toFixed(2).padStart(8)} s   ${String(w.dump.maxRssMB).padStart(5)} MB` : "";
      console.log(`${w.name.padEnd(28)} ${ms(pct(lat, 0.5))} ${ms(pct(lat, 0.99))} ${ms(lat.at(-1) ?? NaN)} ${String(lat.length).padStart(5)} ${dump}`);
    }
    const wall = (name: string) => windows.find((w) => w.name.startsWith(name))!.dump!.ms;
    console.log(`consistent / plain: ${(wall("consistent") / wall("plain")).toFixed(2)}x (aim: at most 1.2x); gentle / plain: ${(wall("gentle, --max-latency") / wall("plain")).toFixed(2)}x`);
  } finally {
    if (client) client.proc.kill("SIGKILL");
    await target.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
