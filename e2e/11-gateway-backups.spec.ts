// The dashboard over automatic backups made by a real `juicefs gateway --backup-meta` (issue #14,
// items 5 and 6): on a plain volume, listed and verified; on a volume encrypted with chacha20-rsa
// and a key behind a passphrase, listed, inspected, checked against the key and restored as
// `juicefs load` restores them; the secret key set again from the restore page is the one
// JuiceFS reads, and a gateway over the restore serves the files it served before. (Verify in
// the dashboard takes no key: an encrypted backup is verified by the CLI, conformance suite.)
import { expect, test } from "@playwright/test";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { putFiles, viewThrough, viewVolume, type GatewayView } from "../test/conformance/harness";
import { juicefs, startGateway } from "../test/support/juicefs";
import { freePort } from "../test/support/redis-server";
import { parseBackupTime } from "../lib/storage/retention";
import { cli, login, scratchDir, shot } from "./helpers";

const SECRET = "sk-gateway-secret";
const PASSPHRASE = "e2e passphrase";
const env = { JFS_RSA_PASSPHRASE: PASSPHRASE };
const STAT = ["docs/file-0.txt", "100% done/file-2.txt", "名前/file-3.txt"];

function rsaKey(passphrase?: string): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    // With a passphrase: a legacy encrypted PKCS#1 PEM (Proc-Type: 4,ENCRYPTED), the kind JuiceFS reads.
    privateKeyEncoding: { type: "pkcs1", format: "pem", ...(passphrase ? { cipher: "aes-256-cbc", passphrase } : {}) },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}

interface GatewayVolume {
  meta: string;
  metaDir: string;
  /** Its backups, oldest first. */
  names: string[];
  /** The volume as the gateway served it once every file was written. */
  written: GatewayView;
}

/** A volume formatted by JuiceFS in `dir`, files written through its gateway, which backs it up every 2 s. */
async function gatewayVolume(dir: string, name: string, formatFlags: string[] = []): Promise<GatewayVolume> {
  mkdirSync(dir);
  const meta = `sqlite3://${path.join(dir, "meta.db")}`;
  const metaDir = path.join(dir, "bucket", name, "meta");
  await juicefs(["format", meta, name, "--storage", "file", "--bucket", path.join(dir, "bucket"), "--access-key", "ak", "--secret-key", SECRET, ...formatFlags], { env });
  const backups = () => readdirSync(metaDir).filter((n) => n.startsWith("dump-")).sort();
  const gw = await startGateway(meta, await freePort(), { args: ["--backup-meta", "2s"], env: { SKIP_BACKUP_META_CHECK: "true", ...env } });
  try {
    await putFiles(gw, 12, 41);
    const written = await viewThrough(gw, STAT);
    const wroteAt = Date.now();
    // Two backups at least, the newest started after the last write (names are whole seconds).
    await expect.poll(() => backups().length >= 2 && parseBackupTime(backups().at(-1)!)!.getTime() > wroteAt, { timeout: 30_000 }).toBe(true);
    return { meta, metaDir, names: backups(), written };
  } finally {
    await gw.stop();
  }
}

