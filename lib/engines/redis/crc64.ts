// Redis's CRC-64 (crc64.c: Jones polynomial, reflected, no final xor), which ends every RDB:
// the snapshot reader (rdb.ts) checks the whole stream with it, 138 MiB at 1M files.
//
// Own code: no npm package computes this polynomial (crc64-ecma182 and the AWS NVMe ones are
// other CRCs). Slicing-by-8, in a WebAssembly function of our own when the runtime has
// WebAssembly: 64-bit integers there make it 8 table loads a step of 8 bytes, against 16 on
// the 32-bit halves JavaScript needs. Measured over the bench's 1M-file RDB in 64 KiB chunks,
// on the same busy machine in the same minutes: 96-131 ms CPU with WebAssembly (its copy into
// the module's memory included), 230-350 ms in JavaScript. The JavaScript function stays for
// runtimes without WebAssembly (node --jitless).
import { compile, I32, I64, OP, uleb, wasmModule, type WasmFunction } from "./wasm";

const POLY = 0x95ac9329ac4bc9b5n;

/** Redis's CRC-64 of `b[from, to)`, continued from `crc` (0n to begin). */
export function crc64(crc: bigint, b: Uint8Array, from = 0, to = b.length): bigint {
  const w = wasm === undefined ? (wasm = load()) : wasm;
  if (!w) return crc64Js(crc, b, from, to);
  while (from < to) {
    const n = Math.min(WINDOW, to - from);
    w.bytes.set(b.subarray(from, from + n), DATA);
    crc = w.crc(crc, DATA, DATA + n);
    from += n;
  }
  return BigInt.asUintN(64, crc);
}

/** Whether crc64() runs in WebAssembly here (not in crc64Js). */
export function crc64InWasm(): boolean {
  if (wasm === undefined) wasm = load();
  return wasm !== null;
}

// --- The tables: table t (0-7) is the CRC of a byte followed by t zero bytes. ---
export function crcTables(): BigUint64Array {
  const t = new BigUint64Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
    t[i] = c;
  }
  for (let k = 256; k < 8 * 256; k++) t[k] = (t[k - 256] >> 8n) ^ t[Number(t[k - 256] & 0xffn)];
  return t;
}

// --- WebAssembly: the tables at address 0 (8 × 256 × 8 bytes), the bytes to sum after them. ---
const TABLES = 8 * 256 * 8;
const DATA = TABLES;
const PAGES = 4;
/** Bytes summed a call: the module's memory less its tables. */
const WINDOW = PAGES * 65536 - DATA;

interface Wasm {
  bytes: Uint8Array;
  crc(crc: bigint, from: number, to: number): bigint;
}
let wasm: Wasm | null | undefined;

/**
 * The WebAssembly function, for a module whose memory holds crcTables() at address 0 (this
 * file's, and the snapshot reader's in chunk-wasm.ts):
 *   crc(crc: i64, p: i32, end: i32) -> i64
 *     while p + 8 <= end: x = crc ^ load64(p); crc = T7[x & 255] ^ T6[x >> 8 & 255] ^ … ^ T0[x >> 56]; p += 8
 *     while p < end:      x = crc ^ load8(p);  crc = T0[x & 255] ^ crc >> 8;                           p += 1
 */
