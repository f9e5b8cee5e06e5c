// Changing the storage credentials in a volume setting (`juicefs config --secret-key …`):
// decrypt every secret, replace, and encrypt again if the setting kept them encrypted.
import { decryptSetting, encryptSetting, type SecretField } from "../jfs/secrets";
import { REMOVED_SECRET, type Setting } from "../jfs/setting";

export interface CredentialChange {
  accessKey?: string;
  secretKey?: string;
  /** "" clears it. */
  sessionToken?: string;
  /** Store the secrets encrypted even if the setting kept them in clear (juicefs config --encrypt-secret). */
  encrypt?: boolean;
}

export function applyCredentials(stored: Setting, change: CredentialChange): { setting: Setting; changed: string[]; stillRemoved: SecretField[] } {
  const encrypt = !!stored.KeyEncrypted || !!change.encrypt;
  const { setting } = decryptSetting(stored);
  const changed: string[] = [];
  if (change.accessKey !== undefined) {
    setting.AccessKey = change.accessKey;
    changed.push("AccessKey");
  }
  if (change.secretKey !== undefined) {
    setting.SecretKey = change.secretKey;
    changed.push("SecretKey");
  }
  if (change.sessionToken !== undefined) {
    setting.SessionToken = change.sessionToken;
    changed.push("SessionToken");
  }
  const stillRemoved = (["SecretKey", "SessionToken"] as const).filter((f) => setting[f] === REMOVED_SECRET);
  return { setting: encrypt ? encryptSetting(setting) : setting, changed, stillRemoved };
}
