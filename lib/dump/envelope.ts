// JuiceFS's encrypted-object envelope (pkg/object/encrypt.go), used for encrypted volumes'
// blocks and automatic backups:
//   u16be K ‖ u8 N(=12) ‖ RSA-OAEP(SHA-256, MGF1-SHA-256, label "keys") of a 32-byte data key
//   ‖ nonce[N] ‖ AEAD ciphertext ‖ tag[16]           (AEAD: AES-256-GCM or ChaCha20-Poly1305)
// Both directions stream: the header is known up front, and the tag is held back and checked
// at the end, so multi-GB backups never sit in memory.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type CipherGCM,
  type DecipherGCM,
  type KeyObject,
} from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { Transform, Writable, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MAGIC_BYTES, sniffDump } from "./magic";
import { JfsError } from "../jfs/errors";

export const ENVELOPE_ALGOS = ["aes256gcm-rsa", "chacha20-rsa"] as const;
export type EnvelopeAlgo = (typeof ENVELOPE_ALGOS)[number];

const NONCE_LEN = 12;
const TAG_LEN = 16;
const DATA_KEY_LEN = 32;
const OAEP_LABEL = Buffer.from("keys");

export class EnvelopeError extends JfsError {
  constructor(
    message: string,
    /** "format": not an envelope / damaged header; "key": wrong RSA key; "auth": tag check failed */
    readonly problem: "format" | "key" | "auth",
    options?: { cause?: unknown },
  ) {
    super(problem === "key" ? "auth" : "corrupt-input", message, options);
  }
}

/** The algorithm a volume setting names; empty means aes256gcm-rsa, as in JuiceFS. */
export function envelopeAlgo(name: string | undefined): EnvelopeAlgo {
  const n = (name ?? "").toLowerCase();
  if (n === "" || n === "aes256gcm-rsa") return "aes256gcm-rsa";
  if (n === "chacha20-rsa") return "chacha20-rsa";
  if (n === "sm4gcm") throw new JfsError("unsupported", "encrypt algorithm sm4gcm (SM2/SM4) is not supported: Node's OpenSSL has no SM2 encryption");
  throw new JfsError("usage", `unknown encrypt algorithm "${name}": use aes256gcm-rsa or chacha20-rsa`);
}

function otherAlgo(a: EnvelopeAlgo): EnvelopeAlgo {
  return a === "aes256gcm-rsa" ? "chacha20-rsa" : "aes256gcm-rsa";
}

// --- keys -------------------------------------------------------------------------------

interface PemBlock {
  type: string;
  headers: Map<string, string>;
  text: string;
}

