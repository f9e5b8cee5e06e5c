import { expect, test } from "@playwright/test";
import { readdirSync } from "node:fs";
import path from "node:path";
import { E2E_DATA_DIR } from "./env";
import { login, shot } from "./helpers";

test("a volume is added by META-URL after a connection test, and stale backups raise a loud warning", async ({ page }) => {
  await login(page);
  await page.getByRole("link", { name: "+ Add volume" }).click();
  const url = page.getByLabel("META-URL");

  await url.fill("foo://somewhere/1");
  await page.getByRole("button", { name: "Test and add" }).click();
  await expect(page.getByText(/unsupported META-URL scheme "foo:\/\/"/)).toBeVisible();

  await url.fill(`sqlite3://${path.join(E2E_DATA_DIR, "no-such-dir", "meta.db")}`);
  await page.getByRole("button", { name: "Test and add" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /no-such-dir/ })).toBeVisible();

  // The database restored by the restore test holds a copy of the demo volume.
  const restored = readdirSync(path.join(E2E_DATA_DIR, "restores")).find((f) => f.endsWith(".db"))!;
  await url.fill(`sqlite3://${path.join(E2E_DATA_DIR, "restores", restored)}`);
  await page.getByLabel("Display name (optional)").fill("restored");
  // Clients that back up every 5 minutes: the newest backup (over 40 minutes old) is stale.
  await page.getByLabel("Clients' --backup-meta").fill("5m");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("probe-ok")).toContainText("volume demo");
  await page.getByRole("button", { name: "Test and add" }).click();
  await expect(page.getByRole("heading", { name: "restored" })).toBeVisible();
  await expect(page.getByTestId("health-issues")).toContainText(/Newest backup is .* old/);

  await page.getByRole("link", { name: "Volumes" }).click();
  await expect(page.getByTestId("volume-card")).toHaveCount(2);
  await expect(page.getByTestId("volume-card").filter({ has: page.getByRole("heading", { name: "restored", exact: true }) })).toContainText("at risk");
  await shot(page, "volumes");
});

test("an invalid interval is named by its label, not by an internal field name", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/new");
  await page.getByLabel("META-URL").fill(`sqlite3://${path.join(E2E_DATA_DIR, "demo", "meta.db")}`);
  await page.getByLabel("Clients' --backup-meta").fill("every now and then");
  await page.getByRole("button", { name: "Test and add" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "--backup-meta interval:" });
  await expect(alert).toBeVisible();
  await expect(alert).not.toContainText("backupInterval");
});
