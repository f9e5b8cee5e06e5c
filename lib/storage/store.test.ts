import { writeFileSync } from "node:fs";
import { buffer } from "node:stream/consumers";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, type S3TestServer } from "../../test/support/s3-server";
import { tempDir } from "../../test/support/temp-dir";
import { randomBytes } from "node:crypto";
import { createEncryptStream, decryptEnvelope, encryptEnvelope, loadRsaPrivateKey } from "../dump/envelope";
import { TEST_RSA_KEY } from "../../test/support/envelope-keys";
import { encryptSecret } from "../jfs/secrets";
import type { Setting } from "../jfs/setting";
import { listBackups, sniffKind } from "./backups";
import { FileStore } from "./file";
import { rotate } from "./retention";
import { parseMinioBucket, parseS3Bucket, S3Store } from "./s3";
import { getBytes, listAll, PrefixedStore, type ObjectInfo, type ObjectStore } from "./store";
import { fnv1a32, shardBucket } from "./sharded";
import { openBackupSource } from "./source";
import { checkVolumeStorage, openVolumeStore } from "./volume";

describe("S3 bucket URLs (docs/format/backups.md §7.2)", () => {
  const env = {};
  const rows: [string, string, string, string | undefined, boolean, boolean][] = [
    ["https://mybucket.s3.us-east-2.amazonaws.com", "mybucket", "us-east-2", undefined, false, true],
    ["mybucket.s3.us-east-2.amazonaws.com", "mybucket", "us-east-2", undefined, false, true],
    ["https://s3.us-east-2.amazonaws.com/mybucket", "mybucket", "us-east-2", undefined, false, true],
    ["https://mybucket.s3.amazonaws.com", "mybucket", "us-east-1", undefined, false, true],
    ["https://mybucket.s3-external-1.amazonaws.com", "mybucket", "us-east-1", undefined, false, true],
    ["https://mybucket.s3.dualstack.eu-west-1.amazonaws.com", "mybucket", "eu-west-1", undefined, false, true],
    ["https://mybucket.s3.cn-north-1.amazonaws.com.cn", "mybucket", "cn-north-1", undefined, false, true],
    ["mybucket", "mybucket", "us-east-1", undefined, false, true],
    ["http://10.0.0.5:9000/mybucket/some/prefix", "mybucket", "us-east-1", "http://10.0.0.5:9000", true, false],
    ["minio.local:9000/mybucket", "mybucket", "us-east-1", "http://minio.local:9000", true, false],
    ["localhost:9000/mybucket", "mybucket", "us-east-1", "https://localhost:9000", true, true],
    ["http://mybucket.minio.local:9000", "mybucket", "us-east-1", "http://minio.local:9000", true, false],
    ["https://mybucket.s3.fr-par.scw.cloud", "mybucket", "us-east-1", "https://s3.fr-par.scw.cloud", true, true],
    [
      "https://bucket.namespace.compat.objectstorage.ap-singapore-1.oraclecloud.com",
      "bucket",
      "ap-singapore-1",
      "https://namespace.compat.objectstorage.ap-singapore-1.oraclecloud.com",
      true,
      true,
    ],
  ];
  for (const [url, bucket, region, endpoint, pathStyle, tls] of rows) {
    it(url, () => {
      expect(parseS3Bucket(url, env)).toEqual({ bucket, region, ...(endpoint ? { endpoint } : {}), forcePathStyle: pathStyle, tls });
    });
  }
  it("JFS_S3_VHOST_STYLE and AWS_REGION", () => {
    expect(parseS3Bucket("http://10.0.0.5:9000/b", { JFS_S3_VHOST_STYLE: "1" }).forcePathStyle).toBe(false);
    expect(parseS3Bucket("http://10.0.0.5:9000/b", { JFS_S3_VHOST_STYLE: "false" }).forcePathStyle).toBe(true);
    expect(parseS3Bucket("http://10.0.0.5:9000/b", { AWS_REGION: "eu-central-1" }).region).toBe("eu-central-1");
    expect(parseS3Bucket("http://10.0.0.5:9000/b", { AWS_DEFAULT_REGION: "ap-east-1" }).region).toBe("ap-east-1");
  });
  it("s3:// scheme (JuiceFS's own tests) means plain http", () => {
    expect(parseS3Bucket("s3://10.0.0.5:9000/b", {})).toEqual({ bucket: "b", region: "us-east-1", endpoint: "http://10.0.0.5:9000", forcePathStyle: true, tls: false });
  });
  it("tls-insecure-skip-verify in the query", () => {
    expect(parseS3Bucket("https://10.0.0.5:9000/b?tls-insecure-skip-verify=true", {})).toMatchObject({ bucket: "b", insecure: true });
    expect(parseS3Bucket("https://10.0.0.5:9000/b", {}).insecure).toBeUndefined();
  });
  it("minio", () => {
    expect(parseMinioBucket("127.0.0.1:9000/minio/b1?region=r1", {})).toEqual({
      bucket: "b1",
      region: "r1",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      tls: false,
    });
  });
});

