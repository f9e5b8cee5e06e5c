// The tables JuiceFS's ORM creates (docs/format/sql-tables.md §1), as data, rendered per dialect
// into the exact DDL xorm emits, so that a JuiceFS client's schema sync changes nothing.
import type { SqlDialect } from "./url";

export type ColType = "int" | "bigint" | "varchar" | "text" | "blob" | "varbinary255" | "varbinary4096";

interface Column {
  name: string;
  type: ColType;
  /** Inline PRIMARY KEY (single-column key). */
  pk?: boolean;
  autoincr?: boolean;
  notNull: boolean;
  default0?: boolean;
}

export interface TableDef {
  /** Name without the prefix: "node", "chunk_ref", ... */
  base: string;
  columns: Column[];
  /** Composite primary key, rendered as a trailing clause. */
  compositePk?: string[];
  /** Logical index name (the x of UQE_<table>_<x>) → columns. */
  unique: [string, string[]][];
  index: [string, string[]][];
}

const c = (name: string, type: ColType, notNull = true, extra: Partial<Column> = {}): Column => ({ name, type, notNull, ...extra });
const pk = (name: string, type: ColType): Column => ({ name, type, notNull: true, pk: true });
const serial = (name: string, type: "int" | "bigint" = "bigint"): Column => ({ name, type, notNull: true, pk: true, autoincr: true });

/** In the order syncAllTables creates them. */
export const TABLES: readonly TableDef[] = [
  { base: "setting", columns: [pk("name", "varchar"), c("value", "text")], unique: [], index: [] },
  { base: "counter", columns: [pk("name", "varchar"), c("value", "bigint")], unique: [], index: [] },
  {
    base: "edge",
    columns: [serial("id"), c("parent", "bigint"), c("name", "varbinary255"), c("inode", "bigint"), c("type", "int")],
    unique: [["edge", ["parent", "name"]]],
    index: [["inode", ["inode"]]],
  },
  {
    base: "node",
    columns: [
      pk("inode", "bigint"),
      c("type", "int"),
      c("flags", "int"),
      c("mode", "int"),
      c("uid", "int"),
      c("gid", "int"),
      c("atime", "bigint"),
      c("mtime", "bigint"),
      c("ctime", "bigint"),
      c("atimensec", "int", true, { default0: true }),
      c("mtimensec", "int", true, { default0: true }),
      c("ctimensec", "int", true, { default0: true }),
      c("nlink", "int"),
      c("length", "bigint"),
      c("rdev", "int", false),
      c("parent", "bigint", false),
      c("access_acl_id", "int", false),
      c("default_acl_id", "int", false),
      c("tier_id", "int", false),
    ],
    unique: [],
    index: [],
  },
  { base: "symlink", columns: [pk("inode", "bigint"), c("target", "varbinary4096")], unique: [], index: [] },
  {
    base: "xattr",
    columns: [serial("id"), c("inode", "bigint"), c("name", "varchar"), c("value", "blob")],
    unique: [["name", ["inode", "name"]]],
    index: [],
  },
  {
    base: "chunk",
    columns: [serial("id"), c("inode", "bigint"), c("indx", "int"), c("slices", "blob")],
    unique: [["chunk", ["inode", "indx"]]],
    index: [],
  },
  {
    base: "chunk_ref",
    columns: [pk("chunkid", "bigint"), c("size", "int"), c("refs", "int")],
    unique: [],
    index: [["refs", ["refs"]]],
  },
  { base: "delslices", columns: [pk("chunkid", "bigint"), c("deleted", "bigint"), c("slices", "blob")], unique: [], index: [] },
  { base: "session2", columns: [pk("sid", "bigint"), c("expire", "bigint"), c("info", "blob", false)], unique: [], index: [] },
  {
    base: "sustained",
    columns: [serial("id"), c("sid", "bigint"), c("inode", "bigint")],
    unique: [["sustained", ["sid", "inode"]]],
    index: [],
  },
  { base: "delfile", columns: [pk("inode", "bigint"), c("length", "bigint"), c("expire", "bigint")], unique: [], index: [] },
  {
    base: "flock",
    columns: [serial("id"), c("inode", "bigint"), c("sid", "bigint"), c("owner", "bigint"), c("ltype", "int")],
    unique: [["flock", ["inode", "sid", "owner"]]],
    index: [],
  },
  {
    base: "plock",
    columns: [serial("id"), c("inode", "bigint"), c("sid", "bigint"), c("owner", "bigint"), c("records", "blob")],
    unique: [["plock", ["inode", "sid", "owner"]]],
    index: [],
  },
  {
    base: "dir_quota",
    columns: [pk("inode", "bigint"), c("max_space", "bigint"), c("max_inodes", "bigint"), c("used_space", "bigint"), c("used_inodes", "bigint")],
    unique: [],
    index: [],
  },
  {
    base: "user_group_quota",
    columns: [
      c("qtype", "int"),
      c("qkey", "bigint"),
      c("max_space", "bigint"),
      c("max_inodes", "bigint"),
      c("used_space", "bigint"),
      c("used_inodes", "bigint"),
    ],
    compositePk: ["qtype", "qkey"],
    unique: [],
    index: [],
  },
  {
    base: "dir_stats",
    columns: [pk("inode", "bigint"), c("data_length", "bigint"), c("used_space", "bigint"), c("used_inodes", "bigint")],
    unique: [],
    index: [],
  },
  { base: "detached_node", columns: [pk("inode", "bigint"), c("added", "bigint")], unique: [], index: [] },
  {
    base: "acl",
    columns: [
      serial("id", "int"),
      c("owner", "int", false),
      c("group", "int", false),
      c("mask", "int", false),
      c("other", "int", false),
      c("named_users", "blob", false),
      c("named_groups", "blob", false),
    ],
    unique: [],
    index: [],
  },
  { base: "delegation_token", columns: [serial("id", "int"), c("token", "blob", false)], unique: [], index: [] },
  { base: "change_log", columns: [serial("id"), c("entry", "text")], unique: [], index: [] },
];

