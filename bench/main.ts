// npm run bench -- [--files N] [--engine redis|sqlite3|mysql|postgres] [--url META-URL] [--threads N]
//                  [--dir-files N]   (N files a project directory: many mid-size directories)
// npm run bench -- --format binary [...]  (also times a binary dump, its load into a second
//                  database, and on Redis the server's own `redis-cli --rdb` snapshot)
// npm run bench -- --inspect [--files N]   (the tree viewer on a 1M-entry directory: bench/inspect.ts)
// Builds a synthetic volume (lib/synth) into a private database through load, then times
// load and dump (each in its own process: wall time, entries/s, peak RSS) and, for Redis,
// the floor: a bare pipelined read of the same keys, with the dump quoted as a ratio to it.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { JsonDumpWriter } from "../lib/dump/writer";
import { writeSyntheticDump } from "../lib/synth/volume";
import { startRedisServer } from "../test/support/redis-server";
import { isSqlEngine, startSqlTarget } from "./sql";

const { values } = parseArgs({
  allowPositionals: false,
  options: {
    files: { type: "string", default: "1000000" },
    engine: { type: "string", default: "redis" },
    url: { type: "string" },
    threads: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    "dir-files": { type: "string", default: "0" },
    inspect: { type: "boolean", default: false },
    format: { type: "string", default: "json" },
  },
});
const files = Number(values.files);
const here = path.dirname(new URL(import.meta.url).pathname);

interface Target {
  /** An empty database for the load, the one the dump and floor read. */
  url: string;
  stop(): Promise<void>;
}

/** Engines get a private, empty database; others can be added here or passed with --url. */
async function startTarget(engine: string): Promise<Target> {
  if (values.url) return { url: values.url, stop: async () => {} };
  if (engine === "redis") {
    const server = await startRedisServer();
    return { url: server.db(1), stop: () => server.stop() };
  }
  if (isSqlEngine(engine)) return startSqlTarget(engine);
  throw new Error(`no private server for engine "${engine}" yet: pass --url META-URL of an empty database`);
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

function worker(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "worker.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: path.join(here, ".."),
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

/**
 * Whether two files hold the same bytes, streamed: reading both whole into this process made
 * its RSS 950 MB at 1M files, and Linux hands a parent's peak RSS down to the workers it then
 * forks, so every later worker reported that figure as its own.
 */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const digest = async (f: string) => {
    const h = createHash("sha256");
    for await (const c of createReadStream(f, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
    return h.digest("hex");
  };
  return statSync(a).size === statSync(b).size && (await digest(a)) === (await digest(b));
}

const fmt = (m: Measured, n: number) =>
  `${m.op.padEnd(6)} ${(m.ms / 1000).toFixed(2).padStart(8)} s wall ${(m.cpuMs / 1000).toFixed(2).padStart(8)} s CPU ${Math.round(n / (m.ms / 1000)).toLocaleString("en-US").padStart(10)} entries/s  peak RSS ${String(m.maxRssMB).padStart(5)} MB`;

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-"));
  const target = await startTarget(values.engine!);
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
    console.log(`synthetic volume: ${files.toLocaleString("en-US")} files${shape}, ${(size / 1048576).toFixed(1)} MiB JSON, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(
      `engine: ${values.engine}, dump threads: ${values.threads}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.versions.node}`,
    );

    const load = await worker(["load", target.url, source]);
    const entries = load.entries!;
    console.log(fmt(load, entries));
    const dumped = path.join(tmp, "dumped.json");
    const dump = await worker(["dump", target.url, dumped, values.threads!]);
    console.log(fmt(dump, entries));
    const same = await sameBytes(source, dumped);
    console.log(`dump is ${same ? "byte-identical to" : "DIFFERENT from"} the loaded file`);
    if (values.engine === "redis") {
      const floor = await worker(["floor", target.url]);
      console.log(`${fmt(floor, entries)}  (${floor.keys!.toLocaleString("en-US")} keys, bare pipelined reads)`);
      console.log(`dump / floor: ${(dump.ms / floor.ms).toFixed(2)}x`);
    }
    if (values.format === "binary") {
      const bin = path.join(tmp, "dumped.bin");
      const bdump = await worker(["bdump", target.url, bin, values.threads!]);
      const binSize = statSync(bin).size;
      console.log(`${fmt(bdump, entries)}  (${(binSize / 1048576).toFixed(1)} MiB binary, ${(binSize / size).toFixed(2)} of the JSON)`);
      const second = await startTarget(values.engine!);
      try {
        const bload = await worker(["load", second.url, bin]);
        console.log(fmt({ ...bload, op: "bload" }, entries));
        const again = path.join(tmp, "again.json");
        await worker(["dump", second.url, again, values.threads!]);
        const sameAgain = await sameBytes(source, again);
        console.log(`binary dump → load → JSON dump is ${sameAgain ? "byte-identical to" : "DIFFERENT from"} the loaded file`);
        console.log(`binary / JSON: dump ${(bdump.ms / dump.ms).toFixed(2)}x, load ${(bload.ms / load.ms).toFixed(2)}x`);
        if (!sameAgain) process.exitCode = 1;
      } finally {
        await second.stop();
      }
      if (values.engine === "redis") {
        const snap = await worker(["rdb", target.url, path.join(tmp, "dump.rdb")]);
        console.log(`${fmt({ ...snap, op: "rdb" }, entries)}  (redis-cli --rdb, the server's own snapshot)`);
        console.log(`binary dump / rdb: ${(bdump.ms / snap.ms).toFixed(2)}x`);
      }
    }
    if (!same) process.exitCode = 1;
  } finally {
    await target.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (values.inspect) {
  // The tree viewer's figures live in their own script; run it with the same file count.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "inspect.ts"), "--files", String(files)], {
    stdio: "inherit",
    cwd: path.join(here, ".."),
  });
  child.on("close", (code) => (process.exitCode = code ?? 1));
} else await main();
