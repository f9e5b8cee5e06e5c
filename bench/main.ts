// npm run bench -- [--files N[,N...]] [--engine redis|redis-sentinel|redis-cluster|sqlite3|mysql|postgres|etcd]
//                  [--url META-URL] [--threads N]
//                  [--dir-files N]   (N files a project directory: many mid-size directories)
//                  [--vs-juicefs]    (also `juicefs dump` of the same database and `juicefs load` of the
//                                     same file into a second empty one, with ratios; needs a private target)
// npm run bench -- --format binary [...]  (also `jfsmeta dump --binary`, its load into a second
//                  database checked by a JSON dump, ratios to the JSON steps and to the engine's own
//                  backup, and JuiceFS's published binary figures; with --vs-juicefs, `juicefs dump
//                  --binary` and `juicefs load --binary` of the same database beside them)
// npm run bench -- --live-load [--files N] [--engine E] [--rate OPS] [--max-latency MS] [--max-ops N] [--baseline S]
//                  (a foreground client's latency during plain, gentle and consistent dumps: bench/live-load.ts)
// npm run bench -- --ab OTHER [--files N] [--engine E] [--pairs N] [--step dump|dump-binary|load]
//                  (this checkout's CLI against OTHER's, a worktree of another build, taking turns
//                  on the same database, each running its own bundle: bench/ab.ts)
// npm run bench -- --inspect [--files N]   (the tree viewer on a 1M-entry directory: bench/inspect.ts)
// npm run bench -- --diff [--files N]      (diff of two backups of N files: first screen, peak RSS: bench/diff.ts)
// npm run bench -- --inspect-binary [--files N]  (a binary backup's tree index against the JSON one's and the
//                  former engine route: wall, CPU, peak RSS: bench/inspect-binary.ts)
// Builds a synthetic volume (lib/synth) into a private database with `jfsmeta load`, then times
// `jfsmeta load` and `jfsmeta dump` as users run them (bin/jfsmeta.mjs, each its own process
// writing a real file: wall time, CPU, entries/s, peak RSS), the engine's own backup of the same
// database (the floor of what it can stream: redis-cli --rdb, pg_dump, mysqldump, SQLite's
// .backup) and, for Redis, a bare pipelined read of the same keys. With several --files sizes,
// each is run in turn and a last table compares the rates (the same rate at every size is the aim).
// Redis Sentinel (a master, a replica, two sentinels), Redis Cluster (3 masters, 3 replicas) and
// etcd are also timed against one redis-server holding the same volume: load and dump as ratios to it.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { JsonDumpWriter } from "../lib/dump/writer";
import { writeSyntheticDump } from "../lib/synth/volume";
import { juicefsBin } from "../test/support/juicefs";
import { timeProcess, type Timed } from "./process";
import { sameBytes } from "./same-bytes";
import { processTreeCpuMs } from "./server-cpu";
// @ts-expect-error -- plain ESM script without type declarations
import { buildCli } from "../scripts/build-cli.mjs";
// @ts-expect-error -- plain ESM script without type declarations
import { currentCliBuild } from "../scripts/build-freshness.mjs";
import { startTarget as startEngineTarget, type Target } from "./targets";

const OPTIONS = {
  help: { type: "boolean", short: "h", default: false },
  files: { type: "string", default: "1000000" },
  engine: { type: "string", default: "redis" },
  url: { type: "string" },
  threads: { type: "string", default: "10" },
  seed: { type: "string", default: "1" },
  "dir-files": { type: "string", default: "0" },
  inspect: { type: "boolean", default: false },
  diff: { type: "boolean", default: false },
  "inspect-binary": { type: "boolean", default: false },
  "live-load": { type: "boolean", default: false },
  // --live-load's own (bench/live-load.ts):
  rate: { type: "string" },
  "max-latency": { type: "string" },
  "max-ops": { type: "string" },
  baseline: { type: "string" },
  "vs-juicefs": { type: "boolean", default: false },
  "juicefs-steps": { type: "string", default: "load,dump" },
  format: { type: "string", default: "json" },
  // --ab's own (bench/ab.ts):
  ab: { type: "string" },
  pairs: { type: "string" },
  step: { type: "string" },
} as const;

/** The usage is this file's opening comment: one home for it. */
function usage(): string {
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const head = lines.slice(0, lines.findIndex((l) => !l.startsWith("//")));
  return head.map((l) => l.replace(/^\/\/ ?/, "")).join("\n");
}

