// Password login and signed session tokens. The password comes from JFSMETA_PASSWORD or is
// generated at first start; only its scrypt hash is stored (data/auth.json, mode 0600),
// beside the HMAC secret that signs session cookies.
import { randomBytes, scryptSync, createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { dataPath } from "./config";

export const SESSION_COOKIE = "jfsmeta_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const AuthFileSchema = z.object({
  passwordHash: z.string().regex(/^scrypt\$[0-9a-f]+\$[0-9a-f]+$/),
  sessionSecret: z.string().min(32),
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
 * Make sure a password and a session secret exist. Returns the generated password the first
 * time one is made (the caller prints it once), otherwise null.
 */
export function ensureAuth(): { generatedPassword: string | null } {
  const file = dataPath("auth.json");
  const envPassword = process.env.JFSMETA_PASSWORD;
  if (existsSync(file)) {
    const stored = AuthFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    // A changed JFSMETA_PASSWORD replaces the stored hash, so the env always wins.
    if (envPassword && !checkHash(envPassword, stored.passwordHash)) {
      stored.passwordHash = hashPassword(envPassword);
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    }
    cached = stored;
    return { generatedPassword: null };
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const generated = envPassword ? null : randomBytes(12).toString("base64url");
  const created: AuthFile = {
    passwordHash: hashPassword(envPassword ?? generated!),
    sessionSecret: randomBytes(32).toString("hex"),
  };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600, flag: "wx" });
  cached = created;
  return { generatedPassword: generated };
}

function auth(): AuthFile {
  if (!cached) ensureAuth();
  return cached!;
}

export function verifyPassword(password: string): boolean {
  if (!password) return false;
  return checkHash(password, auth().passwordHash);
}

function mac(payload: string): string {
  return createHmac("sha256", auth().sessionSecret).update(payload).digest("base64url");
}

/** A session token: `<expiry ms>.<nonce>.<hmac>`. */
export function issueSession(now = Date.now()): string {
  const payload = `${now + SESSION_TTL_MS}.${randomBytes(9).toString("base64url")}`;
  return `${payload}.${mac(payload)}`;
}

export function sessionValid(token: string | undefined, now = Date.now()): boolean {
  if (!token) return false;
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  const payload = `${parts[0]}.${parts[1]}`;
  const want = Buffer.from(mac(payload));
  const got = Buffer.from(parts[2]);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return false;
  const expires = Number(parts[0]);
  return Number.isFinite(expires) && expires > now;
}
