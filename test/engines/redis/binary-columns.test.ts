// A binary load into Redis through the reader's columns (LoadSink.storedNodes, storedEdges,
// storedChunks: MSETs of attrs, entries and slice records written from the dump's bytes) leaves
// the very keys and values the records' path (node(), edges(), chunks()) leaves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { collect } from "../../support/dump-tree";
import { rawClient } from "./helpers";
import { BinaryDumpWriter } from "../../../lib/dump/binary/writer";
import { readBinaryDump, type BinaryDumpVisitor } from "../../../lib/dump/binary/reader";
import { writeSyntheticDump } from "../../../lib/synth/volume";
import { openRedisEngine } from "../../../lib/engines/redis";
import { BinaryLoad } from "../../../lib/engines/load-binary";

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Load `bin` into DB `db` with BinaryLoad; `columns: false` hides its column methods from the reader. */
async function load(bin: Buffer, db: number, columns: boolean): Promise<number> {
  const engine = await openRedisEngine(server.db(db));
  try {
    const sink = await engine.beginLoad();
    const binary = new BinaryLoad(sink, () => {});
    let taken = 0;
    const count = (f?: (c: { count: number }, at: never) => unknown) => f && ((c: { count: number }, at: never) => ((taken += c.count), f(c, at)));
    const visitor: BinaryDumpVisitor = new Proxy(binary, {
      get: (t, k: keyof BinaryLoad) => {
        if (typeof k === "string" && k.endsWith("Columns")) return columns ? count(t[k] as never) : undefined;
        const v = t[k];
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    }) as unknown as BinaryDumpVisitor;
    await readBinaryDump([bin], visitor);
    binary.finish();
    await sink.commit();
    return taken;
  } finally {
    await engine.close();
  }
}

/** Every key of a DB and its value, by type, as text. */
async function snapshot(r: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const hex = (l: Buffer[]) => l.map((b) => b.toString("hex"));
  for (const key of await r.keysBuffer("*")) {
    const type = await r.type(key);
    let v: string[];
    if (type === "string") v = hex([(await r.getBuffer(key))!]);
    else if (type === "hash") {
      const flat = (await r.callBuffer("HGETALL", key)) as Buffer[];
      v = hex(flat).reduce<string[]>((pairs, x, i) => (i % 2 ? pairs.concat(`${pairs.pop()}=${x}`) : pairs.concat(x)), []).sort();
    } else if (type === "list") v = hex(await r.lrangeBuffer(key, 0, -1));
    else if (type === "zset") v = hex((await r.callBuffer("ZRANGE", key, "0", "-1", "WITHSCORES")) as Buffer[]);
    else v = hex(await r.smembersBuffer(key)).sort();
    out.set(`${type} ${key.toString("hex")}`, v.join(","));
  }
  return out;
}

describe("binary load into Redis through columns", () => {
  // With its trash, the volume's node and edge segments hold inodes past 2^53 and come as
  // records (its chunks as columns); without, every node, edge and chunk comes as columns.
  it.each([
    ["with its trash", true, 1900],
    ["without a trash", false, 6000],
  ])("stores what the records' path stores, key for key: a synthetic volume %s", async (_, trash, columns) => {
    const out = collect();
    await writeSyntheticDump(new BinaryDumpWriter(out.stream), { files: 2000, trash });
    const bin = out.bytes();
    const db = trash ? 1 : 3;
    expect(await load(bin, db, false)).toBe(0);
    expect(await load(bin, db + 1, true)).toBeGreaterThan(columns);
    const [a, b] = [rawClient(server.db(db)), rawClient(server.db(db + 1))];
    try {
      const records = await snapshot(a);
      expect(records.size).toBeGreaterThan(4000);
      expect(await snapshot(b)).toEqual(records);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
