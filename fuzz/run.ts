// The fuzz driver: makes each case (fuzz/mutate.ts), loads it with the real `jfsmeta load`
// in a worker process, and classifies what happened.
//
// Good outcomes:
//   refused   exit 1, one line "jfsmeta load: …" naming a JSON path or byte offset (or, for a
//             format jfsmeta does not read, saying which), no stack trace, the target empty;
//   accepted  exit 0, and the volume dumped back (`jfsmeta dump --keep-secret-key`) passes the
//             verifier and holds the same facts as the loaded dump (fuzz/facts.ts).
// Failures:
//   accepted-but-corrupt  loaded, but the dump-back is invalid or differs in facts;
//   left-data             refused, but the target is not empty;
//   hang                  no answer within the timeout (the worker is killed);
//   raw-db-error          a database's own message reached the user;
//   bad-message           not one line, no path or offset, or another exit code than 1;
//   crash                 a stack trace, an uncaught error, or the worker died.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { EngineKind } from "../lib/engines/engine";
import { verifyDump } from "../lib/dump/verify";
import { syntheticDump } from "../test/support/engine-io";
import { goldenPath } from "../test/support/fixtures";
import { dumpFacts, factDiff } from "./facts";
import { makeCase, makeSeed, type Seed } from "./mutate";
import { startTarget, type EngineTarget } from "../test/support/engine-target";
export { serversInMemory } from "../test/support/engine-target";

export const OUTCOMES = ["refused", "accepted", "accepted-but-corrupt", "left-data", "hang", "raw-db-error", "bad-message", "crash"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const FAILURES: Outcome[] = ["accepted-but-corrupt", "left-data", "hang", "raw-db-error", "bad-message", "crash"];

export interface CaseResult {
  n: number;
  kind: string;
  detail: string;
  outcome: Outcome;
  code: number | null;
  /** The user's message (stderr), or for failures what was wrong. */
  message: string;
}

export interface FuzzOptions {
  engine: EngineKind;
  count: number;
  seed: number;
  /** First case number (replay one case with first = N, count = 1). */
  first?: number;
  /** Per-case limit for a load or a dump-back (default 30 s). */
  timeoutMs?: number;
  onCase?: (r: CaseResult) => void;
  /** Directory to keep each failing case's bytes in (case-<n>.json). */
  keepDir?: string;
}

export interface FuzzReport {
  engine: EngineKind;
  seed: number;
  count: number;
  outcomes: Record<Outcome, number>;
  /** Outcomes by mutation kind. */
  byKind: Record<string, Partial<Record<Outcome, number>>>;
  failures: CaseResult[];
  seconds: number;
}

/** The valid dumps mutations start from: JuiceFS's samples (when present) and small synthetic volumes. */
export async function loadSeeds(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const name of ["metadata.sample", "metadata-sub.sample"] as const) {
    try {
      seeds.push(await makeSeed(name, readFileSync(goldenPath(name))));
    } catch {
      // Without JuiceFS's samples (npm run fixtures:download) the synthetic seeds remain.
    }
  }
  for (const seed of [1, 2]) seeds.push(await makeSeed(`synthetic-${seed}`, await syntheticDump({ files: 12, seed, flatDirShare: 0.2 })));
  return seeds;
}

const RAW_DB_ERROR =
  /UNIQUE constraint|Duplicate entry|duplicate key value|value "?[-\d]+"? is out of range for type|out of range for (type )?(bigint|integer|smallint)\b|SQLITE_|\bER_[A-Z_]+|violates .* constraint|bound string, buffer, or bigint|WRONGTYPE|Unknown RESP|\bERR |syntax error at|Data too long|Incorrect \w+ value|invalid input syntax/i;
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
/**
 * A JSON path or byte offset; a binary dump's refusal names its segment and byte offset, except
 * for the checks of the whole dump made after its last segment (an entry whose target no
 * segment stored…), which name the inode instead: no one offset is at fault.
 */
const LOCATED = /\bbyte \d+|invalid binary dump: .*\binode \d+/;
const FORMAT_REFUSED = /is a JuiceFS binary dump|is zstd-compressed/;

/** Judges a refusal's message (exit code and stderr); null when it is as it should be. */
export function judgeRefusal(code: number, stderr: string): { outcome: Outcome; why: string } | null {
  if (code === -1 || /UNCAUGHT/.test(stderr) || STACK.test(stderr)) return { outcome: "crash", why: "a stack trace or an uncaught error" };
  const lines = stderr.trimEnd().split("\n");
  if (RAW_DB_ERROR.test(stderr)) return { outcome: "raw-db-error", why: "a database's own message" };
  if (code !== 1) return { outcome: "bad-message", why: `exit code ${code}` };
  if (lines.length !== 1) return { outcome: "bad-message", why: `${lines.length} lines` };
  if (!lines[0].startsWith("jfsmeta load: ")) return { outcome: "bad-message", why: "not a jfsmeta load message" };
  if (!LOCATED.test(lines[0]) && !FORMAT_REFUSED.test(lines[0])) return { outcome: "bad-message", why: "no JSON path or byte offset" };
  return null;
}

/** A worker process that runs CLI commands; restarted when it hangs or dies. */
class Worker {
  private child: ChildProcess | null = null;
  private seq = 0;
  private ready: Promise<void> | null = null;

  private start(): Promise<void> {
    const child = fork(path.join(import.meta.dirname, "worker.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the fuzz worker exited (${code}) before it was ready`)));
    });
  }