describe("sniffing", () => {
  it("tells gzip, envelope, JSON, zstd, binary and garbage apart", () => {
    const key = loadRsaPrivateKey(TEST_RSA_KEY, "");
    const env = encryptEnvelope(gzipSync("{}"), key);
    expect(sniffKind(gzipSync("{}"), 20)).toBe("gzip");
    expect(sniffKind(env.subarray(0, 16), env.length)).toBe("encrypted");
    expect(sniffKind(Buffer.from('{\n  "Setting"'), 100)).toBe("json");
    expect(sniffKind(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]), 100)).toBe("zstd");
    expect(sniffKind(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]), 100)).toBe("binary");
    expect(sniffKind(Buffer.from("garbage!"), 100)).toBe("unknown");
    expect(sniffKind(Buffer.alloc(0), 0)).toBe("empty");
  });
});

/** A store whose listings come back in a scrambled order, like R2 or Storj. */
class UnsortedStore implements ObjectStore {
  constructor(private readonly inner: ObjectStore) {}
  describe() {
    return this.inner.describe();
  }
  async *listRaw(prefix: string): AsyncIterable<ObjectInfo> {
    const all: ObjectInfo[] = [];
    for await (const o of this.inner.listRaw(prefix)) all.push(o);
    for (let i = 0; i < all.length; i++) {
      const j = (i * 7919) % all.length;
      [all[i], all[j]] = [all[j], all[i]];
    }
    yield* all;
  }
  get = (k: string, r?: { start: number; end?: number }) => this.inner.get(k, r);
  head = (k: string) => this.inner.head(k);
  put = (k: string, b: Readable | Buffer, s?: number) => this.inner.put(k, b, s);
  delete = (k: string) => this.inner.delete(k);
}

