// JuiceFS's own load/dump expectations (pkg/meta/load_dump_test.go) on each SQL dialect, with
// private servers: metadata.sample loads, dumps back byte for byte, --subdir d1 gives
// metadata-sub.sample, and checkMeta's facts hold when read through the engine.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "../../support/fixtures";
import { readDumpToTree, writeTree, type MemEntry } from "../../support/dump-tree";
import { dumpToBuffer as dumpEngine } from "../../support/engine-io";
import { loadMeta } from "../../../lib/engines/load";
import { align4K, ROOT_INODE, TRASH_INODE } from "../../../lib/jfs/types";
import { openSqlEngine, type SqlEngine } from "../../../lib/engines/sql/index";
import { toBig, toNum } from "../../../lib/engines/sql/rows";
import { scanSqlTables } from "../../../lib/engines/sql/scan";
import type { ColumnBatch, TableBatch } from "../../../lib/jfs/table-records";
import { DIALECTS, startTargets, type FreshDb, type SqlTargets } from "../../support/sql-targets";

const dumpToBuffer = (engine: SqlEngine, subdir?: string) => dumpEngine(engine, { subdir });

describe.each(DIALECTS)("%s: JuiceFS golden load/dump", (dialect) => {
  let targets: SqlTargets;
  let db: FreshDb;
  let engine: SqlEngine;

  beforeAll(async () => {
    targets = await startTargets(dialect);
    db = await targets.fresh();
    engine = await openSqlEngine(db.url);
    await loadMeta(engine, createReadStream(goldenPath("metadata.sample")));
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    await targets?.stop();
  });

  it("dumps metadata.sample back byte for byte", async () => {
    expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
  });

  it("dumps the same bytes with --threads 1 (every query waits its turn)", async () => {
    expect((await dumpEngine(engine, { threads: 1 })).equals(golden("metadata.sample"))).toBe(true);
  });

  it("gives the same tree records as columns (the staged walk's scan) as as records, and no other tables, across pages of 3 rows", async () => {
    const text = (t: string, v: Record<string, unknown>) => `${t} ${JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x?.type === "Buffer" ? Buffer.from(x.data).toString("hex") : x))}`;
    const asRecords = async (scan: AsyncIterable<TableBatch | ColumnBatch>) => {
      const out: string[] = [];
      let columns = 0;
      for await (const b of scan) {
        if (b.table !== "columns") {
          for (const r of b.records) out.push(text(b.table, r as unknown as Record<string, unknown>));
          continue;
        }
        columns++;
        const c = b.cols;
        for (let i = 0; i < c.count; i++) {
          const bytes = Buffer.from(c.bytes.subarray(c.start[i], c.end[i]));
          if (b.field === "nodes") out.push(text("nodes", { inode: BigInt(b.cols.inode[i]), attr: bytes }));
          else if (b.field === "edges") out.push(text("edges", { parent: BigInt(b.cols.parent[i]), inode: BigInt(b.cols.inode[i]), name: bytes, type: b.cols.type[i] }));
          else out.push(text("chunks", { inode: BigInt(b.cols.inode[i]), index: b.cols.index[i], slices: bytes }));
        }
      }
      return { out, columns };
    };
    const records = await asRecords(scanSqlTables(engine, undefined, 3));
    const columns = await asRecords(scanSqlTables(engine, undefined, 3, true));
    expect(records.out.filter((r) => r.startsWith("chunks ")).length).toBeGreaterThan(3);
    // Only the tables of the JSON dump's tree: no dir stats, parents, slice references or quotas.
    const tree = /^(nodes|edges|chunks|symlinks|xattrs|acls) /;
    expect(records.out.some((r) => /^(dirStats|parents|quotas) /.test(r))).toBe(true);
    expect(columns.out).toEqual(records.out.filter((r) => tree.test(r)));
    if (dialect !== "sqlite3") expect(columns.columns).toBeGreaterThan(5);
  });

  it("dumps --subdir d1 as metadata-sub.sample", async () => {
    expect((await dumpToBuffer(engine, "d1")).equals(golden("metadata-sub.sample"))).toBe(true);
  });

  it("stores what checkMeta expects", async () => {
    const c = await engine.readCounters();
    expect(c).toMatchObject({ usedSpace: 115392512n, usedInodes: 14n, nextInodes: 35n, nextChunk: 9n, nextSession: 0n, nextTrash: 1n });

    const root: Buffer[] = [];
    for await (const b of engine.readDir(ROOT_INODE).batches) root.push(...b.map((e) => e.name));
    expect(root).toHaveLength(9);
    const names = root.map((n) => n.toString("utf8"));
    expect(root.some((n) => new TextDecoder("gbk").decode(n) === "GBK果汁数据科技有限公司文件")).toBe(true);
    expect(names).toContain("UTF8果汁数据科技有限公司目录");

    const [stat] = await engine.driver.all(`SELECT * FROM ${engine.t("dir_stats")} WHERE ${engine.names.q("inode")} = 1`);
    expect([toBig(stat.used_inodes), toBig(stat.data_length), toBig(stat.used_space)]).toEqual([9n, 36n, 9n * 4096n]);

    // Root quota usage = the summary of FSTree (every descendant) minus the root itself.
    let space = 0n;
    let count = 0n;
    const walk = async (ino: bigint) => {
      for await (const batch of engine.readDir(ino).batches) {
        const nodes = await engine.readNodes(batch.map((e) => ({ inode: e.inode, type: e.type })));
        for (const n of nodes) {
          space += align4K(n.attr!.type === "directory" ? 4096n : n.attr!.length);
          count++;
          if (n.attr!.type === "directory") await walk(n.inode);
        }
      }
    };
    await walk(ROOT_INODE);
    const [q] = await engine.driver.all(`SELECT * FROM ${engine.t("dir_quota")} WHERE ${engine.names.q("inode")} = 1`);
    expect([toBig(q.max_space), toBig(q.max_inodes), toBig(q.used_space), toBig(q.used_inodes)]).toEqual([1n << 30n, 100n, space, count]);

    expect((await engine.readQuotas("user")).get(501n)).toEqual({ maxSpace: 1n << 40n, maxInodes: 1_000_000n });
    expect((await engine.readQuotas("group")).get(20n)).toEqual({ maxSpace: 2n << 40n, maxInodes: 2_000_000n });

    const [n2, n4, n5] = await engine.readNodes([
      { inode: 2n, type: "regular" },
      { inode: 4n, type: "regular" },
      { inode: 5n, type: "symlink" },
    ]);
    expect(n2.attr).toMatchObject({ nlink: 1, length: 24n, flags: 128 });
    expect(n2.accessAcl).toEqual({ owner: 6, group: 4, mask: 4, other: 4, users: [{ id: 1, perm: 6 }, { id: 2, perm: 7 }], groups: [] });
    expect(n2.chunks).toHaveLength(1);
    // Three stored records; the last one (slice 4, 24 bytes from 0) overlays the others, so a
    // read sees the single slice checkMeta expects.
    const last = n2.chunks[0].slices.at(-1)!;
    expect([last.id, last.size, last.pos, last.off, last.len]).toEqual([4n, 24, 0, 0, 24]);
    expect(n4.attr!.nlink).toBe(4 - 2); // two links
    const parents = await engine.driver.all(`SELECT ${engine.names.q("parent")} AS p FROM ${engine.t("edge")} WHERE ${engine.names.q("inode")} = 4 ORDER BY 1`);
    expect(parents.map((r) => toBig(r.p))).toEqual([1n, 3n]);
    const [node4] = await engine.driver.all(`SELECT ${engine.names.q("parent")} AS p FROM ${engine.t("node")} WHERE ${engine.names.q("inode")} = 4`);
    expect(toBig(node4.p)).toBe(0n);
    expect(new TextDecoder("gbk").decode(n5.symlink!)).toBe("GBK果汁数据科技有限公司文件");

    expect((await engine.getXattr(2n, "k"))?.toString()).toBe("v");
    expect((await engine.getXattr(3n, "dk"))?.toString()).toBe("果汁%25");
    expect(n2.defaultAcl).toEqual({ owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [{ id: 3, perm: 6 }, { id: 4, perm: 7 }] });
  });

  it("keeps every live slice in chunk_ref with its full reference count", async () => {
    const rows = await engine.driver.all(`SELECT * FROM ${engine.t("chunk_ref")} ORDER BY ${engine.names.q("chunkid")}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => toBig(r.chunkid) > 0n && toNum(r.refs) >= 1)).toBe(true);
    expect(new Set(rows.map((r) => toBig(r.chunkid))).size).toBe(rows.length);
  });

  it("counts slice references: no row for holes, uses for shared slices, the first size for an id met with two", async () => {
    const tree = await readDumpToTree(golden("metadata.sample"));
    const files: MemEntry[] = [];
    const visit = (e: MemEntry) => (e.children ? e.children.forEach(visit) : e.node.attr.type === "regular" && files.push(e));
    visit(tree.trees[0].root);
    const slice = (id: bigint, size: number) => ({ id, pos: 0, size, off: 0, len: size });
    const shared = [
      [slice(0n, 0), slice(900_001n, 200)], // a hole, then a slice…
      [slice(900_001n, 200)], // …used again
      [slice(900_001n, 300)], // the same id with another size
    ];
    shared.forEach((slices, i) => {
      files[i].node.attr.length = 1000n;
      files[i].node.chunks = [{ index: 0, slices }];
    });
    await targets.withEngine(async (other) => {
      await loadMeta(other, Readable.from([await writeTree(tree)]));
      const q = (n: string) => other.names.q(n);
      const rows = await other.driver.all(`SELECT * FROM ${other.t("chunk_ref")} WHERE ${q("chunkid")} IN (0, 900001)`);
      expect(rows.map((r) => [toBig(r.chunkid), toNum(r.size), toNum(r.refs)])).toEqual([[900_001n, 200, 3]]);
    });
  });

  it("keeps the trash with its hour directories", async () => {
    const [trash] = await engine.readNodes([{ inode: TRASH_INODE, type: "directory" }]);
    expect(trash.attr?.type).toBe("directory");
    const entries = [];
    for await (const b of engine.readDir(TRASH_INODE).batches) entries.push(...b);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.inode > TRASH_INODE)).toBe(true);
  });

  it("refuses to load into the loaded volume, naming it, and writes nothing", async () => {
    const before = await engine.driver.all(`SELECT COUNT(*) AS n FROM ${engine.t("node")}`);
    await expect(loadMeta(engine, createReadStream(goldenPath("metadata.sample")))).rejects.toThrow(/used by volume load-dump-test/);
    const after = await engine.driver.all(`SELECT COUNT(*) AS n FROM ${engine.t("node")}`);
    expect(toBig(after[0].n)).toBe(toBig(before[0].n));
  });

  it("refuses a database holding any other table, and leaves it alone", async () => {
    await targets.withEngine(async (e) => {
      // Another application's table: JuiceFS's rule is "any table at all".
      if (e.driver.dialect === "sqlite3") e.driver.open(true);
      await e.driver.run("CREATE TABLE other_app (id INTEGER)");
      await expect(loadMeta(e, createReadStream(goldenPath("metadata.sample")))).rejects.toThrow(/is not empty/);
      expect(await e.listTables()).toEqual(["other_app"]);
    });
  });

  it("leaves no table behind when the input is malformed", async () => {
    await targets.withEngine(async (e) => {
      // Valid head and a tree that breaks part-way, after rows were written.
      const text = golden("metadata.sample").toString("utf8");
      const broken = text.slice(0, text.indexOf('"Trash"')) + '"Trash": {"attr": {"inode": "oops"';
      await expect(loadMeta(e, Readable.from([Buffer.from(broken)]))).rejects.toThrow();
      expect(await e.listTables()).toEqual([]);
      expect(await e.readSetting()).toBeNull();
    });
  });

  it("fails a dump cleanly, without hanging, when a table is gone", async () => {
    await targets.withEngine(async (e) => {
      await loadMeta(e, createReadStream(goldenPath("metadata.sample")));
      await e.driver.run(`DROP TABLE ${e.t("node")}`);
      for (let i = 0; i < 5; i++) await expect(dumpToBuffer(e)).rejects.toThrow(/jfs_node/);
    });
  });

  it("dumps a volume as `juicefs format` leaves it (no edges, no nextTrash, NULL columns)", async () => {
    await targets.withEngine(async (e) => {
      if (e.driver.dialect === "sqlite3") e.driver.open(true);
      for (const stmt of e.names.createAll()) await e.driver.run(stmt.replace(/;$/, ""));
      const q = (c: string) => e.names.q(c);
      // Root as doInit writes it, but with the columns an old schema upgrade leaves NULL.
      await e.driver.run(
        `INSERT INTO ${e.t("node")} (${["inode", "type", "flags", "mode", "uid", "gid", "atime", "mtime", "ctime", "nlink", "length"].map(q).join(",")}) VALUES (1, 2, 0, 511, 0, 0, 1700000000123456, 1700000000123456, 1700000000123456, 2, 4096)`,
      );
      for (const [name, value] of [["nextInode", 2], ["nextChunk", 1], ["nextSession", 0], ["usedSpace", 0], ["totalInodes", 0], ["nextCleanupSlices", 0]] as const) {
        await e.driver.run(`INSERT INTO ${e.t("counter")} (${q("name")}, ${q("value")}) VALUES (?, ?)`, [name, value]);
      }
      const setting = golden("metadata.sample").toString("utf8");
      const parsed = (await import("../../../lib/jfs/setting-json")).parseSetting(
        setting.slice(setting.indexOf('"Setting": ') + 11, setting.indexOf("\n  },\n", setting.indexOf('"Setting": ')) + 4),
      );
      await e.writeSetting({ ...parsed, TrashDays: 0 });
      const text = (await dumpToBuffer(e)).toString("utf8");
      expect(text).toContain('"nextInodes": 2');
      expect(text).toContain('"nextChunk": 1');
      expect(text).toContain('"nextTrash": 0');
      expect(text).toMatch(/"FSTree": \{\n {4}"attr": \{"inode":1,"type":"directory","mode":511,"uid":0,"gid":0,"atime":1700000000,"mtime":1700000000,"ctime":1700000000,"atimensec":123456000,"mtimensec":123456000,"ctimensec":123456000,"nlink":2,"length":0\},\n {4}"entries": \{\s*\}/);
    });
  });
});
