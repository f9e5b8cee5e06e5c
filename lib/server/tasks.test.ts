// The dashboard's restore and dump paths against a real (temporary) demo volume: SQLite
// metadata, file storage, everything under a temp data directory.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";

const dataDir = tempDir("jfsmeta-tasks-");
process.env.JFSMETA_DATA_DIR = dataDir;
delete process.env.DATABASE_URL;

let tasks: typeof import("./tasks");
let volumes: typeof import("./volumes");
let db: typeof import("./db");
let openEngine: typeof import("../engines/open").openEngine;
const metaDir = path.join(dataDir, "demo", "bucket", "demo", "meta");

async function finished(id: string) {
  const store = await db.getDb();
  for (;;) {
    const j = await store.job.findUniqueOrThrow({ where: { id } });
    if (j.state !== "running") return { ...j, result: j.resultJson ? JSON.parse(j.resultJson) : null };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The database at `url` holds nothing: a failed or cancelled restore left it as it found it. */
async function expectEmpty(url: string) {
  const e = await openEngine(url);
  try {
    expect(await e.checkEmpty()).toEqual({ empty: true });
  } finally {
    await e.close();
  }
}

beforeAll(async () => {
  const { createDemo } = await import("./demo");
  await createDemo({ now: new Date(), days: 10 });
  tasks = await import("./tasks");
  volumes = await import("./volumes");
  db = await import("./db");
  ({ openEngine } = await import("../engines/open"));
}, 120_000);

describe("restore", () => {
  it("loads a backup into an empty SQLite database that then dumps to the same bytes", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const newest = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "auto")!.key;
    const target = `sqlite3://${path.join(dataDir, "r1.db")}`;
    const id = await tasks.startRestore(v, { volumeId: "demo", backup: newest, target }, "test");
    const job = await finished(id);
    expect(job.error).toBeNull();
    expect(job.state).toBe("succeeded");
    expect(job.result.volume).toBe("demo");
    expect(Number(job.result.usedInodes)).toBeGreaterThan(1000);

    const dumped = path.join(dataDir, "r1.json");
    const { dumpMeta } = await import("../engines/dump");
    const { JsonDumpWriter } = await import("../dump/writer");
    const { createWriteStream } = await import("node:fs");
    const { finished: streamDone } = await import("node:stream/promises");
    const e = await openEngine(target);
    const out = createWriteStream(dumped);
    await dumpMeta(e, new JsonDumpWriter(out), { keepSecretKey: true });
    out.end();
    await streamDone(out);
    await e.close();
    expect(readFileSync(dumped).equals(gunzipSync(readFileSync(path.join(metaDir, newest))))).toBe(true);
  });

  it("refuses a target that holds a volume and leaves it untouched", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const backup = (await volumes.volumeView(v)).backups![0].key;
    const checks = await tasks.preflightRestore(v, { volumeId: "demo", backup, target: v.metaUrl });
    expect(checks.find((c) => c.id === "empty")).toMatchObject({ ok: false });
    await expect(tasks.startRestore(v, { volumeId: "demo", backup, target: v.metaUrl }, "test")).rejects.toThrow(/not empty/i);
  });

  it("refuses a target another load is writing, naming it", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const backup = (await volumes.volumeView(v)).backups![0].key;
    const file = path.join(dataDir, "r-busy.db");
    // Another process's load holds SQLite's write lock for its whole transaction (in WAL mode,
    // JuiceFS's default, which a load sets).
    const { default: Database } = await import("better-sqlite3");
    const other = new Database(file);
    other.pragma("journal_mode = WAL");
    other.prepare("BEGIN IMMEDIATE").run();
    try {
      const checks = await tasks.preflightRestore(v, { volumeId: "demo", backup, target: `sqlite3://${file}` });
      expect(checks, JSON.stringify(checks)).toContainEqual(expect.objectContaining({ id: "empty", ok: false, label: "A load is running into the target" }));
      expect(checks.find((c) => c.id === "empty")!.detail).toMatch(/another jfsmeta load into sqlite3:\/\/.* is running/);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
  });

  it("leaves the target empty when the backup is damaged", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const good = readFileSync(path.join(metaDir, (await volumes.volumeView(v)).backups![0].key));
    const broken = "dump-2000-01-01-000000-broken.json.gz";
    writeFileSync(path.join(metaDir, broken), good.subarray(0, Math.floor(good.length / 2)));
    const target = `sqlite3://${path.join(dataDir, "r2.db")}`;
    const id = await tasks.startRestore(v, { volumeId: "demo", backup: broken, target }, "test");
    const job = await finished(id);
    expect(job.state).toBe("failed");
    await expectEmpty(target);
  });
});

