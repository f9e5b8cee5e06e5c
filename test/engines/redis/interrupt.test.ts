// Loads and dumps that stop half-way: cancelled by the caller, or the server goes away.
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { openRedisEngine } from "../../../lib/engines/redis";
import { loadMeta } from "../../../lib/engines/load";
import { dumpMeta } from "../../../lib/engines/dump";
import { JsonDumpWriter } from "../../../lib/dump/writer";
import { syntheticDump } from "../../support/engine-io";
import { rawClient } from "./helpers";

let volume: Buffer;
beforeAll(async () => {
  volume = await syntheticDump({ files: 5000, seed: 3 });
});

/** The volume in 16 KiB pieces, so that a load takes many reads. */
const pieces = () => Readable.from((function* () {
  for (let i = 0; i < volume.length; i += 16384) yield volume.subarray(i, i + 16384);
})());

describe("interrupted operations", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("a cancelled load empties the database again", async () => {
    const engine = await openRedisEngine(server.db(1));
    const raw = rawClient(server.db(1));
    try {
      const ac = new AbortController();
      const p = loadMeta(engine, pieces(), {
        signal: ac.signal,
        onProgress: (pr) => {
          if (pr.entries > 1000) ac.abort();
        },
      });
      await expect(p).rejects.toThrow(/load cancelled/);
      expect(await raw.dbsize()).toBe(0);
    } finally {
      raw.disconnect();
      await engine.close();
    }
  });

  it("a cancelled dump rejects", async () => {
    const engine = await openRedisEngine(server.db(2));
    try {
      await loadMeta(engine, pieces());
      const ac = new AbortController();
      const out = new PassThrough();
      out.resume();
      const p = dumpMeta(engine, new JsonDumpWriter(out), {
        signal: ac.signal,
        onProgress: (pr) => {
          if (pr.entries >= 1000) ac.abort();
        },
      });
      await expect(p).rejects.toThrow(/dump cancelled/);
    } finally {
      await engine.close();
    }
  });

  it("a server that dies during a load gives one clear error", async () => {
    const doomed = await startRedisServer();
    const engine = await openRedisEngine(doomed.db(0));
    try {
      let stopped: Promise<void> | null = null;
      const p = loadMeta(engine, pieces(), {
        onProgress: (pr) => {
          if (pr.entries > 1000 && !stopped) stopped = doomed.stop();
        },
      });
      await expect(p).rejects.toThrow(/cannot reach Redis at 127\.0\.0\.1:\d+\/0.*jfsmeta load --clear-interrupted redis:\/\/127\.0\.0\.1:\d+/s);
      await stopped;
    } finally {
      await engine.close().catch(() => {});
      await doomed.stop();
    }
  });
});
