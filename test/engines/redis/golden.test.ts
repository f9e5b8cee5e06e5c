// JuiceFS's TestLoadDump on Redis: the golden samples load, dump back byte for byte, and the
// stored keys hold exactly what checkMeta expects (JuiceFS's pkg/meta tests; docs/format/redis-keys.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { golden } from "../../support/fixtures";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { openRedisEngine, type RedisEngine } from "../../../lib/engines/redis";
import { decodeAcl, decodeAttr, decodeEntry, decodeQuota, decodeSlice } from "../../../lib/engines/redis/codec";
import { TRASH_INODE } from "../../../lib/jfs/types";
import { dumpToBuffer, loadBuffer, rawClient } from "./helpers";

let server: RedisServer;
let engine: RedisEngine;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  engine = await openRedisEngine(server.db(1));
  redis = rawClient(server.db(1));
  await loadBuffer(engine, golden("metadata.sample"));
});

afterAll(async () => {
  redis?.disconnect();
  await engine?.close();
  await server?.stop();
});

async function attr(ino: bigint) {
  const raw = await redis.getBuffer(`i${ino}`);
  expect(raw, `i${ino}`).not.toBeNull();
  return { raw: raw!, ...decodeAttr(ino, raw!)! };
}

describe("metadata.sample through Redis", () => {
  it("dumps back byte-identical, with 1 and 10 threads", async () => {
    const want = golden("metadata.sample");
    expect((await dumpToBuffer(engine, { threads: 1 })).equals(want)).toBe(true);
    expect((await dumpToBuffer(engine, { threads: 10 })).equals(want)).toBe(true);
    // Every directory sorted in runs of one entry spilled to a temporary file, then merged.
    expect((await dumpToBuffer(engine, { threads: 10, sortMemory: 1 })).equals(want)).toBe(true);
  });

  it("dumps --subdir d1 exactly as metadata-sub.sample", async () => {
    const got = await dumpToBuffer(engine, { subdir: "d1" });
    expect(got.toString()).toBe(golden("metadata-sub.sample").toString());
    expect((await dumpToBuffer(engine, { subdir: "/d1/" })).equals(got)).toBe(true);
  });

  it("stores the recomputed counters (Redis keeps nextinode/nextchunk one less)", async () => {
    const v = await redis.mget("usedSpace", "totalInodes", "nextinode", "nextchunk", "nextsession", "nextTrash");
    expect(v).toEqual(["115392512", "14", "34", "8", "0", "1"]);
    const c = await engine.readCounters();
    expect(c.nextInodes).toBe(35n);
    expect(c.nextChunk).toBe(9n);
  });

  it("stores the root directory with its 9 entries and their dir stats", async () => {
    const fields = (await redis.callBuffer("HGETALL", "d1")) as Buffer[];
    const names: string[] = [];
    for (let i = 0; i < fields.length; i += 2) names.push(decodeEntry(fields[i], fields[i + 1]).name.toString("latin1"));
    expect(names.length).toBe(9);
    expect(names).toContain("UTF8果汁数据科技有限公司文件".split("").map((c) => Buffer.from(c).toString("latin1")).join(""));
    expect(await redis.hget("dirUsedInodes", "1")).toBe("9");
    expect(await redis.hget("dirDataLength", "1")).toBe("36");
    expect(await redis.hget("dirUsedSpace", "1")).toBe(String(9 * 4096));
    expect(await redis.hget("dirDataLength", "3")).toBe(String(104857600 + 12));
    expect(await redis.hget("dirUsedInodes", String(TRASH_INODE))).toBe("1");
    expect(await redis.hget("dirUsedInodes", String(TRASH_INODE + 1n))).toBe("3");
    const root = await attr(1n);
    expect(root.attr.nlink).toBe(5);
    expect(root.parent).toBe(1n);
    expect(root.attr.length).toBe(4096n);
  });

  it("names files in UTF-8 and GBK bytes as the sample does", async () => {
    const fields = (await redis.callBuffer("HGETALL", "d1")) as Buffer[];
    const byInode = new Map<bigint, Buffer>();
    for (let i = 0; i < fields.length; i += 2) {
      const e = decodeEntry(fields[i], fields[i + 1]);
      byInode.set(e.inode, e.name);
    }
    expect(new TextDecoder("gbk").decode(byInode.get(34n)!)).toBe("GBK果汁数据科技有限公司文件");
    expect(byInode.get(33n)!.toString("utf8")).toBe("UTF8果汁数据科技有限公司文件");
    expect(byInode.get(32n)!.toString("utf8")).toBe("UTF8果汁数据科技有限公司目录");
    // readlink(5) gives the same GBK bytes
    expect((await redis.getBuffer("s5"))!.equals(byInode.get(34n)!)).toBe(true);
    const s5 = await attr(5n);
    expect(s5.attr.length).toBe(BigInt(byInode.get(34n)!.length));
  });

  it("stores quotas with the recomputed usage of the root", async () => {
    const q = decodeQuota((await redis.hgetBuffer("dirQuota", "1"))!);
    expect(q).toEqual({ maxSpace: 1n << 30n, maxInodes: 100n });
    // summary of root minus the root itself: 9 × 4096 + big (100 MiB) + d1/f11 (4096)
    expect(await redis.hget("dirQuotaUsedSpace", "1")).toBe(String(9 * 4096 + 104857600 + 4096));
    expect(await redis.hget("dirQuotaUsedInodes", "1")).toBe("11");
    expect(decodeQuota((await redis.hgetBuffer("userQuota", "501"))!)).toEqual({ maxSpace: 1n << 40n, maxInodes: 1000000n });
    expect(decodeQuota((await redis.hgetBuffer("groupQuota", "20"))!)).toEqual({ maxSpace: 2n << 40n, maxInodes: 2000000n });
  });

  it("stores inode 2 with flags, ACL ids, xattr and three overlapping slices", async () => {
    const f1 = await attr(2n);
    expect(f1.attr.nlink).toBe(1);
    expect(f1.attr.length).toBe(24n);
    expect(f1.attr.flags).toBe(128);
    expect(f1.attr.tier).toBe(1);
    expect(f1.raw.length).toBe(81); // ACL ids + tier + the trailing zero
    expect(f1.raw[80]).toBe(0);
    const access = decodeAcl((await redis.hgetBuffer("acl", String(f1.accessAcl)))!);
    expect(access).toEqual({ owner: 6, group: 4, mask: 4, other: 4, users: [{ id: 1, perm: 6 }, { id: 2, perm: 7 }], groups: [] });
    const def = decodeAcl((await redis.hgetBuffer("acl", String(f1.defaultAcl)))!);
    expect(def).toEqual({ owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [{ id: 3, perm: 6 }, { id: 4, perm: 7 }] });
    expect(await redis.get("aclMaxId")).toBe("4");
    const slices = (await redis.lrangeBuffer("c2_0", 0, -1)).map(decodeSlice);
    expect(slices.map((s) => [s!.id, s!.size])).toEqual([[1n, 6], [2n, 12], [4n, 24]]);
    expect(await redis.hget("x2", "k")).toBe("v");
    expect((await redis.hgetBuffer("x3", "dk"))!.toString()).toBe("果汁%25");
  });

  it("stores the hard link once, with nlink 2, parent 0 and p4 = {1:1, 3:1}", async () => {
    const f11 = await attr(4n);
    expect(f11.attr.nlink).toBe(2);
    expect(f11.parent).toBe(0n);
    expect(await redis.hgetall("p4")).toEqual({ "1": "1", "3": "1" });
    expect(await redis.hgetall("sliceRef")).toEqual({ k2_12: "1" });
  });

  it("stores the trash tree, delfiles and the setting last", async () => {
    const trash = await attr(TRASH_INODE);
    expect(trash.attr.nlink).toBe(2);
    expect(trash.parent).toBe(1n);
    const hour = await attr(TRASH_INODE + 1n);
    expect(hour.attr.nlink).toBe(2);
    expect(hour.parent).toBe(TRASH_INODE);
    expect(await redis.zrange("delfiles", "0", "-1", "WITHSCORES")).toEqual(["23:0", "1637664458"]);
    const setting = await redis.get("setting");
    expect(setting).toMatch(/^\{\n"Name": "load-dump-test",\n/);
    expect(await redis.get("nextsession")).toBe("0");
  });
});

describe("metadata-sub.sample loaded alone", () => {
  let sub: RedisEngine;
  let raw: Redis;
  beforeAll(async () => {
    sub = await openRedisEngine(server.db(2));
    raw = rawClient(server.db(2));
    await loadBuffer(sub, golden("metadata-sub.sample"));
  });
  afterAll(async () => {
    raw?.disconnect();
    await sub?.close();
  });

  it("makes d1 the root holding exactly big and f11 (nlink 1)", async () => {
    const fields = (await raw.callBuffer("HGETALL", "d1")) as Buffer[];
    const names = [];
    for (let i = 0; i < fields.length; i += 2) names.push(decodeEntry(fields[i], fields[i + 1]).name.toString());
    expect(names.sort()).toEqual(["big", "f11"]);
    const f11 = decodeAttr(4n, (await raw.getBuffer("i4"))!)!;
    expect(f11.attr.nlink).toBe(1);
    expect(f11.parent).toBe(1n);
    expect(await raw.exists("i3")).toBe(0);
    expect(await raw.exists(`i${TRASH_INODE}`)).toBe(0);
    expect(await raw.mget("usedSpace", "totalInodes", "nextinode", "nextchunk", "nextTrash")).toEqual(["104861696", "2", "6", "6", "0"]);
    expect(await raw.hget("dirQuotaUsedSpace", "1")).toBe("104861696");
    expect(await raw.exists("userQuota")).toBe(0);
  });
});

describe("header details read from Redis", () => {
  it("skips (-1,-1) quotas, lists sustained inodes, keeps delfiles by expire", async () => {
    const e = await openRedisEngine(server.db(3));
    const raw = rawClient(server.db(3));
    try {
      await loadBuffer(e, golden("metadata.sample"));
      const unlimited = Buffer.from("ffffffffffffffffffffffffffffffff", "hex");
      await raw.hset("dirQuota", "3", unlimited);
      await raw.hset("userQuota", "77", unlimited);
      await raw.hset("groupQuota", "78", Buffer.alloc(15)); // malformed: skipped
      expect((await dumpToBuffer(e)).equals(golden("metadata.sample"))).toBe(true);
      await raw.zadd("allSessions", 100, "7", 50, "9", 10, "8");
      await raw.sadd("session7", "23", "24");
      await raw.sadd("session9", "30");
      await raw.zadd("delfiles", 1, "40:4096", 2, "bogus");
      const text = (await dumpToBuffer(e)).toString();
      const sustained = JSON.parse(text.slice(text.indexOf('"Sustained": ') + 13, text.indexOf(',\n  "DelFiles"')));
      expect(sustained.map((s: { sid: number }) => s.sid)).toEqual([9, 7]); // by score; session 8 has no inodes
      expect(sustained[1].inodes.sort()).toEqual([23, 24]);
      expect(text).toMatch(/"DelFiles": \[\n {4}\{\n {6}"inode": 40,\n {6}"length": 4096,\n {6}"expire": 1\n {4}\},\n {4}\{\n {6}"inode": 23,/);
    } finally {
      raw.disconnect();
      await e.close();
    }
  });
});