describe("restore follow-ups", () => {
  it("offers to re-set a secret the dump removed, and stores it in the restored volume", async () => {
    const { gzipSync } = await import("node:zlib");
    const v = (await volumes.getVolume("demo"))!;
    const newest = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "auto")!.key;
    const json = gunzipSync(readFileSync(path.join(metaDir, newest))).toString("utf8");
    expect(json).not.toContain('"SecretKey"');
    const masked = json.replace('"BlockSize"', '"AccessKey": "AK1",\n    "SecretKey": "removed",\n    "BlockSize"');
    const name = "dump-2002-01-01-000000-masked.json.gz";
    writeFileSync(path.join(metaDir, name), gzipSync(masked));
    const target = `sqlite3://${path.join(dataDir, "r4.db")}`;
    const job = await finished(await tasks.startRestore(v, { volumeId: "demo", backup: name, target }, "test"));
    expect(job.state).toBe("succeeded");
    expect(job.result.secretRemoved).toBe(true);

    await tasks.setStorageSecret({ jobId: job.id, secretKey: "S3CRET", accessKey: "AK2" }, "test");
    const e = await openEngine(target);
    try {
      const s = (await e.readSetting())!;
      expect(s.SecretKey).toBe("S3CRET");
      expect(s.AccessKey).toBe("AK2");
    } finally {
      await e.close();
    }
    const store = await db.getDb();
    const audits = await store.audit.findMany({ where: { action: "set-secret" } });
    expect(JSON.stringify(audits)).not.toContain("S3CRET");
  });

  it("a restore cancelled at once leaves the target empty", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const newest = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "auto")!.key;
    const target = `sqlite3://${path.join(dataDir, "r5.db")}`;
    const id = await tasks.startRestore(v, { volumeId: "demo", backup: newest, target }, "test");
    const { cancelJob } = await import("./jobs");
    expect(cancelJob(id)).toBe(true);
    const job = await finished(id);
    expect(job.state).toBe("cancelled");
    await expectEmpty(target);
  });
});

