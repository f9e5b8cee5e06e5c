import { mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import { dataPath, DataPathError, secureDataDir } from "./config";

describe("the data directory", () => {
  it("names files only inside it: a part that is a path, '..' or empty is refused", () => {
    const dir = tempDir("jfsmeta-config-");
    process.env.JFSMETA_DATA_DIR = dir;
    expect(dataPath("jobs", "0b7e5d4e-1c1a-4b1e-9a57-0d8cfb3f3a3e", "dump.json")).toBe(path.join(dir, "jobs", "0b7e5d4e-1c1a-4b1e-9a57-0d8cfb3f3a3e", "dump.json"));
    for (const bad of ["../../../../tmp/x", "..", ".", "", "a/b", "a\\b", "x\0y", "/etc/passwd"]) {
      expect(() => dataPath("jobs", bad), JSON.stringify(bad)).toThrow(DataPathError);
    }
    // Names that only look odd are fine: they stay one segment inside data/.
    expect(dataPath("my volume-..json")).toBe(path.join(dir, "my volume-..json"));
  });

  it("is made private: 0700 directories and 0600 files, also those an older version left open", () => {
    const dir = path.join(tempDir("jfsmeta-config-"), "data");
    process.env.JFSMETA_DATA_DIR = dir;
    mkdirSync(path.join(dir, "demo", "bucket"), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(dir, "jfsmeta.db"), "x", { mode: 0o644 });
    writeFileSync(path.join(dir, "demo", "bucket", "dump.json.gz"), "x", { mode: 0o644 });
    const saved = process.umask();
    try {
      expect(secureDataDir().tightened).toBe(5);
      for (const p of [dir, path.join(dir, "demo"), path.join(dir, "demo", "bucket")]) expect(statSync(p).mode & 0o777).toBe(0o700);
      for (const p of [path.join(dir, "jfsmeta.db"), path.join(dir, "demo", "bucket", "dump.json.gz")]) expect(statSync(p).mode & 0o777).toBe(0o600);
      // Files made afterwards are private too (the umask).
      writeFileSync(path.join(dir, "later"), "x");
      expect(statSync(path.join(dir, "later")).mode & 0o777).toBe(0o600);
      expect(secureDataDir().tightened).toBe(0);
    } finally {
      process.umask(saved);
    }
  });
});
