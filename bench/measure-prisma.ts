// Measures the bulk paths both ways, to choose by numbers: plain drivers (better-sqlite3, pg)
// versus Prisma 7's driver adapters (@prisma/adapter-better-sqlite3, @prisma/adapter-pg) with
// raw SQL. Same table (jfs_edge, JuiceFS's DDL), same statements, same batch sizes:
//   bulk insert of N rows in one transaction, then a keyset-paged read of all of them.
// Run: npx tsx bench/measure-prisma.ts [--rows 100000]   (private servers only)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startPostgres } from "../test/support/postgres-server";
import { openSqlEngine } from "../lib/engines/sql/index";
import { SqlNames, tableDef } from "../lib/engines/sql/schema";
import type { SqlConn } from "../lib/engines/sql/driver";

const { values } = parseArgs({ options: { rows: { type: "string", default: "100000" } } });
const ROWS = Number(values.rows);
const BATCH = 1000;
const PAGE = 1000;

function rows(): [bigint, Buffer, bigint, number][] {
  const out: [bigint, Buffer, bigint, number][] = [];
  for (let i = 0; i < ROWS; i++) out.push([1n, Buffer.from(`file-${String(i).padStart(8, "0")}`), BigInt(i + 2), 1]);
  return out;
}

interface Runner {
  exec(sql: string, params: unknown[]): Promise<void>;
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  tx(fn: (r: Runner) => Promise<void>): Promise<void>;
}

async function measure(label: string, dialect: "sqlite3" | "postgres", r: Runner, unnest = false): Promise<string> {
  const ph = (i: number) => (dialect === "postgres" ? `$${i}` : "?");
  const data = rows();
  const t0 = performance.now();
  await r.tx(async (tx) => {
    for (let i = 0; i < data.length; i += BATCH) {
      const part = data.slice(i, i + BATCH);
      if (unnest) {
        // What the SQL load sink did on PostgreSQL before binary COPY: one typed array per column.
        const cols = [0, 1, 2, 3].map((c) => part.map((row) => row[c]));
        await tx.exec(`INSERT INTO jfs_edge (parent,name,inode,type) SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bigint[], $4::integer[])`, cols);
        continue;
      }
      let k = 0;
      const tuples = part.map(() => `(${ph(++k)},${ph(++k)},${ph(++k)},${ph(++k)})`).join(",");
      await tx.exec(`INSERT INTO jfs_edge (parent,name,inode,type) VALUES ${tuples}`, part.flat());
    }
  });
  const insertMs = performance.now() - t0;
  // A loaded database has statistics (the SQL load sink runs ANALYZE on PostgreSQL).
  if (dialect === "postgres") await r.exec("ANALYZE jfs_edge", []);
  const t1 = performance.now();
  let seen = 0;
  let after: Buffer | null = null;
  for (;;) {
    const page: Record<string, unknown>[] = after
      ? await r.query(`SELECT name, inode, type FROM jfs_edge WHERE parent = ${ph(1)} AND name > ${ph(2)} ORDER BY name LIMIT ${PAGE}`, [1n, after])
      : await r.query(`SELECT name, inode, type FROM jfs_edge WHERE parent = ${ph(1)} ORDER BY name LIMIT ${PAGE}`, [1n]);
    seen += page.length;
    if (page.length < PAGE) break;
    const last = page[page.length - 1].name as Uint8Array;
    after = Buffer.from(last.buffer, last.byteOffset, last.byteLength);
  }
  const readMs = performance.now() - t1;
  if (seen !== ROWS) throw new Error(`${label}: read ${seen} rows, expected ${ROWS}`);
  const rate = (ms: number) => Math.round(ROWS / (ms / 1000)).toLocaleString("en-US");
  return `${label.padEnd(28)} insert ${(insertMs / 1000).toFixed(2).padStart(6)} s (${rate(insertMs).padStart(9)} rows/s)   keyset read ${(readMs / 1000).toFixed(2).padStart(6)} s (${rate(readMs).padStart(9)} rows/s)`;
}

