// The SQLite flat scan's node encoder from plain numbers gives encodeAttr's bytes for the
// general path's facts (rows.ts nodeFromRow), and hands back what it cannot encode exactly;
// PostgreSQL's scan with a record encoder writes the bytes its records would encode to.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAttr } from "../../jfs/binary-values";
import type { ColumnBatch, EncodedBatch, RecordEncoder, TableBatch } from "../../jfs/table-records";
import { encodeNodeRaw, scanSqlTables, type SqlScanSource } from "./scan";
import { openSqlEngine, type SqlEngine } from "./index";
import { loadBuffer, syntheticDump } from "../../../test/support/engine-io";
import { tempDir } from "../../../test/support/temp-dir";
import { NODE_COLUMNS, nodeFromRow } from "./rows";
import { BatchRecordEncoder, encodeChunkRecords, encodeEdgeRecords, encodeNodeRecords } from "../../dump/binary/bulk-codec";
import { DIALECTS, startTargets, type SqlTargets } from "../../../test/support/sql-targets";

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
    await scan.return?.(undefined);
  });
});

describe.each(["postgres", "mysql"] as const)("scanSqlTables with an encoder, pages and whole tables (%s)", (dialect) => {
  let targets: SqlTargets;
  beforeAll(async () => {
    targets = await startTargets(dialect);
  });
  afterAll(() => targets?.stop());

  it("writes nodes, edges and chunks with it, the bytes of the records path, across pages: inodes past 2^53, 2^63 and near 2^64, odd name bytes, NULLs, slices that are none", async () => {
    await targets.withEngine(async (engine) => {
      await loadBuffer(engine, await syntheticDump({ files: 40, seed: 5 }));
      const t = (base: string) => engine.t(base);
      const wide = 2n ** 53n + 5n;
      const top = -(2n ** 63n) + 1n; // the u64 2^63 + 1, as PostgreSQL's signed bigint holds it
      const last = -5n; // the u64 2^64 - 5: a negative int8 the COPY reader hands as a number
      const node = `INSERT INTO ${t("node")} (inode, type, flags, mode, uid, gid, atime, mtime, ctime, atimensec, mtimensec, ctimensec, nlink, length, rdev, parent, access_acl_id, default_acl_id, tier_id) VALUES `;
      await engine.driver.run(`${node}(?, 1, 0, 420, -2, 7, 1700000000123456, -1500001, 0, 7, 0, 999, 1, ?, NULL, ?, 3, 0, 2)`, [wide, 2n ** 40n, wide]);
      await engine.driver.run(`${node}(?, 2, 0, 493, 0, 0, 1, 2, 3, 0, 0, 0, 2, 4096, 0, NULL, NULL, NULL, NULL)`, [top]);
      const edge = `INSERT INTO ${t("edge")} (parent, name, inode, type) VALUES `;
      await engine.driver.run(`${edge}(1, ?, ?, 1), (?, ?, 5, 2), (?, ?, ?, 7), (?, ?, ?, 3)`, [Buffer.from([0xff, 0x00, 0x0a, 0xb9, 0xfb]), wide, top, Buffer.from("é"), wide, Buffer.alloc(0), top, last, Buffer.from("x"), last]);
      const chunk = `INSERT INTO ${t("chunk")} (inode, indx, slices) VALUES `;
      const slices = Buffer.alloc(48, 0xa5);
      await engine.driver.run(`${chunk}(?, -1, ?), (?, 0, ?), (?, 2147483647, ?), (5, 99, ?), (5, 98, ?), (?, 1, ?)`, [wide, slices, top, slices.subarray(0, 24), 7, slices, Buffer.alloc(0), Buffer.alloc(25), last, slices]);

      const plain = new Map<string, Buffer[]>();
      const other: string[] = [];
      const text = (b: TableBatch) => `${b.table} ${JSON.stringify(b.records, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`;
      for await (const b of scanSqlTables(engine, undefined, 3)) {
        if (b.table === "nodes") plain.set("nodes", [...(plain.get("nodes") ?? []), encodeNodeRecords(b.records)]);
        else if (b.table === "edges") plain.set("edges", [...(plain.get("edges") ?? []), encodeEdgeRecords(b.records)]);
        else if (b.table === "chunks") plain.set("chunks", [...(plain.get("chunks") ?? []), encodeChunkRecords(b.records)]);
        else other.push(text(b));
      }
      const encoded = new Map<string, Buffer[]>();
      const others: string[] = [];
      for await (const b of scanSqlTables(engine, undefined, 3, false, new BatchRecordEncoder())) {
        if (b.table === "encoded") encoded.set(b.field, [...(encoded.get(b.field) ?? []), Buffer.from(b.bytes.subarray(0, b.ends[b.count - 1]))]);
        else others.push(text(b));
      }
      for (const field of ["nodes", "edges", "chunks"]) {
        expect(encoded.get(field)?.length, field).toBeGreaterThan(3); // page after page
        expect(Buffer.concat(encoded.get(field)!).toString("hex"), field).toBe(Buffer.concat(plain.get(field)!).toString("hex"));
      }
      expect(others).toEqual(other);
      expect(others.some((r) => r.startsWith("symlinks "))).toBe(true);

      // Whole tables (an unpaced scan): one statement a bulk table, streamed (PostgreSQL's COPY
      // in blocks of 64 bytes, so that rows are split between blocks; MariaDB's rows in batches
      // of 3); the same rows in the same order as in pages, as records, written with the
      // encoder and as columns (where a block falls back to records for a number past 2^53, the
      // others stay columns).
      const statements: string[] = [];
      const bulkReads = new Set(["copyBlocks", "copyBytes", "streamArrays", "allArrays"]);
      const counting = loggedSource(engine, (method, sql) => {
        if (bulkReads.has(method)) statements.push(`${method} ${/FROM (\S+)/.exec(sql)?.[1]}`);
      });
      const whole = { blockBytes: 64 };
      const rowsOf = async (batches: AsyncIterable<TableBatch | ColumnBatch | EncodedBatch>) => {
        const out: string[] = [];
        for await (const b of batches) out.push(...flatRows(b));
        return out;
      };
      const paged = await rowsOf(scanSqlTables(engine, undefined, 3));
      statements.length = 0;
      expect(await rowsOf(scanSqlTables(counting, undefined, 3, false, undefined, whole))).toEqual(paged);
      const [streamed, pagedRead] = dialect === "postgres" ? ["copyBlocks", "copyBytes"] : ["streamArrays", "allArrays"];
      expect(statements.filter((x) => x.startsWith(streamed))).toEqual([`${streamed} ${t("node")}`, `${streamed} ${t("edge")}`, `${streamed} ${t("chunk")}`]);
      expect(statements.filter((x) => x.startsWith(pagedRead))).toEqual([]);
      const pagedColumns = await rowsOf(scanSqlTables(engine, undefined, 3, true));
      const wholeColumns: (TableBatch | ColumnBatch)[] = [];
      for await (const b of scanSqlTables(engine, undefined, 3, true, undefined, whole)) wholeColumns.push(b);
      expect(wholeColumns.some((b) => b.table === "columns")).toBe(true);
      expect(await rowsOf(wholeColumns as never)).toEqual(pagedColumns);
      const wholeEncoded = new Map<string, Buffer[]>();
      for await (const b of scanSqlTables(engine, undefined, 3, false, new BatchRecordEncoder(), whole)) {
        if (b.table === "encoded") wholeEncoded.set(b.field, [...(wholeEncoded.get(b.field) ?? []), Buffer.from(b.bytes.subarray(0, b.ends[b.count - 1]))]);
      }
      for (const field of ["nodes", "edges", "chunks"]) {
        expect(Buffer.concat(wholeEncoded.get(field)!).toString("hex"), field).toBe(Buffer.concat(plain.get(field)!).toString("hex"));
      }
    });
  });

  it("a whole table's read left midway (a dump stopped while reading) closes its connection: the snapshot still ends, no statement is left on the server", async () => {
    await targets.withEngine(async (engine) => {
      // More than the sockets hold (MariaDB's text rows are bigger): the server is still sending.
      await loadBuffer(engine, await syntheticDump({ files: dialect === "postgres" ? 50_000 : 150_000, seed: 6 }));
      /** Server sessions (other than the asking one) still running the scan's statement on jfs_node. */
      const running = async () => {
        const [row] =
          dialect === "postgres"
            ? await engine.driver.all("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE ?", [`COPY (SELECT % FROM ${engine.t("node")} ORDER BY%`])
            : await engine.driver.all("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?", [`SELECT % FROM ${engine.t("node")} ORDER BY%`]);
        return Number(row.n);
      };
      const snap = await engine.beginConsistentRead(1);
      const scan = scanSqlTables(engine, undefined, undefined, false, new BatchRecordEncoder(), { blockBytes: 256 });
      const first = await scan.next();
      expect(first.done).toBe(false);
      await scan.return(undefined);
      await snap.end(); // PostgreSQL: would wait forever on a connection still in its COPY
      expect(await engine.readSetting()).not.toBeNull(); // the engine reads on
      // The server lets go of the statement once its connection is closed (MariaDB: killed).
      for (let tries = 0; (await running()) > 0; tries++) {
        expect(tries, "the scan's statement still runs on the server").toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });
});

/** The engine as a scan source whose driver tells `seen` each statement it is given, by method. */
function loggedSource(engine: SqlEngine, seen: (method: string, sql: string) => void): SqlScanSource {
  return {
    names: engine.names,
    hasTable: (base) => engine.hasTable(base),
    driver: new Proxy(engine.driver, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        if (typeof v !== "function") return v;
        return (sql: unknown, ...rest: unknown[]) => {
          if (typeof sql === "string") seen(String(key), sql);
          return (v as (...a: unknown[]) => unknown).call(target, sql, ...rest);
        };
      },
    }),
  };
}

/** A batch's rows as text, whatever form carries them (records, columns, encoded bytes). */
function flatRows(b: TableBatch | ColumnBatch | EncodedBatch): string[] {
  const hex = (x: Buffer) => x.toString("hex");
  // Columns hold a u64 past 2^63 as the negative number PostgreSQL's signed bigint stores.
  const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));
  if (b.table === "columns") {
    const c = b.cols;
    const out: string[] = [];
    for (let i = 0; i < c.count; i++) {
      const bytes = hex(c.bytes.subarray(c.start[i], c.end[i]));
      if (b.field === "nodes") out.push(`nodes ${u64(b.cols.inode[i])} ${bytes}`);
      else if (b.field === "edges") out.push(`edges ${u64(b.cols.parent[i])} ${u64(b.cols.inode[i])} ${bytes} ${b.cols.type[i]}`);
      else out.push(`chunks ${u64(b.cols.inode[i])} ${b.cols.index[i]} ${bytes}`);
    }
    return out;
  }
  if (b.table === "encoded") return [`encoded ${b.field} ${b.count}`];
  if (b.table === "nodes") return b.records.map((r) => `nodes ${BigInt.asUintN(64, r.inode)} ${hex(r.attr)}`);
  if (b.table === "edges") return b.records.map((r) => `edges ${BigInt.asUintN(64, r.parent)} ${BigInt.asUintN(64, r.inode)} ${hex(r.name)} ${r.type}`);
  if (b.table === "chunks") return b.records.map((r) => `chunks ${BigInt.asUintN(64, r.inode)} ${r.index} ${hex(r.slices)}`);
  return [`${b.table} ${JSON.stringify(b.records, (_, v) => (typeof v === "bigint" ? `${v}n` : Buffer.isBuffer(v) ? hex(v) : v))}`];
}

