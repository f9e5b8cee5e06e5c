// Times in SQL rows: microseconds plus the nanoseconds left over, and back, for every second
// JuiceFS can hold, before 1970 too (JuiceFS's truncating division wraps those nanoseconds).
import { describe, expect, it } from "vitest";
import { timeFromSql, timeToSql } from "../../../lib/engines/sql/rows";

describe("timeToSql / timeFromSql", () => {
  const cases: [bigint, number][] = [
    [0n, 0],
    [1623746610n, 591590333],
    [-1n, 5],
    [-1n, 999_999_999],
    [-1623746610n, 1],
    [-9223372036n, 854_775_808],
    [9223372036n, 854_775_807],
  ];
  for (const [sec, nsec] of cases) {
    it(`${sec} s ${nsec} ns round-trips`, () => {
      const [us, rest] = timeToSql(sec, nsec);
      expect(timeFromSql(us, rest)).toEqual([sec, nsec]);
    });
  }
});
