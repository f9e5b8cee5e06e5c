// Secrets inside the volume setting (SecretKey, SessionToken, EncryptKey) as JuiceFS stores them
// when KeyEncrypted is set: base64( nonce[12] ‖ AES-128-GCM(key = MD5(UUID)) ‖ tag[16] ).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { REMOVED_SECRET, type Setting } from "./setting";
import { JfsError } from "./errors";

export const SECRET_FIELDS = ["EncryptKey", "SecretKey", "SessionToken"] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

export class RemovedSecretError extends JfsError {
  constructor(readonly field: SecretField) {
    super(
      "refused",
      `the volume's ${field} was removed (dumps replace it with "removed"); ` +
        `set it again with \`jfsmeta config META-URL --secret-key …\` (or pass it as an override)`,
    );
  }
}

function assertSupported(s: Pick<Setting, "EncryptAlgo">): void {
  if ((s.EncryptAlgo ?? "").toLowerCase() === "sm4gcm") {
    throw new JfsError(
      "unsupported",
      "this volume uses EncryptAlgo sm4gcm (SM2/SM4), which Node's OpenSSL cannot do; jfsmeta supports aes256gcm-rsa and chacha20-rsa volumes only",
    );
  }
}

function keyOf(uuid: string): Buffer {
  return createHash("md5").update(uuid, "utf8").digest();
}

/** Encrypt one secret for the setting. `nonce` is for tests; production uses a random one. */
export function encryptSecret(plain: string, uuid: string, nonce: Buffer = randomBytes(12)): string {
  if (nonce.length !== 12) throw new Error("encryptSecret: the nonce must be 12 bytes");
  const c = createCipheriv("aes-128-gcm", keyOf(uuid), nonce);
  const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64");
}

/** Decrypt one stored secret; "removed" and damaged values are errors that say what to do. */
export function decryptSecret(stored: string, uuid: string, field: SecretField = "SecretKey"): string {
  if (stored === REMOVED_SECRET) throw new RemovedSecretError(field);
  const raw = Buffer.from(stored, "base64");
  if (raw.length < 12 + 16) {
    throw new JfsError("corrupt-input", `the volume's ${field} is not an encrypted secret (too short); the setting looks damaged — set it again with \`jfsmeta config\``);
  }
  const d = createDecipheriv("aes-128-gcm", keyOf(uuid), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch (err) {
    throw new JfsError(
      "corrupt-input",
      `the volume's ${field} does not decrypt with its UUID ${uuid} (was the UUID changed, or the setting copied from another volume?); set it again with \`jfsmeta config\``,
      { cause: err },
    );
  }
}

export interface DecryptedSetting {
  /** KeyEncrypted false; secrets in clear, except those listed in `removed`, which stay "removed". */
  setting: Setting;
  removed: SecretField[];
}

/** The setting with its secrets in clear (JuiceFS's Format.Decrypt, minus the failure on "removed"). */
export function decryptSetting(s: Setting): DecryptedSetting {
  const removed: SecretField[] = [];
  const out: Setting = { ...s };
  for (const field of SECRET_FIELDS) {
    const v = s[field];
    if (!v) continue;
    if (v === REMOVED_SECRET) {
      removed.push(field);
      continue;
    }
    if (s.KeyEncrypted) {
      assertSupported(s);
      out[field] = decryptSecret(v, s.UUID, field);
    }
  }
  out.KeyEncrypted = false;
  return { setting: out, removed };
}

/** The setting as JuiceFS stores it: every non-empty secret encrypted, KeyEncrypted true. */
export function encryptSetting(s: Setting, nonce?: () => Buffer): Setting {
  if (s.KeyEncrypted) throw new Error("encryptSetting: the setting is already encrypted");
  assertSupported(s);
  const out: Setting = { ...s, KeyEncrypted: true };
  for (const field of SECRET_FIELDS) {
    const v = s[field];
    if (v && v !== REMOVED_SECRET) out[field] = encryptSecret(v, s.UUID, nonce?.());
  }
  return out;
}
