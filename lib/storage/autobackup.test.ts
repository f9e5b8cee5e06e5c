import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goldenPath } from "../../test/support/fixtures";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server";
import { startS3Server } from "../../test/support/s3-server";
import { tempDir } from "../../test/support/temp-dir";
import { decryptEnvelope, loadRsaPrivateKey } from "../dump/envelope";
import { TEST_RSA_KEY } from "../../test/support/envelope-keys";
import { openDumpInput } from "../dump/input";
import { loadMeta } from "../engines/load";
import { openEngine } from "../engines/open";
import type { MetaEngine } from "../engines/engine";
import { decryptSecret, encryptSecret } from "../jfs/secrets";
import type { Setting } from "../jfs/setting";
import {
  checkBackupInterval,
  cleanupBackups,
  decideBackup,
  diagnoseBackups,
  formatGoDuration,
  formatLastBackup,
  LAST_BACKUP_XATTR,
  parseBackupInterval,
  readBackupInterval,
  parseLastBackup,
  runBackupCycle,
  watchBackups,
} from "./autobackup";
import { listBackups } from "./backups";
import { backupName } from "./retention";
import { S3Store } from "./s3";
import { getBytes, listAll, type ObjectStore } from "./store";
import { openBackupSource } from "./source";
import { openVolumeStore } from "./volume";

const H = 3600_000;
const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");

