import { describe, expect, it } from "vitest";
import { encodeCopyBinary } from "./pg-copy";

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

  it("refuses a value that does not fit its column, naming it", () => {
    expect(() => encodeCopyBinary(cols, [[1n, 0x80000000, "a", Buffer.alloc(0)]])).toThrow(/out of range for integer column "indx"/);
    expect(() => encodeCopyBinary(cols, [[1n << 63n, 0, "a", Buffer.alloc(0)]])).toThrow(/out of range for bigint column "inode"/);
  });
});
