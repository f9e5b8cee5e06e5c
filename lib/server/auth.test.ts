import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../test/support/temp-dir";

async function freshAuth(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return import("./auth");
}

describe("password and sessions", () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = tempDir("jfsmeta-auth-");
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it("generates a password once, stores only its hash, and checks it", async () => {
    const auth = await freshAuth({ JFSMETA_DATA_DIR: dir, JFSMETA_PASSWORD: undefined });
    const { generatedPassword } = auth.ensureAuth();
    expect(generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const stored = readFileSync(path.join(dir, "auth.json"), "utf8");
    expect(stored).not.toContain(generatedPassword!);
    expect(statSync(path.join(dir, "auth.json")).mode & 0o077).toBe(0);
    expect(auth.verifyPassword(generatedPassword!)).toBe(true);
    expect(auth.verifyPassword("wrong")).toBe(false);
    expect(auth.verifyPassword("")).toBe(false);
    // A second start finds the stored hash and prints nothing.
    const again = await freshAuth({ JFSMETA_DATA_DIR: dir });
    expect(again.ensureAuth().generatedPassword).toBeNull();
    expect(again.verifyPassword(generatedPassword!)).toBe(true);
  });

  it("JFSMETA_PASSWORD wins, also over a stored hash", async () => {
    const a = await freshAuth({ JFSMETA_DATA_DIR: dir, JFSMETA_PASSWORD: "first-pw" });
    expect(a.ensureAuth().generatedPassword).toBeNull();
    expect(a.verifyPassword("first-pw")).toBe(true);
    const b = await freshAuth({ JFSMETA_DATA_DIR: dir, JFSMETA_PASSWORD: "second-pw" });
    b.ensureAuth();
    expect(b.verifyPassword("second-pw")).toBe(true);
    expect(b.verifyPassword("first-pw")).toBe(false);
  });

  it("sessions live in the store: sign-out ends one, a password change ends all", async () => {
    process.env.JFSMETA_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    const a = await freshAuth({ JFSMETA_PASSWORD: "pw-one" });
    a.ensureAuth();
    const now = Date.now();
    const first = await a.issueSession(now);
    const second = await a.issueSession(now);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await a.sessionValid(first, now)).toBe(true);
    expect(await a.sessionValid(second, now)).toBe(true);
    expect(await a.sessionValid(undefined)).toBe(false);
    expect(await a.sessionValid(first.slice(0, -1) + (first.endsWith("A") ? "B" : "A"), now)).toBe(false);
    expect(await a.sessionValid(first, now + a.SESSION_TTL_MS + 1)).toBe(false);
    // The store holds only hashes of the tokens.
    const db = await (await import("./db")).getDb();
    const rows = await db.session.findMany();
    expect(rows.map((r) => r.id).join()).not.toContain(first);

    await a.revokeSession(first);
    expect(await a.sessionValid(first, now)).toBe(false);
    expect(await a.sessionValid(second, now)).toBe(true);

    // A restart with a new JFSMETA_PASSWORD: the old session no longer opens anything, even
    // before bootstrap deletes the rows (the epoch differs), and revokeAllSessions empties the table.
    const b = await freshAuth({ JFSMETA_PASSWORD: "pw-two" });
    expect(b.ensureAuth().passwordChanged).toBe(true);
    expect(await b.sessionValid(second, now)).toBe(false);
    expect(await b.revokeAllSessions()).toBe(1);
    const c = await freshAuth({ JFSMETA_PASSWORD: "pw-two" });
    expect(c.ensureAuth().passwordChanged).toBe(false);
    await (await import("./db")).getDb().then((d) => d.$disconnect());
  });

  it("login attempts go through the back-off: refused unchecked while it is closed", async () => {
    const auth = await freshAuth({ JFSMETA_DATA_DIR: dir, JFSMETA_PASSWORD: "right" });
    const { FREE_FAILURES } = await import("./backoff");
    const t = 1_000_000;
    for (let i = 0; i < FREE_FAILURES; i++) expect(auth.attemptLogin("wrong", t)).toEqual({ ok: false, reason: "wrong-password", retryAfterMs: 0 });
    // This one closes the door, and says for how long.
    expect(auth.attemptLogin("wrong", t)).toEqual({ ok: false, reason: "wrong-password", retryAfterMs: 1000 });
    // Closed now: even the right password is not checked until the pause ends.
    expect(auth.attemptLogin("right", t + 1)).toMatchObject({ ok: false, reason: "backoff" });
    expect(auth.loginBackoff().failures).toBe(FREE_FAILURES + 1);
    expect(auth.attemptLogin("right", auth.loginBackoff().closedUntil)).toEqual({ ok: true });
    expect(auth.loginBackoff().failures).toBe(0);
  });
});