export function crcFunction(): WasmFunction {
  // Locals: 0 crc, 1 p, 2 end (the parameters), 3 x.
  const [CRC, P, END, X] = [0, 1, 2, 3];
  const code: number[] = [];
  const emit = (...ops: number[]) => code.push(...ops);
  /** T[t][(x >> shift) & 255], left on the stack (constants below 64: one-byte signed LEB128). */
  const lookup = (t: number, shift: number) => {
    emit(OP.get, X);
    if (shift) emit(OP.i64Const, shift, OP.i64ShrU);
    if (shift < 56) emit(OP.i64Const, 0xff, 0x01, OP.i64And);
    emit(OP.i32WrapI64, OP.i32Const, 3, OP.i32Shl, OP.i64Load, 3, ...uleb(t * 256 * 8));
  };
  // 8 bytes a step.
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(OP.get, P, OP.i32Const, 8, OP.i32Add, OP.get, END, OP.i32GtU, OP.brIf, 1);
  emit(OP.get, CRC, OP.get, P, OP.i64Load, 0, 0, OP.i64Xor, OP.set, X);
  for (let k = 0; k < 8; k++) {
    lookup(7 - k, 8 * k);
    if (k) emit(OP.i64Xor);
  }
  emit(OP.set, CRC, OP.get, P, OP.i32Const, 8, OP.i32Add, OP.set, P, OP.br, 0, OP.end, OP.end);
  // The last bytes one by one.
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(OP.get, P, OP.get, END, OP.i32GeU, OP.brIf, 1);
  emit(OP.get, CRC, OP.get, P, OP.i64Load8U, 0, 0, OP.i64Xor, OP.set, X);
  lookup(0, 0);
  emit(OP.get, CRC, OP.i64Const, 8, OP.i64ShrU, OP.i64Xor, OP.set, CRC);
  emit(OP.get, P, OP.i32Const, 1, OP.i32Add, OP.set, P, OP.br, 0, OP.end, OP.end);
  emit(OP.get, CRC);
  return { name: "crc", params: [I64, I32, I32], results: [I64], locals: [I64], code };
}

function load(): Wasm | null {
  const module = compile(wasmModule(PAGES, [crcFunction()]));
  if (!module) return null;
  const instance = new WebAssembly.Instance(module);
  const memory = instance.exports.mem as WebAssembly.Memory;
  new BigUint64Array(memory.buffer, 0, 8 * 256).set(crcTables());
  return { bytes: new Uint8Array(memory.buffer), crc: instance.exports.crc as Wasm["crc"] };
}

// --- JavaScript: the same on 32-bit halves. Table t at [t * 256, t * 256 + 256) of LO and HI:
// two flat arrays, not sixteen (with sixteen live in the loop V8 ran out of registers:
// 360-410 ms CPU over the 1M-file RDB then, 160-170 ms so, on a quieter machine).
let js: { lo: Int32Array; hi: Int32Array } | undefined;

/** crc64() without WebAssembly. */
export function crc64Js(crc: bigint, b: Uint8Array, from = 0, to = b.length): bigint {
  if (!js) {
    const t = crcTables();
    js = { lo: new Int32Array(8 * 256), hi: new Int32Array(8 * 256) };
    for (let i = 0; i < t.length; i++) {
      js.lo[i] = Number(t[i] & 0xffffffffn) | 0;
      js.hi[i] = Number(t[i] >> 32n) | 0;
    }
  }
  const L = js.lo;
  const H = js.hi;
  let lo = Number(crc & 0xffffffffn) | 0;
  let hi = Number((crc >> 32n) & 0xffffffffn) | 0;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const a = lo ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    const c = hi ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24));
    // The first byte goes through table 7 (seven bytes follow it in the step), the last through 0.
    const x0 = 1792 + (a & 0xff);
    const x1 = 1536 + ((a >>> 8) & 0xff);
    const x2 = 1280 + ((a >>> 16) & 0xff);
    const x3 = 1024 + (a >>> 24);
    const y0 = 768 + (c & 0xff);
    const y1 = 512 + ((c >>> 8) & 0xff);
    const y2 = 256 + ((c >>> 16) & 0xff);
    const y3 = c >>> 24;
    lo = L[x0] ^ L[x1] ^ L[x2] ^ L[x3] ^ L[y0] ^ L[y1] ^ L[y2] ^ L[y3];
    hi = H[x0] ^ H[x1] ^ H[x2] ^ H[x3] ^ H[y0] ^ H[y1] ^ H[y2] ^ H[y3];
  }
  for (; i < to; i++) {
    const idx = (lo ^ b[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ L[idx];
    hi = (hi >>> 8) ^ H[idx];
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
