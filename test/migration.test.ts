// Migration between engines, as JuiceFS users do it: `dump A | load B`, between redis (one
// server, Sentinel, Cluster), sqlite3, mysql (MariaDB), postgres and etcd, on private servers
// started here. Every ordered pair is migrated in-process (the synthetic volume below) on every
// run; through the CLI, each run migrates one rotation of the engines (see cliPairs).
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "./support/fixtures";
import { startRedisServer, type RedisServer } from "./support/redis-server";
import { startRedisCluster, startRedisSentinel, type RedisCluster, type RedisSentinel } from "./support/redis-ha-servers";
import { startTargets, type SqlTargets } from "./support/sql-targets";
import { startEtcdServer, type EtcdServer } from "./support/etcd-server";
import { openEngine } from "../lib/engines/open";
import { dumpToBuffer, loadBuffer, syntheticDump } from "./support/engine-io";
import type { EngineKind, MetaEngine } from "../lib/engines/engine";

const KINDS: EngineKind[] = ["redis", "redis-sentinel", "redis-cluster", "sqlite3", "mysql", "postgres", "etcd"];
const CLI = path.resolve(__dirname, "..", "bin", "jfsmeta.mjs");

/**
 * The CLI pairs of this run: each engine to the one `shift` places after it in KINDS, so every
 * engine is dumped by the CLI and loaded by the CLI once per run (what a pair adds beyond its two
 * ends is the pipe, the same for all). `shift` (1 to KINDS.length - 1) moves on with the UTC
 * day, so six days of runs go through all 42 pairs; JFSMETA_MIGRATION_SHIFT=n repeats a run's
 * pairs (the test titles name n). Each pair is three CLI processes (8–16 s on a loaded
 * machine): all 42 pairs in every run were 126 of them.
 */
function cliPairs(kinds: readonly EngineKind[], shift: number): [EngineKind, EngineKind][] {
  if (!Number.isInteger(shift) || shift < 1 || shift >= kinds.length) throw new Error(`the shift must be a whole number from 1 to ${kinds.length - 1}, not ${shift}`);
  return kinds.map((from, i) => [from, kinds[(i + shift) % kinds.length]]);
}
const SHIFT = process.env.JFSMETA_MIGRATION_SHIFT ? Number(process.env.JFSMETA_MIGRATION_SHIFT) : (Math.floor(Date.now() / 86_400_000) % (KINDS.length - 1)) + 1;
const run = promisify(execFile);

let redis: RedisServer;
let redisDb = 0;
let etcd: EtcdServer;
let sentinel: RedisSentinel;
let sentinelDb = 0;
let cluster: RedisCluster;
let clusterDb = 0;
const sql = new Map<EngineKind, SqlTargets>();
const drops: (() => Promise<void>)[] = [];

/** A fresh, empty database of the given engine. */
async function fresh(kind: EngineKind): Promise<string> {
  if (kind === "redis") return redis.db(++redisDb);
  if (kind === "etcd") return etcd.fresh();
  if (kind === "redis-sentinel") return sentinel.db(++sentinelDb);
  if (kind === "redis-cluster") return cluster.db(++clusterDb);
  const db = await sql.get(kind)!.fresh();
  drops.push(db.drop);
  return db.url;
}

async function cliDump(url: string): Promise<Buffer> {
  const { stdout } = await run(process.execPath, [CLI, "dump", url, "--quiet"], { encoding: "buffer", maxBuffer: 1 << 28 });
  return stdout;
}

/** `jfsmeta dump A | jfsmeta load B`, as two processes joined by a pipe. */
function cliPipe(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn(process.execPath, [CLI, "dump", from, "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
    const load = spawn(process.execPath, [CLI, "load", to, "--quiet"], { stdio: ["pipe", "ignore", "pipe"] });
    dump.stdout.pipe(load.stdin);
    let err = "";
    dump.stderr.on("data", (d) => (err += d));
    load.stderr.on("data", (d) => (err += d));
    let codes = 0;
    const done = (who: string) => (code: number | null) => {
      if (code !== 0) reject(new Error(`${who} exited ${code}: ${err}`));
      else if (++codes === 2) resolve();
    };
    dump.on("close", done("dump"));
    load.on("close", done("load"));
  });
}

