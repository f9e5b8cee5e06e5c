// Engine-level tests on each SQL dialect (private servers): the catalogue JuiceFS expects, and
// values written through the LoadSink read back unchanged through the MetaEngine: binary and
// GBK names in byte order across pages, trash inodes, 64-bit slice ids, uint32 ids, ACLs.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Attr, NodeType } from "../../../lib/jfs/types";
import { TRASH_INODE } from "../../../lib/jfs/types";
import type { Setting } from "../../../lib/jfs/setting";
import { openSqlEngine, type SqlEngine } from "../../../lib/engines/sql/index";
import { packSlices, toBig, toNum } from "../../../lib/engines/sql/rows";
import { DIALECTS, startTargets, type SqlTargets } from "../../support/sql-targets";
import type { PostgresServer } from "../../support/postgres-server";

const SETTING: Setting = {
  Name: "rt-volume",
  UUID: "0f1e2d3c-0000-4000-8000-000000000001",
  Storage: "file",
  Bucket: "/var/jfs/",
  BlockSize: 4096,
  TrashDays: 1,
  EnableACL: true,
  MetaVersion: 1,
  Tiers: null,
};

function attr(inode: bigint, type: NodeType, extra: Partial<Attr> = {}): Attr {
  return {
    inode,
    flags: 0,
    type,
    mode: 0o755,
    uid: 501,
    gid: 20,
    atime: 1_700_000_000n,
    mtime: 1_700_000_001n,
    ctime: 1_700_000_002n,
    atimensec: 123_456_789,
    mtimensec: 999_999_999,
    ctimensec: 1,
    nlink: type === "directory" ? 2 : 1,
    length: type === "directory" ? 4096n : 0n,
    rdev: 0,
    tier: 0,
    ...extra,
  };
}

const GBK = Buffer.from([0xb9, 0xfb, 0xd6, 0xad]);
/** uint32 ids: SQLite holds the full range; MySQL/PostgreSQL columns are signed INT. */
const wideIds = (dialect: string) =>
  dialect === "sqlite3" ? { uid: 4294967294, gid: 4294967293, rdev: 0x80000001 } : { uid: 2147483647, gid: 2147483646, rdev: 0x7fffffff }; // 果汁 in GBK: not UTF-8
const BIG_SLICE = (1n << 62n) + 7n;
const CHUNK = 1n << 26n;
const MANY = 2500; // more than one keyset page

const EXPECTED_TABLES = [
  "jfs_acl", "jfs_change_log", "jfs_chunk", "jfs_chunk_ref", "jfs_counter", "jfs_delegation_token", "jfs_delfile", "jfs_delslices",
  "jfs_detached_node", "jfs_dir_quota", "jfs_dir_stats", "jfs_edge", "jfs_flock", "jfs_node", "jfs_plock", "jfs_session2",
  "jfs_setting", "jfs_sustained", "jfs_symlink", "jfs_user_group_quota", "jfs_xattr",
];
const SECONDARY_INDEXES = [
  "IDX_jfs_chunk_ref_refs", "IDX_jfs_edge_inode", "UQE_jfs_chunk_chunk", "UQE_jfs_edge_edge", "UQE_jfs_flock_flock",
  "UQE_jfs_plock_plock", "UQE_jfs_sustained_sustained", "UQE_jfs_xattr_name",
];

