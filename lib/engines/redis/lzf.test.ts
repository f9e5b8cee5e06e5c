// LZF decoding in JavaScript (lzfJs) and in the reader's WebAssembly module (ChunkWasm.lzf):
// both give back what a compressor put in, and both refuse damaged input the same way.
import { describe, expect, it } from "vitest";
import { CHUNK_BYTES, ChunkWasm, SLOT_BYTES, SLOT_COUNT } from "./chunk-wasm";
import { crc64 } from "./crc64";
import { LZF_FAULTS, lzfJs } from "./lzf";
import { prng } from "../../synth/prng";

/** A plain LZF compressor (lzf_c.c's format): literal runs of up to 32 bytes and back references of 3-264 bytes up to 8 KiB back. */
function compress(src: Uint8Array): Buffer {
  const out: number[] = [];
  let literal: number[] = [];
  const flush = () => {
    for (let i = 0; i < literal.length; i += 32) {
      const run = literal.slice(i, i + 32);
      out.push(run.length - 1, ...run);
    }
    literal = [];
  };
  const last = new Map<number, number>();
  for (let i = 0; i < src.length; ) {
    const h = i + 2 < src.length ? (src[i] << 16) | (src[i + 1] << 8) | src[i + 2] : -1;
    const ref = h >= 0 ? last.get(h) : undefined;
    if (h >= 0) last.set(h, i);
    if (ref !== undefined && i - ref - 1 < 8192) {
      let len = 0;
      while (i + len < src.length && src[ref + len] === src[i + len] && len < 264) len++;
      if (len >= 3) {
        flush();
        const off = i - ref - 1;
        const l = len - 2;
        if (l < 7) out.push((l << 5) | (off >> 8), off & 255);
        else out.push((7 << 5) | (off >> 8), l - 7, off & 255);
        i += len;
        continue;
      }
    }
    literal.push(src[i++]);
  }
  flush();
  return Buffer.from(out);
}

const rand = prng(11);
/** Bytes with repeats (mostly from a small alphabet) so that both literals and references come. */
const sample = (n: number) => Buffer.alloc(n).map(() => (rand() < 0.75 ? 97 + Math.floor(rand() * 3) : Math.floor(rand() * 256)));

const wasm = ChunkWasm.create()!;
/** ChunkWasm.lzf on input placed at `offset` in its chunk: the bytes, or the fault. */
function viaWasm(input: Buffer, ulen: number, slot = 0, offset = 7): Buffer | number {
  const chunk = Buffer.concat([Buffer.alloc(offset, 0xee), input, Buffer.alloc(5, 0xee)]);
  if (!wasm.load(chunk)) throw new Error("the chunk did not fit");
  const at = wasm.lzf(offset, offset + input.length, ulen, slot);
  if (at < 0) return at;
  return Buffer.from(wasm.bytes.subarray(at, at + wasm.written));
}
function viaJs(input: Buffer, ulen: number): Buffer | number {
  const out = Buffer.alloc(ulen + 16, 0xee);
  const n = lzfJs(input, 0, input.length, out, ulen);
  return n < 0 ? n : out.subarray(0, n);
}

describe("LZF decoding", () => {
  it("Node runs the WebAssembly module", () => expect(wasm).not.toBeNull());

  it("gives back what was compressed, in JavaScript and WebAssembly, in every slot, up to a slot's size", () => {
    const wrong: string[] = [];
    for (let t = 0; t < 300; t++) {
      const n = t === 0 ? 0 : t === 1 ? SLOT_BYTES : Math.floor(rand() * (t % 10 === 0 ? 20_000 : 600));
      const src = sample(n);
      const c = compress(src);
      const js = viaJs(c, n);
      const w = viaWasm(c, n, t % SLOT_COUNT, t % 13);
      if (typeof js === "number" || !js.equals(src)) wrong.push(`JavaScript, case ${t}`);
      if (typeof w === "number" || !w.equals(src)) wrong.push(`WebAssembly, case ${t}`);
    }
    expect(wrong).toEqual([]);
    // A long reference overlapping what it copies (runs of one byte), and the farthest one back.
    const runs = Buffer.concat([Buffer.alloc(1000, 120), sample(8190), Buffer.from("abcdef"), sample(3), Buffer.from("abcdef")]);
    expect(viaWasm(compress(runs), runs.length)).toEqual(runs);
  });

  it("refuses damaged input as JavaScript does: the same fault, or a length other than the one stated", () => {
    let faults = 0;
    const differ: string[] = [];
    for (let t = 0; t < 500; t++) {
      const n = 1 + Math.floor(rand() * 400);
      const c = compress(sample(n));
      const flipped = Buffer.from(c);
      flipped[Math.floor(rand() * c.length)] ^= 1 << Math.floor(rand() * 8);
      const cut = c.subarray(0, Math.floor(rand() * c.length));
      for (const [input, ulen] of [[flipped, n], [cut, n], [c, n - 1], [c, n + 1], [Buffer.from([0xe0, 5]), 10], [Buffer.from([0x20, 9, 1, 0]), 10]] as const) {
        const js = viaJs(input, ulen);
        const w = viaWasm(input, ulen, t % SLOT_COUNT);
        if (typeof js === "number" ? w !== js || !LZF_FAULTS[js] : typeof w === "number" || !w.equals(js)) differ.push(`case ${t}: ${String(js)} against ${String(w)}`);
        if (typeof js === "number" || js.length !== ulen) faults++;
      }
    }
    expect(differ).toEqual([]);
    expect(faults).toBeGreaterThan(1000);
  });
});

describe("the reader's chunk in WebAssembly memory", () => {
  it("sums as crc64() does, over any range of the chunk", () => {
    const data = sample(100_000);
    wasm.load(data);
    for (const [from, to] of [[0, 100_000], [3, 99_997], [9, 9], [1, 8]]) expect(wasm.crc(5n, from, to)).toBe(crc64(5n, data, from, to));
  });

  it("takes no chunk longer than its copy's room", () => {
    expect(wasm.load(Buffer.alloc(CHUNK_BYTES))).toBe(true);
    expect(wasm.load(Buffer.alloc(CHUNK_BYTES + 1))).toBe(false);
  });
});
