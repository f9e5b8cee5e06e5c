// A load is all-or-nothing whatever happens to it, on every engine, with the CLI run as a user
// runs it (a child process): two loads at once, SIGINT/SIGTERM/SIGHUP mid-load and mid-dump,
// kill -9 mid-load followed by the next load, dump and --clear-interrupted. The loads read
// their dump from a pipe this test feeds, so "mid-load" is a state the test holds the load in
// (half the dump sent, the claim taken) rather than a moment it hopes to hit.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRedisKind, type MetaEngine } from "../../lib/engines/engine";
import { openEngine } from "../../lib/engines/open";
import type { SqlEngine } from "../../lib/engines/sql";
import type { RedisEngine } from "../../lib/engines/redis";
import type { EtcdEngine } from "../../lib/engines/etcd";
import { ENGINE_KINDS, startEngine, type EngineTarget } from "../support/engine-targets";
import { syntheticDump } from "../support/engine-io";
import { tempDir } from "../support/temp-dir";

const BIN = path.resolve(__dirname, "..", "..", "bin", "jfsmeta.mjs");
const tmp = tempDir("jfsmeta-atomic-");

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: string[], stdin: "pipe" | "ignore" = "ignore"): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done };
}

const jfsmeta = (args: string[]) => start(args).done;

