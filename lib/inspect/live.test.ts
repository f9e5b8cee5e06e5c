import { describe, expect, it } from "vitest";
import { openLiveSource } from "./live";
import { ChildrenPageSchema } from "./schemas";
import { InspectNotFoundError } from "./source";
import { FakeEngine, testNode } from "../../test/support/fake-engine";
import { TRASH_INODE } from "../jfs/types";

const N = 5000;
const name = (i: number) => `file-${String(i).padStart(5, "0")}`;

/** Root (1) holds dir "big" (2) with N files in scrambled order plus odd names, and a file. */
function volume(opts: { sorted?: boolean } = {}) {
  const e = new FakeEngine(opts);
  e.addNode(testNode(1n, "directory", { nlink: 3 }));
  e.link(1n, Buffer.from("big"), testNode(2n, "directory"));
  e.link(1n, Buffer.from("f1"), testNode(3n, "regular", { length: 24n }));
  for (let i = 0; i < N; i++) e.link(2n, Buffer.from(name(i)), testNode(BigInt(100 + i), "regular", { length: BigInt(i) }));
  e.link(2n, Buffer.from("with space"), testNode(90n, "regular"));
  e.link(2n, Buffer.from([0x47, 0xb9, 0xfb]), testNode(91n, "regular")); // "G" + GBK bytes
  return e;
}

// Raw-byte order of everything in "big".
const bigOrder = [...Array.from({ length: N }, (_, i) => name(i)), "G\ufffd\ufffd", "with space"].sort((a, b) =>
  Buffer.compare(Buffer.from(a === "G\ufffd\ufffd" ? "G" : a), Buffer.from(b === "G\ufffd\ufffd" ? "G" : b)),
);

describe("live source", () => {
  it("pages an unsorted directory in raw-name order, listing it only once", async () => {
    const engine = volume();
    const src = openLiveSource(engine);
    const first = ChildrenPageSchema.parse(await src.children("2", 0, 10));
    expect(first.total).toBe(N + 2);
    expect(first.items.map((i) => i.name)).toEqual(bigOrder.slice(0, 10));
    expect(first.items[0]).toMatchObject({ name: "G\ufffd\ufffd", rawName: "G%B9%FB", inode: "91", type: "regular" });
    const mid = await src.children("2", 2500, 5);
    expect(mid.items.map((i) => i.name)).toEqual(bigOrder.slice(2500, 2505));
    expect(mid.items.map((i) => i.inode)).toEqual(bigOrder.slice(2500, 2505).map((n) => String(100 + Number(n.slice(5)))));
    const end = await src.children("2", N - 3, 100);
    expect(end.items.map((i) => i.name)).toEqual(bigOrder.slice(N - 3));
    expect(end.items.at(-1)).toMatchObject({ name: "with space", rawName: "with%20space" });
    expect(await src.children("2", N + 50, 10)).toEqual({ total: N + 2, offset: N + 50, items: [] });
    expect(engine.readDirCalls.get(2n)).toBe(1);
    // One readNodes to check the directory when listing it, then one per non-empty page.
    expect(engine.readNodesCalls).toBe(1 + 3);
    await src.close();
    expect(engine.closed).toBe(true);
  });

  it("is the same on an engine that lists sorted", async () => {
    const src = openLiveSource(volume({ sorted: true }));
    expect((await src.children("2", 2500, 5)).items.map((i) => i.name)).toEqual(bigOrder.slice(2500, 2505));
  });

  it("filters by display name, case-insensitively, and pages the matches", async () => {
    const src = openLiveSource(volume());
    const page = await src.children("2", 2, 3, "FILE-0012");
    expect(page.total).toBe(10); // file-00120 … file-00129
    expect(page.items.map((i) => i.name)).toEqual(["file-00122", "file-00123", "file-00124"]);
    expect((await src.children("2", 0, 10, "space")).items.map((i) => i.rawName)).toEqual(["with%20space"]);
  });

  it("shows roots, directories and entries", async () => {
    const engine = volume();
    const src = openLiveSource(engine);
    const roots = await src.roots();
    expect(roots.map((r) => r.name)).toEqual(["FSTree"]); // no trash inode stored
    expect(roots[0]).toMatchObject({ dirId: "1", inode: "1", hasChildren: true });
    const top = await src.children(roots[0].dirId!, 0, 10);
    expect(top.items.map((i) => [i.name, i.dirId])).toEqual([
      ["big", "2"],
      ["f1", undefined],
    ]);
    expect((await src.entry("1", "big")).childCount).toBeUndefined();
    await src.children("2", 0, 1);
    expect((await src.entry("1", "big")).childCount).toBe(N + 2);
    const f1 = await src.entry("1", "f1");
    expect(f1).toMatchObject({ inode: "3", size: { bytes: "24" } });
    const gbk = await src.entry("2", "G%B9%FB");
    expect(gbk.inode).toBe("91");
    expect((await src.entry(null, "FSTree")).inode).toBe("1");
    await expect(src.entry("2", "nope")).rejects.toBeInstanceOf(InspectNotFoundError);
    await expect(src.children("3", 0, 10)).rejects.toBeInstanceOf(InspectNotFoundError);
    await expect(src.children("x", 0, 10)).rejects.toBeInstanceOf(InspectNotFoundError);
    engine.addNode(testNode(TRASH_INODE, "directory", { mode: 0o555 }));
    expect((await src.roots()).map((r) => [r.name, r.dirId])).toEqual([
      ["FSTree", "1"],
      ["Trash", TRASH_INODE.toString()],
    ]);
  });

  it("re-lists a directory once its index is older than maxAgeMs, and evicts beyond the cache size", async () => {
    const engine = volume();
    const stale = openLiveSource(engine, { maxAgeMs: -1 });
    await stale.children("2", 0, 1);
    await stale.children("2", 0, 1);
    expect(engine.readDirCalls.get(2n)).toBe(2);
    const small = openLiveSource(engine, { cacheEntries: 1 });
    await small.children("2", 0, 1);
    await small.children("1", 0, 1);
    await small.children("2", 0, 1);
    expect(engine.readDirCalls.get(2n)).toBe(4);
    expect(engine.readDirCalls.get(1n)).toBe(1);
  });

  it("shares one listing between concurrent first requests", async () => {
    const engine = volume();
    const src = openLiveSource(engine);
    await Promise.all([src.children("2", 0, 5), src.children("2", 100, 5), src.children("2", 4000, 5)]);
    expect(engine.readDirCalls.get(2n)).toBe(1);
  });
});
