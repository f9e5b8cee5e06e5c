import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";

const dir = tempDir("jfsmeta-secretbox-");
process.env.JFSMETA_DATA_DIR = dir;
delete process.env.DATABASE_URL;
delete process.env.JFSMETA_SECRET_KEY_FILE;

describe("sealed secrets", () => {
  it("seal and unseal, bound to their place, with a 0600 key file outside the store", async () => {
    const box = await import("./secretbox");
    const sealed = box.seal("redis://:hunter2@h/1", "Volume.metaUrl:a");
    expect(sealed).toMatch(/^jfsmeta-sealed:v1:/);
    expect(sealed).not.toContain("hunter2");
    expect(box.seal("x", "p")).not.toBe(box.seal("x", "p")); // fresh nonce each time
    expect(box.unseal(sealed, "Volume.metaUrl:a")).toBe("redis://:hunter2@h/1");
    // Copied into another row: refused, with a message naming the column, not the value.
    expect(() => box.unseal(sealed, "Volume.metaUrl:b")).toThrow(/stored Volume\.metaUrl cannot be opened/);
    // A clear value (an old row) reads as is.
    expect(box.unseal("sqlite3:///x.db", "Volume.metaUrl:a")).toBe("sqlite3:///x.db");
    const keyFile = path.join(dir, "secret.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64")).toHaveLength(32);
  });

  it("a named key file must exist and be a key; another key cannot open the values", async () => {
    const box = await import("./secretbox");
    const sealed = box.seal("s3cret", "Volume.storageJson:a");
    const other = path.join(tempDir("jfsmeta-secretbox-key-"), "k");
    process.env.JFSMETA_SECRET_KEY_FILE = other;
    try {
      expect(() => box.seal("x", "p")).toThrow(/does not exist: create it with/);
      writeFileSync(other, "not a key\n");
      expect(() => box.seal("x", "p")).toThrow(/is not a jfsmeta secret key/);
      writeFileSync(other, Buffer.alloc(32, 7).toString("base64"));
      expect(() => box.unseal(sealed, "Volume.storageJson:a")).toThrow(/key file was replaced/);
    } finally {
      delete process.env.JFSMETA_SECRET_KEY_FILE;
    }
    expect(box.unseal(sealed, "Volume.storageJson:a")).toBe("s3cret");
  });

  it("start-up seals clear rows an older version stored, and the store file keeps no copy", async () => {
    const { getDb, compactStore } = await import("./db");
    const db = await getDb();
    const secretKey = "AKIA-storage-secret-0123456789";
    await db.volume.create({
      data: { id: "old", name: "old", metaUrl: "redis://:meta-password-42@h:6379/1", storageJson: JSON.stringify({ secretKey }) },
    });
    const { sealStoredSecrets, getVolume } = await import("./volumes");
    expect(await sealStoredSecrets()).toEqual({ sealed: 1, unreadable: [] });
    await compactStore();
    const v = await getVolume("old");
    expect(v?.metaUrl).toBe("redis://:meta-password-42@h:6379/1");
    expect(v?.storage.secretKey).toBe(secretKey);
    for (const f of ["jfsmeta.db", "jfsmeta.db-wal"]) {
      const bytes = readFileSync(path.join(dir, f), { flag: "r" }).toString("latin1");
      expect(bytes).not.toContain("meta-password-42");
      expect(bytes).not.toContain(secretKey);
    }
    expect(statSync(path.join(dir, "jfsmeta.db")).mode & 0o777).toBe(0o600);
    // Another key: start-up names the volume whose secrets no longer open.
    const other = path.join(tempDir("jfsmeta-secretbox-key-"), "k");
    writeFileSync(other, Buffer.alloc(32, 9).toString("base64"));
    process.env.JFSMETA_SECRET_KEY_FILE = other;
    try {
      expect(await sealStoredSecrets()).toEqual({ sealed: 0, unreadable: ["old"] });
    } finally {
      delete process.env.JFSMETA_SECRET_KEY_FILE;
    }
    await db.$disconnect();
  });
});