export function tableDef(base: string): TableDef {
  const t = TABLES.find((x) => x.base === base);
  if (!t) throw new Error(`no JuiceFS table "${base}"`);
  return t;
}

export function quoteIdent(dialect: SqlDialect, name: string): string {
  return dialect === "postgres" ? `"${name.replace(/"/g, '""')}"` : `\`${name.replace(/`/g, "``")}\``;
}

function typeSql(dialect: SqlDialect, col: Column): string {
  if (col.autoincr) {
    if (dialect === "mysql") return col.type === "bigint" ? "BIGINT(20)" : "INT";
    if (dialect === "postgres") return col.type === "bigint" ? "BIGSERIAL" : "SERIAL";
    return "INTEGER";
  }
  switch (col.type) {
    case "int":
      return dialect === "mysql" ? "INT" : "INTEGER";
    case "bigint":
      return dialect === "mysql" ? "BIGINT(20)" : dialect === "postgres" ? "BIGINT" : "INTEGER";
    case "varchar":
      return dialect === "sqlite3" ? "TEXT" : "VARCHAR(255)";
    case "text":
      return "TEXT";
    case "blob":
      return dialect === "postgres" ? "BYTEA" : "BLOB";
    case "varbinary255":
    case "varbinary4096": {
      const n = col.type === "varbinary255" ? 255 : 4096;
      return dialect === "mysql" ? `VARBINARY(${n})` : dialect === "postgres" ? "BYTEA" : "BLOB";
    }
  }
}

function columnSql(dialect: SqlDialect, col: Column, withKey = true): string {
  const parts = [quoteIdent(dialect, col.name), typeSql(dialect, col)];
  if (col.pk && withKey) parts.push("PRIMARY KEY");
  if (col.autoincr) parts.push(dialect === "mysql" ? "AUTO_INCREMENT" : dialect === "sqlite3" ? "AUTOINCREMENT" : "");
  if (col.default0) parts.push("DEFAULT 0");
  parts.push(col.notNull ? "NOT NULL" : "NULL");
  return parts.filter(Boolean).join(" ");
}

