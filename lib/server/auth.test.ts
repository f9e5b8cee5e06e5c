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

  it("accepts its own session tokens and rejects tampered or expired ones", async () => {
    const auth = await freshAuth({ JFSMETA_DATA_DIR: dir, JFSMETA_PASSWORD: "pw" });
    const now = Date.now();
    const token = auth.issueSession(now);
    expect(auth.sessionValid(token, now)).toBe(true);
    expect(auth.sessionValid(undefined)).toBe(false);
    expect(auth.sessionValid(token + "x", now)).toBe(false);
    const [exp, nonce, mac] = token.split(".");
    expect(auth.sessionValid(`${Number(exp) + 1000}.${nonce}.${mac}`, now)).toBe(false);
    expect(auth.sessionValid(token, now + auth.SESSION_TTL_MS + 1)).toBe(false);
    // Another data directory has another signing secret.
    const other = await freshAuth({ JFSMETA_DATA_DIR: tempDir("jfsmeta-auth-"), JFSMETA_PASSWORD: "pw" });
    expect(other.sessionValid(token, now)).toBe(false);
  });
});
