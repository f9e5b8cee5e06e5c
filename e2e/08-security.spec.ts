// The dashboard lets no one in and leaks nothing. Every page, route handler and server action
// is taken FROM THE BUILD (.next's app-paths and server-reference manifests), so one added
// later is covered without editing this file; each is tried without a session, with a
// signed-out (revoked) session and from another origin. Then: file names a user types never
// leave data/, the security headers and CSP nonces, the modes of data/, sealed secrets, and
// the login back-off (its answers, not wall time).
import { expect, test, type APIRequestContext, type APIResponse, type Browser } from "@playwright/test";
import Database from "better-sqlite3";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FREE_FAILURES, MAX_DELAY_MS } from "../lib/server/backoff";
import { DEMO_META_URL, E2E_DATA_DIR, E2E_PASSWORD, ROOT } from "./env";
import { login } from "./helpers";

// ---------------------------------------------------------------- what the build serves

type Page = { path: string; public: boolean };
type Action = { id: string; name: string; file: string; page: string; public: boolean };

/** `/(app)/volumes/[id]/page` → `/volumes/demo`: groups dropped, dynamic segments filled. */
function urlOf(entry: string): string {
  const segs = entry
    .replace(/\/(page|route)$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (/^\[\[?\.{0,3}(.+?)\]?\]$/.test(s) ? (s.includes("key") ? "dump-2020-01-01-000000.json.gz" : "demo") : s));
  return "/" + segs.join("/");
}

