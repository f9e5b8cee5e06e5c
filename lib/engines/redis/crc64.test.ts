import { describe, expect, it } from "vitest";
import { crc64, crc64InWasm, crc64Js } from "./crc64";
import { prng, randomBytes } from "../../synth/prng";

// Redis's crc64.c at its plainest: reflected Jones polynomial, one bit at a time.
const POLY = 0x95ac9329ac4bc9b5n;
function bitwise(b: Uint8Array): bigint {
  let crc = 0n;
  for (const byte of b) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  }
  return crc;
}

const rnd = prng(7);
const random = (n: number) => randomBytes(rnd, n);

describe.each([
  ["WebAssembly", crc64],
  ["JavaScript", crc64Js],
])("Redis's CRC-64 (%s)", (_, crc) => {
  it("the check value of 123456789 (crc64.c's test)", () => {
    expect(crc(0n, Buffer.from("123456789")).toString(16)).toBe("e9c6d914c4b8d9ca");
  });

  it("8 bytes a step equals the bit-by-bit definition, over any range and split", () => {
    const data = random(1000);
    for (const [from, to] of [[0, 1000], [3, 997], [1, 9], [5, 5], [0, 7], [13, 64]]) {
      const want = bitwise(data.subarray(from, to));
      expect(crc(0n, data, from, to)).toBe(want);
      // Continued across a split at every place in a short range (as chunks arrive).
      for (let cut = from; cut <= Math.min(to, from + 17); cut++) expect(crc(crc(0n, data, from, cut), data, cut, to)).toBe(want);
    }
  });
});

describe("Redis's CRC-64, WebAssembly and JavaScript", () => {
  it("Node runs the WebAssembly one", () => expect(crc64InWasm()).toBe(true));

  it("agree over more bytes than the module sums a call (its memory less its tables), at any offset", () => {
    const data = random(700_000);
    for (const [from, to] of [[0, 700_000], [1, 245_761], [5, 245_759], [245_760, 500_003]]) {
      expect(crc64(0n, data, from, to)).toBe(crc64Js(0n, data, from, to));
    }
    expect(crc64(0n, data)).not.toBe(crc64(0n, data, 0, data.length - 1));
  });
});
