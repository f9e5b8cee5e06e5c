import { expect, test } from "@playwright/test";
import { login } from "./helpers";

const PAGES = ["/", "/jobs", "/audit", "/restore", "/volumes/new", "/volumes/demo", "/volumes/demo/inspect"];

test("every page has its own title, and a skip link leads past the navigation", async ({ page }) => {
  await login(page);
  const titles = new Map<string, string>();
  for (const p of PAGES) {
    await page.goto(p);
    titles.set(p, await page.title());
  }
  expect(new Set(titles.values()).size, JSON.stringify([...titles])).toBe(PAGES.length);
  for (const t of titles.values()) expect(t).toMatch(/jfsmeta/);

  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByTestId("skip-link");
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();

  await page.goto("/volumes/demo/inspect");
  await expect(page.getByLabel("Filter names in this directory")).toBeVisible();
});

test("tree rows work from the keyboard: Space selects, Enter opens a directory", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo/inspect");
  const misc = page.locator('[data-testid="tree-row"][data-name="misc"]');
  await misc.focus();
  await page.keyboard.press(" ");
  await expect(page.getByTestId("entry-panel").locator("h3")).toHaveText("misc");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("breadcrumb")).toContainText("misc");
});
