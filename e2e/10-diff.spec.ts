// Diff and Find (issue #13): "why did this backup shrink" from the backups table, a backup
// against the live engine (and `jfsmeta diff` agreeing with the page), Find by name, path and
// inode (a hard link under every path).
import { expect, test, type Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { DEMO_META_DIR, DEMO_META_URL, ROOT } from "./env";
import { login, shot } from "./helpers";

/** `jfsmeta diff --json A B`: its exit status and totals (exit 3 = different is not a failure here). */
function cliDiff(a: string, b: string): { status: number | null; totals: { a: { entries: number }; b: { entries: number }; added: { entries: number }; removed: { entries: number }; changed: { entries: number } } } {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "jfsmeta.mjs"), "diff", "-q", "--json", a, b], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`jfsmeta diff failed (${r.status}): ${r.stderr}`);
  const end = JSON.parse(r.stdout.trimEnd().split("\n").at(-1)!);
  return { status: r.status, totals: end.totals };
}

/** Index the backups the diff page asks for, one gate at a time (each reloads the page when done). */
async function indexGates(page: Page) {
  const gates = page.getByTestId("index-gate");
  for (let n = await gates.count(); n > 0; n--) {
    const gate = gates.first();
    await gate.getByRole("button", { name: "Open for inspection" }).click();
    // Indexed: the page reloads without this gate.
    await expect(gates).toHaveCount(n - 1, { timeout: 120_000 });
  }
}

const num = async (page: Page, id: string) => Number((await page.getByTestId(id).innerText()).split(" ")[0].replaceAll(",", ""));

test("why did this backup shrink: the shrunk backup diffed against its predecessor, as jfsmeta diff sees it", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo");
  const link = page.getByTestId("why-shrank");
  await expect(link).toHaveCount(1);
  // The health alert about it links to the same diff.
  await expect(page.getByTestId("health-diff")).toHaveAttribute("href", (await link.getAttribute("href"))!);
  await link.click();
  await expect(page).toHaveURL(/\/volumes\/demo\/diff\?a=dump-.*&b=dump-/);
  await expect(page).toHaveTitle(/^Diff · demo/);
  const url = new URL(page.url());
  const [a, b] = [url.searchParams.get("a")!, url.searchParams.get("b")!];
  expect(a < b).toBe(true);
  await indexGates(page);
  await expect(page.getByTestId("diff-status")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  // The shrunk backup lost most of the tree: many entries removed, fewer in B than in A.
  const removed = await num(page, "diff-total-removed");
  const [inA, inB] = [await num(page, "diff-total-a"), await num(page, "diff-total-b")];
  expect(inB).toBeLessThan(inA / 2);
  expect(removed).toBeGreaterThan(0);
  await expect(page.locator('[data-testid="diff-row"][data-kind="removed"]').first()).toBeVisible();
  // Where it shrank: the directories that lost the most.
  await expect(page.getByTestId("diff-shrink")).toContainText(`B has ${(inA - inB).toLocaleString("en-US")} fewer entries than A`);
  await expect(page.getByTestId("diff-shrink").locator("li")).not.toHaveCount(0);
  await shot(page, "diff-shrunk", { fullPage: false });

  // The same diff from the command line: same totals.
  const cli = cliDiff(path.join(DEMO_META_DIR, a), path.join(DEMO_META_DIR, b));
  expect(cli.status).toBe(3);
  expect([cli.totals.a.entries, cli.totals.b.entries, cli.totals.removed.entries]).toEqual([inA, inB, removed]);
  expect(cli.totals.added.entries).toBe(await num(page, "diff-total-added"));
  expect(cli.totals.changed.entries).toBe(await num(page, "diff-total-changed"));
});

