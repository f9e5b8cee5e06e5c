// Secrets the dashboard stores (META-URLs with their passwords, storage secret keys) are sealed
// with AES-256-GCM under a key that never lives in the store: a 32-byte key file, by default
// data/secret.key (0600, made at first start), or the file JFSMETA_SECRET_KEY_FILE names (to
// keep it apart from the data directory and its backups). A copy of the store alone, e.g. a
// PostgreSQL dump, reveals no secret.
//
// A sealed value is `jfsmeta-sealed:v1:` + base64(nonce[12] ‖ ciphertext ‖ tag[16]). The
// additional data binds it to its place (table, column, row id), so a sealed value copied into
// another row or column does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { JfsError } from "../jfs/errors";
import { dataPath, DATA_FILE_MODE } from "./config";

const PREFIX = "jfsmeta-sealed:v1:";
const KEY_BYTES = 32;

/** The key file is missing or wrong, or a sealed value does not open with it ("auth": a key does not match). */
export class SecretKeyError extends JfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("auth", message, options);
  }
}

export function secretKeyFile(): string {
  const env = process.env.JFSMETA_SECRET_KEY_FILE;
  return env ? path.resolve(/*turbopackIgnore: true*/ env) : dataPath("secret.key");
}

let cached: { file: string; key: Buffer } | undefined;

/**
 * The sealing key: read from its file, or made (random, 0600) the first time when the file is
 * the default one. A named JFSMETA_SECRET_KEY_FILE that does not exist is an error: making a
 * new key there would silently orphan every secret sealed with the old one.
 */
export function secretKey(): Buffer {
  const file = secretKeyFile();
  if (cached?.file === file) return cached.key;
  let key: Buffer;
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8").trim();
    key = Buffer.from(text, "base64");
    if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+=*$/.test(text)) {
      throw new SecretKeyError(`${file} is not a jfsmeta secret key (32 bytes, base64): restore the right file, or set JFSMETA_SECRET_KEY_FILE`);
    }
  } else if (process.env.JFSMETA_SECRET_KEY_FILE) {
    throw new SecretKeyError(`JFSMETA_SECRET_KEY_FILE names ${file}, which does not exist: create it with \`head -c 32 /dev/urandom | base64 > ${file}\``);
  } else {
    key = randomBytes(KEY_BYTES);
    try {
      writeFileSync(file, key.toString("base64") + "\n", { mode: DATA_FILE_MODE, flag: "wx" });
    } catch (err) {
      // Another process made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      cached = undefined;
      return secretKey();
    }
  }
  cached = { file, key };
  return key;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Seal `plain` for the place `where` (e.g. "Volume.metaUrl:<id>"). */
export function seal(plain: string, where: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", secretKey(), nonce);
  c.setAAD(Buffer.from(where, "utf8"));
  const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return PREFIX + Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64");
}

/** Open a value sealed for `where`; a value that is not sealed (an old clear row) is returned as is. */
export function unseal(stored: string, where: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
  if (raw.length < 12 + 16) throw new SecretKeyError(`the sealed ${where.split(":")[0]} is damaged (too short)`);
  try {
    const d = createDecipheriv("aes-256-gcm", secretKey(), raw.subarray(0, 12));
    d.setAAD(Buffer.from(where, "utf8"));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    throw new SecretKeyError(
      `the stored ${where.split(":")[0]} cannot be opened with the key in ${secretKeyFile()}: the key file was replaced or the row was altered`,
      { cause: err },
    );
  }
}
