// The small WebAssembly modules the snapshot reader runs (crc64.ts, lzf.ts), written op by op:
// no toolchain for them in the project, and each is one short function. This is their one
// assembler: opcodes, LEB128 and the module's sections.

export const I32 = 0x7f;
export const I64 = 0x7e;

export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, br: 0x0c, brIf: 0x0d, return: 0x0f, end: 0x0b, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22, i32Const: 0x41, i64Const: 0x42,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i64Load8U: 0x31, i32Store: 0x36, i64Store: 0x37, i32Store8: 0x3a,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74, i32ShrU: 0x76,
  i64And: 0x83, i64Xor: 0x85, i64ShrU: 0x88, i32WrapI64: 0xa7,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 127;
    n >>>= 7;
    if (n) b |= 128;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 (i32.const and i64.const take their constant so). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 127;
    n >>= 7;
    if ((n === 0 && !(b & 64)) || (n === -1 && b & 64)) {
      out.push(b);
      return out;
    }
    out.push(b | 128);
  }
}

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Locals after the parameters, by type, in order. */
  locals: number[];
  /** The body's ops, without the final `end`. */
  code: number[];
}

/** A module of `functions` (each exported by its name) and one memory of `pages` 64 KiB pages, exported as "mem". */
export function wasmModule(pages: number, functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "latin1")];
  const types = functions.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  const exports = functions.flatMap((f, i) => [...name(f.name), 0, ...uleb(i)]);
  const bodies = functions.flatMap((f) => {
    // Locals in runs of one type.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb(groups.length), ...groups.flat(), ...f.code, OP.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
    ...section(1, [...uleb(functions.length), ...types]), // type i for function i
    ...section(3, [...uleb(functions.length), ...functions.map((_, i) => i)]),
    ...section(5, [1, 0, ...uleb(pages)]), // one memory of `pages` pages
    ...section(7, [...uleb(functions.length + 1), ...exports, ...name("mem"), 2, 0]),
    ...section(10, [...uleb(functions.length), ...bodies]),
  ]);
}

/** The module compiled, or null where the runtime has no WebAssembly (node --jitless). */
export function compile(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  if (typeof WebAssembly === "undefined") return null;
  return new WebAssembly.Module(bytes);
}
