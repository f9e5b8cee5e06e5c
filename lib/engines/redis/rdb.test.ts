// The RDB reader on what a real redis-server writes: each encoding of each type JuiceFS uses (made
// by crossing Redis's listpack/intset thresholds), int and LZF strings, TTLs and other databases,
// the stream fed a few bytes at a time; damage (a flipped byte, a cut) is an error naming the byte.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startRedisServer, type RedisServer } from "../../../test/support/redis-server";
import { crc64 } from "./crc64";
import { RdbReader, type RdbKind } from "./rdb";
import { requestRdb, SyncRefused } from "./sync";
import { rdbTables } from "./rdb-tables";
import { prng, prngBelow, randomBytes } from "../../synth/prng";

let server: RedisServer;
let redis: Redis;

interface Seen {
  kind: RdbKind;
  db: number;
  expiresAt: number | null;
  values: string[];
}

function read(rdb: Buffer, step: number): { keys: Map<string, Seen>; reader: RdbReader } {
  const keys = new Map<string, Seen>();
  const reader = new RdbReader({
    key(db, key, kind, expiresAt) {
      const seen: Seen = { kind, db, expiresAt, values: [] };
      keys.set(`${db}/${key.toString("latin1")}`, seen);
      const v = seen.values;
      return {
        string: (s) => v.push(s.toString("latin1")),
        element: (s) => v.push(s.toString("latin1")),
        field: (f, s) => v.push(`${f.toString("latin1")}=${s.toString("latin1")}`),
        member: (m, score) => v.push(`${m.toString("latin1")}:${score}`),
      };
    },
  });
  for (let i = 0; i < rdb.length; i += step) reader.feed(rdb.subarray(i, i + step));
  reader.end();
  return { keys, reader };
}

