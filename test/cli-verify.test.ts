// `jfsmeta verify` as a user runs it: good and damaged dumps, plain, gzip and encrypted, from
// a file, stdin, object storage (s3:// on a private s3rver, file://) and a volume's backups.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "./support/fixtures";
import { tempDir } from "./support/temp-dir";
import { startS3Server, type S3TestServer } from "./support/s3-server";
import { TEST_RSA_KEY } from "./support/envelope-keys";
import { encryptEnvelope, loadRsaPrivateKey } from "../lib/dump/envelope";
import { S3Store } from "../lib/storage/s3";
import { openEngine } from "../lib/engines/open";
import { loadBuffer } from "./support/engine-io";
import { jfsmetaText } from "./support/jfsmeta-cli";


const jfsmeta = (args: string[], stdin?: Buffer) => jfsmetaText(args, { input: stdin });

const SAMPLE = golden("metadata.sample");
const BAD = Buffer.from(SAMPLE.toString().replace('"inode":3,"type":"directory"', '"inode":1,"type":"directory"'));
const TWO_BAD = Buffer.from(BAD.toString().replace('"sd": {', '"s/d": {'));
const tmp = tempDir("jfsmeta-verify-");
const file = (name: string, data: Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, data);
  return p;
};

/** The sample's counts, as verify prints them. */
function expectSampleCounts(stdout: string) {
  expect(stdout).toMatch(/OK, 17 entries verified/);
  expect(stdout).toMatch(/directories\s+7\n/);
  expect(stdout).toMatch(/files\s+7\n/);
  expect(stdout).toMatch(/hard links\s+1\n/);
  expect(stdout).toMatch(/symlinks\s+2\n/);
  expect(stdout).toMatch(/slices\s+8\n/);
  expect(stdout).toMatch(/bytes\s+115343407 /);
}

const D1_PROBLEM = /inode 1 is the root's .* at FSTree\.entries\["d1"\]\.attr\.inode \(byte \d+\)/;

describe("jfsmeta verify FILE", () => {
  it("passes JuiceFS's sample and prints what it holds", async () => {
    const r = await jfsmeta(["verify", goldenPath("metadata.sample")]);
    expect(r.code).toBe(0);
    expectSampleCounts(r.stdout);
    expect(r.stderr).toBe("");
  });

  it("stops at the first problem: exit 1, one line with the JSON path and offset", async () => {
    const r = await jfsmeta(["verify", file("bad.json", TWO_BAD)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(D1_PROBLEM);
    expect(r.stdout).toBe("");
  });

  it("--all lists every problem, then exits 1", async () => {
    const r = await jfsmeta(["verify", "--all", file("bad2.json", TWO_BAD)]);
    expect(r.code).toBe(1);
    const problems = r.stderr.split("\n").filter((l) => l.startsWith("problem: "));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(D1_PROBLEM);
    expect(problems[1]).toMatch(/contains "\/" at FSTree\.entries\["s\/d"\]/);
    expect(r.stderr).toContain("2 problems; 'jfsmeta load' refuses this dump");
  });

  it("--all still ends at a syntax error, after listing what came before", async () => {
    const cut = TWO_BAD.subarray(0, TWO_BAD.indexOf('"Trash"') + 20);
    const r = await jfsmeta(["verify", "--all", file("cut.json", cut)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/problem: .*truncated/);
    expect(r.stderr).toMatch(/3 problems; the check stopped at the last one/);
  });

  it("reads gzip from a file and from stdin; a truncated gzip names its offset", async () => {
    const gz = gzipSync(SAMPLE);
    expectSampleCounts((await jfsmeta(["verify", file("s.json.gz", gz)])).stdout);
    const piped = await jfsmeta(["verify"], gz);
    expect(piped.code).toBe(0);
    expectSampleCounts(piped.stdout);
    const cut = await jfsmeta(["verify", file("cut.json.gz", gz.subarray(0, gz.length - 100))]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/gzip data is truncated or corrupt at compressed byte \d+/);
  });

  it("decrypts an encrypted backup with --encrypt-rsa-key", async () => {
    const key = file("key.pem", Buffer.from(TEST_RSA_KEY));
    const rsa = loadRsaPrivateKey(TEST_RSA_KEY);
    const good = await jfsmeta(["verify", file("dump-2026-11-26-120000.json.gz", encryptEnvelope(gzipSync(SAMPLE), rsa)), "--encrypt-rsa-key", key]);
    expect(good.code).toBe(0);
    expectSampleCounts(good.stdout);
    const bad = await jfsmeta(["verify", file("dump-2026-11-26-130000.json.gz", encryptEnvelope(gzipSync(BAD), rsa)), "--encrypt-rsa-key", key]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(D1_PROBLEM);
  });
});

describe("jfsmeta verify from storage", () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server(["jfs"]);
    const store = new S3Store({ bucket: "jfs", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, tls: false }, { accessKey: s3.accessKey, secretKey: s3.secretKey });
    await store.put("vol/meta/dump-2026-01-01-000000.json.gz", gzipSync(SAMPLE));
    await store.put("vol/meta/dump-2026-01-02-000000.json.gz", gzipSync(BAD));
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const flags = () => ["--storage-endpoint", s3.endpoint, "--access-key", s3.accessKey, "--secret-key", s3.secretKey];

  it("s3://bucket/key: a good backup and a damaged one", async () => {
    const good = await jfsmeta(["verify", "s3://jfs/vol/meta/dump-2026-01-01-000000.json.gz", ...flags()]);
    expect(good.code).toBe(0);
    expectSampleCounts(good.stdout);
    const bad = await jfsmeta(["verify", "s3://jfs/vol/meta/dump-2026-01-02-000000.json.gz", ...flags()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(D1_PROBLEM);
  });

  it("file:// and a volume's backups by name with --from-volume", async () => {
    expect((await jfsmeta(["verify", `file://${goldenPath("metadata.sample")}`])).code).toBe(0);
    // The sample's volume, loaded into SQLite, with its bucket overridden to a directory
    // holding its backups under <name>/meta/.
    const db = path.join(tmp, "vol.db");
    const engine = await openEngine(`sqlite3://${db}`);
    try {
      await loadBuffer(engine, SAMPLE);
    } finally {
      await engine.close();
    }
    const bucket = path.join(tmp, "bucket");
    const meta = path.join(bucket, "load-dump-test", "meta");
    mkdirSync(meta, { recursive: true });
    writeFileSync(path.join(meta, "dump-2026-01-01-000000.json.gz"), gzipSync(SAMPLE));
    writeFileSync(path.join(meta, "dump-2026-02-01-000000.json.gz"), gzipSync(BAD));
    const latest = await jfsmeta(["verify", "latest", "--from-volume", `sqlite3://${db}`, "--bucket", bucket + "/"]);
    expect(latest.code).toBe(1);
    expect(latest.stderr).toMatch(D1_PROBLEM);
    const older = await jfsmeta(["verify", "dump-2026-01-01-000000.json.gz", "--from-volume", `sqlite3://${db}`, "--bucket", bucket + "/"]);
    expect(older.code).toBe(0);
    expectSampleCounts(older.stdout);
  });
});