const parsed = (() => {
  try {
    return parseArgs({ allowPositionals: false, options: OPTIONS });
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
})();
const { values } = parsed;
if (values.help) {
  console.log(usage());
  process.exit(0);
}
const sizes = String(values.files).split(",").map((f) => Number(f.replace(/_/g, "")));
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--files takes file counts separated by commas, not "${values.files}"`);
const files = sizes[0];
const engineName = String(values.engine);
const threads = String(values.threads);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.join(here, "..");
const JFSMETA = path.join(root, "bin", "jfsmeta.mjs");
const startTarget = (engine: string) => startEngineTarget(engine, values.url);
const juicefsSteps = new Set(String(values["juicefs-steps"]).split(","));
if ([...juicefsSteps].some((s) => s !== "load" && s !== "dump") || juicefsSteps.size === 0) {
  throw new Error(`--juicefs-steps takes load, dump or load,dump, not "${values["juicefs-steps"]}"`);
}

interface Measured {
  op: string;
  ms: number;
  entries?: number;
  keys?: number;
  /** CPU time of the worker process (user + system): meaningful even on a busy machine. */
  cpuMs: number;
  maxRssMB: number;
}

/** One in-process operation of bench/worker.ts in its own process (the floor read, the binary steps). */
function worker(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "worker.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: root,
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`bench worker ${args[0]} exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").pop()!));
    });
  });
}

/** `jfsmeta ARGS` as a user runs it: node bin/jfsmeta.mjs, a process of its own. */
const jfsmeta = (op: string, args: string[]) => timeProcess(`jfsmeta ${op}`, process.execPath, [JFSMETA, op, ...args], { cwd: root });

const secs = (ms: number) => `${(ms / 1000).toFixed(2).padStart(7)} s`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US").padStart(9)} entries/s`;
const cpu = (ms: number | null) => (ms === null ? "       ? s CPU" : `${secs(ms)} CPU`);
const fmt = (m: { op: string; ms: number; cpuMs: number | null; maxRssMB: number; serverCpuMs?: number }, n: number) =>
  `${m.op.padEnd(16)} ${secs(m.ms)} wall ${cpu(m.cpuMs)} ${rate(n, m.ms)}  peak RSS ${String(m.maxRssMB).padStart(5)} MB` +
  (m.serverCpuMs === undefined ? "" : `  server ${(m.serverCpuMs / 1000).toFixed(2)} s CPU`);

/**
 * A step with the CPU its target's servers spent meanwhile: on 2 cores the server's work and
 * ours share the machine, so (ours + the server's) / 2 is a floor of the step's wall time.
 */
async function onServers(target: Target, step: () => Promise<Timed>): Promise<Timed> {
  if (!target.serverPids().length) return step();
  const before = processTreeCpuMs(target.serverPids());
  const t = await step();
  return { ...t, serverCpuMs: processTreeCpuMs(target.serverPids()) - before };
}
/** Our CPU and the servers' together, in seconds. */
const bothCpu = (t: Timed) => ((t.cpuMs ?? NaN) + (t.serverCpuMs ?? 0)) / 1000;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

interface SizeResult {
  files: number;
  entries: number;
  load: Timed;
  dump: Timed;
  jfs?: { load?: Timed; dump?: Timed };
  floor?: Timed;
}