test("backups of juicefs gateways: listed and verified (plain), inspected, key-checked and restored (encrypted); the restore serves the same files", async ({ page }) => {
  const dir = scratchDir("gateway-");
  const keyFile = path.join(dir, "key.pem");
  const pem = rsaKey(PASSPHRASE);
  writeFileSync(keyFile, pem, { mode: 0o600 });
  const [plain, sealed] = await Promise.all([
    gatewayVolume(path.join(dir, "plain"), "gwplain"),
    gatewayVolume(path.join(dir, "sealed"), "gwsealed", ["--encrypt-rsa-key", keyFile, "--encrypt-algo", "chacha20-rsa"]),
  ]);
  await login(page);
  const add = async (v: GatewayVolume, name: string): Promise<string> => {
    await page.goto("/volumes/new");
    await page.getByLabel("META-URL").fill(v.meta);
    await page.getByRole("button", { name: "Test and add" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByTestId("backup-row")).toHaveCount(v.names.length);
    return new URL(page.url()).pathname.split("/")[2];
  };

  // The plain volume: every backup listed; the newest verified as load checks it.
  await add(plain, "gwplain");
  const rows = page.getByTestId("backup-row");
  for (const n of plain.names) await expect(rows.filter({ hasText: n })).not.toContainText("encrypted");
  const newestRow = rows.filter({ hasText: plain.names.at(-1)! });
  await newestRow.locator("td").first().click();
  const detail = page.getByTestId("backup-detail");
  await detail.getByRole("button", { name: "Verify" }).click();
  await expect(newestRow.getByTestId("backup-verify")).toHaveAttribute("data-verify", "ok");
  await expect(detail.getByTestId("detail-verify")).toContainText(/entries, [\d,]+ inodes/);

  // The encrypted volume: every backup listed as encrypted.
  const volumeId = await add(sealed, "gwsealed");
  for (const n of sealed.names) await expect(rows.filter({ hasText: n })).toContainText("encrypted");
  const newest = sealed.names.at(-1)!;

  // Inspected with the key: the directories and files written through the gateway.
  await page.goto(`/volumes/${volumeId}/inspect?backup=${newest}`);
  await page.getByText("Encrypted backup? RSA private key").click();
  await page.getByPlaceholder("-----BEGIN RSA PRIVATE KEY-----").fill(pem);
  await page.getByPlaceholder("passphrase (JFS_RSA_PASSPHRASE)").fill(PASSPHRASE);
  await page.getByRole("button", { name: "Open for inspection" }).click();
  await expect(page.getByTestId("tree-list")).toBeVisible({ timeout: 60_000 });
  for (const name of ["docs", "100% done", "名前"]) await expect(page.locator(`[data-testid="tree-row"][data-name="${name}"]`)).toBeVisible();
  await page.locator('[data-testid="open-dir"][data-name="docs"]').click();
  await expect(page.locator('[data-testid="tree-row"][data-name="file-0.txt"]')).toBeVisible();

  // Restore: a key that is not the volume's is refused before anything is written…
  await page.goto(`/restore?volume=${volumeId}&backup=${newest}`);
  const target = await page.getByLabel("SQLite target").inputValue();
  await page.getByLabel("RSA private key (PEM)").fill(rsaKey());
  await page.getByRole("button", { name: "Check only" }).click();
  await expect(page.getByTestId("preflight").locator('li[data-ok="false"]')).toContainText("Key needed");
  // …the volume's key unwraps the backup, which restores as juicefs load restores it.
  await page.getByLabel("RSA private key (PEM)").fill(pem);
  await page.getByLabel("Key passphrase").fill(PASSPHRASE);
  await page.getByTestId("restore-button").click();
  await expect(page.getByTestId("preflight")).toContainText("Key ready");
  const result = page.getByTestId("restore-result");
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toContainText("Restored volume gwsealed");
  const theirs = `sqlite3://${path.join(dir, "juicefs-load.db")}`;
  await juicefs(["load", theirs, path.join(sealed.metaDir, newest), "--encrypt-rsa-key", keyFile, "--encrypt-algo", "chacha20-rsa"], { env });
  expect(cli(["dump", target, "--keep-secret-key"])).toBe(cli(["dump", theirs, "--keep-secret-key"]));

  // Item 6: the secret key set here is stored as juicefs config stores it: a JuiceFS gateway,
  // which refuses a volume whose secret was removed (conformance backups.test.ts), decrypts it,
  // starts, and lists and stats the files as the volume's own gateway did.
  const secretForm = page.getByTestId("secret-form");
  await secretForm.getByLabel("Secret key", { exact: true }).fill(SECRET);
  await secretForm.getByRole("button", { name: "Set the secret key" }).click();
  await expect(secretForm).toContainText("Secret key stored");
  await shot(page, "restore-gateway-backup");
  expect(await viewVolume(target, STAT, env)).toEqual(sealed.written);
});
