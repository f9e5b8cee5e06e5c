import { expect, test } from "@playwright/test";
import { readdirSync } from "node:fs";
import path from "node:path";
import { DEMO_META_DIR, DEMO_META_URL, E2E_DATA_DIR } from "./env";
import { login, shot } from "./helpers";

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

test("the retention timeline and the backups table work from the keyboard", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo");
  const detail = page.getByTestId("backup-detail");
  // The timeline is one Tab stop (the selected bar, the newest at first); arrows walk the bars.
  const stop = page.locator('[data-testid="timeline-bar"][tabindex="0"]');
  await expect(stop).toHaveCount(1);
  const newest = (await stop.getAttribute("data-key"))!;
  await expect(detail).toContainText(newest);
  await stop.focus();
  await page.keyboard.press("ArrowLeft");
  const chosen = page.locator('[data-testid="timeline-bar"][aria-selected="true"]');
  await expect(chosen).toHaveCount(1);
  await expect(chosen).not.toHaveAttribute("data-key", newest);
  await expect(chosen).toBeFocused();
  const older = (await chosen.getAttribute("data-key"))!;
  await expect(detail).toContainText(older);
  // A screen reader hears the backup's name, age, size and fate.
  await expect(chosen).toHaveAccessibleName(new RegExp(`^${older.replace(/\./g, "\\.")}, .+ old, .+B, (kept|goes)`));
  await expect(page.getByTestId("timeline-tooltip")).toContainText(older);
  await page.getByTestId("retention-timeline").scrollIntoViewIfNeeded();
  await shot(page, "timeline-keyboard", { fullPage: false });
  // Escape dismisses the details box; focus stays on the bar.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("timeline-tooltip")).toHaveCount(0);
  await expect(chosen).toBeFocused();
  await page.keyboard.press("Home");
  const oldest = [...(await page.getByTestId("timeline-bar").evaluateAll((els) => els.map((e) => e.getAttribute("data-key")!)))].sort()[0];
  await expect(detail).toContainText(oldest);
  await page.keyboard.press("End");
  await expect(detail).toContainText(newest);

  // A table row is chosen by its name's button (Tab, Enter), not only by a mouse click.
  const row = page.getByTestId("backup-row").nth(3);
  const key = (await row.locator("td").first().textContent())!.trim();
  await row.getByRole("button", { name: key }).focus();
  await page.keyboard.press("Enter");
  await expect(detail).toContainText(key);
  await expect(row.getByRole("button", { name: key })).toHaveAttribute("aria-pressed", "true");
});

test("the storage override fields have labels", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/new");
  await page.getByText("Storage overrides").click();
  for (const name of ["Bucket", "Endpoint", "Access key", "Secret key"]) await expect(page.getByLabel(name, { exact: true })).toBeEditable();
  await page.goto("/volumes/demo");
  await page.getByTestId("volume-settings").locator("summary").click();
  for (const name of ["Bucket override", "Endpoint override", "Access key override", "Secret key override"]) await expect(page.getByLabel(name, { exact: true })).toBeEditable();
});

test("Test connection checks the object storage too, and says which part failed", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/new");
  await page.getByLabel("META-URL").fill(DEMO_META_URL);
  await page.getByRole("button", { name: "Test connection" }).click();
  const ok = page.getByTestId("probe-ok");
  await expect(ok.getByTestId("probe-meta")).toContainText("Metadata engine: connected");
  await expect(ok.getByTestId("probe-storage")).toContainText(/Object storage \(file\): reachable .*holds volume demo.* objects in meta\//);

  // The engine answers, the bucket does not: not "Connected", and the storage is named as the part that failed.
  await page.getByText("Storage overrides").click();
  await page.getByLabel("Bucket", { exact: true }).fill(path.join(E2E_DATA_DIR, "no-such-bucket") + "/");
  await page.getByRole("button", { name: "Test connection" }).click();
  const failed = page.getByTestId("probe-failed");
  await expect(failed).toBeVisible();
  await expect(page.getByTestId("probe-ok")).toHaveCount(0);
  await expect(failed.getByTestId("probe-meta")).toContainText("Metadata engine: connected");
  await expect(failed.getByTestId("probe-storage")).toContainText(/Object storage \(file\): failed .*no-such-bucket.*juicefs_uuid does not exist/);
  await shot(page, "test-connection", { fullPage: false });

  // An engine that cannot be opened is named as the part that failed.
  await page.getByLabel("META-URL").fill(`sqlite3://${path.join(E2E_DATA_DIR, "no-such-dir", "meta.db")}`);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /^Metadata engine: .*no-such-dir/ })).toBeVisible();
});

