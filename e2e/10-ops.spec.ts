// Issue #13's operations: verify jobs and marks (scheduled and by hand), alerts to a webhook
// (signed, retried, audited), Prometheus metrics, and every job's rate and time left.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { readdirSync, utimesSync, writeFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { juicefs, runProcess } from "../test/support/juicefs";
import { DEMO_META_DIR, E2E_METRICS_TOKEN, ROOT, SCREENSHOTS } from "./env";
import { login, scratchDir, shot } from "./helpers";

test.describe.configure({ mode: "serial" });

const SECRET = "e2e-hook-secret-91";
/** What the receiver got; answers 500 to the first test delivery, 200 to everything else. */
const got: { headers: IncomingHttpHeaders; body: string }[] = [];
let fail = 1;
let server: Server;
let hookUrl = "";

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      got.push({ headers: req.headers, body });
      res.statusCode = JSON.parse(body).kind === "test" && fail-- > 0 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jfsmeta`;
});
test.afterAll(() => new Promise<void>((r) => server.close(() => r())));

const kinds = () => got.map((g) => JSON.parse(g.body).kind as string);
/** The kinds sent about the demo volume (volumes that earlier specs added raise their own). */
const demoKinds = () => got.map((g) => JSON.parse(g.body)).filter((b) => b.volumeId === "demo").map((b) => b.kind as string);
const signed = (g: (typeof got)[number]) => g.headers["x-jfsmeta-signature-256"] === `sha256=${createHmac("sha256", SECRET).update(g.body).digest("hex")}`;

/** WCAG 2.1 AA (axe-core) inside `selector`: the new screens' forms and tables, filled in. */
async function expectAccessible(page: Page, selector: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).include(selector).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), selector).toEqual([]);
}

async function openDemo(page: Page) {
  await page.goto("/volumes/demo");
  await expect(page.getByRole("heading", { name: "demo" })).toBeVisible();
}

test("a webhook: saved with a sealed secret, a signed test retried after a 500, alerts sent, every delivery audited", async ({ page }) => {
  await login(page);
  await page.getByRole("link", { name: "Alerts" }).click();
  await page.getByLabel("Webhook URL").fill(hookUrl);
  await page.getByLabel("Signing secret (optional)").fill(SECRET);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("webhook-message")).toHaveText("Saved.");
  // The secret is never shown again, not even in the page's HTML.
  await page.reload();
  await expect(page.getByLabel("Signing secret (optional)")).toHaveValue("");
  await expect(page.getByLabel("Signing secret (optional)")).toHaveAttribute("placeholder", /stored sealed/);
  expect(await page.content()).not.toContain(SECRET);

  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByTestId("webhook-message")).toHaveText("Delivered (2 attempts: HTTP 500, HTTP 200)");
  const tests = got.filter((g) => JSON.parse(g.body).kind === "test");
  expect(tests).toHaveLength(2);
  expect(tests.every(signed)).toBe(true);
  expect(JSON.parse(tests[0].body).delivery).toBe(JSON.parse(tests[1].body).delivery);

  // The demo's shrunk backup is announced by the periodic check, once.
  await expect.poll(demoKinds, { timeout: 30_000 }).toContain("shrunk");
  const shrunk = got.find((g) => JSON.parse(g.body).kind === "shrunk" && JSON.parse(g.body).volumeId === "demo")!;
  expect(signed(shrunk)).toBe(true);
  expect(JSON.parse(shrunk.body)).toMatchObject({ volume: "demo", volumeId: "demo" });

  // Late: the clients' interval made shorter than the newest backup's age.
  await openDemo(page);
  await page.getByTestId("volume-settings").locator("summary").click();
  await page.getByLabel("Clients' --backup-meta").fill("1s");
  await page.getByTestId("volume-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("health-issues")).toContainText(/Newest backup is/);
  await expect.poll(demoKinds, { timeout: 30_000 }).toContain("late");
  await page.getByLabel("Clients' --backup-meta").fill("1h");
  await page.getByTestId("volume-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("health-issues")).not.toContainText(/Newest backup is/);
  // Once per shrunk backup: earlier specs may have added a small backup to the demo, a second
  // shrunk one, but no backup is announced twice.
  const shrunkKeys = got.map((g) => JSON.parse(g.body)).filter((b) => b.kind === "shrunk").map((b) => `${b.volumeId}/${b.backup}`);
  expect(shrunkKeys.length).toBeGreaterThan(0);
  expect(new Set(shrunkKeys).size).toBe(shrunkKeys.length);

  await page.goto("/alerts");
  const deliveries = page.getByTestId("deliveries-table");
  await expect(deliveries).toContainText("delivered to http://127.0.0.1");
  await expect(deliveries).toContainText("after 2 attempts: HTTP 500, HTTP 200");
  await expect(deliveries).toContainText("shrunk demo");
  await expect(deliveries).toContainText("late demo");
  await shot(page, "alerts");
  await expectAccessible(page, "main");
  await page.goto("/audit");
  await expect(page.getByTestId("audit-table")).toContainText("webhook-set");
  // The hook's path is not in the audit log (hook URLs often carry a token there).
  await expect(page.getByTestId("audit-table")).not.toContainText("/hooks/jfsmeta");
});

test("verify: the newest backup is verified on schedule, others by hand; a damaged one is marked failed and alerted", async ({ page }) => {
  await login(page);
  await openDemo(page);
  const rows = page.getByTestId("backup-row");
  // The schedule verified the newest (automatic) backup soon after start.
  const newest = rows.filter({ hasText: "auto ·" }).first();
  await expect(async () => {
    await page.reload();
    await expect(newest.getByTestId("backup-verify")).toHaveAttribute("data-verify", "ok", { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  const newestKey = (await newest.locator("td").first().textContent())!.trim();
  await page.goto("/jobs");
  await expect(page.getByTestId("jobs-table")).toContainText(`verify demo ${newestKey} (scheduled)`);

  // An older backup, never verified, verified from its detail panel.
  await openDemo(page);
  const older = rows.filter({ has: page.locator('[data-verify="never"]') }).nth(2);
  const key = (await older.locator("td").first().textContent())!.trim();
  const olderRow = rows.filter({ hasText: key });
  await expect(page.locator(`[data-testid="timeline-verify"][data-key="${key}"]`)).toHaveAttribute("data-verify", "never");
  await olderRow.locator("td").first().click();
  const detail = page.getByTestId("backup-detail");
  await detail.getByRole("button", { name: "Verify" }).click();
  await expect(detail.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded");
  await expect(detail.getByTestId("job-rate")).toContainText("/s");
  await expect(olderRow.getByTestId("backup-verify")).toHaveAttribute("data-verify", "ok");
  await expect(detail.getByTestId("detail-verify")).toContainText(/entries, [\d,]+ inodes/);
  await expect(page.locator(`[data-testid="timeline-verify"][data-key="${key}"]`)).toHaveAttribute("data-verify", "ok");
  await page.mouse.move(0, 0);
  await shot(page, "verify");
  await expectAccessible(page, '[data-testid="backup-detail"]');

  // A damaged backup: valid gzip around JSON that stops half-way.
  const damaged = "dump-damaged-e2e.json.gz";
  const file = path.join(DEMO_META_DIR, damaged);
  writeFileSync(file, gzipSync('{"Setting":{"Name":"demo"},"Counters":{"usedSpace":0},"FSTree":{"attr":{"inode":1,"type":"directory"'));
  const old = new Date(Date.now() - 36 * 3600_000);
  utimesSync(file, old, old);
  try {
    await page.reload();
    const row = rows.filter({ hasText: damaged });
    await row.locator("td").first().click();
    await detail.getByRole("button", { name: "Verify" }).click();
    await expect(detail.getByTestId("job-progress")).toHaveAttribute("data-state", "failed");
    await expect(detail.getByRole("alert").first()).toContainText("failed verification");
    await expect(row.getByTestId("backup-verify")).toHaveAttribute("data-verify", "failed");
    await expect(page.getByTestId("health-issues")).toContainText(`failed verification (${damaged})`);
    await expect.poll(kinds, { timeout: 15_000 }).toContain("verify-failed");
    const alert = got.find((g) => JSON.parse(g.body).kind === "verify-failed")!;
    expect(signed(alert)).toBe(true);
    expect(JSON.parse(alert.body)).toMatchObject({ volume: "demo", backup: damaged });
    await shot(page, "verify-failed");
  } finally {
    rmSync(file, { force: true });
  }
  expect(readdirSync(DEMO_META_DIR)).not.toContain(damaged);
});

test("an encrypted backup is verified with the RSA key pasted for that job; a wrong key leaves it unmarked", async ({ page }) => {
  const dir = scratchDir("encrypted-");
  const passphrase = "e2e verify passphrase";
  const pem = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const keyFile = path.join(dir, "key.pem");
  writeFileSync(keyFile, pem, { mode: 0o600 });
  const meta = `sqlite3://${path.join(dir, "meta.db")}`;
  const env = { JFS_RSA_PASSPHRASE: passphrase };
  await juicefs(["format", meta, "encvol", "--storage", "file", "--bucket", path.join(dir, "bucket"), "--encrypt-rsa-key", keyFile], { env });
  const made = await runProcess(process.execPath, [path.join(ROOT, "bin", "jfsmeta.mjs"), "backup", meta, "--interval", "1h"], { env });
  expect(made.code, made.stderr).toBe(0);
  const [backup] = readdirSync(path.join(dir, "bucket", "encvol", "meta"));

  await login(page);
  await page.goto("/volumes/new");
  await page.getByLabel("META-URL").fill(meta);
  await page.getByRole("button", { name: "Test and add" }).click();
  await expect(page.getByRole("heading", { name: "encvol" })).toBeVisible();
  const row = page.getByTestId("backup-row").filter({ hasText: backup });
  await expect(row).toContainText("encrypted");
  await row.locator("td").first().click();
  const detail = page.getByTestId("backup-detail");
  const verify = detail.getByRole("button", { name: "Verify" });
  await expect(verify).toBeDisabled();
  await expectAccessible(page, '[data-testid="backup-detail"]');
  // Another key: the job fails on the key, and the backup is not marked failed.
  await detail.getByLabel(/RSA private key to verify with/).fill(generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey);
  await verify.click();
  await expect(detail.getByTestId("job-progress")).toHaveAttribute("data-state", "failed");
  await expect(row.getByTestId("backup-verify")).toHaveAttribute("data-verify", "never");
  // The volume's key and passphrase: verified.
  await detail.getByLabel(/RSA private key to verify with/).fill(pem);
  await detail.getByLabel("Key passphrase").fill(passphrase);
  await verify.click();
  await expect(row.getByTestId("backup-verify")).toHaveAttribute("data-verify", "ok", { timeout: 60_000 });
  await expect(detail.getByTestId("detail-verify")).toContainText(/entries, [\d,]+ inodes/);
  // Neither the key nor the passphrase went into the store's audit or the job.
  await page.goto("/audit");
  await expect(page.getByTestId("audit-table")).not.toContainText(passphrase);
  // Forget the volume again (later specs count volumes).
  await page.goto("/");
  await page.getByTestId("volume-card").filter({ hasText: "encvol" }).click();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("heading", { name: "Volumes" })).toBeVisible();
});

