import { expect, test } from "@playwright/test";
import { login, shot } from "./helpers";

test("the job history lists the work done, with logs", async ({ page }) => {
  await login(page);
  await page.goto("/jobs");
  const table = page.getByTestId("jobs-table");
  await expect(table).toContainText("restore demo");
  await expect(table).toContainText("dump demo");
  await shot(page, "jobs");
  await table.getByRole("link", { name: /restore demo/ }).first().click();
  await expect(page.locator("pre").first()).toContainText("loaded:");
  await page.goto("/audit");
  await expect(page.getByTestId("audit-table")).toContainText("restore");
  await shot(page, "audit");
});

test("an ended job says how it ended, not its last phase, and how long it took", async ({ page }) => {
  await login(page);
  await page.goto("/jobs");
  const rows = page.getByTestId("jobs-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    const state = await row.getByTestId("job-state").textContent();
    const status = row.getByTestId("job-status");
    if (state === "succeeded") await expect(status).toHaveText(/^finished/);
    if (state === "failed") await expect(status).toHaveText(/^failed/);
    await expect(row).not.toContainText(/\b0\.0s\b/);
  }
});