function firstPemBlock(pem: string): PemBlock | null {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return null;
  const headers = new Map<string, string>();
  const parts = m[2].split(/\r?\n\r?\n/);
  if (parts.length > 1) {
    for (const line of parts[0].split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
  }
  return { type: m[1], headers, text: m[0] };
}

/** DER of the OIDs of PBES2 and of the CBC ciphers OpenSSL 3's default provider decrypts. */
const PBES2_OID = Buffer.from("06092a864886f70d01050d", "hex");
const SUPPORTED_CIPHER_OIDS = ["06096086480165030401" + "02", "06096086480165030401" + "16", "06096086480165030401" + "2a", "06082a864886f70d0307"].map((h) => Buffer.from(h, "hex"));

/**
 * Whether the PEM's cipher is one OpenSSL 3 decrypts (PBES2 or DEK-Info with AES-CBC or
 * DES-EDE3-CBC). Then its decoders' "unsupported" means the passphrase was wrong: about one wrong
 * passphrase in 256 decrypts to bytes whose padding passes, which no decoder can then read.
 */
function cipherSupported(block: PemBlock, legacy: boolean): boolean {
  if (legacy) return /^(AES-(128|192|256)-CBC|DES-EDE3-CBC),/i.test(block.headers.get("DEK-Info") ?? "");
  const body = block.text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Buffer.from(body, "base64");
  return der.includes(PBES2_OID) && SUPPORTED_CIPHER_OIDS.some((oid) => der.includes(oid));
}

/**
 * Parse the volume's private key PEM as JuiceFS v1.4 does (first PEM block; PKCS#1, PKCS#8,
 * encrypted PKCS#8, legacy Proc-Type/DEK-Info encryption). The passphrase defaults to
 * JFS_RSA_PASSPHRASE. Only RSA keys of at least 1024 bits are accepted.
 */
export function loadRsaPrivateKey(pem: string | Buffer, passphrase: string | undefined = process.env.JFS_RSA_PASSPHRASE): KeyObject {
  const block = firstPemBlock(typeof pem === "string" ? pem : pem.toString("utf8"));
  if (!block) throw new JfsError("usage", "the private key is not PEM: no -----BEGIN …----- block found");
  const legacyEncrypted = (block.headers.get("Proc-Type") ?? "").includes("ENCRYPTED") && block.headers.has("DEK-Info");
  const encrypted = legacyEncrypted || block.type.includes("ENCRYPTED");
  if (encrypted && !passphrase) {
    throw new JfsError("usage", "a passphrase is required to open the private key: please set the 'JFS_RSA_PASSPHRASE' environment variable");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.text, format: "pem", passphrase: encrypted ? passphrase : undefined });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? "";
    if (encrypted && /UNSUPPORTED/.test(code) && !cipherSupported(block, legacyEncrypted)) {
      throw new JfsError(
        "unsupported",
        `the private key is encrypted with a cipher OpenSSL 3 no longer supports (${e.message}); ` +
          "re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-new.pem",
        { cause: err },
      );
    }
    if (encrypted) throw new JfsError("auth", "the passphrase (JFS_RSA_PASSPHRASE) does not open the private key: wrong passphrase", { cause: err });
    throw new JfsError("usage", `the private key cannot be parsed (${e.message})`, { cause: err });
  }
  const type = key.asymmetricKeyType;
  if ((type as string) === "sm2") throw new JfsError("unsupported", "SM2 keys (sm4gcm volumes) are not supported: Node's OpenSSL has no SM2 encryption");
  if (type !== "rsa") throw new JfsError("usage", `the private key is ${type ?? "of an unknown type"}, but JuiceFS encryption needs an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) throw new JfsError("usage", `the RSA key has ${bits} bits; JuiceFS (Go ≥ 1.24) refuses keys under 1024 bits`);
  return key;
}

function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new JfsError("usage", "not an RSA key");
  return Math.ceil(bits / 8);
}

/** RSA-OAEP (SHA-256, MGF1-SHA-256, label "keys") of the data key by OpenSSL, as Go's EncryptOAEP. */
function wrapDataKey(publicKey: KeyObject, dataKey: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: OAEP_LABEL }, dataKey);
}

function unwrapDataKey(privateKey: KeyObject, wrapped: Buffer): Buffer {
  try {
    return privateDecrypt({ key: privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: OAEP_LABEL }, wrapped);
  } catch (err) {
    throw new EnvelopeError(
      "the RSA key does not match this object: its data key does not unwrap (wrong --encrypt-rsa-key, or not this volume's key)",
      "key",
      { cause: err },
    );
  }
}

function aeadCipher(algo: EnvelopeAlgo, key: Buffer, nonce: Buffer): CipherGCM {
  if (algo === "chacha20-rsa") return createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LEN }) as unknown as CipherGCM;
  return createCipheriv(`aes-${key.length * 8}-gcm` as "aes-256-gcm", key, nonce);
}

function aeadDecipher(algo: EnvelopeAlgo, key: Buffer, nonce: Buffer): DecipherGCM {
  if (algo === "chacha20-rsa") return createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LEN }) as unknown as DecipherGCM;
  if (![16, 24, 32].includes(key.length)) throw new EnvelopeError(`unwrapped data key has ${key.length} bytes; expected 32`, "format");
  return createDecipheriv(`aes-${key.length * 8}-gcm` as "aes-256-gcm", key, nonce);
}

// --- sniffing ---------------------------------------------------------------------------

/**
 * Whether the first bytes look like an envelope (docs/format/backups.md §6): K ∈ {128, 256, 384, 512} (or the
 * given key's size), nonce length 12, and room for header + tag when `size` is known.
 */
export function isEnvelope(head: Buffer, size?: number, keyBytes?: number): boolean {
  if (head.length < 3) return false;
  const k = head.readUInt16BE(0);
  if (!([128, 256, 384, 512].includes(k) || (keyBytes !== undefined && k === keyBytes && k >= 128))) return false;
  if (head[2] !== NONCE_LEN) return false;
  return size === undefined || 3 + k + NONCE_LEN + TAG_LEN <= size;
}

// --- encryption -------------------------------------------------------------------------

/**
 * Reproducible encryption, for tests that compare bytes with Go's vectors: the data key (32
 * bytes) and then the nonce (12) come from `random`, and `wrap` wraps the data key (an
 * RSA-OAEP whose seed the test chooses; Node's OAEP draws its own).
 */
export interface DeterministicEncryption {
  random: (n: number) => Buffer;
  wrap: (publicKey: KeyObject, dataKey: Buffer) => Buffer;
}

export interface EncryptOptions {
  algo?: EnvelopeAlgo;
  /** Tests only. Otherwise the keys and nonce are random and the data key is wrapped by Node's OAEP. */
  deterministic?: DeterministicEncryption;
}

function publicOf(key: KeyObject): KeyObject {
  return key.type === "private" ? createPublicKey(key) : key;
}

/** A fresh data key, wrapped for `key`, and a nonce; in the order JuiceFS draws them. */
function sealingParts(key: KeyObject, opts: EncryptOptions): { dataKey: Buffer; header: Buffer } {
  const d = opts.deterministic;
  const random = d?.random ?? randomBytes;
  const pub = publicOf(key);
  const dataKey = random(DATA_KEY_LEN);
  const wrapped = d ? d.wrap(pub, dataKey) : wrapDataKey(pub, dataKey);
  const nonce = random(NONCE_LEN);
  const head = Buffer.alloc(3);
  head.writeUInt16BE(wrapped.length, 0);
  head[2] = NONCE_LEN;
  return { dataKey, header: Buffer.concat([head, wrapped, nonce]) };
}

/** A Transform that turns plaintext into one envelope (header first, tag at the end). */
export function createEncryptStream(key: KeyObject, opts: EncryptOptions = {}): Transform {
  const { dataKey, header } = sealingParts(key, opts);
  const cipher = aeadCipher(opts.algo ?? "aes256gcm-rsa", dataKey, header.subarray(header.length - NONCE_LEN));
  let headerSent = false;
  const sendHeader = (t: Transform) => {
    if (!headerSent) t.push(header);
    headerSent = true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      sendHeader(this);
      cb(null, cipher.update(chunk));
    },
    flush(cb: TransformCallback) {
      sendHeader(this);
      const last = cipher.final();
      if (last.length) this.push(last);
      cb(null, cipher.getAuthTag());
    },
  });
}

/** Encrypt a whole buffer (small objects, tests). */
export function encryptEnvelope(plain: Buffer, key: KeyObject, opts: EncryptOptions = {}): Buffer {
  const { dataKey, header } = sealingParts(key, opts);
  const cipher = aeadCipher(opts.algo ?? "aes256gcm-rsa", dataKey, header.subarray(header.length - NONCE_LEN));
  return Buffer.concat([header, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

// --- decryption -------------------------------------------------------------------------

function checkHeader(head: Buffer, key: KeyObject, total?: number): { k: number; n: number } {
  if (head.length < 3) throw new EnvelopeError(`the object is too short to be encrypted (${head.length} bytes); it is damaged`, "format");
  const k = head.readUInt16BE(0);
  const n = head[2];
  if (total !== undefined && 3 + k + n >= total) {
    throw new EnvelopeError(`malformed encrypted object: header says key ${k} and nonce ${n} bytes, but the object has ${total}`, "format");
  }
  if (n !== NONCE_LEN) throw new EnvelopeError(`not a JuiceFS encrypted object: nonce length ${n} (expected 12)`, "format");
  const kb = modulusBytes(key);
  if (k !== kb) {
    throw new EnvelopeError(
      `the object was encrypted for a ${k * 8}-bit RSA key, but the given key has ${kb * 8} bits: wrong key, or not an encrypted object`,
      "key",
    );
  }
  return { k, n };
}

function authError(algo: EnvelopeAlgo): EnvelopeError {
  return new EnvelopeError(
    `decryption failed: the object does not authenticate with ${algo} (wrong --encrypt-algo, or the object is damaged)`,
    "auth",
  );
}

/** Decrypt a whole envelope held in memory; tries `algo` first, then the other algorithm. */
export function decryptEnvelope(obj: Buffer, key: KeyObject, algo: EnvelopeAlgo = "aes256gcm-rsa"): Buffer {
  const { k, n } = checkHeader(obj, key, obj.length);
  if (obj.length < 3 + k + n + TAG_LEN) throw new EnvelopeError("malformed encrypted object: no room for the tag", "format");
  const dataKey = unwrapDataKey(key, obj.subarray(3, 3 + k));
  const nonce = obj.subarray(3 + k, 3 + k + n);
  const body = obj.subarray(3 + k + n, obj.length - TAG_LEN);
  const tag = obj.subarray(obj.length - TAG_LEN);
  for (const a of [algo, otherAlgo(algo)]) {
    const d = aeadDecipher(a, dataKey, nonce);
    d.setAuthTag(tag);
    try {
      return Buffer.concat([d.update(body), d.final()]);
    } catch {
      // try the other algorithm: the object does not record which one wrote it
    }
  }
  throw authError(algo);
}

/**
 * A Transform from envelope bytes to plaintext, for one algorithm. The tag is checked at the
 * end: output is untrusted until the stream finishes without error.
 */
export function createDecryptStream(key: KeyObject, algo: EnvelopeAlgo = "aes256gcm-rsa"): Transform {
  let head: Buffer = Buffer.alloc(0);
  let headerLen = -1;
  let decipher: DecipherGCM | null = null;
  let tail: Buffer = Buffer.alloc(0);
  const body = (t: Transform, data: Buffer) => {
    const all = tail.length ? Buffer.concat([tail, data]) : data;
    if (all.length <= TAG_LEN) {
      tail = Buffer.from(all);
      return;
    }
    const out = decipher!.update(all.subarray(0, all.length - TAG_LEN));
    tail = Buffer.from(all.subarray(all.length - TAG_LEN));
    if (out.length) t.push(out);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        if (!decipher) {
          head = Buffer.concat([head, chunk]);
          if (headerLen < 0 && head.length >= 3) {
            const { k, n } = checkHeader(head, key);
            headerLen = 3 + k + n;
          }
          if (headerLen < 0 || head.length < headerLen) return cb();
          const k = headerLen - 3 - NONCE_LEN;
          const dataKey = unwrapDataKey(key, head.subarray(3, 3 + k));
          decipher = aeadDecipher(algo, dataKey, head.subarray(3 + k, headerLen));
          const rest = head.subarray(headerLen);
          head = Buffer.alloc(0);
          body(this, rest);
          return cb();
        }
        body(this, chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback) {
      if (!decipher || tail.length < TAG_LEN) {
        return cb(new EnvelopeError("the encrypted object is truncated: it ends before its header and tag are complete", "format"));
      }
      decipher.setAuthTag(tail);
      try {
        const last = decipher.final();
        cb(null, last.length ? last : undefined);
      } catch {
        cb(authError(algo));
      }
    },
  });
}

/** Decrypt a file's envelope, discarding the output: resolves if it authenticates with `algo`. */
async function verifyFile(path: string, key: KeyObject, algo: EnvelopeAlgo): Promise<void> {
  await pipeline(
    createReadStream(path),
    createDecryptStream(key, algo),
    new Writable({
      write(_c, _e, cb) {
        cb();
      },
    }),
  );
}

export interface DecryptFileOptions {
  /** PEM file of the volume's private key. */
  keyPath: string;
  /** Default aes256gcm-rsa; the other algorithm is tried when it does not authenticate. */
  algo?: EnvelopeAlgo | string;
  /** Default: JFS_RSA_PASSPHRASE. */
  passphrase?: string;
}

/**
 * Plaintext of an encrypted backup file, for `jfsmeta load --encrypt-rsa-key`. The file is
 * authenticated in a first pass (nothing is produced from a wrong key or damaged object), then
 * decrypted again as a stream. A file that is not an envelope (e.g. a large backup JuiceFS
 * uploaded unencrypted, docs/format/backups.md §1.5) is passed through unchanged.
 */
export async function decryptEnvelopeFile(path: string, opts: DecryptFileOptions): Promise<Readable> {
  const key = loadRsaPrivateKey(await readFile(opts.keyPath), opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE);
  return decryptFileWithKey(path, key, opts.algo);
}

/** decryptEnvelopeFile with a key already loaded (e.g. the volume's own key from its setting). */
export async function decryptFileWithKey(path: string, key: KeyObject, algoName?: string): Promise<Readable> {
  const fh = await open(path, "r");
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(MAGIC_BYTES, size));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (!isEnvelope(head, size, modulusBytes(key))) {
    // Plain backups (gzip, zstd, JSON, binary) need no key: JuiceFS fails on them, we read them.
    if (sniffDump(head) !== "unknown") return createReadStream(path);
    checkHeader(head, key, size); // a precise error when it looks like a damaged envelope
    throw new EnvelopeError(`${path} is neither an encrypted JuiceFS object nor a plain backup`, "format");
  }
  const first = envelopeAlgo(algoName);
  let chosen: EnvelopeAlgo | null = null;
  for (const algo of [first, otherAlgo(first)]) {
    try {
      await verifyFile(path, key, algo);
      chosen = algo;
      break;
    } catch (err) {
      if (!(err instanceof EnvelopeError) || err.problem !== "auth") throw err;
    }
  }
  if (!chosen) throw authError(first);
  const out = createDecryptStream(key, chosen);
  pipeline(createReadStream(path), out).catch((err: Error) => out.destroy(err));
  return out;
}
