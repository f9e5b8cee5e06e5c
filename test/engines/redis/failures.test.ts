// Every way a load or dump can fail, with its message and the database state afterwards:
// a failed load leaves the target empty again, a refused one leaves it untouched.
import net from "node:net";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { golden } from "../../support/fixtures";
import { freePort, startRedisServer, type RedisServer } from "../../support/redis-server";
import { openRedisEngine, type RedisEngine } from "../../../lib/engines/redis";
import { openEngine, prefetchFlatScan } from "../../../lib/engines/open";
import { loadMeta } from "../../../lib/engines/load";
import { openDumpInput } from "../../../lib/dump/input";
import { dumpToBuffer, loadBuffer, rawClient } from "./helpers";

let server: RedisServer;
let engine: RedisEngine;
let redis: Redis;
const sample = golden("metadata.sample").toString("utf8");

beforeAll(async () => {
  server = await startRedisServer();
  engine = await openRedisEngine(server.db(5));
  redis = rawClient(server.db(5));
});
afterAll(async () => {
  redis?.disconnect();
  await engine?.close();
  await server?.stop();
});

/** Load must fail with a message matching `message`, and leave DB 5 empty. */
async function expectFailedLoad(data: Buffer | string, message: RegExp) {
  await expect(loadBuffer(engine, data)).rejects.toThrow(message);
  expect(await redis.dbsize()).toBe(0);
}

describe("load refuses a database that is not empty, writing nothing", () => {
  it("names the volume already there", async () => {
    const other = await openRedisEngine(server.db(6));
    const raw = rawClient(server.db(6));
    try {
      await loadBuffer(other, sample);
      const before = await raw.dbsize();
      await expect(loadBuffer(other, sample)).rejects.toThrow(
        new RegExp(`^database redis://127\\.0\\.0\\.1:${server.port}/6 is used by volume load-dump-test$`),
      );
      expect(await raw.dbsize()).toBe(before);
    } finally {
      await raw.flushdb();
      raw.disconnect();
      await other.close();
    }
  });

  it("refuses any unrelated key, like JuiceFS", async () => {
    await redis.set("unrelated", "x");
    try {
      await expect(loadBuffer(engine, sample)).rejects.toThrow(`Database redis://127.0.0.1:${server.port}/5 is not empty`);
      expect(await redis.keys("*")).toEqual(["unrelated"]);
    } finally {
      await redis.del("unrelated");
    }
  });
});

describe("malformed dumps fail with where, and the database is empty again", () => {
  it("truncated JSON", async () => {
    await expectFailedLoad(sample.slice(0, 5000), /load failed, nothing was kept.*byte \d+/s);
  });

  it("truncated gzip", async () => {
    const gz = gzipSync(Buffer.from(sample));
    const input = await openDumpInput(Readable.from([gz.subarray(0, gz.length - 200)]));
    await expect(loadMeta(engine, input)).rejects.toThrow(/gzip data is truncated or corrupt/);
    expect(await redis.dbsize()).toBe(0);
  });

  it("wrong value types", async () => {
    await expectFailedLoad(sample.replace('"inode":2,', '"inode":"2",'), /attr\.inode.*byte \d+/s);
  });

  it("an entry without attr", async () => {
    await expectFailedLoad(
      sample.replace(/"attr": \{"inode":26,[^\n]*\n/, ""),
      /attr/,
    );
  });

  it("a bad %-escape in a name", async () => {
    await expectFailedLoad(sample.replace('"f1": {', '"f%4x": {'), /bad %-escape.*byte \d+/s);
  });

  it("an unknown node type", async () => {
    await expectFailedLoad(sample.replace('"type":"symlink"', '"type":"pipe"'), /unknown value "pipe".*byte \d+/s);
  });

  it("missing Counters", async () => {
    await expectFailedLoad(sample.replace(/ {2}"Counters": \{[^}]*\},\n/, ""), /missing 'Counters'/);
  });

  it("a second FSTree-less document", async () => {
    await expectFailedLoad(sample.replace(/ {2}"FSTree": [\s\S]*$/, '  "X": 1\n}\n'), /missing 'FSTree'/);
  });
});

