// Big sparse files on Redis: a dump reads what exists, not one key per 64 MiB of length, and a
// length no JuiceFS file can have is refused instead of walked for ever.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Redis } from "ioredis";
import { golden } from "../../support/fixtures";
import { startRedisServer, type RedisServer } from "../../support/redis-server";
import { openRedisEngine } from "../../../lib/engines/redis";
import { openSqlEngine } from "../../../lib/engines/sql";
import { tempDir } from "../../support/temp-dir";
import { dumpToBuffer, loadBuffer, rawClient } from "./helpers";

const TIB = 1n << 40n;
const LAST_CHUNK = Number((64n * TIB) / (64n << 20n)) - 1; // 1,048,575

/** metadata.sample with "big" made a 64 TiB file whose second chunk is its last. */
function sparseSample(): Buffer {
  const s = golden("metadata.sample").toString();
  const out = s
    .replace(/("inode":6,"type":"regular".*?"length":)104857600/, `$1${64n * TIB}`)
    .replace('{"index":1,"slices":[{"id":6,', `{"index":${LAST_CHUNK},"slices":[{"id":6,`);
  expect(out).not.toBe(s);
  return Buffer.from(out);
}

let server: RedisServer;
let raw: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  raw = rawClient(server.db(1));
});
afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

const inputBytes = async () => Number(/total_net_input_bytes:(\d+)/.exec(await raw.info("stats"))![1]);

afterEach(() => void vi.unstubAllEnvs());

describe("Redis: sparse files", () => {
  it("a 64 TiB file with two chunks dumps as from SQLite, in requests that do not grow with its length", async () => {
    const dump = sparseSample();
    const sqlite = await openSqlEngine(`sqlite3://${tempDir("jfsmeta-sparse-")}/v.db`);
    await loadBuffer(sqlite, dump);
    const expected = await dumpToBuffer(sqlite);
    await sqlite.close();
    expect(expected.toString()).toContain(`{"index":${LAST_CHUNK},"slices":[{"id":6,`);
    const engine = await openRedisEngine(server.db(1));
    try {
      await loadBuffer(engine, dump);
      // Over the snapshot (the default): the chunks the server holds, whatever the length.
      expect((await dumpToBuffer(engine)).equals(expected)).toBe(true);
      // The tree walk asks for the chunks by index: one LRANGE per 64 MiB would send ~40 MB of
      // commands for this file alone.
      vi.stubEnv("JFSMETA_STAGED_WALK", "0");
      const before = await inputBytes();
      expect((await dumpToBuffer(engine)).equals(expected)).toBe(true);
      expect((await inputBytes()) - before).toBeLessThan(1 << 20);
    } finally {
      await raw.flushdb();
      await engine.close();
    }
  });

  it("a stored length beyond JuiceFS's maximum file size is refused by the tree walk, not walked (the snapshot's dump writes it, as the SQL engines' do)", async () => {
    const engine = await openRedisEngine(server.db(1));
    try {
      await loadBuffer(engine, golden("metadata.sample"));
      const attr = (await raw.getBuffer("i6"))!;
      attr.writeBigUInt64BE(1n << 63n, 51);
      await raw.set("i6", attr);
      expect((await dumpToBuffer(engine)).toString()).toContain('"length":9223372036854775808');
      vi.stubEnv("JFSMETA_STAGED_WALK", "0");
      await expect(dumpToBuffer(engine)).rejects.toThrow(/inode 6 has length 9223372036854775808, not below JuiceFS's maximum file size .*the metadata is damaged/);
    } finally {
      await raw.flushdb();
      await engine.close();
    }
  });
});
