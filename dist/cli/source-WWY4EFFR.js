import {
  BACKUP_PREFIX,
  listBackups
} from "./chunk-7NXSN43M.js";
import {
  S3Store,
  StorageError,
  getBytes,
  openVolumeStore,
  parseS3Bucket
} from "./chunk-3B24ZKOH.js";
import {
  decryptFileWithKey,
  isEnvelope,
  loadRsaPrivateKey
} from "./chunk-MRG4XAQF.js";
import "./chunk-6VX6LUXZ.js";
import "./chunk-PWJI7R5M.js";
import {
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import "./chunk-HSLINTMN.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// lib/storage/source.ts
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
async function openBackupSource(ref, opts = {}) {
  if (ref.startsWith("file://")) {
    return openLocal(fileURLToPath(ref), opts.keyPath ? () => keyFromFile(opts) : null, opts.algo);
  }
  if (ref.startsWith("s3://")) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref);
    if (!m) throw new StorageError(`"${ref}" is not s3://bucket/key`, "usage");
    const [, bucket, key] = m;
    const o = opts.storage ?? {};
    const loc = o.endpoint ? { ...parseS3Bucket(`${o.endpoint.replace(/\/+$/, "")}/${bucket}`), forcePathStyle: true } : parseS3Bucket(bucket);
    const store2 = new S3Store(loc, { accessKey: o.accessKey, secretKey: o.secretKey, sessionToken: o.sessionToken });
    return openStoredBackup(store2, decodeURIComponent(key), opts.keyPath ? () => keyFromFile(opts) : null, opts);
  }
  if (!opts.metaUrl) {
    throw new StorageError(`"${ref}" is neither file://, s3:// nor a backup name with a META-URL: give the volume's META-URL to find it`, "usage");
  }
  const engine = await openEngine(opts.metaUrl);
  let stored;
  try {
    stored = await engine.readSetting();
  } finally {
    await engine.close();
  }
  if (!stored) throw new StorageError(`no JuiceFS volume in ${engine.redactedUrl}: cannot find its backups`, "not-found");
  const { store, setting } = openVolumeStore(stored, opts.storage);
  let name = ref.startsWith(BACKUP_PREFIX) ? ref.slice(BACKUP_PREFIX.length) : ref;
  if (name === "latest") {
    const timed = (await listBackups(store, { sniff: false })).filter((b) => b.time !== null);
    if (!timed.length) throw new StorageError(`volume ${setting.Name} has no backups under ${store.describe()}${BACKUP_PREFIX}`, "not-found");
    name = timed.reduce((a, b) => b.time.getTime() >= a.time.getTime() ? b : a).name;
  }
  const volumeKey = setting.EncryptKey;
  const rsa = opts.keyPath ? () => keyFromFile(opts) : volumeKey ? async () => loadRsaPrivateKey(volumeKey, opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE) : null;
  return openStoredBackup(store, BACKUP_PREFIX + name, rsa, { ...opts, algo: opts.algo ?? setting.EncryptAlgo });
}
async function keyFromFile(opts) {
  return loadRsaPrivateKey(await readFile(opts.keyPath), opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE);
}
var CLI_KEY_HINT = "give the volume's private key (--encrypt-rsa-key, and JFS_RSA_PASSPHRASE if it has a passphrase)";
var encryptedWithoutKey = (name, hint = CLI_KEY_HINT) => new StorageError(`${name} is encrypted: ${hint}`, "usage");
async function readHead(file, n) {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(n);
    const { bytesRead } = await fh.read(head, 0, n, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
async function openLocal(file, key, algo) {
  const size = (await stat(file)).size;
  const encrypted = isEnvelope(await readHead(file, 16), size);
  if (!encrypted) return { stream: createReadStream(file), name: file, decrypted: false, size };
  if (!key) throw encryptedWithoutKey(file);
  return { stream: await decryptFileWithKey(file, await key(), algo), name: file, decrypted: true, size };
}
async function openStoredBackup(store, key, rsa, opts = {}) {
  const info = await store.head(key);
  if (!info) throw new StorageError(`backup ${key} not found in ${store.describe()}`, "not-found");
  const name = store.describe() + key;
  const head = info.size ? await getBytes(store, key, { start: 0, end: Math.min(info.size, 16) - 1 }) : Buffer.alloc(0);
  if (!isEnvelope(head, info.size)) return { stream: await store.get(key), name, decrypted: false, size: info.size };
  if (!rsa) throw encryptedWithoutKey(name, opts.keyHint);
  const privateKey = await rsa();
  const dir = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), "jfsmeta-source-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, "backup.enc");
    await pipeline(await store.get(key), createWriteStream(file, { mode: 384 }));
    const plain = await decryptFileWithKey(file, privateKey, opts.algo);
    const out = new PassThrough();
    pipeline(plain, out).catch((err) => out.destroy(err)).finally(() => void cleanup());
    return { stream: out, name, decrypted: true, size: info.size };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
export {
  openBackupSource,
  openStoredBackup
};
