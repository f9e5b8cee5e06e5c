// The Redis binary dump read from the server's snapshot (SYNC, rdb-tables.ts) against the same
// dump read by SCAN (scan.ts): the same records, and binary dumps whose JSON forms are the same
// bytes, on metadata.sample, a synthetic volume and a volume in a Cluster-style prefix; the
// JSON dump's staged walk over the snapshot gives the loaded bytes too; a server that refuses
// SYNC gets the SCAN reader, told in the debug log. A snapshot asked for before the engine
// opens (prefetchFlatScan) is the one its dump reads, and is closed with an engine that reads none.
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Redis } from "ioredis";
import { golden } from "../../support/fixtures";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { collect } from "../../support/dump-tree";
import { loadBuffer, syntheticDump } from "../../support/engine-io";
import { openRedisEngine, type RedisEngine } from "../../../lib/engines/redis";
import { dumpMeta } from "../../../lib/engines/dump";
import { convertDump } from "../../../lib/engines/convert";
import { BinaryDumpWriter } from "../../../lib/dump/binary/writer";
import { JsonDumpWriter } from "../../../lib/dump/writer";
import type { TableBatch } from "../../../lib/jfs/table-records";
import { rawClient } from "./helpers";
import { openEngine, prefetchFlatScan } from "../../../lib/engines/open";

let server: RedisServer;
const engines: RedisEngine[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer({ args: ["--repl-diskless-sync-delay", "0"] });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const e of engines) await e.close();
  await server?.stop();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function open(url: string): Promise<RedisEngine> {
  const e = await openRedisEngine(url);
  engines.push(e);
  return e;
}

/** Every record of a scan, each as a canonical line, sorted: the tables regardless of order. */
async function tables(engine: RedisEngine, via: "rdb" | "scan"): Promise<string[]> {
  vi.stubEnv("JFSMETA_REDIS_RDB", via === "rdb" ? "1" : "0");
  engine.lastSnapshotAt = null;
  const lines: string[] = [];
  const text = (v: unknown): unknown => (typeof v === "bigint" ? `${v}n` : Buffer.isBuffer(v) ? v.toString("hex") : v);
  for await (const b of engine.scanTables!() as AsyncIterable<TableBatch>) {
    const kind = b.table === "quotas" ? `quotas.${b.kind}` : b.table;
    for (const r of b.records) lines.push(`${kind} ${JSON.stringify(r, (_k, v) => text(v))}`);
  }
  expect(engine.lastSnapshotAt !== null, `read via ${via}`).toBe(via === "rdb");
  vi.unstubAllEnvs();
  return lines.sort();
}

async function binaryDump(engine: RedisEngine, via: "rdb" | "scan", asRecords = false): Promise<Buffer> {
  vi.stubEnv("JFSMETA_REDIS_RDB", via === "rdb" ? "1" : "0");
  const out = collect();
  const writer = new BinaryDumpWriter(out.stream);
  // Without the writer's encoder: the snapshot's nodes, edges and chunks come as records.
  if (asRecords) Object.assign(writer, { recordEncoder: undefined });
  await dumpMeta(engine, writer);
  out.stream.end();
  await finished(out.stream);
  vi.unstubAllEnvs();
  return out.bytes();
}

/** A binary dump as JSON (convert: loaded into SQLite, dumped in tree order). */
async function asJson(bin: Buffer): Promise<Buffer> {
  const out = collect();
  await convertDump(Readable.from([bin]), new JsonDumpWriter(out.stream));
  out.stream.end();
  await finished(out.stream);
  return out.bytes();
}

/**
 * A binary dump's segments, payloads joined per segment type (hex): the tables' bytes. How the
 * types' segments interleave, and so the footer's offsets, follows the network's chunks.
 */
function segmentsByType(bin: Buffer): Map<number, string> {
  const byType = new Map<number, Buffer[]>();
  for (let p = 0; p + 12 <= bin.length; ) {
    const type = bin.readUInt32BE(p);
    if (type === 0x747083) break;
    const len = Number(bin.readBigUInt64BE(p + 4));
    byType.set(type, [...(byType.get(type) ?? []), bin.subarray(p + 12, p + 12 + len)]);
    p += 12 + len;
  }
  return new Map([...byType].map(([t, parts]) => [t, Buffer.concat(parts).toString("hex")]));
}

/**
 * A JSON dump through the staged walk over the snapshot: its nodes, edges and chunks written
 * straight into the first sort (StagingEncoder), with `stageMemory` small enough to spill.
 */
