import { describe, expect, it } from "vitest";
import { prefixOrder, PREFIX_WORDS } from "./prefix-order";
import { prngBelow } from "../synth/prng";

/**
 * Keys as the sorts hold them, from an independent model: the whole key's bytes compared by
 * Buffer.compare, ties by arrival. The radix passes and the ties must give the same order.
 */
function check(keys: Buffer[]): void {
  const n = keys.length;
  const W = PREFIX_WORDS;
  const prefixes = new Uint32Array(W * n);
  keys.forEach((k, i) => {
    const p = Buffer.alloc(4 * W);
    k.copy(p, 0, 0, Math.min(4 * W, k.length));
    for (let w = 0; w < W; w++) prefixes[W * i + w] = p.readUInt32BE(4 * w);
  });
  const compare = (i: number, j: number) => Buffer.compare(keys[i], keys[j]) || i - j;
  const want = [...keys.keys()].sort((i, j) => Buffer.compare(keys[i], keys[j]) || i - j);
  expect([...prefixOrder(prefixes, n, compare)]).toEqual(want);
}

describe("prefixOrder", () => {
  const rand = prngBelow(7);
  const bytes = (len: number, alphabet: number) => Buffer.from(Array.from({ length: len }, () => rand(alphabet)));

  it("orders by the whole key, equal keys in arrival order: random keys, short keys, shared prefixes, equal keys", () => {
    for (const n of [0, 1, 5, 255, 256, 257, 3000]) {
      check(Array.from({ length: n }, () => bytes(1 + rand(20), 256)));
      // Keys sharing their first 16 bytes or more (a directory's names "f0000…"), and duplicates.
      check(Array.from({ length: n }, () => Buffer.concat([Buffer.from("\0\0\0\0\0\0\0\x05f0000000"), bytes(rand(4), 3)])));
      // Inode-like keys: 8 bytes, high bytes all zero (those radix passes are skipped), a tag.
      check(Array.from({ length: n }, () => Buffer.concat([Buffer.alloc(5), bytes(3, 256), Buffer.from([1 + rand(5)]), bytes(rand(6), 256)])));
      // Keys shorter than the prefix that zero-padding makes look alike ("ab" and "ab\0").
      check(Array.from({ length: n }, () => Buffer.concat([Buffer.from("ab"), Buffer.alloc(rand(3))])));
    }
  });

  it("compares whole keys only among records whose prefix words are all equal", () => {
    const n = 5000;
    const keys = Array.from({ length: n }, (_, i) => Buffer.concat([Buffer.alloc(12), Buffer.from([i >> 8, i & 255]), bytes(10, 256)]));
    const prefixes = new Uint32Array(PREFIX_WORDS * n);
    keys.forEach((k, i) => {
      for (let w = 0; w < PREFIX_WORDS; w++) prefixes[PREFIX_WORDS * i + w] = k.readUInt32BE(4 * w);
    });
    let compared = 0;
    prefixOrder(prefixes, n, (i, j) => (compared++, Buffer.compare(keys[i], keys[j]) || i - j));
    expect(compared).toBe(0); // every prefix differs: no comparator call at all
  });
});
