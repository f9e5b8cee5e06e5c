// The DDL must be what xorm v1.0.7 emits for JuiceFS (docs/format/sql-tables.md), or a mounting
// client's schema sync drops and recreates indexes. A few statements per dialect, verbatim.
import { describe, expect, it } from "vitest";
import { SqlNames, TABLES } from "./schema";

describe("JuiceFS DDL", () => {
  it("creates the 21 tables in syncAllTables order", () => {
    expect(TABLES.map((t) => t.base)).toEqual([
      "setting", "counter", "edge", "node", "symlink", "xattr", "chunk", "chunk_ref", "delslices", "session2", "sustained",
      "delfile", "flock", "plock", "dir_quota", "user_group_quota", "dir_stats", "detached_node", "acl", "delegation_token", "change_log",
    ]);
  });

  it("renders MySQL as xorm does", () => {
    const ddl = new SqlNames("mysql", "jfs_").createAll();
    expect(ddl).toHaveLength(29);
    expect(ddl).toContain(
      "CREATE TABLE IF NOT EXISTS `jfs_node` (`inode` BIGINT(20) PRIMARY KEY NOT NULL, `type` INT NOT NULL, `flags` INT NOT NULL, `mode` INT NOT NULL, `uid` INT NOT NULL, `gid` INT NOT NULL, `atime` BIGINT(20) NOT NULL, `mtime` BIGINT(20) NOT NULL, `ctime` BIGINT(20) NOT NULL, `atimensec` INT DEFAULT 0 NOT NULL, `mtimensec` INT DEFAULT 0 NOT NULL, `ctimensec` INT DEFAULT 0 NOT NULL, `nlink` INT NOT NULL, `length` BIGINT(20) NOT NULL, `rdev` INT NULL, `parent` BIGINT(20) NULL, `access_acl_id` INT NULL, `default_acl_id` INT NULL, `tier_id` INT NULL);",
    );
    expect(ddl).toContain(
      "CREATE TABLE IF NOT EXISTS `jfs_edge` (`id` BIGINT(20) PRIMARY KEY AUTO_INCREMENT NOT NULL, `parent` BIGINT(20) NOT NULL, `name` VARBINARY(255) NOT NULL, `inode` BIGINT(20) NOT NULL, `type` INT NOT NULL);",
    );
    expect(ddl).toContain("CREATE UNIQUE INDEX `UQE_jfs_edge_edge` ON `jfs_edge` (`parent`,`name`);");
    expect(ddl).toContain(
      "CREATE TABLE IF NOT EXISTS `jfs_user_group_quota` (`qtype` INT NOT NULL, `qkey` BIGINT(20) NOT NULL, `max_space` BIGINT(20) NOT NULL, `max_inodes` BIGINT(20) NOT NULL, `used_space` BIGINT(20) NOT NULL, `used_inodes` BIGINT(20) NOT NULL, PRIMARY KEY ( `qtype`,`qkey` ));",
    );
    expect(ddl).toContain(
      "CREATE TABLE IF NOT EXISTS `jfs_acl` (`id` INT PRIMARY KEY AUTO_INCREMENT NOT NULL, `owner` INT NULL, `group` INT NULL, `mask` INT NULL, `other` INT NULL, `named_users` BLOB NULL, `named_groups` BLOB NULL);",
    );
  });

  it("renders PostgreSQL as xorm does, qualifying tables with the search_path schema", () => {
    const ddl = new SqlNames("postgres", "jfs_").createAll();
    expect(ddl).toContain(
      'CREATE TABLE IF NOT EXISTS "jfs_edge" ("id" BIGSERIAL PRIMARY KEY NOT NULL, "parent" BIGINT NOT NULL, "name" BYTEA NOT NULL, "inode" BIGINT NOT NULL, "type" INTEGER NOT NULL);',
    );
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS "jfs_acl" ("id" SERIAL PRIMARY KEY NOT NULL, "owner" INTEGER NULL, "group" INTEGER NULL, "mask" INTEGER NULL, "other" INTEGER NULL, "named_users" BYTEA NULL, "named_groups" BYTEA NULL);');
    const s = new SqlNames("postgres", "jfs_v1_", "s1").createAll();
    expect(s).toContain('CREATE INDEX "IDX_jfs_v1_edge_inode" ON "s1"."jfs_v1_edge" ("inode");');
  });

  it("renders SQLite as xorm does", () => {
    const ddl = new SqlNames("sqlite3", "jfs_").createAll();
    expect(ddl).toContain("CREATE TABLE IF NOT EXISTS `jfs_setting` (`name` TEXT PRIMARY KEY NOT NULL, `value` TEXT NOT NULL);");
    expect(ddl).toContain(
      "CREATE TABLE IF NOT EXISTS `jfs_chunk` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `inode` INTEGER NOT NULL, `indx` INTEGER NOT NULL, `slices` BLOB NOT NULL);",
    );
    expect(ddl).toContain("CREATE INDEX `IDX_jfs_chunk_ref_refs` ON `jfs_chunk_ref` (`refs`);");
  });

  it("appends the DSN's charset on MySQL only", () => {
    expect(new SqlNames("mysql", "jfs_", undefined, "utf8mb4").createAll()[1]).toBe(
      "CREATE TABLE IF NOT EXISTS `jfs_counter` (`name` VARCHAR(255) PRIMARY KEY NOT NULL, `value` BIGINT(20) NOT NULL) DEFAULT CHARSET utf8mb4;",
    );
  });

  it("splits the same statements into tables and their indexes for a bulk load (createInSteps)", () => {
    for (const dialect of ["mysql", "postgres", "sqlite3"] as const) {
      const names = new SqlNames(dialect, "jfs_v1_", dialect === "postgres" ? "s1" : undefined);
      const { tables, keys, indexes } = names.createInSteps();
      expect(tables).toHaveLength(TABLES.length);
      expect(keys).toEqual([]);
      expect(tables.every((t) => t.startsWith("CREATE TABLE "))).toBe(true);
      expect(indexes.every((i) => /^CREATE (UNIQUE )?INDEX /.test(i.sql) && i.sql.includes(` ON ${names.t(i.table)} (`))).toBe(true);
      expect([...tables, ...indexes.map((i) => i.sql)].sort()).toEqual([...names.createAll()].sort());
    }
  });

  it("leaves the primary keys of the tables asked for to ALTER TABLE … ADD PRIMARY KEY, serial and composite ones alike", () => {
    const names = new SqlNames("postgres", "jfs_", "s1");
    const { tables, keys } = names.createInSteps(new Set(["edge", "node", "user_group_quota"]));
    const table = (base: string) => tables.find((t) => t.startsWith(`CREATE TABLE IF NOT EXISTS ${names.t(base)} `))!;
    expect(table("edge")).toContain('"id" BIGSERIAL NOT NULL, ');
    expect(table("node")).toContain('"inode" BIGINT NOT NULL, ');
    expect(table("user_group_quota")).not.toContain("PRIMARY KEY");
    expect(table("chunk")).toContain('"id" BIGSERIAL PRIMARY KEY NOT NULL');
    expect(keys).toEqual([
      { table: "edge", sql: 'ALTER TABLE "s1"."jfs_edge" ADD PRIMARY KEY ("id");' },
      { table: "node", sql: 'ALTER TABLE "s1"."jfs_node" ADD PRIMARY KEY ("inode");' },
      { table: "user_group_quota", sql: 'ALTER TABLE "s1"."jfs_user_group_quota" ADD PRIMARY KEY ("qtype","qkey");' },
    ]);
    expect(names.serialColumn("edge")).toBe("id");
    expect(names.serialColumn("node")).toBeNull();
  });

  it("puts the table prefix into index names", () => {
    expect(new SqlNames("mysql", "jfs_volume1_").indexNames()).toContain("UQE_jfs_volume1_edge_edge");
  });
});
