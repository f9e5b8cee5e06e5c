import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { loadBuffer } from "../../test/support/engine-io";
import { tempDir } from "../../test/support/temp-dir";
import { openEngine } from "../engines/open";
import { indexBackup, openIndexedBackup } from "./backup";
import { nameMatcher, pathNames } from "./find";
import { openLiveSource } from "./live";
import { FindPageSchema, type FindQuery } from "./schemas";
import type { TreeSource } from "./source";

describe("nameMatcher", () => {
  it("is a substring without wildcards and a whole-name glob with them, case-insensitive", () => {
    const m = (p: string, names: string[]) => names.filter(nameMatcher(p));
    const names = ["report.log", "report.txt", "old-report.log", "a.b", "axb", "[x]", "file1", "file22"];
    expect(m("REPORT", names)).toEqual(["report.log", "report.txt", "old-report.log"]);
    expect(m("*.log", names)).toEqual(["report.log", "old-report.log"]);
    expect(m("report.*", names)).toEqual(["report.log", "report.txt"]);
    expect(m("a.b", names)).toEqual(["a.b"]); // "." is literal
    expect(m("a?b", names)).toEqual(["a.b", "axb"]);
    expect(m("file[0-9]", names)).toEqual(["file1"]);
    expect(m("file[!1]*", names)).toEqual(["file22"]);
    expect(m("[[]x]", names)).toEqual(["[x]"]);
  });
  it("reads %XX escapes in paths", () => {
    expect(pathNames("/a/b%2Fc/").map(String)).toEqual(["a", "b/c"]);
    expect(pathNames("")).toEqual([]);
  });
});

const tmp = tempDir("jfsmeta-find-");

describe.each(["backup", "live"] as const)("find in a %s of metadata.sample", (kind) => {
  let src: TreeSource;
  beforeAll(async () => {
    if (kind === "backup") {
      const idx = path.join(tmp, "sample.idx");
      await indexBackup(Readable.from([golden("metadata.sample")]), idx);
      src = openIndexedBackup(idx);
    } else {
      const engine = await openEngine(`sqlite3://${path.join(tmp, "meta.db")}`);
      await loadBuffer(engine, golden("metadata.sample"));
      src = openLiveSource(engine);
    }
  }, 60_000);
  afterAll(() => src?.close());
  const find = async (q: Partial<FindQuery> & Pick<FindQuery, "by" | "q">) => FindPageSchema.parse(await src.find({ offset: 0, limit: 50, ...q }));
  const paths = (p: { hits: { path: string }[] }) => p.hits.map((h) => h.path).sort();

  it("by path, with its directory for the tree viewer", async () => {
    const page = await find({ by: "path", q: "/d1/f11" });
    expect(page.total).toBe(1);
    expect(page.hits[0]).toMatchObject({ path: "/d1/f11", rawPath: "/d1/f11", item: { name: "f11", inode: "4", type: "regular" } });
    const dir = await src.children(page.hits[0].parentDirId!, 0, 10);
    expect(dir.items.map((i) => i.name)).toContain("f11");
    expect((await find({ by: "path", q: "d1/nope" })).hits).toEqual([]);
    expect((await find({ by: "path", q: "/" })).hits[0]).toMatchObject({ path: "/", item: { inode: "1" } });
  });

  it("by inode: every path of a hard link, and entries in the trash", async () => {
    expect(paths(await find({ by: "inode", q: "4" }))).toEqual(["/d1/f11", "/l1"]);
    const trash = await find({ by: "inode", q: "27" });
    expect(paths(trash)).toEqual(["/.trash/2021-12-02-09/1-27-tf1"]);
    await expect(src.find({ by: "inode", q: "x1", offset: 0, limit: 10 })).rejects.toThrow(/not an inode number/);
  });

  it("by name pattern, paged", async () => {
    const all = await find({ by: "name", q: "f1*" });
    expect(paths(all)).toEqual(["/d1/f11", "/f1"]);
    const first = await find({ by: "name", q: "f", limit: 2 });
    const rest = await find({ by: "name", q: "f", offset: 2, limit: 50 });
    expect(first.total).toBe(rest.total);
    expect(first.hits.length).toBe(2);
    expect(first.total).toBe(2 + rest.hits.length);
    expect(new Set([...paths(first), ...paths(rest)]).size).toBe(first.total);
    expect(paths(await find({ by: "name", q: "果汁" }))).toEqual(["/UTF8果汁数据科技有限公司文件", "/UTF8果汁数据科技有限公司目录"]);
  });
});

describe("a live find that reaches its scan limit", () => {
  it("stops, says so, and counts nothing it did not see", async () => {
    const engine = await openEngine(`sqlite3://${path.join(tmp, "limit.db")}`);
    await loadBuffer(engine, golden("metadata.sample"));
    const src = openLiveSource(engine, { findScanLimit: 5 });
    try {
      const page = FindPageSchema.parse(await src.find({ by: "name", q: "*", offset: 0, limit: 50 }));
      expect(page).toMatchObject({ total: null, truncated: true, scanned: 5 });
      expect(page.hits.length).toBe(5);
    } finally {
      await src.close();
    }
  });
});