const edgeDdl = (d: "sqlite3" | "postgres") => new SqlNames(d, "jfs_").createTable(tableDef("edge")).map((s) => s.replace(/;$/, ""));

/** Our own driver's connection as a Runner (transactions by BEGIN / COMMIT on it). */
function plainRunner(c: SqlConn): Runner {
  const r: Runner = {
    exec: async (sql, p) => void (await c.run(sql, p)),
    query: (sql, p) => c.all(sql, p),
    tx: async (fn) => {
      await c.run("BEGIN");
      await fn(r);
      await c.run("COMMIT");
    },
  };
  return r;
}

async function plainSqlite(file: string): Promise<string> {
  const e = await openSqlEngine(`sqlite3://${file}`);
  const d = e.driver;
  if (d.dialect !== "sqlite3") throw new Error("unreachable");
  d.open(true);
  for (const s of edgeDdl("sqlite3")) await d.run(s);
  try {
    return await measure("sqlite3 plain better-sqlite3", "sqlite3", plainRunner(d));
  } finally {
    await e.close();
  }
}

type RawClient = {
  $executeRawUnsafe(sql: string, ...p: unknown[]): Promise<number>;
  $queryRawUnsafe<T>(sql: string, ...p: unknown[]): Promise<T>;
  $transaction<T>(fn: (tx: RawClient) => Promise<T>, o?: { timeout?: number; maxWait?: number }): Promise<T>;
  $disconnect(): Promise<void>;
};

function prismaRunner(client: RawClient): Runner {
  const wrap = (c: RawClient): Runner => ({
    exec: async (sql, p) => void (await c.$executeRawUnsafe(sql, ...p)),
    query: (sql, p) => c.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...p),
    tx: (fn) => client.$transaction((tx) => fn(wrap(tx)), { timeout: 600_000, maxWait: 60_000 }),
  });
  return wrap(client);
}

async function prismaSqlite(file: string): Promise<string> {
  const { PrismaClient } = await import("../lib/generated/sqlite/client");
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file }) }) as unknown as RawClient;
  try {
    for (const s of edgeDdl("sqlite3")) await client.$executeRawUnsafe(s);
    return await measure("sqlite3 prisma adapter", "sqlite3", prismaRunner(client));
  } finally {
    await client.$disconnect();
  }
}

async function plainPg(url: string, unnest = false): Promise<string> {
  const e = await openSqlEngine(url);
  const d = e.driver;
  for (const s of edgeDdl("postgres")) await d.run(s);
  const conn = await d.connect();
  try {
    // Our driver writes `?`; measure() gives it the statement with `$n` already (no `?` left to rewrite).
    return await measure(unnest ? "postgres plain pg (UNNEST)" : "postgres plain pg", "postgres", plainRunner(conn), unnest);
  } finally {
    conn.release();
    await e.close();
  }
}

async function prismaPg(url: string): Promise<string> {
  const { PrismaClient } = await import("../lib/generated/postgres/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as RawClient;
  try {
    for (const s of edgeDdl("postgres")) await client.$executeRawUnsafe(s);
    return await measure("postgres prisma adapter", "postgres", prismaRunner(client));
  } finally {
    await client.$disconnect();
  }
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-measure-"));
  const pg = await startPostgres();
  try {
    console.log(`${ROWS.toLocaleString("en-US")} jfs_edge rows, INSERT batches of ${BATCH}, keyset pages of ${PAGE}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
    console.log(await plainSqlite(path.join(dir, "plain.db")));
    console.log(await prismaSqlite(path.join(dir, "prisma.db")));
    const a = await pg.createDatabase("plain");
    const b = await pg.createDatabase("prisma");
    const c = await pg.createDatabase("unnest");
    console.log(await plainPg(a.url));
    console.log(await plainPg(c.url, true));
    console.log(await prismaPg(b.url.replace(/\?.*$/, "")));
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
