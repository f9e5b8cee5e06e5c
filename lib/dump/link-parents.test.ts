import { describe, expect, it } from "vitest";
import { prng } from "../synth/prng";
import { LinkParents, NO_PARENT } from "./link-parents";

describe("LinkParents", () => {
  it("groups records by inode, ascending, with counts by parent in the order recorded (against a Map model)", () => {
    const rnd = prng(4);
    const links = new LinkParents();
    const model = new Map<bigint, { total: number; records: number; parents: Map<bigint, number> }>();
    for (let i = 0; i < 5000; i++) {
      // Inodes beyond 2^53 (trash) and below, parents including NO_PARENT.
      const inode = (rnd() < 0.1 ? 1n << 62n : 0n) + BigInt(2 + Math.floor(rnd() * 900));
      const parent = rnd() < 0.05 ? NO_PARENT : BigInt(1 + Math.floor(rnd() * 20));
      const count = 1 + Math.floor(rnd() * 3);
      links.add(inode, parent, count);
      const m = model.get(inode) ?? { total: 0, records: 0, parents: new Map<bigint, number>() };
      m.total += count;
      m.records++;
      if (parent !== NO_PARENT) m.parents.set(parent, (m.parents.get(parent) ?? 0) + count);
      model.set(inode, m);
    }
    expect(links.size).toBe(5000);
    const got = [...links.groups()];
    const want = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([inode, m]) => ({ inode, ...m }));
    expect(got.map((g) => ({ ...g, parents: [...g.parents] }))).toEqual(want.map((g) => ({ ...g, parents: [...g.parents] })));
  });
});
