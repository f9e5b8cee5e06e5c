import { describe, expect, it } from "vitest";
import { DATA_LENGTH, DirStatColumns, USED_INODES, USED_SPACE } from "./dir-stat-columns";

/** The join as the snapshot reader did it before the columns: a Map per hash, dirUsedInodes's fields in its order. */
function model(sets: [number, bigint, bigint][]): string[] {
  const maps = [new Map<bigint, bigint>(), new Map<bigint, bigint>(), new Map<bigint, bigint>()];
  for (const [c, inode, v] of sets) maps[c].set(inode, v);
  return [...maps[USED_INODES]].map(([inode, used]) => `${inode} ${maps[DATA_LENGTH].get(inode) ?? 0n} ${maps[USED_SPACE].get(inode) ?? 0n} ${used}`);
}

function joined(cols: DirStatColumns, batch: number): string[] {
  const out: string[] = [];
  for (const records of cols.records(batch)) {
    expect(records.length).toBeLessThanOrEqual(batch);
    for (const r of records) out.push(`${r.inode} ${r.dataLength} ${r.usedSpace} ${r.usedInodes}`);
  }
  return out;
}

describe("DirStatColumns", () => {
  it("joins the three hashes on the inode, in any order of hashes and fields, as Maps of them did", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let round = 0; round < 20; round++) {
      const dirs = 1 + rand(3000);
      const sets: [number, bigint, bigint][] = [];
      // Each hash whole, one after another in a random order (the snapshot's key order), fields shuffled;
      // some directories missing from some hashes; inodes past 2^53 and values past int64 (damaged) too.
      const order = [0, 1, 2].sort(() => rand(3) - 1);
      for (const c of order) {
        const fields: [number, bigint, bigint][] = [];
        for (let d = 0; d < dirs; d++) {
          if (rand(10) === 0) continue;
          const inode = d === 5 ? (1n << 60n) + BigInt(round) : BigInt(1 + d * 3);
          const v = d === 7 && c === DATA_LENGTH ? 1n << 70n : BigInt(rand(1 << 30)) - (c === USED_INODES ? 0n : 100n);
          fields.push([c, inode, v]);
        }
        fields.sort(() => rand(3) - 1);
        sets.push(...fields);
      }
      const cols = new DirStatColumns();
      for (const [c, inode, v] of sets) cols.set(c, inode, v);
      expect(joined(cols, 1 + rand(500))).toEqual(model(sets));
      // Emptied: read again, nothing; used again, a join of its own.
      expect(joined(cols, 10)).toEqual([]);
      cols.set(USED_INODES, 1n, 2n);
      expect(joined(cols, 10)).toEqual(["1 0 0 2"]);
    }
  });

  it("a later value for the same inode and hash replaces the earlier, as a Map's set did", () => {
    const cols = new DirStatColumns();
    cols.set(USED_SPACE, 9n, 1n);
    cols.set(USED_INODES, 9n, 4n);
    cols.set(USED_SPACE, 9n, 1n << 64n);
    cols.set(USED_SPACE, 9n, 8n);
    expect(joined(cols, 10)).toEqual(["9 0 8 4"]);
  });
});
