// The snapshot reader's chunk in WebAssembly memory (rdb.ts): each buffer the reader parses is
// copied once into the module's memory, where its CRC-64 (crc64.ts's function) and its LZF
// strings (lzf.ts's) are computed in place; the strings are decompressed into the module's
// memory too, where the reader's sinks read them.
//
// Why one copy of the chunk rather than each string copied in when it is decoded: at 1M files
// the RDB holds 2.0 million LZF strings of 53 bytes on average, and copying each into a module
// (a loop, or set() on a view) cost 135-330 ms of CPU, more than decoding them there (~100 ms);
// the chunk's copy replaces the one crc64() made anyway.
import { crcFunction, crcTables } from "./crc64";
import { lzfFunction } from "./lzf";
import { compile, wasmModule } from "./wasm";

/** crc64.ts's tables, at address 0 where its function reads them. */
const TABLES_BYTES = 8 * 256 * 8;
/** The copy of the chunk: buffers longer than this are not copied (the reader then works in JavaScript). */
const CHUNK = TABLES_BYTES;
export const CHUNK_BYTES = 1 << 20;
/** The decompressed strings' slots after it. */
const SLOTS = CHUNK + CHUNK_BYTES;
/** The longest string a slot holds (longer ones: lzfJs). */
export const SLOT_BYTES = 1 << 16;
/** Strings the reader holds at once: a key, a value, and one being copied out. */
export const SLOT_COUNT = 3;
const PAGES = Math.ceil((SLOTS + SLOT_COUNT * SLOT_BYTES) / 65536);

let compiled: WebAssembly.Module | null | undefined;

export class ChunkWasm {
  /** The module's memory (it never grows, so the view stays valid); slot strings are read here. */
  readonly bytes: Buffer;
  /** The bytes the last lzf() wrote. */
  written = 0;
  private readonly crcFn: (crc: bigint, p: number, end: number) => bigint;
  private readonly lzfFn: (ip: number, end: number, out: number, outEnd: number) => number;

  private constructor(instance: WebAssembly.Instance) {
    const memory = instance.exports.mem as WebAssembly.Memory;
    new BigUint64Array(memory.buffer, 0, 8 * 256).set(crcTables());
    this.bytes = Buffer.from(memory.buffer);
    this.crcFn = instance.exports.crc as ChunkWasm["crcFn"];
    this.lzfFn = instance.exports.lzf as ChunkWasm["lzfFn"];
  }

  /** A module of its own (a reader's), or null where the runtime has no WebAssembly. */
  static create(): ChunkWasm | null {
    if (compiled === undefined) compiled = compile(wasmModule(PAGES, [crcFunction(), lzfFunction()]));
    return compiled ? new ChunkWasm(new WebAssembly.Instance(compiled)) : null;
  }

  /** Copies `b` in (what crc() and lzf() then read); false, copying nothing, when it is too long. */
  load(b: Uint8Array): boolean {
    if (b.length > CHUNK_BYTES) return false;
    this.bytes.set(b, CHUNK);
    return true;
  }

  /** Redis's CRC-64 of the loaded buffer's [from, to), continued from `crc`. */
  crc(crc: bigint, from: number, to: number): bigint {
    return BigInt.asUintN(64, this.crcFn(crc, CHUNK + from, CHUNK + to));
  }

  /**
   * The LZF string at the loaded buffer's [from, to), decompressed into slot `slot` (0 to
   * SLOT_COUNT - 1) as `ulen` (at most SLOT_BYTES) bytes: where they begin in `bytes`, or a
   * negative key of LZF_FAULTS. The bytes written are `written`: ulen unless the input is damaged.
   */
  lzf(from: number, to: number, ulen: number, slot: number): number {
    const out = SLOTS + slot * SLOT_BYTES;
    const end = this.lzfFn(CHUNK + from, CHUNK + to, out, out + ulen);
    if (end < 0) return end;
    this.written = end - out;
    return out;
  }
}
