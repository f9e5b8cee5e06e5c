// Volumes made by JuiceFS itself (issue #14, item 4): `juicefs format` on file storage, files
// written, renamed and deleted through `juicefs gateway` with the AWS SDK; then jfsmeta dumps
// the bytes juicefs dumps (plain, --subdir, --skip-trash, --keep-secret-key) from every engine,
// and after `jfsmeta dump | jfsmeta load` into another engine over the same storage, `juicefs
// fsck` finds every object and `juicefs gc` (dry run) finds nothing leaked.
import { readFileSync } from "node:fs";
import path from "node:path";
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineKind } from "../../lib/engines/engine";
import { juicefs, juicefsBin, startGateway } from "../support/juicefs";
import { freePort } from "../support/redis-server";
import { tempDir } from "../support/temp-dir";
import { gatewayBucket, jfsmeta, KINDS, startEngine, viewVolume, type EngineTarget } from "./harness";
import { prng } from "../../lib/synth/prng";

const tmp = tempDir("jfsmeta-conformance-gw-");
/** Objects written per volume (a few hundred keep CI's CPU time small; the shapes are what matter). */
const FILES = 240;
const engines = new Map<EngineKind, EngineTarget>();

beforeAll(async () => {
  juicefsBin();
  for (const kind of KINDS) engines.set(kind, await startEngine(kind));
});
afterAll(async () => {
  for (const e of engines.values()) await e.stop();
});

/** Writes, renames (copy + delete) and deletes files through the gateway, seeded. */
async function writeThroughGateway(s3: S3Client, bucket: string, seed: number): Promise<void> {
  const rnd = prng(seed);
  const keys: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const dir = ["projects/a", "projects/b/deep", "logs", "100% done", "名前"][i % 5];
    const key = `${dir}/file-${i}.${i % 3 ? "txt" : "bin"}`;
    const size = i % 40 === 0 ? 5 * 1024 * 1024 + Math.floor(rnd() * 4096) : Math.floor(rnd() * 20_000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(size, i % 251) }));
    keys.push(key);
  }
  for (let i = 0; i < FILES; i += 7) {
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: keys[i].replace("file-", "renamed-"), CopySource: `${bucket}/${encodeURIComponent(keys[i]).replace(/%2F/g, "/")}` }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[i] }));
  }
  for (let i = 3; i < FILES; i += 11) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[i] }));
}

describe.each(KINDS)("%s", (kind) => {
  let url: string;
  const bucketDir = path.join(tmp, `${kind}-bucket`);
  const out = (name: string) => path.join(tmp, `${kind}-${name}.json`);

  beforeAll(async () => {
    const engine = engines.get(kind)!;
    url = await engine.fresh();
    await juicefs(["format", url, `gw-${kind.replace(/[^a-z0-9]/g, "")}`, "--storage", "file", "--bucket", bucketDir, "--trash-days", "1", "--access-key", "ak", "--secret-key", "sk-secret"]);
    const gw = await startGateway(url, await freePort());
    try {
      const { s3, bucket } = await gatewayBucket(gw);
      await writeThroughGateway(s3, bucket, KINDS.indexOf(kind) + 1);
      s3.destroy();
    } finally {
      await gw.stop();
    }
  });

  it.each([
    ["plain", []],
    ["--subdir", ["--subdir", "projects"]],
    ["--skip-trash", ["--skip-trash"]],
    ["--keep-secret-key", ["--keep-secret-key"]],
  ])("jfsmeta dump %s gives the bytes of juicefs dump", async (name, flags) => {
    const tag = name.replace(/-/g, "");
    await juicefs(["dump", url, out(`${tag}-juicefs`), ...flags]);
    await jfsmeta(["dump", url, out(`${tag}-jfsmeta`), ...flags, "--quiet"]);
    const [j, m] = [readFileSync(out(`${tag}-juicefs`)), readFileSync(out(`${tag}-jfsmeta`))];
    expect(m.toString("latin1")).toBe(j.toString("latin1"));
  });

  it("migrated by jfsmeta into another engine (secret key set again by juicefs config): juicefs fsck finds every object, juicefs gc leaks nothing, the gateway serves the same files", async () => {
    const target = KINDS[(KINDS.indexOf(kind) + 1) % KINDS.length];
    const to = await engines.get(target)!.fresh();
    // As an operator restores: the dump masks the secret key, config puts it back (item 6).
    const dump = await jfsmeta(["dump", url, "--quiet"]);
    await jfsmeta(["load", to, "--quiet"], { input: dump.stdout });
    await juicefs(["config", to, "--secret-key", "sk-secret", "--force"]);
    const fsck = await juicefs(["fsck", to]);
    expect(fsck.stderr).toMatch(/Found \d+ blocks/);
    expect(fsck.stderr).not.toMatch(/lost|broken|<ERROR>|<FATAL>/i);
    const gc = await juicefs(["gc", to]);
    expect(gc.stderr).toMatch(/scanned \d+ objects, .* 0 leaked \(0 bytes\)/);
    // The migrated volume dumps as the source does, but for the Counters, which every load
    // recomputes (JuiceFS's too: a client allocates inodes and slice ids ahead, in batches).
    const withoutCounters = (d: Buffer) => d.toString("latin1").replace(/"Counters": \{[^}]*\}/, "");
    // (Secrets masked: each encryption of the secret key has its own nonce.)
    await juicefs(["dump", url, out("from")]);
    await juicefs(["dump", to, out("to")]);
    expect(withoutCounters(readFileSync(out("to")))).toBe(withoutCounters(readFileSync(out("from"))));

    // The gateway serves the restored metadata: the same listing, sizes and times (item 6).
    const [before, after] = [await viewVolume(url, ["logs/file-2.txt"]), await viewVolume(to, ["logs/file-2.txt"])];
    expect(after.listed.length).toBeGreaterThan(FILES / 2);
    expect(after).toEqual(before);
  });
});