describe("scheduler rules (docs/format/backups.md §1.2–§1.3), pure", () => {
  const now = new Date("2025-06-15T12:00:07Z");
  it("no xattr → back up; exactly one interval → back up; one second less → wait", () => {
    expect(decideBackup({ now, lastBackup: null, intervalMs: H, usedInodes: 10 })).toEqual({ action: "backup", fast: true });
    expect(decideBackup({ now, lastBackup: "2025-06-15T11:00:07Z", intervalMs: H, usedInodes: 10 }).action).toBe("backup");
    const w = decideBackup({ now, lastBackup: "2025-06-15T19:00:08+08:00", intervalMs: H, usedInodes: 10 });
    expect(w.action).toBe("wait");
    if (w.action === "wait") expect(w.due.toISOString()).toBe("2025-06-15T12:00:08.000Z");
  });
  it("an unparsable value blocks, with the fix", () => {
    const d = decideBackup({ now, lastBackup: Buffer.from("2025-06-15T11:00:07+0000"), intervalMs: H, usedInodes: 10 });
    expect(d.action).toBe("blocked");
    if (d.action === "blocked") expect(d.message).toMatch(/remove it/);
    expect(parseLastBackup("2025-06-15T11:00:07.123456789+08:00")?.toISOString()).toBe("2025-06-15T03:00:07.123Z");
    expect(parseLastBackup("2025-02-30T11:00:07Z")).toBeNull();
  });
  it("the 1M-inode rule: 1,000,000 backs up, 1,000,001 skips at 1h, not at 1h0m1s; fast mode below 100,000", () => {
    expect(decideBackup({ now, lastBackup: null, intervalMs: H, usedInodes: 1_000_000 })).toEqual({ action: "backup", fast: false });
    const s = decideBackup({ now, lastBackup: null, intervalMs: H, usedInodes: 1_000_001n });
    expect(s.action).toBe("skip");
    if (s.action === "skip") expect(s.message).toContain("too many inodes: 1000001 1h0m0s");
    expect(decideBackup({ now, lastBackup: null, intervalMs: H + 1000, usedInodes: 5_000_000 }).action).toBe("backup");
    expect(decideBackup({ now, lastBackup: null, intervalMs: H, usedInodes: 99_999 })).toEqual({ action: "backup", fast: true });
    expect(decideBackup({ now, lastBackup: null, intervalMs: H, usedInodes: 100_000 })).toEqual({ action: "backup", fast: false });
  });
  it("--backup-meta parsing and the 5-minute minimum", () => {
    expect(parseBackupInterval("90")).toBe(90_000);
    expect(parseBackupInterval("0.5")).toBe(500);
    expect(parseBackupInterval("1h30m50s")).toBe(H + 30 * 60_000 + 50_000);
    expect(parseBackupInterval("2d")).toBe(48 * H);
    expect(parseBackupInterval("1d12h")).toBe(36 * H);
    expect(parseBackupInterval("garbage")).toBe(0);
    expect(() => checkBackupInterval(4 * 60_000, {})).toThrow(/5-minute minimum/);
    expect(() => checkBackupInterval(4 * 60_000, { SKIP_BACKUP_META_CHECK: "true" })).not.toThrow();
    expect(formatGoDuration(H)).toBe("1h0m0s");
    expect(formatGoDuration(30 * 60_000)).toBe("30m0s");
    expect(formatGoDuration(H + 1000)).toBe("1h0m1s");
  });
  it("one reader of --backup-meta for the CLI and the dashboard: unreadable is null, not 0", () => {
    expect(readBackupInterval("garbage")).toBeNull();
    expect(readBackupInterval("")).toBeNull();
    expect(readBackupInterval("0")).toBe(0);
    expect(readBackupInterval("1.5d")).toBe(36 * H);
  });
  it("writes RFC3339 whole seconds", () => {
    expect(formatLastBackup(new Date("2025-06-15T12:00:07.999Z"))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect(formatLastBackup(new Date("2025-06-15T12:00:07.999Z"))).toBe("2025-06-15T12:00:07Z");
  });
});

describe("diagnoseBackups", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  const ago = (h: number) => new Date(now.getTime() - h * H);
  it("is ok while the newest backup is at most two intervals old", () => {
    expect(diagnoseBackups({ now, latest: ago(1.5), intervalMs: H, usedInodes: 10, lastBackup: null })).toEqual({ ok: true, message: "latest backup 1h30m0s ago" });
  });
  it("names the 1M-inode rule, a garbage lastBackup, failed uploads and missing clients", () => {
    expect(diagnoseBackups({ now, latest: ago(30), intervalMs: H, usedInodes: 5_000_000, lastBackup: "2026-11-25T06:00:00Z" }).message).toMatch(
      /30h0m0s old: backup metadata skipped because of too many inodes: 5000000 1h0m0s/,
    );
    expect(diagnoseBackups({ now, latest: ago(30), intervalMs: H, usedInodes: 5, lastBackup: "garbage" }).message).toMatch(/not an RFC3339 time/);
    expect(diagnoseBackups({ now, latest: ago(30), intervalMs: H, usedInodes: 5, lastBackup: "2026-11-26T11:30:00Z" }).message).toMatch(/failed or its upload went elsewhere/);
    expect(diagnoseBackups({ now, latest: null, intervalMs: H, usedInodes: 5, lastBackup: null }).message).toMatch(/there is no backup and one is due: no client/);
  });
});

describe("cleanup", () => {
  it("deletes nothing when the listing fails", async () => {
    let deletes = 0;
    const broken: ObjectStore = {
      describe: () => "broken://",
      // eslint-disable-next-line require-yield
      listRaw: async function* () {
        throw new Error("list failed");
      },
      get: async () => {
        throw new Error("no");
      },
      head: async () => null,
      put: async () => undefined,
      delete: async () => void deletes++,
    };
    const r = await cleanupBackups(broken, new Date());
    expect(r.deleted).toEqual([]);
    expect(r.errors[0]).toMatch(/list meta\/ failed, no cleanup/);
    expect(deletes).toBe(0);
  });

  it("a dry run and v1.3 rules go through the same loop, deleting nothing / keeping old backups", async () => {
    const deleted: string[] = [];
    const store: ObjectStore = {
      describe: () => "mem://",
      // eslint-disable-next-line require-yield
      listRaw: async function* () {
        throw new Error("not listed: the caller passes the names");
      },
      get: async () => {
        throw new Error("no");
      },
      head: async () => null,
      put: async () => undefined,
      delete: async (key: string) => void deleted.push(key),
    };
    const now = new Date("2026-06-01T12:00:00Z");
    const old = backupName(new Date("2023-01-01T00:00:00Z"));
    const names = [old, backupName(new Date("2026-06-01T10:00:00Z"))];
    const dry = await cleanupBackups(store, now, { names, dryRun: true });
    expect(dry.deleted).toEqual([old]);
    expect(deleted).toEqual([]);
    expect((await cleanupBackups(store, now, { names, version: "1.3" })).deleted).toEqual([]);
    expect((await cleanupBackups(store, now, { names })).deleted).toEqual([old]);
    expect(deleted).toEqual([`meta/${old}`]);
  });
});

