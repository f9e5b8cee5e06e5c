// The bounded sort of a directory listing: spilled runs merged give exactly what the in-memory
// sort gives (byte order, each name once), and the temporary file is gone on every ending.
import { readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import type { DirEntry } from "../jfs/types";
import { prng } from "../synth/prng";
import { sortListing, type SortedListing } from "./sorted-listing";

/** Names with shared prefixes, prefixes of each other, high bytes, long ones, and repeats. */
function names(count: number, seed: number): DirEntry[] {
  const rnd = prng(seed);
  const out: DirEntry[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    let name: Buffer;
    if (r < 0.4) name = Buffer.from(`file-${String(Math.floor(rnd() * count * 10)).padStart(7, "0")}`);
    else if (r < 0.5) name = Buffer.from(`file-${Math.floor(rnd() * 100)}`); // a prefix of others
    else if (r < 0.6) name = Buffer.alloc(255, 0x61 + Math.floor(rnd() * 3)); // the longest name
    else name = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => 1 + Math.floor(rnd() * 255)));
    out.push({ name, inode: BigInt(i + 2) + (1n << 40n), type: i % 7 === 0 ? "directory" : "regular" });
  }
  // An unsorted scan may list an entry twice (a Redis rehash): a few exact repeats.
  for (let i = 0; i < count; i += 97) out.push({ ...out[i] });
  return out;
}

async function* inBatches(list: DirEntry[], size: number, onBatch?: (n: number) => void): AsyncGenerator<DirEntry[]> {
  for (let i = 0; i < list.length; i += size) {
    onBatch?.(i / size);
    yield list.slice(i, i + size);
  }
}

async function drain(s: SortedListing, step = 100): Promise<DirEntry[]> {
  const out: DirEntry[] = [];
  for (let part = await s.take(step); part.length; part = await s.take(step)) out.push(...part.map((e) => ({ ...e, name: Buffer.from(e.name) })));
  await s.close();
  return out;
}

/** This process's open descriptors on files under `dir` (deleted ones included). */
function openUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // closed meanwhile (the readdir's own descriptor)
    }
  }
  return out;
}

const show = (l: DirEntry[]) => l.map((e) => `${e.name.toString("hex")}:${e.inode}:${e.type}`);

describe("sortListing", () => {
  it.each([false, true])("spilled runs merge to exactly the in-memory sort (engine sorted: %s)", async (engineSorted) => {
    const tmp = tempDir("jfsmeta-sort-test-");
    let list = names(5000, 3);
    if (engineSorted) {
      list.sort((a, b) => Buffer.compare(a.name, b.name));
      list = list.filter((e, i) => i === 0 || !e.name.equals(list[i - 1].name));
    }
    const inMemory = (await sortListing(inBatches(list, 333), { sorted: engineSorted, memory: Infinity, tmpDir: tmp }))!;
    expect(inMemory.runs).toBe(0);
    const want = await drain(inMemory);
    // Byte order, each name once: against an independent sort.
    const ref = [...new Map(list.map((e) => [e.name.toString("latin1"), e])).values()].sort((a, b) => Buffer.compare(a.name, b.name));
    expect(show(want).map((s) => s.split(":")[0])).toEqual(show(ref).map((s) => s.split(":")[0]));
    for (const memory of [1, 3000, 40_000]) {
      for (const step of memory === 1 ? [100] : [1, 100, 7000]) {
        const spilled = (await sortListing(inBatches(list, 333), { sorted: engineSorted, memory, tmpDir: tmp }))!;
        expect(spilled.runs).toBeGreaterThan(1);
        if (memory === 1) expect(spilled.runs).toBe(list.length); // one entry a run
        expect(readdirSync(tmp)).toEqual([]); // unlinked while in use
        expect(openUnder(tmp)).toHaveLength(1);
        expect(show(await drain(spilled, step))).toEqual(show(want));
        expect(openUnder(tmp)).toEqual([]);
      }
    }
  });

  it("an empty listing, and one past `max` (nothing held either way)", async () => {
    const tmp = tempDir("jfsmeta-sort-test-");
    const empty = (await sortListing(inBatches([], 10), { sorted: false, memory: 1, tmpDir: tmp }))!;
    expect([empty.listed, (await empty.take(100)).length]).toEqual([0, 0]);
    await empty.close();
    expect(await sortListing(inBatches(names(500, 1), 50), { sorted: false, memory: 100, max: 200, tmpDir: tmp })).toBeNull();
    expect(openUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("a listing that fails or is cancelled after spilling leaves no file and no descriptor", async () => {
    const tmp = tempDir("jfsmeta-sort-test-");
    const list = names(2000, 5);
    const failing = inBatches(list, 100, (n) => {
      if (n === 10) throw new Error("connection lost");
    });
    await expect(sortListing(failing, { sorted: false, memory: 2000, tmpDir: tmp })).rejects.toThrow("connection lost");
    const cancel = () => {
      if (openUnder(tmp).length) throw new Error("cancelled");
    };
    await expect(sortListing(inBatches(list, 100), { sorted: false, memory: 2000, tmpDir: tmp, onBatch: cancel })).rejects.toThrow("cancelled");
    expect(openUnder(tmp)).toEqual([]);
    // Closed half-way through the merge (the dump walk stopped): the same.
    const half = (await sortListing(inBatches(list, 100), { sorted: false, memory: 2000, tmpDir: tmp }))!;
    expect((await half.take(500)).length).toBe(500);
    await half.close();
    expect(await half.take(10)).toEqual([]);
    expect(openUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("a temporary dir that cannot be written is an error that names TMPDIR", async () => {
    await expect(sortListing(inBatches(names(100, 2), 10), { sorted: false, memory: 1, tmpDir: "/proc/nonexistent" })).rejects.toThrow(/TMPDIR/);
  });
});
