// MetaEngine over JuiceFS's SQL schema (SQLite, MySQL/MariaDB, PostgreSQL).
// Reads stream with keyset pagination and batched IN (…) queries; nothing loads a whole table
// except the small ones JuiceFS itself reads whole (counters, delfiles, sustained, quotas).
import type { ChildBatch, EmptinessCheck, LoadSink, MetaEngine, StoredNode } from "../engine";
import type { AclRule, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry, Xattr } from "../../jfs/types";
import { typeFromCode } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../dump/setting-json";
import { SqliteMissingError, type AnySqlDriver, type Row, type SqlConn } from "./driver";
import { SqlNames } from "./schema";
import type { SqlTarget } from "./url";
import { aclFromRow, chunkCount, chunkFromRow, nodeFromRow, toBig, toBuf, toNum, type NodeRowFacts } from "./rows";
import { SqlLoadSink } from "./loader";

/** Rows per keyset page of a directory listing. */
const DIR_PAGE = 1000;
/**
 * Entries per page of readDirNodes. Small pages keep each page's rows short-lived (big ones
 * outlive young-generation collections and inflate the heap); the count of small
 * directories, not of pages, decides the number of queries.
 */
const NODE_PAGE = 250;
/** Inodes per IN (…) list. */
const IN_BATCH = 500;

const QTYPE: Record<Exclude<QuotaKind, "dir">, number> = { user: 1, group: 2 };

function placeholders(n: number): string {
  return new Array(n).fill("?").join(",");
}

function sliceBy<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** A node whose row is read, waiting for its xattrs, symlink, chunks and ACLs. */
interface PendingNode {
  node: StoredNode;
  accessAclId: number;
  defaultAclId: number;
}

function pendingNode(inode: bigint, entryType: NodeType, facts: NodeRowFacts | undefined): PendingNode {
  return {
    node: { inode, entryType, attr: facts?.attr ?? null, xattrs: [], chunks: [] },
    accessAclId: facts?.accessAclId ?? 0,
    defaultAclId: facts?.defaultAclId ?? 0,
  };
}

export class SqlEngine implements MetaEngine {
  readonly kind;
  readonly redactedUrl: string;
  readonly names: SqlNames;
  private readonly aclCache = new Map<number, AclRule>();

  constructor(
    readonly target: SqlTarget,
    readonly driver: AnySqlDriver,
  ) {
    this.kind = target.dialect;
    this.redactedUrl = target.redacted;
    this.names = new SqlNames(
      target.dialect,
      target.prefix,
      target.dialect === "postgres" ? target.schema : undefined,
      target.dialect === "mysql" ? target.charset : undefined,
    );
  }

  /** Table name for statements. */
  t(base: string): string {
    return this.names.t(base);
  }

  /** The load in progress, aborted by close() so that no connection stays checked out. */
  private activeLoad: SqlLoadSink | null = null;

  async close(): Promise<void> {
    const load = this.activeLoad;
    this.activeLoad = null;
    if (load && !load.finished) await load.abort().catch(() => {});
    await this.driver.close();
  }

  private sqliteMissing(): boolean {
    return this.driver.dialect === "sqlite3" && this.driver.missing();
  }