function buildManifest() {
  const dir = path.join(ROOT, ".next", "server");
  const appPaths = Object.keys(JSON.parse(readFileSync(path.join(dir, "app-paths-manifest.json"), "utf8")) as Record<string, string>);
  // Next's own error pages are not routes anyone can address.
  const own = appPaths.filter((p) => !/^\/_(not-found|global-error)\//.test(p));
  const pages: Page[] = own.filter((p) => p.endsWith("/page")).map((p) => ({ path: urlOf(p), public: urlOf(p) === "/login" }));
  const routes = own.filter((p) => p.endsWith("/route")).map(urlOf);
  const refs = JSON.parse(readFileSync(path.join(dir, "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  const actions: Action[] = Object.entries(refs.node).map(([id, a]) => {
    const worker = Object.keys(a.workers).map((w) => w.replace(/^app/, "")).sort()[0];
    const name = a.exportedName ?? id;
    // Signing in is the one thing to do without a session.
    return { id, name, file: a.filename ?? "?", page: urlOf(worker), public: name === "login" };
  });
  return { pages, routes, actions };
}

const built = buildManifest();

// ---------------------------------------------------------------- requests

const BASE = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3217)}`;
const FOREIGN: Record<string, string>[] = [
  { Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" },
  { Origin: "http://evil.example" },
  // Another port of the same host is same-site: it would get our cookies.
  { Origin: "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site" },
];

function cookieHeader(token: string | null): Record<string, string> {
  return token ? { Cookie: `jfsmeta_session=${token}` } : {};
}

/** Call a server action as React does (Next-Action header, JSON-encoded arguments). */
function callAction(request: APIRequestContext, a: Action, headers: Record<string, string>, args: unknown[] = []): Promise<APIResponse> {
  return request.fetch(a.page, {
    method: "POST",
    headers: { "Next-Action": a.id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component", Origin: BASE, ...headers },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
}

/** Sent to the login page, as a server action sees it. */
function actionRedirectedToLogin(r: APIResponse): boolean {
  const h = r.headers();
  return (h["x-action-redirect"] ?? "").startsWith("/login") || (r.status() === 303 && (h.location ?? "").startsWith("/login"));
}

async function signedIn(browser: Browser): Promise<{ token: string; close: () => Promise<void>; signOut: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page);
  const token = (await context.cookies()).find((c) => c.name === "jfsmeta_session")!.value;
  return {
    token,
    close: () => context.close(),
    signOut: async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page).toHaveURL(/\/login$/);
    },
  };
}

async function jobCount(request: APIRequestContext, token: string): Promise<number> {
  const r = await request.get("/api/jobs", { headers: cookieHeader(token) });
  expect(r.status()).toBe(200);
  return ((await r.json()) as unknown[]).length;
}

async function volumeCount(request: APIRequestContext, token: string): Promise<number> {
  const r = await request.get("/", { headers: cookieHeader(token) });
  return (await r.text()).split('data-testid="volume-card"').length - 1;
}

// ---------------------------------------------------------------- the tests

test("the build's pages, route handlers and server actions are all found", () => {
  // A floor, so a broken manifest reader cannot pass everything by finding nothing.
  expect(built.pages.length).toBeGreaterThanOrEqual(8);
  expect(built.routes.length).toBeGreaterThanOrEqual(5);
  expect(built.actions.length).toBeGreaterThanOrEqual(10);
  expect(built.pages.map((p) => p.path)).toContain("/volumes/demo");
  expect(built.actions.filter((a) => a.public).map((a) => a.name)).toEqual(["login"]);
});

for (const who of ["no session", "a signed-out session"] as const) {
  test(`every page, route handler and server action refuses ${who}`, async ({ browser, request }) => {
    const owner = await signedIn(browser);
    let token: string | null = null;
    if (who === "a signed-out session") {
      const gone = await signedIn(browser);
      token = gone.token;
      expect((await request.get("/api/jobs", { headers: cookieHeader(token) })).status()).toBe(200);
      await gone.signOut();
      await gone.close();
    }
    const jobsBefore = await jobCount(request, owner.token);
    const volumesBefore = await volumeCount(request, owner.token);

    for (const p of built.pages.filter((p) => !p.public)) {
      const r = await request.get(p.path, { headers: cookieHeader(token), maxRedirects: 0 });
      expect([307, 303, 302], `${p.path} → ${r.status()}`).toContain(r.status());
      expect(r.headers().location, p.path).toMatch(/\/login$/);
    }
    for (const route of built.routes) {
      const statuses: number[] = [];
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const r = await request.fetch(route, { method, headers: cookieHeader(token), maxRedirects: 0 });
        // 401 from the session check; a method the handler does not export is 405 before any code runs.
        expect([401, 405], `${method} ${route} → ${r.status()}`).toContain(r.status());
        statuses.push(r.status());
      }
      expect(statuses, `${route} answers some method`).toContain(401);
    }
    for (const a of built.actions.filter((a) => !a.public)) {
      const r = await callAction(request, a, cookieHeader(token), ["demo", { target: "download" }]);
      expect(actionRedirectedToLogin(r), `${a.file} ${a.name} → ${r.status()} ${JSON.stringify(r.headers())}`).toBe(true);
    }
    // Nothing was started, added or removed.
    expect(await jobCount(request, owner.token)).toBe(jobsBefore);
    expect(await volumeCount(request, owner.token)).toBe(volumesBefore);
    await owner.close();
  });
}

test("requests from another origin are refused, even with a valid session", async ({ browser, request }) => {
  const owner = await signedIn(browser);
  const auth = cookieHeader(owner.token);
  const jobsBefore = await jobCount(request, owner.token);
  for (const foreign of FOREIGN) {
    for (const a of built.actions) {
      const r = await callAction(request, a, { ...auth, ...foreign }, ["demo", { target: "download" }]);
      expect(r.status(), `${a.name} from ${JSON.stringify(foreign)}`).toBe(403);
    }
    for (const route of built.routes) {
      const r = await request.get(route, { headers: { ...auth, ...foreign }, maxRedirects: 0 });
      expect(r.status(), `${route} from ${JSON.stringify(foreign)}`).toBe(403);
      expect(r.headers()["access-control-allow-origin"]).toBeUndefined();
    }
    // A link from elsewhere may open a page, which then cannot be framed or read.
    for (const p of built.pages) {
      const r = await request.get(p.path, { headers: { ...auth, ...foreign }, maxRedirects: 0 });
      expect(r.status(), p.path).toBeLessThan(500);
      expect(r.headers()["content-security-policy"], p.path).toContain("frame-ancestors 'none'");
      expect(r.headers()["x-frame-options"]).toBe("DENY");
      expect(r.headers()["access-control-allow-origin"]).toBeUndefined();
    }
  }
  expect(await jobCount(request, owner.token)).toBe(jobsBefore);
  // The same calls from the dashboard's own origin pass the origin check (the 403s above are
  // the origin's doing): a cancel of no job answers, a route answers.
  const cancel = built.actions.find((a) => a.name === "cancelJobAction");
  expect(cancel, "cancelJobAction is the control call").toBeDefined();
  const ok = await callAction(request, cancel!, auth, ["00000000-0000-4000-8000-000000000000"]);
  expect(ok.status()).toBe(200);
  expect(actionRedirectedToLogin(ok)).toBe(false);
  expect((await request.get("/api/jobs", { headers: { ...auth, Origin: BASE, "Sec-Fetch-Site": "same-origin" } })).status()).toBe(200);
  await owner.close();
});

test("every response carries the security headers, and every script the page's nonce", async ({ browser, request }) => {
  const owner = await signedIn(browser);
  const auth = cookieHeader(owner.token);
  const common = (r: APIResponse, what: string) => {
    const h = r.headers();
    expect(h["x-content-type-options"], what).toBe("nosniff");
    expect(h["referrer-policy"], what).toBe("no-referrer");
    expect(h["x-frame-options"], what).toBe("DENY");
  };
  let chunk: string | undefined;
  for (const p of built.pages) {
    const r = await request.get(p.path, { headers: auth, maxRedirects: 0 });
    common(r, p.path);
    const csp = r.headers()["content-security-policy"] ?? "";
    expect(csp, p.path).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, `${p.path}: a script nonce`).toBeTruthy();
    const html = await r.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, p.path).toBeGreaterThan(0);
    for (const s of scripts) expect(s, `${p.path}: ${s}`).toContain(`nonce="${nonce}"`);
    chunk ??= /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
  }
  // Two requests, two nonces.
  const n1 = (await request.get("/login")).headers()["content-security-policy"];
  const n2 = (await request.get("/login")).headers()["content-security-policy"];
  expect(n1).not.toBe(n2);
  for (const route of built.routes) {
    const r = await request.get(route, { headers: auth, maxRedirects: 0 });
    common(r, route);
    expect(r.headers()["content-security-policy"], route).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
  }
  expect(chunk).toBeTruthy();
  common(await request.get(chunk!), chunk!);
  await owner.close();
});

test("the dashboard works under its CSP: no violation on any page", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content.Security.Policy|Refused to (execute|load|apply|connect)/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => violations.push(`${page.url()}: ${e.message}`));
  await login(page);
  for (const p of built.pages.filter((p) => !p.public)) {
    await page.goto(p.path);
    await page.waitForLoadState("networkidle");
  }
  // Client-side code ran (React hydrated, TanStack Query fetched): the inspector lists entries.
  await page.goto("/volumes/demo/inspect");
  await expect(page.getByText("README.md")).toBeVisible();
  expect(violations).toEqual([]);
});

test("names a user types never become paths outside data/", async ({ page, request, browser }) => {
  const tag = `jfsmeta-traversal-${Date.now()}`;
  const names = [`../../../../../../../../tmp/${tag}`, `with space ${tag}`, `..`, `a\\..\\..\\${tag}`];
  const owner = await signedIn(browser);
  const auth = cookieHeader(owner.token);
  await login(page);
  const added: string[] = [];
  for (const name of names) {
    await page.goto("/volumes/new");
    await page.getByLabel("META-URL").fill(DEMO_META_URL);
    await page.getByLabel("Display name (optional)").fill(name);
    await page.getByRole("button", { name: "Test and add" }).click();
    await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
    added.push(page.url().split("/volumes/")[1]);
    // A dump to a download: the job's file is named by the job, the browser is offered the name.
    const form = page.getByTestId("dump-form");
    await form.getByRole("button", { name: "Dump to a download" }).click();
    await expect(form.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
    const href = await form.getByTestId("job-download").getAttribute("href");
    const r = await request.get(href!, { headers: auth });
    expect(r.status(), `download of ${name}`).toBe(200);
    const disposition = r.headers()["content-disposition"];
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/);
    expect(disposition).not.toMatch(/filename="[^"]*\//);
    const jobId = href!.split("/")[3];
    expect(readdirSync(path.join(E2E_DATA_DIR, "jobs", jobId))).toEqual(["dump.json"]);
  }
  // An export of a subdirectory names its file the same way.
  await page.goto(`/volumes/${added[0]}/inspect`);
  await page.getByRole("button", { name: /Export this directory/ }).click();
  const progress = page.getByTestId("job-progress").last();
  await expect(progress).toHaveAttribute("data-state", "succeeded", { timeout: 60_000 });
  const href = await progress.getByTestId("job-download").getAttribute("href");
  expect((await request.get(href!, { headers: auth })).status()).toBe(200);
  expect(readdirSync(path.join(E2E_DATA_DIR, "jobs", href!.split("/")[3]))).toEqual(["export.json"]);

  // Names in URLs and parameters: refused as requests (4xx), never a 500, never a file.
  for (const bad of ["..%2F..%2Fauth.json", "..%2F..%2F..%2F..%2Ftmp%2F" + tag, "%2E%2E", "with%20space"]) {
    for (const url of [`/api/volumes/demo/backups/${bad}`, `/api/jobs/${bad}/download`, `/api/jobs/${bad}`, `/api/tree?volume=demo&op=roots&backup=${bad}`]) {
      const r = await request.get(url, { headers: auth });
      expect(r.status(), url).toBeGreaterThanOrEqual(400);
      expect(r.status(), url).toBeLessThan(500);
    }
  }
  // Opening a "backup" named like a path for inspection: refused by the action.
  const index = built.actions.find((a) => a.name === "startIndexAction");
  if (index) {
    const r = await callAction(request, index, auth, ["demo", `../../../../tmp/${tag}`]);
    expect(await r.text()).toContain("is not a backup name");
  }
  const outside = readdirSync(os.tmpdir()).filter((f) => f.includes(tag));
  expect(outside).toEqual([]);
  expect(existsSync(path.join(path.dirname(E2E_DATA_DIR), tag))).toBe(false);

  // Leave the volume list as it was.
  for (const id of added) {
    await page.goto(`/volumes/${id}`);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Remove" }).click();
    await expect(page.getByRole("heading", { name: "Volumes" })).toBeVisible();
  }
  await owner.close();
});

test("data/ is private (0700, files 0600) and the store holds no secret in clear", async () => {
  const bad: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) bad.push(`${(st.mode & 0o777).toString(8)} ${p}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) if (n !== "e2e-scratch") walk(path.join(p, n));
  };
  walk(E2E_DATA_DIR);
  expect(bad).toEqual([]);
  expect(statSync(path.join(E2E_DATA_DIR, "secret.key")).mode & 0o777).toBe(0o600);
  const db = new Database(path.join(E2E_DATA_DIR, "jfsmeta.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT "metaUrl", "storageJson" FROM "Volume"`).all() as { metaUrl: string; storageJson: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.metaUrl).toMatch(/^jfsmeta-sealed:v1:/);
      expect(r.storageJson).toMatch(/^jfsmeta-sealed:v1:/);
    }
    // Sessions are stored as hashes of their tokens.
    for (const s of db.prepare(`SELECT "id" FROM "Session"`).all() as { id: string }[]) expect(s.id).toMatch(/^[0-9a-f]{64}$/);
  } finally {
    db.close();
  }
});

