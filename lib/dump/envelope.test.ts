import { constants as cryptoConstants, createCipheriv, createHash, createPrivateKey, generateKeyPairSync, privateDecrypt, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer as collect } from "node:stream/consumers";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import {
  createDecryptStream,
  createEncryptStream,
  decryptEnvelope,
  decryptEnvelopeFile,
  encryptEnvelope,
  EnvelopeError,
  type DeterministicEncryption,
  isEnvelope,
  loadRsaPrivateKey,
} from "./envelope";
import { TEST_PASSPHRASE, TEST_RSA_KEY, TEST_RSA_KEY_LEGACY } from "../../test/support/envelope-keys";
import { goVectorRandomness } from "../../test/support/seeded-oaep";

const key = loadRsaPrivateKey(TEST_RSA_KEY, "");
const hex = (s: string) => Buffer.from(s, "hex");
const WRAPPED =
  "22412bde6b4f7429ac9179ab1fc4529154700d6b4f6ac5ca35583a599676ce2c1f2e379f6008dc805f384790078bb0db073a116e3ac9ba355b1657de559ae01e05e47f1d53485d9867373124189d5357d2aff41821f65598c3de556b444e675a889a349ce4314b9639909cc8b0ce1ae75e0d2d28d270a7808d06b94db27d6fc6";
const HEADER = "00800c" + WRAPPED + "404142434445464748494a4b";
const GO_GZIP_V4 =
  "1f8b08000000000004ff002b00d4ff7b0a20202253657474696e67223a207b0a20202020224e616d65223a20226d796a6673220a20207d0a7d0a010000ffffe4a729af2b000000";
const V4_JSON = '{\n  "Setting": {\n    "Name": "myjfs"\n  }\n}\n';

const tmp = tempDir("jfsmeta-envelope-");

async function streamEncrypt(plain: Buffer, algo: "aes256gcm-rsa" | "chacha20-rsa", deterministic?: DeterministicEncryption, chunk = 7): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < plain.length; i += chunk) pieces.push(plain.subarray(i, i + chunk));
  return collect(Readable.from(pieces).pipe(createEncryptStream(key, { algo, deterministic })));
}