describe("S3 store against s3rver", () => {
  let s3: S3TestServer;
  let store: S3Store;
  beforeAll(async () => {
    s3 = await startS3Server(["jfs"]);
    store = new S3Store({ bucket: "jfs", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, tls: false }, { accessKey: s3.accessKey, secretKey: s3.secretKey });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it("lists more than 1000 backups across pages, sorted, with the volume prefix stripped", async () => {
    const vol = new PrefixedStore(store, "myjfs/");
    const names: string[] = [];
    const start = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 1005; i++) names.push(`dump-${new Date(start + i * 3600_000).toISOString().replace(/[:T]/g, "-").replace(/-(\d\d)-(\d\d)\..*$/, "$1$2")}.json.gz`);
    expect(names[1]).toBe("dump-2025-01-01-010000.json.gz");
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < names.length) await vol.put(`meta/${names[next++]}`, gzipSync(`{"n":${next}}`));
      }),
    );
    await vol.put("meta/dump-2026-01-01-000000.json.gz.tmp", Buffer.from("half"));
    await store.put("other/meta/dump-2025-01-01-000000.json.gz", Buffer.from("not ours"));
    const backups = await listBackups(vol, { sniff: false });
    expect(backups.map((b) => b.name)).toEqual(names);
    expect(backups[0].time?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    // the scrambled listing gives the same result and the same cleanup
    const scrambled = await listAll(new UnsortedStore(vol), "meta/");
    expect(scrambled.map((o) => o.key)).toEqual([...names.map((n) => `meta/${n}`), "meta/dump-2026-01-01-000000.json.gz.tmp"]);
    const sniffed = await listBackups(new UnsortedStore(vol), { sniff: true });
    expect(sniffed.every((b) => b.kind === "gzip")).toBe(true);
    expect(rotate(sniffed.map((b) => b.name), new Date(start + 1005 * 3600_000)).length).toBeGreaterThan(900);
  });

  it("puts large objects with multipart and reads ranges", async () => {
    const big = Buffer.alloc(12 * 1024 * 1024 + 3);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    await store.put("big/object", Readable.from([big.subarray(0, 5_000_000), big.subarray(5_000_000)]));
    expect((await getBytes(store, "big/object")).equals(big)).toBe(true);
    expect((await store.head("big/object"))?.size).toBe(big.length);
    expect(await getBytes(store, "big/object", { start: 4096, end: 4096 })).toEqual(Buffer.from([0]));
    await store.delete("big/object");
    expect(await store.head("big/object")).toBeNull();
  });

  it("a large encrypted backup goes up with multipart and stays an envelope (no bypass as in docs/format/backups.md §1.5)", async () => {
    const key = loadRsaPrivateKey(TEST_RSA_KEY, "");
    const plain = randomBytes(11 * 1024 * 1024);
    await store.put("v/meta/dump-2026-01-01-000000.json.gz", Readable.from([plain.subarray(0, 6e6), plain.subarray(6e6)]).pipe(createEncryptStream(key)));
    const [b] = await listBackups(new PrefixedStore(store, "v/"));
    expect(b.kind).toBe("encrypted");
    expect(b.size).toBe(plain.length + 159);
    expect(decryptEnvelope(await getBytes(store, "v/meta/dump-2026-01-01-000000.json.gz"), key).equals(plain)).toBe(true);
    await store.delete("v/meta/dump-2026-01-01-000000.json.gz");
  });

  it("a missing bucket, wrong credentials and an unreachable endpoint are named", async () => {
    const loc = { bucket: "nope", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, tls: false };
    await expect(listAll(new S3Store(loc, { accessKey: s3.accessKey, secretKey: s3.secretKey }), "")).rejects.toThrow(/bucket "nope" does not exist/);
    // s3rver checks the access key id (it does not verify V4 signatures)
    await expect(listAll(new S3Store({ ...loc, bucket: "jfs" }, { accessKey: "WRONG", secretKey: "x" }), "")).rejects.toThrow(/rejected the credentials/);
    await expect(listAll(new S3Store({ ...loc, endpoint: "http://127.0.0.1:1" }, { accessKey: "a", secretKey: "b" }), "")).rejects.toThrow(/cannot reach/);
  });

  it("openBackupSource reads s3:// and file:// backups, decrypting envelopes with the key", async () => {
    const key = loadRsaPrivateKey(TEST_RSA_KEY, "");
    const plain = gzipSync('{"Setting":{}}');
    await store.put("v/meta/plain.json.gz", plain);
    await store.put("v/meta/enc.json.gz", encryptEnvelope(plain, key, { algo: "chacha20-rsa" }));
    const dir = tempDir("jfsmeta-source-");
    const keyPath = path.join(dir, "key.pem");
    writeFileSync(keyPath, TEST_RSA_KEY);
    const storage = { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey };
    const a = await openBackupSource("s3://jfs/v/meta/plain.json.gz", { storage });
    expect([a.decrypted, (await buffer(a.stream)).equals(plain)]).toEqual([false, true]);
    const b = await openBackupSource("s3://jfs/v/meta/enc.json.gz", { storage, keyPath, tmpDir: dir });
    expect([b.decrypted, (await buffer(b.stream)).equals(plain)]).toEqual([true, true]);
    await expect(openBackupSource("s3://jfs/v/meta/enc.json.gz", { storage })).rejects.toThrow(/is encrypted: give the volume's private key/);
    await expect(openBackupSource("s3://jfs/v/meta/none.json.gz", { storage })).rejects.toThrow(/not found/);
    const local = path.join(dir, "enc.json.gz");
    writeFileSync(local, encryptEnvelope(plain, key));
    const c = await openBackupSource(pathToFileURL(local).href, { keyPath });
    expect([c.decrypted, (await buffer(c.stream)).equals(plain)]).toEqual([true, true]);
    await expect(openBackupSource("dump-2026-01-01-000000.json.gz")).rejects.toThrow(/META-URL/);
  });

  it("checkVolumeStorage reads juicefs_uuid (enveloped on encrypted volumes) and names each problem", async () => {
    const uuid = "11111111-2222-4333-8444-555555555555";
    const setting: Setting = {
      Name: "vol3",
      UUID: uuid,
      Storage: "s3",
      Bucket: `${s3.endpoint}/jfs`,
      AccessKey: s3.accessKey,
      SecretKey: encryptSecret(s3.secretKey, uuid),
      EncryptKey: encryptSecret(TEST_RSA_KEY, uuid),
      EncryptAlgo: "aes256gcm-rsa",
      KeyEncrypted: true,
      BlockSize: 4096,
      TrashDays: 1,
      EnableACL: false,
    };
    expect((await checkVolumeStorage(setting)).message).toMatch(/juicefs_uuid does not exist/);
    const key = loadRsaPrivateKey(TEST_RSA_KEY, "");
    await store.put("vol3/juicefs_uuid", encryptEnvelope(Buffer.from(uuid), key));
    expect(await checkVolumeStorage(setting)).toMatchObject({ ok: true });
    expect((await checkVolumeStorage({ ...setting, SecretKey: "removed" })).message).toMatch(/secret key was removed/);
    expect((await checkVolumeStorage(setting, { accessKey: "WRONG" })).message).toMatch(/rejected the credentials/);
    await store.put("vol3/juicefs_uuid", encryptEnvelope(Buffer.from("99999999-2222-4333-8444-555555555555"), key));
    expect((await checkVolumeStorage(setting)).message).toMatch(/belongs to another volume/);
  });

  it("is built from an encrypted volume setting, with secret overrides", async () => {
    const uuid = "6f6a1f2e-3b4c-4d5e-8f90-a1b2c3d4e5f6";
    const setting: Setting = {
      Name: "vol2",
      UUID: uuid,
      Storage: "s3",
      Bucket: `${s3.endpoint}/jfs`,
      AccessKey: s3.accessKey,
      SecretKey: encryptSecret(s3.secretKey, uuid),
      KeyEncrypted: true,
      BlockSize: 4096,
      TrashDays: 1,
      EnableACL: false,
    };
    const { store: vol, setting: clear } = openVolumeStore(setting);
    expect(clear.SecretKey).toBe("S3RVER");
    await vol.put("meta/x", Buffer.from("1"));
    expect((await store.head("vol2/meta/x"))?.size).toBe(1);
    expect(() => openVolumeStore({ ...setting, SecretKey: "removed" })).toThrow(/secret key was removed/);
    const fixed = openVolumeStore({ ...setting, SecretKey: "removed" }, { secretKey: s3.secretKey });
    expect((await listAll(fixed.store, "meta/")).map((o) => o.key)).toEqual(["meta/x"]);
  });
});

