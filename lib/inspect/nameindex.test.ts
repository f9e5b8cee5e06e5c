import { describe, expect, it } from "vitest";
import { NameIndex } from "./nameindex";
import { sortedNameOrder } from "../engines/nametable";
import type { DirEntry } from "../jfs/types";
import { prngBelow } from "../synth/prng";

function pack(list: Buffer[]): { names: Buffer; offsets: Uint32Array } {
  const offsets = new Uint32Array(list.length + 1);
  let o = 0;
  list.forEach((b, i) => ((offsets[i] = o), (o += b.length)));
  offsets[list.length] = o;
  return { names: Buffer.concat(list), offsets };
}

describe("sortedNameOrder", () => {
  it("sorts like Buffer.compare (Go string order), prefixes first, stable on duplicates", () => {
    // Deterministic pseudo-random names over a small alphabet with shared prefixes, odd bytes and lengths.
    const rnd = prngBelow(7);
    const alphabet = [0x00, 0x01, 0x20, 0x41, 0x61, 0x7f, 0x80, 0xc3, 0xa9, 0xfe, 0xff];
    const list: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const len = rnd(20);
      const b = Buffer.alloc(9 + len, "prefix-ab");
      for (let k = 9; k < b.length; k++) b[k] = alphabet[rnd(alphabet.length)];
      list.push(b);
    }
    list.push(Buffer.from("prefix-ab"), Buffer.from("prefix-ab"), Buffer.from("prefix-a"), Buffer.from(""));
    const { names, offsets } = pack(list);
    const order = sortedNameOrder(names, offsets, list.length);
    const expected = list.map((b, i) => [b, i] as const).sort((x, y) => Buffer.compare(x[0], y[0]) || x[1] - y[1]).map(([, i]) => i);
    expect(Array.from(order)).toEqual(expected);
  });

  it("handles zero and one names", () => {
    expect(Array.from(sortedNameOrder(Buffer.alloc(0), new Uint32Array(1), 0))).toEqual([]);
    expect(Array.from(sortedNameOrder(Buffer.from("a"), Uint32Array.of(0, 1), 1))).toEqual([0]);
  });
});

describe("NameIndex filters", () => {
  async function index(names: string[]): Promise<NameIndex> {
    const entries: DirEntry[] = names.map((n, i) => ({ name: Buffer.from(n), inode: BigInt(i + 10), type: "regular" }));
    return NameIndex.build({ sorted: false, batches: (async function* () { yield entries; })() });
  }

  it("ASCII directories: no match across two names, results in rank order", async () => {
    // Listed (unsorted) as "zab", "cd", "Abc", "b", "xa": "ab" spans "xa"+"b"... only in listing order.
    const idx = await index(["zab", "cd", "Abc", "xa", "b", "a"]);
    // sorted: "Abc", "a", "b", "cd", "xa", "zab"
    expect(Array.from(idx.matching("ab")).map((r) => idx.at(r).name.toString())).toEqual(["Abc", "zab"]);
    expect(Array.from(idx.matching("ac"))).toEqual([]); // "xa" + "cd"? no: never across names
    expect(Array.from(idx.matching("b")).map((r) => idx.at(r).name.toString())).toEqual(["Abc", "b", "zab"]);
    expect(Array.from(idx.matching("a")).map((r) => idx.at(r).name.toString())).toEqual(["Abc", "a", "xa", "zab"]);
    expect(Array.from(idx.matching("xab"))).toEqual([]);
  });

  it("matches within one name only, once per name, case-insensitively", async () => {
    const idx = await index(["abab", "xAB", "b", "a", "ÄBC", "İx"]);
    // sorted: "a", "abab", "b", "xAB", "ÄBC", "İx"
    expect(Array.from(idx.matching("ab")).map((r) => idx.at(r).name.toString())).toEqual(["abab", "xAB"]);
    expect(Array.from(idx.matching("ba")).map((r) => idx.at(r).name.toString())).toEqual(["abab"]);
    expect(Array.from(idx.matching("äb")).map((r) => idx.at(r).name.toString())).toEqual(["ÄBC"]);
    // "İ".toLowerCase() is two code units: positions after it must still map to the right name.
    expect(Array.from(idx.matching("x")).map((r) => idx.at(r).name.toString())).toEqual(["xAB", "İx"]);
    expect(Array.from(idx.matching("zz"))).toEqual([]);
    expect(Array.from(idx.matching("\0"))).toEqual([]);
  });

  it("an entry listed twice (hash scan during a rehash) is shown and matched once", async () => {
    const idx = await index(["b", "ab", "c", "ab"]);
    expect(idx.count).toBe(3);
    expect(Array.from({ length: idx.count }, (_, r) => idx.at(r).name.toString())).toEqual(["ab", "b", "c"]);
    expect(Array.from(idx.matching("ab")).map((r) => idx.at(r).name.toString())).toEqual(["ab"]);
  });
});