test("the newest backup against the live engine, picked with the form, and jfsmeta diff latest META-URL agrees", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo/diff");
  await expect(page.getByText("Pick A and B, then Compare.")).toBeVisible();
  // The form is labelled: A defaults to the newest backup, B to the live engine.
  await expect(page.getByLabel("B (after)")).toHaveValue("live");
  const newest = await page.getByLabel("A (before)").inputValue();
  await page.getByLabel("Only this directory (optional)").fill("misc");
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/a=dump-.*&b=live&subdir=misc/);
  await indexGates(page);
  await expect(page.getByTestId("diff-status")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await expect(page.getByTestId("diff-total-a")).toBeVisible();
  const inA = await num(page, "diff-total-a");
  const cli = cliDiff(path.join(DEMO_META_DIR, newest), DEMO_META_URL);
  expect(cli.totals.a.entries).toBeGreaterThan(inA); // the page compared misc only
  // "latest" in the other side's volume is the newest backup.
  const latest = spawnSync(process.execPath, [path.join(ROOT, "bin", "jfsmeta.mjs"), "diff", "-q", "--json", "latest", DEMO_META_URL], { cwd: ROOT, encoding: "utf8" });
  expect([0, 3]).toContain(latest.status);
  expect(JSON.parse(latest.stdout.trimEnd().split("\n").at(-1)!).totals).toEqual(cli.totals);
  // A directory that is not there is a clear error, not an empty diff.
  await page.goto(`/volumes/demo/diff?a=${newest}&b=live&subdir=no-such-dir`);
  await expect(page.getByTestId("diff-status")).toHaveAttribute("data-state", "failed");
  await expect(page.getByTestId("diff-status")).toContainText("no directory /no-such-dir");
});

test("find by name, by path and by inode (a hard link under each of its paths), paged from the server", async ({ page }) => {
  await login(page);
  await page.goto("/volumes/demo/inspect");
  const panel = page.getByTestId("find-panel");
  await expect(panel).toBeVisible();
  // By keyboard: the pattern typed and Enter.
  await page.getByLabel("name or pattern").fill("*.txt");
  await page.getByLabel("name or pattern").press("Enter");
  await expect(page.getByTestId("find-count")).toContainText(/^[\d,]+ found/);
  const total = Number((await page.getByTestId("find-count").innerText()).split(" ")[0].replaceAll(",", ""));
  expect(total).toBeGreaterThan(50);
  await expect(page.getByTestId("find-hit")).toHaveCount(50);
  const firstPage = await page.getByTestId("find-hit").first().getAttribute("data-path");
  expect(firstPage).toMatch(/\.txt$/);
  await page.getByRole("button", { name: "next ›" }).click();
  await expect(page.getByTestId("find-count")).toContainText("showing 51–");
  expect(await page.getByTestId("find-hit").first().getAttribute("data-path")).not.toBe(firstPage);

  // A hard link: found by name, then by its inode under every path.
  await page.getByLabel("name or pattern").fill("hl-a");
  await page.getByRole("button", { name: "Find", exact: true }).click();
  await expect(page.getByTestId("find-hit")).toHaveCount(1);
  const hit = page.getByTestId("find-hit").first();
  const inode = (await hit.locator("td").nth(2).innerText()).trim();
  await page.getByLabel("by").selectOption("inode");
  await page.getByLabel("inode number").fill(inode);
  await page.getByLabel("inode number").press("Enter");
  await expect(page.getByTestId("find-count")).toContainText(/^[2-9] found/);
  const paths = await page.getByTestId("find-hit").evaluateAll((els) => els.map((e) => e.getAttribute("data-path")));
  expect(paths).toContain("/misc/hl-a");
  expect(paths).toContain("/misc/hl-b");
  // A hit opens in full, by keyboard.
  const hlb = page.getByRole("button", { name: "/misc/hl-b" });
  await hlb.focus();
  await page.keyboard.press("Enter");
  await expect(hlb).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("find-detail")).toContainText("regular file");
  await expect(page.getByTestId("find-detail")).toContainText(/links\s*2/);
  await shot(page, "find", { fullPage: false });

  // By path.
  await page.getByLabel("by").selectOption("path");
  const pathBox = page.getByRole("textbox", { name: "path", exact: true });
  await pathBox.fill("/misc/hl-b");
  await pathBox.press("Enter");
  await expect(page.getByTestId("find-hit")).toHaveCount(1);
  await expect(page.getByTestId("find-hit").first()).toHaveAttribute("data-path", "/misc/hl-b");
  await pathBox.fill("/misc/not-there");
  await pathBox.press("Enter");
  await expect(page.getByTestId("find-count")).toContainText("0 found");
});
