import { expect, test } from "@playwright/test";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DEMO_META_DIR, DEMO_META_URL } from "./env";
import { cli, login, scratchDir, shot } from "./helpers";

test("a dump downloaded from the dashboard is byte-identical to the CLI's", async ({ page }) => {
  const dir = scratchDir("dump-");
  await login(page);
  await page.goto("/volumes/demo");
  const form = page.getByTestId("dump-form");
  await form.getByRole("button", { name: "Dump to a download" }).click();
  const progress = form.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByTestId("job-download").click()]);
  const fromUi = path.join(dir, "ui.json");
  await download.saveAs(fromUi);
  await form.scrollIntoViewIfNeeded();
  await shot(page, "dump", { fullPage: false });

  const fromCli = path.join(dir, "cli.json");
  cli(["dump", DEMO_META_URL, fromCli]);
  const a = readFileSync(fromUi);
  const b = readFileSync(fromCli);
  expect(a.length).toBeGreaterThan(1000);
  expect(a.equals(b)).toBe(true);
});

test("a consistent, gentle dump from the dashboard is the same bytes, and its job says the moment it read", async ({ page }) => {
  const dir = scratchDir("dump-consistent-");
  await login(page);
  await page.goto("/volumes/demo");
  const form = page.getByTestId("dump-form");
  await form.getByTestId("dump-consistent").check();
  await form.getByTestId("dump-gentle").check();
  await form.getByRole("button", { name: "Dump to a download" }).click();
  const progress = form.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByTestId("job-download").click()]);
  const fromUi = path.join(dir, "ui.json");
  await download.saveAs(fromUi);
  const fromCli = path.join(dir, "cli.json");
  cli(["dump", DEMO_META_URL, fromCli]);
  expect(readFileSync(fromUi).equals(readFileSync(fromCli))).toBe(true);
  const href = (await form.getByTestId("job-download").getAttribute("href"))!;
  const job = (await (await page.request.get(href.replace(/\/download$/, ""))).json()) as { log?: string; job?: { log?: string } };
  expect(JSON.stringify(job)).toContain("consistent: every entry as of");
});

test("the form's --binary gives a binary dump of the volume, which meta/ then lists as a manual binary backup", async ({ page }) => {
  const dir = scratchDir("dump-binary-");
  await login(page);
  await page.goto("/volumes/demo");
  const form = page.getByTestId("dump-form");
  await form.getByTestId("dump-binary").check();
  await form.getByRole("button", { name: "Dump to a download" }).click();
  await expect(form.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByTestId("job-download").click()]);
  expect(download.suggestedFilename()).toMatch(/\.bin$/);
  const fromUi = path.join(dir, "ui.bin");
  await download.saveAs(fromUi);
  const bytes = readFileSync(fromUi);
  expect(bytes.subarray(0, 4).toString("hex")).toBe("00000001"); // a format segment: no magic at the start
  // The CLI's verifier takes it, and loaded into an empty database it is the volume the CLI dumps as JSON.
  expect(cli(["verify", fromUi])).toMatch(/OK, binary dump of \d+ inodes verified/);
  const copy = `sqlite3://${path.join(dir, "copy.db")}`;
  cli(["load", copy, fromUi, "--quiet"]);
  cli(["dump", copy, path.join(dir, "copy.json"), "--quiet"]);
  cli(["dump", DEMO_META_URL, path.join(dir, "cli.json"), "--quiet"]);
  expect(readFileSync(path.join(dir, "copy.json")).equals(readFileSync(path.join(dir, "cli.json")))).toBe(true);

  // Put into the volume's meta/ under a manual backup's name, it is listed with its kind and format.
  const key = "dump-2020-01-01-000000-manual.bin";
  const object = path.join(DEMO_META_DIR, key);
  copyFileSync(fromUi, object);
  try {
    await page.goto("/volumes/demo");
    const row = page.getByTestId("backup-row").filter({ hasText: key });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("manual · binary");
  } finally {
    rmSync(object, { force: true });
  }
});