  /** Every table in the database (schema), whoever made it, as JuiceFS's emptiness check sees it. */
  async listTables(): Promise<string[]> {
    if (this.sqliteMissing()) return [];
    const d = this.driver;
    let rows: Row[];
    if (d.dialect === "sqlite3") {
      rows = await d.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY name");
    } else if (d.dialect === "mysql") {
      rows = await d.all(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
    } else {
      const schema = this.target.dialect === "postgres" && this.target.schema ? this.target.schema : "public";
      rows = await d.all("SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = ? ORDER BY tablename", [schema]);
    }
    return rows.map((r) => String(r.name ?? r.NAME ?? r.table_name ?? r.TABLE_NAME));
  }

  private async hasTable(base: string): Promise<boolean> {
    return (await this.listTables()).includes(this.names.raw(base));
  }

  async readSetting(): Promise<Setting | null> {
    if (!(await this.hasTable("setting"))) return null;
    const rows = await this.driver.all(`SELECT ${this.names.q("value")} FROM ${this.t("setting")} WHERE ${this.names.q("name")} = 'format'`);
    if (!rows.length) return null;
    const text = typeof rows[0].value === "string" ? rows[0].value : toBuf(rows[0].value).toString("utf8");
    try {
      return parseSetting(text);
    } catch (err) {
      throw new Error(`the volume format stored in ${this.target.label} (table ${this.names.raw("setting")}, row 'format') is not valid: ${(err as Error).message}`);
    }
  }

  async writeSetting(s: Setting): Promise<void> {
    const d = this.driver;
    const json = encodeStoredSetting(s);
    const q = (n: string) => this.names.q(n);
    if (d.dialect === "sqlite3") d.open(true);
    const sql =
      d.dialect === "mysql"
        ? `INSERT INTO ${this.t("setting")} (${q("name")}, ${q("value")}) VALUES ('format', ?) ON DUPLICATE KEY UPDATE ${q("value")} = VALUES(${q("value")})`
        : `INSERT INTO ${this.t("setting")} (${q("name")}, ${q("value")}) VALUES ('format', ?) ON CONFLICT (${q("name")}) DO UPDATE SET ${q("value")} = excluded.${q("value")}`;
    await d.run(sql, [json]);
  }

  async checkEmpty(): Promise<EmptinessCheck> {
    const tables = await this.listTables();
    if (!tables.length) return { empty: true };
    let volume: string | undefined;
    try {
      volume = (await this.readSetting())?.Name;
    } catch {
      volume = undefined;
    }
    const what = volume
      ? `it holds JuiceFS volume "${volume}"`
      : `it has ${tables.length} table${tables.length > 1 ? "s" : ""} (${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""})`;
    return {
      empty: false,
      volume,
      reason: `database ${this.target.label} is not empty: ${what}. Load into an empty database, or drop its tables first`,
    };
  }

  // ------------------------------------------------------------ reading

  async readCounters(): Promise<Counters> {
    const rows = await this.driver.all(`SELECT ${this.names.q("name")}, ${this.names.q("value")} FROM ${this.t("counter")}`);
    const v = new Map(rows.map((r) => [String(r.name), toBig(r.value)]));
    const c: Counters = {
      usedSpace: v.get("usedSpace") ?? 0n,
      usedInodes: v.get("totalInodes") ?? 0n,
      nextInodes: v.get("nextInode") ?? 0n,
      nextChunk: v.get("nextChunk") ?? 0n,
      nextSession: v.get("nextSession") ?? 0n,
      nextTrash: v.get("nextTrash") ?? 0n,
    };
    const setting = await this.readSetting();
    if (setting?.ChangeLog) {
      const r = await this.driver.all(`SELECT MAX(${this.names.q("id")}) AS m FROM ${this.t("change_log")}`);
      c.lastChangelog = toBig(r[0]?.m);
    }
    return c;
  }

  async usage(): Promise<{ usedSpace: bigint; usedInodes: bigint }> {
    const c = await this.readCounters();
    return { usedSpace: c.usedSpace, usedInodes: c.usedInodes };
  }

  async readSustained(): Promise<SustainedEntry[]> {
    const q = (n: string) => this.names.q(n);
    const rows = await this.driver.all(`SELECT ${q("sid")}, ${q("inode")} FROM ${this.t("sustained")} ORDER BY ${q("sid")}, ${q("id")}`);
    const bySid = new Map<bigint, bigint[]>();
    for (const r of rows) {
      const sid = toBig(r.sid);
      let list = bySid.get(sid);
      if (!list) bySid.set(sid, (list = []));
      list.push(toBig(r.inode));
    }
    return [...bySid].map(([sid, inodes]) => ({ sid, inodes }));
  }

  async readDelFiles(): Promise<DelFile[]> {
    const q = (n: string) => this.names.q(n);
    // Table order, as JuiceFS's SELECT * gives it.
    const rows = await this.driver.all(`SELECT ${q("inode")}, ${q("length")}, ${q("expire")} FROM ${this.t("delfile")}`);
    return rows.map((r) => ({ inode: toBig(r.inode), length: toBig(r.length), expire: toBig(r.expire) }));
  }

  async readQuotas(kind: QuotaKind): Promise<Map<bigint, QuotaLimit>> {
    const q = (n: string) => this.names.q(n);
    const out = new Map<bigint, QuotaLimit>();
    if (kind === "dir") {
      // SQL keeps (-1, -1) directory quotas in dumps (unlike Redis).
      const rows = await this.driver.all(`SELECT ${q("inode")}, ${q("max_space")}, ${q("max_inodes")} FROM ${this.t("dir_quota")} ORDER BY ${q("inode")}`);
      for (const r of rows) out.set(toBig(r.inode), { maxSpace: toBig(r.max_space), maxInodes: toBig(r.max_inodes) });
      return out;
    }
    const rows = await this.driver.all(
      `SELECT ${q("qkey")}, ${q("max_space")}, ${q("max_inodes")} FROM ${this.t("user_group_quota")} WHERE ${q("qtype")} = ? ORDER BY ${q("qkey")}`,
      [QTYPE[kind]],
    );
    for (const r of rows) {
      const lim = { maxSpace: toBig(r.max_space), maxInodes: toBig(r.max_inodes) };
      if (lim.maxSpace === -1n && lim.maxInodes === -1n) continue; // usage-only rows
      out.set(toBig(r.qkey), lim);
    }
    return out;
  }

  async lookup(parent: bigint, name: Buffer): Promise<DirEntry | null> {
    const q = (n: string) => this.names.q(n);
    const rows = await this.driver.all(
      `SELECT ${q("inode")}, ${q("type")} FROM ${this.t("edge")} WHERE ${q("parent")} = ? AND ${q("name")} = ?`,
      [parent, name],
    );
    if (!rows.length) return null;
    return this.entryFromRow(name, rows[0]);
  }

  private entryFromRow(name: Buffer, r: Row): DirEntry {
    const code = toNum(r.type);
    const type = typeFromCode(code);
    if (!type) throw new Error(`entry "${name.toString("utf8")}" (inode ${toBig(r.inode)}) has unknown type ${code} in ${this.names.raw("edge")}`);
    return { name, inode: toBig(r.inode), type };
  }

  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> } {
    const self = this;
    const q = (n: string) => this.names.q(n);
    const cols = `${q("name")}, ${q("inode")}, ${q("type")}`;
    const first = `SELECT ${cols} FROM ${this.t("edge")} WHERE ${q("parent")} = ? ORDER BY ${q("name")} LIMIT ${DIR_PAGE}`;
    const next = `SELECT ${cols} FROM ${this.t("edge")} WHERE ${q("parent")} = ? AND ${q("name")} > ? ORDER BY ${q("name")} LIMIT ${DIR_PAGE}`;
    async function* batches(): AsyncGenerator<DirEntry[]> {
      let after: Buffer | null = null;
      for (;;) {
        const rows: Row[] = after === null ? await self.driver.all(first, [inode]) : await self.driver.all(next, [inode, after]);
        if (!rows.length) return;
        const out = rows.map((r) => self.entryFromRow(toBuf(r.name), r));
        yield out;
        if (rows.length < DIR_PAGE) return;
        after = out[out.length - 1].name;
      }
    }
    // VARBINARY (MySQL), BYTEA (PostgreSQL) and BLOB (SQLite) all compare bytewise.
    return { sorted: true, batches: batches() };
  }

