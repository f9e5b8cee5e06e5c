// WCAG 2.1 A/AA on every route in app/ (logged out and logged in, with the demo volume's data),
// checked by axe-core; a violation fails the run with the rule, the element and axe's summary.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { login } from "./helpers";

const WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function expectAccessible(page: Page, what: string, only?: string): Promise<void> {
  // Settled first: Next sets the <title> after a client-side refresh (the tree opening), and
  // a page that never gets one still fails here.
  await expect(page).toHaveTitle(/\S/);
  const axe = new AxeBuilder({ page }).withTags(WCAG21_AA);
  if (only) axe.include(only);
  const { violations } = await axe.analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`).join("\n")}`,
  );
  expect.soft(found, `axe on ${what}`).toEqual([]);
}

test("logged out: the login page and a protected page's redirect meet WCAG 2.1 AA", async ({ page }) => {
  await page.goto("/login");
  await expectAccessible(page, "/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expectAccessible(page, "/login after an empty sign-in");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/Wrong password/)).toBeVisible();
  await expectAccessible(page, "/login with a wrong password");
  await page.goto("/volumes/demo/inspect");
  await expect(page).toHaveURL(/\/login/);
  await expectAccessible(page, "/volumes/demo/inspect logged out");
});

test("logged in: every page meets WCAG 2.1 AA", async ({ page }) => {
  await login(page);
  await expectAccessible(page, "/");

  await page.goto("/volumes/demo");
  await page.getByTestId("volume-settings").locator("summary").click();
  await expectAccessible(page, "/volumes/demo");
  const form = page.getByTestId("dump-form");
  await form.getByRole("button", { name: "Dump to a download" }).click();
  await expect(form.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  // The rest of the page was checked above (axe takes half a minute on it with 2 busy cores).
  await expectAccessible(page, "/volumes/demo's dump form with a finished dump", '[data-testid="dump-form"]');

  await page.goto("/volumes/demo/inspect");
  await expect(page.getByTestId("tree-row").first()).toBeVisible();
  await page.getByTestId("tree-row").first().click();
  await page.getByLabel("name or pattern").fill("*.txt");
  await page.getByLabel("name or pattern").press("Enter");
  await expect(page.getByTestId("find-count")).toBeVisible();
  await expectAccessible(page, "/volumes/demo/inspect with a find");

  // The diff form; a backup before and after it is opened for inspection (its index gate,
  // then the tree); a diff of it against the live engine.
  await page.goto("/volumes/demo/diff");
  const newest = await page.getByLabel("A (before)").inputValue();
  await expectAccessible(page, "/volumes/demo/diff (the form)");
  // The newest backup may be indexed already (an earlier spec diffed or inspected it): then
  // the index gate of an older one, which no spec opens, is what is checked.
  const backups = await page.getByLabel("A (before)").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  await page.goto(`/volumes/demo/inspect?backup=${backups[backups.length - 1]}`);
  await expect(page.getByRole("button", { name: "Open for inspection" })).toBeVisible();
  await expectAccessible(page, "/volumes/demo/inspect?backup= (not indexed yet)");
  await page.goto(`/volumes/demo/inspect?backup=${newest}`);
  const gate = page.getByRole("button", { name: "Open for inspection" });
  await expect(gate.or(page.getByTestId("tree-list"))).toBeVisible({ timeout: 60_000 });
  if (await gate.isVisible()) await gate.click();
  await expect(page.getByTestId("tree-list")).toBeVisible({ timeout: 60_000 });
  await expectAccessible(page, "/volumes/demo/inspect?backup=");
  await page.goto(`/volumes/demo/diff?a=${newest}&b=live&subdir=misc`);
  await expect(page.getByTestId("diff-status")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await expectAccessible(page, "/volumes/demo/diff with a result");

  await page.goto("/jobs");
  await expectAccessible(page, "/jobs");
  await page.getByTestId("jobs-table").getByRole("link").first().click();
  await expect(page).toHaveURL(/\/jobs\/[^/]+$/);
  await expectAccessible(page, "/jobs/[id]");

  await page.goto("/audit");
  await expectAccessible(page, "/audit");

  await page.goto("/alerts");
  await expectAccessible(page, "/alerts");

  await page.goto("/restore?volume=demo");
  await expectAccessible(page, "/restore");
  await page.getByRole("button", { name: "Check only" }).click();
  await expect(page.getByTestId("preflight")).toBeVisible();
  await expectAccessible(page, "/restore after a preflight");

  await page.goto("/volumes/new");
  await page.locator("summary").click();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expectAccessible(page, "/volumes/new");

  await page.goto("/volumes/no-such-volume");
  await expectAccessible(page, "a page that does not exist");
});
