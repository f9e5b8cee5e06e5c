// JuiceFS's own samples must come back byte for byte through reader → tree → writer.
import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { TRASH_INODE } from "../jfs/types";
import { readDumpToTree, writeTree, type MemEntry } from "../../test/support/dump-tree";

function child(e: MemEntry, name: string | Buffer): MemEntry {
  const want = typeof name === "string" ? Buffer.from(name) : name;
  const c = e.children?.find((x) => x.name.equals(want));
  if (!c) throw new Error(`no child ${want.toString()}`);
  return c;
}

describe("golden samples", () => {
  for (const name of ["metadata.sample", "metadata-sub.sample"] as const) {
    it(`${name}: read then write is byte-identical`, async () => {
      const buf = golden(name);
      const out = await writeTree(await readDumpToTree(buf));
      expect(out.length).toBe(buf.length);
      expect(out.equals(buf)).toBe(true);
    });
  }

  it("keeps trash inodes (≥ 2^63 - 2^32 + 2^28) exact", async () => {
    const t = await readDumpToTree(golden("metadata.sample"));
    const trash = t.trees.find((x) => x.tree === "Trash")!.root;
    expect(trash.node.attr.inode).toBe(9223372032828243968n);
    expect(trash.node.attr.inode).toBe(TRASH_INODE);
    const hour = child(trash, "2021-12-02-09");
    expect(hour.node.attr.inode).toBe(TRASH_INODE + 1n);
    expect(child(hour, "1-27-tf1").node.attr.length).toBe(11n);
  });

  it("reads what JuiceFS's checkMeta expects of the sample", async () => {
    const t = await readDumpToTree(golden("metadata.sample"));
    expect(t.header.counters).toMatchObject({ usedSpace: 115392512n, usedInodes: 14n, nextInodes: 35n, nextChunk: 9n, nextTrash: 1n });
    expect(t.header.setting.Name).toBe("load-dump-test");
    expect(t.header.setting.Tiers?.["1"]).toEqual({ ID: 1, StorageClass: "STANDARD_IA", Tag: "" });
    expect(t.header.quotas?.get(1n)).toEqual({ maxSpace: 1073741824n, maxInodes: 100n });
    expect(t.header.userQuotas?.get(501n)).toEqual({ maxSpace: 1099511627776n, maxInodes: 1000000n });
    expect(t.header.groupQuotas?.get(20n)).toEqual({ maxSpace: 2199023255552n, maxInodes: 2000000n });
    expect(t.header.delFiles).toEqual([{ inode: 23n, length: 0n, expire: 1637664458n }]);
    const root = t.trees[0].root;
    expect(root.children).toHaveLength(9);
    const f1 = child(root, "f1");
    expect(f1.node.attr).toMatchObject({ inode: 2n, flags: 128, nlink: 1, length: 24n });
    expect(f1.node.xattrs).toEqual([{ name: Buffer.from("k"), value: Buffer.from("v") }]);
    expect(f1.node.accessAcl).toEqual({ owner: 6, group: 4, other: 4, mask: 4, users: [{ id: 1, perm: 6 }, { id: 2, perm: 7 }], groups: [] });
    expect(f1.node.chunks[0].slices.map((s) => s.id)).toEqual([1n, 2n, 4n]);
    const d1 = child(root, "d1");
    expect(d1.node.xattrs[0].value.toString()).toBe("果汁%25");
    expect(child(d1, "big").node.chunks.map((c) => c.index)).toEqual([0, 1]);
    expect(child(d1, "f11").node.attr.inode).toBe(child(root, "l1").node.attr.inode);
  });

  it("restores the GBK bytes of names and symlink targets", async () => {
    const t = await readDumpToTree(golden("metadata.sample"));
    const root = t.trees[0].root;
    const gbk = root.children!.find((c) => c.node.attr.inode === 34n)!;
    expect(new TextDecoder("gbk").decode(gbk.name)).toBe("GBK果汁数据科技有限公司文件");
    const s1 = child(root, "s1");
    expect(s1.node.symlink!.equals(gbk.name)).toBe(true);
  });
});
