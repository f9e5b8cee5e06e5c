// npm run bench -- --ab OTHER [--files N] [--engine E] [--pairs N] [--step dump|dump-binary|load]
//
// This checkout's CLI against OTHER's (a worktree of the build before, say) on the same
// database, as users run each: `node bin/jfsmeta.mjs`, a process of its own, wall time, CPU and
// peak RSS (process.ts). Why a script: this VM's speed drifts by a quarter within the hour, so
// only runs taking turns compare; and a checkout that runs from source through tsx instead of its
// bundle starts 0.3-0.4 s later and peaks 30-40 MB higher, which once passed for the effect of a
// change (README, the journal's evening of 2026-12-07). So both bundles are built and checked
// first (JFSMETA_DEBUG), the runs go A B B A A B B A … (a drift falls on both alike), and the
// dumps of both must hold the same bytes. `--step load` loads into a new empty database each run
// (targets.ts another()) and keeps them all until the end: with Redis a server each, holding
// the whole volume in memory, so keep its pairs few there.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { JsonDumpWriter } from "../lib/dump/writer";
import { writeSyntheticDump } from "../lib/synth/volume";
import { timeProcess, type Timed } from "./process";
import { fileDigest } from "./same-bytes";
import { startTarget } from "./targets";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");

const { values } = parseArgs({
  options: {
    ab: { type: "string" },
    files: { type: "string", default: "1000000" },
    engine: { type: "string", default: "postgres" },
    pairs: { type: "string", default: "6" },
    step: { type: "string", default: "dump" },
    threads: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
  },
});
const other = path.resolve(values.ab ?? "");
const step = values.step!;
const pairs = Number(values.pairs);
if (!values.ab || !existsSync(path.join(other, "bin", "jfsmeta.mjs"))) throw new Error(`--ab takes another checkout of jfsmeta (with bin/jfsmeta.mjs), not "${values.ab ?? ""}"`);
if (!["dump", "dump-binary", "load"].includes(step)) throw new Error(`--step takes dump, dump-binary or load, not "${step}"`);
if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs takes a count of pairs, not "${values.pairs}"`);

/** Builds a checkout's CLI bundle if stale, then checks that its bin/jfsmeta.mjs runs it. */
function ensureBundle(checkout: string): void {
  const built = spawnSync(process.execPath, [path.join(checkout, "scripts", "build-cli.mjs"), "--if-stale"], { cwd: checkout, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building the CLI bundle of ${checkout} failed: ${built.stderr}`);
  const probe = spawnSync(process.execPath, [path.join(checkout, "bin", "jfsmeta.mjs"), "dump", "--help"], { cwd: checkout, encoding: "utf8", env: { ...process.env, JFSMETA_DEBUG: "1" } });
  const said = probe.stderr.split("\n").find((l) => l.startsWith("jfsmeta: running")) ?? "";
  if (!said.endsWith("main.js")) throw new Error(`${checkout} would not run its own CLI bundle (${said || "no JFSMETA_DEBUG line"}): the comparison would time tsx, not the change`);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  ensureBundle(root);
  ensureBundle(other);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-ab-"));
  const target = await startTarget(values.engine!);
  try {
    if (step === "load" && !target.another) throw new Error(`--step load needs an empty database a run, which --engine ${values.engine} cannot give here`);
    const source = path.join(tmp, "synthetic.json");
    const out = createWriteStream(source, { highWaterMark: 1 << 20 });
    await writeSyntheticDump(new JsonDumpWriter(out), { files: Number(values.files), seed: Number(values.seed) });
    out.end();
    await finished(out);
    const cli = (checkout: string) => path.join(checkout, "bin", "jfsmeta.mjs");
    if (step !== "load") await timeProcess("load", process.execPath, [cli(root), "load", target.url, source], { cwd: root });
    const sides = { A: root, B: other };
    const runs: Record<"A" | "B", Timed[]> = { A: [], B: [] };
    const hashes: Record<"A" | "B", string | null> = { A: null, B: null };
    console.log(`A: ${root}\nB: ${other}\nengine ${values.engine}, ${Number(values.files).toLocaleString("en-US")} files, ${pairs} pairs of ${step}, load average ${os.loadavg()[0].toFixed(1)}`);
    // A B B A A B B A …: each pair's order alternates.
    for (let k = 0; k < pairs; k++) {
      for (const side of k % 2 ? (["B", "A"] as const) : (["A", "B"] as const)) {
        const checkout = sides[side];
        const file = path.join(tmp, `${side}.${step === "dump-binary" ? "bin" : "json"}`);
        const args =
          step === "load" ? ["load", await target.another!(), source] : ["dump", target.url, file, "--threads", values.threads!, ...(step === "dump-binary" ? ["--binary"] : [])];
        const t = await timeProcess(`${side} ${step}`, process.execPath, [cli(checkout), ...args], { cwd: checkout });
        runs[side].push(t);
        console.log(`pair ${k + 1} ${side}: ${secs(t.ms)} wall, ${t.cpuMs === null ? "?" : secs(t.cpuMs)} CPU, peak RSS ${t.maxRssMB} MB`);
        if (step !== "load") {
          const hash = await fileDigest(file);
          if ((hashes[side] ??= hash) !== hash) throw new Error(`${side}'s dumps of the same database differ from run to run`);
          rmSync(file, { force: true });
        }
      }
    }
    if (step !== "load" && hashes.A !== hashes.B) throw new Error("A's and B's dumps of the same database hold different bytes");
    const wall = (s: "A" | "B") => runs[s].map((t) => t.ms);
    const faster = runs.A.filter((t, k) => t.ms < runs.B[k].ms).length;
    for (const s of ["A", "B"] as const) {
      const cpus = runs[s].map((t) => t.cpuMs ?? NaN);
      console.log(`${s}: median ${secs(median(wall(s)))} wall (${secs(Math.min(...wall(s)))}–${secs(Math.max(...wall(s)))}), ${secs(median(cpus))} CPU, peak RSS ${Math.min(...runs[s].map((t) => t.maxRssMB))}–${Math.max(...runs[s].map((t) => t.maxRssMB))} MB`);
    }
    console.log(`A / B: ${(median(wall("A")) / median(wall("B"))).toFixed(3)}x the median wall; A faster in ${faster} of ${pairs} pairs${step === "load" ? "" : "; the same bytes"}`);
  } finally {
    await target.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
