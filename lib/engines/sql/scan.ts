// The flat scan of a SQL volume (MetaEngine.scanTables): each table read in keyset pages on its
// primary key (an index range scan, the same cost as a cursor, and it runs unchanged inside a
// consistent read's snapshot sessions on every dialect), each row turned into the binary
// dump's record as stored.
import type { QueryGate } from "../engine";
import type { Row, SqlConn } from "./driver";
import type { SqlNames } from "./schema";
import type { TableBatch, QuotaRecord } from "../../jfs/table-records";
import { encodeAttr } from "../../jfs/binary-values";
import { aclFromRow, nodeFromRow, toBig, toBuf, toNum, toU32, NODE_COLUMNS, SLICE_RECORD } from "./rows";

/** Rows per keyset page: big enough that round trips cost little, small enough to stay flat. */
const PAGE = 10000;

export interface SqlScanSource {
  readonly names: SqlNames;
  readonly driver: SqlConn;
  hasTable(base: string): Promise<boolean>;
}

export async function* scanSqlTables(src: SqlScanSource, gate: QueryGate = (q) => q()): AsyncGenerator<TableBatch> {
  const { names, driver } = src;
  const q = (n: string) => names.q(n);
  const t = (base: string) => names.t(base);
  const all = (sql: string, params: unknown[] = []) => gate(() => driver.all(sql, params));

  /** Pages of a table in key order; `key` is a single-column primary key. */
  async function* pages(base: string, key: string, cols: string[], where = ""): AsyncGenerator<Row[]> {
    const list = cols.map(q).join(", ");
    let after: bigint | null = null;
    for (;;) {
      const cond: string[] = [];
      const params: unknown[] = [];
      if (after !== null) {
        cond.push(`${q(key)} > ?`);
        params.push(after);
      }
      if (where) cond.push(where);
      const rows = await all(`SELECT ${list} FROM ${t(base)}${cond.length ? ` WHERE ${cond.join(" AND ")}` : ""} ORDER BY ${q(key)} LIMIT ${PAGE}`, params);
      if (rows.length) yield rows;
      if (rows.length < PAGE) return;
      after = toBig(rows[rows.length - 1][key]);
    }
  }

  for await (const rows of pages("node", "inode", [...NODE_COLUMNS])) {
    yield {
      table: "nodes",
      records: rows.map((r) => {
        const n = nodeFromRow(r);
        return { inode: n.attr.inode, attr: encodeAttr(n.attr, n.parent, n.accessAclId, n.defaultAclId) };
      }),
    };
  }
  for await (const rows of pages("edge", "id", ["id", "parent", "name", "inode", "type"])) {
    yield { table: "edges", records: rows.map((r) => ({ parent: toBig(r.parent), inode: toBig(r.inode), name: toBuf(r.name), type: toNum(r.type) })) };
  }
  for await (const rows of pages("chunk", "id", ["id", "inode", "indx", "slices"])) {
    const records = [];
    for (const r of rows) {
      const slices = toBuf(r.slices);
      // A value that is not whole 24-byte records holds no slices (as JuiceFS reads it).
      if (slices.length && slices.length % SLICE_RECORD === 0) records.push({ inode: toBig(r.inode), index: toU32(r.indx), slices });
    }
    yield { table: "chunks", records };
  }
  for await (const rows of pages("symlink", "inode", ["inode", "target"])) {
    yield { table: "symlinks", records: rows.filter((r) => toBuf(r.target).length).map((r) => ({ inode: toBig(r.inode), target: toBuf(r.target) })) };
  }
  for await (const rows of pages("xattr", "id", ["id", "inode", "name", "value"])) {
    yield { table: "xattrs", records: rows.map((r) => ({ inode: toBig(r.inode), name: toBuf(r.name), value: toBuf(r.value) })) };
  }
  for await (const rows of pages("dir_stats", "inode", ["inode", "data_length", "used_space", "used_inodes"])) {
    yield {
      table: "dirStats",
      records: rows.map((r) => ({ inode: toBig(r.inode), dataLength: toBig(r.data_length), usedSpace: toBig(r.used_space), usedInodes: toBig(r.used_inodes) })),
    };
  }
  // SQL keeps no parents table: a hard-linked file (node parent 0) has an entry per link.
  const linked = await all(
    `SELECT e.${q("inode")} AS inode, e.${q("parent")} AS parent, COUNT(*) AS cnt FROM ${t("edge")} e JOIN ${t("node")} n ON n.${q("inode")} = e.${q("inode")}` +
      ` WHERE n.${q("parent")} = 0 AND n.${q("type")} <> 2 GROUP BY e.${q("inode")}, e.${q("parent")} ORDER BY e.${q("inode")}, e.${q("parent")}`,
  );
  yield { table: "parents", records: linked.map((r) => ({ inode: toBig(r.inode), parent: toBig(r.parent), cnt: toBig(r.cnt) })) };
  // Only slices referenced other than once are dumped.
  for await (const rows of pages("chunk_ref", "chunkid", ["chunkid", "size", "refs"], `${q("refs")} <> 1`)) {
    yield { table: "sliceRefs", records: rows.map((r) => ({ id: toBig(r.chunkid), size: toU32(r.size), refs: toBig(r.refs) })) };
  }
  const acls = await all(`SELECT * FROM ${t("acl")} ORDER BY ${q("id")}`);
  yield { table: "acls", records: acls.map((r) => ({ id: toU32(r.id), rule: aclFromRow(r) })) };

  const quota = (r: Row, key: string): QuotaRecord => ({
    key: toBig(r[key]),
    maxSpace: toBig(r.max_space),
    maxInodes: toBig(r.max_inodes),
    usedSpace: toBig(r.used_space),
    usedInodes: toBig(r.used_inodes),
  });
  const cols = [q("max_space"), q("max_inodes"), q("used_space"), q("used_inodes")].join(", ");
  const dirQuotas = await all(`SELECT ${q("inode")}, ${cols} FROM ${t("dir_quota")} ORDER BY ${q("inode")}`);
  yield { table: "quotas", kind: "dir", records: dirQuotas.map((r) => quota(r, "inode")) };
  if (await src.hasTable("user_group_quota")) {
    for (const [kind, qtype] of [["user", 1], ["group", 2]] as const) {
      const rows = await all(`SELECT ${q("qkey")}, ${cols} FROM ${t("user_group_quota")} WHERE ${q("qtype")} = ? ORDER BY ${q("qkey")}`, [qtype]);
      yield { table: "quotas", kind, records: rows.map((r) => quota(r, "qkey")) };
    }
  }
}
