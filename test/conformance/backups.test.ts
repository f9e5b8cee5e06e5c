// Automatic backups beside a real `juicefs gateway --backup-meta` (issue #14, items 5 and 6), on
// a plain volume and on encrypted ones (both algorithms; one key behind a passphrase, which both
// tools read from JFS_RSA_PASSPHRASE): jfsmeta lists, verifies and restores the gateway's
// backups as `juicefs load` does; the restore, its secret key set again by `juicefs config`,
// is served by a gateway as the volume was; and jfsmeta's own backups load with `juicefs load`.
import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { juicefs, juicefsBin, startGateway } from "../support/juicefs";
import { freePort } from "../support/redis-server";
import { tempDir } from "../support/temp-dir";
import { jfsmeta, putFiles, startEngine, viewThrough, viewVolume, type EngineTarget, type GatewayView } from "./harness";
import { parseBackupTime } from "../../lib/storage/retention";

const tmp = tempDir("jfsmeta-conformance-backup-");
let sqlite: EngineTarget;

beforeAll(async () => {
  juicefsBin();
  sqlite = await startEngine("sqlite3");
});
afterAll(async () => {
  await sqlite?.stop();
});

const VOLUMES = [
  { name: "plain", algo: "", passphrase: "" },
  { name: "aes256gcm-rsa", algo: "aes256gcm-rsa", passphrase: "" },
  { name: "chacha20-rsa", algo: "chacha20-rsa", passphrase: "conformance passphrase" },
];
/** Files written through the gateway before the backups that are restored. */
const FILES = 24;
const STAT = ["docs/file-0.txt", "100% done/file-2.txt", "名前/file-3.txt"];
const SECRET = "sk-secret";

/** A backup's dump, the Counters left out: every load recomputes them (clients allocate inodes and slices ahead). */
const withoutCounters = (file: string) => readFileSync(file, "latin1").replace(/"Counters": \{[^}]*\}/, "");

