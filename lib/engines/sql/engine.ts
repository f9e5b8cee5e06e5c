// MetaEngine over JuiceFS's SQL schema (SQLite, MySQL/MariaDB, PostgreSQL).
// Reads stream with keyset pagination and batched IN (…) queries; nothing loads a whole table
// except the small ones JuiceFS itself reads whole (counters, delfiles, sustained, quotas).
import type { ChildBatch, ConsistentRead, EmptinessCheck, LoadSink, MetaEngine, QueryGate, StoredNode } from "../engine";
import type { AclRule, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry } from "../../jfs/types";
import { ROOT_INODE, TYPE_CODE, typeFromCode } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../jfs/setting-json";
import { SqliteMissingError, type AnySqlDriver, type Row, type SqlConn } from "./driver";
import { SqlNames } from "./schema";
import type { SqlTarget } from "./url";
import { aclFromRow, chunkCount, chunkFromRow, NODE_COLUMNS, nodeFromRow, nodeRow, toBig, toBuf, toNum, toU32 } from "./rows";
import { newTrashAttr } from "../trash";
import { SqlLoadSink } from "./loader";
import { JfsError, logIgnored, wrapError } from "../../jfs/errors";
import { clearSqlClaim, findSqlClaim } from "./claim";
import type { ClearResult, LoadClaim } from "../load-claim";
import { sqlFailure } from "./errors";
import { scanSqlTables, WHOLE_TABLES, type WholeTables } from "./scan";
import type { ColumnBatch, EncodedBatch, RecordEncoder, ScanBatch, TableBatch } from "../../jfs/table-records";
import { readListedNodes } from "../read-ahead";

/** Rows per keyset page of a directory listing. */
const DIR_PAGE = 1000;
/** Inodes per readNodes query (its rows repeat for each chunk and xattr of a node). */
const NODE_BATCH = 250;
/** Node batches of one big directory read at once (the pool has 10 connections). */
const NODE_READ_AHEAD = 4;
/** Directories whose first pages one query reads, and the rows it may return. */
const FIRST_PAGE_DIRS = 32;
const FIRST_PAGE_ROWS = 2000;

const QTYPE: Record<Exclude<QuotaKind, "dir">, number> = { user: 1, group: 2 };

function placeholders(n: number): string {
  return new Array(n).fill("?").join(",");
}

function sliceBy<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const ungated: QueryGate = (query) => query();

/** A directory read whole by a coalesced first-page query, or "more" (read it by pages). */
type FirstPage = ChildBatch | "more";

/**
 * Builds StoredNodes from rows of a node joined with its chunks, symlink and xattrs (one row
 * per chunk × xattr combination), noting the ACL ids and big directories for settle().
 */
class NodeAssembly {
  readonly acl: { node: StoredNode; access: number; dflt: number }[] = [];
  /** Directories known to hold more than NODE_BATCH entries (by their stats or subdirectories). */
  readonly bigDirs: bigint[] = [];

  /** A node from the first of its rows (`n.inode` NULL: the entry has no node row). */
  start(inode: bigint, entryType: NodeType, r: Row): StoredNode {
    const facts = r.inode === null || r.inode === undefined ? undefined : nodeFromRow(r);
    const node: StoredNode = { inode, entryType, attr: facts?.attr ?? null, xattrs: [], chunks: [] };
    if (facts && (facts.accessAclId || facts.defaultAclId)) this.acl.push({ node, access: facts.accessAclId, dflt: facts.defaultAclId });
    if (facts?.attr.type === "directory" && (toNum(r.ds_inodes) > NODE_BATCH || facts.attr.nlink - 2 > NODE_BATCH)) this.bigDirs.push(inode);
    return node;
  }

  /** The chunk, symlink and xattr a row carries, each kept once. */
  add(node: StoredNode, r: Row): void {
    if (r.s_target !== null && r.s_target !== undefined) node.symlink = toBuf(r.s_target);
    if (r.c_indx !== null && r.c_indx !== undefined && node.attr) {
      const index = toU32(r.c_indx);
      if (BigInt(index) < chunkCount(node.attr.length) && !node.chunks.some((c) => c.index === index)) {
        node.chunks.push(chunkFromRow({ indx: index, slices: r.c_slices }));
      }
    }
    if (r.x_name !== null && r.x_name !== undefined) {
      const name = toBuf(r.x_name);
      if (!node.xattrs.some((x) => x.name.equals(name))) node.xattrs.push({ name, value: toBuf(r.x_value) });
    }
  }

