import {
  decryptEnvelope,
  envelopeAlgo,
  isEnvelope,
  loadRsaPrivateKey
} from "./chunk-MRG4XAQF.js";
import {
  renameDurably
} from "./chunk-6VX6LUXZ.js";
import {
  networkErrorCode
} from "./chunk-PWJI7R5M.js";
import {
  REMOVED_SECRET
} from "./chunk-OHKNE627.js";
import {
  JfsError,
  logIgnored,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/storage/store.ts
var StorageError = class extends JfsError {
  constructor(message, kind, options) {
    super(kind, message, options);
  }
};
function compareKeys(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
async function listAll(store, prefix) {
  const out = [];
  for await (const o of store.listRaw(prefix)) if (!o.key.endsWith("/")) out.push(o);
  return out.sort((a, b) => compareKeys(a.key, b.key));
}
async function getBytes(store, key, range) {
  const chunks = [];
  for await (const c of await store.get(key, range)) chunks.push(c);
  return Buffer.concat(chunks);
}
var PrefixedStore = class {
  constructor(inner, prefix) {
    this.inner = inner;
    this.prefix = prefix;
  }
  inner;
  prefix;
  describe() {
    return this.inner.describe() + this.prefix;
  }
  async *listRaw(prefix) {
    for await (const o of this.inner.listRaw(this.prefix + prefix)) {
      if (o.key.startsWith(this.prefix)) yield { ...o, key: o.key.slice(this.prefix.length) };
    }
  }
  get(key, range) {
    return this.inner.get(this.prefix + key, range);
  }
  head(key) {
    return this.inner.head(this.prefix + key).then((o) => o ? { ...o, key } : null);
  }
  put(key, body, size) {
    return this.inner.put(this.prefix + key, body, size);
  }
  delete(key) {
    return this.inner.delete(this.prefix + key);
  }
};

// lib/storage/s3.ts
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from "@aws-sdk/client-s3";
import { Agent as HttpsAgent } from "node:https";
function truthy(v) {
  return !!v && v !== "0" && v.toLowerCase() !== "false";
}
function fallbackRegion(env) {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
}
function awsRegionOf(host) {
  let h = host.replace(/^s3[-.]/, "").replace(/^dualstack\./, "");
  if (h.startsWith("amazonaws.com")) return "us-east-1";
  h = h.split(".")[0];
  return h === "external-1" ? "us-east-1" : h;
}
function otherRegionOf(endpointHost) {
  let m = /compat\.objectstorage\.([^.]+)\.oraclecloud\.com$/.exec(endpointHost) ?? /\.([^.]+)\.oci\.customer-oci\.com$/.exec(endpointHost);
  if (m) return m[1];
  m = /^s3\.([^.]+)\..*cloud\.ovh\.net$/.exec(endpointHost);
  return m ? m[1] : void 0;
}
function parseS3Bucket(bucketUrl, env = process.env) {
  const loc = parseS3BucketRules(bucketUrl, env);
  const q = /[?&]tls-insecure-skip-verify=([^&]*)/.exec(bucketUrl);
  return q && /^(1|t|true)$/i.test(q[1]) ? { ...loc, insecure: true } : loc;
}
function parseS3BucketRules(bucketUrl, env) {
  let raw = bucketUrl.trim();
  if (!raw.includes("://")) {
    raw = raw.replace(/^\/+|\/+$/g, "");
    raw = (raw.includes(".") && !raw.endsWith(".amazonaws.com") ? "http://" : "https://") + raw;
  }
  let u;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new StorageError(`bucket URL "${bucketUrl}" cannot be parsed; expected e.g. https://mybucket.s3.us-east-1.amazonaws.com or http://host:9000/mybucket`, "usage", { cause: err });
  }
  const tls = u.protocol === "https:";
  const scheme = tls ? "https" : "http";
  const host = u.host;
  const hostname = u.hostname;
  const segments = u.pathname.split("/").filter(Boolean);
  const vhost = truthy(env.JFS_S3_VHOST_STYLE);
  if (segments.length > 0) {
    const bucket = decodeURIComponent(segments[0]);
    if (hostname.includes(".amazonaws.com")) return { bucket, region: awsRegionOf(hostname), forcePathStyle: false, tls };
    return { bucket, region: otherRegionOf(hostname) ?? fallbackRegion(env), endpoint: `${scheme}://${host}`, forcePathStyle: !vhost, tls };
  }
  if (!hostname.includes(".")) return { bucket: hostname, region: fallbackRegion(env), forcePathStyle: false, tls };
  if (hostname.includes(".amazonaws.com")) {
    if (hostname.includes(".vpce.amazonaws.com")) {
      const dot2 = host.indexOf(".");
      const rest = host.slice(dot2 + 1);
      const m = /\.([a-z0-9-]+)\.vpce\.amazonaws\.com/.exec(hostname);
      return { bucket: host.slice(0, dot2), region: m ? m[1] : fallbackRegion(env), endpoint: `${scheme}://${rest}`, forcePathStyle: !vhost, tls };
    }
    const i = hostname.indexOf(".s3");
    if (i < 0) throw new StorageError(`bucket URL "${bucketUrl}": no ".s3" in the AWS host name`, "usage");
    return { bucket: hostname.slice(0, i), region: awsRegionOf(hostname.slice(i + 1)), forcePathStyle: false, tls };
  }
  const dot = host.indexOf(".");
  const endpointHost = host.slice(dot + 1);
  const oracleVhost = /\.vhcompat\.objectstorage\./.test(endpointHost);
  return {
    bucket: host.slice(0, dot),
    region: otherRegionOf(endpointHost.replace(/:\d+$/, "")) ?? fallbackRegion(env),
    endpoint: `${scheme}://${endpointHost}`,
    forcePathStyle: !(vhost || oracleVhost),
    tls
  };
}
function parseMinioBucket(bucketUrl, env = process.env) {
  const raw = bucketUrl.includes("://") ? bucketUrl : `http://${bucketUrl}`;
  const u = new URL(raw);
  const segments = u.pathname.split("/").filter(Boolean);
  if (segments[0] === "minio") segments.shift();
  if (!segments[0]) throw new StorageError(`minio bucket URL "${bucketUrl}" names no bucket: expected http://host:9000/bucket`, "usage");
  const tls = u.protocol === "https:";
  return {
    bucket: decodeURIComponent(segments[0]),
    region: u.searchParams.get("region") || env.MINIO_REGION || "us-east-1",
    endpoint: `${tls ? "https" : "http"}://${u.host}`,
    forcePathStyle: true,
    tls
  };
}
var SINGLE_PUT_LIMIT = 10 * 1024 * 1024;
var MIN_PART = 5 * 1024 * 1024;
var S3Store = class {
  constructor(location, credentials = {}, partSize = 8 * 1024 * 1024) {
    this.location = location;
    this.partSize = partSize;
    const config = {
      region: location.region,
      forcePathStyle: location.forcePathStyle,
      followRegionRedirects: true,
      // Emulators and many S3-compatibles reject the SDK's default CRC32 checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      requestHandler: {
        connectionTimeout: 5e3,
        requestTimeout: 12e4,
        ...location.insecure ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) } : {}
      }
    };
    if (location.endpoint) config.endpoint = location.endpoint;
    if (credentials.accessKey === "anonymous") {
      config.signer = { sign: async (req) => req };
      config.credentials = { accessKeyId: "", secretAccessKey: "" };
    } else if (credentials.accessKey) {
      config.credentials = {
        accessKeyId: credentials.accessKey,
        secretAccessKey: credentials.secretKey ?? "",
        sessionToken: credentials.sessionToken || void 0
      };
    }
    this.client = new S3Client(config);
  }
  location;
  partSize;
  client;
  /** s3://bucket/ on AWS, the endpoint URL + bucket elsewhere (never credentials). */
  describe() {
    const { endpoint, bucket } = this.location;
    return endpoint ? `${endpoint}/${bucket}/` : `s3://${bucket}/`;
  }
  fail(err, what) {
    throw s3Error(err, what, this.location);
  }
  async *listRaw(prefix) {
    let token;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        this.fail(err, `list ${prefix}`);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith("/")) continue;
        yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? /* @__PURE__ */ new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : void 0;
    } while (token);
  }
  async get(key, range) {
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ""}` : void 0
        })
      );
      return r.Body;
    } catch (err) {
      this.fail(err, `get ${key}`);
    }
  }
  async head(key) {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: key }));
      return { key, size: r.ContentLength ?? 0, lastModified: r.LastModified ?? /* @__PURE__ */ new Date(0) };
    } catch (err) {
      if (err.$metadata?.httpStatusCode === 404) return null;
      this.fail(err, `head ${key}`);
    }
  }
  async put(key, body, size) {
    if (Buffer.isBuffer(body)) return this.putOnce(key, body);
    if (size !== void 0 && size < SINGLE_PUT_LIMIT) return this.putOnce(key, await readAll(body));
    const iter = body[Symbol.asyncIterator]();
    const first = await readUpTo(iter, SINGLE_PUT_LIMIT);
    if (first.done) return this.putOnce(key, first.data);
    const partSize = Math.max(MIN_PART, this.partSize, size ? Math.ceil(size / 1e4) : 0);
    return this.putMultipart(key, first.data, iter, partSize);
  }
  async putOnce(key, data) {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: data, ContentLength: data.length }));
    } catch (err) {
      this.fail(err, `put ${key}`);
    }
  }
  async putMultipart(key, head, rest, partSize) {
    const Bucket = this.location.bucket;
    let uploadId;
    try {
      uploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: key }))).UploadId;
      const parts = [];
      let pending = head;
      let done = false;
      while (pending.length > 0 || !done) {
        while (!done && pending.length < partSize) {
          const more = await readUpTo(rest, partSize - pending.length);
          pending = pending.length ? Buffer.concat([pending, more.data]) : more.data;
          done = more.done;
        }
        const body = pending.subarray(0, partSize);
        pending = pending.subarray(body.length);
        if (body.length === 0) break;
        const PartNumber = parts.length + 1;
        const r = await this.client.send(new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }));
        parts.push({ ETag: r.ETag, PartNumber });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await rest.return?.().catch(() => void 0);
      if (uploadId) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch((abortErr) => logIgnored(`aborting the multipart upload of ${key} (upload id ${uploadId})`, abortErr));
      }
      this.fail(err, `upload ${key}`);
    }
  }
  async delete(key) {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
    } catch (err) {
      this.fail(err, `delete ${key}`);
    }
  }
};
async function readAll(s) {
  const chunks = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks);
}
async function readUpTo(it, limit) {
  const chunks = [];
  let n = 0;
  while (n < limit) {
    const r = await it.next();
    if (r.done) return { data: Buffer.concat(chunks), done: true };
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    n += c.length;
  }
  return { data: Buffer.concat(chunks), done: false };
}
function s3Error(err, what, loc) {
  const e = err;
  const where = `${loc.endpoint ?? `AWS ${loc.region}`}, bucket ${loc.bucket}`;
  const status = e.$metadata?.httpStatusCode;
  const code = e.code ?? e.cause?.code ?? "";
  if (e.name === "NoSuchBucket") {
    return new StorageError(`bucket "${loc.bucket}" does not exist at ${loc.endpoint ?? `AWS ${loc.region}`} (${what}): create it or fix the volume's Bucket URL`, "not-found", { cause: err });
  }
  if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken"].includes(e.name ?? "") || status === 403) {
    return new StorageError(
      `storage rejected the credentials (${e.name ?? status}) for ${what} at ${where}: fix them with --access-key/--secret-key (or JFSMETA_SECRET_KEY), or store them with \`jfsmeta config\``,
      "auth",
      { cause: err }
    );
  }
  if (e.name === "NoSuchKey" || status === 404) return new StorageError(`object not found (${what}) at ${where}`, "not-found", { cause: err });
  if (networkErrorCode(err) !== null || e.name === "TimeoutError" || /timed? ?out/i.test(e.message ?? "")) {
    return new StorageError(`cannot reach the storage endpoint ${loc.endpoint ?? `AWS ${loc.region}`} (${code || e.name}): check the Bucket URL or --storage-endpoint`, "unreachable", { cause: err });
  }
  return new StorageError(`storage error in ${what} at ${where}: ${e.name ?? ""} ${e.message ?? String(err)}`.trim(), status && status >= 500 ? "unreachable" : "internal", { cause: err });
}