describe("automatic backups on a private Redis", () => {
  let redis: RedisServer;
  /** Made in tests only: removed when the test finishes. */
  const tmp = () => tempDir("jfsmeta-autobackup-");
  let db = 0;
  /** A fresh DB with the golden sample loaded and its storage pointed at a temp dir. */
  async function volume(tweak: (s: Setting) => Setting = (s) => s): Promise<{ url: string; engine: MetaEngine; bucket: string }> {
    const url = redis.db(++db);
    const engine = await openEngine(url);
    await loadMeta(engine, await openDumpInput(goldenPath("metadata.sample")));
    const bucket = tmp() + "/";
    const s = (await engine.readSetting())!;
    await engine.writeSetting(tweak({ ...s, Storage: "file", Bucket: bucket, EncryptKey: "", KeyEncrypted: true }));
    return { url, engine, bucket };
  }

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("backs up once per interval, writes lastBackup, uploads a gzip JSON dump and cleans up", async () => {
    const { engine } = await volume();
    try {
      const t = new Date("2026-11-26T10:00:00.400Z");
      const r = await runBackupCycle(engine, { now: () => t, tmpDir: tmp() });
      expect(r.status, r.message).toBe("done");
      expect(r.name).toBe("dump-2026-11-26-100000.json.gz");
      expect((await engine.getXattr(1n, LAST_BACKUP_XATTR))?.toString()).toBe("2026-11-26T10:00:00Z");
      const store = openVolumeStore((await engine.readSetting())!).store;
      const [b] = await listBackups(store);
      expect(b.kind).toBe("gzip");
      const json = JSON.parse(gunzipSync(await getBytes(store, b.key)).toString());
      expect(json.Setting.Name).toBe("load-dump-test");
      expect(json.FSTree.xattrs).toContainEqual({ name: "lastBackup", value: "2026-11-26T10:00:00Z" });

      const again = await runBackupCycle(engine, { now: () => new Date(t.getTime() + 59 * 60_000) });
      expect(again.status).toBe("not-due");
      expect(again.due?.toISOString()).toBe("2026-11-26T11:00:00.000Z");
      // An hour later it backs up again, and retention runs with that backup's time.
      // Two older backups in the 2–3 day window of the next run: the younger goes.
      const now3 = t.getTime() + H;
      await store.put("meta/" + backupName(new Date(now3 - 66 * H)), Buffer.from("older"));
      await store.put("meta/" + backupName(new Date(now3 - 60 * H)), Buffer.from("younger"));
      const third = await runBackupCycle(engine, { now: () => new Date(now3) });
      expect(third.status).toBe("done");
      expect(third.cleanup?.deleted).toEqual([backupName(new Date(now3 - 60 * H))]);
      expect((await listBackups(store, { sniff: false })).length).toBe(3);
    } finally {
      await engine.close();
    }
  });

  it("`jfsmeta backups` lists fates as JSON, and --cleanup [--dry-run] applies the policy", async () => {
    const { url, engine } = await volume();
    const now = Date.parse("2026-11-26T12:00:00Z");
    const names = [now - 1 * H, now - 60 * H, now - 66 * H, now - 10 * 24 * H].map((t) => backupName(new Date(t)));
    try {
      const store = openVolumeStore((await engine.readSetting())!).store;
      for (const n of names) await store.put("meta/" + n, gzipSync("{}"));
      await store.put("meta/notes.txt", Buffer.from("kept: not a backup name"));
      const cli = (...args: string[]) => exec(process.execPath, [path.join(ROOT, "bin/jfsmeta.mjs"), "backups", url, "--now", "2026-11-26T12:00:00Z", ...args], { cwd: ROOT });
      const listing = JSON.parse((await cli("--json")).stdout);
      const fate = Object.fromEntries(listing.items.map((i: { name: string; fate: string; kind: string }) => [i.name, `${i.fate}/${i.kind}`]));
      expect(fate).toEqual({
        [names[3]]: "kept/gzip",
        [names[2]]: "kept/gzip",
        [names[1]]: "deleted/gzip",
        [names[0]]: "kept/gzip",
        "notes.txt": "ignored/unknown",
      });
      expect((await cli("--cleanup", "--dry-run")).stdout).toBe(`would delete meta/${names[1]}\n`);
      expect((await listBackups(store, { sniff: false })).length).toBe(5);
      expect((await cli("--cleanup")).stdout).toBe(`deleted meta/${names[1]}\n`);
      expect((await listBackups(store, { sniff: false })).map((b) => b.name)).not.toContain(names[1]);
      const table = (await cli()).stdout;
      expect(table).toContain("kept: the oldest backup in the daily window 2–3 days old");
    } finally {
      await engine.close();
    }
  });

  it("watchBackups polls every interval/10 and backs up when due, until aborted", async () => {
    const { engine } = await volume();
    try {
      const ac = new AbortController();
      const results: string[] = [];
      await watchBackups(engine, {
        intervalMs: 1000,
        tmpDir: tmp(),
        signal: ac.signal,
        onResult: (r) => {
          results.push(r.status);
          if (results.includes("done") && results.at(-1) === "not-due") ac.abort();
        },
      });
      expect(results[0]).toBe("done"); // lastBackup (2021) is long past
      expect(results.at(-1)).toBe("not-due");
    } finally {
      await engine.close();
    }
  });

  it("encrypted volumes get one envelope over the gzip, decryptable with the volume key", async () => {
    const { engine, url } = await volume((s) => ({ ...s, EncryptKey: encryptSecret(TEST_RSA_KEY, s.UUID), EncryptAlgo: "chacha20-rsa" }));
    try {
      const r = await runBackupCycle(engine, { now: () => new Date("2026-11-26T10:00:00Z"), tmpDir: tmp() });
      expect(r.status, r.message).toBe("done");
      expect(r.encrypted).toBe(true);
      const store = openVolumeStore((await engine.readSetting())!).store;
      const [b] = await listBackups(store);
      expect(b.kind).toBe("encrypted");
      const plain = gunzipSync(decryptEnvelope(await getBytes(store, b.key), loadRsaPrivateKey(TEST_RSA_KEY, ""), "chacha20-rsa"));
      expect(JSON.parse(plain.toString()).Setting.EncryptAlgo).toBe("chacha20-rsa");
      // Restore straight from the volume's storage with its own key: load into an empty DB.
      const src = await openBackupSource("latest", { metaUrl: url, tmpDir: tmp() });
      expect(src.decrypted).toBe(true);
      const target = await openEngine(redis.db(++db));
      try {
        const loaded = await loadMeta(target, await openDumpInput(src.stream));
        expect(loaded.volume).toBe("load-dump-test");
        expect((await target.readSetting())?.EncryptAlgo).toBe("chacha20-rsa");
      } finally {
        await target.close();
      }
    } finally {
      await engine.close();
    }
  });

  it("over 1M inodes an hourly backup fails with the reason and the fix; --force still backs up", async () => {
    const { url, engine } = await volume();
    const direct = new Redis(url);
    try {
      await direct.set("totalInodes", "1000001"); // our private DB: pretend the volume is large
      const r = await runBackupCycle(engine, { intervalMs: H });
      expect([r.status, r.reason]).toEqual(["failed", "too-many-inodes"]);
      expect(r.message).toMatch(/too many inodes: 1000001 1h0m0s.*longer interval/);
      expect((await engine.getXattr(1n, LAST_BACKUP_XATTR))?.toString()).toBe("2021-11-23T18:29:54+08:00");
      expect((await runBackupCycle(engine, { intervalMs: 2 * H, tmpDir: tmp() })).status).toBe("done");
      const forced = await runBackupCycle(engine, { intervalMs: H, force: true, now: () => new Date(Date.now() + 5000), tmpDir: tmp() });
      expect(forced.status, forced.message).toBe("done");
    } finally {
      direct.disconnect();
      await engine.close();
    }
  });

  it("a garbage lastBackup or a missing key passphrase fail with the reason, and do not claim the interval", async () => {
    const { engine } = await volume();
    try {
      // the golden sample carries lastBackup 2021-11-23T18:29:54+08:00
      const current = await engine.getXattr(1n, LAST_BACKUP_XATTR);
      expect(current?.toString()).toBe("2021-11-23T18:29:54+08:00");
      expect(await engine.compareAndSetXattr(1n, LAST_BACKUP_XATTR, current, Buffer.from("yesterday"))).toBe(true);
      const r = await runBackupCycle(engine);
      expect([r.status, r.reason]).toEqual(["failed", "bad-lastBackup"]);
      expect((await runBackupCycle(engine, { force: true, tmpDir: tmp() })).status).toBe("done");
    } finally {
      await engine.close();
    }
    const enc = await volume((s) => ({ ...s, EncryptKey: encryptSecret("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", s.UUID) }));
    try {
      const saved = process.env.JFS_RSA_PASSPHRASE;
      delete process.env.JFS_RSA_PASSPHRASE;
      const r = await runBackupCycle(enc.engine);
      if (saved !== undefined) process.env.JFS_RSA_PASSPHRASE = saved;
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/JFS_RSA_PASSPHRASE/);
      expect((await enc.engine.getXattr(1n, LAST_BACKUP_XATTR))?.toString()).toBe("2021-11-23T18:29:54+08:00");
    } finally {
      await enc.engine.close();
    }
  });

  it("backs up to S3 after a load: the removed secret is named, then given by JFSMETA_SECRET_KEY", async () => {
    const s3 = await startS3Server(["jfs"]);
    const { url, engine } = await volume((st) => ({ ...st, Storage: "s3", Bucket: `${s3.endpoint}/jfs`, AccessKey: s3.accessKey, SecretKey: "removed" }));
    await engine.close();
    try {
      const bin = path.join(ROOT, "bin/jfsmeta.mjs");
      const failed = await exec(process.execPath, [bin, "backup", url], { cwd: ROOT }).catch((e) => e);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/secret key was removed.*--secret-key/);
      const env = { ...process.env, JFSMETA_SECRET_KEY: s3.secretKey };
      const ok = JSON.parse((await exec(process.execPath, [bin, "backup", "--json", url], { cwd: ROOT, env })).stdout);
      expect(ok.status).toBe("done");
      expect(ok.location).toMatch(new RegExp(`/jfs/load-dump-test/meta/dump-\\d{4}-\\d\\d-\\d\\d-\\d{6}\\.json\\.gz$`));
      expect(ok.location).not.toContain(s3.secretKey);
      const raw = new S3Store({ bucket: "jfs", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, tls: false }, { accessKey: s3.accessKey, secretKey: s3.secretKey });
      const keys = (await listAll(raw, "")).map((o) => o.key);
      expect(keys).toEqual([`load-dump-test/meta/${ok.name}`]);
      const table = (await exec(process.execPath, [bin, "backups", url, "--secret-key", s3.secretKey], { cwd: ROOT })).stdout;
      expect(table).toContain(`${ok.name}`);
      expect(table).toContain("gzip");
    } finally {
      await s3.stop();
    }
  });

  it("two `jfsmeta backup` runs started together produce one backup", async () => {
    const { url, engine, bucket } = await volume();
    await engine.close();
    const cli = () => exec(process.execPath, [path.join(ROOT, "bin/jfsmeta.mjs"), "backup", "--json", url], { cwd: ROOT }).then((r) => JSON.parse(r.stdout.trim()));
    const results = await Promise.all([cli(), cli()]);
    expect(results.map((r) => r.status).sort()).toEqual(["done", "not-due"]);
    const engine2 = await openEngine(url);
    try {
      const store = openVolumeStore({ ...(await engine2.readSetting())!, Bucket: bucket }).store;
      expect((await listBackups(store)).length).toBe(1);
    } finally {
      await engine2.close();
    }
  });

  it("after loading a dump whose secret is removed, `jfsmeta config --secret-key` makes the setting whole", async () => {
    const url = redis.db(++db);
    const engine = await openEngine(url);
    try {
      const r = await loadMeta(engine, await openDumpInput(goldenPath("metadata.sample")));
      expect(r.secretRemoved).toBe(true);
      const before = (await engine.readSetting())!;
      expect(before.SecretKey).toBe("removed");
      const { stderr } = await exec(process.execPath, [path.join(ROOT, "bin/jfsmeta.mjs"), "config", url, "--secret-key", "s3cr3t", "--access-key", "AK", "--force"], { cwd: ROOT }); // the sample's bucket is not here: no probe
      expect(stderr).not.toContain("s3cr3t");
      const after = (await engine.readSetting())!;
      expect(after.KeyEncrypted).toBe(true);
      expect(after.SecretKey).not.toBe("s3cr3t");
      expect(decryptSecret(after.SecretKey!, after.UUID)).toBe("s3cr3t");
      expect(after.AccessKey).toBe("AK");
      expect(decryptSecret(after.EncryptKey!, after.UUID, "EncryptKey")).toBe(decryptSecret(before.EncryptKey!, before.UUID, "EncryptKey"));
    } finally {
      await engine.close();
    }
  });
});