async function stagedJson(engine: RedisEngine, stageMemory?: number): Promise<Buffer> {
  vi.stubEnv("JFSMETA_REDIS_RDB", "1");
  vi.stubEnv("JFSMETA_STAGED_WALK", "1");
  engine.lastSnapshotAt = null;
  const out = collect();
  await dumpMeta(engine, new JsonDumpWriter(out.stream), { stageMemory });
  out.stream.end();
  await finished(out.stream);
  expect(engine.lastSnapshotAt, "the staged walk read the snapshot").not.toBeNull();
  vi.unstubAllEnvs();
  return out.bytes();
}

async function sameBothWays(engine: RedisEngine, json?: Buffer): Promise<void> {
  const viaRdb = await tables(engine, "rdb");
  const viaScan = await tables(engine, "scan");
  expect(viaRdb.length).toBeGreaterThan(0);
  expect(viaRdb).toEqual(viaScan);
  // Nodes, edges and chunks written from the snapshot's bytes: the same segments as from records.
  const encoded = await binaryDump(engine, "rdb");
  expect(segmentsByType(encoded)).toEqual(segmentsByType(await binaryDump(engine, "rdb", true)));
  const a = await asJson(encoded);
  const b = await asJson(await binaryDump(engine, "scan"));
  expect(a.equals(b)).toBe(true);
  if (json) {
    expect(a.equals(json)).toBe(true);
    expect((await stagedJson(engine)).equals(json)).toBe(true);
    expect((await stagedJson(engine, 1 << 16)).equals(json)).toBe(true);
  }
}