describe.each(VOLUMES)("$name volume", ({ name, algo, passphrase }) => {
  let url: string;
  /** The database jfsmeta restored the gateway's latest backup into. */
  let restored: string;
  /** The volume as the gateway served it once every file was written. */
  let written: GatewayView;
  const volume = `bk-${name.replace(/[^a-z0-9]/g, "")}`;
  const bucket = path.join(tmp, `${name}-bucket`);
  const keyFile = path.join(tmp, `${name}-key.pem`);
  const metaDir = path.join(bucket, volume, "meta");
  const out = (what: string) => path.join(tmp, `${name}-${what}.json`);
  const env: Record<string, string> = passphrase ? { JFS_RSA_PASSPHRASE: passphrase } : {};
  /** How both tools are given the key; JuiceFS must also be told the algorithm (jfsmeta tries both). */
  const keyFlags = algo ? ["--encrypt-rsa-key", keyFile] : [];
  const algoFlags = algo ? ["--encrypt-algo", algo] : [];
  const backups = () => {
    try {
      return readdirSync(metaDir).filter((n) => n.startsWith("dump-")).sort();
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    url = await sqlite.fresh();
    if (algo) {
      // A passphrase makes a legacy encrypted PKCS#1 PEM (Proc-Type: 4,ENCRYPTED), the kind JuiceFS reads.
      const { privateKey } = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        privateKeyEncoding: { type: "pkcs1", format: "pem", ...(passphrase ? { cipher: "aes-256-cbc", passphrase } : {}) },
        publicKeyEncoding: { type: "spki", format: "pem" },
      });
      writeFileSync(keyFile, privateKey, { mode: 0o600 });
    }
    await juicefs(["format", url, volume, "--storage", "file", "--bucket", bucket, "--trash-days", "1", "--access-key", "ak", "--secret-key", SECRET, ...keyFlags, ...algoFlags], { env });
    // JuiceFS refuses intervals under a minute unless told to skip the check.
    const gw = await startGateway(url, await freePort(), { args: ["--backup-meta", "2s"], env: { SKIP_BACKUP_META_CHECK: "true", ...env } });
    try {
      await putFiles(gw, FILES, 31);
      written = await viewThrough(gw, STAT);
      // Wait for a backup that started after the last write (names are whole seconds, rounded down).
      const wroteAt = Date.now();
      const deadline = wroteAt + 60_000;
      while (Date.now() < deadline) {
        const names = backups();
        if (names.length >= 2 && parseBackupTime(names.at(-1)!)!.getTime() > wroteAt) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await gw.stop();
    }
  });

  it("jfsmeta lists the gateway's backups, verifies the latest, and restores it as juicefs load does", async () => {
    const names = backups();
    expect(names.length).toBeGreaterThanOrEqual(2);
    const listing = await jfsmeta(["backups", url, "--json"]);
    const listed = JSON.stringify(JSON.parse(listing.stdout.toString()));
    for (const n of names) expect(listed).toContain(n);
    if (algo) expect(listed).toContain("encrypted");

    const verify = await jfsmeta(["verify", "latest", "--from-volume", url, ...keyFlags], { env });
    expect(verify.stdout.toString()).toContain("OK");

    const latest = path.join(metaDir, names.at(-1)!);
    const theirs = await sqlite.fresh();
    restored = await sqlite.fresh();
    await juicefs(["load", theirs, latest, ...keyFlags, ...algoFlags], { env });
    await jfsmeta(["load", restored, path.basename(latest), "--from-volume", url, ...keyFlags, "--quiet"], { env });
    const [j, m] = [await jfsmeta(["dump", theirs, "--keep-secret-key"]), await jfsmeta(["dump", restored, "--keep-secret-key"])];
    expect(m.stdout.toString("latin1")).toBe(j.stdout.toString("latin1"));
    // JuiceFS reads what jfsmeta restored.
    await juicefs(["dump", restored, out("restored")]);
    expect(readFileSync(out("restored"), "utf8")).toContain(`"Name": "${volume}"`);
  });

  it("item 6: a gateway refuses the restore until juicefs config --secret-key sets its secret again, then serves it as the volume was (listing, stat)", async () => {
    expect(restored, "the restore of the previous test").toBeTruthy();
    // The backup masked the secret; the restored volume holds "removed" until an operator sets it.
    expect((await jfsmeta(["dump", restored, "--keep-secret-key"])).stdout.toString()).toContain(`"SecretKey": "removed"`);
    await expect(viewVolume(restored, STAT, env)).rejects.toThrow(/secret was removed/);
    await juicefs(["config", restored, "--secret-key", SECRET], { env });
    const after = await viewVolume(restored, STAT, env);
    expect(after.listed.length).toBe(FILES);
    expect(after).toEqual(written);
  });

  it("jfsmeta's own backup of the volume loads with juicefs load (the key as JuiceFS takes it) to what juicefs dumps of the volume", async () => {
    const r = await jfsmeta(["backup", url, "--force", "--json", "--quiet"], { env });
    const result = JSON.parse(r.stdout.toString()) as { status: string; name: string; encrypted: boolean };
    expect(result).toMatchObject({ status: "done", encrypted: !!algo });
    const file = path.join(metaDir, result.name);
    // Encrypted backups are an envelope, not gzip.
    expect(readFileSync(file).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(!algo);

    const loaded = await sqlite.fresh();
    if (algo) {
      // Sealed with the volume's own algorithm: JuiceFS told the other one cannot open it.
      const other = algo === "chacha20-rsa" ? "aes256gcm-rsa" : "chacha20-rsa";
      const wrong = await juicefs(["load", await sqlite.fresh(), file, ...keyFlags, "--encrypt-algo", other], { env, allowFailure: true });
      expect(wrong.code).not.toBe(0);
    }
    await juicefs(["load", loaded, file, ...keyFlags, ...algoFlags], { env });
    await juicefs(["dump", loaded, out("own-loaded")]);
    await juicefs(["dump", url, out("own-source")]);
    expect(withoutCounters(out("own-loaded"))).toBe(withoutCounters(out("own-source")));
  });
});
