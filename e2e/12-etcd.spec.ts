import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startEtcdServer, type EtcdServer } from "../test/support/etcd-server";
import { DEMO_META_URL } from "./env";
import { cli, drillToFile, login, scratchDir } from "./helpers";

// A volume whose metadata lives in a private etcd: added by its etcd:// META-URL, dumped to a
// download (the same bytes as the CLI's dump, and as the file loaded into etcd) and inspected
// live down to one file, then removed from the dashboard before etcd stops (the dashboard bundles
// no etcd3: it reads its .proto files from node_modules, next.config.js).
let etcd: EtcdServer;
test.beforeAll(async () => {
  etcd = await startEtcdServer();
});
test.afterAll(async () => {
  await etcd?.stop();
});

test("an etcd volume is added by its META-URL, dumped from the dashboard and inspected live", async ({ page }) => {
  const dir = scratchDir("etcd-");
  // A copy of the demo volume's metadata (its storage is the demo's: the object check passes).
  const loaded = path.join(dir, "loaded.json");
  cli(["dump", DEMO_META_URL, loaded, "--quiet"]);
  const url = etcd.url("e2e");
  cli(["load", url, loaded, "--quiet"]);

  await login(page);
  await page.goto("/volumes/new");
  await page.getByLabel("META-URL").fill(url);
  await page.getByLabel("Display name (optional)").fill("etcd copy");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("probe-ok")).toContainText("volume demo");
  await page.getByRole("button", { name: "Test and add" }).click();
  await expect(page.getByRole("heading", { name: "etcd copy" })).toBeVisible();
  const volumePage = page.url();

  const form = page.getByTestId("dump-form");
  await form.getByRole("button", { name: "Dump to a download" }).click();
  await expect(form.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByTestId("job-download").click()]);
  const fromUi = path.join(dir, "ui.json");
  await download.saveAs(fromUi);
  const fromCli = path.join(dir, "cli.json");
  cli(["dump", url, fromCli, "--quiet"]);
  expect(readFileSync(fromUi).equals(readFileSync(fromCli))).toBe(true);
  expect(readFileSync(fromUi).equals(readFileSync(loaded))).toBe(true);

  await page.goto(`${volumePage.replace(/\/$/, "")}/inspect`);
  await expect(page.getByTestId("inspect-source")).toContainText("live");
  await drillToFile(page);

  // Forgotten again (the Remove button's confirm accepted), so the pages the later specs visit
  // list no volume whose etcd is gone.
  await page.goto(volumePage);
  page.once("dialog", (d) => void d.accept());
  await page.getByTitle(/^Forget this volume/).click();
  await expect(page).toHaveURL(/\/($|\?)/);
  await expect(page.getByText("etcd copy")).toHaveCount(0);
});
