// The SQL drivers under long use: what a `backup --watch` repeats for days must not grow.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Pool } from "pg";
import { openDriver } from "../../../lib/engines/sql/driver";
import { parseSqlUrl } from "../../../lib/engines/sql/url";
import { startPostgres, type PostgresServer } from "../../support/postgres-server";

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

it("PostgreSQL: checking a connection out again and again adds no 'error' listener", async () => {
  const db = await pg.createDatabase();
  const driver = await openDriver(parseSqlUrl(db.url));
  if (driver.dialect !== "postgres") throw new Error("expected the PostgreSQL driver");
  const pool = (driver as unknown as { pool: Pool }).pool;
  const listeners = async () => {
    const client = await pool.connect();
    const n = client.listenerCount("error");
    client.release();
    return n;
  };
  try {
    for (let i = 0; i < 3; i++) {
      const s = await driver.connect();
      await s.all("SELECT 1 AS one");
      s.release();
    }
    const before = await listeners();
    for (let i = 0; i < 30; i++) {
      const s = await driver.connect();
      await s.all("SELECT 1 AS one");
      s.release();
    }
    expect(await listeners()).toBe(before);
    expect(before).toBeLessThanOrEqual(2);
  } finally {
    await driver.close();
    await db.drop();
  }
});
