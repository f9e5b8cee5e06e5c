import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { DEMO_META_DIR, DEMO_META_URL } from "./env";
import { cli, login, scratchDir, shot } from "./helpers";

test("one click restores the newest backup into a new SQLite database, verified by dumping it", async ({ page }) => {
  await login(page);
  const newest = readdirSync(DEMO_META_DIR).sort().at(-1)!;
  await page.goto(`/restore?volume=demo&backup=${newest}`);
  const target = await page.getByLabel("SQLite target").inputValue();
  expect(target).toMatch(/^sqlite3:\/\/.*\.db$/);
  await page.getByTestId("restore-button").click();
  await expect(page.getByTestId("preflight")).toContainText("Target is empty");
  const result = page.getByTestId("restore-result");
  await expect(result).toBeVisible({ timeout: 90_000 });
  await expect(result).toContainText("Restored volume demo");
  await shot(page, "restore");

  // The restored database dumps to exactly what the backup holds.
  const dir = scratchDir("restore-");
  const out = path.join(dir, "restored.json");
  cli(["dump", target, out, "--keep-secret-key"]);
  const backup = gunzipSync(readFileSync(path.join(DEMO_META_DIR, newest)));
  expect(readFileSync(out).equals(backup)).toBe(true);
});

test("a restore into a database that holds a volume is refused and writes nothing", async ({ page }) => {
  await login(page);
  const before = cli(["dump", DEMO_META_URL]);
  await page.goto("/restore?volume=demo");
  await page.getByLabel("another META-URL").check();
  await page.getByTestId("target-url").fill(DEMO_META_URL);
  await page.getByTestId("restore-button").click();
  await expect(page.getByTestId("preflight")).toContainText("Target is not empty");
  await expect(page.getByTestId("restore-error")).toContainText("nothing was written");
  await shot(page, "restore-refused");
  expect(cli(["dump", DEMO_META_URL])).toBe(before);
});

test("each attempt starts clean, refusals and checks are audited, and a link to a missing backup says so", async ({ page }) => {
  await login(page);
  await page.goto("/restore?volume=demo");
  // A refusal: the target holds a volume.
  await page.getByLabel("another META-URL").check();
  await page.getByTestId("target-url").fill(DEMO_META_URL);
  await page.getByTestId("restore-button").click();
  await expect(page.getByTestId("restore-error")).toContainText("nothing was written");
  // Check only, against an empty target: the refusal and its checks are gone.
  const fresh = `sqlite3://${path.join(scratchDir("check-"), "fresh.db")}`;
  await page.getByTestId("target-url").fill(fresh);
  await page.getByRole("button", { name: "Check only" }).click();
  await expect(page.getByTestId("preflight")).toContainText("Target is empty");
  await expect(page.getByTestId("preflight")).not.toContainText("Target is not empty");
  await expect(page.getByTestId("restore-error")).toHaveCount(0);

  await page.goto("/audit");
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText("restore-refused");
  await expect(audit).toContainText("restore-check");

  await page.goto("/restore?volume=demo&backup=dump-1999-01-01-000000.json.gz");
  await expect(page.getByTestId("missing-backup")).toContainText("dump-1999-01-01-000000.json.gz does not exist");
  await expect(page.getByTestId("restore-button")).toBeDisabled();
});
