// The command line beside JuiceFS's (issue #14, "make every difference go away"): each case runs
// the same words through `juicefs` and `jfsmeta` and compares what they do to the volume.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { juicefs, juicefsBin } from "../support/juicefs";
import { tempDir } from "../support/temp-dir";
import { jfsmeta, startEngine, writeVolume, type EngineTarget } from "./harness";
import { storedData } from "./stored";
import { decodeAttr } from "../../lib/jfs/binary-values";
import { TRASH_INODE } from "../../lib/jfs/types";

const tmp = tempDir("jfsmeta-conformance-cli-");
const TRASH_KEY = "string i9223372032828243968";

let redis: EngineTarget;
let sqlite: EngineTarget;
let input: string;

beforeAll(async () => {
  juicefsBin();
  [redis, sqlite] = [await startEngine("redis"), await startEngine("sqlite3")];
  input = await writeVolume(path.join(tmp, "input.json"), { files: 60, seed: 21, name: "clivol" });
});
afterAll(async () => {
  await redis?.stop();
  await sqlite?.stop();
});

/** The same volume loaded twice (by jfsmeta: the loads are compared elsewhere). */
async function twoLoaded(engine: EngineTarget, file = input): Promise<[string, string]> {
  const [a, b] = [await engine.fresh(), await engine.fresh()];
  await jfsmeta(["load", a, file, "--quiet"]);
  await jfsmeta(["load", b, file, "--quiet"]);
  return [a, b];
}

describe("global flags anywhere on the line", () => {
  it("are accepted by both, before the verb, between arguments and at the end", async () => {
    const lines = [
      ["--verbose", "dump", "@URL", "@OUT"],
      ["dump", "-q", "@URL", "--no-agent", "@OUT", "--log-level", "warn"],
      ["--debug", "--no-color", "dump", "@URL", "@OUT", "--log-id", "abc", "--trace"],
      ["dump", "@URL", "--pyroscope", "127.0.0.1:1", "@OUT", "-v"],
    ];
    const [url] = await twoLoaded(sqlite);
    for (const [i, line] of lines.entries()) {
      const words = (out: string) => line.map((w) => (w === "@URL" ? url : w === "@OUT" ? out : w));
      const [jOut, mOut] = [path.join(tmp, `g${i}-j.json`), path.join(tmp, `g${i}-m.json`)];
      await juicefs(words(jOut));
      await jfsmeta(words(mOut));
      expect(readFileSync(mOut).equals(readFileSync(jOut)), line.join(" ")).toBe(true);
    }
  });

  it("load takes --threads and ignores --encrypt-algo without a key, as JuiceFS does", async () => {
    const [a, b] = [await sqlite.fresh(), await sqlite.fresh()];
    await juicefs(["load", a, input, "--threads", "4", "--encrypt-algo", "chacha20-rsa"]);
    await jfsmeta(["load", b, input, "--threads", "4", "--encrypt-algo", "chacha20-rsa", "--quiet"]);
    const [ja, mb] = [await jfsmeta(["dump", a]), await jfsmeta(["dump", b])];
    expect(mb.stdout.equals(ja.stdout)).toBe(true);
  });
});

