import { describe, expect, it } from "vitest";
import { align4K, TRASH_INODE, type Counters } from "../jfs/types";
import { collect, readDumpToTree, writeTree, type MemDump, type MemEntry } from "../../test/support/dump-tree";
import { JsonDumpWriter } from "../dump/writer";
import { writeSyntheticDump, type SyntheticOptions } from "./volume";

async function generate(opts: SyntheticOptions): Promise<Buffer> {
  const out = collect();
  await writeSyntheticDump(new JsonDumpWriter(out.stream), opts);
  return out.bytes();
}

/** What `juicefs load` recomputes (docs/format/dump-json.md §10), from the tree alone. */
function recompute(d: MemDump): Counters & { occurrences: Map<bigint, number> } {
  const seen = new Set<bigint>();
  const occurrences = new Map<bigint, number>();
  let usedSpace = 0n;
  let usedInodes = 0n;
  let maxInode = 1n;
  let maxSlice = 0n;
  let maxTrash = 0n;
  const visit = (e: MemEntry) => {
    const a = e.node.attr;
    occurrences.set(a.inode, (occurrences.get(a.inode) ?? 0) + 1);
    if (!seen.has(a.inode)) {
      seen.add(a.inode);
      if (a.inode !== 1n && a.inode !== TRASH_INODE) {
        usedSpace += align4K(a.length);
        usedInodes++;
      }
      if (a.inode < TRASH_INODE && a.inode > maxInode) maxInode = a.inode;
      if (a.inode > TRASH_INODE && a.inode - TRASH_INODE > maxTrash) maxTrash = a.inode - TRASH_INODE;
      for (const c of e.node.chunks) for (const s of c.slices) if (s.id > maxSlice) maxSlice = s.id;
    }
    e.children?.forEach(visit);
  };
  d.trees.forEach((t) => visit(t.root));
  return { usedSpace, usedInodes, nextInodes: maxInode + 1n, nextChunk: maxSlice + 1n, nextSession: 0n, nextTrash: maxTrash, occurrences };
}

describe("writeSyntheticDump", () => {
  it("10,000 files: reading back and re-writing gives identical bytes", async () => {
    const bytes = await generate({ files: 10_000, seed: 42 });
    const tree = await readDumpToTree(bytes);
    expect((await writeTree(tree)).equals(bytes)).toBe(true);
  });

  it("its Counters are what a load would recompute", async () => {
    const tree = await readDumpToTree(await generate({ files: 10_000, seed: 42 }));
    const { occurrences, ...want } = recompute(tree);
    expect(tree.header.counters).toEqual(want);
    expect(want.nextTrash).toBe(1n);
    // Hard links are written in full under each parent with nlink = number of occurrences.
    const linked = [...occurrences].filter(([, n]) => n > 1);
    expect(linked.length).toBeGreaterThan(1);
  });

  it("follows the dump rules: sorted children, nlink, lengths, types", async () => {
    const tree = await readDumpToTree(await generate({ files: 3_000, seed: 7 }));
    const { occurrences } = recompute(tree);
    const types = new Set<string>();
    let twoChunks = 0;
    let maxDepth = 0;
    const visit = (e: MemEntry, inTrash: boolean, depth: number) => {
      const a = e.node.attr;
      types.add(a.type);
      maxDepth = Math.max(maxDepth, depth);
      if (e.node.chunks.length === 2) twoChunks++;
      if (a.type !== "regular") expect(a.length).toBe(0n);
      if (e.children) {
        const subdirs = e.children.filter((c) => c.children).length;
        expect(a.nlink).toBe(inTrash ? 2 : 2 + subdirs);
        for (let i = 1; i < e.children.length; i++) expect(Buffer.compare(e.children[i - 1].name, e.children[i].name)).toBeLessThan(0);
        e.children.forEach((c) => visit(c, inTrash, depth + 1));
      } else expect(a.nlink).toBe(occurrences.get(a.inode));
      const xs = e.node.xattrs;
      for (let i = 1; i < xs.length; i++) expect(Buffer.compare(xs[i - 1].name, xs[i].name)).toBeLessThan(0);
    };
    for (const t of tree.trees) visit(t.root, t.tree === "Trash", 0);
    expect([...types].sort()).toEqual(["blockdev", "chardev", "directory", "fifo", "regular", "socket", "symlink"]);
    expect(twoChunks).toBeGreaterThan(0);
    expect(maxDepth).toBeGreaterThanOrEqual(4);
    const flat = tree.trees[0].root.children!.find((c) => c.name.toString() === "flat")!;
    expect(flat.children!.length).toBe(900);
    expect(tree.trees.map((t) => t.tree)).toEqual(["FSTree", "Trash"]);
    expect(tree.header.quotas!.size).toBe(2);
    expect(tree.header.userQuotas!.size).toBe(1);
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    const a = await generate({ files: 500, seed: 3 });
    expect((await generate({ files: 500, seed: 3 })).equals(a)).toBe(true);
    expect((await generate({ files: 500, seed: 4 })).equals(a)).toBe(false);
  });

  it("honours dirFiles: project directories of that many files, still a valid dump", async () => {
    const bytes = await generate({ files: 12_000, dirFiles: 2_500, seed: 5 });
    const tree = await readDumpToTree(bytes);
    expect((await writeTree(tree)).equals(bytes)).toBe(true);
    const { occurrences, ...want } = recompute(tree);
    expect(occurrences.size).toBeGreaterThan(12_000);
    expect(tree.header.counters).toEqual(want);
    const projects = tree.trees[0].root.children!.find((c) => c.name.toString() === "projects")!;
    const files = projects.children!.filter((c) => /^file-\d+\.\w+$/.test(c.name.toString()));
    expect(files.length).toBe(2_500);
  });

  it("honours manyChunks: a file of that many chunks first in misc, still a valid dump with its counters", async () => {
    const bytes = await generate({ files: 50, seed: 3, manyChunks: 9000 });
    const tree = await readDumpToTree(bytes);
    expect((await writeTree(tree)).equals(bytes)).toBe(true);
    const { occurrences, ...want } = recompute(tree);
    expect(tree.header.counters).toEqual(want);
    const misc = tree.trees[0].root.children!.find((c) => c.name.toString() === "misc")!;
    const first = misc.children![0];
    expect(first.name.toString()).toBe("0-many-chunks");
    expect(occurrences.get(first.node.attr.inode)).toBe(1);
    expect(first.node.chunks.map((c) => c.index)).toEqual(Array.from({ length: 9000 }, (_, i) => i));
    expect(first.node.attr.length).toBe(9000n * 64n * 1024n * 1024n);
    await expect(generate({ files: 1, manyChunks: -1 })).rejects.toThrow(/manyChunks/);
  });

  it("honours trash: false, flatDirShare and name", async () => {
    const tree = await readDumpToTree(await generate({ files: 100, trash: false, flatDirShare: 0.5, name: "demo" }));
    expect(tree.trees.map((t) => t.tree)).toEqual(["FSTree"]);
    expect(tree.header.setting.Name).toBe("demo");
    expect(tree.trees[0].root.children!.find((c) => c.name.toString() === "flat")!.children!.length).toBe(50);
  });
});
