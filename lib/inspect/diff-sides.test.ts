// The diff over real sides: backup indexes of synthetic volumes and the same volume loaded into
// SQLite. A backup and the volume it was loaded into are equal; both sides give the same diff.
import { createReadStream, createWriteStream } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import { JsonDumpWriter } from "../dump/writer";
import { loadMeta } from "../engines/load";
import { openEngine } from "../engines/open";
import { writeSyntheticDump } from "../synth/volume";
import { indexBackup, openIndexDiffSide } from "./backup";
import { diffIsEmpty, diffTrees, type DiffSide } from "./diff";
import { openLiveDiffSide } from "./live";
import { DiffEventSchema, type DiffEvent } from "./schemas";

const tmp = tempDir("jfsmeta-diff-");

async function synth(file: string, files: number): Promise<void> {
  const out = createWriteStream(file);
  await writeSyntheticDump(new JsonDumpWriter(out), { files, seed: 3 });
  out.end();
  await finished(out);
}

async function collect(a: DiffSide, b: DiffSide, subdir?: string): Promise<DiffEvent[]> {
  const out: DiffEvent[] = [];
  for await (const e of diffTrees(a, await a.top(subdir), b, await b.top(subdir))) out.push(DiffEventSchema.parse(e));
  return out;
}
const entries = (events: DiffEvent[]) => events.filter((e) => e.kind !== "end" && e.kind !== "progress");
const totals = (events: DiffEvent[]) => {
  const end = events.at(-1)!;
  if (end.kind !== "end") throw new Error("no end");
  return end.totals;
};

describe("diff of backup indexes and a live engine", () => {
  let idxA: string;
  let idxB: string;
  let url: string;

  beforeAll(async () => {
    const a = path.join(tmp, "a.json");
    const b = path.join(tmp, "b.json");
    await synth(a, 400);
    await synth(b, 360);
    idxA = path.join(tmp, "a.idx");
    idxB = path.join(tmp, "b.idx");
    await indexBackup(createReadStream(a), idxA);
    await indexBackup(createReadStream(b), idxB);
    url = `sqlite3://${path.join(tmp, "meta.db")}`;
    const engine = await openEngine(url);
    try {
      await loadMeta(engine, createReadStream(a));
    } finally {
      await engine.close();
    }
  }, 60_000);
  afterAll(() => undefined);

  it("finds a backup equal to the volume it was loaded into, and two backups of it equal", async () => {
    const live = openLiveDiffSide(await openEngine(url));
    const side = openIndexDiffSide(idxA);
    try {
      const ev = await collect(side, live);
      expect(entries(ev)).toEqual([]);
      const t = totals(ev);
      expect(diffIsEmpty(t)).toBe(true);
      expect(t.a).toEqual(t.b);
      expect(t.a.entries).toBeGreaterThan(400);
      expect(entries(await collect(side, openIndexDiffSide(idxA)))).toEqual([]);
    } finally {
      await side.close();
      await live.close();
    }
  });

  it("gives the same diff from the live volume as from its backup, and the mirror image the other way", async () => {
    const [a, b, live] = [openIndexDiffSide(idxA), openIndexDiffSide(idxB), openLiveDiffSide(await openEngine(url))];
    try {
      const fromIndex = await collect(a, b);
      expect(entries(fromIndex).length).toBeGreaterThan(0);
      expect(await collect(live, b)).toEqual(fromIndex.map((e) => (e.kind === "end" ? { ...e, durationMs: expect.any(Number) } : e)));
      const t = totals(fromIndex);
      expect(t.b.entries).toBeLessThan(t.a.entries);
      expect(t.b.entries - t.a.entries).toBe(t.added.entries - t.removed.entries);
      const back = totals(await collect(b, a));
      expect(back.added).toEqual(t.removed);
      expect(back.removed).toEqual(t.added);
      expect(back.changed.entries).toBe(t.changed.entries);
    } finally {
      await Promise.all([a.close(), b.close(), live.close()]);
    }
  });

  it("diffs a sub-directory, and names one that is not there", async () => {
    const [a, live] = [openIndexDiffSide(idxA), openLiveDiffSide(await openEngine(url))];
    try {
      const ev = await collect(a, live, "misc");
      expect(totals(ev).a.entries).toBeGreaterThan(5);
      expect(totals(ev).a.entries).toBeLessThan(totals(await collect(a, live)).a.entries);
      await expect(a.top("no/such")).rejects.toThrow("no directory /no in this backup");
      await expect(live.top("no/such")).rejects.toThrow("no directory /no in the live volume");
    } finally {
      await Promise.all([a.close(), live.close()]);
    }
  });
});