describe("config", () => {
  it("with no flags prints the format as JuiceFS does (secrets removed)", async () => {
    const [url] = await twoLoaded(sqlite);
    await jfsmeta(["config", url, "--secret-key", "s3cr3t", "--force"]);
    const [j, m] = [await juicefs(["config", url]), await jfsmeta(["config", url])];
    expect(m.stdout.toString()).toBe(j.stdout.toString());
    expect(m.stdout.toString()).not.toContain("s3cr3t");
  });

  it.each(["redis", "sqlite3"] as const)("%s: creates the Trash when TrashDays > 0 and it is missing (a --skip-trash dump was loaded)", async (kind) => {
    const engine = kind === "redis" ? redis : sqlite;
    const [src] = await twoLoaded(engine);
    const noTrash = path.join(tmp, `${kind}-skip-trash.json`);
    await jfsmeta(["dump", src, noTrash, "--skip-trash", "--quiet"]);
    const [a, b] = await twoLoaded(engine, noTrash);
    const hasTrash = async (url: string) => {
      const s = await storedData(url);
      return kind === "redis" ? TRASH_KEY in s : s.jfs_node.some((r) => r.includes("inode=9223372032828243968 "));
    };
    expect(await hasTrash(a)).toBe(false);
    await juicefs(["config", a, "--trash-days", "3", "--force"]);
    await jfsmeta(["config", b, "--trash-days", "3", "--force"]);
    expect(await hasTrash(a)).toBe(true);
    expect(await hasTrash(b)).toBe(true);
    // The same directory but for its time of creation.
    const untimed = (s: Record<string, string[]>) => {
      if (kind === "sqlite3") return s.jfs_node.filter((r) => r.includes("inode=9223372032828243968 ")).map((r) => r.replace(/[amc]time(nsec)?=\d+ /g, ""));
      const stored = decodeAttr(TRASH_INODE, Buffer.from(s[TRASH_KEY][0].slice(2), "hex"))!;
      const { atime: _a, mtime: _m, ctime: _c, atimensec, mtimensec, ctimensec, ...attr } = stored.attr;
      // JuiceFS's Redis engine stamps whole seconds.
      return [{ ...stored, attr }, atimensec + mtimensec + ctimensec];
    };
    expect(untimed(await storedData(b))).toEqual(untimed(await storedData(a)));
  });

  it("changes the format as juicefs config does, flag for flag", async () => {
    const [a, b] = await twoLoaded(redis);
    const flags = [
      "--capacity", "100", "--inodes", "1000000", "--upload-limit", "200", "--download-limit", "1G", "--trash-days", "0",
      "--changelog", "--changelog-max-lines", "5000", "--max-client-version", "1.9.0", "--min-client-version", "1.3.0",
      "--storage-class", "STANDARD_IA", "--storage", "file", "--bucket", path.join(tmp, "elsewhere"), "--yes", "--force",
    ];
    await juicefs(["config", a, ...flags]);
    await jfsmeta(["config", b, ...flags]);
    const setting = async (url: string) => (await storedData(url))["string setting"];
    expect(await setting(b)).toEqual(await setting(a));
    await juicefs(["config", a, "--dir-stats=false", "--user-group-quota=false", "--changelog=false"]);
    await jfsmeta(["config", b, "--dir-stats=false", "--user-group-quota=false", "--changelog=false"]);
    expect(await setting(b)).toEqual(await setting(a));
  });

  it("probes the storage before it saves a storage change, unless --force", async () => {
    const [, b] = await twoLoaded(redis);
    const r = await jfsmeta(["config", b, "--bucket", path.join(tmp, "no-such-bucket")], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("storage check failed, nothing saved");
    expect(r.stderr).toContain("--force");
    expect((await jfsmeta(["config", b])).stdout.toString()).not.toContain("no-such-bucket");
  });
});

describe("load and the client version bounds", () => {
  it("JuiceFS exits 1 after loading a volume its version may not mount; jfsmeta loads the same data, warns and exits 0", async () => {
    const file = await writeVolume(path.join(tmp, "future.json"), { files: 20, seed: 22, name: "future", setting: { MinClientVersion: "9.0.0" } });
    const [a, b] = [await sqlite.fresh(), await sqlite.fresh()];
    const j = await juicefs(["load", a, file], { allowFailure: true });
    expect(j.code).not.toBe(0);
    expect(j.stderr).toContain("allowed minimum version: 9.0.0");
    const m = await jfsmeta(["load", b, file]);
    expect(m.code).toBe(0);
    expect(m.stderr).toContain("clients cannot mount this volume: allowed minimum client version is 9.0.0");
    const [ja, mb] = [await jfsmeta(["dump", a]), await jfsmeta(["dump", b])];
    expect(mb.stdout.equals(ja.stdout)).toBe(true);
  });
});
