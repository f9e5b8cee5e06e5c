import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";

// Private store in a temp directory; set before the modules read it.
process.env.JFSMETA_DATA_DIR = tempDir("jfsmeta-jobs-");
delete process.env.DATABASE_URL;

type Jobs = typeof import("./jobs");
type Db = typeof import("./db");
let jobs: Jobs;
let db: Db;

async function until(id: string, pred: (state: string) => boolean) {
  const store = await db.getDb();
  for (;;) {
    const j = await store.job.findUniqueOrThrow({ where: { id } });
    if (pred(j.state)) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  jobs = await import("./jobs");
  db = await import("./db");
});

describe("jobs", () => {
  it("persist progress, log and result", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const id = await jobs.startJob({ kind: "dump", title: "t" }, async (ctx) => {
      ctx.progress(5, 10, "halfway");
      ctx.log("working");
      await gate;
      return { entries: 10n, ok: true };
    });
    const store = await db.getDb();
    // Progress reaches the store while the job still runs (what a reloaded page polls).
    for (;;) {
      const j = await store.job.findUniqueOrThrow({ where: { id } });
      if (j.done === 5) {
        expect(j.state).toBe("running");
        expect(j.total).toBe(10);
        expect(j.phase).toBe("halfway");
        expect(j.log).toContain("working");
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    release();
    const done = await until(id, (s) => s !== "running");
    expect(done.state).toBe("succeeded");
    expect(JSON.parse(done.resultJson!)).toEqual({ entries: "10", ok: true });
    expect(done.finishedAt).not.toBeNull();
  });

  it("record failures with secrets redacted", async () => {
    const id = await jobs.startJob({ kind: "restore", title: "restore into redis://:hunter2@db:6379/1" }, async () => {
      throw new Error("cannot connect to redis://admin:hunter2@db:6379/1 (secret_key=abc123)");
    });
    const j = await until(id, (s) => s !== "running");
    expect(j.state).toBe("failed");
    expect(j.error).toContain("redis://admin:****@db:6379/1");
    expect(j.error).not.toContain("hunter2");
    expect(j.error).not.toContain("abc123");
    expect(j.log).not.toContain("hunter2");
  });

  it("cancel through the AbortSignal", async () => {
    const id = await jobs.startJob({ kind: "index", title: "slow" }, (ctx) => {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      });
    });
    expect(jobs.isJobLive(id)).toBe(true);
    expect(jobs.cancelJob(id)).toBe(true);
    const j = await until(id, (s) => s !== "running");
    expect(j.state).toBe("cancelled");
    expect(jobs.isJobLive(id)).toBe(false);
    expect(jobs.cancelJob(id)).toBe(false);
  });

  it("mark jobs a stopped process left running as interrupted", async () => {
    const store = await db.getDb();
    await store.job.create({ data: { id: "left-over", kind: "dump", state: "running", title: "from a previous process" } });
    (globalThis as unknown as { __jfsmetaJobs: { recovered: boolean } }).__jfsmetaJobs.recovered = false;
    await jobs.recoverInterruptedJobs();
    const j = await store.job.findUniqueOrThrow({ where: { id: "left-over" } });
    expect(j.state).toBe("interrupted");
    expect(j.error).toContain("server stopped");
  });
});

describe("job files", () => {
  it("are pruned after a week, the recent ones kept", async () => {
    const { mkdirSync, utimesSync, existsSync } = await import("node:fs");
    const { dataPath } = await import("./config");
    const old = dataPath("jobs", "old-job");
    const fresh = dataPath("jobs", "fresh-job");
    mkdirSync(old, { recursive: true });
    mkdirSync(fresh, { recursive: true });
    const eightDaysAgo = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, eightDaysAgo, eightDaysAgo);
    expect(await jobs.pruneJobFiles()).toContain("old-job");
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe("redactLine", () => {
  it("masks URL passwords and key=value secrets", async () => {
    const { redactLine } = await import("./jobs");
    expect(redactLine("mysql://root:pa:ss@(127.0.0.1:3306)/juicefs")).toBe("mysql://root:****@(127.0.0.1:3306)/juicefs");
    expect(redactLine('"SecretKey": "abc"')).not.toContain("abc");
    expect(redactLine("passphrase=xyz done")).toBe("passphrase=**** done");
    expect(redactLine("sqlite3:///tmp/a.db")).toBe("sqlite3:///tmp/a.db");
  });
});