describe("engine failures are one clear line", () => {
  it("unreachable server", async () => {
    const port = await freePort();
    await expect(openRedisEngine(`redis://127.0.0.1:${port}/1`)).rejects.toThrow(
      new RegExp(`^cannot reach Redis at 127\\.0\\.0\\.1:${port}/1 \\(ECONNREFUSED\\)`),
    );
  });

  it("unreachable server, its snapshot asked for before the engine opens (a binary dump): the same line", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}/1`;
    const prefetched = await prefetchFlatScan(url);
    await expect(openEngine(url, { prefetched })).rejects.toThrow(new RegExp(`^cannot reach Redis at 127\\.0\\.0\\.1:${port}/1 \\(ECONNREFUSED\\)`));
  });

  it("missing and wrong passwords, never echoing the password", async () => {
    const locked = await startRedisServer({ password: "s3cret-pw" });
    try {
      const base = `127.0.0.1:${locked.port}/1`;
      await expect(openRedisEngine(`redis://${base}`)).rejects.toThrow(/requires a password \(NOAUTH\)/);
      const wrong = openRedisEngine(`redis://:not-it@${base}`);
      await expect(wrong).rejects.toThrow(/rejected the credentials \(WRONGPASS\)/);
      await expect(wrong).rejects.not.toThrow(/not-it/);
      // The same words when a binary dump asked for the snapshot first (its AUTH refused too).
      const early = await prefetchFlatScan(`redis://:not-it@${base}`);
      await expect(openEngine(`redis://:not-it@${base}`, { prefetched: early })).rejects.toThrow(/rejected the credentials \(WRONGPASS\)/);
      const ok = await openRedisEngine(`redis://:s3cret-pw@${base}`);
      expect(ok.redactedUrl).toBe(`redis://:****@${base}`);
      await ok.close();
      process.env.REDIS_PASSWORD = "s3cret-pw";
      try {
        const viaEnv = await openRedisEngine(`redis://${base}`);
        await viaEnv.close();
      } finally {
        delete process.env.REDIS_PASSWORD;
      }
    } finally {
      await locked.stop();
    }
  });

  it("a server still loading its dataset", async () => {
    // A stand-in server that answers every command as Redis does while loading its RDB.
    const fake = net.createServer((sock) => {
      sock.on("data", (d: Buffer) => {
        const commands = d.toString("latin1").match(/(^|\r\n)\*\d+\r\n/g)?.length ?? 1;
        for (let i = 0; i < commands; i++) sock.write("-LOADING Redis is loading the dataset in memory\r\n");
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
    const port = (fake.address() as net.AddressInfo).port;
    try {
      await expect(openRedisEngine(`redis://127.0.0.1:${port}`)).rejects.toThrow(/is still loading its dataset into memory \(LOADING\)/);
    } finally {
      fake.close();
    }
  });
});

describe("dump --subdir", () => {
  it("of a missing path is an error that creates nothing", async () => {
    await loadBuffer(engine, sample);
    try {
      const before = await redis.dbsize();
      await expect(dumpToBuffer(engine, { subdir: "d1/missing" })).rejects.toThrow(/"missing" does not exist in \/d1/);
      await expect(dumpToBuffer(engine, { subdir: "f1" })).rejects.toThrow(/is a regular, not a directory/);
      expect(await redis.dbsize()).toBe(before);
      expect(await redis.hexists("d3", "missing")).toBe(0);
    } finally {
      await redis.flushdb();
    }
  });
});

describe("unusual but valid dumps", () => {
  it("Quotas after FSTree: limits kept, usage 0, with a warning", async () => {
    const quotas = sample.match(/ {2}"Quotas": \{\n[\s\S]*?\n {2}\},\n/)![0];
    const moved = sample.replace(quotas, "").replace(/\n\}\n$/, `,\n${quotas.replace(/,\n$/, "")}\n}\n`);
    try {
      const r = await loadBuffer(engine, moved);
      expect(r.warnings.join("\n")).toMatch(/'Quotas' comes after the tree/);
      expect(await redis.hget("dirQuotaUsedInodes", "1")).toBe("0");
      expect((await redis.hgetBuffer("dirQuota", "1"))!.length).toBe(16);
    } finally {
      await redis.flushdb();
    }
  });
});
