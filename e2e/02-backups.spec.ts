import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_META_DIR } from "./env";
import { login, shot } from "./helpers";

test("the backups table and the retention timeline show every backup with its fate", async ({ page }) => {
  await login(page);
  await page.getByTestId("volume-card").filter({ hasText: "demo" }).click();
  await expect(page.getByRole("heading", { name: "demo" })).toBeVisible();
  await expect(page.getByTestId("setting")).toContainText("file");

  const keys = readdirSync(DEMO_META_DIR).filter((k) => !k.endsWith(".tmp"));
  expect(keys.length).toBeGreaterThan(40);
  await expect(page.getByTestId("backup-row")).toHaveCount(keys.length);
  // Months of history survive only as JuiceFS's cleanup leaves them: the newest 2 days are
  // all kept, older ones thin out to one per day, week and 30 days.
  const bars = page.getByTestId("timeline-bar");
  await expect(bars).toHaveCount(keys.length);
  const fates = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-fate")));
  expect(fates).toContain("keep");
  expect(fates.every((f) => f && ["keep", "expires", "next", "ignored"].includes(f))).toBe(true);

  // The demo's one incident (a backup far smaller than those before it) is flagged.
  await expect(page.getByTestId("timeline-shrank")).toHaveCount(1);

  // The oldest backup: its reason names its window, and its deletion date is predicted.
  const oldest = [...keys].sort()[0];
  await page.locator(`[data-testid="timeline-bar"][data-key="${oldest}"]`).click();
  const detail = page.getByTestId("backup-detail");
  await expect(detail).toContainText(oldest);
  await expect(detail).toContainText(/oldest backup in the (monthly|weekly) window|kept/);
  await expect(detail.getByRole("link", { name: "Restore…" })).toBeVisible();
  await page.mouse.move(0, 0);
  await shot(page, "volume");

  // Download gives the object exactly as stored.
  const r = await page.request.get(`/api/volumes/demo/backups/${oldest}`);
  expect(r.status()).toBe(200);
  expect(Buffer.from(await r.body()).equals(readFileSync(path.join(DEMO_META_DIR, oldest)))).toBe(true);
});
