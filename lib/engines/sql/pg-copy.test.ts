import { describe, expect, it } from "vitest";
import { CopyRowReader, CopyWriter, decodeCopyBinary, eachCopyRow, encodeCopyBinary, inlineParams } from "./pg-copy";
import { prngBelow } from "../../synth/prng";

const cols = [
  { name: "inode", type: "bigint" },
  { name: "indx", type: "int" },
  { name: "name", type: "varchar" },
  { name: "slices", type: "blob" },
] as const;

describe("PostgreSQL binary COPY encoding", () => {
  it("writes header, one tuple per row (NULL as length -1) and the trailer", () => {
    const out = encodeCopyBinary(cols, [[-2n, 7, "é", Buffer.from([0xff, 0x00])], [1, -1, null, undefined]]);
    const expected = Buffer.concat([
      Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]),
      // row 1: 4 fields
      Buffer.from([0, 4]),
      Buffer.from([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
      Buffer.from([0, 0, 0, 4, 0, 0, 0, 7]),
      Buffer.from([0, 0, 0, 2, 0xc3, 0xa9]),
      Buffer.from([0, 0, 0, 2, 0xff, 0x00]),
      // row 2: a number in a bigint column, a negative int, two NULLs
      Buffer.from([0, 4]),
      Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]),
      Buffer.from([0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xff, 0xff]),
    ]);
    expect(out.toString("hex")).toBe(expected.toString("hex"));
  });

  it("writes an int8 given as a number as the same bytes as the bigint (negative, past 2^32, past 2^53)", () => {
    const int8 = [{ name: "v", type: "bigint" }] as const;
    for (const n of [0, 1, -1, -2, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), -(2 ** 32) - 1, 2 ** 40 + 3, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, -(2 ** 63)]) {
      expect(encodeCopyBinary(int8, [[n]]).toString("hex"), String(n)).toBe(encodeCopyBinary(int8, [[BigInt(n)]]).toString("hex"));
    }
    expect(encodeCopyBinary(int8, [[-(2 ** 40) - 3]]).subarray(25, 33).toString("hex")).toBe("fffffefffffffffd");
    expect(() => encodeCopyBinary(int8, [[2 ** 63]])).toThrow(/out of range for bigint column "v"/);
    expect(() => encodeCopyBinary(int8, [[1.5]])).toThrow(RangeError);
  });

  it("CopyWriter numbered: fills the first column with 1, 2, 3… across take()s, not counting a refused row", () => {
    const serial = [{ name: "id", type: "bigint" }, ...cols] as const;
    const w = new CopyWriter(serial, true);
    w.add([1n, 1, "a", Buffer.from([1])]);
    expect(() => w.add([2n, 0x80000000, "b", null])).toThrow(RangeError);
    w.add([3n, 3, "c", null]);
    const first = w.take();
    w.add([4n, 4, null, null]);
    expect(w.total).toBe(3);
    const names = ["id", ...cols.map((c) => c.name)];
    const bytes = new Set(["name", "slices"]);
    const rows = [...decodeCopyBinary(first, names, bytes), ...decodeCopyBinary(w.take(), names, bytes)];
    expect(rows.map((r) => [r.id, r.inode])).toEqual([[1n, 1n], [2n, 3n], [3n, 4n]]);
    expect(first.equals(encodeCopyBinary(serial, [[1, 1n, 1, "a", Buffer.from([1])], [2, 3n, 3, "c", null]]))).toBe(true);
  });

  it("CopyWriter: rows past one chunk, one row bigger than a chunk, a refused row left out, then empty again after take()", () => {
    const names = cols.map((c) => c.name);
    const bytes = new Set(["name", "slices"]);
    const w = new CopyWriter(cols);
    const big = Buffer.alloc(1_500_000, 7); // more than a chunk (1 MiB) on its own
    const mid = Buffer.alloc(700_000, 9); // two of these do not fit one chunk
    w.add([1n, 1, "a", mid]);
    w.add([2n, 2, "b", mid]);
    expect(() => w.add([3n, 0x80000000, "c", mid])).toThrow(/out of range for integer column "indx"/);
    w.add([4n, 4, "d", big]);
    w.add([5, 5, null, Buffer.alloc(0)]);
    expect(w.rows).toBe(4);
    const data = w.take();
    expect([w.rows, w.bytes]).toEqual([0, 0]);
    expect(data.equals(encodeCopyBinary(cols, [[1n, 1, "a", mid], [2n, 2, "b", mid], [4n, 4, "d", big], [5, 5, null, Buffer.alloc(0)]]))).toBe(true);
    expect(decodeCopyBinary(data, names, bytes).map((r) => r.inode)).toEqual([1n, 2n, 4n, 5n]);
    w.add([6n, 6, "e", Buffer.from([1])]);
    expect(w.take().equals(encodeCopyBinary(cols, [[6n, 6, "e", Buffer.from([1])]]))).toBe(true);
  });

  it("refuses a value that does not fit its column, naming it", () => {
    expect(() => encodeCopyBinary(cols, [[1n, 0x80000000, "a", Buffer.alloc(0)]])).toThrow(/out of range for integer column "indx"/);
    expect(() => encodeCopyBinary(cols, [[1n << 63n, 0, "a", Buffer.alloc(0)]])).toThrow(/out of range for bigint column "inode"/);
  });
});

