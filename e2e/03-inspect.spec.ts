import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_META_DIR, DEMO_META_URL } from "./env";
import { cli, drillToFile, login, scratchDir, shot } from "./helpers";

test("a backup is indexed and inspected down to one entry's JSON", async ({ page }) => {
  await login(page);
  const newest = readdirSync(DEMO_META_DIR).sort().at(-1)!;
  await page.goto(`/volumes/demo/inspect?backup=${newest}`);
  await expect(page.getByTestId("inspect-source")).toContainText(newest);
  await page.getByRole("button", { name: "Open for inspection" }).click();
  await expect(page.getByTestId("tree-list")).toBeVisible({ timeout: 60_000 });
  await drillToFile(page);
  await shot(page, "inspect-backup");
});

test("the live engine is inspected down to one entry's JSON, with a paged filter", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo/inspect");
  await expect(page.getByTestId("inspect-source")).toContainText("live");
  const dirName = await drillToFile(page);
  await shot(page, "inspect-live");

  // Export of the open directory = `jfsmeta dump --subdir` of it, byte for byte.
  const dir = scratchDir("export-");
  await page.getByRole("button", { name: /Export this directory/ }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("job-download").click()]);
  const fromUi = path.join(dir, "ui.json");
  await download.saveAs(fromUi);
  const fromCli = path.join(dir, "cli.json");
  cli(["dump", DEMO_META_URL, fromCli, "--subdir", dirName]);
  expect(readFileSync(fromUi).equals(readFileSync(fromCli))).toBe(true);

  // Names are decoded for display; the dump's %XX form is one tick away.
  await page.getByTestId("breadcrumb").getByRole("button", { name: "FSTree" }).click();
  await page.locator('[data-testid="open-dir"][data-name="misc"]').click();
  await page.getByPlaceholder("Filter names in this directory").fill("with spaces");
  await expect(page.getByTestId("child-count")).toHaveText("1 entry");
  await page.locator('[data-testid="tree-row"][data-name="file with spaces.txt"]').click();
  const panel = page.getByTestId("entry-panel");
  await expect(panel.locator("h3")).toHaveText("file with spaces.txt");
  await panel.getByLabel(/raw %XX form/).check();
  await expect(panel).toContainText("file%20with%20spaces.txt");
  await shot(page, "inspect-escaped", { fullPage: false });
});

test("Trash in the live engine: 64-bit inodes bare in the JSON and whole in the list; its directory exports by inode", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo/inspect");
  await expect(page.getByTestId("inspect-source")).toContainText("live");
  await page.getByRole("button", { name: "Trash", exact: true }).click();
  await expect(page.getByTestId("breadcrumb")).toContainText("Trash");
  const json = page.getByTestId("entry-json");
  // The dump writes the Trash inode as a bare number: no quotes, no rounding.
  await expect(json).toContainText("9223372032828243968");
  await expect(json).not.toContainText('"9223372032828243968"');
  await json.getByText("as the dump writes it").click();
  await expect(page.getByTestId("entry-json-text")).toContainText('{"attr":{"inode":9223372032828243968,');

  // The inode column shows the whole number.
  const row = page.getByTestId("tree-row").first();
  const inode = row.getByTestId("row-inode");
  await expect(inode).toHaveText("#9223372032828243969");
  const fits = await inode.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const list = el.closest('[data-testid="tree-list"]')!.getBoundingClientRect();
    return el.scrollWidth <= el.clientWidth + 1 && r.right <= list.right + 1;
  });
  expect(fits).toBe(true);

  // Export the hourly directory inside Trash: a --subdir dump of that very inode.
  await row.getByTestId("open-dir").click();
  await expect(page.getByTestId("breadcrumb")).toContainText("Trash");
  await page.getByRole("button", { name: /Export this directory/ }).click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("job-download").click()]);
  const file = path.join(scratchDir("export-trash-"), "trash.json");
  await download.saveAs(file);
  const text = readFileSync(file, "utf8");
  expect(text).toMatch(/"FSTree": \{\s*"attr": \{"inode":9223372032828243969,/);
  expect(text).not.toContain('"Trash":');
});
