import { describe, expect, it } from "vitest";
import { TurnBatcher } from "./turn-batcher";

const ungated = <T>(q: () => Promise<T>) => q();

describe("TurnBatcher", () => {
  it("requests of one turn share groups of `size`, each answered in its own order, one spanning two groups", async () => {
    const groups: number[][] = [];
    const b = new TurnBatcher<number, string>(4, 8, async (items) => {
      groups.push(items);
      return items.map((i) => `v${i}`);
    });
    const [a, c, d] = await Promise.all([b.add([1, 2, 3], ungated), b.add([4, 5, 6, 7, 8, 9], ungated), b.add([10], ungated)]);
    const [e, f] = await Promise.all([b.add([11, 12], ungated), b.add([13, 14, 15], ungated)]);
    expect([e, f]).toEqual([["v11", "v12"], ["v13", "v14", "v15"]]);
    expect(a).toEqual(["v1", "v2", "v3"]);
    expect(c).toEqual(["v4", "v5", "v6", "v7", "v8", "v9"]);
    expect(d).toEqual(["v10"]);
    // A request bigger than a group fills the one it starts in and goes on in the next; [10] no
    // longer fits whole in what is left of the last; [13,14,15] does not fit beside [11,12].
    expect(groups).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9], [10], [11, 12], [13, 14, 15]]);
  });

  it("holds what is asked while `inFlight` groups are out, and sends it together when one ends", async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const b = new TurnBatcher<number, number>(128, 1, async (items) => {
      groups.push(items);
      if (groups.length === 1) await first;
      return items;
    });
    const p1 = b.add([1], ungated);
    await new Promise((r) => setImmediate(r));
    const later = [b.add([2], ungated), b.add([3, 4], ungated)];
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1]]);
    release();
    expect(await p1).toEqual([1]);
    expect(await Promise.all(later)).toEqual([[2], [3, 4]]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it("a failed group fails every request it serves, and later requests are still read", async () => {
    const b = new TurnBatcher<number, number>(2, 4, async (items) => {
      if (items.includes(3)) throw new Error("etcd went away");
      return items;
    });
    const results = await Promise.allSettled([b.add([1], ungated), b.add([2, 3], ungated), b.add([4], ungated)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await b.add([5], ungated)).toEqual([5]);
  });

  it("runs each group through the gate of its first request", async () => {
    const gated: string[] = [];
    const gate = (name: string) => <T>(q: () => Promise<T>) => (gated.push(name), q());
    const b = new TurnBatcher<number, number>(2, 4, async (items) => items);
    await Promise.all([b.add([1], gate("a")), b.add([2], gate("b")), b.add([3], gate("c"))]);
    expect(gated).toEqual(["a", "c"]);
  });
});