/** One volume size: generate, load, dump, compare, and the yardsticks beside them. */
async function benchSize(files: number): Promise<SizeResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-"));
  const target = await startTarget(engineName);
  try {
    const source = path.join(tmp, "synthetic.json");
    const t0 = performance.now();
    const out = createWriteStream(source, { highWaterMark: 1 << 20 });
    const dirFiles = Number(values["dir-files"]);
    await writeSyntheticDump(new JsonDumpWriter(out), { files, seed: Number(values.seed), dirFiles });
    out.end();
    await finished(out);
    const size = statSync(source).size;
    const shape = dirFiles ? `, ${dirFiles.toLocaleString("en-US")} files a project directory` : "";
    console.log(`\nsynthetic volume: ${files.toLocaleString("en-US")} files${shape}, ${(size / 1048576).toFixed(1)} MiB JSON, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`engine: ${engineName}, dump threads: ${threads}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.versions.node}`);

    const load = await onServers(target, () => jfsmeta("load", [target.url, source]));
    const dumped = path.join(tmp, "dumped.json");
    const dump = await onServers(target, () => jfsmeta("dump", [target.url, dumped, "--threads", threads]));
    const entries = Number(/succeed: (\d+) entries/.exec(dump.stderr)?.[1]);
    if (!entries) throw new Error(`jfsmeta dump did not say how many entries it wrote: ${dump.stderr}`);
    console.log(fmt(load, entries));
    console.log(fmt(dump, entries));
    const same = await sameBytes(source, dumped);
    console.log(`dump is ${same ? "byte-identical to" : "DIFFERENT from"} the loaded file`);
    if (!same) process.exitCode = 1;
    rmSync(dumped);
    const result: SizeResult = { files, entries, load, dump };

    if ((engineName === "redis-sentinel" || engineName === "redis-cluster" || engineName === "etcd") && !values.url) {
      // Issue #12's yardstick: the same volume on one redis-server, through the same CLI, in the
      // same run (1.5x for Sentinel and Cluster, 3x for etcd); wall times of different days differ.
      const single = await startTarget("redis");
      try {
        const again = path.join(tmp, "single-dumped.json");
        const sload = await jfsmeta("load", [single.url, source]);
        const sdump = await jfsmeta("dump", [single.url, again, "--threads", threads]);
        rmSync(again);
        console.log(`${fmt(sload, entries)}  (one redis-server)`);
        console.log(`${fmt(sdump, entries)}  (one redis-server)`);
        console.log(`${engineName} / one redis-server: load ${ratio(load.ms, sload.ms)}, dump ${ratio(dump.ms, sdump.ms)} (wall); CPU load ${ratio(load.cpuMs ?? NaN, sload.cpuMs ?? NaN)}, dump ${ratio(dump.cpuMs ?? NaN, sdump.cpuMs ?? NaN)}`);
      } finally {
        await single.stop();
      }
    }
    if (values["vs-juicefs"]) {
      if (!target.another) throw new Error("--vs-juicefs needs a private target (no --url): juicefs load wants a second empty database");
      const bin = juicefsBin();
      let jdump: Timed | undefined;
      if (juicefsSteps.has("dump")) {
        const jdumped = path.join(tmp, "juicefs-dumped.json");
        jdump = await onServers(target, () => timeProcess("juicefs dump", bin, ["dump", target.url, jdumped, "--threads", threads]));
        const jsame = await sameBytes(source, jdumped);
        rmSync(jdumped);
        console.log(fmt(jdump, entries));
        console.log(`juicefs dump is ${jsame ? "byte-identical to" : "DIFFERENT from"} the loaded file`);
        if (!jsame) process.exitCode = 1;
      }
      const another = target.another;
      const jload = juicefsSteps.has("load") ? await onServers(target, async () => timeProcess("juicefs load", bin, ["load", await another(), source])) : undefined;
      if (jload) console.log(fmt(jload, entries));
      const pair = (name: string, ours: Timed, theirs: Timed | undefined) =>
        theirs ? `${name} ${ratio(ours.ms, theirs.ms)} wall, ${ratio(ours.cpuMs ?? NaN, theirs.cpuMs ?? NaN)} CPU` : null;
      console.log(`jfsmeta / juicefs: ${[pair("load", load, jload), pair("dump", dump, jdump)].filter(Boolean).join("; ")}`);
      result.jfs = { load: jload, dump: jdump };
    }
    if (target.backup) {
      const backupFile = path.join(tmp, "engine-backup");
      const backup = target.backup;
      const floor = await onServers(target, () => backup(backupFile));
      console.log(`${fmt(floor, entries)}  (${(statSync(backupFile).size / 1048576).toFixed(1)} MiB: the engine's own backup)`);
      console.log(`jfsmeta dump / ${floor.op}: ${ratio(dump.ms, floor.ms)}`);
      rmSync(backupFile);
      result.floor = floor;
    }
    if (engineName === "redis") {
      const reads = await worker(["floor", target.url]);
      console.log(`${fmt({ ...reads, op: "bare reads" }, entries)}  (${reads.keys!.toLocaleString("en-US")} keys, pipelined, no decoding)`);
      console.log(`jfsmeta dump / bare reads: ${ratio(dump.ms, reads.ms)}`);
    }
    if (values.format === "binary") await benchBinary({ tmp, source, size, entries, target, load, dump, floor: result.floor });
    return result;
  } finally {
    await target.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * JuiceFS's published figures for 1,000,000 files on an AMD 7840HS (juicedata/juicefs#5263, the
 * PR that added the binary format; binary with 10 threads), seconds: the yardstick the issue quotes.
 */