  finish(node: StoredNode): StoredNode {
    if (node.xattrs.length > 1) node.xattrs.sort((a, b) => Buffer.compare(a.name, b.name));
    if (node.chunks.length > 1) node.chunks.sort((a, b) => a.index - b.index);
    return node;
  }
}

export class SqlEngine implements MetaEngine {
  readonly kind;
  readonly redactedUrl: string;
  readonly names: SqlNames;
  private readonly aclCache = new Map<number, AclRule>();
  /** Dumps read ahead over the network; SQLite answers synchronously (only memory to gain). */
  readonly dumpReadAhead: { dirs: number; entries: number };
  /**
   * PostgreSQL's and MySQL's JSON dumps read the flat scan and order the tree themselves
   * (table-tree.ts). At 1M files (README, Performance): PostgreSQL 27 s of our CPU and 3 s of
   * the server's against the tree walk's 34 s and 15 s; MariaDB 31.4 s wall against 52.1 s, the
   * same CPU (30.7 s, 29.7 s). SQLite keeps the tree walk: its reads are in process and cost no
   * round trips, so staging only adds work (35.3 s wall, 38.7 s CPU, 360 MB against 32.5 s,
   * 34.0 s, 218 MB).
   */
  jsonDumpFromTables(): boolean {
    return this.target.dialect === "postgres" || this.target.dialect === "mysql";
  }

  constructor(
    readonly target: SqlTarget,
    readonly driver: AnySqlDriver,
  ) {
    this.kind = target.dialect;
    this.redactedUrl = target.redacted;
    this.dumpReadAhead = target.dialect === "sqlite3" ? { dirs: 64, entries: 2048 } : { dirs: 256, entries: 4096 };
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
    if (load && !load.finished) await load.abort().catch((err) => logIgnored(`emptying ${this.redactedUrl} after an unfinished load`, err));
    await this.driver.close();
  }

  readonly consistentReadIsCheap = true;

  /** The driver's snapshot (PostgreSQL shares it between connections; see driver.ts). */
  async beginConsistentRead(parallel: number): Promise<ConsistentRead> {
    if (this.sqliteMissing()) throw new SqliteMissingError(this.target.dialect === "sqlite3" ? this.target.path : "");
    try {
      return await this.driver.beginSnapshot(parallel);
    } catch (err) {
      // PostgreSQL's privileges and a MariaDB without InnoDB are told by the server's own words.
      throw err instanceof JfsError ? err : wrapError(`opening a consistent read snapshot on ${this.redactedUrl}`, err, "refused");
    }
  }

  private sqliteMissing(): boolean {
    return this.driver.dialect === "sqlite3" && this.driver.missing();
  }

  /** A load runs on this engine (its transaction is open). */
  get loading(): boolean {
    return !!this.activeLoad && !this.activeLoad.finished;
  }