/**
 * Polls `check` until it holds (or fails the test after `ms`). With `run`, a process that exits
 * meanwhile fails the test at once with its exit and stderr: a wait on a dead load would only
 * say "timed out" 30 s later.
 */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000, run?: Run): Promise<void> {
  const deadline = Date.now() + ms;
  let exited: { code: number | null; signal: NodeJS.Signals | null; stderr: string } | undefined;
  void run?.done.then((r) => (exited = r));
  while (!(await check())) {
    if (exited) throw new Error(`the load exited (${exited.signal ?? exited.code}) before ${what}:\n${exited.stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}${run ? ` (load pid ${run.child.pid} still running)` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the database holds, read by the plainest query each engine has: keys, or tables. */
async function stored(engine: MetaEngine): Promise<number> {
  // Redis: the database's keys; in a cluster, those with the volume's {db} prefix.
  if (isRedisKind(engine.kind)) return (engine as RedisEngine).keyCount();
  if (engine.kind === "etcd") return (engine as EtcdEngine).countKeys();
  return (await (engine as SqlEngine).listTables()).length;
}

let dump: Buffer;
let dumpFile: string;

beforeAll(async () => {
  // Big enough that half of it has been written (and flushed) before the pipe runs dry.
  dump = await syntheticDump({ files: 10_000, seed: 11 });
  dumpFile = path.join(tmp, "volume.json");
  writeFileSync(dumpFile, dump);
});

describe.each(ENGINE_KINDS)("%s: a load is all-or-nothing", (kind) => {
  let target: EngineTarget;
  /** An engine of its own per database, to look at it from outside the CLI's processes. */
  const observers: MetaEngine[] = [];
  const observe = async (url: string) => {
    const e = await openEngine(url);
    observers.push(e);
    return e;
  };

  beforeAll(async () => {
    target = await startEngine(kind);
  });
  /**
   * One database holding the whole dump, loaded by the CLI the first time a test asks: the tests
   * that only read it (a refused --clear-interrupted, interrupted dumps) share it, as each
   * leaves it as it was (which the first checks, and a dump that left anything behind would
   * trip the next one's).
   */
  let loadedUrl: Promise<string> | undefined;
  const loaded = () =>
    (loadedUrl ??= (async () => {
      const url = await target.fresh();
      const r = await jfsmeta(["load", url, dumpFile, "--quiet"]);
      expect(r.code, r.stderr).toBe(0);
      return url;
    })());
  afterAll(async () => {
    for (const e of observers) await e.close().catch(() => {}); // test teardown: the server goes next
    await target?.stop();
  });

  /** A load fed half the dump through its stdin, held there with its claim taken. */
  async function heldLoad(url: string, observer: MetaEngine): Promise<Run> {
    const run = start(["load", url], "pipe");
    run.child.stdin!.on("error", () => {}); // the process may exit before it reads everything
    run.child.stdin!.write(dump.subarray(0, dump.length >> 1));
    // 60 s: under CI's full load (unit, conformance and the build on two cores) a process's
    // start-up alone has taken seconds; a load that exits instead fails this at once (until).
    await until("the load has claimed the database", async () => (await observer.findLoadClaim())?.state === "running", 60_000, run);
    // Let it write what it has read: for Redis and MariaDB, that is what a kill leaves behind.
    if (isRedisKind(kind) || kind === "etcd") await until("the load has written", async () => (await stored(observer)) > 100, 30_000, run);
    if (kind === "mysql") await until("the load has created its tables", async () => (await stored(observer)) === 22, 30_000, run); // 21 and its claim
    // And it waits on its stdin for the rest: a pending read on a pipe must not keep it alive after
    // the signal (it did: "stopped by SIGTERM", then the process hung until the writer closed).
    await until("the load has read what it was given", () => run.child.stdin!.writableLength === 0, 30_000, run);
    await new Promise((r) => setTimeout(r, 300));
    return run;
  }

  it("two loads at once: exactly one proceeds, the other is refused naming the running one", async () => {
    const url = await target.fresh();
    const observer = await observe(url);
    const a = start(["load", url], "pipe");
    const b = start(["load", url], "pipe");
    for (const r of [a, b]) {
      r.child.stdin!.on("error", () => {});
      r.child.stdin!.write(dump.subarray(0, dump.length >> 1));
    }
    // The loser exits on its own (SQLite after its busy timeout); the winner waits for more input.
    const first = await Promise.race([a.done.then((r) => ({ r, winner: b })), b.done.then((r) => ({ r, winner: a }))]);
    expect(first.r.code, first.r.stderr).toBe(75); // busy: try again later
    expect(first.r.stderr).toMatch(/another jfsmeta load into .* is running/);
    if (isRedisKind(kind) || kind === "mysql" || kind === "etcd") expect(first.r.stderr).toMatch(/pid \d+ on .*, started \d{4}-/);
    if (kind === "postgres") expect(first.r.stderr).toMatch(/jfsmeta load pid \d+ .*writing since \d{4}-/);
    first.winner.child.stdin!.end(dump.subarray(dump.length >> 1));
    const won = await first.winner.done;
    expect(won.code, won.stderr).toBe(0);
    // The volume is the one dump, whole: a dump of it gives the same bytes back.
    const out = path.join(tmp, `${kind}-concurrent.json`);
    expect((await jfsmeta(["dump", url, out, "--quiet"])).code).toBe(0);
    expect(statSync(out).size).toBe(dump.length);
    expect(await observer.findLoadClaim()).toBeNull();
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)("%s mid-load: the load stops, empties the database, says so, exits %i", async (signal, exitCode) => {
    const url = await target.fresh();
    const observer = await observe(url);
    const run = await heldLoad(url, observer);
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.stderr).toContain(`stopped by ${signal}`);
    expect(r.stderr).toContain("the database is empty again");
    expect(await stored(observer)).toBe(0);
    expect(await observer.findLoadClaim()).toBeNull();
    // SQLite: the file the load created is gone too.
    if (kind === "sqlite3") expect(existsSync(url.slice("sqlite3://".length))).toBe(false);
    // And it takes the next load as if nothing had happened (one signal is enough to show it).
    if (signal === "SIGINT") expect((await jfsmeta(["load", url, dumpFile, "--quiet"])).code).toBe(0);
  });

  it("kill -9 mid-load: the next load and dump name the leftovers and the one command that clears them", async () => {
    const url = await target.fresh();
    const observer = await observe(url);
    const run = await heldLoad(url, observer);
    const before = await stored(observer);
    run.child.kill("SIGKILL");
    expect((await run.done).signal).toBe("SIGKILL");
    // The server notices the dead session (its locks go, the transaction rolls back).
    await until("the killed load is no longer running", async () => (await observer.findLoadClaim())?.state !== "running");

    if (kind === "sqlite3" || kind === "postgres") {
      // One transaction: the database rolled the load back itself; nothing to clear.
      expect(await stored(observer)).toBe(0);
      expect(await observer.findLoadClaim()).toBeNull();
      const cleared = await jfsmeta(["load", "--clear-interrupted", url]);
      expect(cleared.code).toBe(0);
      expect(cleared.stderr).toContain("nothing to clear");
      expect((await jfsmeta(["load", url, dumpFile, "--quiet"])).code).toBe(0);
      return;
    }

    // Redis and etcd keep their keys, MariaDB its committed DDL: all are named, never loaded over.
    const left = await stored(observer);
    // etcd's alive key goes with the killed process's lease: one key fewer, the rest kept.
    expect(left).toBeGreaterThanOrEqual(kind === "etcd" ? before - 1 : before);
    expect(await observer.findLoadClaim()).toMatchObject({ state: "interrupted", owner: { pid: run.child.pid } });
    const advice = new RegExp(`interrupted jfsmeta load left \\(pid ${run.child.pid} .*jfsmeta load --clear-interrupted ${isRedisKind(kind) ? "redis" : kind}://`);
    const again = await jfsmeta(["load", url, dumpFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(advice);
    const dumped = await jfsmeta(["dump", url, path.join(tmp, `${kind}-interrupted.json`)]);
    expect(dumped.code).toBe(1);
    expect(dumped.stderr).toMatch(advice);
    expect(await stored(observer)).toBe(left);

    const cleared = await jfsmeta(["load", "--clear-interrupted", url]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stderr).toMatch(kind === "mysql" ? /dropped the 21 tables/ : new RegExp(`removed the ${left} keys`));
    expect(await stored(observer)).toBe(0);
    expect((await jfsmeta(["load", url, dumpFile, "--quiet"])).code).toBe(0);
  });

  it("--clear-interrupted never touches a volume, nor a database no load of ours wrote", async () => {
    const url = await loaded();
    const observer = await observe(url);
    const before = await stored(observer);
    const r = await jfsmeta(["load", "--clear-interrupted", url]);
    expect(r.code).toBe(0);
    expect(await stored(observer)).toBe(before);
    expect((await observer.readSetting())?.Name).toBe("synthetic");
    if (isRedisKind(kind)) {
      const foreign = await target.fresh();
      const other = (await observe(foreign)) as RedisEngine;
      await other.client.set(`${other.p}someone-else`, "1");
      const refused = await jfsmeta(["load", "--clear-interrupted", foreign]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/no jfsmeta load claim .*nothing was removed/);
      expect(await other.keyCount()).toBe(1);
    }
    if (kind === "etcd") {
      const other = (await observe(await target.fresh())) as EtcdEngine;
      await other.kv.txn({ success: [other.kv.put(Buffer.from("someone-else"), Buffer.from("1"))] });
      const refused = await jfsmeta(["load", "--clear-interrupted", other.redactedUrl]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/no jfsmeta load claim .*nothing was removed/);
      expect(await other.countKeys()).toBe(1);
    }
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s mid-dump: FILE.tmp is removed, FILE never written, exit %i", async (signal, exitCode) => {
    const url = await loaded();
    const dir = tempDir(`jfsmeta-atomic-dump-`);
    const out = path.join(dir, "dump.json.gz");
    const run = start(["dump", url, out]);
    await until("the dump has begun writing", () => existsSync(`${out}.tmp`));
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(exitCode);
    expect(r.stderr).toContain(`stopped by ${signal}: ${out}.tmp was removed, ${out} was not written`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
