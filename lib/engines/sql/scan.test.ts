// The SQLite flat scan's node encoder from plain numbers gives encodeAttr's bytes for the
// general path's facts (rows.ts nodeFromRow), and hands back what it cannot encode exactly.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAttr } from "../../jfs/binary-values";
import type { TableBatch } from "../../jfs/table-records";
import { encodeNodeRaw, scanSqlTables, type SqlScanSource } from "./scan";
import { openSqlEngine, type SqlEngine } from "./index";
import { loadBuffer, syntheticDump } from "../../../test/support/engine-io";
import { tempDir } from "../../../test/support/temp-dir";
import { NODE_COLUMNS, nodeFromRow } from "./rows";

const general = (r: unknown[]) => {
  const n = nodeFromRow(Object.fromEntries(NODE_COLUMNS.map((c, i) => [c, typeof r[i] === "number" ? BigInt(r[i] as number) : r[i]])));
  return encodeAttr(n.attr, n.parent, n.accessAclId, n.defaultAclId);
};

describe("encodeNodeRaw", () => {
  const base = [5, 1, 0, 0o644, 1000, 1000, 1700000000123456, 1700000000999999, 1700000001000000, 7, 999, 0, 1, 123456789, 0, 3, 0, 0, 0];
  const cases: [string, unknown[]][] = [
    ["a plain file", base],
    ["times before 1970 with fractions", base.map((v, i) => (i === 6 ? -1500001 : i === 7 ? -1 : i === 8 ? -1000000 : v))],
    ["ACL ids and a tier", base.map((v, i) => (i === 16 ? 4 : i === 17 ? 9 : i === 18 ? 2 : v))],
    ["a tier alone, NULL rdev and flags", base.map((v, i) => (i === 18 ? 1 : i === 14 ? null : i === 2 ? 3 : v))],
    ["uid and gid past 2^31 stored as negative INT", base.map((v, i) => (i === 4 ? -2 : i === 5 ? -1 : v))],
    ["a length past 2^32", base.map((v, i) => (i === 13 ? 2 ** 40 + 5 : v))],
    ["a parent of 0 (hard link) and a directory", base.map((v, i) => (i === 15 ? 0 : i === 1 ? 2 : v))],
  ];
  for (const [what, row] of cases) {
    it(what, () => expect(encodeNodeRaw(row)?.toString("hex")).toBe(general(row).toString("hex")));
  }
  it("hands back a column past 2^53 (selected as text), an unknown type, a bad nanosecond rest", () => {
    expect(encodeNodeRaw(base.map((v, i) => (i === 13 ? "144115188075855872" : v)))).toBeNull();
    expect(encodeNodeRaw(base.map((v, i) => (i === 1 ? 9 : v)))).toBeNull();
    expect(encodeNodeRaw(base.map((v, i) => (i === 9 ? 1000 : v)))).toBeNull();
  });
});

describe("scanSqlTables across keyset pages", () => {
  const dir = tempDir("jfsmeta-scan-");
  let engine: SqlEngine;
  beforeAll(async () => {
    engine = await openSqlEngine(`sqlite3://${path.join(dir, "meta.db")}`);
    await loadBuffer(engine, await syntheticDump({ files: 60, seed: 3 }));
  });
  afterAll(() => engine?.close());

  /** The engine's source without SQLite's raw rows: every table goes through the paged reads. */
  const paged = (log: string[] = []): SqlScanSource => ({
    names: engine.names,
    driver: { all: (sql, params) => (log.push(sql), engine.driver.all(sql, params)), run: (sql, params) => engine.driver.run(sql, params) },
    hasTable: (base) => engine.hasTable(base),
  });
  const records = async (scan: AsyncIterable<TableBatch>) => {
    const out: string[] = [];
    for await (const b of scan) for (const r of b.records) out.push(`${b.table} ${JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    return out;
  };

  it("pages of 3 rows give the records of one page, on the raw and the general paths", async () => {
    const whole = await records(scanSqlTables(engine));
    expect(whole.filter((r) => r.startsWith("nodes ")).length).toBeGreaterThan(60);
    expect(whole.some((r) => r.startsWith("xattrs "))).toBe(true);
    expect(await records(scanSqlTables(engine, undefined, 3))).toEqual(whole);
    expect(await records(scanSqlTables(paged(), undefined, 3))).toEqual(await records(scanSqlTables(paged())));
    expect((await records(scanSqlTables(paged(), undefined, 3))).filter((r) => r.startsWith("nodes "))).toEqual(whole.filter((r) => r.startsWith("nodes ")));
  });

  it("asks for the next page before the current one is taken, and stops cleanly when left early", async () => {
    const log: string[] = [];
    const scan = scanSqlTables(paged(log), undefined, 3)[Symbol.asyncIterator]();
    const first = await scan.next();
    expect(first.value).toMatchObject({ table: "nodes" });
    expect(log.filter((s) => s.includes(`FROM ${engine.names.t("node")} `)).length).toBe(2); // page 2 already asked for
    expect(log.some((s) => s.includes(" GROUP BY "))).toBe(true); // and the hard links, beside the bulk tables
    await scan.return?.(undefined);
  });
});