test("the restore picker lists each backup with its age, size and fate", async ({ page }) => {
  await login(page);
  await page.goto("/restore?volume=demo");
  const keys = readdirSync(DEMO_META_DIR).filter((k) => !k.endsWith(".tmp"));
  const options = page.getByTestId("backup-select").locator("option");
  await expect(options).toHaveCount(keys.length);
  const texts = await options.allTextContents();
  for (const t of texts) expect(t).toMatch(/^dump-\S+ · [\d.]+[smhd] old · [\d.]+ (B|KiB|MiB) · (kept until ≈ \d{4}-\d\d-\d\d|goes ≈ .+ UTC|goes at the next cleanup|kept over 2 years)/);
  expect(texts.filter((t) => t.includes("kept until ≈")).length).toBeGreaterThan(1);
  // The same fate as the volume page's table says for that backup.
  const oldest = [...keys].sort()[0];
  const option = texts.find((t) => t.startsWith(oldest))!;
  await page.goto("/volumes/demo");
  const cell = page.getByTestId("backup-row").filter({ hasText: oldest }).locator("td", { hasText: /kept|goes|never rotated/ });
  expect(option).toContain((await cell.textContent())!.trim());
});

test("the open directory is in the URL: Back and Forward walk the tree, a link opens it, %XX names included", async ({ page, context }) => {
  await login(page);
  await page.goto("/volumes/demo/inspect");
  const crumbs = page.getByTestId("breadcrumb");
  const row = (name: string) => page.locator(`[data-testid="tree-row"][data-name="${name}"]`);
  await row("misc").focus();
  await page.keyboard.press("Enter");
  await expect(crumbs).toContainText("misc");
  await expect(page).toHaveURL(/\/volumes\/demo\/inspect\?path=\/misc$/);
  await row("empty dir").dblclick();
  await expect(crumbs).toContainText("empty dir");
  // The name as the dump writes it (empty%20dir), URL-encoded.
  await expect(page).toHaveURL(/\?path=\/misc\/empty%2520dir$/);

  await page.goBack();
  await expect(page).toHaveURL(/\?path=\/misc$/);
  await expect(crumbs).not.toContainText("empty dir");
  await expect(row("file with spaces.txt")).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/volumes\/demo\/inspect$/);
  await expect(crumbs).toHaveText("FSTree");
  await page.goForward();
  await expect(crumbs).toContainText("misc");
  await expect(page).toHaveURL(/\/volumes\/demo\/inspect\?path=\/misc$/);

  // A bookmarked or shared link opens that directory, shown by its decoded name.
  const other = await context.newPage();
  await other.goto("/volumes/demo/inspect?path=/misc/empty%2520dir");
  await expect(other.getByTestId("breadcrumb")).toHaveText(/FSTree\s*\/\s*misc\s*\/\s*empty dir/);
  await expect(other.getByTestId("child-count")).toHaveText("0 entries");
  await other.goto("/volumes/demo/inspect?path=/misc/no-such-dir");
  await expect(other.getByTestId("path-error")).toContainText("misc has no directory named no-such-dir");
  await other.goto("/volumes/demo/inspect?root=Trash");
  await expect(other.getByTestId("breadcrumb")).toHaveText("Trash");
  await other.close();
});

test("the retention timeline is readable at phone width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  await page.goto("/volumes/demo");
  const timeline = page.getByTestId("retention-timeline");
  await timeline.scrollIntoViewIfNeeded();
  const svg = (await timeline.locator("svg").boundingBox())!;
  expect(svg.width).toBeLessThanOrEqual(390);
  // Its text is drawn at its own size (not a 1100-pixel drawing shrunk to a third), and no two labels overlap.
  const labels = await timeline.locator("svg text").evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent ?? "", left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height };
    }),
  );
  expect(labels.length).toBeGreaterThan(5);
  for (const l of labels) expect(l.height, l.text).toBeGreaterThanOrEqual(10);
  for (const a of labels)
    for (const b of labels) {
      if (a === b) continue;
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      expect(overlap, `${a.text} overlaps ${b.text}`).toBe(false);
    }
  // Nor do the verify marks under the bars cover the axis labels.
  const marks = await timeline.locator('[data-testid="timeline-verify"]').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );
  for (const l of labels)
    for (const m of marks) expect(l.left < m.right && m.left < l.right && l.top < m.bottom && m.top < l.bottom, `${l.text} under a verify mark`).toBe(false);
  // Band names shortened in the drawing are spelled out under it.
  await expect(page.getByTestId("timeline-bands")).toContainText("oldest per week");
  await shot(page, "volume-phone", { fullPage: false });
});