describe("sharded volumes", () => {
  it("FNV-1a-32 and %d bucket expansion", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(shardBucket("https://mybucket-%d.s3.us-east-1.amazonaws.com", 2)).toBe("https://mybucket-2.s3.us-east-1.amazonaws.com");
    expect(shardBucket("/data/shard-%02d/", 3)).toBe("/data/shard-03/");
    expect(() => shardBucket("/data/shard/", 1)).toThrow(/%d/);
  });
  it("places each full key on shard fnv1a32(key) % n and merges listings", async () => {
    const dir = tempDir("jfsmeta-shards-");
    const setting: Setting = { Name: "sv", UUID: "u", Storage: "file", Bucket: `${dir}/s%d/`, Shards: 3, BlockSize: 4096, TrashDays: 1, EnableACL: false };
    const vol = openVolumeStore(setting).store;
    const names = Array.from({ length: 12 }, (_, i) => `dump-2026-01-${String(i + 10)}-000000.json.gz`);
    for (const n of names) await vol.put(`meta/${n}`, Buffer.from(n));
    for (const n of names) {
      const shard = fnv1a32(`sv/meta/${n}`) % 3;
      expect((await new FileStore(`${dir}/s${shard}/`).head(`sv/meta/${n}`))?.size).toBe(n.length);
    }
    expect((await listBackups(vol, { sniff: false })).map((b) => b.name)).toEqual(names);
    expect((await getBytes(vol, `meta/${names[5]}`)).toString()).toBe(names[5]);
  });
});

describe("file store", () => {
  const dir = tempDir("jfsmeta-filestore-");
  it("stores keys as files, lists recursively and sorted, reads ranges", async () => {
    const vol = openVolumeStore({ Name: "v", UUID: "u", Storage: "file", Bucket: dir + "/", BlockSize: 4096, TrashDays: 1, EnableACL: false }).store;
    await vol.put("meta/dump-2025-01-02-000000.json.gz", Buffer.from("b"));
    await vol.put("meta/dump-2025-01-01-000000.json.gz", Readable.from([Buffer.from("a")]));
    await vol.put("meta/sub/x", Buffer.from("c"));
    await vol.put("chunks/0/0/1_0_4", Buffer.from("d"));
    expect((await listAll(vol, "meta/")).map((o) => o.key)).toEqual([
      "meta/dump-2025-01-01-000000.json.gz",
      "meta/dump-2025-01-02-000000.json.gz",
      "meta/sub/x",
    ]);
    expect(new FileStore(dir).describe()).toBe(`file://${dir}/`);
    expect((await getBytes(vol, "meta/sub/x")).toString()).toBe("c");
    await vol.delete("meta/sub/x");
    expect(await vol.head("meta/sub/x")).toBeNull();
    await expect(vol.get("meta/none")).rejects.toThrow(/not found/);
  });
});
