import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_META_URL } from "./env";
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