describe.each(DIALECTS)("scanSqlTables: the hard links' parents on %s", (dialect) => {
  let targets: SqlTargets;
  beforeAll(async () => {
    targets = await startTargets(dialect);
  });
  afterAll(() => targets?.stop());

  it("are tallied from the node and edge rows (no join asked of the server), the join's records; the join where a linked inode is past 2^53", async () => {
    await targets.withEngine(async (engine) => {
      await loadBuffer(engine, await syntheticDump({ files: 400, seed: 9 })); // 1 % hard links
      const statements: string[] = [];
      const logged = loggedSource(engine, (_method, sql) => statements.push(sql));
      /** The server's join: a driver without the fast paths' reads, whose rows come as objects. */
      const joined: SqlScanSource = { names: engine.names, hasTable: (base) => engine.hasTable(base), driver: { all: (sql, p) => engine.driver.all(sql, p), run: (sql, p) => engine.driver.run(sql, p) } };
      const parentsOf = async (scan: AsyncIterable<TableBatch | EncodedBatch>) => {
        for await (const b of scan) if (b.table === "parents") return JSON.stringify(b.records, (_, v) => (typeof v === "bigint" ? String(v) : v));
        throw new Error("no parents batch");
      };
      const expected = await parentsOf(scanSqlTables(joined, undefined, 7));
      expect(JSON.parse(expected).length).toBeGreaterThan(1);
      const scans: [string, () => AsyncIterable<TableBatch | EncodedBatch>][] = [
        ["records, pages", () => scanSqlTables(logged, undefined, 7)],
        ["encoder, pages", () => scanSqlTables(logged, undefined, 7, false, new BatchRecordEncoder())],
        ["encoder, whole tables", () => scanSqlTables(logged, undefined, 7, false, new BatchRecordEncoder(), { blockBytes: 64 })],
      ];
      for (const [what, scan] of scans) {
        statements.length = 0;
        expect(await parentsOf(scan()), what).toBe(expected);
        expect(statements.filter((x) => x.includes("GROUP BY")), what).toEqual([]);
      }

      // A linked inode past 2^53: the tally cannot hold it exactly, the server's join is asked.
      const wide = 2n ** 53n + 3n;
      const t = (base: string) => engine.t(base);
      await engine.driver.run(
        `INSERT INTO ${t("node")} (inode, type, flags, mode, uid, gid, atime, mtime, ctime, atimensec, mtimensec, ctimensec, nlink, length, rdev, parent, access_acl_id, default_acl_id, tier_id) VALUES (?, 1, 0, 420, 0, 0, 1, 2, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0)`,
        [wide],
      );
      await engine.driver.run(`INSERT INTO ${t("edge")} (${engine.names.q("parent")}, ${engine.names.q("name")}, ${engine.names.q("inode")}, ${engine.names.q("type")}) VALUES (1, ?, ?, 1), (1, ?, ?, 1)`, [Buffer.from("wide-a"), wide, Buffer.from("wide-b"), wide]);
      const withWide = await parentsOf(scanSqlTables(joined, undefined, 7));
      expect(withWide).toContain(`{"inode":"${wide}","parent":"1","cnt":"2"}`);
      statements.length = 0;
      expect(await parentsOf(scanSqlTables(logged, undefined, 7))).toBe(withWide);
      expect(statements.filter((x) => x.includes("GROUP BY")).length).toBe(1);
    });
  });
});