/** Open the engine a URL names for one piece of work. */
async function withEngine<T>(url: string, work: (engine: MetaEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(url);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

const dumpUrl = (url: string) => withEngine(url, (e) => dumpToBuffer(e));
const loadUrl = (url: string, dump: Buffer) => withEngine(url, (e) => loadBuffer(e, dump));

beforeAll(async () => {
  [redis, sentinel, cluster] = await Promise.all([startRedisServer(), startRedisSentinel(), startRedisCluster()]);
  etcd = await startEtcdServer();
  for (const kind of ["sqlite3", "mysql", "postgres"] as const) sql.set(kind, await startTargets(kind));
}, 180_000);

afterAll(async () => {
  for (const drop of drops) await drop().catch(() => {});
  for (const t of sql.values()) await t.stop();
  await redis?.stop();
  await etcd?.stop();
  await sentinel?.stop();
  await cluster?.stop();
});

describe(`metadata.sample migrates through the CLI, each engine to another (JFSMETA_MIGRATION_SHIFT=${SHIFT})`, () => {
  const loaded = new Map<EngineKind, string>();

  beforeAll(async () => {
    for (const kind of KINDS) {
      const url = await fresh(kind);
      await run(process.execPath, [CLI, "load", url, goldenPath("metadata.sample"), "--quiet"]);
      loaded.set(kind, url);
    }
  }, 180_000);

  for (const [from, to] of cliPairs(KINDS, SHIFT)) {
    it(`${from} → ${to}`, async () => {
      const target = await fresh(to);
      await cliPipe(loaded.get(from)!, target);
      expect((await cliDump(target)).equals(golden("metadata.sample"))).toBe(true);
      // Three CLI processes: 8–16 s each pair on a machine at load average 25, and over 60 s at its peaks.
    }, 180_000);
  }

  it("over the shifts, every engine is a source and a target in each run and every pair is migrated once", () => {
    const seen = new Set<string>();
    for (let shift = 1; shift < KINDS.length; shift++) {
      const pairs = cliPairs(KINDS, shift);
      expect(new Set(pairs.map(([from]) => from)).size, `sources at shift ${shift}`).toBe(KINDS.length);
      expect(new Set(pairs.map(([, to]) => to)).size, `targets at shift ${shift}`).toBe(KINDS.length);
      for (const [from, to] of pairs) {
        expect(from).not.toBe(to);
        seen.add(`${from}→${to}`);
      }
    }
    expect(seen.size).toBe(KINDS.length * (KINDS.length - 1));
  });
});

describe("a synthetic volume of 10,000 files round-trips through every engine pair", () => {
  let source: Buffer;
  const loaded = new Map<EngineKind, string>();

  beforeAll(async () => {
    source = await syntheticDump({ files: 10_000, seed: 7 });
    for (const kind of KINDS) {
      const url = await fresh(kind);
      await loadUrl(url, source);
      loaded.set(kind, url);
    }
  }, 300_000);

  it("each engine dumps the source back byte for byte", async () => {
    for (const kind of KINDS) expect((await dumpUrl(loaded.get(kind)!)).equals(source), kind).toBe(true);
  });

  for (const from of KINDS) {
    it(`from ${from} to every other engine`, async () => {
      const dumped = await dumpUrl(loaded.get(from)!);
      for (const to of KINDS) {
        if (to === from) continue;
        const target = await fresh(to);
        await loadUrl(target, dumped);
        expect((await dumpUrl(target)).equals(dumped), `${from} → ${to}`).toBe(true);
      }
    }, 300_000);
  }
});
