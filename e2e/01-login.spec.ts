import { expect, test } from "@playwright/test";
import { login, shot } from "./helpers";

test("a wrong password is rejected and the right one signs in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/^Wrong password/)).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await shot(page, "login");

  await login(page);
  const card = page.getByTestId("volume-card").filter({ hasText: "demo" });
  await expect(card).toBeVisible();
  // The demo's timeline marks one shrunk backup (02-backups): the card says so too.
  await expect(card).toContainText("attention");
  await expect(card).not.toContainText("healthy");
  await shot(page, "volumes");
});

test("API routes refuse requests without a session", async ({ request }) => {
  const r = await request.get("/api/jobs");
  expect(r.status()).toBe(401);
  const t = await request.get("/api/tree?volume=demo&op=roots");
  expect(t.status()).toBe(401);
});
