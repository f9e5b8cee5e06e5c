import { describe, expect, it } from "vitest";
import { HardLinkTally } from "./link-tally";

/** The server's join (scan.ts linkedSql), written over plain rows: the independent model. */
function joinModel(nodes: [number, number | null, number][], edges: [number, number][]) {
  const linked = new Set(nodes.filter(([, type, parent]) => parent === 0 && type !== null && type !== 2).map(([inode]) => inode));
  const counts = new Map<string, number>();
  for (const [inode, parent] of edges) {
    if (!linked.has(inode)) continue;
    const k = `${inode}/${parent}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .map(([k, cnt]) => {
      const [inode, parent] = k.split("/").map(Number);
      return { inode: BigInt(inode), parent: BigInt(parent), cnt: BigInt(cnt) };
    })
    .sort((a, b) => Number(a.inode - b.inode) || Number(a.parent - b.parent));
}

function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
}

describe("HardLinkTally", () => {
  it("gives the server's join for random volumes, nodes in key order or not", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const count = 1 + r(3000);
      const nodes: [number, number | null, number][] = [];
      for (let inode = 1; inode <= count; inode++) {
        // Parent 0 on a fifth of them, directories and NULL types among those too.
        const type = r(20) === 0 ? null : [1, 2, 3, 4][r(4)];
        nodes.push([inode * 7 + 2 ** 40, type, r(5) === 0 ? 0 : 1 + r(100)]);
      }
      const edges: [number, number][] = [];
      for (let i = 0; i < count * 2; i++) edges.push([nodes[r(nodes.length)][0], [1, 2, 3, 2 ** 50][r(4)]]);
      if (seed % 2) nodes.reverse(); // a driver that hands the rows in another order
      const tally = new HardLinkTally();
      for (const [inode, type, parent] of nodes) tally.node(inode, type, parent);
      for (const [inode, parent] of edges) tally.edge(inode, parent);
      expect(tally.inexact).toBe(false);
      expect(tally.records()).toEqual(joinModel(nodes, edges));
    }
  });

  it("counts every entry of one inode in one parent once, with its count", () => {
    const tally = new HardLinkTally();
    tally.node(10, 1, 0);
    tally.node(11, 1, 5);
    for (const [inode, parent] of [[10, 3], [11, 3], [10, 3], [10, 1], [10, 3]]) tally.edge(inode, parent);
    expect(tally.records()).toEqual([
      { inode: 10n, parent: 1n, cnt: 1n },
      { inode: 10n, parent: 3n, cnt: 3n },
    ]);
  });

  it("is inexact when a linked inode or the parent of one of its entries is past 2^53", () => {
    const big = new HardLinkTally();
    big.node("9007199254740993", 1, 0); // as text, the way MariaDB's and SQLite's reads give it
    expect(big.inexact).toBe(true);
    expect(() => big.records()).toThrow(/inexact/);

    const parent = new HardLinkTally();
    parent.node(10, 1, 0);
    parent.edge(10, 9007199254740993n);
    expect(parent.inexact).toBe(true);

    // Past 2^53 but not linked: nothing to tally, still exact.
    const other = new HardLinkTally();
    other.node(10, 1, 0);
    other.node("9007199254740993", 1, "9007199254740994");
    other.edge("9007199254740993", 1);
    other.edge(11, 9007199254740993n);
    expect(other.inexact).toBe(false);
    expect(other.records()).toEqual([]);
  });

  it("refuses a node after the edges (the scan's order is what makes the tally whole)", () => {
    const tally = new HardLinkTally();
    tally.edge(1, 1);
    expect(() => tally.node(2, 1, 0)).toThrow(/after the edges/);
  });
});
