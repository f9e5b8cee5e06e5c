import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import { JsonDumpWriter } from "../dump/writer";
import type { Setting } from "../jfs/setting";
import { TRASH_INODE } from "../jfs/types";
import { exportSubdirFromBackup, indexBackup, openIndexedBackup, readBackupIndexInfo } from "./backup";
import { parseJsonExact } from "./describe";
import { BackupIndexInfoSchema, ChildrenPageSchema, EntryDetailSchema } from "./schemas";
import { InspectNotFoundError, type TreeSource } from "./source";
import { testNode } from "../../test/support/fake-engine";

const tmp = tempDir("jfsmeta-inspect-");

/** Collect what a function writes to a Writable. */
async function capture(fn: (out: Writable) => Promise<void>): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new PassThrough();
  out.on("data", (b: Buffer) => parts.push(b));
  await fn(out);
  out.end();
  await finished(out);
  return Buffer.concat(parts);
}

describe("backup index of metadata.sample", () => {
  const sampleText = golden("metadata.sample").toString("utf8");
  const sample = parseJsonExact(sampleText) as {
    FSTree: { entries: Record<string, Record<string, unknown> & { entries?: Record<string, unknown> }> };
  };
  let indexPath: string;
  let src: TreeSource;
  let progress = 0;

  beforeAll(async () => {
    indexPath = path.join(tmp, "sample.idx");
    const info = await indexBackup(Readable.from([golden("metadata.sample")]), indexPath, { onProgress: () => progress++ });
    BackupIndexInfoSchema.parse(info);
    src = openIndexedBackup(indexPath);
  });
  afterAll(() => src?.close());

  it("keeps the header, secrets masked, and counts the trees", () => {
    const info = readBackupIndexInfo(indexPath);
    expect(info.trees).toEqual(["FSTree", "Trash"]);
    expect(info.entries).toBe(17);
    expect(info.directories).toBe(7);
    expect(info.bytes).toBe(7418);
    expect(info.setting).toMatchObject({ Name: "load-dump-test", SecretKey: "removed", Storage: "file" });
    expect(info.counters).toMatchObject({ usedSpace: "115392512", usedInodes: "14", nextInodes: "35", nextChunk: "9" });
    expect(info.quotas).toEqual({
      dir: { "1": { maxSpace: "1073741824", maxInodes: "100" } },
      user: { "501": { maxSpace: "1099511627776", maxInodes: "1000000" } },
      group: { "20": { maxSpace: "2199023255552", maxInodes: "2000000" } },
    });
    expect(info.delFiles).toBe(1);
    expect(progress).toBeGreaterThan(0);
  });

  it("lists the roots with the trash inode exact", async () => {
    const roots = await src.roots();
    expect(roots.map((r) => [r.name, r.inode])).toEqual([
      ["FSTree", "1"],
      ["Trash", "9223372032828243968"],
    ]);
    const hours = await src.children(roots[1].dirId!, 0, 10);
    expect(hours.items.map((i) => [i.name, i.inode, i.childCount])).toEqual([["2021-12-02-09", (TRASH_INODE + 1n).toString(), 3]]);
    expect((await src.entry(null, "Trash")).json.attr).toMatchObject({ inode: "9223372032828243968", mode: 365 });
  });

  it("pages the root's 9 entries in dump order, with exact raw names", async () => {
    const root = await src.root();
    expect(root).toMatchObject({ inode: "1", childCount: 9, hasChildren: true });
    const page = ChildrenPageSchema.parse(await src.children(root.dirId!, 0, 100));
    expect(page.total).toBe(9);
    expect(page.items.map((i) => i.rawName)).toEqual(Object.keys(sample.FSTree.entries));
    const gbk = page.items[0];
    expect(gbk.rawName).toBe("GBK%B9%FB֭%CA%FD%BEݿƼ%BC%D3%D0%CF޹%AB˾%CEļ%FE");
    expect(gbk.name.startsWith("GBK\ufffd")).toBe(true);
    expect(gbk.name).not.toContain("%");
    const second = await src.children(root.dirId!, 4, 2);
    expect(second.items.map((i) => i.name)).toEqual(["d1", "f1"]);
    const d1 = second.items[0];
    expect(d1).toMatchObject({ dirId: expect.any(String), inode: "3", hasChildren: true, childCount: 2 });
    expect((await src.children(d1.dirId!, 0, 10)).items.map((i) => [i.name, i.inode, i.length])).toEqual([
      ["big", "6", "104857600"],
      ["f11", "4", "12"],
    ]);
    const empty = page.items.find((i) => i.name === "d")!;
    expect(empty).toMatchObject({ hasChildren: false, childCount: 0 });
    expect((await src.children(empty.dirId!, 0, 10)).items).toEqual([]);
  });

  it("gives each entry's JSON exactly as the dump has it", async () => {
    const root = await src.root();
    for (const rawName of Object.keys(sample.FSTree.entries)) {
      const detail = EntryDetailSchema.parse(await src.entry(root.dirId!, rawName));
      const { entries: _children, ...expected } = sample.FSTree.entries[rawName];
      expect(detail.json).toEqual(expected);
      expect(Object.keys(detail.json)).toEqual(Object.keys(expected));
    }
    const f1 = await src.entry(root.dirId!, "f1");
    expect(f1).toMatchObject({ inode: "2", flags: 128, flagNames: ["0x80"], nlink: 1, sliceCount: 3, modeString: "-rw-r--r--" });
    expect(f1.accessAcl).toEqual({ owner: "rw-", group: "r--", other: "r--", mask: "r--", users: [{ id: 1, perm: "rw-" }, { id: 2, perm: "rwx" }], groups: [] });
    const s1 = await src.entry(root.dirId!, "s1");
    expect(s1.symlink!.raw).toBe("GBK%B9%FB֭%CA%FD%BEݿƼ%BC%D3%D0%CF޹%AB˾%CEļ%FE");
    const d1 = await src.entry(root.dirId!, "d1");
    expect(d1.xattrs).toEqual([{ name: "dk", value: "果汁%25", rawValue: "果汁%2525" }]);
    expect(d1.childCount).toBe(2);
    await expect(src.entry(root.dirId!, "nope")).rejects.toBeInstanceOf(InspectNotFoundError);
    await expect(src.children("999999", 0, 1)).rejects.toBeInstanceOf(InspectNotFoundError);
  });

  it("filters by display name", async () => {
    const root = await src.root();
    const page = await src.children(root.dirId!, 0, 10, "utf8");
    expect(page.total).toBe(2);
    expect(page.items.map((i) => i.name)).toEqual(["UTF8果汁数据科技有限公司文件", "UTF8果汁数据科技有限公司目录"]);
    expect((await src.children(root.dirId!, 1, 10, "公司")).items.map((i) => i.name)).toEqual(["UTF8果汁数据科技有限公司目录"]);
  });

  it("exports d1 byte for byte as metadata-sub.sample", async () => {
    const root = await src.root();
    const d1 = (await src.children(root.dirId!, 0, 100)).items.find((i) => i.name === "d1")!;
    const bytes = await capture((out) => exportSubdirFromBackup(indexPath, d1.dirId!, out, { batchRows: 1 }));
    expect(bytes.toString("utf8")).toBe(golden("metadata-sub.sample").toString("utf8"));
    expect(bytes.equals(golden("metadata-sub.sample"))).toBe(true);
  });
});