describe("envelope vectors made by Go (docs/format/backups.md §5), byte for byte", () => {
  const cases = [
    { name: "V1", algo: "aes256gcm-rsa" as const, plain: "hello", ct: "8adcc24f49", tag: "1751ea3cc42e4479b4ed0f27c0c01acb" },
    { name: "V2", algo: "aes256gcm-rsa" as const, plain: "", ct: "", tag: "c9b3c23ebecd69c4c2d87bc27ee34810" },
    { name: "V3", algo: "chacha20-rsa" as const, plain: "hello", ct: "903110ed1d", tag: "1b6851f1b9f84bc116eb4105f09c98d1" },
    { name: "V3b", algo: "chacha20-rsa" as const, plain: "", ct: "", tag: "2feeb456ec810ae069850c4c40c195c9" },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.algo})`, async () => {
      const expected = hex(HEADER + c.ct + c.tag);
      const whole = encryptEnvelope(Buffer.from(c.plain), key, { algo: c.algo, deterministic: goVectorRandomness() });
      expect(whole.toString("hex")).toBe(expected.toString("hex"));
      expect(await streamEncrypt(Buffer.from(c.plain), c.algo, goVectorRandomness())).toEqual(expected);
      expect(decryptEnvelope(expected, key, c.algo).toString()).toBe(c.plain);
    });
  }
  it("V1 hash", () => {
    const v1 = encryptEnvelope(Buffer.from("hello"), key, { deterministic: goVectorRandomness() });
    expect(v1.length).toBe(164);
    expect(createHash("sha256").update(v1).digest("hex")).toBe("f8d46429d5390b459c139c10ff7e18a0faaa3dde2752f45e0531f42746d1f48f");
  });
  it("V4: a complete encrypted backup object of Go's gzip bytes", async () => {
    const obj = await streamEncrypt(hex(GO_GZIP_V4), "aes256gcm-rsa", goVectorRandomness(), 16);
    expect(obj.length).toBe(230);
    expect(obj.subarray(obj.length - 16).toString("hex")).toBe("93c39a256b0a42dc951a82959bb77071");
    expect(createHash("sha256").update(obj).digest("hex")).toBe("368a0379a7706f004833bb58c591c12b143a987510f0c86efab00e971d678716");
    expect(gunzipSync(decryptEnvelope(obj, key)).toString()).toBe(V4_JSON);
    const file = path.join(tmp, "v4.json.gz");
    writeFileSync(file, obj);
    const keyFile = path.join(tmp, "key.pem");
    writeFileSync(keyFile, TEST_RSA_KEY);
    expect(gunzipSync(await collect(await decryptEnvelopeFile(file, { keyPath: keyFile }))).toString()).toBe(V4_JSON);
  });
});

describe("envelope round trips and failures", () => {
  it("production wraps the data key with Node's OAEP: fresh each time, and Go's unwrap (OAEP-SHA256, label keys) reads it", () => {
    const a = encryptEnvelope(Buffer.from("same"), key);
    const b = encryptEnvelope(Buffer.from("same"), key);
    expect(a.subarray(3, 131).equals(b.subarray(3, 131))).toBe(false);
    for (const obj of [a, b]) {
      const dataKey = privateDecrypt({ key, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from("keys") }, obj.subarray(3, 131));
      expect(dataKey.length).toBe(32);
      expect(decryptEnvelope(obj, key).toString()).toBe("same");
    }
  });
  for (const algo of ["aes256gcm-rsa", "chacha20-rsa"] as const) {
    it(`${algo}: sizes 0, 1, 1 MiB, 10 MiB + 1; overhead K + 31`, async () => {
      for (const size of [0, 1, 1 << 20, 10 * (1 << 20) + 1]) {
        const plain = randomBytes(size);
        const obj = await collect(Readable.from([plain.subarray(0, size >> 1), plain.subarray(size >> 1)]).pipe(createEncryptStream(key, { algo })));
        expect(obj.length).toBe(size + 128 + 31);
        expect(isEnvelope(obj, obj.length)).toBe(true);
        const back = await collect(Readable.from([obj.subarray(0, 50), obj.subarray(50, 200), obj.subarray(200)]).pipe(createDecryptStream(key, algo)));
        expect(back.equals(plain)).toBe(true);
      }
    });
  }

  it("an encrypted backup of metadata.sample decrypts and parses back, both algorithms", async () => {
    const json = golden("metadata.sample");
    const keyFile = path.join(tmp, "key2.pem");
    writeFileSync(keyFile, TEST_RSA_KEY);
    for (const algo of ["aes256gcm-rsa", "chacha20-rsa"] as const) {
      const file = path.join(tmp, `sample-${algo}.json.gz`);
      writeFileSync(file, await collect(Readable.from([gzipSync(json, { level: 1 })]).pipe(createEncryptStream(key, { algo }))));
      // the configured algorithm is the other one: the reader falls back
      const wrongAlgo = algo === "aes256gcm-rsa" ? "chacha20-rsa" : "aes256gcm-rsa";
      for (const given of [algo, wrongAlgo]) {
        const plain = gunzipSync(await collect(await decryptEnvelopeFile(file, { keyPath: keyFile, algo: given })));
        expect(plain.equals(json)).toBe(true);
        expect(JSON.parse(plain.toString()).Setting.Name).toBeTypeOf("string");
      }
    }
  });

  it("the wrong algorithm fails the tag; the in-memory reader falls back to the other one", async () => {
    const obj = encryptEnvelope(Buffer.from("payload"), key, { algo: "chacha20-rsa" });
    await expect(collect(Readable.from([obj]).pipe(createDecryptStream(key, "aes256gcm-rsa")))).rejects.toThrow(/does not authenticate with aes256gcm-rsa/);
    expect(decryptEnvelope(obj, key, "aes256gcm-rsa").toString()).toBe("payload");
  });

  it("a wrong key fails cleanly, never garbage", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    const obj = encryptEnvelope(Buffer.from("secret"), key);
    expect(() => decryptEnvelope(obj, other)).toThrow(/does not match/);
    const stream = Readable.from([obj]).pipe(createDecryptStream(other));
    await expect(collect(stream)).rejects.toThrow(EnvelopeError);
    const big = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect(() => decryptEnvelope(obj, big)).toThrow(/1024-bit RSA key, but the given key has 2048/);
  });

  it("tampering is detected: nonce, ciphertext, tag, wrapped key; short and malformed headers", async () => {
    const obj = encryptEnvelope(Buffer.from("some plaintext of a backup"), key);
    for (const [where, kind] of [[3 + 128 + 2, "auth"], [3 + 128 + 12 + 3, "auth"], [obj.length - 1, "auth"], [10, "key"]] as const) {
      const bad = Buffer.from(obj);
      bad[where] ^= 0x01;
      try {
        decryptEnvelope(bad, key);
        expect.unreachable();
      } catch (err) {
        expect((err as EnvelopeError).problem).toBe(kind);
      }
      await expect(collect(Readable.from([bad]).pipe(createDecryptStream(key)))).rejects.toThrow(EnvelopeError);
    }
    expect(() => decryptEnvelope(Buffer.from([0, 1]), key)).toThrow(/too short/);
    expect(() => decryptEnvelope(Buffer.from([0, 0x80, 12, 1, 2]), key)).toThrow(/malformed/);
    const badNonce = Buffer.from(obj);
    badNonce[2] = 16;
    expect(() => decryptEnvelope(badNonce, key)).toThrow(/nonce length 16/);
    await expect(collect(Readable.from([obj.subarray(0, 100)]).pipe(createDecryptStream(key)))).rejects.toThrow(/truncated/);
  });

  it("sniffs gzip (Go and Node), envelopes and garbage", () => {
    expect(isEnvelope(hex(GO_GZIP_V4))).toBe(false);
    expect(isEnvelope(gzipSync("x"))).toBe(false);
    expect(isEnvelope(encryptEnvelope(Buffer.from("x"), key))).toBe(true);
    expect(isEnvelope(Buffer.from("{\n  \"Setting\""))).toBe(false);
    expect(isEnvelope(hex(HEADER), 100)).toBe(false); // too small for K=128
  });
});

describe("private key PEMs (docs/format/backups.md §4)", () => {
  const der = createPrivateKey(TEST_RSA_KEY).export({ format: "der", type: "pkcs1" });
  const same = (k: ReturnType<typeof loadRsaPrivateKey>) => expect(k.export({ format: "der", type: "pkcs1" }).equals(der)).toBe(true);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
  let keyFile: string;
  beforeAll(() => {
    keyFile = path.join(tmp, "pkcs1.pem");
    writeFileSync(keyFile, TEST_RSA_KEY);
  });

  it("V6 legacy encryption: byte-identical with the derived key and IV, opens with the passphrase only", () => {
    const iv = hex("000102030405060708090a0b0c0d0e0f");
    const d1 = createHash("md5").update(TEST_PASSPHRASE).update(iv.subarray(0, 8)).digest();
    const d2 = createHash("md5").update(d1).update(TEST_PASSPHRASE).update(iv.subarray(0, 8)).digest();
    const aesKey = Buffer.concat([d1, d2]);
    expect(aesKey.toString("hex")).toBe("0bfda30a5335958615594ecbb9e62c4243368eb927022581216b42a0ff891e8b");
    expect(der.length).toBe(607);
    const c = createCipheriv("aes-256-cbc", aesKey, iv);
    const body = Buffer.concat([c.update(der), c.final()]).toString("base64").match(/.{1,64}/g)!.join("\n");
    const pem = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,000102030405060708090a0b0c0d0e0f\n\n${body}\n-----END RSA PRIVATE KEY-----\n`;
    expect(pem).toBe(TEST_RSA_KEY_LEGACY);
    same(loadRsaPrivateKey(TEST_RSA_KEY_LEGACY, TEST_PASSPHRASE));
    expect(() => loadRsaPrivateKey(TEST_RSA_KEY_LEGACY, "wrong")).toThrow(/wrong passphrase/);
    expect(() => loadRsaPrivateKey(TEST_RSA_KEY_LEGACY, "")).toThrow(/JFS_RSA_PASSPHRASE/);
  });

  it("PKCS#1 and PKCS#8, with and without a passphrase; leading junk skipped", () => {
    same(loadRsaPrivateKey(TEST_RSA_KEY, ""));
    same(loadRsaPrivateKey(TEST_RSA_KEY, "ignored"));
    same(loadRsaPrivateKey("some junk before\n" + TEST_RSA_KEY, ""));
    const pkcs8 = openssl("pkcs8", "-topk8", "-nocrypt", "-in", keyFile);
    expect(pkcs8).toContain("BEGIN PRIVATE KEY");
    same(loadRsaPrivateKey(pkcs8, ""));
  });

  it("encrypted PKCS#8 (PBES2, HMAC-SHA1 as in JuiceFS's test) opens with 12345678 only", () => {
    const enc = openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1", "-in", keyFile, "-passout", "pass:12345678");
    expect(enc).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    same(loadRsaPrivateKey(enc, "12345678"));
    expect(() => loadRsaPrivateKey(enc, "1234567")).toThrow(/wrong passphrase/);
    expect(() => loadRsaPrivateKey(enc, undefined)).toThrow(/passphrase is required/);
    // About one wrong passphrase in 256 decrypts to bytes whose padding passes; OpenSSL's decoders
    // then say "unsupported". That is still a wrong passphrase, not an unsupported cipher (it
    // failed CI once, this key's salt being random).
    let garbage: string | undefined;
    for (let i = 0; i < 4000 && !garbage; i++) {
      try {
        createPrivateKey({ key: enc, format: "pem", passphrase: `wrong-${i}` });
      } catch (err) {
        if (/UNSUPPORTED/.test((err as NodeJS.ErrnoException).code ?? "")) garbage = `wrong-${i}`;
      }
    }
    expect(garbage, "a wrong passphrase that passes the padding check").toBeDefined();
    expect(() => loadRsaPrivateKey(enc, garbage)).toThrow(/wrong passphrase/);
  });

  it("openssl genrsa -aes256 (OpenSSL 3) and -traditional DES-EDE3 output", () => {
    const modern = openssl("genrsa", "-aes256", "-passout", "pass:pw-1", "1024");
    expect(modern).toContain("ENCRYPTED PRIVATE KEY");
    expect(loadRsaPrivateKey(modern, "pw-1").asymmetricKeyDetails?.modulusLength).toBe(1024);
    const legacy = openssl("rsa", "-in", keyFile, "-des3", "-traditional", "-passout", "pass:pw-2");
    expect(legacy).toContain("DEK-Info: DES-EDE3-CBC");
    same(loadRsaPrivateKey(legacy, "pw-2"));
    expect(() => loadRsaPrivateKey(legacy, "")).toThrow(/passphrase is required/);
  });

  it("EC keys and keys under 1024 bits are rejected", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => loadRsaPrivateKey(ec, "")).toThrow(/needs an RSA key/);
    const small = generateKeyPairSync("rsa", { modulusLength: 512 }).privateKey.export({ format: "pem", type: "pkcs1" }).toString();
    expect(() => loadRsaPrivateKey(small, "")).toThrow(/1024 bits/);
    expect(() => loadRsaPrivateKey("not a pem", "")).toThrow(/not PEM/);
  });

  it("decryptEnvelopeFile: wrong passphrase or key fail before any output", async () => {
    const encKeyFile = path.join(tmp, "legacy.pem");
    writeFileSync(encKeyFile, TEST_RSA_KEY_LEGACY);
    const file = path.join(tmp, "x.json.gz");
    writeFileSync(file, encryptEnvelope(gzipSync("{}"), key));
    await expect(decryptEnvelopeFile(file, { keyPath: encKeyFile, passphrase: "nope" })).rejects.toThrow(/wrong passphrase/);
    const other = path.join(tmp, "other.pem");
    writeFileSync(other, generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs1" }));
    await expect(decryptEnvelopeFile(file, { keyPath: other })).rejects.toThrow(/does not match/);
    expect(gunzipSync(await collect(await decryptEnvelopeFile(file, { keyPath: encKeyFile, passphrase: TEST_PASSPHRASE }))).toString()).toBe("{}");
    // a plain gzip backup (JuiceFS's large-backup bypass) passes through
    const plainFile = path.join(tmp, "plain.json.gz");
    writeFileSync(plainFile, gzipSync("{}"));
    expect(gunzipSync(await collect(await decryptEnvelopeFile(plainFile, { keyPath: keyFile }))).toString()).toBe("{}");
    expect(readFileSync(plainFile).length).toBeGreaterThan(0);
  });
});
