// Automatic backups on etcd: `jfsmeta backup` elects one client per interval with an etcd
// transaction (compare the lastBackup value, then put), and each backup reads one revision.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { goldenPath } from "../../support/fixtures";
import { tempDir } from "../../support/temp-dir";
import { privateEtcd } from "../../support/etcd-volumes";
import { openDumpInput } from "../../../lib/dump/input";
import { loadMeta } from "../../../lib/engines/load";
import { openEtcd } from "../../../lib/engines/etcd";
import { listBackups } from "../../../lib/storage/backups";
import { openVolumeStore } from "../../../lib/storage/volume";
import { LAST_BACKUP_XATTR, runBackupCycle } from "../../../lib/storage/autobackup";

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..", "..");
const etcd = privateEtcd();

/** The golden sample under a fresh prefix, its storage a temp dir. */
async function volume(): Promise<{ url: string; bucket: string }> {
  const url = etcd.server.fresh();
  const engine = await openEtcd(url);
  try {
    await loadMeta(engine, await openDumpInput(goldenPath("metadata.sample")));
    const bucket = tempDir("jfsmeta-etcd-backup-") + "/";
    const s = (await engine.readSetting())!;
    await engine.writeSetting({ ...s, Storage: "file", Bucket: bucket, EncryptKey: "", KeyEncrypted: true });
    return { url, bucket };
  } finally {
    await engine.close();
  }
}

describe("etcd: automatic backups", () => {
  it("two `jfsmeta backup` runs started together produce one backup", async () => {
    const { url, bucket } = await volume();
    const cli = () => exec(process.execPath, [path.join(ROOT, "bin/jfsmeta.mjs"), "backup", "--json", url], { cwd: ROOT }).then((r) => JSON.parse(r.stdout.trim()));
    const results = await Promise.all([cli(), cli()]);
    expect(results.map((r) => r.status).sort()).toEqual(["done", "not-due"]);
    const engine = await openEtcd(url);
    try {
      const store = openVolumeStore({ ...(await engine.readSetting())!, Bucket: bucket }).store;
      expect((await listBackups(store)).length).toBe(1);
      expect((await engine.getXattr(1n, LAST_BACKUP_XATTR))?.toString()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      await engine.close();
    }
  });

  it("a backup reads one revision, by default", async () => {
    const { url } = await volume();
    const engine = await openEtcd(url);
    try {
      expect(engine.consistentReadIsCheap).toBe(true);
      const r = await runBackupCycle(engine, { force: true, tmpDir: tempDir("jfsmeta-etcd-backup-") });
      expect(r.status, r.message).toBe("done");
      expect(r.snapshotAt).toBeInstanceOf(Date);
    } finally {
      await engine.close();
    }
  });
});