describe("automatic backups read one moment where it is cheap", () => {
  /** A SQLite volume (the golden sample) whose storage is a temp dir. */
  async function sqliteVolume(): Promise<MetaEngine> {
    const engine = await openEngine(`sqlite3://${tempDir("jfsmeta-autobackup-sql-")}/v.db`);
    await loadMeta(engine, await openDumpInput(goldenPath("metadata.sample")));
    const s = (await engine.readSetting())!;
    await engine.writeSetting({ ...s, Storage: "file", Bucket: tempDir("jfsmeta-autobackup-sql-") + "/", EncryptKey: "", KeyEncrypted: true });
    return engine;
  }

  it("SQL: consistent by default (the result says as of when); consistent: false dumps the live database", async () => {
    const engine = await sqliteVolume();
    try {
      const before = Date.now();
      const r = await runBackupCycle(engine, { force: true, tmpDir: tempDir("jfsmeta-autobackup-") });
      expect(r.status, r.message).toBe("done");
      expect(r.snapshotAt).toBeInstanceOf(Date);
      expect(r.snapshotAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      const live = await runBackupCycle(engine, { force: true, consistent: false, now: () => new Date(Date.now() + 2000), tmpDir: tempDir("jfsmeta-autobackup-") });
      expect(live.status, live.message).toBe("done");
      expect(live.snapshotAt).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it("Redis: its consistent read copies the data into a replica, so backups stay live unless asked", async () => {
    const redis = await startRedisServer();
    const engine = await openEngine(redis.db(1));
    try {
      expect(engine.beginConsistentRead).toBeTypeOf("function");
      expect(engine.consistentReadIsCheap).toBeFalsy();
    } finally {
      await engine.close();
      await redis.stop();
    }
  });
});
