// The own store on PostgreSQL (DATABASE_URL): tables created from prisma/sql/postgres.sql,
// the same Prisma API as on SQLite. Runs against a private throwaway server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "../../test/support/postgres-server";
import { tempDir } from "../../test/support/temp-dir";

const dataDir = tempDir("jfsmeta-pgstore-");
let pg: PostgresServer;
let database: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  pg = await startPostgres();
  database = await pg.createDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.JFSMETA_DATA_DIR = dataDir;
}, 120_000);

afterAll(async () => {
  const db = (globalThis as unknown as { __jfsmetaDb?: { db?: Promise<{ $disconnect(): Promise<void> }> } }).__jfsmetaDb?.db;
  await (await db)?.$disconnect();
  await database?.drop();
  await pg?.stop();
  delete process.env.DATABASE_URL;
});

describe("own store on PostgreSQL", () => {
  it("creates its tables idempotently and stores volumes, jobs and audit rows", async () => {
    const { getDb, audit } = await import("./db");
    const db = await getDb();
    await db.volume.create({ data: { id: "v1", name: "pgvol", metaUrl: "redis://:pw@h:6379/1", backupInterval: 7200 } });
    await audit("admin", "volume-add", "pgvol", "redis://:****@h:6379/1");
    const { startJob } = await import("./jobs");
    const id = await startJob({ kind: "dump", title: "pg job", volumeId: "v1" }, async (ctx) => {
      ctx.progress(1, 2, "half");
      return { ok: 1 };
    });
    for (;;) {
      const j = await db.job.findUniqueOrThrow({ where: { id } });
      if (j.state !== "running") {
        expect(j.state).toBe("succeeded");
        expect(j.resultJson).toBe('{"ok":1}');
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await db.volume.findUniqueOrThrow({ where: { name: "pgvol" } })).backupInterval).toBe(7200);
    expect(await db.audit.count()).toBe(1);
    // The tables really are in PostgreSQL, and applying the SQL again changes nothing.
    const tables = await pg.sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`, database.url.split("/").pop()!.split("?")[0]);
    expect(tables.map((t) => t.table_name)).toEqual(["AlertSent", "Audit", "BackupPolicy", "BackupRecord", "Job", "Session", "Volume", "Webhook"]);
    // The volume was stored in clear (as an older version did): start-up seals it, and the
    // API still reads the clear URL.
    const { sealStoredSecrets, getVolume } = await import("./volumes");
    expect(await sealStoredSecrets()).toEqual({ sealed: 1, unreadable: [] });
    // Sealed: the stored text is the envelope, not the URL (random base64 may hold "pw" itself).
    const stored = (await db.volume.findUniqueOrThrow({ where: { id: "v1" } })).metaUrl;
    expect(stored).toMatch(/^jfsmeta-sealed:v1:/);
    expect(stored).not.toContain(":pw@");
    expect((await getVolume("v1"))?.metaUrl).toBe("redis://:pw@h:6379/1");
    expect(await sealStoredSecrets()).toEqual({ sealed: 0, unreadable: [] });
    // Sessions work on PostgreSQL too.
    const auth = await import("./auth");
    process.env.JFSMETA_PASSWORD = "pg-pw";
    auth.ensureAuth();
    const token = await auth.issueSession();
    expect(await auth.sessionValid(token)).toBe(true);
    await auth.revokeSession(token);
    expect(await auth.sessionValid(token)).toBe(false);
    // The verify marks and the webhook (composite key, sealed secret) on PostgreSQL.
    const records = await import("./records");
    await records.recordVerify("v1", "dump-x.json.gz", { ok: false, detail: "bad", jobId: "j1" });
    await records.recordVerify("v1", "dump-x.json.gz", { ok: true, detail: "fine", jobId: "j2", inodes: 5 });
    expect((await records.backupRecords("v1")).get("dump-x.json.gz")).toMatchObject({ verify: { state: "ok", detail: "fine" }, inodes: 5 });
    const alerts = await import("./alerts");
    await alerts.saveWebhook({ url: "https://hooks.example.com/x", secret: "pg-secret" }, "t");
    expect(await alerts.getWebhook()).toMatchObject({ url: "https://hooks.example.com/x", hasSecret: true });
    // A restart opens the store again (re-applying the SQL): nothing is lost.
    await db.$disconnect();
    (globalThis as unknown as { __jfsmetaDb: object }).__jfsmetaDb = {};
    const again = await getDb();
    expect(await again.volume.count()).toBe(1);
    expect(await again.job.count()).toBe(1);
    expect(await again.backupRecord.count()).toBe(1);
  });
});