describe("encrypted backups", () => {
  it("need the RSA key: preflight says so, and with the key the restore loads", async () => {
    const { encryptEnvelope, loadRsaPrivateKey } = await import("../dump/envelope");
    const { TEST_RSA_KEY, TEST_PASSPHRASE } = await import("../../test/support/envelope-keys");
    const v = (await volumes.getVolume("demo"))!;
    const plainKey = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "auto")!.key;
    const key = loadRsaPrivateKey(TEST_RSA_KEY, TEST_PASSPHRASE);
    const enc = "dump-2001-01-01-000000-enc.json.gz";
    writeFileSync(path.join(metaDir, enc), encryptEnvelope(readFileSync(path.join(metaDir, plainKey)), key));
    const row = (await volumes.volumeView(v)).backups!.find((b) => b.key === enc)!;
    expect(row.encrypted).toBe(true);

    const target = `sqlite3://${path.join(dataDir, "r3.db")}`;
    const without = await tasks.preflightRestore(v, { volumeId: "demo", backup: enc, target });
    expect(without.find((c) => c.id === "key")).toMatchObject({ ok: false, label: "Key needed" });
    // A key that loads but is not the volume's: refused before anything is written.
    const { generateKeyPairSync } = await import("node:crypto");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const wrong = await tasks.preflightRestore(v, { volumeId: "demo", backup: enc, target, key: { pem: other } });
    expect(wrong.find((c) => c.id === "key")?.ok).toBe(false);
    const ready = await tasks.preflightRestore(v, { volumeId: "demo", backup: enc, target, key: { pem: TEST_RSA_KEY, passphrase: TEST_PASSPHRASE } });
    expect(ready.find((c) => c.id === "key")).toMatchObject({ ok: true, label: "Key ready" });

    const id = await tasks.startRestore(v, { volumeId: "demo", backup: enc, target, key: { pem: TEST_RSA_KEY, passphrase: TEST_PASSPHRASE } }, "test");
    const job = await finished(id);
    expect(job.error).toBeNull();
    expect(job.state).toBe("succeeded");
    // The passphrase and key never reach the job's record.
    const store = await db.getDb();
    const rec = await store.job.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(rec)).not.toContain(TEST_PASSPHRASE);
    expect(JSON.stringify(rec)).not.toContain("PRIVATE KEY");
  });

  it("are opened with the CLI's policy: the other algorithm is tried, a damaged one is refused before loading", async () => {
    const { encryptEnvelope, loadRsaPrivateKey } = await import("../dump/envelope");
    const { TEST_RSA_KEY, TEST_PASSPHRASE } = await import("../../test/support/envelope-keys");
    const v = (await volumes.getVolume("demo"))!;
    const plainKey = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "auto")!.key;
    const key = loadRsaPrivateKey(TEST_RSA_KEY, TEST_PASSPHRASE);
    const sealed = encryptEnvelope(readFileSync(path.join(metaDir, plainKey)), key, { algo: "chacha20-rsa" });
    const chacha = "dump-2001-01-02-000000-chacha.json.gz";
    writeFileSync(path.join(metaDir, chacha), sealed);
    const pasted = { pem: TEST_RSA_KEY, passphrase: TEST_PASSPHRASE };
    // The volume names no algorithm (aes256gcm-rsa): chacha20-rsa is found by trying it.
    const ok = await tasks.startRestore(v, { volumeId: "demo", backup: chacha, target: `sqlite3://${path.join(dataDir, "policy-ok.db")}`, key: pasted }, "test");
    expect((await finished(ok)).state).toBe("succeeded");

    const damaged = "dump-2001-01-03-000000-damaged.json.gz";
    const bad = Buffer.from(sealed);
    bad[bad.length - 1] ^= 1;
    writeFileSync(path.join(metaDir, damaged), bad);
    const target = `sqlite3://${path.join(dataDir, "policy-damaged.db")}`;
    const failed = await finished(await tasks.startRestore(v, { volumeId: "demo", backup: damaged, target, key: pasted }, "test"));
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/does not authenticate/);
    // Nothing was loaded: the refusal came before the first byte reached the target.
    expect(failed.log).not.toMatch(/loading/);
    await expectEmpty(target);
  });
});

describe("automatic backup", () => {
  it("backs up now into meta/ with JuiceFS's name and records lastBackup", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const before = new Set((await volumes.volumeView(v)).backups!.map((b) => b.key));
    const id = await tasks.startBackupNow(v, "test");
    const job = await finished(id);
    expect(job.error).toBeNull();
    const key = job.result.backupKey as string;
    expect(key).toMatch(/^dump-\d{4}-\d\d-\d\d-\d{6}\.json\.gz$/);
    expect(before.has(key)).toBe(false);
    expect(existsSync(path.join(metaDir, key))).toBe(true);
    // Not due again right away: a cycle without force does nothing.
    const again = await tasks.runAutoBackup(v, { force: false });
    expect(again.status).toBe("not-due");
  });
});

describe("volume settings", () => {
  it("update the interval and overrides; a blank secret keeps the stored one; the audit hides it", async () => {
    await volumes.updateVolume("demo", { backupInterval: "2h", storage: { accessKey: "AK", secretKey: "first-secret" } }, "test");
    await volumes.updateVolume("demo", { backupInterval: "1.5h", storage: { accessKey: "AK" } }, "test");
    const v = (await volumes.getVolume("demo"))!;
    expect(v.backupInterval).toBe(5400);
    expect(v.storage.secretKey).toBe("first-secret");
    const store = await db.getDb();
    expect(JSON.stringify(await store.audit.findMany({ where: { action: "volume-update" } }))).not.toContain("first-secret");
    expect(volumes.parseInterval("1d12h")).toBe(129600);
    expect(() => volumes.parseInterval("soon")).toThrow(/not a duration/);
    // The dashboard reads the interval as the CLI's --interval is read (lib/storage/autobackup).
    expect(volumes.parseInterval("3600")).toBe(3600);
    expect(volumes.parseInterval("1h30m")).toBe(5400);
    expect(volumes.parseInterval("1.5d")).toBe(129600);
    expect(() => volumes.parseInterval("-5")).toThrow(/not a duration/);
    await volumes.updateVolume("demo", { backupInterval: "1h", storage: {} }, "test");
  });
});