/** Records the encoder is given, as flatRows' text, and whether the scan promised inode order first. */
class RecordingEncoder implements RecordEncoder {
  readonly rows: string[] = [];
  /** Each row's key in the staged walk's order: unsigned inode, tag (node 1, chunk 3, entry 5), chunk index. */
  readonly keys: [bigint, number, number][] = [];
  promised = false;
  private counts = { nodes: 0, edges: 0, chunks: 0 };
  async inodeOrder(): Promise<void> {
    this.promised = true;
  }
  private add(field: "nodes" | "edges" | "chunks", row: string, key: [bigint, number, number]): void {
    if (!this.promised) throw new Error("a record before inodeOrder()");
    this.rows.push(row);
    this.keys.push(key);
    this.counts[field]++;
  }
  node(inode: number | bigint, attr: Buffer, start: number, end: number): void {
    const u = BigInt.asUintN(64, BigInt(inode));
    this.add("nodes", `nodes ${u} ${attr.toString("hex", start, end)}`, [u, 1, 0]);
  }
  chunk(inode: number | bigint, index: number, slices: Buffer, start: number, end: number): void {
    const u = BigInt.asUintN(64, BigInt(inode));
    this.add("chunks", `chunks ${u} ${index} ${slices.toString("hex", start, end)}`, [u, 3, index]);
  }
  edge(parent: number | bigint, inode: number | bigint, name: Buffer, start: number, end: number, type: number): void {
    const u = BigInt.asUintN(64, BigInt(inode));
    this.add("edges", `edges ${BigInt.asUintN(64, BigInt(parent))} ${u} ${name.toString("hex", start, end)} ${type}`, [u, 5, 0]);
  }
  count(field: EncodedBatch["field"]): number {
    return this.counts[field];
  }
  take(field: EncodedBatch["field"]): EncodedBatch | null {
    const count = this.counts[field];
    this.counts[field] = 0;
    return count ? { table: "encoded", field, bytes: Buffer.alloc(0), ends: new Int32Array(0), count } : null;
  }
}

