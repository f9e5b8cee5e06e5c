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