describe("PostgreSQL binary COPY decoding", () => {
  const names = cols.map((c) => c.name);
  const bytes = new Set(["name", "slices"]);
  it("gives back the encoded rows: int8 as bigint (past 2^32 and negative too), int4 as number, bytes copied, NULL", () => {
    const data = encodeCopyBinary(cols, [
      [5n, 7, "a", Buffer.from([1, 2])],
      [(1n << 40n) + 3n, -1, Buffer.from([0xff]), null],
      [-(1n << 63n), 0, "", Buffer.alloc(0)],
    ]);
    const rows = decodeCopyBinary(data, names, bytes);
    expect(rows).toEqual([
      { inode: 5n, indx: 7, name: Buffer.from("a"), slices: Buffer.from([1, 2]) },
      { inode: (1n << 40n) + 3n, indx: -1, name: Buffer.from([0xff]), slices: null },
      { inode: -(1n << 63n), indx: 0, name: Buffer.alloc(0), slices: Buffer.alloc(0) },
    ]);
    data.fill(0);
    expect(rows[0].slices).toEqual(Buffer.from([1, 2])); // not a view of the stream
  });
  it("hands each row's fields in one reused array: int8 a number while safe, else a bigint; bytes as views", () => {
    const top = 2n ** 53n; // the first int8 handed as a bigint
    const bottom = -(2n ** 53n) + 2n ** 32n; // the last negative one handed as a number
    const data = encodeCopyBinary(cols, [
      [top - 1n, 7, "a", null],
      [top, -1, "", Buffer.from([0xff])],
      [bottom, 0, "b", Buffer.alloc(0)],
      [bottom - 1n, 1, "c", Buffer.alloc(0)],
    ]);
    const seen: unknown[][] = [];
    let array: unknown[] | null = null;
    const n = eachCopyRow(data, [false, false, true, true], (v) => {
      if (array) expect(v).toBe(array);
      array = v;
      seen.push(v.map((x) => (Buffer.isBuffer(x) ? x.toString("hex") : x)));
    });
    expect(n).toBe(4);
    expect(seen).toEqual([
      [Number(top - 1n), 7, "61", null],
      [top, -1, "", "ff"],
      [Number(bottom), 0, "62", ""],
      [bottom - 1n, 1, "63", ""],
    ]);
    expect(() => eachCopyRow(data.subarray(0, data.length - 2), [false, false, true, true], () => {})).toThrow(/ends before its trailer/);
  });
  it("a stream read as it comes (CopyRowReader): the rows of eachCopyRow whatever the chunks, each block's rows visited again alike", () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 200; i++) rows.push([BigInt(i) * 2n ** 33n, i - 100, `n${i}`.repeat(i % 7), i % 5 ? Buffer.alloc(i % 50, i) : null]);
    const data = encodeCopyBinary(cols, rows);
    const isBytes = [false, false, true, true];
    const want: string[] = [];
    eachCopyRow(data, isBytes, (v) => want.push(JSON.stringify(v.map((x) => (Buffer.isBuffer(x) ? x.toString("hex") : typeof x === "bigint" ? `${x}n` : x)))));
    const rand = prngBelow(11);
    for (const cut of [1, 2, 7, 19, 20, 64, 1000, data.length]) {
      for (const group of [1, 3]) {
        const reader = new CopyRowReader(isBytes);
        const got: string[] = [];
        const ends = new Int32Array(4);
        for (let at = 0; at < data.length; ) {
          const chunks: Buffer[] = [];
          for (let k = 0; k < group && at < data.length; k++) {
            const n = cut === 1000 ? 1 + rand(300) : cut;
            chunks.push(Buffer.from(data.subarray(at, at + n))); // a chunk of its own, as the socket's
            at += n;
          }
          const block = reader.block(chunks);
          const seen: string[] = [];
          const spans = (v: unknown[]) => JSON.stringify(v.map((x, c) => (isBytes[c] && x !== null ? block.subarray(x as number, ends[c]).toString("hex") : typeof x === "bigint" ? `${x}n` : x)));
          const n = reader.rows((v) => seen.push(spans(v)), ends);
          expect(reader.rows(() => {}, ends), "visited again").toBe(n);
          got.push(...seen);
        }
        reader.end();
        expect(got, `chunks of ${cut}, ${group} a block`).toEqual(want);
      }
    }
  });
  it("a stream read as it comes and cut short, or with bytes after its trailer, is refused", () => {
    const data = encodeCopyBinary(cols, [[5n, 7, "a", Buffer.from([1, 2])], [6n, 8, "b", null]]);
    const isBytes = [false, false, true, true];
    const read = (parts: Buffer[]) => {
      const reader = new CopyRowReader(isBytes);
      for (const p of parts) {
        reader.block([p]);
        reader.rows(() => {});
      }
      reader.end();
    };
    expect(() => read([data])).not.toThrow();
    expect(() => read([data.subarray(0, 10)])).toThrow(/inside its header/);
    expect(() => read([data.subarray(0, data.length - 2)])).toThrow(/ends before its trailer/);
    expect(() => read([data.subarray(0, data.length - 5)])).toThrow(/a field runs past its end/);
    expect(() => read([data, Buffer.from([0])])).toThrow(/after its trailer/);
    expect(() => read([Buffer.concat([data, Buffer.from([0])])])).toThrow(/after its trailer/);
    expect(() => read([Buffer.from("nope, not a COPY stream")])).toThrow(/signature/);
  });
  it("refuses a stream cut short, without a signature, or with another column count", () => {
    const data = encodeCopyBinary(cols, [[5n, 7, "a", Buffer.from([1, 2])]]);
    expect(() => decodeCopyBinary(data.subarray(0, data.length - 2), names, bytes)).toThrow(/ends before its trailer/);
    expect(() => decodeCopyBinary(data.subarray(0, data.length - 5), names, bytes)).toThrow(/malformed/);
    expect(() => decodeCopyBinary(Buffer.from("nope, not a COPY stream"), names, bytes)).toThrow(/signature/);
    expect(() => decodeCopyBinary(data, names.slice(1), bytes)).toThrow(/4 fields where 3/);
  });
  it("inlines integers, integer arrays and bytes (as hex), and nothing else", () => {
    expect(inlineParams("SELECT a FROM t WHERE k > ? AND p = ANY(?::bigint[]) AND n > ?", [5n, [1n, 2], Buffer.from("it's")])).toBe(
      "SELECT a FROM t WHERE k > 5 AND p = ANY('{1,2}'::bigint[]) AND n > decode('69742773', 'hex')",
    );
    expect(() => inlineParams("SELECT ?", ["x'; DROP TABLE t; --"])).toThrow(/integers, integer arrays and bytes/);
    expect(() => inlineParams("SELECT ?", [1.5])).toThrow();
    expect(() => inlineParams("SELECT ?, ?", [1])).toThrow(/more placeholders/);
    expect(() => inlineParams("SELECT ?", [1, 2])).toThrow(/fewer placeholders/);
  });
});