describe("dump", () => {
  it("puts a manual backup into meta/ that the cleanup never rotates", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const id = await tasks.startDump(v, { target: "meta" }, "test");
    const job = await finished(id);
    expect(job.state).toBe("succeeded");
    const key = job.result.backupKey as string;
    expect(key).toMatch(/^dump-\d{4}-\d\d-\d\d-\d{6}-manual\.json\.gz$/);
    expect(existsSync(path.join(metaDir, key))).toBe(true);
    const row = (await volumes.volumeView(v)).backups!.find((b) => b.key === key)!;
    expect(row).toMatchObject({ kind: "manual", fate: "ignored", format: "gzip", encrypted: false });
  });

  it("downloads a plain JSON dump: it finishes, whole, through a stream that pushes back between the walk's reads", async () => {
    const v = (await volumes.getVolume("demo"))!;
    const job = await finished(await tasks.startDump(v, { target: "download" }, "test"));
    expect(job.error).toBeNull();
    expect(job.result.download).toBe("dump.json");
    const text = readFileSync(tasks.jobFile(job.id, "dump.json")!, "utf8");
    expect(text.startsWith("{\n  \"Setting\": {")).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("downloads a binary dump, which restores from meta/ as zstd (listed with its kind)", async () => {
    const v = (await volumes.getVolume("demo"))!;
    await expect(tasks.startDump(v, { target: "meta", binary: true }, "test")).rejects.toThrow(/backups in meta\/ are JSON/);
    const id = await tasks.startDump(v, { target: "download", binary: true, gzip: true }, "test");
    const job = await finished(id);
    expect(job.state).toBe("succeeded");
    expect(job.result.download).toBe("dump.bin.gz");
    expect(job.result.filename).toMatch(/\.bin\.gz$/);
    const bin = gunzipSync(readFileSync(tasks.jobFile(id, "dump.bin.gz")!));
    expect(bin.subarray(0, 4).toString("hex")).toBe("00000001");
    const { compress } = await import("zstd-napi");
    const key = "dump-2020-01-01-000000-manual.bin.zstd";
    writeFileSync(path.join(metaDir, key), compress(bin));
    const row = (await volumes.volumeView(v)).backups!.find((b) => b.key === key)!;
    expect(row).toMatchObject({ kind: "manual", format: "zstd" });
    const target = `sqlite3://${path.join(dataDir, "r-binary.db")}`;
    const restored = await finished(await tasks.startRestore(v, { volumeId: "demo", backup: key, target }, "test"));
    expect(restored.error).toBeNull();
    expect(restored.result.volume).toBe("demo");
    expect(Number(restored.result.usedInodes)).toBeGreaterThan(1000);
    // The same binary backup indexed for the tree viewer: as many entries as the JSON backup of
    // the same volume gives.
    const indexed = await finished(await tasks.startIndex(v, key, undefined, "test"));
    expect(indexed.error).toBeNull();
    const manual = (await volumes.volumeView(v)).backups!.find((b) => b.kind === "manual" && b.key.endsWith(".json.gz"))!.key;
    const fromJson = await finished(await tasks.startIndex(v, manual, undefined, "test"));
    expect(indexed.result.entries).toBe(fromJson.result.entries);
    expect(indexed.result.directories).toBe(fromJson.result.directories);
  });

  it("refuses a --subdir dump into meta/", async () => {
    const v = (await volumes.getVolume("demo"))!;
    await expect(tasks.startDump(v, { target: "meta", subdir: "/a" }, "test")).rejects.toThrow(/subdir/);
  });
});