/** Names for one volume's tables in one database. */
export class SqlNames {
  constructor(
    readonly dialect: SqlDialect,
    /** `jfs_` or `jfs_<table_prefix>_` */
    readonly prefix: string,
    /** PostgreSQL schema from search_path, qualifying table names. */
    readonly schema?: string,
    /** MySQL: `charset=` of the DSN, which xorm appends as DEFAULT CHARSET. */
    readonly mysqlCharset?: string,
  ) {}

  q(name: string): string {
    return quoteIdent(this.dialect, name);
  }

  /** Unquoted physical table name. */
  raw(base: string): string {
    return this.prefix + base;
  }

  /** Quoted (and schema-qualified) table name for statements. */
  t(base: string): string {
    const name = this.q(this.raw(base));
    return this.schema ? `${this.q(this.schema)}.${name}` : name;
  }

  /** The statements that create one table and its indexes, as xorm v1.0.7 writes them. */
  createTable(def: TableDef): string[] {
    return [this.tableSql(def), ...this.indexSql(def)];
  }

  /** The CREATE TABLE statement alone, its primary key included unless `withKey` is false. */
  private tableSql(def: TableDef, withKey = true): string {
    const cols = def.columns.map((col) => columnSql(this.dialect, col, withKey));
    if (def.compositePk && withKey) cols.push(`PRIMARY KEY ( ${def.compositePk.map((n) => this.q(n)).join(",")} )`);
    const charset = this.dialect === "mysql" && this.mysqlCharset ? ` DEFAULT CHARSET ${this.mysqlCharset}` : "";
    return `CREATE TABLE IF NOT EXISTS ${this.t(def.base)} (${cols.join(", ")})${charset};`;
  }

  /** The table's secondary indexes (UQE_…, IDX_…), as xorm creates them after the table. */
  private indexSql(def: TableDef): string[] {
    const idx = (kind: "UQE" | "IDX", name: string, cols: string[]) =>
      `CREATE ${kind === "UQE" ? "UNIQUE " : ""}INDEX ${this.q(`${kind}_${this.raw(def.base)}_${name}`)} ON ${this.t(def.base)} (${cols.map((n) => this.q(n)).join(",")});`;
    return [...def.unique.map(([name, cols]) => idx("UQE", name, cols)), ...def.index.map(([name, cols]) => idx("IDX", name, cols))];
  }

  /** Every statement of a fresh schema, in creation order. */
  createAll(): string[] {
    return TABLES.flatMap((d) => this.createTable(d));
  }

  /**
   * The same schema in steps, for a bulk load: the tables (with their primary keys, but for
   * the tables of `lateKeys`), then those tables' primary keys (`keys`, as ALTER TABLE … ADD
   * PRIMARY KEY: the same constraint and index, <table>_pkey, as the inline clause), then the
   * secondary indexes, each built once the rows are in. PostgreSQL only (MySQL's clustered
   * tables cannot go without their key).
   */
  createInSteps(lateKeys: ReadonlySet<string> = new Set()): {
    tables: string[];
    keys: { table: string; sql: string }[];
    indexes: { table: string; sql: string }[];
  } {
    const keys: { table: string; sql: string }[] = [];
    for (const d of TABLES) {
      if (!lateKeys.has(d.base)) continue;
      const cols = d.compositePk ?? d.columns.filter((c) => c.pk).map((c) => c.name);
      if (cols.length) keys.push({ table: d.base, sql: `ALTER TABLE ${this.t(d.base)} ADD PRIMARY KEY (${cols.map((n) => this.q(n)).join(",")});` });
    }
    return {
      tables: TABLES.map((d) => this.tableSql(d, !lateKeys.has(d.base))),
      keys,
      indexes: TABLES.flatMap((d) => this.indexSql(d).map((sql) => ({ table: d.base, sql }))),
    };
  }

  /** A table's serial column (xorm's autoincr id), if it has one. */
  serialColumn(base: string): string | null {
    return tableDef(base).columns.find((c) => c.autoincr)?.name ?? null;
  }

  /** Physical index names this schema creates (what a catalogue query should report). */
  indexNames(): string[] {
    return TABLES.flatMap((d) => [
      ...d.unique.map(([n]) => `UQE_${this.raw(d.base)}_${n}`),
      ...d.index.map(([n]) => `IDX_${this.raw(d.base)}_${n}`),
    ]);
  }
}