const PUBLISHED: Record<string, { dump: number; load: number; jsonDump: number; jsonLoad: number } | undefined> = {
  redis: { dump: 3.45, load: 1.32, jsonDump: 4.52, jsonLoad: 7.3 },
  mysql: { dump: 4.18, load: 32.7, jsonDump: 49.87, jsonLoad: 72.06 },
};

/** `jfsmeta dump --binary` and its load beside the JSON steps of the same run; --vs-juicefs adds JuiceFS's own. */
async function benchBinary(r: { tmp: string; source: string; size: number; entries: number; target: Target; load: Timed; dump: Timed; floor?: Timed }): Promise<void> {
  const { tmp, entries, target, load, dump } = r;
  if (!target.another) throw new Error("--format binary needs a private target (no --url): the binary load wants a second empty database");
  const another = target.another;
  const bin = path.join(tmp, "dumped.bin");
  const bdump = await onServers(target, () => jfsmeta("dump", [target.url, bin, "--binary", "--threads", threads]));
  const binSize = statSync(bin).size;
  console.log(`${fmt({ ...bdump, op: "jfsmeta dump --binary" }, entries)}  (${(binSize / 1048576).toFixed(1)} MiB, ${(binSize / r.size).toFixed(2)} of the JSON)`);
  // The engine's own backup again, right after the binary dump: the one above was taken minutes
  // before, and on a shared machine the load of the moment weighed more than the code (1M files,
  // one session: 0.78x and 1.50x against the earlier floor).
  let nextFloor: Timed | null = null;
  if (target.backup) {
    const again = path.join(tmp, "engine-backup-again");
    const backup = target.backup;
    nextFloor = await onServers(target, () => backup(again));
    rmSync(again);
    console.log(`${fmt(nextFloor, entries)}  (again, right after the binary dump)`);
  }
  const second = await another();
  const bload = await onServers(target, () => jfsmeta("load", [second, bin]));
  console.log(fmt({ ...bload, op: "jfsmeta load (binary)" }, entries));
  const again = path.join(tmp, "again.json");
  await jfsmeta("dump", [second, again, "--threads", threads]);
  const sameAgain = await sameBytes(r.source, again);
  rmSync(again);
  console.log(`binary dump → load → JSON dump is ${sameAgain ? "byte-identical to" : "DIFFERENT from"} the loaded file`);
  if (!sameAgain) process.exitCode = 1;
  const both = (a: Timed, b: Timed) => `${ratio(a.ms, b.ms)} wall, ${ratio(a.cpuMs ?? NaN, b.cpuMs ?? NaN)} CPU`;
  console.log(`binary / JSON: dump ${both(bdump, dump)}; load ${both(bload, load)} (aim: at most 0.50x)`);
  if (target.serverPids().length) {
    // Where the server's work is most of a step's, no change of ours brings its wall under this.
    const floor2 = (t: Timed) => `${(bothCpu(t) / 2).toFixed(2)} s`;
    console.log(
      `our CPU + the server's: JSON load ${bothCpu(load).toFixed(2)} s, binary load ${bothCpu(bload).toFixed(2)} s (${(bothCpu(bload) / bothCpu(load)).toFixed(2)}x); ` +
        `JSON dump ${bothCpu(dump).toFixed(2)} s, binary dump ${bothCpu(bdump).toFixed(2)} s; on 2 cores at least: binary load ${floor2(bload)}, JSON load ${floor2(load)}`,
    );
  }
  if (r.floor) {
    const next = nextFloor ? `; ${ratio(bdump.ms, nextFloor.ms)} against the one right after it` : "";
    console.log(`binary dump / ${r.floor.op}: ${ratio(bdump.ms, r.floor.ms)} wall${next}${engineName === "redis" ? " (aim: at most 1x)" : ""}`);
  }
  console.log(`peak RSS: binary dump ${bdump.maxRssMB} MB, binary load ${bload.maxRssMB} MB (aim: at most 300 MB)`);
  if (values["vs-juicefs"]) {
    const jbin = juicefsBin();
    const jfile = path.join(tmp, "juicefs-dumped.bin");
    const jdump = await onServers(target, () => timeProcess("juicefs dump --binary", jbin, ["dump", target.url, jfile, "--binary", "--threads", threads]));
    const jload = await onServers(target, async () => timeProcess("juicefs load --binary", jbin, ["load", await another(), jfile, "--binary"]));
    rmSync(jfile);
    console.log(fmt(jdump, entries));
    console.log(fmt(jload, entries));
    console.log(`jfsmeta / juicefs (binary): dump ${both(bdump, jdump)}; load ${both(bload, jload)}`);
  }
  const pub = PUBLISHED[engineName];
  if (pub) {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`JuiceFS's published figures (${engineName}, 1M files, AMD 7840HS, juicefs#5263): binary dump ${pub.dump} s, load ${pub.load} s; JSON dump ${pub.jsonDump} s, load ${pub.jsonLoad} s`);
    console.log(`here (${entries.toLocaleString("en-US")} entries): binary dump ${s(bdump.ms)}, load ${s(bload.ms)}; JSON dump ${s(dump.ms)}, load ${s(load.ms)}`);
  }
  rmSync(bin);
}