async function catalogue(e: SqlEngine): Promise<{ indexes: string[]; nodeColumns: string[] }> {
  const d = e.driver;
  if (d.dialect === "sqlite3") {
    const idx = await d.all("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name");
    const cols = await d.all("SELECT name, type, \"notnull\" AS nn FROM pragma_table_info('jfs_node')");
    return { indexes: idx.map((r) => String(r.name)), nodeColumns: cols.map((r) => `${r.name} ${r.type}${toNum(r.nn) ? " NN" : ""}`) };
  }
  if (d.dialect === "mysql") {
    const idx = await d.all(
      "SELECT DISTINCT table_name AS t, index_name AS i FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1, 2",
    );
    const cols = await d.all(
      "SELECT column_name AS n, column_type AS ty, is_nullable AS nl FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'jfs_node' ORDER BY ordinal_position",
    );
    return {
      indexes: idx.map((r) => (r.i === "PRIMARY" ? `${r.t}.PRIMARY` : String(r.i))).sort(),
      nodeColumns: cols.map((r) => `${r.n} ${r.ty}${r.nl === "NO" ? " NN" : ""}`),
    };
  }
  const idx = await d.all("SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
  const cols = await d.all(
    "SELECT column_name AS n, data_type AS ty, is_nullable AS nl FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'jfs_node' ORDER BY ordinal_position",
  );
  return { indexes: idx.map((r) => String(r.i)).sort(), nodeColumns: cols.map((r) => `${r.n} ${r.ty}${r.nl === "NO" ? " NN" : ""}`) };
}

const NODE_COLS = ["inode", "type", "flags", "mode", "uid", "gid", "atime", "mtime", "ctime", "atimensec", "mtimensec", "ctimensec", "nlink", "length", "rdev", "parent", "access_acl_id", "default_acl_id", "tier_id"];
const BIG = new Set(["inode", "atime", "mtime", "ctime", "length", "parent"]);
const NULLABLE = new Set(["rdev", "parent", "access_acl_id", "default_acl_id", "tier_id"]);

function expectedNodeColumns(dialect: string): string[] {
  return NODE_COLS.map((c) => {
    const ty = dialect === "sqlite3" ? "INTEGER" : dialect === "mysql" ? (BIG.has(c) ? "bigint(20)" : "int(11)") : BIG.has(c) ? "bigint" : "integer";
    return `${c} ${ty}${NULLABLE.has(c) ? "" : " NN"}`;
  });
}

function expectedIndexes(dialect: string): string[] {
  if (dialect === "sqlite3") {
    return [...SECONDARY_INDEXES, "sqlite_autoindex_jfs_counter_1", "sqlite_autoindex_jfs_setting_1", "sqlite_autoindex_jfs_user_group_quota_1"].sort();
  }
  if (dialect === "mysql") return [...SECONDARY_INDEXES, ...EXPECTED_TABLES.map((t) => `${t}.PRIMARY`)].sort();
  return [...SECONDARY_INDEXES, ...EXPECTED_TABLES.map((t) => `${t}_pkey`)].sort();
}

describe.each(DIALECTS)("%s engine", (dialect) => {
  let targets: SqlTargets;
  let engine: SqlEngine;
  let drop: () => Promise<void>;
  const names: Buffer[] = [];

  beforeAll(async () => {
    targets = await startTargets(dialect);
    const db = await targets.fresh();
    drop = db.drop;
    engine = await openSqlEngine(db.url);
    const sink = await engine.beginLoad();
    sink.node(attr(1n, "directory", { mode: 0o777, nlink: 3 }), 1n, { access: 0, default: 0 });
    sink.node(attr(2n, "directory"), 1n, { access: 0, default: 1 });
    sink.node(attr(3n, "regular", { length: 3n * CHUNK + 5n, uid: wideIds(dialect).uid, gid: wideIds(dialect).gid, flags: 33, tier: 2 }), 1n, { access: 2, default: 0 });
    sink.node(attr(4n, "symlink", { length: BigInt(GBK.length) }), 1n, { access: 0, default: 0 });
    sink.node(attr(5n, "regular", { length: 10n, nlink: 1 }), 0n, { access: 0, default: 0 });
    sink.node(attr(6n, "chardev", { rdev: wideIds(dialect).rdev }), 1n, { access: 0, default: 0 });
    sink.node(attr(TRASH_INODE, "directory", { mode: 0o555 }), 1n, { access: 0, default: 0 });
    sink.node(attr(TRASH_INODE + 1n, "directory", { mode: 0o555 }), TRASH_INODE, { access: 0, default: 0 });
    sink.aclRules(
      new Map([
        [1, { owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [{ id: 3, perm: 6 }] }],
        [2, { owner: 6, group: 4, mask: 4, other: 4, users: [{ id: 4294967295, perm: 7 }], groups: [] }],
      ]),
    );
    sink.edges(1n, [
      { name: Buffer.from("dir"), inode: 2n, type: "directory" },
      { name: GBK, inode: 3n, type: "regular" },
      { name: Buffer.from("link"), inode: 4n, type: "symlink" },
      { name: Buffer.from("hard"), inode: 5n, type: "regular" },
      { name: Buffer.from("dev"), inode: 6n, type: "chardev" },
    ]);
    sink.edges(TRASH_INODE, [{ name: Buffer.from("2026-11-26-12"), inode: TRASH_INODE + 1n, type: "directory" }]);
    // A big directory, fed in shuffled order, in several flushes.
    for (let i = 0; i < MANY; i++) names.push(Buffer.from(`f${String(i).padStart(5, "0")}`));
    names.push(Buffer.from([0xff, 0x01]), Buffer.from("Z"), Buffer.from("a"), Buffer.from("a\u00e9"), Buffer.from([0x61, 0x80]));
    const shuffled = [...names].sort(() => Math.random() - 0.5);
    for (let i = 0; i < shuffled.length; i += 700) {
      sink.edges(2n, shuffled.slice(i, i + 700).map((name) => ({ name, inode: 5n, type: "regular" as const })));
      await sink.flush();
    }
    sink.chunks(3n, [
      { index: 0, slices: [{ id: BIG_SLICE, pos: 0, size: 1 << 26, off: 0, len: 1 << 26 }, { id: 9n, pos: 100, size: 200, off: 10, len: 50 }] },
      { index: 2, slices: [{ id: 0n, pos: 0, size: 0, off: 0, len: 4096 }, { id: 9n, pos: 4096, size: 200, off: 0, len: 200 }] },
      { index: 3, slices: [{ id: 11n, pos: 0, size: 5, off: 0, len: 5 }] },
      { index: 4, slices: [{ id: 12n, pos: 0, size: 5, off: 0, len: 5 }] }, // beyond the length: never dumped
      { index: 5, slices: [] },
    ]);
    // What the loader reports: first sightings (no hole), then the shared slices' counts.
    sink.newSlices!([{ id: BIG_SLICE, size: 1 << 26 }, { id: 9n, size: 200 }, { id: 11n, size: 5 }, { id: 12n, size: 5 }]);
    sink.sliceRefs([{ id: 9n, size: 200, count: 2 }]);
    sink.symlink(4n, GBK);
    sink.xattrs(3n, [
      { name: Buffer.from("user.b"), value: Buffer.from([0, 1, 2, 0xff]) },
      { name: Buffer.from("user.a"), value: Buffer.alloc(0) },
    ]);
    sink.dirStats(1n, { dataLength: 3n * CHUNK + 15n, usedSpace: 1234n * 4096n, usedInodes: 5n });
    sink.hardLink(5n, MANY + 6, new Map([[1n, 1], [2n, MANY + 5]]));
    sink.delFiles([{ inode: 77n, length: 1000n, expire: 1_700_000_100n }, { inode: 76n, length: 1n, expire: 1_700_000_000n }]);
    sink.quotas("dir", new Map([[2n, { maxSpace: -1n, maxInodes: -1n, usedSpace: 4096n, usedInodes: 1n }], [1n, { maxSpace: 1n << 30n, maxInodes: 100n, usedSpace: 5n, usedInodes: 6n }]]));
    sink.quotas("user", new Map([[501n, { maxSpace: 1n << 40n, maxInodes: 10n, usedSpace: 0n, usedInodes: 0n }], [0n, { maxSpace: -1n, maxInodes: -1n, usedSpace: 4096n, usedInodes: 1n }]]));
    sink.quotas("group", new Map([[4294967293n, { maxSpace: 7n, maxInodes: 8n, usedSpace: 0n, usedInodes: 0n }]]));
    sink.counters({ usedSpace: 999n, usedInodes: 7n, nextInodes: 7n, nextChunk: BIG_SLICE + 1n, nextSession: 0n, nextTrash: 1n });
    sink.setting(SETTING);
    await sink.commit();
  });

  afterAll(async () => {
    await engine?.close();
    await drop?.();
    await targets?.stop();
  });

  it("has exactly JuiceFS's tables, indexes and node columns", async () => {
    expect(await engine.listTables()).toEqual(EXPECTED_TABLES);
    const c = await catalogue(engine);
    expect(c.indexes).toEqual(expectedIndexes(dialect));
    expect(c.nodeColumns).toEqual(expectedNodeColumns(dialect));
  });

  it("reads back the setting, counters, delfiles and quotas", async () => {
    expect((await engine.readSetting())?.Name).toBe("rt-volume");
    expect(await engine.readCounters()).toEqual({ usedSpace: 999n, usedInodes: 7n, nextInodes: 7n, nextChunk: BIG_SLICE + 1n, nextSession: 0n, nextTrash: 1n });
    expect(await engine.readDelFiles()).toHaveLength(2);
    expect((await engine.readDelFiles()).map((d) => d.inode).sort()).toEqual([76n, 77n]);
    expect([...(await engine.readQuotas("dir"))]).toEqual([
      [1n, { maxSpace: 1n << 30n, maxInodes: 100n }],
      [2n, { maxSpace: -1n, maxInodes: -1n }], // SQL keeps unlimited dir quotas in dumps
    ]);
    expect([...(await engine.readQuotas("user"))]).toEqual([[501n, { maxSpace: 1n << 40n, maxInodes: 10n }]]);
    expect([...(await engine.readQuotas("group"))]).toEqual([[4294967293n, { maxSpace: 7n, maxInodes: 8n }]]);
    expect(await engine.usage()).toEqual({ usedSpace: 999n, usedInodes: 7n });
  });

  it("rewrites the setting in place and groups sustained inodes by session", async () => {
    await engine.writeSetting({ ...SETTING, SecretKey: "new-secret" });
    expect(await engine.readSetting()).toMatchObject({ Name: "rt-volume", SecretKey: "new-secret" });
    const rows = await engine.driver.all(`SELECT COUNT(*) AS n FROM ${engine.t("setting")}`);
    expect(toNum(rows[0].n)).toBe(1);
    await engine.writeSetting(SETTING);

    const q = (c: string) => engine.names.q(c);
    for (const [sid, ino] of [[7n, 30n], [3n, 31n], [7n, 32n]]) {
      await engine.driver.run(`INSERT INTO ${engine.t("sustained")} (${q("sid")}, ${q("inode")}) VALUES (?, ?)`, [sid, ino]);
    }
    expect(await engine.readSustained()).toEqual([
      { sid: 3n, inodes: [31n] },
      { sid: 7n, inodes: [30n, 32n] },
    ]);
  });

  it("reads xattr names as the raw bytes a Go client stored in SQLite's TEXT", async () => {
    if (engine.driver.dialect !== "sqlite3") return;
    const q = (c: string) => engine.names.q(c);
    // Go writes a string's bytes as TEXT without checking UTF-8.
    await engine.driver.run(`INSERT INTO ${engine.t("xattr")} (${q("inode")}, ${q("name")}, ${q("value")}) VALUES (6, CAST(? AS TEXT), ?)`, [
      Buffer.from([0x75, 0x2e, 0xff]),
      Buffer.from("v"),
    ]);
    const [dev] = await engine.readNodes([{ inode: 6n, type: "chardev" }]);
    expect(dev.xattrs.map((x) => x.name.toString("hex"))).toEqual(["752eff"]);
  });

  it("lists a directory in raw-byte order, across pages, complete", async () => {
    const listing = engine.readDir(2n);
    expect(listing.sorted).toBe(true);
    const got: Buffer[] = [];
    let batches = 0;
    for await (const b of listing.batches) {
      batches++;
      got.push(...b.map((e) => e.name));
    }
    expect(batches).toBeGreaterThan(1);
    const expected = [...names].sort(Buffer.compare);
    expect(got.map((b) => b.toString("hex"))).toEqual(expected.map((b) => b.toString("hex")));
  });

  it("reads directories with their nodes, many in one query or page by page, as readDir + readNodes do", async () => {
    // Opened in one turn, as the dump does: the root (5 entries, a file with 3 chunks × 2
    // xattrs), the big directory (more rows than one query returns), the trash, an empty one.
    const dirs = [1n, 2n, TRASH_INODE, TRASH_INODE + 1n];
    const paged = await Promise.all(
      dirs.map(async (d) => {
        const names: Buffer[] = [];
        const nodes = [];
        for await (const b of engine.readDirNodes(d)) {
          names.push(...b.names);
          nodes.push(...b.nodes);
        }
        return { names, nodes };
      }),
    );
    for (const [i, d] of dirs.entries()) {
      const entries = [];
      for await (const b of engine.readDir(d).batches) entries.push(...b);
      const nodes = entries.length ? await engine.readNodes(entries) : [];
      expect(paged[i].names.map((n) => n.toString("hex"))).toEqual(entries.map((e) => e.name.toString("hex")));
      expect(paged[i].nodes).toEqual(nodes);
    }
    expect(paged[1].names.length).toBe(names.length);
    expect(paged[0].nodes.find((n) => n.inode === 3n)?.chunks.map((c) => c.index)).toEqual([0, 2, 3]);
    expect(paged[3].names).toEqual([]);
  });

  it("reads a directory its stats call big by pages at once, and whatever the stats say, reads it whole", async () => {
    const q = (c: string) => engine.names.q(c);
    const cols = ["inode", "data_length", "used_space", "used_inodes"].map(q).join(",");
    const setStats = (inode: bigint, entries: number) => engine.driver.run(`INSERT INTO ${engine.t("dir_stats")} (${cols}) VALUES (?, 0, 0, ?)`, [inode, entries]);
    await setStats(2n, names.length); // true: the big directory
    await setStats(TRASH_INODE + 1n, 1000); // wrong: an empty directory
    const all = vi.spyOn(engine.driver, "all");
    try {
      // Reading their nodes (as their parent's page does) notes the stats.
      await engine.readNodes([{ inode: 2n, type: "directory" }, { inode: TRASH_INODE + 1n, type: "directory" }]);
      all.mockClear();
      const read = async (d: bigint) => {
        const got: Buffer[] = [];
        for await (const b of engine.readDirNodes(d)) got.push(...b.names);
        return got;
      };
      expect((await read(2n)).length).toBe(names.length);
      expect(await read(TRASH_INODE + 1n)).toEqual([]);
      // No first-page query (the one that reads several directories by parent) was tried.
      expect(all.mock.calls.some(([sql]) => sql.includes("e_parent"))).toBe(false);
      expect(all.mock.calls.length).toBeGreaterThan(0);
    } finally {
      all.mockRestore();
      await engine.driver.run(`DELETE FROM ${engine.t("dir_stats")} WHERE ${q("inode")} IN (?, ?)`, [2n, TRASH_INODE + 1n]);
    }
  });

  it("looks entries up by raw name bytes", async () => {
    expect(await engine.lookup(1n, GBK)).toEqual({ name: GBK, inode: 3n, type: "regular" });
    expect(await engine.lookup(1n, Buffer.from(GBK.toString("latin1"), "utf8"))).toBeNull();
    expect(await engine.lookup(TRASH_INODE, Buffer.from("2026-11-26-12"))).toMatchObject({ inode: TRASH_INODE + 1n });
  });

  it("reads nodes with attrs, ACLs, xattrs, symlinks and the chunks inside the length", async () => {
    const nodes = await engine.readNodes([
      { inode: 3n, type: "regular" },
      { inode: 4n, type: "symlink" },
      { inode: 2n, type: "directory" },
      { inode: 3n, type: "regular" },
      { inode: 99n, type: "fifo" },
      { inode: TRASH_INODE + 1n, type: "directory" },
      { inode: 6n, type: "chardev" },
    ]);
    expect(nodes.map((n) => n.inode)).toEqual([3n, 4n, 2n, 3n, 99n, TRASH_INODE + 1n, 6n]);
    const [f, l, d, , missing, trashDir, dev] = nodes;
    expect(f.attr).toEqual(attr(3n, "regular", { length: 3n * CHUNK + 5n, uid: wideIds(dialect).uid, gid: wideIds(dialect).gid, flags: 33, tier: 2 }));
    expect(f.accessAcl).toEqual({ owner: 6, group: 4, mask: 4, other: 4, users: [{ id: 4294967295, perm: 7 }], groups: [] });
    expect(f.defaultAcl).toBeUndefined();
    expect(f.xattrs.map((x) => [x.name.toString(), x.value.toString("hex")])).toEqual([["user.a", ""], ["user.b", "000102ff"]]);
    expect(f.chunks.map((c) => c.index)).toEqual([0, 2, 3]);
    expect(f.chunks[0].slices[0]).toEqual({ id: BIG_SLICE, pos: 0, size: 1 << 26, off: 0, len: 1 << 26 });
    expect(f.chunks[1].slices[0]).toEqual({ id: 0n, pos: 0, size: 0, off: 0, len: 4096 });
    expect(l.symlink?.equals(GBK)).toBe(true);
    expect(d.defaultAcl).toEqual({ owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [{ id: 3, perm: 6 }] });
    expect(missing).toMatchObject({ attr: null, entryType: "fifo", chunks: [], xattrs: [] });
    expect(trashDir.attr?.mode).toBe(0o555);
    expect(dev.attr?.rdev).toBe(wideIds(dialect).rdev);
  });

  it("stores hard links as JuiceFS does: nlink = links, parent 0, parents from the edges", async () => {
    const [h] = await engine.readNodes([{ inode: 5n, type: "regular" }]);
    expect(h.attr?.nlink).toBe(MANY + 6);
    const [row] = await engine.driver.all(`SELECT ${engine.names.q("parent")} AS p FROM ${engine.t("node")} WHERE ${engine.names.q("inode")} = 5`);
    expect(toBig(row.p)).toBe(0n);
  });

  it("keeps a chunk_ref row for every new slice, shared ones with their full count", async () => {
    const rows = await engine.driver.all(`SELECT * FROM ${engine.t("chunk_ref")} ORDER BY ${engine.names.q("chunkid")}`);
    expect(rows.map((r) => [toBig(r.chunkid), toNum(r.size), toNum(r.refs)])).toEqual([
      [9n, 200, 2],
      [11n, 5, 1],
      [12n, 5, 1],
      [BIG_SLICE, 1 << 26, 1],
    ]);
  });

  it("stores times as microseconds plus the remaining nanoseconds", async () => {
    const [r] = await engine.driver.all(`SELECT * FROM ${engine.t("node")} WHERE ${engine.names.q("inode")} = 3`);
    expect([toBig(r.atime), toNum(r.atimensec), toBig(r.mtime), toNum(r.mtimensec), toBig(r.ctime), toNum(r.ctimensec)]).toEqual([
      1_700_000_000_123_456n, 789, 1_700_000_001_999_999n, 999, 1_700_000_002_000_000n, 1,
    ]);
  });

  it("names the volume when asked to load into it", async () => {
    const check = await engine.checkEmpty();
    expect(check).toMatchObject({ empty: false, volume: "rt-volume" });
    await expect(engine.beginLoad()).rejects.toThrow(/is not empty: it holds JuiceFS volume "rt-volume"/);
  });

  it("compares and sets an xattr atomically", async () => {
    expect(await engine.getXattr(1n, "lastBackup")).toBeNull();
    expect(await engine.compareAndSetXattr(1n, "lastBackup", null, Buffer.from("a"))).toBe(true);
    expect(await engine.compareAndSetXattr(1n, "lastBackup", null, Buffer.from("b"))).toBe(false);
    expect(await engine.compareAndSetXattr(1n, "lastBackup", Buffer.from("x"), Buffer.from("b"))).toBe(false);
    expect(await engine.compareAndSetXattr(1n, "lastBackup", Buffer.from("a"), Buffer.from("a"))).toBe(true);
    expect(await engine.compareAndSetXattr(1n, "lastBackup", Buffer.from("a"), Buffer.from("b"))).toBe(true);
    expect((await engine.getXattr(1n, "lastBackup"))?.toString()).toBe("b");
    // Racing first writers: exactly one wins.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => engine.compareAndSetXattr(1n, "lock", null, Buffer.from(String(i)))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    // Racing updaters from the same value: exactly one wins.
    const current = (await engine.getXattr(1n, "lock"))!;
    const updates = await Promise.all(
      Array.from({ length: 8 }, (_, i) => engine.compareAndSetXattr(1n, "lock", current, Buffer.from(`u${i}`))),
    );
    expect(updates.filter(Boolean)).toHaveLength(1);
  });

  it("abort() leaves an empty database as it was", async () => {
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      sink.edges(1n, [{ name: Buffer.from("x"), inode: 2n, type: "regular" }]);
      await sink.flush();
      // SQLite shares the load's connection and MySQL commits DDL (with its claim table first):
      // the tables are visible.
      if (dialect === "sqlite3") expect(await e.listTables()).toHaveLength(EXPECTED_TABLES.length);
      if (dialect === "mysql") expect(await e.listTables()).toHaveLength(EXPECTED_TABLES.length + 1);
      await sink.abort();
      expect(await e.listTables()).toEqual([]);
      expect((await e.checkEmpty()).empty).toBe(true);
    });
  });

  it("honours table_prefix", async () => {
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      sink.setting({ ...SETTING, Name: "vol2" });
      await sink.commit();
      const tables = await e.listTables();
      expect(tables).toContain("jfs_vol2_node");
      expect(tables.every((t) => t.startsWith("jfs_vol2_"))).toBe(true);
      expect((await e.readSetting())?.Name).toBe("vol2");
    }, "table_prefix=vol2");
  });

  it("connects through the unix socket URL forms", async () => {
    if (dialect === "sqlite3") return;
    const db = await targets.fresh();
    const name = db.url.replace(/\?.*$/, "").split("/").pop()!;
    const url =
      dialect === "mysql"
        ? `mysql://root@unix(${(targets.admin as { socket: string }).socket})/${name}`
        : `postgres://postgres@/${name}?host=${encodeURIComponent((targets.admin as { socketDir: string }).socketDir)}&port=${(targets.admin as { port: number }).port}`;
    const e = await openSqlEngine(url);
    try {
      expect(await e.checkEmpty()).toEqual({ empty: true });
      const sink = await e.beginLoad();
      sink.setting({ ...SETTING, Name: "via-socket" });
      await sink.commit();
      expect((await e.readSetting())?.Name).toBe("via-socket");
    } finally {
      await e.close();
      await db.drop();
    }
  });

  it("keeps every table in the search_path schema (PostgreSQL)", async () => {
    if (dialect !== "postgres") return;
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      sink.aclRules(new Map([[1, { owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [] }]]));
      sink.setting({ ...SETTING, Name: "in-s1" });
      await sink.commit();
      expect(await e.listTables()).toEqual(EXPECTED_TABLES);
      const pub = await e.driver.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      expect(pub).toEqual([]);
      expect((await e.readSetting())?.Name).toBe("in-s1");
      // The ACL sequence was moved past the explicit ids: a client's next ACL gets id 2.
      const [row] = await e.driver.all(`INSERT INTO ${e.t("acl")} (owner) VALUES (1) RETURNING id`);
      expect(Number(row.id)).toBe(2);
    }, "search_path=s1");
  });

  it("applies many hard links, in batches", async () => {
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      const n = 1234;
      for (let i = 0; i < n; i++) sink.node(attr(BigInt(100 + i), "regular"), 1n, { access: 0, default: 0 });
      sink.node(attr(99n, "regular"), 1n, { access: 0, default: 0 }); // not a hard link
      for (let i = 0; i < n; i++) sink.hardLink(BigInt(100 + i), 2 + (i % 7), new Map([[1n, 1], [2n, 1 + (i % 7)]]));
      sink.setting(SETTING);
      await sink.commit();
      const q = (c: string) => e.names.q(c);
      const rows = await e.driver.all(`SELECT ${q("inode")}, ${q("nlink")}, ${q("parent")} FROM ${e.t("node")} ORDER BY ${q("inode")}`);
      expect(rows.map((r) => [toBig(r.inode), toNum(r.nlink), toBig(r.parent)])).toEqual([
        [99n, 1, 1n],
        ...Array.from({ length: n }, (_, i) => [BigInt(100 + i), 2 + (i % 7), 0n]),
      ]);
    });
  });

  it("keeps a binary load's chunk bytes as given (the dump's slice records), not encoded again", async () => {
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      const slices = [{ id: 9n, pos: 0, size: 200, off: 0, len: 200 }];
      // Not what packSlices would write for `slices` (len 100): the row shows which bytes were kept.
      const stored = Buffer.alloc(24);
      stored.writeBigUInt64BE(9n, 4);
      stored.writeUInt32BE(200, 12);
      stored.writeUInt32BE(100, 20);
      sink.chunks(3n, [{ index: 0, slices }], [stored]);
      sink.chunks(4n, [{ index: 0, slices }]);
      sink.setting(SETTING);
      await sink.commit();
      const q = (c: string) => e.names.q(c);
      const rows = await e.driver.all(`SELECT ${q("inode")}, ${q("slices")} FROM ${e.t("chunk")} ORDER BY ${q("inode")}`);
      expect(rows.map((r) => [toBig(r.inode), Buffer.from(r.slices as Uint8Array).toString("hex")])).toEqual([
        [3n, stored.toString("hex")],
        [4n, packSlices(slices).toString("hex")],
      ]);
    });
  });

  it("refuses uid/gid/rdev beyond signed 32 bits on MySQL/PostgreSQL before keeping anything", async () => {
    if (dialect === "sqlite3") return;
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      expect(() => sink.node(attr(7n, "regular", { uid: 4294967294 }), 1n, { access: 0, default: 0 })).toThrow(
        /inode 7 has uid 4294967294, which does not fit the signed 32-bit column jfs_node\.uid .*SQLite, Redis or a TKV engine/,
      );
      await sink.abort();
      expect(await e.listTables()).toEqual([]);
    });
  });

  it("a key held twice fails the load, naming the table (PostgreSQL: at its unique index's build), and leaves no table", async () => {
    // PostgreSQL builds UQE_/IDX_ indexes after the rows (loader.ts): the duplicate surfaces at
    // commit, before COMMIT, and the whole transaction goes. The others meet it at the insert.
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      sink.edges(1n, [
        { name: Buffer.from("twice"), inode: 2n, type: "regular" },
        { name: Buffer.from("twice"), inode: 3n, type: "regular" },
      ]);
      const err: Error = await sink.commit().then(
        () => expect.unreachable(),
        (x: Error) => x,
      );
      expect(err.message).toMatch(/the dump holds one key of jfs_edge twice/);
      if (dialect === "postgres") expect(err.message).toMatch(/UQE_jfs_edge_edge/);
      await sink.abort();
      expect(await e.listTables()).toEqual([]);
    });
  });

  it("a primary key held twice fails the load naming the table (PostgreSQL: at the key's build after the rows), and leaves no table", async () => {
    for (const [feed, table] of [
      [(sink: Awaited<ReturnType<SqlEngine["beginLoad"]>>) => sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 }), "jfs_node"],
      [(sink: Awaited<ReturnType<SqlEngine["beginLoad"]>>) => sink.newSlices!([{ id: 7n, size: 1 }]), "jfs_chunk_ref"],
    ] as const) {
      await targets.withEngine(async (e) => {
        const sink = await e.beginLoad();
        feed(sink);
        feed(sink);
        const err: Error = await sink.commit().then(
          () => expect.unreachable(),
          (x: Error) => x,
        );
        expect(err.message).toMatch(new RegExp(`the dump holds one key of ${table} twice`));
        if (dialect === "postgres") expect(err.message).toMatch(new RegExp(`${table}_pkey`));
        await sink.abort();
        expect(await e.listTables()).toEqual([]);
      });
    }
  });

  it("MySQL: jfs_chunk_ref is written by a second session at the same time as the other tables; abort() rolls it back before dropping the tables", async () => {
    if (dialect !== "mysql") return;
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      const n = 2500; // past one statement's rows: written before the commit
      for (let i = 0; i < n; i++) sink.node(attr(BigInt(100 + i), "regular"), 1n, { access: 0, default: 0 });
      sink.newSlices!(Array.from({ length: n }, (_, i) => ({ id: BigInt(1 + i), size: 4096 })));
      await sink.flush();
      // This database's sessions whose open transactions hold rows: the load's and the second one.
      // InnoDB refreshes INNODB_TRX only when it was not read for 100 ms: polled more slowly.
      const writing = async () => {
        const ours = new Set((await e.driver.all("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE()")).map((r) => String(r.id)));
        const trx = await e.driver.all("SELECT trx_mysql_thread_id AS id, trx_rows_modified AS n FROM information_schema.INNODB_TRX");
        return trx.filter((t) => ours.has(String(t.id)) && toNum(t.n) > 0).map((t) => toNum(t.n));
      };
      await vi.waitFor(async () => expect(await writing()).toEqual([2000, 2000]), { timeout: 10_000, interval: 250 });
      // The second session's transaction would hold the DROP TABLEs on its metadata locks.
      await sink.abort();
      expect(await e.listTables()).toEqual([]);
      await vi.waitFor(async () => expect(await writing()).toEqual([]), { timeout: 10_000, interval: 250 });
    });
  }, 30_000);

  it("PostgreSQL: the keys and sequences a load leaves are those of the DDL JuiceFS runs (keys built and ids numbered by the load)", async () => {
    if (dialect !== "postgres") return;
    const keysAndSequences = async (e: SqlEngine) => ({
      keys: (
        await e.driver.all(
          "SELECT conrelid::regclass::text AS t, conname AS n, pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1",
        )
      ).map((r) => `${r.t} ${r.n} ${r.d}`),
      indexes: (await e.driver.all("SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname")).map((r) => String(r.d)),
      next: await Promise.all(
        ["edge", "chunk", "xattr"].map(async (t) => toNum((await e.driver.all(`SELECT nextval(pg_get_serial_sequence('jfs_${t}', 'id')) AS v`))[0].v)),
      ),
    });
    const expected = await targets.withEngine(async (e) => {
      for (const stmt of e.names.createAll()) await e.driver.run(stmt.replace(/;$/, ""));
      for (const t of ["edge", "chunk"]) for (let i = 0; i < 3; i++) await e.driver.all(`SELECT nextval(pg_get_serial_sequence('jfs_${t}', 'id'))`);
      return keysAndSequences(e);
    });
    const loaded = await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.edges(1n, [
        { name: Buffer.from("a"), inode: 2n, type: "regular" },
        { name: Buffer.from("b"), inode: 3n, type: "regular" },
        { name: Buffer.from("c"), inode: 4n, type: "regular" },
      ]);
      for (const inode of [2n, 3n, 4n]) sink.chunks(inode, [{ index: 0, slices: [{ id: inode, pos: 0, size: 1, off: 0, len: 1 }] }]);
      await sink.commit();
      // Numbered 1, 2, 3 in the order given, as the sequence would.
      const ids = await e.driver.all("SELECT id, inode FROM jfs_edge ORDER BY id");
      expect(ids.map((r) => [toNum(r.id), toNum(r.inode)])).toEqual([[1, 2], [2, 3], [3, 4]]);
      return keysAndSequences(e);
    });
    expect(loaded).toEqual(expected);
    expect(loaded.next).toEqual([4, 4, 1]);
  });

  it("a value past its column's range fails the load naming the table, and leaves no table", async () => {
    // PostgreSQL meets it as the row is encoded for COPY (when added), MySQL at the insert.
    if (dialect === "sqlite3") return;
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      const err: Error = await (async () => {
        sink.chunks(2n, [{ index: 2 ** 31, slices: [{ id: 1n, pos: 0, size: 1, off: 0, len: 1 }] }]);
        await sink.commit();
      })().then(
        () => expect.unreachable(),
        (x: Error) => x,
      );
      expect(err.message).toMatch(/a value of the dump does not fit a column of jfs_chunk/);
      await sink.abort();
      expect(await e.listTables()).toEqual([]);
    });
  });

  it("PostgreSQL: the loaded rows are frozen, their pages all-visible (COPY FREEZE): no first reader rewrites them", async () => {
    if (dialect !== "postgres") return;
    await targets.withEngine(async (e, db) => {
      const sink = await e.beginLoad();
      sink.node(attr(1n, "directory"), 1n, { access: 0, default: 0 });
      sink.edges(1n, Array.from({ length: 2000 }, (_, i) => ({ name: Buffer.from(`f${i}`), inode: BigInt(i + 2), type: "regular" as const })));
      for (let i = 0; i < 2000; i++) {
        const inode = BigInt(i + 2);
        sink.node(attr(inode, "regular", { length: 10n }), 1n, { access: 0, default: 0 });
        sink.chunks(inode, [{ index: 0, slices: [{ id: inode, pos: 0, size: 10, off: 0, len: 10 }] }]);
        sink.xattrs(inode, [{ name: Buffer.from("user.a"), value: Buffer.from("v") }]);
      }
      sink.setting(SETTING);
      await sink.commit();
      const admin = targets.admin as PostgresServer;
      const name = db.name;
      await admin.sql("CREATE EXTENSION pg_visibility", name);
      for (const table of ["jfs_node", "jfs_edge", "jfs_chunk", "jfs_xattr"]) {
        const [row] = await admin.sql(`SELECT all_frozen, pg_relation_size('${table}') / current_setting('block_size')::int AS pages FROM pg_visibility_map_summary('${table}')`, name);
        expect(Number(row.pages), table).toBeGreaterThan(1);
        expect(Number(row.all_frozen), table).toBe(Number(row.pages));
      }
    });
  });

  it("MySQL's errors never echo the SQL or its parameters (the user's data)", async () => {
    if (dialect !== "mysql") return;
    await targets.withEngine(async (e) => {
      const sink = await e.beginLoad();
      sink.chunks(2n, [{ index: 0, slices: Array.from({ length: 3000 }, (_, i) => ({ id: BigInt(i + 1), pos: 0, size: 1, off: 0, len: 1 })) }]);
      const err: Error = await sink.commit().then(
        () => expect.unreachable(),
        (x: Error) => x,
      );
      expect(err.message).toMatch(/Data too long/);
      expect(err.message).not.toMatch(/\nsql: |INSERT INTO|parameters:/);
      await sink.abort();
    });
  });

  it("explains MySQL's column limits instead of a bare server error", async () => {
    if (dialect !== "mysql") return;
    for (const [feed, pattern] of [
      [
        (sink: Awaited<ReturnType<SqlEngine["beginLoad"]>>) =>
          sink.chunks(2n, [{ index: 0, slices: Array.from({ length: 3000 }, (_, i) => ({ id: BigInt(i + 1), pos: 0, size: 1, off: 0, len: 1 })) }]),
        /a chunk with more than 2730 slices does not fit/,
      ],
      [
        (sink: Awaited<ReturnType<SqlEngine["beginLoad"]>>) =>
          sink.xattrs(2n, [{ name: Buffer.from("user.A"), value: Buffer.from("1") }, { name: Buffer.from("user.a"), value: Buffer.from("2") }]),
        /differ only in letter case/,
      ],
    ] as const) {
      await targets.withEngine(async (e) => {
        const sink = await e.beginLoad();
        feed(sink);
        await expect(sink.commit()).rejects.toThrow(pattern);
        await sink.abort();
        expect(await e.listTables()).toEqual([]);
      });
    }
  });
});
