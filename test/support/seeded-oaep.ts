// RSA-OAEP with a seed the caller chooses (RFC 8017 §7.1.1: SHA-256, MGF1-SHA-256, label
// "keys"), as Go's EncryptOAEP computes it from its random reader. Test-only: it lets the
// envelope tests reproduce Go's vectors byte for byte; production wraps with Node's OAEP.
import { constants as cryptoConstants, createHash, publicEncrypt, type KeyObject } from "node:crypto";
import type { DeterministicEncryption } from "../../lib/dump/envelope";
import { countingRandom } from "./envelope-keys";

const OAEP_LABEL = Buffer.from("keys");

function mgf1(seed: Buffer, len: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  for (let counter = 0; total < len; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const h = createHash("sha256").update(seed).update(c).digest();
    out.push(h);
    total += h.length;
  }
  return Buffer.concat(out).subarray(0, len);
}

export function seededOaep(publicKey: KeyObject, dataKey: Buffer, seed: Buffer): Buffer {
  const k = Math.ceil(publicKey.asymmetricKeyDetails!.modulusLength! / 8);
  const hLen = 32;
  const lHash = createHash("sha256").update(OAEP_LABEL).digest();
  const db = Buffer.alloc(k - hLen - 1);
  lHash.copy(db, 0);
  db[db.length - dataKey.length - 1] = 0x01;
  dataKey.copy(db, db.length - dataKey.length);
  const dbMask = mgf1(seed, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= dbMask[i];
  const seedMask = mgf1(db, hLen);
  const maskedSeed = Buffer.alloc(hLen);
  for (let i = 0; i < hLen; i++) maskedSeed[i] = seed[i] ^ seedMask[i];
  const em = Buffer.concat([Buffer.from([0]), maskedSeed, db]);
  return publicEncrypt({ key: publicKey, padding: cryptoConstants.RSA_NO_PADDING }, em);
}

/**
 * The randomness of the Go-made vectors: one counting source (00 01 02 …) read as JuiceFS
 * reads it, data key (32), OAEP seed (32), nonce (12).
 */
export function goVectorRandomness(): DeterministicEncryption {
  const random = countingRandom();
  return { random, wrap: (publicKey, dataKey) => seededOaep(publicKey, dataKey, random(32)) };
}
