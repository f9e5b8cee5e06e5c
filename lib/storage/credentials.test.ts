import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "../jfs/secrets";
import type { Setting } from "../jfs/setting";
import { applyCredentials } from "./credentials";

const UUID = "6f6a1f2e-3b4c-4d5e-8f90-a1b2c3d4e5f6";
const base: Setting = { Name: "v", UUID, Storage: "s3", Bucket: "b", BlockSize: 4096, TrashDays: 1, EnableACL: false };

describe("applyCredentials (jfsmeta config)", () => {
  it("re-encrypts an encrypted setting, keeping the other secrets", () => {
    const stored = { ...base, KeyEncrypted: true, SecretKey: "removed", SessionToken: "removed", EncryptKey: encryptSecret("PEM", UUID) };
    const r = applyCredentials(stored, { secretKey: "new" });
    expect(r.changed).toEqual(["SecretKey"]);
    expect(r.stillRemoved).toEqual(["SessionToken"]);
    expect(decryptSecret(r.setting.SecretKey!, UUID)).toBe("new");
    expect(decryptSecret(r.setting.EncryptKey!, UUID)).toBe("PEM");
    expect(r.setting.SessionToken).toBe("removed");
    expect(applyCredentials(stored, { secretKey: "new", sessionToken: "" }).stillRemoved).toEqual([]);
  });
  it("leaves a clear setting clear unless asked to encrypt", () => {
    expect(applyCredentials(base, { secretKey: "s" }).setting).toMatchObject({ SecretKey: "s", KeyEncrypted: false });
    const enc = applyCredentials(base, { secretKey: "s", encrypt: true }).setting;
    expect(enc.KeyEncrypted).toBe(true);
    expect(decryptSecret(enc.SecretKey!, UUID)).toBe("s");
  });
});