  async readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    const q = (n: string) => this.names.q(n);
    const byInode = new Map<bigint, StoredNode>();
    const unique = [...new Map(entries.map((e) => [e.inode, e])).values()];
    for (const part of sliceBy(unique, IN_BATCH)) {
      const [inIds, idParams] = this.memberOf(
        part.map((e) => e.inode),
        "bigint",
      );
      const rows = await this.driver.all(`SELECT * FROM ${this.t("node")} WHERE ${q("inode")} ${inIds}`, idParams);
      const facts = new Map(rows.map((r) => [toBig(r.inode), nodeFromRow(r)]));
      const pending = part.map((e) => pendingNode(e.inode, e.type, facts.get(e.inode)));
      await this.completeNodes(pending);
      for (const p of pending) byInode.set(p.node.inode, p.node);
    }
    return entries.map((e) => byInode.get(e.inode)!);
  }

  readDirNodes(inode: bigint): AsyncIterable<ChildBatch> {
    const self = this;
    const q = (n: string) => this.names.q(n);
    // The entry's columns under their own names, then the node's (all NULL when it has none).
    const from = `SELECT e.${q("name")} AS ${q("e_name")}, e.${q("inode")} AS ${q("e_inode")}, e.${q("type")} AS ${q("e_type")}, n.* FROM ${this.t("edge")} e LEFT JOIN ${this.t("node")} n ON n.${q("inode")} = e.${q("inode")} WHERE e.${q("parent")} = ?`;
    const order = ` ORDER BY e.${q("name")} LIMIT ${NODE_PAGE}`;
    const page = (after: Buffer | null) => self.driver.all(after === null ? from + order : `${from} AND e.${q("name")} > ?${order}`, after === null ? [inode] : [inode, after]);
    const sync = this.driver.dialect === "sqlite3";
    async function* pages(): AsyncGenerator<ChildBatch> {
      let next: Promise<Row[]> | null = page(null);
      while (next) {
        const rows: Row[] = await next;
        next = null;
        if (!rows.length) return;
        const names = rows.map((r) => toBuf(r.e_name));
        const last = names[names.length - 1];
        if (rows.length === NODE_PAGE && !sync) {
          // The next page is listed while this one's chunks and xattrs are read.
          next = page(last);
          next.catch(() => {}); // awaited on the next turn; a stopped walk never asks
        }
        const pending = rows.map((r, i) => {
          const entry = self.entryFromRow(names[i], { inode: r.e_inode, type: r.e_type });
          return pendingNode(entry.inode, entry.type, r.inode === null || r.inode === undefined ? undefined : nodeFromRow(r));
        });
        await self.completeNodes(pending);
        yield { names, nodes: pending.map((p) => p.node) };
        // SQLite answers synchronously: reading ahead would only keep rows alive for longer.
        if (rows.length === NODE_PAGE && sync) next = page(last);
      }
    }
    return pages();
  }

  /**
   * Xattrs, symlink targets, chunks and ACLs of inodes whose node rows are read: one UNION
   * query for the first three (a round trip each would dominate small directories).
   */
  private async completeNodes(pending: PendingNode[]): Promise<void> {
    if (!pending.length) return;
    const q = (n: string) => this.names.q(n);
    // A hard link listed twice in one page shares the first one's node (filled once).
    const nodes = new Map<bigint, StoredNode>();
    for (const p of pending) {
      const first = nodes.get(p.node.inode);
      if (first) p.node = first;
      else nodes.set(p.node.inode, p.node);
    }
    const typeOf = (n: StoredNode) => n.attr?.type ?? n.entryType;
    const all: bigint[] = [];
    const links: bigint[] = [];
    const files: bigint[] = [];
    for (const n of nodes.values()) {
      all.push(n.inode);
      if (typeOf(n) === "symlink") links.push(n.inode);
      else if (typeOf(n) === "regular" && n.attr && n.attr.length > 0n) files.push(n.inode);
    }
    // SQLite's TEXT holds whatever bytes Go wrote; read xattr names raw rather than as UTF-8.
    const xname = this.driver.dialect === "sqlite3" ? `CAST(${q("name")} AS BLOB)` : q("name");
    const parts: string[] = [];
    const params: unknown[] = [];
    const branch = (sql: string, ids: bigint[]) => {
      const [cond, p] = this.memberOf(ids, "bigint");
      parts.push(`${sql} WHERE ${q("inode")} ${cond}`);
      params.push(...p);
    };
    branch(`SELECT 1 AS ${q("k")}, ${q("inode")}, 0 AS ${q("indx")}, ${xname} AS ${q("name")}, ${q("value")} AS ${q("data")} FROM ${this.t("xattr")}`, all);
    if (links.length) branch(`SELECT 2, ${q("inode")}, 0, NULL, ${q("target")} FROM ${this.t("symlink")}`, links);
    if (files.length) branch(`SELECT 3, ${q("inode")}, ${q("indx")}, NULL, ${q("slices")} FROM ${this.t("chunk")}`, files);
    for (const r of await this.driver.all(parts.join(" UNION ALL "), params)) {
      const n = nodes.get(toBig(r.inode));
      if (!n) continue;
      const kind = toNum(r.k);
      if (kind === 1) n.xattrs.push({ name: toBuf(r.name), value: toBuf(r.data) });
      else if (kind === 2) n.symlink = toBuf(r.data);
      else if (n.attr) {
        const chunk = chunkFromRow({ indx: r.indx, slices: r.data });
        if (BigInt(chunk.index) < chunkCount(n.attr.length)) n.chunks.push(chunk);
      }
    }
    for (const n of nodes.values()) {
      if (n.xattrs.length > 1) n.xattrs.sort((a, b) => Buffer.compare(a.name, b.name));
      if (n.chunks.length > 1) n.chunks.sort((a, b) => a.index - b.index);
    }

    const aclIds = new Set<number>();
    for (const p of pending) {
      if (p.accessAclId) aclIds.add(p.accessAclId);
      if (p.defaultAclId) aclIds.add(p.defaultAclId);
    }
    await this.loadAcls([...aclIds]);
    for (const p of pending) {
      if (p.accessAclId) p.node.accessAcl = this.aclCache.get(p.accessAclId);
      if (p.defaultAclId) p.node.defaultAcl = this.aclCache.get(p.defaultAclId);
    }
  }

  /**
   * `IN (?,…)` with one parameter per value; on PostgreSQL `= ANY(?::type[])` with one array
   * and on SQLite a JSON array, so that every batch size shares one prepared statement.
   */
  private memberOf(values: (bigint | number)[], pgType: "bigint" | "integer"): [string, unknown[]] {
    if (this.driver.dialect === "postgres") return [`= ANY(?::${pgType}[])`, [values]];
    // SQLite prepares (and caches) each distinct text: one JSON array keeps it to one.
    if (this.driver.dialect === "sqlite3") return [`IN (SELECT value FROM json_each(?))`, [`[${values.join(",")}]`]];
    return [`IN (${placeholders(values.length)})`, values];
  }

  private async loadAcls(ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !this.aclCache.has(id));
    if (!missing.length) return;
    const [cond, params] = this.memberOf(missing, "integer");
    const rows = await this.driver.all(`SELECT * FROM ${this.t("acl")} WHERE ${this.names.q("id")} ${cond}`, params);
    for (const r of rows) this.aclCache.set(toNum(r.id), aclFromRow(r));
  }

  // ------------------------------------------------------------ writing

  async beginLoad(): Promise<LoadSink> {
    const check = await this.checkEmpty();
    if (!check.empty) throw new Error(check.reason);
    this.aclCache.clear();
    this.activeLoad = await SqlLoadSink.start(this);
    return this.activeLoad;
  }

  async getXattr(inode: bigint, name: string): Promise<Buffer | null> {
    if (this.sqliteMissing()) return null;
    const q = (n: string) => this.names.q(n);
    const rows = await this.driver.all(`SELECT ${q("value")} FROM ${this.t("xattr")} WHERE ${q("inode")} = ? AND ${q("name")} = ?`, [inode, name]);
    return rows.length ? toBuf(rows[0].value) : null;
  }

  async compareAndSetXattr(inode: bigint, name: string, expected: Buffer | null, value: Buffer): Promise<boolean> {
    const q = (n: string) => this.names.q(n);
    const t = this.t("xattr");
    const select = `SELECT ${q("value")} FROM ${t} WHERE ${q("inode")} = ? AND ${q("name")} = ?`;
    const update = `UPDATE ${t} SET ${q("value")} = ? WHERE ${q("inode")} = ? AND ${q("name")} = ?`;
    const insert = `INSERT INTO ${t} (${q("inode")}, ${q("name")}, ${q("value")}) VALUES (?, ?, ?)`;
    const matches = (rows: Row[]) =>
      expected === null ? rows.length === 0 : rows.length > 0 && toBuf(rows[0].value).equals(expected);

    const d = this.driver;
    if (d.dialect === "sqlite3") {
      d.open(false);
      // BEGIN IMMEDIATE takes the write lock before reading: no other writer can slip in.
      return d.immediate(() => {
        if (!matches(d.allSync(select, [inode, name]))) return false;
        if (expected === null) d.runSync(insert, [inode, name, value]);
        else d.runSync(update, [value, inode, name]);
        return true;
      });
    }

    const conn = await d.connect();
    try {
      await conn.run("BEGIN");
      try {
        const ok = await this.casOn(conn, d.dialect, select + " FOR UPDATE", update, insert, matches, inode, name, expected, value);
        await conn.run(ok ? "COMMIT" : "ROLLBACK");
        return ok;
      } catch (err) {
        await conn.run("ROLLBACK").catch(() => {});
        // A concurrent first writer of the same name wins; we lost the race, not failed.
        if (/duplicate|deadlock|unique/i.test((err as Error).message)) return false;
        throw err;
      }
    } finally {
      conn.release();
    }
  }

  private async casOn(
    conn: SqlConn,
    dialect: "mysql" | "postgres",
    selectForUpdate: string,
    update: string,
    insert: string,
    matches: (rows: Row[]) => boolean,
    inode: bigint,
    name: string,
    expected: Buffer | null,
    value: Buffer,
  ): Promise<boolean> {
    if (!matches(await conn.all(selectForUpdate, [inode, name]))) return false;
    if (expected !== null) {
      // The row is locked and matched; MySQL may report 0 changed rows when value == expected.
      await conn.run(update, [value, inode, name]);
      return true;
    }
    const suffix = dialect === "postgres" ? ` ON CONFLICT (${this.names.q("inode")}, ${this.names.q("name")}) DO NOTHING` : "";
    return (await conn.run(insert + suffix, [inode, name, value])) === 1;
  }
}

export { SqliteMissingError };
