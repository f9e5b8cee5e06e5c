// The own store: a Prisma 7 client over SQLite (default, a file in the data directory) or
// PostgreSQL (DATABASE_URL=postgres://…). Tables come from prisma/sql/<provider>.sql,
// applied at first use; every statement there is idempotent.
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PrismaClient } from "../generated/sqlite/client";
import { dataPath, sqlDir } from "./config";
import { JfsError } from "../jfs/errors";

export type Db = InstanceType<typeof PrismaClient>;

type Holder = { db?: Promise<Db> };
const holder = globalThis as unknown as { __jfsmetaDb?: Holder };

function storeUrl(): string {
  return process.env.DATABASE_URL || `file:${dataPath("jfsmeta.db")}`;
}

async function openDb(): Promise<Db> {
  const url = storeUrl();
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const sql = readFileSync(path.join(sqlDir(), "postgres.sql"), "utf8");
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { PrismaClient: PgClient } = await import("../generated/postgres/client");
    // Both clients are generated from the same models, so their APIs are identical.
    return new PgClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  if (!url.startsWith("file:")) {
    throw new JfsError("usage", `DATABASE_URL must be file:<path> (SQLite) or postgres://… (PostgreSQL); got a "${url.split(":")[0]}:" URL`);
  }
  const file = url.slice("file:".length);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const Sqlite = (await import("better-sqlite3")).default;
  const raw = new Sqlite(file);
  // The store holds sealed secrets and the sessions: its owner's only (SQLite gives the WAL
  // and shared-memory files the database file's mode).
  chmodSync(file, 0o600);
  raw.pragma("journal_mode = WAL");
  raw.exec(readFileSync(path.join(sqlDir(), "sqlite.sql"), "utf8"));
  raw.close();
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: 10_000 }) });
}

/** The process-wide store client (kept on globalThis so dev reloads do not open it twice). */
export function getDb(): Promise<Db> {
  const h = (holder.__jfsmetaDb ??= {});
  if (!h.db) {
    h.db = openDb().catch((err) => {
      h.db = undefined;
      throw err;
    });
  }
  return h.db;
}

/**
 * After secrets stored in clear were sealed: SQLite keeps deleted values in free pages and the
 * WAL, so rewrite the file and empty the WAL. (PostgreSQL's old row versions are its own
 * VACUUM's business; run VACUUM FULL "Volume" there if it matters.)
 */
export async function compactStore(): Promise<void> {
  if (/^postgres(ql)?:\/\//i.test(storeUrl())) return;
  const db = await getDb();
  await db.$executeRawUnsafe("VACUUM");
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}

/** Record who did what; never pass secrets in `detail`. */
export async function audit(actor: string, action: string, target: string, detail = ""): Promise<void> {
  const db = await getDb();
  await db.audit.create({ data: { actor, action, target, detail } });
}