  /**
   * Every table in the database (schema), whoever made it, as JuiceFS's emptiness check sees it;
   * read on `conn` when given (a load's own session, inside its claim).
   */
  async listTables(conn?: SqlConn): Promise<string[]> {
    if (this.sqliteMissing()) return [];
    const d = this.driver;
    const on = conn ?? d;
    let rows: Row[];
    if (d.dialect === "sqlite3") {
      rows = await on.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY name");
    } else if (d.dialect === "mysql") {
      rows = await on.all(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
    } else {
      const schema = this.target.dialect === "postgres" && this.target.schema ? this.target.schema : "public";
      rows = await on.all("SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = ? ORDER BY tablename", [schema]);
    }
    return rows.map((r) => String(r.name ?? r.NAME ?? r.table_name ?? r.TABLE_NAME));
  }

  async hasTable(base: string): Promise<boolean> {
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
      throw wrapError(`the volume format stored in ${this.target.label} (table ${this.names.raw("setting")}, row 'format') is not valid`, err, "corrupt-input");
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

  async ensureTrashDir(now: Date): Promise<boolean> {
    const d = this.driver;
    const cols = NODE_COLUMNS.map((c) => this.names.q(c)).join(", ");
    const values = NODE_COLUMNS.map(() => "?").join(", ");
    const sql =
      d.dialect === "sqlite3"
        ? `INSERT OR IGNORE INTO ${this.t("node")} (${cols}) VALUES (${values})`
        : d.dialect === "mysql"
          ? `INSERT IGNORE INTO ${this.t("node")} (${cols}) VALUES (${values})`
          : `INSERT INTO ${this.t("node")} (${cols}) VALUES (${values}) ON CONFLICT DO NOTHING`;
    return (await d.run(sql, nodeRow(newTrashAttr(now, false), ROOT_INODE, 0, 0))) > 0;
  }

  async checkEmpty(): Promise<EmptinessCheck> {
    const tables = await this.listTables();
    if (!tables.length) return { empty: true };
    let volume: string | undefined;
    try {
      volume = (await this.readSetting())?.Name;
    } catch {
      volume = undefined; // only names the volume in the refusal; an unreadable setting names none
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
    if (!type) throw new JfsError("corrupt-input", `entry "${name.toString("utf8")}" (inode ${toBig(r.inode)}) has unknown type ${code} in ${this.names.raw("edge")}`);
    return { name, inode: toBig(r.inode), type };
  }

  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> } {
    // VARBINARY (MySQL), BYTEA (PostgreSQL) and BLOB (SQLite) all compare bytewise.
    return { sorted: true, batches: this.listing(inode, null, ungated) };
  }

  /** A directory's entries after `after` (null: from the first), by keyset pages. */
  private async *listing(inode: bigint, after: Buffer | null, gate: QueryGate): AsyncGenerator<DirEntry[]> {
    const q = (n: string) => this.names.q(n);
    const cols = `${q("name")}, ${q("inode")}, ${q("type")}`;
    const first = `SELECT ${cols} FROM ${this.t("edge")} WHERE ${q("parent")} = ? ORDER BY ${q("name")} LIMIT ${DIR_PAGE}`;
    const next = `SELECT ${cols} FROM ${this.t("edge")} WHERE ${q("parent")} = ? AND ${q("name")} > ? ORDER BY ${q("name")} LIMIT ${DIR_PAGE}`;
    for (;;) {
      const from = after;
      const rows: Row[] = await gate(() => (from === null ? this.driver.all(first, [inode]) : this.driver.all(next, [inode, from])));
      if (!rows.length) return;
      const out = rows.map((r) => this.entryFromRow(toBuf(r.name), r));
      yield out;
      if (rows.length < DIR_PAGE) return;
      after = out[out.length - 1].name;
    }
  }

  /**
   * The columns and joins that bring a node's chunks, symlink target and xattrs along with
   * it (`n` is the node, `on` the inode column to join on). One query instead of one a table.
   */
  private nodeData(on: string, typeCol: string): { cols: string; joins: string } {
    const q = (n: string) => this.names.q(n);
    // SQLite's TEXT holds whatever bytes Go wrote; read xattr names raw rather than as UTF-8.
    const xname = this.driver.dialect === "sqlite3" ? `CAST(x.${q("name")} AS BLOB)` : `x.${q("name")}`;
    // PostgreSQL plans small joins as hash joins over whole-table scans of xattr and symlink
    // (5 ms a query at 1M files instead of 0.8); a LATERAL subquery with OFFSET 0 (which it
    // cannot flatten) keeps every join an index lookup. MySQL and SQLite look up by index.
    const join = (table: string, alias: string, also = "") =>
      this.driver.dialect === "postgres"
        ? `LEFT JOIN LATERAL (SELECT * FROM ${this.t(table)} WHERE ${q("inode")} = ${on}${also} OFFSET 0) ${alias} ON true`
        : `LEFT JOIN ${this.t(table)} ${alias} ON ${alias}.${q("inode")} = ${on}${also}`;
    return {
      cols:
        `n.*, c.${q("indx")} AS ${q("c_indx")}, c.${q("slices")} AS ${q("c_slices")}, s.${q("target")} AS ${q("s_target")}, ` +
        `${xname} AS ${q("x_name")}, x.${q("value")} AS ${q("x_value")}, ds.${q("used_inodes")} AS ${q("ds_inodes")}`,
      // A directory's entry count (kept by JuiceFS when directory stats are on) tells the dump
      // which directories to read by pages; looked up for directories only.
      joins: `${join("chunk", "c")} ${join("symlink", "s")} ${join("xattr", "x")} ${join("dir_stats", "ds", ` AND ${typeCol} = ${TYPE_CODE.directory}`)}`,
    };
  }

  readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    return this.readNodesGated(entries, ungated);
  }

  /** Keyset pages of each table, or the bulk tables whole when not paced (PostgreSQL, MariaDB; scan.ts). */
  scanTables(gate?: QueryGate, opts?: { paced?: boolean }): AsyncIterable<TableBatch>;
  /** With `encoder`, nodes, edges and chunks come written with it (PostgreSQL, MariaDB; scan.ts). */
  scanTables(gate: QueryGate | undefined, opts: { encoder: RecordEncoder; paced?: boolean }): AsyncIterable<ScanBatch>;
  scanTables(gate?: QueryGate, opts?: { encoder?: RecordEncoder; paced?: boolean }): AsyncIterable<ScanBatch> {
    return scanSqlTables(this, gate, undefined, false, opts?.encoder, wholeUnlessPaced(opts));
  }

  /**
   * The same, node, edge and chunk pages as columns where the driver reads them so; on
   * PostgreSQL, unpaced, read in inode order and written with the staged walk's encoder (scan.ts).
   */
  scanTableColumns(gate?: QueryGate, opts?: { paced?: boolean; encoder?: RecordEncoder }): AsyncIterable<TableBatch | ColumnBatch | EncodedBatch> {
    return scanSqlTables(this, gate, undefined, true, opts?.encoder, wholeUnlessPaced(opts));
  }

  private async readNodesGated(entries: { inode: bigint; type: NodeType }[], gate: QueryGate): Promise<StoredNode[]> {
    const q = (n: string) => this.names.q(n);
    const { cols, joins } = this.nodeData(`n.${q("inode")}`, `n.${q("type")}`);
    const assembly = new NodeAssembly();
    const byInode = new Map<bigint, StoredNode>();
    const unique = [...new Map(entries.map((e) => [e.inode, e])).values()];
    for (const part of sliceBy(unique, NODE_BATCH)) {
      const [cond, params] = this.memberOf(
        part.map((e) => e.inode),
        "bigint",
      );
      const rows = await gate(() => this.driver.all(`SELECT ${cols} FROM ${this.t("node")} n ${joins} WHERE n.${q("inode")} ${cond}`, params));
      const types = new Map(part.map((e) => [e.inode, e.type]));
      for (const r of rows) {
        const inode = toBig(r.inode);
        let node = byInode.get(inode);
        if (!node) byInode.set(inode, (node = assembly.start(inode, types.get(inode)!, r)));
        assembly.add(node, r);
      }
    }
    for (const node of byInode.values()) assembly.finish(node);
    await this.settle(assembly);
    // An inode without a node row still has its entry's type.
    return entries.map((e) => byInode.get(e.inode) ?? { inode: e.inode, entryType: e.type, attr: null, xattrs: [], chunks: [] });
  }

  /**
   * Small directories are read whole, many at a time: the first-page requests of one event
   * loop turn share one query (the walk opens a directory's sub-directories together). A
   * directory that does not fit goes on by listing pages whose nodes are read in parallel
   * batches (keyset pages can only be listed one after the other).
   */
  readDirNodes(inode: bigint, gate: QueryGate = ungated): AsyncIterable<ChildBatch> {
    const self = this;
    // SQLite answers synchronously: reading ahead would only keep rows alive for longer.
    const readAhead = this.driver.dialect === "sqlite3" ? 1 : NODE_READ_AHEAD;
    async function* pages(): AsyncGenerator<ChildBatch> {
      const first = await self.firstPage(inode, gate);
      if (first !== "more") {
        if (first.names.length) yield first;
        return;
      }
      yield* readListedNodes([], self.listing(inode, null, gate), NODE_BATCH, readAhead, (part) => self.readNodesGated(part, gate));
    }
    return pages();
  }

  private firstPageQueue: { inode: bigint; gate: QueryGate; resolve(p: FirstPage): void; reject(e: unknown): void }[] = [];
  /** Directories seen to be big (NodeAssembly.bigDirs), read by pages without trying a first page. */
  private readonly bigDirHints = new Set<bigint>();

  private noteBigDirs(assembly: NodeAssembly): void {
    // Hints only: dropped wholesale rather than grow without bound in a long-lived server.
    if (this.bigDirHints.size > 10000) this.bigDirHints.clear();
    for (const d of assembly.bigDirs) this.bigDirHints.add(d);
  }

  /** Queued until the end of this event loop turn; a group's query goes through its first gate. */
  private firstPage(inode: bigint, gate: QueryGate): Promise<FirstPage> {
    if (this.bigDirHints.delete(inode)) return Promise.resolve("more");
    return new Promise((resolve, reject) => {
      if (!this.firstPageQueue.length) {
        setImmediate(() => {
          const queue = this.firstPageQueue;
          this.firstPageQueue = [];
          for (const group of sliceBy(queue, FIRST_PAGE_DIRS)) {
            group[0].gate(() => this.readFirstPages(group.map((g) => g.inode))).then(
              ({ pages, big }) =>
                group.forEach((g) => {
                  const page = pages.get(g.inode);
                  if (page) g.resolve(page);
                  else if (big.has(g.inode)) g.resolve("more");
                  else this.firstPage(g.inode, g.gate).then(g.resolve, g.reject); // the rows ran out first
                }),
              (err) => group.forEach((g) => g.reject(err)),
            );
          }
        });
      }
      this.firstPageQueue.push({ inode, gate, resolve, reject });
    });
  }

  /**
   * The entries of several directories with their nodes, in one query of at most
   * FIRST_PAGE_ROWS rows. When the rows run out, the directories from the last one listed on
   * are left out: they may be cut short. `big` holds the directories to read by pages: those
   * with more than NODE_BATCH entries, and the last one when the rows ran out in it alone.
   */
  private async readFirstPages(dirs: bigint[]): Promise<{ pages: Map<bigint, ChildBatch>; big: Set<bigint> }> {
    const q = (n: string) => this.names.q(n);
    const { cols, joins } = this.nodeData(`e.${q("inode")}`, `e.${q("type")}`);
    const [cond, params] = this.memberOf(dirs, "bigint");
    const rows = await this.driver.all(
      `SELECT e.${q("parent")} AS ${q("e_parent")}, e.${q("name")} AS ${q("e_name")}, e.${q("inode")} AS ${q("e_inode")}, e.${q("type")} AS ${q("e_type")}, ${cols} ` +
        `FROM ${this.t("edge")} e LEFT JOIN ${this.t("node")} n ON n.${q("inode")} = e.${q("inode")} ${joins} ` +
        `WHERE e.${q("parent")} ${cond} ORDER BY e.${q("parent")}, e.${q("name")} LIMIT ${FIRST_PAGE_ROWS}`,
      params,
    );
    const assembly = new NodeAssembly();
    const out = new Map<bigint, ChildBatch>();
    const big = new Set<bigint>();
    let cut: bigint | null = null;
    if (rows.length === FIRST_PAGE_ROWS) {
      cut = toBig(rows[rows.length - 1].e_parent);
      if (toBig(rows[0].e_parent) === cut) big.add(cut);
    }
    let batch: ChildBatch | null = null;
    let parent = -1n;
    let node: StoredNode | null = null;
    for (const r of rows) {
      const p = toBig(r.e_parent);
      if (cut !== null && p >= cut) break;
      if (big.has(p)) continue;
      const name = toBuf(r.e_name);
      if (p !== parent || !batch) {
        parent = p;
        out.set(p, (batch = { names: [], nodes: [] }));
        node = null;
      }
      // Rows of one entry are adjacent (ordered by parent, name); more than one means
      // several chunks or xattrs.
      if (!node || !batch.names[batch.names.length - 1].equals(name)) {
        if (batch.names.length === NODE_BATCH) {
          // Read by pages instead: a page read ahead stays small however big the directory.
          big.add(p);
          out.delete(p);
          continue;
        }
        const entry = this.entryFromRow(name, { inode: r.e_inode, type: r.e_type });
        node = assembly.start(entry.inode, entry.type, r);
        batch.names.push(name);
        batch.nodes.push(node);
      }
      assembly.add(node, r);
    }
    for (const b of out.values()) b.nodes.forEach((n) => assembly.finish(n));
    await this.settle(assembly);
    // Directories without rows are empty, unless the rows ran out before them.
    for (const d of dirs) if (!out.has(d) && !big.has(d) && (cut === null || d < cut)) out.set(d, { names: [], nodes: [] });
    return { pages: out, big };
  }

  /** What an assembly learnt beyond its nodes: their ACL rules, and which directories are big. */
  private async settle(assembly: NodeAssembly): Promise<void> {
    this.noteBigDirs(assembly);
    if (!assembly.acl.length) return;
    await this.loadAcls([...new Set(assembly.acl.flatMap((a) => [a.access, a.dflt]).filter((id) => id))]);
    for (const { node, access, dflt } of assembly.acl) {
      if (access) node.accessAcl = this.aclCache.get(access);
      if (dflt) node.defaultAcl = this.aclCache.get(dflt);
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
    // The emptiness check is repeated inside the claim (claim.ts), where no other load can race it.
    this.aclCache.clear();
    this.activeLoad = await SqlLoadSink.start(this);
    return this.activeLoad;
  }

  findLoadClaim(): Promise<LoadClaim | null> {
    return findSqlClaim(this);
  }

  clearInterruptedLoad(): Promise<ClearResult> {
    return clearSqlClaim(this);
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
        // A ROLLBACK fails only on a connection already lost: the server then rolls back itself.
        await conn.run("ROLLBACK").catch(() => {});
        // A concurrent first writer of the same name wins; we lost the race, not failed.
        const failure = sqlFailure(err);
        if (failure === "unique" || failure === "deadlock") return false;
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

/** Whole tables for a scan said to be unpaced; pages otherwise (unsaid included). */
const wholeUnlessPaced = (opts?: { paced?: boolean }): WholeTables | undefined => (opts?.paced === false ? WHOLE_TABLES : undefined);