describe("indexing edge cases", () => {
  it("leaves no index behind when the input is cut short", async () => {
    const dir = mkdtempSync(path.join(tmp, "cut-"));
    const cut = golden("metadata.sample").subarray(0, 5000);
    await expect(indexBackup(Readable.from([cut]), path.join(dir, "x.idx"))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("stops when aborted, closes the input and leaves no index behind", async () => {
    const dir = mkdtempSync(path.join(tmp, "abort-"));
    const ac = new AbortController();
    ac.abort();
    const input = Readable.from([golden("metadata.sample")]);
    await expect(indexBackup(input, path.join(dir, "x.idx"), { signal: ac.signal })).rejects.toThrow(/cancelled/);
    expect(readdirSync(dir)).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(input.destroyed).toBe(true);
  });

  it("ranks the siblings of an unsorted dump by raw name bytes", async () => {
    const dumpPath = path.join(tmp, "unsorted.json");
    const out = createWriteStream(dumpPath);
    const w = new JsonDumpWriter(out);
    await w.header({ setting: SETTING, counters: COUNTERS, sustained: [], delFiles: [] });
    await w.beginDir("FSTree", testNode(1n, "directory"));
    for (const [i, n] of ["b", "a c", "a", "C"].entries()) await w.leaf(Buffer.from(n), testNode(BigInt(10 + i), "regular"));
    await w.endDir();
    await w.end();
    out.end();
    await finished(out);
    const idx = path.join(tmp, "unsorted.idx");
    await indexBackup(createReadStream(dumpPath), idx);
    const src = openIndexedBackup(idx);
    const root = await src.root();
    expect((await src.children(root.dirId!, 0, 10)).items.map((i) => i.name)).toEqual(["C", "a", "a c", "b"]);
    expect((await src.children(root.dirId!, 1, 2)).items.map((i) => i.inode)).toEqual(["12", "11"]);
    await src.close();
  });
});

describe("subdir export of an older dump", () => {
  it("writes the header a dump of the live volume would: Tiers filled in, no nextCleanupSlices", async () => {
    const dumpPath = path.join(tmp, "old.json");
    const out = createWriteStream(dumpPath);
    const w = new JsonDumpWriter(out);
    await w.header({ setting: { ...SETTING, Tiers: null, StorageClass: "STANDARD" }, counters: { ...COUNTERS, nextCleanupSlices: 5n, lastChangelog: 9n }, sustained: [], delFiles: [] });
    await w.beginDir("FSTree", testNode(1n, "directory", { nlink: 3 }));
    await w.beginDir(Buffer.from("sub"), testNode(2n, "directory"));
    await w.leaf(Buffer.from("f"), testNode(3n, "regular"));
    await w.endDir();
    await w.endDir();
    await w.end();
    out.end();
    await finished(out);
    const idx = path.join(tmp, "old.idx");
    await indexBackup(createReadStream(dumpPath), idx);
    const src = openIndexedBackup(idx);
    const sub = (await src.children((await src.root()).dirId!, 0, 1)).items[0];
    await src.close();
    const doc = parseJsonExact((await capture((o) => exportSubdirFromBackup(idx, sub.dirId!, o))).toString("utf8")) as Record<string, Record<string, unknown>>;
    expect(doc.Setting.Tiers).toEqual({ "0": { ID: 0, StorageClass: "STANDARD", Tag: "" } });
    expect(Object.keys(doc.Counters)).toEqual(["usedSpace", "usedInodes", "nextInodes", "nextChunk", "nextSession", "nextTrash"]);
    expect(Object.keys(doc.FSTree.entries as object)).toEqual(["f"]);
  });
});

const SETTING: Setting = {
  Name: "paging",
  UUID: "00000000-0000-0000-0000-000000000001",
  Storage: "file",
  Bucket: "/tmp/x/",
  BlockSize: 4096,
  TrashDays: 1,
  EnableACL: false,
  Tiers: { "0": { ID: 0, StorageClass: "", Tag: "" } },
};
const COUNTERS = { usedSpace: 0n, usedInodes: 0n, nextInodes: 2n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n };

describe("paging a 100,000-entry directory of a backup", () => {
  const N = 100_000;
  const name = (i: number) => `file-${String(i).padStart(6, "0")}`;
  let idx: string;
  let src: TreeSource;
  let bigId: string;

  beforeAll(async () => {
    idx = path.join(tmp, "big.idx");
    const dumpPath = path.join(tmp, "big.json");
    const out = createWriteStream(dumpPath);
    const w = new JsonDumpWriter(out);
    await w.header({ setting: SETTING, counters: COUNTERS, sustained: [], delFiles: [] });
    await w.beginDir("FSTree", testNode(1n, "directory", { nlink: 3 }));
    await w.beginDir(Buffer.from("big"), testNode(2n, "directory"));
    for (let i = 0; i < N; i++) await w.leaf(Buffer.from(name(i)), testNode(BigInt(100 + i), "regular", { length: BigInt(i) }));
    await w.endDir();
    await w.endDir();
    await w.end();
    out.end();
    await finished(out);
    const info = await indexBackup(createReadStream(dumpPath), idx);
    expect(info.entries).toBe(N + 2);
    src = openIndexedBackup(idx);
    bigId = (await src.children((await src.root()).dirId!, 0, 1)).items[0].dirId!;
  });
  afterAll(() => src?.close());

  it("pages at the start, the middle and the end", async () => {
    const first = await src.children(bigId, 0, 3);
    expect(first.total).toBe(N);
    expect(first.items.map((i) => i.name)).toEqual([name(0), name(1), name(2)]);
    const mid = await src.children(bigId, 50_000, 3);
    expect(mid.items.map((i) => [i.name, i.inode, i.length])).toEqual([
      [name(50_000), "50100", "50000"],
      [name(50_001), "50101", "50001"],
      [name(50_002), "50102", "50002"],
    ]);
    const end = await src.children(bigId, N - 2, 10);
    expect(end.items.map((i) => i.name)).toEqual([name(N - 2), name(N - 1)]);
    expect((await src.children(bigId, N, 10)).items).toEqual([]);
    await expect(src.children(bigId, 0, 1001)).rejects.toThrow(/limit 1…1000/);
  });

  it("pages the matches of a filter", async () => {
    const page = await src.children(bigId, 5, 3, "FILE-0999");
    expect(page.total).toBe(100); // file-099900 … file-099999
    expect(page.items.map((i) => i.name)).toEqual([name(99_905), name(99_906), name(99_907)]);
    expect((await src.children(bigId, 0, 10, "no such")).total).toBe(0);
  });

  it("finds an entry by its name", async () => {
    expect((await src.entry(bigId, name(77_777))).inode).toBe("77877");
  });

  it("exports the big directory as a loadable subdir dump", async () => {
    const seen: number[] = [];
    const bytes = await capture((out) => exportSubdirFromBackup(idx, bigId, out, { onProgress: (p) => seen.push(p.entries) }));
    expect(seen.at(-1)).toBe(N + 1);
    const ac = new AbortController();
    ac.abort();
    await expect(capture((out) => exportSubdirFromBackup(idx, bigId, out, { signal: ac.signal }))).rejects.toThrow(/cancelled/);
    // Every number in this synthetic volume is small: plain JSON.parse is exact here (and fast).
    const doc = JSON.parse(bytes.toString("utf8")) as { FSTree: { attr: { inode: number }; entries: Record<string, unknown> }; Trash?: unknown };
    expect(doc.FSTree.attr.inode).toBe(2);
    expect(Object.keys(doc.FSTree.entries)).toHaveLength(N);
    expect(doc.Trash).toBeUndefined();
  });
});

it("index files that are not ours are refused with a hint", () => {
  const bogus = path.join(tmp, "bogus.idx");
  expect(() => openIndexedBackup(bogus)).toThrow(/index the backup first/);
  expect(existsSync(bogus)).toBe(false);
  writeFileSync(bogus, "not a database at all, just some text that is long enough to be read");
  expect(() => openIndexedBackup(bogus)).toThrow(/index the backup again/);
});