test("wrong passwords close sign-in for a while; the owner gets in once it reopens", async ({ page }) => {
  await page.goto("/login");
  const password = page.getByLabel("Password");
  const submit = page.getByRole("button", { name: "Sign in" });
  const answer = page.locator('p[role="alert"]');
  // The server's answers, read as they pass (the browser's own copy of a streamed action
  // response is not kept).
  const answers: string[] = [];
  await page.route("**/login", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    const response = await route.fetch();
    // Signed in: the answer is a redirect (whose payload is the next page, not an answer).
    const error = response.headers()["x-action-redirect"] ? undefined : /"error":("(?:[^"\\]|\\.)*")/.exec(await response.text())?.[1];
    answers.push(error ? (JSON.parse(error) as string) : "");
    await route.fulfill({ response });
  });
  /** Submit through the form; the server's answer (the action's `error`). */
  const attempt = async (pw: string): Promise<string> => {
    const n = answers.length;
    await password.fill(pw);
    await submit.click();
    await expect.poll(() => answers.length).toBeGreaterThan(n);
    return answers[n];
  };
  const pausedFor = (text: string) => Number(/paused for (\d+) s/.exec(text)?.[1] ?? 0);
  // The first FREE_FAILURES wrong passwords are answered as such (typos are free).
  for (let i = 0; i < FREE_FAILURES; i++) {
    const text = await attempt(`typo-${i}`);
    expect(text).toMatch(/^Wrong password/);
    expect(pausedFor(text)).toBe(0);
  }
  // Then each wrong password closes sign-in for twice as long as the last, and says so; a
  // guess while closed is not even checked. Keep guessing (as an attacker would) until a wrong
  // password closes it for 8 s, so that the next request surely arrives inside the pause.
  const announced: number[] = [];
  let guesses = 0;
  while ((announced.at(-1) ?? 0) < 8) {
    const text = await attempt(`guess-${guesses++}`);
    if (text.startsWith("Wrong password")) announced.push(pausedFor(text));
    else expect(text).toMatch(/^This password was not checked: sign-in is paused for \d+ s/);
    expect(guesses, "the pause grows with each wrong password").toBeLessThan(500);
  }
  // Checked guesses: 1 s, 2 s, 4 s, 8 s: each pause twice the last.
  expect(announced).toEqual([1, 2, 4, 8]);
  expect(MAX_DELAY_MS / 1000).toBeGreaterThanOrEqual(8);
  // While paused even the right password is refused unchecked: no session, still /login, and
  // the page says why.
  expect(await attempt(E2E_PASSWORD)).toMatch(/^This password was not checked: sign-in is paused for \d+ s/);
  await expect(answer).toContainText(/paused for \d+ s/);
  await expect(page).toHaveURL(/\/login$/);
  // The owner retries and is let in once the pause is over (polling, not a timed assertion):
  // the server's answer to the right password is no error, and the dashboard opens.
  await expect(async () => {
    expect(await attempt(E2E_PASSWORD)).toBe("");
  }).toPass({ timeout: 60_000, intervals: [500] });
  await expect(page.getByRole("heading", { name: "Volumes" })).toBeVisible();
});
