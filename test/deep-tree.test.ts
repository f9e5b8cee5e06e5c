// A tree 3,000 directories deep (each directory holding the next, lib/synth/chain.ts) loads
// and dumps back byte for byte on SQLite and Redis. The dump is quadratic in depth by format
// (each line is indented by two spaces per level: ~10·depth² bytes, 90 MB here, 25 GB at
// 50,000 levels), so depth only tests that nothing per level breaks: recursion, the
// read-ahead, the writer's open-directory stack and indentation, the reader's open path.
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonDumpWriter } from "../lib/dump/writer";
import { openEngine } from "../lib/engines/open";
import { writeChainDump } from "../lib/synth/chain";
import { collect } from "./support/dump-tree";
import { dumpToBuffer, loadBuffer } from "./support/engine-io";
import { startEngine, type EngineTarget } from "./support/engine-targets";
import type { EngineKind } from "../lib/engines/engine";

const DEPTH = 3000;

async function chainDump(depth: number): Promise<Buffer> {
  const out = collect();
  await writeChainDump(new JsonDumpWriter(out.stream), { depth });
  out.stream.end();
  await finished(out.stream);
  return out.bytes();
}

describe.each<EngineKind>(["sqlite3", "redis"])(`a tree ${DEPTH} directories deep on %s`, (kind) => {
  let target: EngineTarget;
  let source: Buffer;
  beforeAll(async () => {
    target = await startEngine(kind);
    source = await chainDump(DEPTH);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it("loads and dumps back byte for byte", async () => {
    // ~10·depth² bytes: the indentation JuiceFS writes, nothing more.
    expect(source.length).toBeGreaterThan(10 * DEPTH * DEPTH);
    expect(source.length).toBeLessThan(11 * DEPTH * DEPTH);
    const engine = await openEngine(await target.fresh());
    try {
      const loaded = await loadBuffer(engine, source);
      expect(loaded).toMatchObject({ dirs: DEPTH + 2, files: 1, inodes: DEPTH + 3 });
      const dumped = await dumpToBuffer(engine, { threads: 4 });
      expect(dumped.length).toBe(source.length);
      expect(dumped.equals(source)).toBe(true);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
