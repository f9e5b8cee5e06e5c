// Automatic backups made by a real `juicefs gateway --backup-meta` (issue #14, item 5), on a
// plain volume and on encrypted ones (both algorithms): jfsmeta lists, verifies and restores
// them, and the restore dumps as `juicefs load` of the same backup does.
import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { juicefs, juicefsBin, startGateway } from "../support/juicefs";
import { freePort } from "../support/redis-server";
import { tempDir } from "../support/temp-dir";
import { jfsmeta, startEngine, type EngineTarget } from "./harness";

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
  { name: "plain", format: [] as string[] },
  { name: "aes256gcm-rsa", format: ["--encrypt-algo", "aes256gcm-rsa"] },
  { name: "chacha20-rsa", format: ["--encrypt-algo", "chacha20-rsa"] },
];

describe.each(VOLUMES)("$name volume", ({ name, format }) => {
  let url: string;
  const bucket = path.join(tmp, `${name}-bucket`);
  const keyFile = path.join(tmp, `${name}-key.pem`);
  const encrypted = format.length > 0;
  const metaDir = () => path.join(bucket, `bk-${name.replace(/[^a-z0-9]/g, "")}`, "meta");

  beforeAll(async () => {
    url = await sqlite.fresh();
    const keyFlags: string[] = [];
    if (encrypted) {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
      writeFileSync(keyFile, privateKey, { mode: 0o600 });
      keyFlags.push("--encrypt-rsa-key", keyFile, ...format);
    }
    await juicefs(["format", url, `bk-${name.replace(/[^a-z0-9]/g, "")}`, "--storage", "file", "--bucket", bucket, "--trash-days", "1", ...keyFlags]);
    // JuiceFS refuses intervals under a minute unless told to skip the check.
    const gw = await startGateway(url, await freePort(), { args: ["--backup-meta", "2s"], env: { SKIP_BACKUP_META_CHECK: "true" } });
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const names = (() => {
          try {
            return readdirSync(metaDir()).filter((n) => n.startsWith("dump-"));
          } catch {
            return [];
          }
        })();
        if (names.length >= 2) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await gw.stop();
    }
  });

  it("jfsmeta lists the gateway's backups, verifies the latest, and restores it as juicefs load does", async () => {
    const names = readdirSync(metaDir()).filter((n) => n.startsWith("dump-")).sort();
    expect(names.length).toBeGreaterThanOrEqual(2);
    const listing = await jfsmeta(["backups", url, "--json"]);
    const listed = JSON.stringify(JSON.parse(listing.stdout.toString()));
    for (const n of names) expect(listed).toContain(n);
    if (encrypted) expect(listed).toContain("encrypted");

    const keyFlags = encrypted ? ["--encrypt-rsa-key", keyFile] : [];
    const verify = await jfsmeta(["verify", "latest", "--from-volume", url, ...keyFlags]);
    expect(verify.stdout.toString()).toContain("OK");

    const latest = path.join(metaDir(), names[names.length - 1]);
    const [theirs, ours] = [await sqlite.fresh(), await sqlite.fresh()];
    await juicefs(["load", theirs, latest, ...keyFlags, ...format]); // JuiceFS must be told the algorithm; jfsmeta tries both
    await jfsmeta(["load", ours, path.basename(latest), "--from-volume", url, ...keyFlags, "--quiet"]);
    const [j, m] = [await jfsmeta(["dump", theirs, "--keep-secret-key"]), await jfsmeta(["dump", ours, "--keep-secret-key"])];
    expect(m.stdout.toString("latin1")).toBe(j.stdout.toString("latin1"));
    // JuiceFS reads what jfsmeta restored.
    const jd = await juicefs(["dump", ours, path.join(tmp, `${name}-restored.json`)]);
    expect(jd.code).toBe(0);
    expect(readFileSync(path.join(tmp, `${name}-restored.json`)).toString()).toContain(`"Name": "bk-`);
  });
});