  /** Runs `jfsmeta ARGS`; null when it did not answer within `ms`. */
  async run(args: string[], ms: number): Promise<{ code: number; stderr: string } | null> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const id = ++this.seq;
    return new Promise((resolve) => {
      const done = (v: { code: number; stderr: string } | null) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(v);
      };
      const onMessage = (m: { id?: number; code: number; stderr: string }) => {
        if (m.id === id) done({ code: m.code, stderr: m.stderr });
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.ready = null;
        done({ code: -1, stderr: `UNCAUGHT the worker died (exit ${code}, signal ${signal})` });
      };
      const timer = setTimeout(() => {
        this.kill();
        done(null);
      }, ms);
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send({ id, args });
    });
  }

  kill(): void {
    this.child?.kill("SIGKILL");
    this.child = null;
    this.ready = null;
  }
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const ms = opts.timeoutMs ?? 30_000;
  const seeds = await loadSeeds();
  const target: EngineTarget = await startTarget(opts.engine);
  const worker = new Worker();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-fuzz-"));
  const report: FuzzReport = {
    engine: opts.engine,
    seed: opts.seed,
    count: 0,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    byKind: {},
    failures: [],
    seconds: 0,
  };
  try {
    const first = opts.first ?? 0;
    for (let n = first; n < first + opts.count; n++) {
      const c = await makeCase(seeds, opts.seed, n);
      const file = path.join(tmp, "case.json");
      writeFileSync(file, c.bytes);
      const url = await target.url();
      const result = (outcome: Outcome, code: number | null, message: string): CaseResult => ({ n, kind: c.kind, detail: c.detail, outcome, code, message });
      let r: CaseResult;
      const ran = await worker.run(["load", url, file, "--quiet"], ms);
      if (!ran) {
        r = result("hang", null, `no answer within ${ms / 1000} s`);
        await target.wipe();
      } else if (ran.code === 0) {
        r = await judgeAccepted(c.bytes, url, tmp, worker, ms, result);
        await target.wipe();
      } else {
        const bad = judgeRefusal(ran.code, ran.stderr);
        r = bad ? result(bad.outcome, ran.code, `${bad.why}: ${ran.stderr.trim()}`) : result("refused", ran.code, ran.stderr.trim());
        const left = await target.leftover(url).catch((e) => `cannot tell: ${(e as Error).message}`);
        if (left) {
          if (!bad) r = result("left-data", ran.code, `${left} after: ${ran.stderr.trim()}`);
          await target.wipe();
        }
      }
      report.count++;
      report.outcomes[r.outcome]++;
      const k = (report.byKind[c.kind] ??= {});
      k[r.outcome] = (k[r.outcome] ?? 0) + 1;
      if (FAILURES.includes(r.outcome)) {
        report.failures.push(r);
        if (opts.keepDir) writeFileSync(path.join(opts.keepDir, `case-${n}.json`), c.bytes);
      }
      opts.onCase?.(r);
    }
  } finally {
    worker.kill();
    await target.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** An accepted case: the volume dumped back must be valid and hold the loaded dump's facts. */
async function judgeAccepted(
  bytes: Buffer,
  url: string,
  tmp: string,
  worker: Worker,
  ms: number,
  result: (o: Outcome, code: number | null, m: string) => CaseResult,
): Promise<CaseResult> {
  const out = path.join(tmp, "back.json");
  rmSync(out, { force: true });
  const dumped = await worker.run(["dump", url, out, "--keep-secret-key", "--quiet"], ms);
  if (!dumped) return result("accepted-but-corrupt", 0, `loaded, then dumping it back hung (${ms / 1000} s)`);
  if (dumped.code !== 0) return result("accepted-but-corrupt", 0, `loaded, then dumping it back failed: ${dumped.stderr.trim()}`);
  const back = readFileSync(out);
  try {
    await verifyDump([back]);
  } catch (e) {
    return result("accepted-but-corrupt", 0, `loaded, but the volume dumped back is invalid: ${(e as Error).message}`);
  }
  let loaded = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (loaded.length >= 4 && loaded.readUInt32BE(0) === 1) {
    // A binary dump that loaded (a flip that still decodes): its facts are read through
    // `jfsmeta convert`, which takes it into a SQLite file of its own and dumps that as JSON.
    const bin = path.join(tmp, "accepted.bin");
    const conv = path.join(tmp, "accepted.json");
    writeFileSync(bin, loaded);
    rmSync(conv, { force: true });
    const converted = await worker.run(["convert", bin, conv, "--json", "--quiet"], ms);
    if (!converted || converted.code !== 0) return result("accepted-but-corrupt", 0, `loaded, but jfsmeta convert refuses the same dump: ${converted?.stderr.trim() ?? "hung"}`);
    loaded = readFileSync(conv);
  }
  let diff;
  try {
    diff = factDiff(await dumpFacts(loaded), await dumpFacts(back));
  } catch (e) {
    return result("accepted-but-corrupt", 0, `loaded, but the dump itself cannot be read back: ${(e as Error).message}`);
  }
  if (diff.missing.length || diff.extra.length)
    return result("accepted-but-corrupt", 0, `loaded, but the volume differs from the dump: dump says ${diff.missing.join(" | ") || "-"}; volume has ${diff.extra.join(" | ") || "-"}`);
  return result("accepted", 0, "");
}