describe("the binary dump from the server's snapshot", () => {
  it("metadata.sample: the same records and the same dump as by SCAN, while other databases hold other keys", async () => {
    const other = rawClient(server.db(2));
    clients.push(other);
    // Another database of the same server, with keys that look like a volume's: read past.
    await other.set("i1", Buffer.alloc(72));
    await other.hset("d1", "x", Buffer.alloc(9));
    await other.xadd("a-stream-elsewhere", "*", "f", "v").catch(() => {}); // (a stream would be refused: kept out)
    await other.del("a-stream-elsewhere");
    const engine = await open(server.db(1));
    await loadBuffer(engine, golden("metadata.sample"));
    await sameBothWays(engine, golden("metadata.sample"));
  }, 120_000);

  it("a synthetic volume of 20,000 files with a big flat directory", async () => {
    const source = await syntheticDump({ files: 20_000, seed: 5 });
    const engine = await open(server.db(3));
    await loadBuffer(engine, source);
    await sameBothWays(engine, source);
  }, 300_000);

  it("a volume under a Cluster-style {db} prefix reads only its own keys", async () => {
    const engine = await open(server.db(4));
    await loadBuffer(engine, golden("metadata.sample"));
    const want = await tables(engine, "rdb");
    // The same volume seen as a Cluster node's: prefix {4}, DB 0, where another volume {9} lives too.
    const raw = rawClient(server.db(4));
    clients.push(raw);
    const zero = rawClient(server.db(0));
    clients.push(zero);
    let cursor = "0";
    do {
      const [next, keys] = await raw.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const k of keys) {
        const dumped = await raw.dumpBuffer(k);
        await zero.restore(`{4}${k}`, 0, dumped!);
        await zero.restore(`{9}${k}`, 0, dumped!);
      }
    } while (cursor !== "0");
    await zero.set("{4}", "a key that is only the prefix");
    const fake = Object.create(engine) as RedisEngine;
    Object.defineProperty(fake, "p", { value: "{4}" });
    Object.defineProperty(fake, "options", { value: { ...engine.target.options, db: 0 } });
    Object.defineProperty(fake, "target", { value: { ...engine.target, mode: "cluster" } });
    // nodeOptions() of a "cluster" asks the cluster map: the one server stands for it here.
    Object.defineProperty(fake, "nodeOptions", { value: async () => ({ ...engine.target.options, db: 0 }) });
    const got = await tables(fake, "rdb");
    expect(got).toEqual(want);
  }, 120_000);

  it("falls back to SCAN when the server refuses SYNC (ACL without +sync), saying why in the debug log", async () => {
    const admin = rawClient(server.db(0));
    clients.push(admin);
    await admin.call("ACL", "SETUSER", "dumper", "on", ">secret", "~*", "&*", "+@all", "-sync", "-psync");
    const engine = await open(`redis://dumper:secret@127.0.0.1:${server.port}/5`);
    await loadBuffer(engine, golden("metadata.sample"));
    vi.stubEnv("JFSMETA_DEBUG", "1");
    const said: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (said.push(String(s)), true));
    vi.stubEnv("JFSMETA_REDIS_RDB", "1");
    engine.lastSnapshotAt = null;
    const bin = await binaryDump(engine, "rdb");
    expect(engine.lastSnapshotAt).toBeNull();
    expect(said.join("")).toMatch(/no snapshot over the replication protocol .*NOPERM.*reads the volume from the live server/);
    expect((await asJson(bin)).equals(golden("metadata.sample"))).toBe(true);
  }, 120_000);

  it("a JSON dump orders the tree from the server's snapshot (one SYNC, read by the scan) where the volume is most of the server; it walks the tree by reads when paced, where SYNC is refused, or where the volume is a small part of a big server (where a binary dump SCANs it)", async () => {
    const own = await startRedisServer({ args: ["--repl-diskless-sync-delay", "0"] });
    const admin = rawClient(own.db(0));
    try {
      const syncs = async () => Number(/sync_full:(\d+)/.exec(await admin.info("stats"))![1]);
      const json = async (engine: RedisEngine, opts: { maxOps?: number } = {}) => {
        engine.lastSnapshotAt = null;
        const out = collect();
        await dumpMeta(engine, new JsonDumpWriter(out.stream), opts);
        out.stream.end();
        await finished(out.stream);
        return out.bytes();
      };
      const engine = await open(own.db(7));
      await loadBuffer(engine, golden("metadata.sample"));
      let before = await syncs();
      expect((await json(engine)).equals(golden("metadata.sample"))).toBe(true);
      expect(engine.lastSnapshotAt, "the JSON dump read the snapshot").not.toBeNull();
      expect(await syncs()).toBe(before + 1); // the snapshot asked for to decide is the one read

      // A paced dump keeps its pace: no fork, the tree walked by reads.
      before = await syncs();
      expect((await json(engine, { maxOps: 100_000 })).equals(golden("metadata.sample"))).toBe(true);
      expect(engine.lastSnapshotAt).toBeNull();
      expect(await syncs()).toBe(before);

      await admin.call("ACL", "SETUSER", "nosync", "on", ">secret", "~*", "&*", "+@all", "-sync", "-psync");
      const refused = await open(`redis://nosync:secret@127.0.0.1:${own.port}/7`);
      // The tree walk lists directories (readDir); the staged walk over SCAN would list none.
      const listed = vi.spyOn(refused, "readDir");
      expect((await json(refused)).equals(golden("metadata.sample"))).toBe(true);
      expect(refused.lastSnapshotAt).toBeNull();
      expect(listed).toHaveBeenCalled();

      // Another volume on the server, of more keys than the floor under which a snapshot is
      // taken whatever the share (20,000): the snapshot would carry it too.
      const big = await open(own.db(8));
      await loadBuffer(big, await syntheticDump({ files: 12_000, seed: 2 }));
      before = await syncs();
      const walked = vi.spyOn(engine, "readDir");
      expect((await json(engine)).equals(golden("metadata.sample"))).toBe(true);
      expect(engine.lastSnapshotAt).toBeNull();
      expect(walked).toHaveBeenCalled();
      expect(await syncs(), "no SYNC: the share is read before it").toBe(before);
      // The binary dump of the small volume SCANs its database; the big one's reads the snapshot.
      const binary = async (e: RedisEngine) => {
        e.lastSnapshotAt = null;
        const out = collect();
        await dumpMeta(e, new BinaryDumpWriter(out.stream));
        out.stream.end();
        await finished(out.stream);
        return out.bytes();
      };
      expect((await asJson(await binary(engine))).equals(golden("metadata.sample"))).toBe(true);
      expect(engine.lastSnapshotAt).toBeNull();
      expect(await syncs()).toBe(before);
      await binary(big);
      expect(big.lastSnapshotAt).not.toBeNull();
      expect(await syncs()).toBe(before + 1);
    } finally {
      admin.disconnect();
      await own.stop();
    }
  }, 120_000);

  it("a snapshot prefetched before the engine opens is the one its binary dump reads; one never read is closed with the engine", async () => {
    const admin = rawClient(server.db(0));
    clients.push(admin);
    const url = server.db(6);
    const loader = await open(url);
    await loadBuffer(loader, golden("metadata.sample"));
    const stat = async (field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(await admin.info("stats"))![1]);
    /** Polled (at most 2 s): the server handles the SYNC a moment after we write it, the kernel closes a socket a moment after we do. */
    const until = async (what: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 200 && !(await what()); i++) await new Promise((r) => setTimeout(r, 10));
      return what();
    };
    const before = await stat("sync_full");
    vi.stubEnv("JFSMETA_REDIS_RDB", "1"); // whatever the share of this server's other test volumes
    const prefetched = await prefetchFlatScan(url);
    expect(prefetched).not.toBeNull();
    // SYNC went out before the engine was opened: the server started a full sync for it.
    expect(await until(async () => (await stat("sync_full")) === before + 1)).toBe(true);
    const engine = (await openEngine(url, { prefetched })) as RedisEngine;
    engines.push(engine);
    engine.lastSnapshotAt = null;
    const bin = await binaryDump(engine, "rdb");
    expect(engine.lastSnapshotAt).not.toBeNull();
    expect((await asJson(bin)).equals(golden("metadata.sample"))).toBe(true);
    // The dump read the prefetched snapshot: no second SYNC.
    expect(await stat("sync_full")).toBe(before + 1);

    // Prefetched from a server that waits before it forks (as Redis does by default, 5 s), and the
    // engine closed without a scan: the snapshot's connection is closed with it, not left waiting.
    const slow = await startRedisServer({ args: ["--repl-diskless-sync-delay", "60"] });
    const slowAdmin = rawClient(slow.db(0));
    try {
      const replicas = async () => (String(await slowAdmin.call("CLIENT", "LIST")).match(/ flags=S /g) ?? []).length;
      const unused = await prefetchFlatScan(slow.db(1));
      expect(await until(async () => (await replicas()) === 1)).toBe(true);
      const idle = await openEngine(slow.db(1), { prefetched: unused });
      await idle.close();
      expect(await until(async () => (await replicas()) === 0)).toBe(true);
    } finally {
      slowAdmin.disconnect();
      await slow.stop();
    }
  }, 120_000);

  it.each(["binary", "JSON"] as const)("the header's counters are read once the server has forked for its snapshot, not at SYNC, and the wait is told as progress (a server that waits repl-diskless-sync-delay; %s dump)", async (format) => {
    const slow = await startRedisServer({ args: ["--repl-diskless-sync-delay", "2"] });
    const writer = rawClient(slow.db(1));
    try {
      const loader = await openRedisEngine(slow.db(1));
      await loadBuffer(loader, golden("metadata.sample"));
      await loader.close();
      const engine = await open(slow.db(1));
      const waits: string[] = [];
      const out = collect();
      const dumpWriter = format === "binary" ? new BinaryDumpWriter(out.stream) : new JsonDumpWriter(out.stream);
      const dumped = dumpMeta(engine, dumpWriter, { onProgress: (p) => p.holdingBack && waits.push(p.holdingBack) }).then(async () => {
        out.stream.end();
        await finished(out.stream);
        return out.bytes();
      });
      // While the server waits before it forks: a client creates a file (a new inode under the
      // root, the next-inode counter raised first, as JuiceFS does).
      await new Promise((r) => setTimeout(r, 500));
      const next = (await writer.incrby("nextinode", 100)) + 1;
      const root = (await writer.getBuffer("i1"))!;
      await writer.set(`i${next - 1}`, root);
      await writer.hset("d1", "late-file", Buffer.concat([Buffer.from([2]), Buffer.from(BigInt(next - 1).toString(16).padStart(16, "0"), "hex")]));
      const json = (format === "binary" ? await asJson(await dumped) : await dumped).toString();
      // Trash's inodes (from 0x7FFFFFFF10000000) are not numbered by the counter.
      const inodes = [...json.matchAll(/"inode":(\d+)/g)].map((m) => Number(m[1])).filter((i) => i < 2 ** 62);
      expect(inodes).toContain(next - 1); // the tables are of the fork's moment, after the write
      const nextInodes = Number(/"nextInodes": (\d+)/.exec(json)![1]);
      expect(nextInodes).toBeGreaterThan(Math.max(...inodes));
      // The wait was told as progress, not spent in silence.
      expect(waits.length).toBeGreaterThan(0);
      expect(waits[0]).toMatch(/waiting for Redis at .* to begin its snapshot/);
    } finally {
      writer.disconnect();
      await slow.stop();
    }
  }, 60_000);
});