// lib/storage/volume.ts
import { z } from "zod";

// lib/jfs/secrets.ts
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
var SECRET_FIELDS = ["EncryptKey", "SecretKey", "SessionToken"];
var RemovedSecretError = class extends JfsError {
  constructor(field) {
    super(
      "refused",
      `the volume's ${field} was removed (dumps replace it with "removed"); set it again with \`jfsmeta config META-URL --secret-key \u2026\` (or pass it as an override)`
    );
    this.field = field;
  }
  field;
};
function assertSupported(s) {
  if ((s.EncryptAlgo ?? "").toLowerCase() === "sm4gcm") {
    throw new JfsError(
      "unsupported",
      "this volume uses EncryptAlgo sm4gcm (SM2/SM4), which Node's OpenSSL cannot do; jfsmeta supports aes256gcm-rsa and chacha20-rsa volumes only"
    );
  }
}
function keyOf(uuid) {
  return createHash("md5").update(uuid, "utf8").digest();
}
function encryptSecret(plain, uuid, nonce = randomBytes(12)) {
  if (nonce.length !== 12) throw new Error("encryptSecret: the nonce must be 12 bytes");
  const c = createCipheriv("aes-128-gcm", keyOf(uuid), nonce);
  const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64");
}
function decryptSecret(stored, uuid, field = "SecretKey") {
  if (stored === REMOVED_SECRET) throw new RemovedSecretError(field);
  const raw = Buffer.from(stored, "base64");
  if (raw.length < 12 + 16) {
    throw new JfsError("corrupt-input", `the volume's ${field} is not an encrypted secret (too short); the setting looks damaged \u2014 set it again with \`jfsmeta config\``);
  }
  const d = createDecipheriv("aes-128-gcm", keyOf(uuid), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch (err) {
    throw new JfsError(
      "corrupt-input",
      `the volume's ${field} does not decrypt with its UUID ${uuid} (was the UUID changed, or the setting copied from another volume?); set it again with \`jfsmeta config\``,
      { cause: err }
    );
  }
}
function decryptSetting(s) {
  const removed = [];
  const out = { ...s };
  for (const field of SECRET_FIELDS) {
    const v = s[field];
    if (!v) continue;
    if (v === REMOVED_SECRET) {
      removed.push(field);
      continue;
    }
    if (s.KeyEncrypted) {
      assertSupported(s);
      out[field] = decryptSecret(v, s.UUID, field);
    }
  }
  out.KeyEncrypted = false;
  return { setting: out, removed };
}
function encryptSetting(s, nonce) {
  if (s.KeyEncrypted) throw new Error("encryptSetting: the setting is already encrypted");
  assertSupported(s);
  const out = { ...s, KeyEncrypted: true };
  for (const field of SECRET_FIELDS) {
    const v = s[field];
    if (v && v !== REMOVED_SECRET) out[field] = encryptSecret(v, s.UUID, nonce?.());
  }
  return out;
}

// lib/storage/file.ts
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, opendir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
var FileStore = class {
  root;
  constructor(root) {
    if (!path.isAbsolute(root)) throw new StorageError(`file storage needs an absolute directory, got "${root}"`, "usage");
    this.root = root.endsWith("/") ? root : root + "/";
  }
  describe() {
    return `file://${this.root}`;
  }
  pathOf(key) {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(this.root) && p + "/" !== this.root) throw new StorageError(`key "${key}" leaves the storage directory`, "usage");
    return p;
  }
  async *listRaw(prefix) {
    const slash = prefix.lastIndexOf("/");
    const startDir = slash >= 0 ? prefix.slice(0, slash + 1) : "";
    try {
      await stat(this.root);
    } catch (err) {
      throw new StorageError(`the storage directory ${this.root} does not exist: create it or fix the volume's Bucket`, "not-found", { cause: err });
    }
    yield* this.walk(startDir, prefix);
  }
  async *walk(rel, prefix) {
    let dir;
    try {
      dir = await opendir(path.join(this.root, rel));
    } catch (err) {
      if (err.code === "ENOENT" || err.code === "ENOTDIR") return;
      throw err;
    }
    for await (const d of dir) {
      const key = rel + d.name;
      if (d.isDirectory()) {
        if ((key + "/").startsWith(prefix) || prefix.startsWith(key + "/")) yield* this.walk(key + "/", prefix);
      } else if (d.isFile() && key.startsWith(prefix)) {
        const st = await stat(path.join(this.root, key)).catch(() => null);
        if (st) yield { key, size: st.size, lastModified: st.mtime };
      }
    }
  }
  async get(key, range) {
    const p = this.pathOf(key);
    try {
      await stat(p);
    } catch (err) {
      throw new StorageError(`object ${key} not found in ${this.describe()}`, "not-found", { cause: err });
    }
    return createReadStream(p, range ? { start: range.start, end: range.end } : void 0);
  }
  async head(key) {
    const st = await stat(this.pathOf(key)).catch((err) => {
      if (err.code === "ENOENT" || err.code === "ENOTDIR") return null;
      throw wrapError(`cannot read ${key} in ${this.describe()}`, err);
    });
    return st && st.isFile() ? { key, size: st.size, lastModified: st.mtime } : null;
  }
  async put(key, body) {
    const p = this.pathOf(key);
    await mkdir(path.dirname(p), { recursive: true });
    const tmp = `${p}.${process.pid}-${Date.now()}.tmp`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp, { mode: 384 }));
      await renameDurably(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
  async delete(key) {
    await rm(this.pathOf(key), { force: true });
  }
};

