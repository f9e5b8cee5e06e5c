import { describe, expect, it } from "vitest";
import { readI64, readU64, readU64Exact, readU64ExactLE, writeI64, writeU64 } from "./binary-values";
import { prng } from "../synth/prng";

// Values either side of every place the split into two 32-bit halves can go wrong: 2^32, 2^53
// (where a double stops being exact, so the reader must turn to bigint) and 2^63 / 2^64.
const EDGES = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function randomU64s(count: number): bigint[] {
  const rnd = prng(53);
  const word = () => BigInt(Math.floor(rnd() * 2 ** 32));
  // Half of them with a high word below 2^21 (exact as a double), half anywhere.
  return Array.from({ length: count }, (_, i) => ((i % 2 ? word() : word() % 2n ** 21n) << 32n) | word());
}

describe("u64 readers", () => {
  it("read back what writeU64 wrote: a number exactly when below 2^53, else a bigint", () => {
    for (const v of [...EDGES, ...randomU64s(2000)]) {
      const be = Buffer.alloc(11);
      writeU64(be, v, 3);
      expect(readU64(be, 3)).toBe(v);
      const exact = readU64Exact(be, 3);
      if (v < 2n ** 53n) expect(exact).toBe(Number(v));
      else expect(exact).toBe(v);

      const le = Buffer.alloc(11);
      le.writeBigUInt64LE(v, 2);
      expect(readU64ExactLE(le, 2)).toStrictEqual(exact);
    }
  });

  it("read back signed values through writeI64/readI64", () => {
    for (const u of [...EDGES, ...randomU64s(2000)]) {
      const v = BigInt.asIntN(64, u);
      const b = Buffer.alloc(8);
      writeI64(b, v, 0);
      expect(b.readBigInt64BE(0)).toBe(v);
      expect(readI64(b, 0)).toBe(v);
    }
  });
});
