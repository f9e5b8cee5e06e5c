// Password login and server-side sessions. The password comes from JFSMETA_PASSWORD or is
// generated at first start; only its scrypt hash is stored (data/auth.json, mode 0600).
// A session is a random token in an httpOnly cookie and a row in the store holding the token's
// SHA-256: signing out deletes the row, a password change deletes them all, and a row is
// only valid for the password it was made under (its `epoch`).
import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { admission, failed, OPEN, succeeded, type BackoffState } from "./backoff";
import { dataPath, DATA_DIR_MODE, DATA_FILE_MODE } from "./config";
import { getDb } from "./db";

export const SESSION_COOKIE = "jfsmeta_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const AuthFileSchema = z.object({
  passwordHash: z.string().regex(/^scrypt\$[0-9a-f]+\$[0-9a-f]+$/),
  /** Signed the cookies of versions before server-side sessions; kept so they can still read the file. */
  sessionSecret: z.string().min(32).optional(),
});
type AuthFile = z.infer<typeof AuthFileSchema>;

function hashPassword(password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString("hex")}$${scryptSync(password, salt, 32).toString("hex")}`;
}

function checkHash(password: string, stored: string): boolean {
  const [, saltHex, hashHex] = stored.split("$");
  const want = Buffer.from(hashHex, "hex");
  const got = scryptSync(password, Buffer.from(saltHex, "hex"), want.length);
  return timingSafeEqual(want, got);
}

let cached: AuthFile | undefined;

/**
 * Make sure a password exists. Returns the generated password the first time one is made (the
 * caller prints it once), and whether JFSMETA_PASSWORD replaced the stored one (the caller
 * then ends every session: revokeAllSessions).
 */
export function ensureAuth(): { generatedPassword: string | null; passwordChanged: boolean } {
  const file = dataPath("auth.json");
  const envPassword = process.env.JFSMETA_PASSWORD;
  if (existsSync(file)) {
    const stored = AuthFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    let passwordChanged = false;
    // A changed JFSMETA_PASSWORD replaces the stored hash, so the env always wins.
    if (envPassword && !checkHash(envPassword, stored.passwordHash)) {
      stored.passwordHash = hashPassword(envPassword);
      writeFileSync(file, JSON.stringify(stored), { mode: DATA_FILE_MODE });
      passwordChanged = true;
    }
    cached = stored;
    return { generatedPassword: null, passwordChanged };
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: DATA_DIR_MODE });
  const generated = envPassword ? null : randomBytes(12).toString("base64url");
  const created: AuthFile = { passwordHash: hashPassword(envPassword ?? generated!) };
  writeFileSync(file, JSON.stringify(created), { mode: DATA_FILE_MODE, flag: "wx" });
  cached = created;
  return { generatedPassword: generated, passwordChanged: false };
}

function auth(): AuthFile {
  if (!cached) ensureAuth();
  return cached!;
}

export function verifyPassword(password: string): boolean {
  if (!password) return false;
  return checkHash(password, auth().passwordHash);
}

// ---------------------------------------------------------------- login back-off

const g = globalThis as unknown as { __jfsmetaLoginBackoff?: BackoffState };

/** The back-off as it stands (for tests and the audit). */
export function loginBackoff(): BackoffState {
  return g.__jfsmetaLoginBackoff ?? OPEN;
}

/** A refused attempt says how long sign-in is now paused (0: not paused). */
export type LoginAttempt = { ok: true } | { ok: false; reason: "wrong-password" | "backoff"; retryAfterMs: number };

/**
 * One login attempt through the back-off (./backoff). Synchronous from the admission to the
 * recorded result (scrypt runs on the event loop), so concurrent attempts cannot slip
 * several guesses through one opening.
 */
export function attemptLogin(password: string, now = Date.now()): LoginAttempt {
  const state = loginBackoff();
  const door = admission(state, now);
  if (!door.allowed) return { ok: false, reason: "backoff", retryAfterMs: door.retryAfterMs };
  if (verifyPassword(password)) {
    g.__jfsmetaLoginBackoff = succeeded();
    return { ok: true };
  }
  const next = (g.__jfsmetaLoginBackoff = failed(state, now));
  const after = admission(next, now);
  return { ok: false, reason: "wrong-password", retryAfterMs: after.allowed ? 0 : after.retryAfterMs };
}

// ---------------------------------------------------------------- sessions

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function tokenId(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Sessions are valid only under the password hash they were made with. */
function passwordEpoch(): string {
  return createHash("sha256").update("jfsmeta-session-epoch\0").update(auth().passwordHash).digest("hex").slice(0, 32);
}

/** A new session: the cookie's token (shown to no one else; only its hash is stored). */
export async function issueSession(now = Date.now()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const db = await getDb();
  await db.session.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
  await db.session.create({ data: { id: tokenId(token), epoch: passwordEpoch(), expiresAt: new Date(now + SESSION_TTL_MS) } });
  return token;
}

export async function sessionValid(token: string | undefined, now = Date.now()): Promise<boolean> {
  if (!token || !TOKEN_RE.test(token)) return false;
  const db = await getDb();
  const row = await db.session.findUnique({ where: { id: tokenId(token) } });
  return !!row && row.epoch === passwordEpoch() && row.expiresAt.getTime() > now;
}

/** Sign-out: the token stops working everywhere at once. */
export async function revokeSession(token: string | undefined): Promise<void> {
  if (!token || !TOKEN_RE.test(token)) return;
  const db = await getDb();
  await db.session.deleteMany({ where: { id: tokenId(token) } });
}

/** After a password change: every session ends. Returns how many there were. */
export async function revokeAllSessions(): Promise<number> {
  const db = await getDb();
  return (await db.session.deleteMany({})).count;
}