test("the webhook can be removed: nothing is sent after, and the removal is audited", async ({ page }) => {
  await login(page);
  await page.goto("/alerts");
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("webhook-message")).toHaveText("Removed.");
  await page.reload();
  await expect(page.getByLabel("Webhook URL")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Send test" })).toBeDisabled();
  const sent = got.length;
  // The demo made late again (as the first test did, which was announced): two alert checks
  // later, nothing arrived.
  await openDemo(page);
  await page.getByTestId("volume-settings").locator("summary").click();
  await page.getByLabel("Clients' --backup-meta").fill("1s");
  await page.getByTestId("volume-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("health-issues")).toContainText(/Newest backup is/);
  await page.waitForTimeout(9_000);
  expect(got).toHaveLength(sent);
  await page.getByLabel("Clients' --backup-meta").fill("1h");
  await page.getByTestId("volume-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("health-issues")).not.toContainText(/Newest backup is/);
  await page.goto("/audit");
  await expect(page.getByTestId("audit-table")).toContainText("webhook-remove");
});

test("metrics: Prometheus text behind the bearer token", async ({ request }) => {
  expect((await request.get("/metrics")).status()).toBe(401);
  expect((await request.get("/metrics", { headers: { authorization: "Bearer wrong" } })).status()).toBe(401);
  const r = await request.get("/metrics", { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } });
  expect(r.status()).toBe(200);
  expect(r.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{volume="demo"\\} (\\S+)$`, "m").exec(text)?.[1]);
  expect(value("jfsmeta_backup_newest_age_seconds")).toBeGreaterThan(0);
  expect(value("jfsmeta_backup_newest_size_bytes")).toBeGreaterThan(100);
  expect(value("jfsmeta_backup_newest_inodes")).toBeGreaterThan(10);
  expect(value("jfsmeta_backups")).toBe(readdirSync(DEMO_META_DIR).filter((k) => !k.endsWith(".tmp")).length);
  // The damaged backup is gone: the last verify of a listed backup passed.
  expect(value("jfsmeta_verify_last_success")).toBe(1);
  expect(text).toMatch(/^jfsmeta_alerts\{volume="demo",kind="shrunk"\} 1$/m);
  expect(text).toMatch(/^# HELP jfsmeta_backup_newest_age_seconds /m);
});

test("every job shows its rate and, while it runs, the time left", async ({ page }) => {
  await login(page);
  await page.goto("/jobs");
  const table = page.getByTestId("jobs-table");
  // Finished jobs: their average rate.
  await expect(table.getByTestId("job-rate").first()).toContainText(/\/s$/);
  const href = await table.getByRole("link", { name: /verify demo dump-\d/ }).first().getAttribute("href");
  // A job in the middle of its work: 500 of 1,500 entries after 10 s.
  await page.route(`**/api/jobs/${href!.split("/").pop()}`, async (route) => {
    const job = await (await route.fetch()).json();
    const startedAt = new Date(Date.now() - 10_000).toISOString();
    const running = { kind: "dump", title: "dump demo → download", state: "running", done: 500, total: 1500, phase: "dumping", error: null, result: null };
    await route.fulfill({ json: { ...job, ...running, log: `${startedAt.slice(11, 19)} started: dump demo → download\n`, startedAt, finishedAt: null } });
  });
  await page.goto(href!);
  const rate = page.getByTestId("job-rate");
  await expect(rate).toHaveText(/^\d\d entries\/s · \d+\.\d s left$/);
  await expect(page.getByTestId("job-status")).toHaveText("dumping · 33%");
  await page.getByTestId("job-progress").screenshot({ path: path.join(SCREENSHOTS, "job-progress.png") });
});

test("the volume's backup settings choose consistent and gentle dumps; the list shows per backup whether it was consistent and its moment", async ({ page }) => {
  await login(page);
  await openDemo(page);
  const rows = page.getByTestId("backup-row");
  const newestKey = () => rows.first().locator("td").first();
  const policy = page.getByTestId("backup-policy");
  await policy.locator("summary").click();
  const consistent = page.getByLabel("Consistent (--consistent)");
  await expect(consistent).toHaveValue("auto");
  await expect(policy).toContainText("one moment of the whole volume even while clients write");

  // Never consistent: the backup says it was read live.
  await consistent.selectOption("off");
  await policy.getByRole("button", { name: "Save" }).click();
  await expect(policy.getByRole("status")).toContainText("Saved");
  let before = (await newestKey().textContent())!;
  await page.getByRole("button", { name: "Back up now" }).click();
  await expect(newestKey()).not.toHaveText(before, { timeout: 60_000 });
  await expect(rows.first().getByTestId("backup-consistent")).toHaveCount(0);
  await rows.first().locator("td").first().click();
  await expect(page.getByTestId("detail-consistent")).toHaveText("not consistent (read while the volume changed)");

  // Always consistent, and gentle: the moment it read is shown.
  await consistent.selectOption("on");
  await page.getByLabel("--max-latency (ms)").fill("100");
  await page.getByLabel("--max-ops (queries a second)").fill("50000");
  await policy.getByRole("button", { name: "Save" }).click();
  await expect(policy.getByRole("status")).toContainText("Saved");
  before = (await newestKey().textContent())!;
  await page.getByRole("button", { name: "Back up now" }).click();
  await expect(newestKey()).not.toHaveText(before, { timeout: 60_000 });
  await expect(rows.first().getByTestId("backup-consistent")).toHaveText("consistent");
  await rows.first().locator("td").first().click();
  await expect(page.getByTestId("detail-consistent")).toHaveText(/^consistent, as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC$/);
  // The job ran with a total, so it showed a percentage and a rate.
  await expect(page.getByTestId("job-progress").first().getByTestId("job-rate")).toContainText("entries/s");
  // The settings stay; a client's backup is not known either way.
  await page.reload();
  await expect(page.getByLabel("Consistent (--consistent)")).toHaveValue("on");
  await expect(page.getByLabel("--max-latency (ms)")).toHaveValue("100");
  await rows.nth(3).locator("td").first().click();
  await expect(page.getByTestId("detail-consistent")).toHaveText("unknown (not made by jfsmeta)");
  await policy.locator("summary").click();
  await policy.scrollIntoViewIfNeeded();
  await shot(page, "backup-settings", { fullPage: false });
  await expectAccessible(page, '[data-testid="backup-policy"]');
  await page.goto("/audit");
  await expect(page.getByTestId("audit-table")).toContainText('{"consistent":"on","maxOps":50000,"maxLatencyMs":100}');
});
