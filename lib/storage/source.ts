// A backup straight from storage, for `jfsmeta load` and the dashboard: s3://bucket/key,
// file:///path, or a backup name within a volume (its META-URL + the name under meta/).
// Encrypted backups are decrypted (with --encrypt-rsa-key, or the volume's own key from its
// setting); the bytes returned are the backup as stored otherwise (gzip/zstd/JSON), ready for
// openDumpInput, which sniffs the compression.
// The one decryption policy for backups (CLI and dashboard): an envelope is staged in a private
// temp file and authenticated whole before a byte of plaintext is given out, with the named
// algorithm first and the other one next (an object does not record which one wrote it).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { KeyObject } from "node:crypto";
import { decryptFileWithKey, isEnvelope, loadRsaPrivateKey } from "../dump/envelope";
import { openEngine } from "../engines/open";
import { BACKUP_PREFIX, listBackups } from "./backups";
import { parseS3Bucket, S3Store } from "./s3";
import { getBytes, StorageError, type ObjectStore } from "./store";
import { openVolumeStore, type StorageOverrides } from "./volume";

export interface BackupSourceOptions {
  /** For a bare backup name: the META-URL of the volume whose storage holds it. */
  metaUrl?: string;
  /** Endpoint / credential overrides (s3:// refs and volume storage). */
  storage?: StorageOverrides;
  /** Private key PEM file for encrypted backups; default for volume refs: the volume's own key. */
  keyPath?: string;
  /** Default JFS_RSA_PASSPHRASE. */
  passphrase?: string;
  /** aes256gcm-rsa (default, or the volume's EncryptAlgo) or chacha20-rsa; the other is tried too. */
  algo?: string;
  /** Where an encrypted object is staged (0600, deleted when the stream closes); default OS temp. */
  tmpDir?: string;
}

export interface BackupSource {
  stream: Readable;
  /** The object's name (for messages; no secrets). */
  name: string;
  /** It was an envelope and has been decrypted. */
  decrypted: boolean;
  /** Bytes of the object as stored. */
  size: number;
}

/** Where the private key comes from, asked for only when the backup is encrypted. */
export type KeySource = () => Promise<KeyObject>;

/**
 * Open a backup by reference:
 * - `file:///abs/path/dump-….json.gz`
 * - `s3://bucket/key` (AWS, or `storage.endpoint` for S3-compatibles; credentials from
 *   `storage` or the AWS default chain)
 * - a name under the volume's `meta/` (`dump-2026-11-26-120000.json.gz`, `meta/dump-…`, or
 *   `latest`) with `metaUrl` naming the volume's metadata engine.
 */
export async function openBackupSource(ref: string, opts: BackupSourceOptions = {}): Promise<BackupSource> {
  if (ref.startsWith("file://")) {
    return openLocal(fileURLToPath(ref), opts.keyPath ? () => keyFromFile(opts) : null, opts.algo);
  }
  if (ref.startsWith("s3://")) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref);
    if (!m) throw new StorageError(`"${ref}" is not s3://bucket/key`, "usage");
    const [, bucket, key] = m;
    const o = opts.storage ?? {};
    const loc = o.endpoint
      ? { ...parseS3Bucket(`${o.endpoint.replace(/\/+$/, "")}/${bucket}`), forcePathStyle: true }
      : parseS3Bucket(bucket);
    const store = new S3Store(loc, { accessKey: o.accessKey, secretKey: o.secretKey, sessionToken: o.sessionToken });
    return openStoredBackup(store, decodeURIComponent(key), opts.keyPath ? () => keyFromFile(opts) : null, opts);
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
    name = timed.reduce((a, b) => (b.time!.getTime() >= a.time!.getTime() ? b : a)).name;
  }
  // The key is parsed only for an encrypted object (a large plain backup needs no passphrase).
  const volumeKey = setting.EncryptKey;
  const rsa = opts.keyPath
    ? () => keyFromFile(opts)
    : volumeKey
      ? async () => loadRsaPrivateKey(volumeKey, opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE)
      : null;
  return openStoredBackup(store, BACKUP_PREFIX + name, rsa, { ...opts, algo: opts.algo ?? setting.EncryptAlgo });
}

async function keyFromFile(opts: BackupSourceOptions): Promise<KeyObject> {
  return loadRsaPrivateKey(await readFile(opts.keyPath!), opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE);
}

const CLI_KEY_HINT = "give the volume's private key (--encrypt-rsa-key, and JFS_RSA_PASSPHRASE if it has a passphrase)";
const encryptedWithoutKey = (name: string, hint = CLI_KEY_HINT) => new StorageError(`${name} is encrypted: ${hint}`, "usage");

async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(n);
    const { bytesRead } = await fh.read(head, 0, n, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function openLocal(file: string, key: KeySource | null, algo?: string): Promise<BackupSource> {
  const size = (await stat(file)).size;
  const encrypted = isEnvelope(await readHead(file, 16), size);
  if (!encrypted) return { stream: createReadStream(file), name: file, decrypted: false, size };
  if (!key) throw encryptedWithoutKey(file);
  return { stream: await decryptFileWithKey(file, await key(), algo), name: file, decrypted: true, size };
}

export interface StoredBackupOptions {
  /** aes256gcm-rsa (default) or chacha20-rsa; the other is tried too. */
  algo?: string;
  /** Where an encrypted object is staged (0600, deleted when the stream closes); default OS temp. */
  tmpDir?: string;
  /** How to give the key, said when an encrypted object comes without one (default: the CLI's flags). */
  keyHint?: string;
}

/**
 * The object `key` of `store` as a backup: plain objects stream straight from storage;
 * envelopes are staged in a private temp file and authenticated before they are streamed,
 * decrypted with the key `rsa` gives (an encrypted object without `rsa` is refused).
 */
export async function openStoredBackup(store: ObjectStore, key: string, rsa: KeySource | null, opts: StoredBackupOptions = {}): Promise<BackupSource> {
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
    await pipeline(await store.get(key), createWriteStream(file, { mode: 0o600 }));
    const plain = await decryptFileWithKey(file, privateKey, opts.algo);
    const out = new PassThrough();
    pipeline(plain, out)
      .catch((err: Error) => out.destroy(err))
      .finally(() => void cleanup());
    return { stream: out, name, decrypted: true, size: info.size };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