// lib/storage/sharded.ts
function fnv1a32(key) {
  let h = 2166136261;
  for (const b of Buffer.from(key, "utf8")) {
    h ^= b;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}
function shardBucket(bucket, index) {
  let used = false;
  const out = bucket.replace(/%(0?)(\d*)d/g, (_m, zero, width) => {
    used = true;
    return String(index).padStart(width ? Number(width) : 0, zero ? "0" : " ");
  });
  if (!used) throw new StorageError(`a sharded volume's Bucket must contain a %d verb for the shard index, got "${bucket}"`, "usage");
  return out;
}
var ShardedStore = class {
  constructor(shards) {
    this.shards = shards;
    if (shards.length < 2) throw new Error("ShardedStore needs at least two shards");
  }
  shards;
  pick(key) {
    return this.shards[fnv1a32(key) % this.shards.length];
  }
  describe() {
    return `shards(${this.shards.length})/${this.shards[0].describe()}`;
  }
  async *listRaw(prefix) {
    for (const s of this.shards) yield* s.listRaw(prefix);
  }
  get(key, range) {
    return this.pick(key).get(key, range);
  }
  head(key) {
    return this.pick(key).head(key);
  }
  put(key, body, size) {
    return this.pick(key).put(key, body, size);
  }
  delete(key) {
    return this.pick(key).delete(key);
  }
};

// lib/storage/volume.ts
var StorageOverridesSchema = z.object({
  /** Replaces the Storage type (file, s3, minio). */
  storage: z.string().optional(),
  /** Replaces the whole Bucket URL / directory. */
  bucket: z.string().optional(),
  /** s3/minio: replaces the endpoint (scheme://host:port); the bucket name is kept; path style. */
  endpoint: z.string().url().optional(),
  accessKey: z.string().optional(),
  secretKey: z.string().optional(),
  sessionToken: z.string().optional()
});
function openVolumeStore(stored, overrides = {}) {
  const o = StorageOverridesSchema.parse(overrides);
  const { setting, removed } = decryptSetting(stored);
  const storage = (o.storage ?? setting.Storage).toLowerCase();
  const bucket = o.bucket ?? setting.Bucket;
  const prefix = `${setting.Name}/`;
  const shards = setting.Shards ?? 0;
  const build = (b) => openBucket(storage, b, setting, removed, o);
  const inner = shards > 1 ? new ShardedStore(Array.from({ length: shards }, (_, i) => build(shardBucket(bucket, i)))) : build(bucket);
  return { store: new PrefixedStore(inner, prefix), setting };
}
function openBucket(storage, bucket, setting, removed, o) {
  if (storage === "file") return new FileStore(bucket);
  if (storage !== "s3" && storage !== "minio") {
    throw new StorageError(
      `storage type "${storage}" is not supported; jfsmeta speaks file, s3 and minio \u2014 for an S3-compatible service pass --storage s3 (and --storage-endpoint if needed)`,
      "unsupported"
    );
  }
  const secretKey = o.secretKey ?? setting.SecretKey;
  const sessionToken = o.sessionToken ?? setting.SessionToken;
  const accessKey = o.accessKey ?? setting.AccessKey ?? (storage === "minio" ? process.env.MINIO_ACCESS_KEY : void 0);
  if (secretKey === "removed" || removed.includes("SecretKey") && o.secretKey === void 0) {
    throw new StorageError(
      `the volume's secret key was removed (it came from a dump): pass --secret-key (or JFSMETA_SECRET_KEY), or store it with \`jfsmeta config META-URL --secret-key \u2026\``,
      "refused"
    );
  }
  if (sessionToken === "removed") {
    throw new StorageError("the volume's session token was removed (it came from a dump): store a fresh one with `jfsmeta config --session-token \u2026`", "refused");
  }
  let loc = storage === "minio" ? parseMinioBucket(bucket) : parseS3Bucket(bucket);
  if (o.endpoint) loc = { ...loc, endpoint: o.endpoint.replace(/\/+$/, ""), forcePathStyle: true, tls: o.endpoint.startsWith("https:") };
  return new S3Store(loc, {
    accessKey,
    secretKey: secretKey ?? (storage === "minio" ? process.env.MINIO_SECRET_KEY : void 0),
    sessionToken
  });
}
async function checkVolumeStorage(stored, overrides = {}) {
  let store;
  let setting;
  try {
    ({ store, setting } = openVolumeStore(stored, overrides));
  } catch (err) {
    return { ok: false, message: err.message };
  }
  const where = `${store.describe()}juicefs_uuid`;
  try {
    const info = await store.head("juicefs_uuid");
    if (!info) return { ok: false, message: `${where} does not exist: wrong bucket, or not this volume's storage` };
    let body = await getBytes(store, "juicefs_uuid");
    if (isEnvelope(body, body.length) && setting.EncryptKey) {
      body = decryptEnvelope(body, loadRsaPrivateKey(setting.EncryptKey), envelopeAlgo(setting.EncryptAlgo));
    }
    const found = body.toString("utf8").trim();
    if (found !== setting.UUID) return { ok: false, message: `${where} holds UUID ${found.slice(0, 36)}, but the volume's UUID is ${setting.UUID}: this storage belongs to another volume` };
    return { ok: true, message: `storage ${store.describe()} answers and holds volume ${setting.Name} (UUID ${setting.UUID})` };
  } catch (err) {
    return { ok: false, message: err.message };
  }
}

export {
  StorageError,
  listAll,
  getBytes,
  parseS3Bucket,
  S3Store,
  decryptSetting,
  encryptSetting,
  openVolumeStore,
  checkVolumeStorage
};
