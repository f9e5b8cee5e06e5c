import { expect, type Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { E2E_DATA_DIR, E2E_PASSWORD, ROOT, SCREENSHOTS } from "./env";

export async function login(page: Page): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Volumes" })).toBeVisible();
}

export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true });
}

/** Run the jfsmeta CLI (`node bin/jfsmeta.mjs …`) and fail with its stderr on error. */
export function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "jfsmeta.mjs"), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`jfsmeta ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A fresh dir for a test's own files, inside the run's data dir (so it goes with it). */
export function scratchDir(prefix: string): string {
  const root = path.join(E2E_DATA_DIR, "e2e-scratch");
  mkdirSync(root, { recursive: true });
  return mkdtempSync(path.join(root, prefix));
}

/** Walk down to the first regular file and check its entry panel and JSON. */
export async function drillToFile(page: Page): Promise<string> {
  const rows = page.getByTestId("tree-row");
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId("child-count")).toContainText(/\d+ entr(y|ies)/);
  // Open the first directory by its "open ›" mark, then pick a file there.
  const dirButton = page.getByTestId("open-dir").first();
  const dirName = (await dirButton.getAttribute("data-name"))!;
  await dirButton.click();
  await expect(page.getByTestId("breadcrumb")).toContainText(dirName);
  const file = page.locator('[data-testid="tree-row"][data-type="regular"]').first();
  await expect(file).toBeVisible();
  const name = await file.getAttribute("data-name");
  await file.click();
  const panel = page.getByTestId("entry-panel");
  await expect(panel).toContainText("regular file");
  await expect(panel.locator("h3")).toHaveText(name!);
  const json = page.getByTestId("entry-json");
  await expect(json).toContainText("attr");
  await expect(json).toContainText("inode");
  return dirName;
}