describe("scanSqlTables in the staged walk's inode order (postgres)", () => {
  let targets: SqlTargets;
  beforeAll(async () => {
    targets = await startTargets("postgres");
  });
  afterAll(() => targets?.stop());

  const isBulk = (r: string) => /^(nodes|edges|chunks) /.test(r);
  const ordered = (keys: [bigint, number, number][]) =>
    keys.every((k, i) => i === 0 || (() => {
      const p = keys[i - 1];
      return p[0] < k[0] || (p[0] === k[0] && (p[1] < k[1] || (p[1] === k[1] && (k[1] === 5 || p[2] < k[2]))));
    })());

  it("merges three COPY streams read at once into one inode order: the rows of the paged scan, inodes past 2^53 (the Trash's) among them", async () => {
    await targets.withEngine(async (engine) => {
      await loadBuffer(engine, await syntheticDump({ files: 300, seed: 11 }));
      const t = (base: string) => engine.t(base);
      // A file past 2^53 with two entries (a hard link) and chunks, between the others and the Trash's inodes.
      const wide = 2n ** 53n + 7n;
      await engine.driver.run(
        `INSERT INTO ${t("node")} (inode, type, flags, mode, uid, gid, atime, mtime, ctime, atimensec, mtimensec, ctimensec, nlink, length, rdev, parent, access_acl_id, default_acl_id, tier_id) VALUES (?, 1, 0, 420, 0, 0, 1, 2, 3, 0, 0, 0, 2, 200000000, 0, 0, 0, 0, 0)`,
        [wide],
      );
      await engine.driver.run(`INSERT INTO ${t("edge")} (parent, name, inode, type) VALUES (1, ?, ?, 1), (1, ?, ?, 1)`, [Buffer.from("wide-a"), wide, Buffer.from("wide-b"), wide]);
      await engine.driver.run(`INSERT INTO ${t("chunk")} (inode, indx, slices) VALUES (?, 2, ?), (?, 0, ?)`, [wide, Buffer.alloc(24, 1), wide, Buffer.alloc(24, 2)]);

      const expected: string[] = [];
      for await (const b of scanSqlTables(engine, undefined, 7)) expected.push(...flatRows(b).filter(isBulk));
      const statements: string[] = [];
      const logged = loggedSource(engine, (method, sql) => {
        if (method === "copyBlocks") statements.push(sql);
      });
      const enc = new RecordingEncoder();
      const others: string[] = [];
      for await (const b of scanSqlTables(logged, undefined, 7, true, enc, { blockBytes: 128 })) if (b.table !== "encoded") others.push(b.table);
      expect(enc.promised).toBe(true);
      expect(ordered(enc.keys)).toBe(true);
      expect([...enc.rows].sort()).toEqual([...expected].sort());
      expect(enc.rows).toContain(`nodes ${wide} ${expected.find((r) => r.startsWith(`nodes ${wide} `))!.split(" ")[2]}`);
      expect(enc.keys.some(([inode]) => inode > 2n ** 62n)).toBe(true); // the Trash's
      // Symlinks and xattrs came as batches before the promise, ACLs after; the bulk tables by inode.
      expect(others).toEqual([...others.filter((x) => x !== "acls"), "acls"]);
      expect(others).toContain("symlinks");
      expect(statements.map((s) => /FROM (\S+) ORDER BY (.*)$/.exec(s)?.slice(1).join(" "))).toEqual([
        `${t("node")} ${engine.names.q("inode")}`,
        `${t("chunk")} ${engine.names.q("inode")}, ${engine.names.q("indx")}`,
        `${t("edge")} ${engine.names.q("inode")}`,
      ]);
    });
  });

  it("reads as before where it cannot: an inode past 2^63 (stored negative), a snapshot of one connection, a paced scan", async () => {
    await targets.withEngine(async (engine) => {
      await loadBuffer(engine, await syntheticDump({ files: 50, seed: 12 }));
      const promised = async (scan: AsyncIterable<unknown>, enc: RecordingEncoder) => {
        for await (const b of scan) void b;
        return enc.promised;
      };
      let enc = new RecordingEncoder();
      expect(await promised(scanSqlTables(engine, undefined, 7, true, enc, { blockBytes: 128 }), enc)).toBe(true);
      // One connection in the snapshot: three streams at once would wait on each other for ever.
      const snap = await engine.beginConsistentRead(1);
      try {
        enc = new RecordingEncoder();
        expect(await promised(scanSqlTables(engine, undefined, 7, true, enc, { blockBytes: 128 }), enc)).toBe(false);
      } finally {
        await snap.end();
      }
      enc = new RecordingEncoder();
      expect(await promised(scanSqlTables(engine, undefined, 7, true, enc), enc)).toBe(false); // paced: no whole tables
      await engine.driver.run(`INSERT INTO ${engine.t("edge")} (parent, name, inode, type) VALUES (1, ?, ?, 1)`, [Buffer.from("top"), -(2n ** 63n) + 1n]);
      enc = new RecordingEncoder();
      expect(await promised(scanSqlTables(engine, undefined, 7, true, enc, { blockBytes: 128 }), enc)).toBe(false);
    });
  });
});