async function saved(): Promise<Buffer> {
  await redis.save();
  return readFile(path.join(server.dir, "dump.rdb"));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  server = await startRedisServer({ args: ["--repl-diskless-sync-delay", "0", "--rdbcompression", "yes"] });
  redis = new Redis({ host: server.host, port: server.port });
  const long = "slice-".repeat(200);
  await redis
    .multi()
    .set("int-small", "7")
    .set("int-16", "-3000")
    .set("int-32", "2000000000")
    .set("big-decimal", "12345678901234567890")
    .set("lzf", long)
    .set("raw", Buffer.from([0, 1, 2, 0xff]))
    .hset("hash-small", "a", "1", "b", "hello", "-12", "4096")
    .hset("hash-big", Object.fromEntries(range(1000).map((i) => [`f${i}`, `v${i}`])))
    .hset("hash-long-value", "x", "y".repeat(100))
    .sadd("set-ints", 1, 2, 3, -5, 70000, 5000000000)
    .sadd("set-strings", "a", "b", "c")
    .sadd("set-big", ...range(600).map((i) => `m${i}`))
    .zadd("zset-small", 1.5, "m1", 2, "m2", -1, "m3")
    .zadd("zset-big", ...range(200).flatMap((i) => [i / 2, `z${i}`]))
    .rpush("list", "one", "two", "3", "-200", "100000", "9000000000000")
    .rpush("list-long", ...range(1000).map((i) => `e${i}-${"x".repeat(i % 50)}`))
    .set("ttl", "soon", "PX", 3_600_000)
    .exec();
  await redis.select(3);
  await redis.set("in-db-3", "three");
  await redis.select(0);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("RDB reader", () => {
  it("reads every encoding as Redis holds it, fed whole or 5 bytes at a time", async () => {
    const rdb = await saved();
    for (const step of [rdb.length, 5, 4096]) {
      const { keys, reader } = read(rdb, step);
      expect(reader.done).toBe(true);
      expect(reader.version).toBeGreaterThanOrEqual(10);
      const get = (k: string) => keys.get(`0/${k}`)!;
      expect(get("int-small")).toMatchObject({ kind: "string", values: ["7"] });
      expect(get("int-16").values).toEqual(["-3000"]);
      expect(get("int-32").values).toEqual(["2000000000"]);
      expect(get("big-decimal").values).toEqual(["12345678901234567890"]);
      expect(get("lzf").values).toEqual(["slice-".repeat(200)]);
      expect(Buffer.from(get("raw").values[0], "latin1")).toEqual(Buffer.from([0, 1, 2, 0xff]));
      expect(get("hash-small")).toMatchObject({ kind: "hash", values: ["a=1", "b=hello", "-12=4096"] });
      expect(get("hash-big").values.sort()).toEqual(range(1000).map((i) => `f${i}=v${i}`).sort());
      expect(get("hash-long-value").values).toEqual([`x=${"y".repeat(100)}`]);
      expect(get("set-ints").values.sort()).toEqual(["-5", "1", "2", "3", "5000000000", "70000"]);
      expect(get("set-strings").values.sort()).toEqual(["a", "b", "c"]);
      expect(get("set-big").values.length).toBe(600);
      expect(get("zset-small")).toMatchObject({ kind: "zset" });
      expect(get("zset-small").values.sort()).toEqual(["m1:1.5", "m2:2", "m3:-1"]);
      expect(get("zset-big").values.sort()).toEqual(range(200).map((i) => `z${i}:${i / 2}`).sort());
      expect(get("list")).toMatchObject({ kind: "list", values: ["one", "two", "3", "-200", "100000", "9000000000000"] });
      expect(get("list-long").values).toEqual(range(1000).map((i) => `e${i}-${"x".repeat(i % 50)}`));
      expect(get("ttl").expiresAt).toBeGreaterThan(Date.now());
      expect(get("raw").expiresAt).toBeNull();
      expect(keys.get("3/in-db-3")).toMatchObject({ db: 3, values: ["three"] });
    }
    // The encodings really are the ones named (what the server holds is what it saves).
    const enc = (k: string) => redis.object("ENCODING", k);
    expect(await enc("hash-small")).toBe("listpack");
    expect(await enc("hash-big")).toBe("hashtable");
    expect(await enc("hash-long-value")).toBe("hashtable");
    expect(await enc("set-ints")).toBe("intset");
    expect(await enc("set-big")).toBe("hashtable");
    expect(await enc("zset-small")).toBe("listpack");
    expect(await enc("zset-big")).toBe("skiplist");
    expect(await enc("list")).toMatch(/listpack|quicklist/);
    expect(await enc("list-long")).toBe("quicklist");
    expect(await enc("int-32")).toBe("int");
  });

  it("chunks longer than a stitch: the token cut by each chunk's start read from a small copy, the chunk itself after it; the same keys, values and end mark at any cut, a token longer than the stitch too", async () => {
    await redis.select(5);
    try {
      // Incompressible and longer than a stitch (16 KiB before the cut, 4 KiB after): read whole from a copy.
      await redis.set("long-random", Buffer.from(range(40_000).map((i) => (i * 7919 + (i >> 3) * 31) & 0xff)));
      await redis.rpush("many", ...range(3000).map((i) => `m${i}-${"z".repeat(i % 70)}`));
      await redis.hset("fields", Object.fromEntries(range(2000).map((i) => [`k${i}`, `v${i}`.repeat(1 + (i % 9))])));
      const rdb = await saved();
      const whole = read(rdb, rdb.length).keys;
      expect(whole.get("5/long-random")!.values[0].length).toBe(40_000);
      const below = prngBelow(3);
      // Cuts at every step; and at one place, then 30,000 bytes a chunk: inside the long key's
      // name (its value's length not yet known: more than the stitch holds), and just before
      // the EOF opcode with more than a stitch's bytes after the RDB (its end read in the stitch).
      const inKey = rdb.indexOf("long-random") + 3;
      const steps: (number | [number])[] = [4097, 4500, 6000, 8191, 16_384, 30_001, -1, [inKey], [rdb.length - 10]];
      for (const step of steps) {
        const mark = Buffer.from("m".repeat(Array.isArray(step) ? 10_000 : 40));
        const keys = new Map<string, string[]>();
        const reader = new RdbReader({
          key(db, key) {
            const v: string[] = [];
            keys.set(`${db}/${key.toString("latin1")}`, v);
            return { string: (x) => v.push(x.toString("latin1")), element: (x) => v.push(x.toString("latin1")), field: (f, x) => v.push(`${f.toString("latin1")}=${x.toString("latin1")}`), member: (m, sc) => v.push(`${m.toString("latin1")}:${sc}`) };
          },
        });
        // -1: cuts of 4-40 KiB at random, the end mark in the last chunk.
        const stream = Buffer.concat([rdb, mark]);
        for (let i = 0; i < stream.length; ) {
          const n = Array.isArray(step) ? (i === 0 ? step[0] : 30_000) : step > 0 ? step : 4096 + below(36_000);
          reader.feed(stream.subarray(i, i + n));
          i += n;
        }
        expect(reader.done).toBe(true);
        expect(reader.rest.equals(mark)).toBe(true);
        expect(keys.size).toBe(whole.size);
        for (const [k, seen] of whole) expect(keys.get(k), k).toEqual(seen.values);
      }
    } finally {
      await redis.flushdb();
      await redis.select(0);
    }
  });

  it("strings and chunks longer than the WebAssembly module's room (chunk-wasm.ts) are read in JavaScript: the same values", async () => {
    await redis.select(6);
    try {
      // LZF-compressed, longer than a slot (64 KiB); an incompressible value of more than 1 MiB
      // (a buffer that long is read in JavaScript, fed whole or in 64 KiB chunks).
      const long = range(30_000).map((i) => `entry-${i % 977}/`).join("");
      await redis.set("long-lzf", long);
      const noise = randomBytes(prng(1), 1_200_000);
      await redis.set("noise", noise);
      await redis.set("short-lzf", "slice-".repeat(50));
      await redis.rpush("list-long", ...range(1000).map((i) => `e${i}-${"x".repeat(i % 50)}`));
      const rdb = await saved();
      expect(rdb.length).toBeGreaterThan(1 << 20);
      for (const step of [rdb.length, 65_536]) {
        const { keys } = read(rdb, step);
        expect(keys.get("6/long-lzf")!.values).toEqual([long]);
        expect(Buffer.from(keys.get("6/noise")!.values[0], "latin1").equals(noise)).toBe(true);
        expect(keys.get("6/short-lzf")!.values).toEqual(["slice-".repeat(50)]);
        expect(keys.get("6/list-long")!.values).toEqual(range(1000).map((i) => `e${i}-${"x".repeat(i % 50)}`));
      }
    } finally {
      await redis.flushdb();
      await redis.select(0);
    }
  });

  it("a damaged LZF string is an error naming the value's byte, whole or fed in pieces", () => {
    const str = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
    // "abcabcabcabc": a literal of 3, then a reference of 9 bytes 3 back; damaged: 9 bytes 60 back.
    const lzfString = (ref: number) => Buffer.concat([Buffer.from([0xc3, 7, 12]), Buffer.from([2, 0x61, 0x62, 0x63, 0xe0, 0, ref])]);
    const rdbOf = (value: Buffer) => {
      const body = Buffer.concat([Buffer.from("REDIS0010"), Buffer.from([0xfe, 0]), Buffer.from([0]), str(Buffer.from("k")), value, Buffer.from([0xff])]);
      const sum = Buffer.alloc(8);
      sum.writeBigUInt64LE(crc64(0n, body));
      return Buffer.concat([body, sum]);
    };
    expect(read(rdbOf(lzfString(2)), 3).keys.get("0/k")!.values).toEqual(["abcabcabcabc"]);
    // The value begins at byte 14: the header (9), SELECTDB 0 (2), the type (1) and the key (2).
    for (const step of [3, 1000]) {
      expect(() => read(rdbOf(lzfString(59)), step)).toThrow(/an LZF back reference points outside its data in the RDB stream \(the value at byte 14\)/);
      expect(() => read(rdbOf(Buffer.from([0xc3, 7, 13, 2, 0x61, 0x62, 0x63, 0xe0, 0, 2])), step)).toThrow(/an LZF string decompresses to 12 bytes, not the 13 stated .*byte 14/);
    }
  });

  it("reads what this Redis 7.0 does not write: a 7.2 listpack set (RDB 11), a Redis 6 ziplist hash and quicklist", () => {
    const str = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
    // listpack: total bytes, count, entries (encoding, data, back-length), end
    const lp = Buffer.from([15, 0, 0, 0, 3, 0, 0x81, 0x61, 2, 0x81, 0x62, 2, 0x07, 1, 0xff]);
    // ziplist: bytes, tail, count, entries (previous length, encoding, data), end
    const zl = Buffer.from([17, 0, 0, 0, 13, 0, 0, 0, 2, 0, 0, 0x01, 0x66, 3, 0xfe, 0xfb, 0xff]);
    const zlList = Buffer.from([19, 0, 0, 0, 13, 0, 0, 0, 3, 0, 0, 0xf2, 3, 0xc0, 0x39, 0x30, 3, 0x01, 0x78, 0xff]);
    zlList.writeUInt32LE(zlList.length, 0);
    const body = Buffer.concat([
      Buffer.from("REDIS0011"),
      Buffer.from([0xfa]), str(Buffer.from("redis-ver")), str(Buffer.from("7.2.4")),
      Buffer.from([0xfe, 0]), Buffer.from([0xfb, 3, 0]),
      Buffer.from([20]), str(Buffer.from("s")), str(lp),
      Buffer.from([13]), str(Buffer.from("h")), str(zl),
      Buffer.from([14]), str(Buffer.from("l")), Buffer.from([1]), str(zlList),
      Buffer.from([0xff]),
    ]);
    const sum = Buffer.alloc(8);
    sum.writeBigUInt64LE(crc64(0n, body));
    const { keys } = read(Buffer.concat([body, sum]), 3);
    expect(keys.get("0/s")).toMatchObject({ kind: "set", values: ["a", "b", "7"] });
    expect(keys.get("0/h")).toMatchObject({ kind: "hash", values: ["f=-5"] });
    expect(keys.get("0/l")).toMatchObject({ kind: "list", values: ["1", "12345", "x"] });
  });

  it("takes the same snapshot over SYNC (diskless, with its end mark)", async () => {
    const t = await requestRdb({ host: server.host, port: server.port });
    expect(t.eofMark?.length).toBe(40);
    const chunks: Buffer[] = [];
    for await (const c of t.chunks) {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      if (all.length > 40 && all.subarray(all.length - 40).equals(t.eofMark!)) break;
    }
    const all = Buffer.concat(chunks);
    const { keys, reader } = read(all, 1000);
    expect(reader.rest.equals(t.eofMark!)).toBe(true);
    expect(keys.get("0/hash-big")!.values.length).toBe(1000);
  });

  it("takes it from a file the server wrote first (repl-diskless-sync no: $<len> framing)", async () => {
    await redis.config("SET", "repl-diskless-sync", "no");
    try {
      const t = await requestRdb({ host: server.host, port: server.port });
      expect(t.eofMark).toBeNull();
      const chunks: Buffer[] = [];
      for await (const c of t.chunks) chunks.push(c);
      const all = Buffer.concat(chunks);
      expect(all.length).toBe(t.length);
      const { keys, reader } = read(all, 777);
      expect(reader.rest.length).toBe(0);
      expect(keys.get("0/list")!.values.length).toBe(6);
    } finally {
      await redis.config("SET", "repl-diskless-sync", "yes");
    }
  });

  it("a snapshot cut short or damaged gives no tables: an error naming the byte, never a short dump", async () => {
    const rdb = await saved();
    const scan = async (bytes: Buffer) => {
      let closed = false;
      const transfer = { eofMark: null, length: bytes.length, startedAt: new Date(), chunks: (async function* () {
          yield bytes.subarray(0, 100);
          yield bytes.subarray(100);
        })(), close: () => (closed = true) };
      try {
        for await (const _ of rdbTables({ addr: "test:1", p: "", db: 0 }, transfer)) void _;
      } finally {
        expect(closed).toBe(true);
      }
    };
    await expect(scan(rdb.subarray(0, rdb.length - 20))).rejects.toThrow(new RegExp(`Redis at test:1: the connection was lost at byte \\d+ of the server's snapshot`));
    const flipped = Buffer.from(rdb);
    flipped[rdb.indexOf(Buffer.from("hello"))] ^= 1;
    await expect(scan(flipped)).rejects.toThrow(/Redis at test:1: the RDB stream's checksum at byte \d+/);
  });

  it("the dir stats are joined and yielded once their three hashes are read, not after the snapshot's last byte", async () => {
    const db5 = new Redis({ host: server.host, port: server.port, db: 5 });
    const db6 = new Redis({ host: server.host, port: server.port, db: 6 });
    try {
      await db5.hset("dirUsedInodes", "1", "3", "2", "1");
      await db5.hset("dirDataLength", "1", "4096");
      await db5.hset("dirUsedSpace", "1", "8192", "2", "4096");
      // Another database after it in the RDB: a long stream still to come once DB 5's keys are read.
      const pipe = db6.pipeline();
      for (let i = 0; i < 2000; i++) pipe.set(`k${i}`, randomBytes(prng(i), 100));
      await pipe.exec();
      const rdb = await saved();
      const pieces = range(Math.ceil(rdb.length / 1024)).map((i) => rdb.subarray(i * 1024, (i + 1) * 1024));
      let handedOut = 0;
      const transfer = { eofMark: null, length: rdb.length, startedAt: new Date(), chunks: (async function* () {
          for (const p of pieces) {
            handedOut++;
            yield p;
          }
        })(), close: () => {} };
      let seenAt = -1;
      const stats: string[] = [];
      for await (const b of rdbTables({ addr: "test:1", p: "", db: 5 }, transfer)) {
        if (b.table !== "dirStats") continue;
        if (seenAt < 0) seenAt = handedOut;
        for (const r of b.records) stats.push(`${r.inode} ${r.dataLength} ${r.usedSpace} ${r.usedInodes}`);
      }
      expect(stats.sort()).toEqual(["1 4096 8192 3", "2 0 4096 1"]);
      expect(seenAt).toBeGreaterThan(0);
      expect(seenAt).toBeLessThan(pieces.length / 2);
    } finally {
      await db5.flushdb();
      await db6.flushdb();
      db5.disconnect();
      db6.disconnect();
    }
  });

  it("treeOnly (a JSON dump's staged walk) keeps no dir stats, slice references or parents: the tree's tables alone", async () => {
    const db7 = new Redis({ host: server.host, port: server.port, db: 7 });
    try {
      await db7.hset("dirUsedInodes", "1", "3");
      await db7.hset("dirDataLength", "1", "4096");
      await db7.hset("dirUsedSpace", "1", "8192");
      await db7.hset("sliceRef", "k7_4096", "2");
      await db7.hset("p9", "1", "2");
      await db7.hset("d1", "a", Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 9]));
      const rdb = await saved();
      const tables = async (treeOnly: boolean) => {
        const transfer = { eofMark: null, length: rdb.length, startedAt: new Date(), chunks: (async function* () {
            yield rdb;
          })(), close: () => {} };
        const seen = new Map<string, number>();
        for await (const b of rdbTables({ addr: "test:1", p: "", db: 7 }, transfer, undefined, undefined, { treeOnly })) {
          const n = "records" in b ? b.records.length : 1;
          if (n) seen.set(b.table, (seen.get(b.table) ?? 0) + n);
        }
        return seen;
      };
      const all = await tables(false);
      expect([all.get("dirStats"), all.get("sliceRefs"), all.get("parents"), all.get("edges")]).toEqual([1, 1, 1, 1]);
      const tree = await tables(true);
      expect([tree.get("dirStats"), tree.get("sliceRefs"), tree.get("parents"), tree.get("edges")]).toEqual([undefined, undefined, undefined, 1]);
    } finally {
      await db7.flushdb();
      db7.disconnect();
    }
  });

  it("a refused SYNC is a SyncRefused with the server's reason", async () => {
    await redis.call("ACL", "SETUSER", "nosync", "on", ">pw", "~*", "&*", "+@all", "-sync");
    await expect(requestRdb({ host: server.host, port: server.port, username: "nosync", password: "pw" })).rejects.toThrow(SyncRefused);
    await expect(requestRdb({ host: server.host, port: server.port, username: "nosync", password: "pw" })).rejects.toThrow(/NOPERM/);
  });

  it("a damaged snapshot is an error naming the byte: a flipped bit (checksum), a cut, not an RDB", async () => {
    const rdb = await saved();
    const flipped = Buffer.from(rdb);
    const at = rdb.indexOf("slice-slice");
    expect(at).toBeLessThan(0); // the LZF string is compressed: flip a byte of the raw one instead
    const raw = rdb.indexOf(Buffer.from("hello"));
    flipped[raw] ^= 0x20;
    expect(() => read(flipped, 100)).toThrow(new RegExp(`checksum at byte ${rdb.length - 8} is [0-9a-f]{16}, but its bytes sum to [0-9a-f]{16}`));
    expect(() => read(rdb.subarray(0, 300), 100)).toThrow(/the RDB stream ended at byte 300 before its end marker/);
    expect(() => read(Buffer.from("HTTP/1.1 400 Bad"), 100)).toThrow(/not an RDB stream: it starts with "HTTP\/1.1 "/);
    const unknownType = Buffer.concat([Buffer.from("REDIS0010"), Buffer.from([15, 1, 0x6b])]);
    expect(() => read(Buffer.concat([unknownType, Buffer.alloc(20)]), 100)).toThrow(/type 15 \(stream\) at byte 9/);
  });
});
