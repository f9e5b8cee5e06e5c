import {
  MAGIC_BYTES,
  sniffDump
} from "./chunk-ZFPZGAM2.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/dump/envelope.ts
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  privateDecrypt,
  publicEncrypt,
  randomBytes
} from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
var ENVELOPE_ALGOS = ["aes256gcm-rsa", "chacha20-rsa"];
var NONCE_LEN = 12;
var TAG_LEN = 16;
var DATA_KEY_LEN = 32;
var OAEP_LABEL = Buffer.from("keys");
var EnvelopeError = class extends JfsError {
  constructor(message, problem, options) {
    super(problem === "key" ? "auth" : "corrupt-input", message, options);
    this.problem = problem;
  }
  problem;
};
function envelopeAlgo(name) {
  const n = (name ?? "").toLowerCase();
  if (n === "" || n === "aes256gcm-rsa") return "aes256gcm-rsa";
  if (n === "chacha20-rsa") return "chacha20-rsa";
  if (n === "sm4gcm") throw new JfsError("unsupported", "encrypt algorithm sm4gcm (SM2/SM4) is not supported: Node's OpenSSL has no SM2 encryption");
  throw new JfsError("usage", `unknown encrypt algorithm "${name}": use aes256gcm-rsa or chacha20-rsa`);
}
function otherAlgo(a) {
  return a === "aes256gcm-rsa" ? "chacha20-rsa" : "aes256gcm-rsa";
}
function firstPemBlock(pem) {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return null;
  const headers = /* @__PURE__ */ new Map();
  const parts = m[2].split(/\r?\n\r?\n/);
  if (parts.length > 1) {
    for (const line of parts[0].split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i > 0) headers.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
  }
  return { type: m[1], headers, text: m[0] };
}
function loadRsaPrivateKey(pem, passphrase = process.env.JFS_RSA_PASSPHRASE) {
  const block = firstPemBlock(typeof pem === "string" ? pem : pem.toString("utf8"));
  if (!block) throw new JfsError("usage", "the private key is not PEM: no -----BEGIN \u2026----- block found");
  const legacyEncrypted = (block.headers.get("Proc-Type") ?? "").includes("ENCRYPTED") && block.headers.has("DEK-Info");
  const encrypted = legacyEncrypted || block.type.includes("ENCRYPTED");
  if (encrypted && !passphrase) {
    throw new JfsError("usage", "a passphrase is required to open the private key: please set the 'JFS_RSA_PASSPHRASE' environment variable");
  }
  let key;
  try {
    key = createPrivateKey({ key: block.text, format: "pem", passphrase: encrypted ? passphrase : void 0 });
  } catch (err) {
    const e = err;
    const code = e.code ?? "";
    if (encrypted && /UNSUPPORTED/.test(code)) {
      throw new JfsError(
        "unsupported",
        `the private key is encrypted with a cipher OpenSSL 3 no longer supports (${e.message}); re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-new.pem`,
        { cause: err }
      );
    }
    if (encrypted) throw new JfsError("auth", "the passphrase (JFS_RSA_PASSPHRASE) does not open the private key: wrong passphrase", { cause: err });
    throw new JfsError("usage", `the private key cannot be parsed (${e.message})`, { cause: err });
  }
  const type = key.asymmetricKeyType;
  if (type === "sm2") throw new JfsError("unsupported", "SM2 keys (sm4gcm volumes) are not supported: Node's OpenSSL has no SM2 encryption");
  if (type !== "rsa") throw new JfsError("usage", `the private key is ${type ?? "of an unknown type"}, but JuiceFS encryption needs an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) throw new JfsError("usage", `the RSA key has ${bits} bits; JuiceFS (Go \u2265 1.24) refuses keys under 1024 bits`);
  return key;
}
function modulusBytes(key) {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new JfsError("usage", "not an RSA key");
  return Math.ceil(bits / 8);
}
function wrapDataKey(publicKey, dataKey) {
  return publicEncrypt({ key: publicKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: OAEP_LABEL }, dataKey);
}
function unwrapDataKey(privateKey, wrapped) {
  try {
    return privateDecrypt({ key: privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: OAEP_LABEL }, wrapped);
  } catch (err) {
    throw new EnvelopeError(
      "the RSA key does not match this object: its data key does not unwrap (wrong --encrypt-rsa-key, or not this volume's key)",
      "key",
      { cause: err }
    );
  }
}
function aeadCipher(algo, key, nonce) {
  if (algo === "chacha20-rsa") return createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LEN });
  return createCipheriv(`aes-${key.length * 8}-gcm`, key, nonce);
}
function aeadDecipher(algo, key, nonce) {
  if (algo === "chacha20-rsa") return createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LEN });
  if (![16, 24, 32].includes(key.length)) throw new EnvelopeError(`unwrapped data key has ${key.length} bytes; expected 32`, "format");
  return createDecipheriv(`aes-${key.length * 8}-gcm`, key, nonce);
}
function isEnvelope(head, size, keyBytes) {
  if (head.length < 3) return false;
  const k = head.readUInt16BE(0);
  if (!([128, 256, 384, 512].includes(k) || keyBytes !== void 0 && k === keyBytes && k >= 128)) return false;
  if (head[2] !== NONCE_LEN) return false;
  return size === void 0 || 3 + k + NONCE_LEN + TAG_LEN <= size;
}
function publicOf(key) {
  return key.type === "private" ? createPublicKey(key) : key;
}
function sealingParts(key, opts) {
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
function createEncryptStream(key, opts = {}) {
  const { dataKey, header } = sealingParts(key, opts);
  const cipher = aeadCipher(opts.algo ?? "aes256gcm-rsa", dataKey, header.subarray(header.length - NONCE_LEN));
  let headerSent = false;
  const sendHeader = (t) => {
    if (!headerSent) t.push(header);
    headerSent = true;
  };
  return new Transform({
    transform(chunk, _enc, cb) {
      sendHeader(this);
      cb(null, cipher.update(chunk));
    },
    flush(cb) {
      sendHeader(this);
      const last = cipher.final();
      if (last.length) this.push(last);
      cb(null, cipher.getAuthTag());
    }
  });
}
function encryptEnvelope(plain, key, opts = {}) {
  const { dataKey, header } = sealingParts(key, opts);
  const cipher = aeadCipher(opts.algo ?? "aes256gcm-rsa", dataKey, header.subarray(header.length - NONCE_LEN));
  return Buffer.concat([header, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}
function checkHeader(head, key, total) {
  if (head.length < 3) throw new EnvelopeError(`the object is too short to be encrypted (${head.length} bytes); it is damaged`, "format");
  const k = head.readUInt16BE(0);
  const n = head[2];
  if (total !== void 0 && 3 + k + n >= total) {
    throw new EnvelopeError(`malformed encrypted object: header says key ${k} and nonce ${n} bytes, but the object has ${total}`, "format");
  }
  if (n !== NONCE_LEN) throw new EnvelopeError(`not a JuiceFS encrypted object: nonce length ${n} (expected 12)`, "format");
  const kb = modulusBytes(key);
  if (k !== kb) {
    throw new EnvelopeError(
      `the object was encrypted for a ${k * 8}-bit RSA key, but the given key has ${kb * 8} bits: wrong key, or not an encrypted object`,
      "key"
    );
  }
  return { k, n };
}
function authError(algo) {
  return new EnvelopeError(
    `decryption failed: the object does not authenticate with ${algo} (wrong --encrypt-algo, or the object is damaged)`,
    "auth"
  );
}
function decryptEnvelope(obj, key, algo = "aes256gcm-rsa") {
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
    }
  }
  throw authError(algo);
}
function createDecryptStream(key, algo = "aes256gcm-rsa") {
  let head = Buffer.alloc(0);
  let headerLen = -1;
  let decipher = null;
  let tail = Buffer.alloc(0);
  const body = (t, data) => {
    const all = tail.length ? Buffer.concat([tail, data]) : data;
    if (all.length <= TAG_LEN) {
      tail = Buffer.from(all);
      return;
    }
    const out = decipher.update(all.subarray(0, all.length - TAG_LEN));
    tail = Buffer.from(all.subarray(all.length - TAG_LEN));
    if (out.length) t.push(out);
  };
  return new Transform({
    transform(chunk, _enc, cb) {
      try {
        if (!decipher) {
          head = Buffer.concat([head, chunk]);
          if (headerLen < 0 && head.length >= 3) {
            const { k: k2, n } = checkHeader(head, key);
            headerLen = 3 + k2 + n;
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
        cb(err);
      }
    },
    flush(cb) {
      if (!decipher || tail.length < TAG_LEN) {
        return cb(new EnvelopeError("the encrypted object is truncated: it ends before its header and tag are complete", "format"));
      }
      decipher.setAuthTag(tail);
      try {
        const last = decipher.final();
        cb(null, last.length ? last : void 0);
      } catch {
        cb(authError(algo));
      }
    }
  });
}
async function verifyFile(path, key, algo) {
  await pipeline(
    createReadStream(path),
    createDecryptStream(key, algo),
    new Writable({
      write(_c, _e, cb) {
        cb();
      }
    })
  );
}
async function decryptEnvelopeFile(path, opts) {
  const key = loadRsaPrivateKey(await readFile(opts.keyPath), opts.passphrase ?? process.env.JFS_RSA_PASSPHRASE);
  return decryptFileWithKey(path, key, opts.algo);
}
async function decryptFileWithKey(path, key, algoName) {
  const fh = await open(path, "r");
  let head;
  let size;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(MAGIC_BYTES, size));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (!isEnvelope(head, size, modulusBytes(key))) {
    if (sniffDump(head) !== "unknown") return createReadStream(path);
    checkHeader(head, key, size);
    throw new EnvelopeError(`${path} is neither an encrypted JuiceFS object nor a plain backup`, "format");
  }
  const first = envelopeAlgo(algoName);
  let chosen = null;
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
  pipeline(createReadStream(path), out).catch((err) => out.destroy(err));
  return out;
}

export {
  ENVELOPE_ALGOS,
  EnvelopeError,
  envelopeAlgo,
  loadRsaPrivateKey,
  isEnvelope,
  createEncryptStream,
  encryptEnvelope,
  decryptEnvelope,
  createDecryptStream,
  decryptEnvelopeFile,
  decryptFileWithKey
};
