import { describe, expect, it } from "vitest";
import { decryptSecret, decryptSetting, encryptSecret, encryptSetting, RemovedSecretError } from "./secrets";
import type { Setting } from "./setting";

const UUID = "6f6a1f2e-3b4c-4d5e-8f90-a1b2c3d4e5f6";
const V5 = "AAECAwQFBgcICQoLVOxo3+RGLNWN0q1qj/xMYR6L6pIAZi421HEbXe8206A=";
const nonce = Buffer.from("000102030405060708090a0b", "hex");

const base: Setting = {
  Name: "myjfs",
  UUID,
  Storage: "s3",
  Bucket: "http://127.0.0.1:9000/bucket",
  AccessKey: "AK",
  SecretKey: "my-s3-secret-key",
  BlockSize: 4096,
  TrashDays: 1,
  EnableACL: false,
  EncryptAlgo: "aes256gcm-rsa",
};

describe("setting secrets (docs/format/backups.md §3)", () => {
  it("encrypts V5 byte for byte and decrypts it", () => {
    expect(encryptSecret("my-s3-secret-key", UUID, nonce)).toBe(V5);
    expect(decryptSecret(V5, UUID)).toBe("my-s3-secret-key");
  });
  it("a different UUID or a damaged value is a clear error", () => {
    expect(() => decryptSecret(V5, "00000000-3b4c-4d5e-8f90-a1b2c3d4e5f6")).toThrow(/does not decrypt with its UUID/);
    expect(() => decryptSecret("c2hvcnQ=", UUID)).toThrow(/too short/);
  });
  it('"removed" is reported, not decrypted', () => {
    expect(() => decryptSecret("removed", UUID)).toThrow(RemovedSecretError);
    const { setting, removed } = decryptSetting({ ...encryptSetting(base), SecretKey: "removed" });
    expect(removed).toEqual(["SecretKey"]);
    expect(setting.SecretKey).toBe("removed");
    expect(setting.KeyEncrypted).toBe(false);
  });
  it("round trips a whole setting; KeyEncrypted false passes through", () => {
    const enc = encryptSetting({ ...base, SessionToken: "tok", EncryptKey: "PEM" }, () => nonce);
    expect(enc.KeyEncrypted).toBe(true);
    expect(enc.SecretKey).toBe(V5);
    expect(enc.AccessKey).toBe("AK");
    const dec = decryptSetting(enc).setting;
    expect([dec.SecretKey, dec.SessionToken, dec.EncryptKey, dec.KeyEncrypted]).toEqual(["my-s3-secret-key", "tok", "PEM", false]);
    expect(decryptSetting(base).setting.SecretKey).toBe("my-s3-secret-key");
  });
  it("sm4gcm volumes are refused with a clear error", () => {
    expect(() => decryptSetting({ ...base, KeyEncrypted: true, SecretKey: V5, EncryptAlgo: "sm4gcm" })).toThrow(/sm4gcm/);
  });
});
