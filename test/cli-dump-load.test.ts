// `jfsmeta dump` / `jfsmeta load` as a user runs them: child processes, pipes, exit codes.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { golden, goldenPath } from "./support/fixtures";
import { startRedisServer, type RedisServer } from "./support/redis-server";
import { tempDir } from "./support/temp-dir";
import { rawClient } from "./engines/redis/helpers";
import { encryptEnvelope, loadRsaPrivateKey } from "../lib/dump/envelope";
import { TEST_RSA_KEY } from "./support/envelope-keys";
import { jfsmetaBytes } from "./support/jfsmeta-cli";

const PASSWORD = "cli-secret-pw";

const jfsmeta = (args: string[], opts: { stdin?: Buffer; env?: Record<string, string> } = {}) => jfsmetaBytes(args, { input: opts.stdin, env: opts.env });

let server: RedisServer;
const tmp = tempDir("jfsmeta-cli-");
const clients: Redis[] = [];
const url = (db: number) => `redis://:${PASSWORD}@127.0.0.1:${server.port}/${db}`;
const raw = (db: number) => {
  const c = rawClient(url(db));
  clients.push(c);
  return c;
};

beforeAll(async () => {
  server = await startRedisServer({ password: PASSWORD });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describe("jfsmeta load / dump", () => {
  it("loads the sample, warns about the removed secret key, never prints the password", async () => {
    const r = await jfsmeta(["load", url(1), goldenPath("metadata.sample")]);
    expect(r.stderr).toContain('load metadata from "');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("jfsmeta config --secret-key");
    expect(r.stderr + r.stdout.toString()).not.toContain(PASSWORD);
  });

  it("dumps to .json.gz, loads the .gz into another DB, dumps to stdout: same bytes", async () => {
    const gz = path.join(tmp, "meta.json.gz");
    const d = await jfsmeta(["dump", url(1), gz]);
    expect(d.code).toBe(0);
    expect(d.stderr).toContain(`Dump metadata into "${gz}" succeed`);
    expect(existsSync(gz + ".tmp")).toBe(false);
    expect(readFileSync(gz).subarray(0, 2).toString("hex")).toBe("1f8b");
    const l = await jfsmeta(["load", url(2), gz, "--quiet"]);
    expect(l.code).toBe(0);
    const again = await jfsmeta(["dump", url(2), "--threads", "3"]);
    expect(again.code).toBe(0);
    expect(again.stdout.equals(golden("metadata.sample"))).toBe(true);
  });

  it("dumps --subdir d1 to a file equal to metadata-sub.sample", async () => {
    const file = path.join(tmp, "sub.json");
    const r = await jfsmeta(["dump", url(1), file, "--subdir", "d1", "--fast", "--skip-trash"]);
    expect(r.code).toBe(0);
    expect(readFileSync(file).equals(golden("metadata-sub.sample"))).toBe(true);
  });

  it("loads from stdin, gzip or not", async () => {
    const r = await jfsmeta(["load", url(3)], { stdin: gzipSync(golden("metadata-sub.sample")) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('load metadata from "STDIN" succeed');
    expect(await raw(3).get("totalInodes")).toBe("2");
  });

  it("loads an encrypted automatic backup with --encrypt-rsa-key", async () => {
    const keyFile = path.join(tmp, "key.pem");
    writeFileSync(keyFile, TEST_RSA_KEY);
    const backup = path.join(tmp, "dump-2026-11-26-120000.json.gz");
    writeFileSync(backup, encryptEnvelope(gzipSync(golden("metadata.sample")), loadRsaPrivateKey(TEST_RSA_KEY)));
    const r = await jfsmeta(["load", url(4), backup, "--encrypt-rsa-key", keyFile]);
    expect(r.stderr).toContain("succeed");
    expect(r.code).toBe(0);
    const d = await jfsmeta(["dump", url(4)]);
    expect(d.stdout.equals(golden("metadata.sample"))).toBe(true);
  });

  it("refuses a database in use: exit 1, names the volume, redacts the password", async () => {
    const before = await raw(1).dbsize();
    const r = await jfsmeta(["load", url(1), goldenPath("metadata.sample")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`database redis://:****@127.0.0.1:${server.port}/1 is used by volume load-dump-test`);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(await raw(1).dbsize()).toBe(before);
  });

  it("a malformed dump on stdin: non-zero exit, message with the offset, database empty again", async () => {
    const broken = golden("metadata.sample").toString().replace('"type":"regular"', '"type":"regulr"');
    const r = await jfsmeta(["load", url(5)], { stdin: Buffer.from(broken) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown value "regulr".*byte \d+/);
    expect(await raw(5).dbsize()).toBe(0);
  });

  it("dump --subdir of a missing path fails and leaves no file", async () => {
    const file = path.join(tmp, "missing.json");
    const r = await jfsmeta(["dump", url(1), file, "--subdir", "/nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"nope" does not exist in /');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(file + ".tmp")).toBe(false);
  });

  it("--help, bad arguments, and the password from REDIS_PASSWORD", async () => {
    const h = await jfsmeta(["dump", "--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout.toString()).toContain("--keep-secret-key");
    expect((await jfsmeta(["load", "--help"])).stdout.toString()).toContain("--encrypt-rsa-key");
    expect((await jfsmeta(["dump"])).code).toBe(2);
    expect((await jfsmeta(["dump", url(1), "--bogus"])).code).toBe(2);
    const env = await jfsmeta(["dump", `redis://127.0.0.1:${server.port}/1`, "--quiet"], { env: { REDIS_PASSWORD: PASSWORD } });
    expect(env.code).toBe(0);
    expect(env.stderr).toBe("");
    expect(env.stdout.equals(golden("metadata.sample"))).toBe(true);
  });

  it("loads a backup straight from storage: file:// and --from-volume (latest, by name)", async () => {
    // Volume in db 1 (loaded by the first test) is "load-dump-test" with file storage; its
    // bucket is overridden to a temp dir holding two backups under <volume>/meta/.
    const bucket = path.join(tmp, "bucket");
    const meta = path.join(bucket, "load-dump-test", "meta");
    mkdirSync(meta, { recursive: true });
    writeFileSync(path.join(meta, "dump-2026-01-01-000000.json.gz"), gzipSync(Buffer.from("{ not a dump")));
    writeFileSync(path.join(meta, "dump-2026-02-01-000000.json.gz"), gzipSync(golden("metadata.sample")));

    const latest = await jfsmeta(["load", url(9), "latest", "--from-volume", url(1), "--bucket", bucket + "/", "--quiet"]);
    expect(latest.stderr).not.toContain(PASSWORD);
    expect(latest.code).toBe(0);
    expect((await jfsmeta(["dump", url(9), "--quiet"])).stdout.equals(golden("metadata.sample"))).toBe(true);

    const byName = await jfsmeta(["load", url(10), "dump-2026-01-01-000000.json.gz", "--from-volume", url(1), "--bucket", bucket + "/", "--quiet"]);
    expect(byName.code).toBe(1);
    expect(await raw(10).dbsize()).toBe(0);

    const fileUrl = await jfsmeta(["load", url(11), `file://${goldenPath("metadata.sample")}`, "--quiet"]);
    expect(fileUrl.code).toBe(0);
    expect((await jfsmeta(["dump", url(11), "--quiet"])).stdout.equals(golden("metadata.sample"))).toBe(true);
  });
});