async function main() {
  // Users run the CLI's bundle (npm install builds it): time that, not tsx on edited sources.
  await buildCli({ ifStale: true });
  const cli = currentCliBuild(root);
  if (!cli.entry) throw new Error(`bench: no current CLI bundle (${cli.reason}); node scripts/build-cli.mjs says why`);
  // What every jfsmeta run pays before its first query: Node and the CLI's modules.
  const startup = await jfsmeta("dump", ["--help"]);
  console.log(`jfsmeta start-up (dump --help): ${secs(startup.ms)} wall ${cpu(startup.cpuMs)}, peak RSS ${startup.maxRssMB} MB`);
  const results: SizeResult[] = [];
  for (const n of sizes) results.push(await benchSize(n));
  if (results.length < 2) return;
  console.log("\nby size (the aim: the same rate and a flat peak RSS at every size)");
  console.log("files        entries      load entries/s  RSS     dump entries/s  RSS" + (values["vs-juicefs"] ? "   vs juicefs (load / dump)" : "") + "  dump / floor");
  for (const r of results) {
    const vs = r.jfs ? `   ${(r.jfs.load ? ratio(r.load.ms, r.jfs.load.ms) : "-").padStart(6)} / ${(r.jfs.dump ? ratio(r.dump.ms, r.jfs.dump.ms) : "-").padStart(6)}` : "";
    const fl = r.floor ? `  ${ratio(r.dump.ms, r.floor.ms)}` : "";
    console.log(
      `${r.files.toLocaleString("en-US").padEnd(12)} ${r.entries.toLocaleString("en-US").padEnd(12)} ${rate(r.entries, r.load.ms)} ${String(r.load.maxRssMB).padStart(4)} MB ${rate(r.entries, r.dump.ms)} ${String(r.dump.maxRssMB).padStart(4)} MB${vs}${fl}`,
    );
  }
}

if (values.ab) {
  const passed = ["pairs", "step", "seed"] as const;
  const extra = ["--ab", values.ab, "--engine", engineName, "--threads", threads, ...passed.flatMap((k) => (values[k] === undefined ? [] : [`--${k}`, String(values[k])]))];
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "ab.ts"), "--files", String(files), ...extra], { stdio: "inherit", cwd: root });
  child.on("close", (code) => (process.exitCode = code ?? 1));
} else if (values.inspect || values["live-load"] || values.diff || values["inspect-binary"]) {
  // The tree viewer's, the live load's and the diff's figures live in their own scripts; run them with the same file count.
  const script = values.inspect ? "inspect.ts" : values.diff ? "diff.ts" : values["inspect-binary"] ? "inspect-binary.ts" : "live-load.ts";
  const passed = ["rate", "max-latency", "max-ops", "baseline", "seed"] as const;
  const extra = values["live-load"]
    ? ["--engine", engineName, "--threads", threads, ...passed.flatMap((k) => (values[k] === undefined ? [] : [`--${k}`, String(values[k])]))]
    : [];
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, script), "--files", String(files), ...extra], {
    stdio: "inherit",
    cwd: root,
  });
  child.on("close", (code) => (process.exitCode = code ?? 1));
} else await main();
