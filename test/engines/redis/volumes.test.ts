// Bigger and stranger volumes through Redis: the synthetic 10,000-file volume, a file with
// more chunks than one batch script reads, big directories, and the unix socket / xattr CAS.
import { readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { tempDir } from "../../support/temp-dir";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { golden } from "../../support/fixtures";
import { openRedisEngine, type RedisEngine } from "../../../lib/engines/redis";
import { readDumpToTree, writeTree, type MemEntry } from "../../support/dump-tree";
import { syntheticDump } from "../../support/engine-io";
import type { Chunk } from "../../../lib/jfs/types";
import { dumpToBuffer, loadBuffer, rawClient } from "./helpers";

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer({ args: ["--unixsocket", "redis.sock", "--unixsocketperm", "700"] });
});
afterAll(async () => {
  await server?.stop();
});

async function freshEngine(db: number): Promise<RedisEngine> {
  const engine = await openRedisEngine(server.db(db));
  const raw = rawClient(server.db(db));
  await raw.flushdb();
  raw.disconnect();
  return engine;
}

describe("volumes through Redis", () => {
  it("the synthetic 10,000-file volume round-trips byte for byte", async () => {
    const source = await syntheticDump({ files: 10_000, seed: 7 });
    const engine = await freshEngine(1);
    try {
      const r = await loadBuffer(engine, source);
      expect(r.files).toBeGreaterThanOrEqual(10_000);
      expect((await dumpToBuffer(engine, { threads: 4 })).equals(source)).toBe(true);
    } finally {
      await engine.close();
    }
  }, 120_000);

  // 9000 entries: more than a directory opened ahead of the walk may hold (it is listed again).
  it("a flat directory too big for the sort budget is sorted in spilled runs: the same bytes", async () => {
    // 6,000 of 12,000 files in one directory; 64 KiB sorts about 800 names at a time, so the
    // flat directory is merged from some 8 runs and the project directories from one or two.
    const source = await syntheticDump({ files: 12_000, seed: 11, flatDirShare: 0.5 });
    const tmp = tempDir("jfsmeta-spill-");
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const engine = await freshEngine(5);
    try {
      await loadBuffer(engine, source);
      let spilledSeen = false;
      const onProgress = () => {
        // The run file is unlinked at once but open while the flat directory is walked.
        spilledSeen ||= readdirSync("/proc/self/fd").some((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).startsWith(tmp);
          } catch {
            return false;
          }
        });
      };
      expect((await dumpToBuffer(engine, { threads: 4, sortMemory: 64 << 10, onProgress })).equals(source)).toBe(true);
      expect(spilledSeen).toBe(true);
      expect((await dumpToBuffer(engine, { threads: 1, sortMemory: 1 })).equals(source)).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      await engine.close();
    }
  }, 120_000);

  it("a file with 150 chunks and a directory of 9000 entries round-trip", async () => {
    const dump = await readDumpToTree(golden("metadata.sample"));
    const root = dump.trees[0].root;
    const f1 = root.children!.find((c) => c.name.toString() === "f1")!;
    const chunks: Chunk[] = [];
    for (let i = 0; i < 150; i++) if (i % 7 !== 3) chunks.push({ index: i, slices: [{ id: BigInt(1000 + i), pos: 0, size: 1 << 26, off: 0, len: 1 << 26 }] });
    f1.node.attr.length = 150n << 26n;
    f1.node.chunks = chunks;
    const d = root.children!.find((c) => c.name.toString() === "d")!;
    d.children = [];
    for (let i = 0; i < 9000; i++) {
      const name = Buffer.from(`file-${String(i).padStart(5, "0")}`);
      d.children.push({ name, node: { attr: { ...f1.node.attr, inode: BigInt(100000 + i), length: 0n, nlink: 1, flags: 0 }, xattrs: [], chunks: [] } });
    }
    dump.header.counters.nextChunk = 1150n;
    const source = await writeTree(dump);
    const engine = await freshEngine(2);
    try {
      await loadBuffer(engine, source);
      // Counters are recomputed by the load; everything else must come back as written.
      const withoutCounters = (b: Buffer) => b.toString("utf8").replace(/"Counters": \{[^}]*\}/, "");
      const back = await dumpToBuffer(engine, { threads: 2 });
      expect(withoutCounters(back)).toBe(withoutCounters(source));
      expect(back.toString()).toContain(`"index":149,"slices":[{"id":1149,`);
    } finally {
      await engine.close();
    }
  });

  it("keeps prefetched listings within a bound of entries: the oldest are listed again", async () => {
    // 300 directories of 120 entries (small enough for one HSCAN page): 36,000 entries, more
    // than the prefetched listings may hold together.
    const dump = await readDumpToTree(golden("metadata.sample"));
    const root = dump.trees[0].root;
    const f1 = root.children!.find((c) => c.name.toString() === "f1")!;
    const d = root.children!.find((c) => c.name.toString() === "d")!;
    let inode = 200_000n;
    d.children = [];
    for (let k = 0; k < 300; k++) {
      const sub: MemEntry = { name: Buffer.from(`sub-${String(k).padStart(3, "0")}`), node: { attr: { ...d.node.attr, inode: inode++, nlink: 2 }, xattrs: [], chunks: [] }, children: [] };
      for (let i = 0; i < 120; i++) {
        sub.children!.push({ name: Buffer.from(`f${String(i).padStart(3, "0")}`), node: { attr: { ...f1.node.attr, inode: inode++, length: 0n, nlink: 1, flags: 0 }, xattrs: [], chunks: [] } });
      }
      d.children.push(sub);
    }
    d.node.attr.nlink = 302;
    const engine = await freshEngine(4);
    try {
      await loadBuffer(engine, await writeTree(dump));
      const subs = d.children.map((c) => ({ inode: c.node.attr.inode, type: "directory" as const }));
      await engine.readNodes(subs); // prefetches every sub-directory's listing, in this order
      const bulk = vi.spyOn(engine as unknown as { bulkCall: (...a: unknown[]) => Promise<unknown> }, "bulkCall");
      const count = async (ino: bigint) => {
        let n = 0;
        for await (const b of engine.readDir(ino).batches) n += b.length;
        return n;
      };
      expect(await count(subs[299].inode)).toBe(120);
      expect(bulk).not.toHaveBeenCalled(); // the newest listing was kept
      expect(await count(subs[0].inode)).toBe(120);
      expect(bulk).toHaveBeenCalledTimes(1); // the oldest was dropped: listed again
      bulk.mockRestore();
    } finally {
      await engine.close();
    }
  });

  it("connects over the unix socket with ?db=, and compare-and-sets xattrs atomically", async () => {
    const engine = await openRedisEngine(`unix://${path.join(server.dir, "redis.sock")}?db=3`);
    try {
      expect(engine.redactedUrl).toContain("unix://");
      await loadBuffer(engine, golden("metadata-sub.sample"));
      expect(await engine.getXattr(1n, "lastBackup")).toBeNull();
      expect(await engine.compareAndSetXattr(1n, "lastBackup", null, Buffer.from("t1"))).toBe(true);
      expect(await engine.compareAndSetXattr(1n, "lastBackup", null, Buffer.from("t2"))).toBe(false);
      expect(await engine.compareAndSetXattr(1n, "lastBackup", Buffer.from("t0"), Buffer.from("t2"))).toBe(false);
      expect(await engine.compareAndSetXattr(1n, "lastBackup", Buffer.from("t1"), Buffer.from("t2"))).toBe(true);
      expect((await engine.getXattr(1n, "lastBackup"))!.toString()).toBe("t2");
      // the "dk" xattr of the old d1 is now on the root: the CAS did not disturb it
      expect((await engine.getXattr(1n, "dk"))!.toString()).toBe("果汁%25");
    } finally {
      await engine.close();
    }
  });
});
