import {
  splitAuthority
} from "./chunk-HSLINTMN.js";
import {
  readI64,
  readU64,
  writeI64,
  writeU64
} from "./chunk-GEL7VY43.js";
import {
  TYPE_CODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/tkv/keys.ts
var PREFIX_END = 253;
var SETTING_KEY = Buffer.from("setting");
var A = 65;
function le64(v) {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}
function be64(v) {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, v, 0);
  return b;
}
function be32(v) {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
function inodeKey(ino, tag, extra) {
  const b = Buffer.allocUnsafe(10 + (extra?.length ?? 0));
  b[0] = A;
  b.writeBigUInt64LE(BigInt.asUintN(64, ino), 1);
  b[9] = tag;
  if (extra) extra.copy(b, 10);
  return b;
}
function inodePrefix(ino) {
  const b = Buffer.allocUnsafe(9);
  b[0] = A;
  b.writeBigUInt64LE(BigInt.asUintN(64, ino), 1);
  return b;
}
var attrKey = (ino) => inodeKey(ino, 73);
var entryKey = (parent, name) => inodeKey(parent, 68, name);
var entriesPrefix = (parent) => inodeKey(parent, 68);
var parentKey = (ino, parent) => inodeKey(ino, 80, le64(parent));
var chunkKey = (ino, index) => inodeKey(ino, 67, be32(index));
var symlinkKey = (ino) => inodeKey(ino, 83);
var xattrKey = (ino, name) => inodeKey(ino, 88, name);
function counterKey(name) {
  return Buffer.concat([Buffer.from("C"), Buffer.from(name)]);
}
function dirStatKey(ino) {
  return Buffer.concat([Buffer.from("U"), le64(ino)]);
}
function delFileKey(ino, length) {
  return Buffer.concat([Buffer.from("D"), le64(ino), be64(length)]);
}
function sliceRefKey(id, size) {
  return Buffer.concat([Buffer.from("K"), be64(id), be32(size)]);
}
function quotaKey(kind, id) {
  if (kind === "dir") return Buffer.concat([Buffer.from("QD"), le64(id)]);
  return Buffer.concat([Buffer.from(kind === "user" ? "QU" : "QG"), be64(id)]);
}
var QUOTA_PREFIX = { dir: Buffer.from("QD"), user: Buffer.from("QU"), group: Buffer.from("QG") };
function aclKey(id) {
  return Buffer.concat([Buffer.from("R"), be32(id)]);
}
function nextKey(p) {
  const b = Buffer.from(p);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 255) {
      b[i]++;
      return b.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
function parseDelFileKey(k, value) {
  if (k.length !== 17 || value.length !== 8) return null;
  return { inode: k.readBigUInt64LE(1), length: readU64(k, 9), expire: readU64(value, 0) };
}
function parseSustainedKey(k) {
  if (k.length !== 18) return null;
  return { sid: readU64(k, 2), inode: k.readBigUInt64LE(10) };
}
function parseQuotaKey(kind, k) {
  if (k.length !== 10) return null;
  return kind === "dir" ? k.readBigUInt64LE(2) : readU64(k, 2);
}
function encodeCounter(v) {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(BigInt.asIntN(64, v));
  return b;
}
function decodeCounter(b) {
  return b && b.length === 8 ? b.readBigInt64LE(0) : 0n;
}
function encodeEntry(type, inode) {
  const b = Buffer.allocUnsafe(9);
  b[0] = TYPE_CODE[type];
  writeU64(b, inode, 1);
  return b;
}
function decodeEntry(name, b) {
  if (b.length !== 9) throw new JfsError("corrupt-input", `corrupt directory entry "${name.toString("latin1")}": value has ${b.length} bytes, expected 9`);
  return { name, inode: readU64(b, 1), type: typeFromCode(b[0]) ?? "unknown" };
}
function encodeDirStat(s) {
  const b = Buffer.allocUnsafe(24);
  writeI64(b, s.dataLength, 0);
  writeI64(b, s.usedSpace, 8);
  writeI64(b, s.usedInodes, 16);
  return b;
}
function encodeQuota(q) {
  const b = Buffer.allocUnsafe(32);
  writeI64(b, q.maxSpace, 0);
  writeI64(b, q.maxInodes, 8);
  writeI64(b, q.usedSpace, 16);
  writeI64(b, q.usedInodes, 24);
  return b;
}
function decodeQuota(b) {
  if (b.length !== 32) return null;
  return { maxSpace: readI64(b, 0), maxInodes: readI64(b, 8), usedSpace: readI64(b, 16), usedInodes: readI64(b, 24) };
}
var encodeDelFileTime = (expire) => be64(expire);

// lib/engines/etcd/url.ts
import { readFileSync } from "node:fs";
var KNOWN = /* @__PURE__ */ new Set(["cacert", "cert", "key", "server-name", "insecure-skip-verify"]);
function parseEtcdUrl(url) {
  const m = /^etcd:\/\/(.*)$/i.exec(url);
  if (!m) throw new JfsError("usage", "invalid etcd META-URL: expected etcd://[user:password@]host:port[,host:port\u2026]/<name>");
  const { address: rest, query, username, password } = splitAuthority(m[1], "etcd");
  const slash = rest.indexOf("/");
  const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
  let path;
  try {
    path = slash >= 0 ? decodeURIComponent(rest.slice(slash)) : "";
  } catch {
    throw new JfsError("usage", `invalid %-escape in the path of the etcd META-URL`);
  }
  const hosts = hostPart.split(",").filter((h) => h !== "");
  if (hosts.length === 0) throw new JfsError("usage", "the etcd META-URL names no host: expected etcd://host:port[,host:port\u2026]/<name>");
  for (const h of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[^:[\]]+):\d{1,5}$/i.test(h)) {
      throw new JfsError("usage", `etcd host "${h}" in the META-URL needs a port (e.g. ${h.replace(/:.*$/, "")}:2379): JuiceFS does not fill it in correctly either`);
    }
  }
  const params = new URLSearchParams(query);
  for (const k of params.keys()) {
    if (!KNOWN.has(k)) throw new JfsError("usage", `unknown etcd META-URL option "${k}": jfsmeta knows ${[...KNOWN].join(", ")}`);
  }
  const get = (k) => params.get(k) || void 0;
  const tlsAsked = ["cacert", "cert", "key", "server-name"].some((k) => get(k));
  if (params.has("insecure-skip-verify") && ["1", "true"].includes(params.get("insecure-skip-verify").toLowerCase())) {
    throw new JfsError(
      "unsupported",
      "insecure-skip-verify=1: jfsmeta always verifies the etcd server's certificate (its gRPC client cannot skip it); give cacert=<CA file> instead, and server-name=<name in the certificate> when it differs from the host"
    );
  }
  if (get("cert") && !get("key") || get("key") && !get("cert")) {
    throw new JfsError("usage", "the etcd META-URL gives cert= without key= (or key= without cert=): a client certificate needs both");
  }
  const scheme = tlsAsked ? "https" : "http";
  return {
    endpoints: hosts.map((h) => `${scheme}://${h}`),
    addr: `${hosts.join(",")}${path}`,
    prefix: Buffer.concat([Buffer.from(path, "utf8"), Buffer.from([PREFIX_END])]),
    username,
    password,
    tls: tlsAsked ? { cacert: get("cacert"), cert: get("cert"), key: get("key"), serverName: get("server-name") } : void 0
  };
}
function readPem(file, what) {
  try {
    return readFileSync(file);
  } catch (err) {
    throw wrapError(`cannot read the etcd ${what} file ${file} named in the META-URL`, err, "usage");
  }
}
var MAX_ANSWER_BYTES = 2 ** 31 - 1;
function etcdClientOptions(t) {
  const opts = { hosts: t.endpoints, dialTimeout: 1e4, grpcOptions: { "grpc.max_receive_message_length": MAX_ANSWER_BYTES } };
  if (t.username !== void 0) opts.auth = { username: t.username, password: t.password ?? "" };
  if (t.tls) {
    const ca = t.tls.cacert ? readPem(t.tls.cacert, "CA (cacert=)") : void 0;
    opts.credentials = {
      // grpc-js uses the system roots when none is given.
      rootCertificate: ca,
      privateKey: t.tls.key ? readPem(t.tls.key, "client key (key=)") : void 0,
      certChain: t.tls.cert ? readPem(t.tls.cert, "client certificate (cert=)") : void 0
    };
    if (t.tls.serverName) opts.grpcOptions = { ...opts.grpcOptions, "grpc.ssl_target_name_override": t.tls.serverName, "grpc.default_authority": t.tls.serverName };
  }
  return opts;
}

export {
  SETTING_KEY,
  inodePrefix,
  attrKey,
  entryKey,
  entriesPrefix,
  parentKey,
  chunkKey,
  symlinkKey,
  xattrKey,
  counterKey,
  dirStatKey,
  delFileKey,
  sliceRefKey,
  quotaKey,
  QUOTA_PREFIX,
  aclKey,
  nextKey,
  parseDelFileKey,
  parseSustainedKey,
  parseQuotaKey,
  encodeCounter,
  decodeCounter,
  encodeEntry,
  decodeEntry,
  encodeDirStat,
  encodeQuota,
  decodeQuota,
  encodeDelFileTime,
  parseEtcdUrl,
  etcdClientOptions
};
