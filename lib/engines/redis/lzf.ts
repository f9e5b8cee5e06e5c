// LZF decompression (liblzf's lzf_d.c format), which Redis applies to strings of more than 20
// bytes in an RDB (rdbcompression yes, the default): at 1M files most values of JuiceFS's keys
// (attrs, directory listpacks, chunk nodes) come so, and the snapshot reader (rdb.ts) decodes
// them all.
//
// Own code: npm's lzfjs (pure JavaScript, last published years ago) decodes into a new array per
// call; the reader decodes two million strings into memory it reuses, and names what is wrong
// with damaged input. In a WebAssembly function of our own where the runtime has WebAssembly
// (chunk-wasm.ts), in JavaScript otherwise and for strings too long for its memory.
import { I32, OP, sleb, type WasmFunction } from "./wasm";

/** What is wrong with damaged LZF input (a decoder's negative result). */
export const LZF_FAULTS: Record<number, string> = {
  [-1]: "an LZF literal runs past its end",
  [-2]: "an LZF back reference is cut short",
  [-3]: "an LZF back reference points outside its data",
};

/**
 * input[from, to) decompressed into out[0, ulen) (out may be longer): the bytes written (ulen
 * unless the input is damaged: the caller checks), or a negative key of LZF_FAULTS.
 */
export function lzfJs(input: Uint8Array, from: number, to: number, out: Uint8Array, ulen: number): number {
  let ip = from;
  let op = 0;
  while (ip < to) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > ulen || ip + n > to) return -1;
      // A loop, not Buffer.copy: runs are at most 32 bytes, and copy()'s call cost was most of
      // the reading's CPU (values of JuiceFS's keys are mostly LZF-compressed).
      for (let k = 0; k < n; k++) out[op++] = input[ip++];
    } else {
      let n = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (n === 7) {
        if (ip >= to) return -2;
        n += input[ip++];
      }
      if (ip >= to) return -2;
      ref -= input[ip++];
      n += 2;
      if (op + n > ulen || ref < 0) return -3;
      for (let k = 0; k < n; k++) out[op++] = out[ref++];
    }
  }
  return op;
}

/**
 * The WebAssembly function (chunk-wasm.ts runs it over its copy of the reader's chunk), on
 * absolute addresses; `out` must be at least 8,192 (the longest reference back), so a reference
 * before it never wraps below 0:
 *   lzf(ip: i32, end: i32, out: i32, outEnd: i32) -> i32: lzfJs's loop; the end of what it
 *   wrote, or -1, -2, -3 as lzfJs.
 */
export function lzfFunction(): WasmFunction {
  // Locals: 0 ip, 1 end, 2 out, 3 outEnd (the parameters), 4 op, 5 ctrl, 6 n, 7 ref.
  const [IP, END, OUT, OUT_END, OPOS, CTRL, N, REF] = [0, 1, 2, 3, 4, 5, 6, 7];
  const code: number[] = [];
  const emit = (...ops: number[]) => code.push(...ops);
  const constant = (v: number) => emit(OP.i32Const, ...sleb(v));
  const inc = (local: number) => {
    emit(OP.get, local);
    constant(1);
    emit(OP.i32Add, OP.set, local);
  };
  const fail = (code: number) => {
    emit(OP.if, OP.void);
    constant(code);
    emit(OP.return, OP.end);
  };
  /** do { mem[op++] = mem[src++] } while (--n) */
  const copy = (src: number) => {
    emit(OP.loop, OP.void);
    emit(OP.get, OPOS, OP.get, src, OP.i32Load8U, 0, 0, OP.i32Store8, 0, 0);
    inc(OPOS);
    inc(src);
    emit(OP.get, N);
    constant(1);
    emit(OP.i32Sub, OP.tee, N, OP.brIf, 0, OP.end);
  };

  emit(OP.get, OUT, OP.set, OPOS);
  emit(OP.block, OP.void, OP.loop, OP.void);
  emit(OP.get, IP, OP.get, END, OP.i32GeU, OP.brIf, 1);
  emit(OP.get, IP, OP.i32Load8U, 0, 0, OP.set, CTRL);
  inc(IP);
  emit(OP.get, CTRL);
  constant(32);
  emit(OP.i32LtU, OP.if, OP.void);
  {
    // A literal run of ctrl + 1 bytes.
    emit(OP.get, CTRL);
    constant(1);
    emit(OP.i32Add, OP.set, N);
    emit(OP.get, OPOS, OP.get, N, OP.i32Add, OP.get, OUT_END, OP.i32GtU);
    emit(OP.get, IP, OP.get, N, OP.i32Add, OP.get, END, OP.i32GtU, OP.i32Or);
    fail(-1);
    copy(IP);
  }
  emit(OP.else);
  {
    // A back reference: length ctrl >> 5 (7: plus the next byte) + 2, distance from the low bits and the next byte.
    emit(OP.get, CTRL);
    constant(5);
    emit(OP.i32ShrU, OP.set, N);
    emit(OP.get, OPOS, OP.get, CTRL);
    constant(31);
    emit(OP.i32And);
    constant(8);
    emit(OP.i32Shl, OP.i32Sub);
    constant(1);
    emit(OP.i32Sub, OP.set, REF);
    emit(OP.get, N);
    constant(7);
    emit(OP.i32Eq, OP.if, OP.void);
    emit(OP.get, IP, OP.get, END, OP.i32GeU);
    fail(-2);
    emit(OP.get, N, OP.get, IP, OP.i32Load8U, 0, 0, OP.i32Add, OP.set, N);
    inc(IP);
    emit(OP.end);
    emit(OP.get, IP, OP.get, END, OP.i32GeU);
    fail(-2);
    emit(OP.get, REF, OP.get, IP, OP.i32Load8U, 0, 0, OP.i32Sub, OP.set, REF);
    inc(IP);
    emit(OP.get, N);
    constant(2);
    emit(OP.i32Add, OP.set, N);
    emit(OP.get, OPOS, OP.get, N, OP.i32Add, OP.get, OUT_END, OP.i32GtU);
    emit(OP.get, REF, OP.get, OUT, OP.i32LtU, OP.i32Or);
    fail(-3);
    copy(REF);
  }
  emit(OP.end);
  emit(OP.br, 0, OP.end, OP.end);
  emit(OP.get, OPOS);
  return { name: "lzf", params: [I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32], code };
}
