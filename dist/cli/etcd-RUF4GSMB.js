import {
  newTrashAttr
} from "./chunk-LZOI7G7T.js";
import {
  LoadClaimedError,
  clearCommand,
  newLoadOwner,
  parseLoadOwner
} from "./chunk-YBUR6YUE.js";
import {
  networkErrorCode
} from "./chunk-PWJI7R5M.js";
import {
  QUOTA_PREFIX,
  SETTING_KEY,
  aclKey,
  attrKey,
  chunkKey,
  counterKey,
  decodeCounter,
  decodeEntry,
  decodeQuota,
  delFileKey,
  dirStatKey,
  encodeCounter,
  encodeDelFileTime,
  encodeDirStat,
  encodeEntry,
  encodeQuota,
  entriesPrefix,
  entryKey,
  etcdClientOptions,
  inodePrefix,
  nextKey,
  parentKey,
  parseDelFileKey,
  parseEtcdUrl,
  parseQuotaKey,
  parseSustainedKey,
  quotaKey,
  sliceRefKey,
  symlinkKey,
  xattrKey
} from "./chunk-NBLKMQM2.js";
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import {
  encodeStoredSetting,
  parseSetting
} from "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  decodeAcl,
  decodeAttr,
  decodeSlice,
  encodeAcl,
  encodeAttr,
  encodeSlice,
  readI64,
  readU64
} from "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TRASH_INODE
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/etcd/scan.ts
var PAGE = 1e4;
var BATCH = 1e4;
var A = 65;
async function* scanEtcdTables(kv, gate = (q) => q()) {
  const lists = /* @__PURE__ */ new Map();
  const push = (table, record, kind) => {
    const id = kind ? `${table}:${kind}` : table;
    let l = lists.get(id);
    if (!l) {
      const records = [];
      l = { batch: kind ? { table, kind, records } : { table, records }, records };
      lists.set(id, l);
    }
    l.records.push(record);
    if (l.records.length < BATCH) return null;
    lists.delete(id);
    return l.batch;
  };
  const skip = kv.prefix.length;
  for (const [first, end] of subRanges()) {
    let from = first;
    for (; ; ) {
      const start = from;
      const r = await gate(() => kv.page(kv.rangeRequest(start, end, PAGE)));
      for (const { key: full, value } of r.kvs) {
        const k = full.subarray(skip);
        let full_ = null;
        if (k[0] === A && k.length >= 10) {
          const inode = k.readBigUInt64LE(1);
          const tag2 = k[9];
          const rest = k.subarray(10);
          if (tag2 === 73 && rest.length === 0) full_ = push("nodes", { inode, attr: value });
          else if (tag2 === 68 && value.length === 9) full_ = push("edges", { parent: inode, inode: readU64(value, 1), name: Buffer.from(rest), type: value[0] });
          else if (tag2 === 67 && rest.length === 4 && value.length > 0 && value.length % SLICE_BYTES === 0) full_ = push("chunks", { inode, index: rest.readUInt32BE(0), slices: value });
          else if (tag2 === 83 && rest.length === 0) full_ = push("symlinks", { inode, target: value });
          else if (tag2 === 88) full_ = push("xattrs", { inode, name: Buffer.from(rest), value });
          else if (tag2 === 80 && rest.length === 8 && value.length === 8) {
            const cnt = value.readBigInt64LE(0);
            if (cnt > 0n) full_ = push("parents", { inode, parent: rest.readBigUInt64LE(0), cnt });
          }
        } else if (k[0] === 85 && k.length === 9 && value.length === 24) {
          full_ = push("dirStats", { inode: k.readBigUInt64LE(1), dataLength: readI64(value, 0), usedSpace: readI64(value, 8), usedInodes: readI64(value, 16) });
        } else if (k[0] === 75 && k.length === 13 && value.length === 8) {
          full_ = push("sliceRefs", { id: readU64(k, 1), size: k.readUInt32BE(9), refs: value.readBigInt64LE(0) + 1n });
        } else if (k[0] === 82 && k.length === 5) {
          const rule = decodeAcl(value);
          if (rule) full_ = push("acls", { id: k.readUInt32BE(1), rule });
        } else if (k[0] === 81 && k.length === 10 && value.length === 32) {
          const kind = k[1] === 68 ? "dir" : k[1] === 85 ? "user" : k[1] === 71 ? "group" : null;
          if (kind) {
            const key = kind === "dir" ? k.readBigUInt64LE(2) : readU64(k, 2);
            full_ = push("quotas", { key, maxSpace: readI64(value, 0), maxInodes: readI64(value, 8), usedSpace: readI64(value, 16), usedInodes: readI64(value, 24) }, kind);
          }
        }
        if (full_) yield full_;
      }
      for (const l of lists.values()) yield l.batch;
      lists.clear();
      if (!r.more || r.kvs.length === 0) break;
      from = Buffer.concat([r.kvs[r.kvs.length - 1].key.subarray(skip), Buffer.from([0])]);
    }
  }
}
function subRanges() {
  const out = [[Buffer.alloc(0), Buffer.from([A, 0])]];
  for (let b = 0; b < 256; b++) out.push([Buffer.from([A, b]), b < 255 ? Buffer.from([A, b + 1]) : Buffer.from([A + 1])]);
  out.push([Buffer.from([A + 1]), Buffer.from([0])]);
  return out;
}

// lib/engines/etcd/kv.ts
import { castGrpcError, Etcd3, EtcdInvalidAuthTokenError } from "etcd3";

// lib/engines/etcd/errors.ts
var TRANSIENT = /leader changed|no leader|required revision is a future revision|request timed out|timed out waiting for read index|too many requests|not capable|UNAVAILABLE|ECONNREFUSED|ECONNRESET|No connection established|Connection dropped|failed to connect|DEADLINE_EXCEEDED|Deadline exceeded/i;
var TLS = /ERR_TLS_|certificate|self[- ]signed|unable to verify|SSL routines|handshake/i;
function isTransientEtcdError(err) {
  if (err instanceof JfsError) return false;
  if (TLS.test(err?.message ?? "")) return false;
  const e = err;
  const name = e?.name ?? "";
  if (/GRPCUnavailableError|GRPCDeadlineExceededError|GRPCCancelledError/.test(name)) return true;
  return TRANSIENT.test(e?.message ?? String(err)) || networkErrorCode(err) !== null;
}
function isBrokenCircuit(err) {
  return err?.name === "BrokenCircuitError" || /circuit breaker is open/i.test(err?.message ?? "");
}
function isCompactedError(err) {
  return /required revision has been compacted/i.test(err?.message ?? "");
}
function explainEtcdError(err, addr) {
  if (err instanceof JfsError) return err;
  const msg = err?.message ?? String(err);
  const at = `etcd at ${addr}`;
  if (/database space exceeded|NOSPACE/i.test(msg)) {
    return new JfsError(
      "refused",
      `${at} refuses writes: its database reached the backend quota (--quota-backend-bytes, 2 GiB by default). Compact and defragment it and disarm the NOSPACE alarm (etcdctl compact, etcdctl defrag, etcdctl alarm disarm), or restart it with a larger --quota-backend-bytes`,
      { cause: err }
    );
  }
  if (isCompactedError(err)) {
    return new JfsError(
      "busy",
      `${at} compacted the revision this dump was reading before it finished (auto-compaction-retention shorter than the dump): nothing was written; dump again, or keep more history (--auto-compaction-retention)`,
      { cause: err }
    );
  }
  if (/authentication failed|invalid auth token|user name is empty|GRPCUnauthenticatedError/i.test(msg) || /Unauthenticated|AuthenticationFailed/.test(err?.name ?? "")) {
    return new JfsError("auth", `${at} refused the user name or password of the META-URL (${msg})`, { cause: err });
  }
  if (/permission denied/i.test(msg)) {
    return new JfsError("auth", `${at}: the META-URL's etcd user may not read or write this prefix (${msg}): grant it a role with read-write permission on it`, { cause: err });
  }
  if (TLS.test(msg)) {
    return new JfsError(
      "auth",
      `${at}: the TLS connection was refused (${msg}). Check cacert= (the CA that signed the server's certificate), server-name= (a name the certificate holds, when it is not the host of the URL) and cert=/key= (the client certificate etcd expects)`,
      { cause: err }
    );
  }
  if (/request is too large|message larger than max|ResourceExhausted/i.test(msg)) {
    return new JfsError("refused", `${at} refused a request as too large (${msg}): raise etcd's --max-request-bytes`, { cause: err });
  }
  if (isTransientEtcdError(err)) {
    return new JfsError("unreachable", `cannot reach ${at} (${msg}): check that its members are up and that the hosts and ports of the META-URL are right`, { cause: err });
  }
  return new JfsError("internal", `${at}: ${msg}`, { cause: err });
}

// lib/engines/etcd/put-txn.ts
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
var LEN = 2;
var tag = (field, wire) => field << 3 | wire;
var varintSize = (n) => n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
var PutTxn = class {
  /**
   * `sizeHint`: a load's transaction of 128 puts is about 9 KiB. Each buffer is its own
   * ArrayBuffer outside V8's heap, and their sum is what moves V8 to collect: 64 KiB each made
   * 1.6 GB of them at 1M files.
   */
  constructor(prefix, compare, sizeHint = 1 << 14) {
    this.prefix = prefix;
    this.buf = Buffer.allocUnsafe(sizeHint);
    const c = 2 + this.bytesSize(compare.key.length) + this.bytesSize(compare.value.length);
    this.room(1 + varintSize(c) + c);
    this.byte(tag(1, LEN));
    this.varint(c);
    this.byte(tag(2, WireType.Varint));
    this.byte(3);
    this.bytes(3, compare.key);
    this.bytes(7, compare.value);
    this.compare = compare;
  }
  prefix;
  buf;
  at = 0;
  /** Puts written. */
  count = 0;
  /** The compare's key (with the prefix) and the value it must hold. */
  compare;
  /** RequestOp{ request_put = 2: PutRequest{ key = 1 (prefix + k), value = 2 } } as `success` = 2. */
  put(k, v) {
    const keyLen = this.prefix.length + k.length;
    const put = this.bytesSize(keyLen) + this.bytesSize(v.length);
    const op = 1 + varintSize(put) + put;
    this.room(1 + varintSize(op) + op);
    this.byte(tag(2, LEN));
    this.varint(op);
    this.byte(tag(2, LEN));
    this.varint(put);
    this.byte(tag(1, LEN));
    this.varint(keyLen);
    this.buf.set(this.prefix, this.at);
    this.buf.set(k, this.at + this.prefix.length);
    this.at += keyLen;
    this.bytes(2, v);
    this.count++;
  }
  /**
   * The puts (keys without the prefix), read back from the encoded request: for the rare request
   * that must go through etcd3 (kv.ts: an expired token). Keeping them as objects beside the bytes
   * held 128 objects and their buffers per transaction in flight past young-generation collections.
   */
  puts() {
    const out = [];
    const b = this.encoded();
    const r = new BinaryReader(b);
    while (r.pos < b.length) {
      const [field, wire] = r.tag();
      if (field !== 2 || wire !== WireType.LengthDelimited) {
        r.skip(wire, field);
        continue;
      }
      const op = new BinaryReader(r.bytes());
      const [opField] = op.tag();
      if (opField !== 2) throw new Error("a load transaction holds only puts");
      const put = new BinaryReader(op.bytes());
      let key = Buffer.alloc(0);
      let value = Buffer.alloc(0);
      while (put.pos < put.len) {
        const [f, w] = put.tag();
        if (f === 1) key = Buffer.from(put.bytes()).subarray(this.prefix.length);
        else if (f === 2) value = Buffer.from(put.bytes());
        else put.skip(w, f);
      }
      out.push({ key, value });
    }
    return out;
  }
  /** The encoded request (a view of the buffer: send it before anything else is put). */
  encoded() {
    return this.buf.subarray(0, this.at);
  }
  bytesSize(n) {
    return 1 + varintSize(n) + n;
  }
  bytes(field, b) {
    this.byte(tag(field, LEN));
    this.varint(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  byte(b) {
    this.buf[this.at++] = b;
  }
  varint(n) {
    while (n >= 128) {
      this.buf[this.at++] = n & 127 | 128;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
  }
  room(n) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }
};
function decodeTxnSucceeded(b) {
  const r = new BinaryReader(b);
  let succeeded = false;
  while (r.pos < b.length) {
    const [field, wire] = r.tag();
    if (field === 2 && wire === WireType.Varint) succeeded = r.bool();
    else r.skip(wire, field);
  }
  return { succeeded };
}

// lib/engines/etcd/range-codec.ts
import { BinaryReader as BinaryReader2, WireType as WireType2 } from "@bufbuild/protobuf/wire";
var EMPTY = Buffer.alloc(0);
var bytes = (r) => r.bytes();
function readKv(r, end) {
  let key = EMPTY;
  let value = EMPTY;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType2.LengthDelimited) key = bytes(r);
    else if (field === 5 && wire === WireType2.LengthDelimited) value = bytes(r);
    else r.skip(wire, field);
  }
  return { key, value };
}
function readRange(r, end) {
  const kvs = [];
  let more = false;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === 2 && wire === WireType2.LengthDelimited) {
      const len = r.uint32();
      kvs.push(readKv(r, r.pos + len));
    } else if (field === 3 && wire === WireType2.Varint) more = r.bool();
    else r.skip(wire, field);
  }
  if (r.pos !== end) throw new RangeError("etcd answer: a message runs past its end");
  return { kvs, more };
}
function decodeRangeResponse(b) {
  return readRange(new BinaryReader2(b), b.length);
}
function decodeRangeTxnResponse(b) {
  const r = new BinaryReader2(b);
  const out = [];
  while (r.pos < b.length) {
    const [field, wire] = r.tag();
    if (field !== 3 || wire !== WireType2.LengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    const opEnd = r.uint32() + r.pos;
    let page = null;
    while (r.pos < opEnd) {
      const [f, w] = r.tag();
      if (f === 1 && w === WireType2.LengthDelimited) {
        const len = r.uint32();
        page = readRange(r, r.pos + len);
      } else r.skip(w, f);
    }
    if (!page) throw new RangeError("etcd answer: a transaction of ranges answered with another operation");
    out.push(page);
  }
  return out;
}

// lib/engines/etcd/kv.ts
var MAX_TXN_OPS = 128;
var PAGE2 = 2048;
var MAX_PAGE = 16384;
var RETRY_FOR_MS = 3e4;
var CALL_DEADLINE_MS = 1e4;
var EtcdClient = class extends Etcd3 {
  get connectionPool() {
    return this.pool;
  }
};
var EtcdKv = class {
  constructor(client, prefix, addr) {
    this.client = client;
    this.prefix = prefix;
    this.addr = addr;
  }
  client;
  prefix;
  addr;
  /** Read at this revision when set (a dump's snapshot); at the latest otherwise. */
  revision;
  key(k) {
    return Buffer.concat([this.prefix, k]);
  }
  /** A key as stored, without the client prefix. */
  strip(k) {
    return k.subarray(this.prefix.length);
  }
  /** Run an etcd request, again while etcd is briefly unavailable; other failures explained. */
  async call(fn, retry = true, retryForMs = RETRY_FOR_MS) {
    const until = Date.now() + retryForMs;
    let cause = null;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1e3)) {
      try {
        return await fn({ deadline: Date.now() + CALL_DEADLINE_MS });
      } catch (err) {
        const broken = isBrokenCircuit(err);
        if (!broken) cause = err;
        if (!retry || !(broken || isTransientEtcdError(err)) || Date.now() + wait > until) throw explainEtcdError(cause ?? err, this.addr);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  rangeRequest(start, end, limit) {
    const r = { key: this.key(start) };
    if (end) r.range_end = end.length === 1 && end[0] === 0 ? this.endOfPrefix() : this.key(end);
    if (limit) r.limit = limit;
    if (this.revision) {
      r.revision = this.revision;
      r.serializable = true;
    }
    return r;
  }
  /** The end of the whole prefix's range. */
  endOfPrefix() {
    const b = Buffer.from(this.prefix);
    b[b.length - 1]++;
    return b;
  }
  async range(req) {
    return this.call((o) => this.client.kv.range(req, o));
  }
  /**
   * One KV request of etcd3's, sent on its pool's connection to a member, its answer decoded by
   * `decode`. An expired auth token is left to etcd3's own call, which renews it for the next.
   */
  raw(method, req, decode, o, viaLibrary) {
    return this.client.connectionPool.withConnection("KV", ({ client, metadata }) => {
      const m = client.constructor.service[method];
      const serialize = Buffer.isBuffer(req) ? (b) => b : m.requestSerialize;
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(m.path, serialize, decode, req, metadata, o, (err, res) => err ? reject(castGrpcError(err)) : resolve(res));
      });
    }).catch((err) => {
      if (err instanceof EtcdInvalidAuthTokenError) return viaLibrary();
      throw err;
    });
  }
  /** One page of a range: its keys and values and whether there are more (range-codec.ts). */
  async page(req) {
    return this.call((o) => this.raw("Range", req, decodeRangeResponse, o, () => this.client.kv.range(req, o)));
  }
  /** Several ranges in one read-only transaction (at most MAX_TXN_OPS), as pages (range-codec.ts). */
  async readTxnPages(reqs) {
    if (reqs.length === 0) return [];
    const txn = { success: reqs.map((r) => ({ request_range: r })) };
    return this.call(
      (o) => this.raw("Txn", txn, decodeRangeTxnResponse, o, async () => (await this.client.kv.txn(txn, o)).responses.map((r) => r.response_range))
    );
  }
  /** A load's transaction of puts, encoded by put-txn.ts; only whether its compare held is read back. */
  async putTxn(t) {
    const req = t.encoded();
    const viaLibrary = (o) => this.client.kv.txn(
      { compare: [{ key: t.compare.key, target: "Value", result: "Equal", value: t.compare.value }], success: t.puts().map((p) => this.put(p.key, p.value)) },
      o
    );
    return this.call((o) => this.raw("Txn", req, decodeTxnSucceeded, o, () => viaLibrary(o)));
  }
  async get(k) {
    const r = await this.range(this.rangeRequest(k));
    return r.kvs.length ? r.kvs[0].value : null;
  }
  /** Values of several keys at once (one transaction, at the same revision), in the order asked. */
  async gets(keys) {
    const out = [];
    for (let i = 0; i < keys.length; i += MAX_TXN_OPS) {
      const part = keys.slice(i, i + MAX_TXN_OPS);
      const res = await this.readTxnPages(part.map((k) => this.rangeRequest(k)));
      for (const r of res) out.push(r.kvs.length ? r.kvs[0].value : null);
    }
    return out;
  }
  async txn(req, retry = true) {
    return this.call((o) => this.client.kv.txn(req, o), retry);
  }
  /** Every key in [start, end) in byte order, a page at a time (at the read revision, if set); pages grow to MAX_PAGE. */
  async *scan(start, end, page = PAGE2, gate = (q) => q()) {
    let from = start;
    for (let size = page; ; size = Math.min(size * 2, Math.max(page, MAX_PAGE))) {
      const req = this.rangeRequest(from, end, size);
      const r = await gate(() => this.page(req));
      if (r.kvs.length) yield r.kvs;
      if (!r.more || r.kvs.length === 0) return;
      from = Buffer.concat([this.strip(r.kvs[r.kvs.length - 1].key), Buffer.from([0])]);
    }
  }
  /** The rest of a range after a page that said `more`, appended to `into`. */
  async rest(into, end) {
    const last = this.strip(into[into.length - 1].key);
    for await (const page of this.scan(Buffer.concat([last, Buffer.from([0])]), end)) into.push(...page);
  }
  put(k, v) {
    return { request_put: { key: this.key(k), value: v } };
  }
};

// lib/engines/etcd/turn-batcher.ts
var TurnBatcher = class {
  constructor(size, inFlight, read) {
    this.size = size;
    this.inFlight = inFlight;
    this.read = read;
  }
  size;
  inFlight;
  read;
  queue = [];
  active = 0;
  scheduled = false;
  /** The answers to `items`, in order, read together with whatever else is asked meanwhile. */
  add(items, gate) {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, gate, resolve, reject });
      this.schedule();
    });
  }
  schedule() {
    if (this.scheduled || this.active >= this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }
  /** Groups from the head of the queue while fewer than `inFlight` are out; a request may span groups. */
  send() {
    while (this.active < this.inFlight && this.queue.length) {
      const requests = [];
      let n = 0;
      while (this.queue.length && n < this.size) {
        const p = this.queue[0];
        if (n > 0 && n + p.items.length > this.size && p.items.length <= this.size) break;
        requests.push(this.queue.shift());
        n += p.items.length;
      }
      this.active++;
      const items = requests.flatMap((p) => p.items);
      const parts = [];
      for (let i = 0; i < items.length; i += this.size) parts.push(requests[0].gate(() => this.read(items.slice(i, i + this.size))));
      Promise.all(parts).then((answers) => {
        const all = answers.length === 1 ? answers[0] : answers.flat();
        if (all.length !== items.length) throw new JfsError("internal", `a batched read answered ${all.length} items for ${items.length}`);
        let at = 0;
        for (const p of requests) {
          p.resolve(all.slice(at, at + p.items.length));
          at += p.items.length;
        }
      }).catch((err) => requests.forEach((p) => p.reject(err))).finally(() => {
        this.active--;
        this.schedule();
      });
    }
  }
};

// lib/engines/etcd/quota.ts
import { readFileSync } from "node:fs";
import https from "node:https";
var DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;
var MIN_BYTES_PER_INODE = 300;
var BYTES_PER_KEY = 80;
var DELETE_BYTES_PER_KEY = 64;
var MIN_KEYS_PER_INODE = 2;
function metricsText(url, t) {
  if (url.startsWith("http:")) return fetch(url, { signal: AbortSignal.timeout(3e3) }).then((r) => r.ok ? r.text() : "");
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        timeout: 3e3,
        ca: t.tls?.cacert ? readFileSync(t.tls.cacert) : void 0,
        cert: t.tls?.cert ? readFileSync(t.tls.cert) : void 0,
        key: t.tls?.key ? readFileSync(t.tls.key) : void 0,
        servername: t.tls?.serverName
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => body += c);
        res.on("end", () => resolve(res.statusCode === 200 ? body : ""));
      }
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}
async function backendRoom(client, t, env = process.env) {
  const status = await client.maintenance.status({});
  const used = Number(status.dbSize);
  const override = env.JFSMETA_ETCD_QUOTA_BYTES;
  if (override && /^\d+$/.test(override)) return { used, quota: Number(override), quotaFrom: "JFSMETA_ETCD_QUOTA_BYTES" };
  for (const endpoint of t.endpoints) {
    try {
      const m = /^etcd_server_quota_backend_bytes\s+(\S+)$/m.exec(await metricsText(`${endpoint}/metrics`, t));
      if (m && Number(m[1]) > 0) return { used, quota: Number(m[1]), quotaFrom: `--quota-backend-bytes of ${endpoint.replace(/^\w+:\/\//, "")}` };
    } catch {
    }
  }
  return { used, quota: DEFAULT_QUOTA_BYTES, quotaFrom: "etcd's default, assumed: its metrics could not be read; set JFSMETA_ETCD_QUOTA_BYTES to the real --quota-backend-bytes" };
}

// lib/engines/etcd/sink.ts
var QUOTA_MARGIN = 0.95;
var LOAD_CLAIM_KEY = Buffer.from("jfsmetaLoad");
var LOAD_ALIVE_KEY = Buffer.from("jfsmetaLoadAlive");
var LOAD_LEASE_TTL = 5;
var MAX_IN_FLIGHT = 64;
var MAX_TXN_BYTES = 1 << 20;
var EtcdLoadSink = class {
  constructor(kv, owner, lease, measureRoom) {
    this.kv = kv;
    this.lease = lease;
    this.claimValue = Buffer.from(JSON.stringify(owner));
    this.gate = measureRoom().then((room) => {
      this.room = room;
    });
    this.gate.catch(() => {
    });
  }
  kv;
  lease;
  txn = null;
  bytes = 0;
  inFlight = /* @__PURE__ */ new Set();
  failure = null;
  links = [];
  pendingSetting = null;
  claimValue;
  /** Every write waits for this: the quota preflight, once the dump's header has been read. */
  gate = Promise.resolve();
  room = null;
  /** Estimated backend bytes this load has sent, and what deleting them again would add. */
  written = 0;
  /** Refuse, before the first write, a volume whose inodes alone cannot fit in etcd's quota. */
  expectVolume(v) {
    this.gate = this.gate.then(() => {
      const room = this.room;
      const need = Number(v.inodes) * (MIN_BYTES_PER_INODE + MIN_KEYS_PER_INODE * DELETE_BYTES_PER_KEY);
      const free = room.quota * QUOTA_MARGIN - room.used;
      if (need > free) {
        throw new JfsError(
          "refused",
          `the dump holds ${v.inodes} inodes, at least ${formatBytes(need)} in etcd (${MIN_BYTES_PER_INODE} bytes an inode or more, and room to undo a failed load), but ${this.kv.addr} has ${formatBytes(Math.max(0, free))} free: ${formatBytes(room.used)} used of its ${formatBytes(room.quota)} backend quota (${room.quotaFrom}), of which a load fills at most ${QUOTA_MARGIN * 100}%. Nothing was written. Restart etcd with a larger --quota-backend-bytes (at least ${formatBytes(Math.ceil((room.used + need) / QUOTA_MARGIN))}; etcd recommends at most 8 GiB), or load into another engine`
        );
      }
    });
    this.gate.catch(() => {
    });
  }
  /** Every write holds only while the claim is still this load's. */
  claimHolds() {
    return { key: this.kv.key(LOAD_CLAIM_KEY), target: "Value", result: "Equal", value: this.claimValue };
  }
  put(k, v) {
    this.txn ??= new PutTxn(this.kv.prefix, { key: this.kv.key(LOAD_CLAIM_KEY), value: this.claimValue });
    this.txn.put(k, v);
    this.bytes += k.length + v.length + this.kv.prefix.length;
    if (this.txn.count >= MAX_TXN_OPS || this.bytes >= MAX_TXN_BYTES) this.send();
  }
  send() {
    const txn = this.txn;
    if (!txn) return;
    this.written += this.bytes + txn.count * (BYTES_PER_KEY + DELETE_BYTES_PER_KEY);
    const written = this.written;
    this.txn = null;
    this.bytes = 0;
    const p = this.gate.then(() => {
      const room = this.room;
      if (room && room.used + written > room.quota * QUOTA_MARGIN) {
        throw new JfsError(
          "refused",
          `the volume does not fit in ${this.kv.addr}'s backend quota: after about ${formatBytes(written)} written, the ${formatBytes(room.quota)} quota (${room.quotaFrom}; ${formatBytes(room.used)} were used before the load) would be nearly full. Restart etcd with a larger --quota-backend-bytes, or load into another engine`
        );
      }
      return this.kv.putTxn(txn);
    }).then((r) => {
      if (!r.succeeded) throw new JfsError("busy", `the load's claim (key "${LOAD_CLAIM_KEY}") was removed while it was writing: another process cleared it`);
    }).catch((err) => {
      this.failure ??= err;
    }).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
  check() {
    if (this.failure) throw this.failure;
  }
  node(attr, parent, aclIds) {
    this.put(attrKey(attr.inode), encodeAttr(attr, parent, aclIds.access, aclIds.default));
  }
  edges(parent, entries) {
    for (const e of entries) this.put(entryKey(parent, e.name), encodeEntry(e.type, e.inode));
  }
  chunks(inode, chunks) {
    for (const c of chunks) {
      if (c.slices.length === 0) continue;
      const v = Buffer.allocUnsafe(c.slices.length * SLICE_BYTES);
      c.slices.forEach((s, i) => encodeSlice(s, v, i * SLICE_BYTES));
      this.put(chunkKey(inode, c.index), v);
    }
  }
  symlink(inode, target) {
    this.put(symlinkKey(inode), target);
  }
  xattrs(inode, xattrs) {
    for (const x of xattrs) this.put(xattrKey(inode, x.name), x.value);
  }
  dirStats(inode, s) {
    this.put(dirStatKey(inode), encodeDirStat(s));
  }
  /** The attr's nlink and parent are patched at commit (it may have been sent long ago). */
  hardLink(inode, nlink, parents) {
    this.links.push({ inode, nlink });
    for (const [p, count] of parents) this.put(parentKey(inode, p), encodeCounter(BigInt(count)));
  }
  aclRules(rules) {
    if (rules.size === 0) return;
    let max = 0;
    for (const [id, rule] of rules) {
      this.put(aclKey(id), encodeAcl(rule));
      max = Math.max(max, id);
    }
    this.put(counterKey("aclMaxId"), encodeCounter(BigInt(max)));
  }
  sliceRefs(refs) {
    for (const r of refs) this.put(sliceRefKey(r.id, r.size), encodeCounter(BigInt(r.count - 1)));
  }
  delFiles(files) {
    for (const f of files) this.put(delFileKey(f.inode, f.length), encodeDelFileTime(f.expire));
  }
  quotas(kind, quotas) {
    for (const [id, q] of quotas) this.put(quotaKey(kind, id), encodeQuota(q));
  }
  /** JuiceFS's etcd transactions have no id, so its etcd volumes keep no change log: none is written. */
  changelog() {
  }
  counters(c) {
    this.put(counterKey("usedSpace"), encodeCounter(c.usedSpace));
    this.put(counterKey("totalInodes"), encodeCounter(c.usedInodes));
    this.put(counterKey("nextInode"), encodeCounter(c.nextInodes));
    this.put(counterKey("nextChunk"), encodeCounter(c.nextChunk));
    this.put(counterKey("nextSession"), encodeCounter(c.nextSession));
    this.put(counterKey("nextTrash"), encodeCounter(c.nextTrash));
  }
  setting(s) {
    this.pendingSetting = s;
  }
  async flush() {
    this.check();
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    this.check();
  }
  async drain() {
    this.send();
    await Promise.all(this.inFlight);
    this.check();
  }
  async commit() {
    await this.drain();
    for (let i = 0; i < this.links.length; i += MAX_TXN_OPS) {
      const part = this.links.slice(i, i + MAX_TXN_OPS);
      const attrs = await this.kv.gets(part.map((l) => attrKey(l.inode)));
      part.forEach((l, k) => {
        const a = attrs[k];
        if (!a || a.length < 71) throw new JfsError("internal", `hard-linked inode ${l.inode}: its attributes were not written`);
        const patched = Buffer.from(a);
        patched.writeUInt32BE(l.nlink >>> 0, 47);
        patched.fill(0, 63, 71);
        this.put(attrKey(l.inode), patched);
      });
      await this.flush();
    }
    await this.drain();
    if (!this.pendingSetting) throw new JfsError("internal", "load committed without a setting");
    const setting = Buffer.from(encodeStoredSetting(this.pendingSetting));
    const r = await this.kv.txn({
      compare: [this.claimHolds()],
      success: [
        this.kv.put(SETTING_KEY, setting),
        { request_delete_range: { key: this.kv.key(LOAD_CLAIM_KEY) } },
        { request_delete_range: { key: this.kv.key(LOAD_ALIVE_KEY) } }
      ]
    });
    if (!r.succeeded) {
      const [claim, stored] = await this.kv.gets([LOAD_CLAIM_KEY, SETTING_KEY]);
      if (!(claim === null && stored?.equals(setting))) {
        throw new JfsError("busy", `the load's claim (key "${LOAD_CLAIM_KEY}") was removed before the load could commit`);
      }
    }
    await this.lease.revoke().catch(() => {
    });
  }
  async abort() {
    this.txn = null;
    await Promise.allSettled(this.inFlight);
    const r = await this.kv.txn({
      compare: [this.claimHolds()],
      success: [{ request_delete_range: { key: this.kv.key(Buffer.alloc(0)), range_end: this.kv.endOfPrefix() } }]
    });
    await this.lease.revoke().catch(() => {
    });
    if (!r.succeeded) throw new Error(`the load claim (key "${LOAD_CLAIM_KEY}") no longer names this load, so nothing was removed`);
  }
};

// lib/engines/etcd/index.ts
var NODE_RANGE_LIMIT = 256;
var FIRST_PAGE = MAX_TXN_OPS;
var NODE_READ_AHEAD = 8;
var NODE_TXNS = 2;
var LISTING_TXNS = 1;
var ungated = (query) => query();
var OPEN_RETRY_MS = 5e3;
var COUNTERS = ["usedSpace", "totalInodes", "nextInode", "nextChunk", "nextSession", "nextTrash"];
var EtcdEngine = class {
  constructor(kv, redactedUrl, target) {
    this.kv = kv;
    this.redactedUrl = redactedUrl;
    this.target = target;
  }
  kv;
  redactedUrl;
  target;
  kind = "etcd";
  consistentReadIsCheap = true;
  dumpsAlwaysConsistent = true;
  /** Answers take a network round trip each: read well ahead. */
  dumpReadAhead = { dirs: 64, entries: 16384 };
  /**
   * A JSON dump of the whole volume reads the flat scan and orders the tree itself
   * (table-tree.ts): etcd pays per range operation, and the walk needs one for each inode. At 1M
   * files (README, Performance): 36.6 s wall, 30.5 s CPU, 246 MB, against the tree walk's 230 s,
   * 56 s of our CPU and 99 s of etcd's.
   */
  jsonDumpFromTables = true;
  aclCache = null;
  nodeReads = new TurnBatcher(MAX_TXN_OPS, NODE_TXNS, (part) => this.readNodeTxn(part));
  /** The first page of each directory's listing, up to MAX_TXN_OPS directories a transaction. */
  firstPages = new TurnBatcher(
    MAX_TXN_OPS,
    LISTING_TXNS,
    (dirs) => this.kv.readTxnPages(dirs.map((d) => this.kv.rangeRequest(entriesPrefix(d), nextKey(entriesPrefix(d)), FIRST_PAGE)))
  );
  get client() {
    return this.kv.client;
  }
  /** etcd://hosts/path as JuiceFS names the database in messages (no password). */
  get name() {
    return `etcd://${this.target.addr}`;
  }
  async close() {
    this.client.close();
  }
  /** Every later read is at the current revision until end(): one moment of the volume. */
  async beginConsistentRead() {
    if (this.kv.revision) throw new JfsError("internal", "a consistent read is already open on this engine");
    const r = await this.kv.range(this.kv.rangeRequest(SETTING_KEY));
    const takenAt = /* @__PURE__ */ new Date();
    this.kv.revision = r.header.revision;
    this.aclCache = null;
    let ended = false;
    return {
      takenAt,
      connections: 1,
      end: async () => {
        if (ended) return;
        ended = true;
        this.kv.revision = void 0;
        this.aclCache = null;
      }
    };
  }
  /** The revision reads are pinned at (a dump's), or undefined. */
  get readRevision() {
    return this.kv.revision;
  }
  refuseWriteInSnapshot() {
    if (this.kv.revision) throw new JfsError("internal", "write attempted while a consistent read is open");
  }
  async readSetting() {
    const raw = await this.kv.get(SETTING_KEY);
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw wrapError(`the volume format stored in ${this.name} (key "setting") is not valid`, err, "corrupt-input");
    }
  }
  async writeSetting(s) {
    this.refuseWriteInSnapshot();
    await this.kv.txn({ success: [this.kv.put(SETTING_KEY, Buffer.from(encodeStoredSetting(s)))] });
  }
  async ensureTrashDir(now) {
    this.refuseWriteInSnapshot();
    const key = this.kv.key(attrKey(TRASH_INODE));
    const r = await this.kv.txn({
      compare: [{ key, target: "Version", result: "Equal", version: 0 }],
      success: [{ request_put: { key, value: encodeAttr(newTrashAttr(now, true), ROOT_INODE) } }]
    });
    return r.succeeded;
  }
  async checkEmpty() {
    const r = await this.kv.range({ ...this.kv.rangeRequest(Buffer.alloc(0), Buffer.from([0]), 1), keys_only: true });
    if (r.kvs.length === 0) return { empty: true };
    const setting = await this.readSetting().catch(() => null);
    return { empty: false, ...setting ? { volume: setting.Name } : {}, reason: `Database ${this.name} is not empty` };
  }
  async readCounters() {
    const v = await this.kv.gets(COUNTERS.map((n) => counterKey(n)));
    return {
      usedSpace: decodeCounter(v[0]),
      usedInodes: decodeCounter(v[1]),
      nextInodes: decodeCounter(v[2]),
      nextChunk: decodeCounter(v[3]),
      nextSession: decodeCounter(v[4]),
      nextTrash: decodeCounter(v[5])
    };
  }
  async readSustained() {
    const bySid = /* @__PURE__ */ new Map();
    const p = Buffer.from("SS");
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const s = parseSustainedKey(this.kv.strip(kv.key));
        if (!s) continue;
        const list = bySid.get(s.sid) ?? [];
        list.push(s.inode);
        bySid.set(s.sid, list);
      }
    }
    return [...bySid].map(([sid, inodes]) => ({ sid, inodes }));
  }
  async readDelFiles() {
    const out = [];
    const p = Buffer.from("D");
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const d = parseDelFileKey(this.kv.strip(kv.key), kv.value);
        if (d) out.push(d);
      }
    }
    return out;
  }
  async readQuotas(kind) {
    const out = /* @__PURE__ */ new Map();
    const p = QUOTA_PREFIX[kind];
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const id = parseQuotaKey(kind, this.kv.strip(kv.key));
        const q = decodeQuota(kv.value);
        if (id !== null && q) out.set(id, { maxSpace: q.maxSpace, maxInodes: q.maxInodes });
      }
    }
    return out;
  }
  async lookup(parent, name) {
    const v = await this.kv.get(entryKey(parent, name));
    return v ? decodeEntry(name, v) : null;
  }
  readDir(inode) {
    const kv = this.kv;
    const start = entriesPrefix(inode);
    const skip = kv.prefix.length + start.length;
    async function* batches() {
      for await (const page of kv.scan(start, nextKey(start))) yield page.map((e) => decodeEntry(e.key.subarray(skip), e.value));
    }
    return { sorted: true, batches: batches() };
  }
  async acl(id) {
    if (id === 0) return void 0;
    if (!this.aclCache || !this.aclCache.has(id)) {
      const cache = /* @__PURE__ */ new Map();
      const p = Buffer.from("R");
      for await (const page of this.kv.scan(p, nextKey(p))) {
        for (const kv of page) {
          const k = this.kv.strip(kv.key);
          const rule = k.length === 5 ? decodeAcl(kv.value) : null;
          if (rule) cache.set(k.readUInt32BE(1), rule);
        }
      }
      this.aclCache = cache;
    }
    return this.aclCache.get(id);
  }
  /**
   * An inode's keys are contiguous (`A` ino …), so one range per inode reads them all: attr,
   * chunks, symlink, xattrs (and hard-link parents). A directory's range starts at `I`, past its
   * entries. The ranges of every readNodes of one event-loop turn share read-only transactions
   * of MAX_TXN_OPS (turn-batcher.ts); a range cut short by its limit (a file of many chunks) is
   * read on in pages.
   */
  readNodes(entries) {
    return this.nodeReads.add(entries, ungated);
  }
  /** At most MAX_TXN_OPS nodes: one read-only transaction, and pages for what it cut short. */
  async readNodeTxn(part) {
    const nodes = [];
    const res = await this.kv.readTxnPages(part.map((e) => this.nodeRange(e.inode, e.type === "directory")));
    for (const [k, e] of part.entries()) {
      const kvs = res[k].kvs;
      if (res[k].more) await this.kv.rest(kvs, nextKey(inodePrefix(e.inode)));
      let node = await this.toNode(e.inode, e.type, kvs);
      if (e.type === "directory" && node.attr && node.attr.type !== "directory") {
        const all = await this.kv.page(this.nodeRange(e.inode, false, 0));
        node = await this.toNode(e.inode, e.type, all.kvs);
      }
      nodes.push(node);
    }
    return nodes;
  }
  /**
   * A directory's children with their nodes, in name order (etcd lists by key). The dump opens a
   * batch's sub-directories together: their first listing pages share transactions, and so do
   * the node reads of all their children (turn-batcher.ts), where a listing and a transaction a
   * directory cost a request each per directory. A directory bigger than its first page goes on
   * by listing pages, its nodes read in batches of MAX_TXN_OPS, a few ahead once the walk is in it.
   */
  readDirNodes(inode, gate = ungated) {
    const self = this;
    const kv = this.kv;
    const start = entriesPrefix(inode);
    const skip = kv.prefix.length + start.length;
    const entry = (e) => decodeEntry(e.key.subarray(skip), e.value);
    async function* pages() {
      const [first] = await self.firstPages.add([inode], gate);
      let listed = first.kvs.map(entry);
      let at = 0;
      const last = first.kvs[first.kvs.length - 1];
      const listing = first.more && last ? kv.scan(Buffer.concat([kv.strip(last.key), Buffer.from([0])]), nextKey(start), PAGE2, gate) : null;
      let more = listing !== null;
      const reads = [];
      for (let ahead = 1; ; ahead = NODE_READ_AHEAD) {
        while (reads.length < ahead && (more || at < listed.length)) {
          if (at === listed.length) {
            const r = await listing.next();
            if (r.done) {
              more = false;
              break;
            }
            listed = r.value.map(entry);
            at = 0;
          }
          const part = listed.slice(at, at + MAX_TXN_OPS);
          at += part.length;
          const read = self.nodeReads.add(part, gate).then((nodes) => ({ names: part.map((e) => e.name), nodes }));
          read.catch(() => {
          });
          reads.push(read);
        }
        const next = reads.shift();
        if (!next) return;
        yield await next;
      }
    }
    return pages();
  }
  nodeRange(inode, dir, limit = NODE_RANGE_LIMIT) {
    const p = inodePrefix(inode);
    const start = dir ? attrKey(inode) : p;
    return this.kv.rangeRequest(start, nextKey(p), limit || void 0);
  }
  async toNode(inode, entryType, kvs) {
    const node = { inode, entryType, attr: null, xattrs: [], chunks: [] };
    const skip = this.kv.prefix.length + 9;
    let accessAcl = 0;
    let defaultAcl = 0;
    for (const kv of kvs) {
      const tag2 = kv.key[skip];
      const rest = kv.key.subarray(skip + 1);
      if (tag2 === 73) {
        const stored = decodeAttr(inode, kv.value);
        if (stored) {
          node.attr = stored.attr;
          accessAcl = stored.accessAcl;
          defaultAcl = stored.defaultAcl;
        }
      } else if (tag2 === 67 && rest.length === 4) {
        const slices = [];
        for (let off = 0; off + SLICE_BYTES <= kv.value.length; off += SLICE_BYTES) {
          const s = decodeSlice(kv.value.subarray(off, off + SLICE_BYTES));
          if (s) slices.push(s);
        }
        if (kv.value.length % SLICE_BYTES === 0 && slices.length > 0) node.chunks.push({ index: rest.readUInt32BE(0), slices });
      } else if (tag2 === 83 && rest.length === 0) {
        node.symlink = kv.value;
      } else if (tag2 === 88) {
        node.xattrs.push({ name: Buffer.from(rest), value: kv.value });
      }
    }
    if (accessAcl) node.accessAcl = await this.acl(accessAcl);
    if (defaultAcl) node.defaultAcl = await this.acl(defaultAcl);
    return node;
  }
  /** One pass over the prefix at the dump's revision: the binary dump's records as stored. */
  scanTables(gate) {
    return scanEtcdTables(this.kv, gate);
  }
  async usage() {
    const [s, i] = await this.kv.gets([counterKey("usedSpace"), counterKey("totalInodes")]);
    return { usedSpace: decodeCounter(s), usedInodes: decodeCounter(i) };
  }
  // --- load ---
  async beginLoad() {
    this.refuseWriteInSnapshot();
    const owner = newLoadOwner();
    const lease = this.client.lease(LOAD_LEASE_TTL, { autoKeepAlive: true });
    lease.on("lost", () => {
    });
    let leaseId;
    try {
      leaseId = await this.kv.call(() => lease.grant());
    } catch (err) {
      await lease.revoke().catch(() => {
      });
      throw err;
    }
    const all = this.kv.key(Buffer.alloc(0));
    const r = await this.kv.txn(
      {
        compare: [{ key: all, range_end: this.kv.endOfPrefix(), target: "Version", result: "Equal", version: 0 }],
        success: [
          this.kv.put(LOAD_CLAIM_KEY, Buffer.from(JSON.stringify(owner))),
          { request_put: { key: this.kv.key(LOAD_ALIVE_KEY), value: Buffer.from(owner.token), lease: leaseId } }
        ]
      },
      false
    ).catch(async (err) => {
      await lease.revoke().catch(() => {
      });
      throw err;
    });
    if (!r.succeeded) {
      await lease.revoke().catch(() => {
      });
      const claim = await this.findLoadClaim();
      if (claim) throw new LoadClaimedError(claim, this.redactedUrl);
      const check = await this.checkEmpty();
      throw check.empty ? new JfsError("busy", `${this.name} changed while the load claimed it: retry`) : new JfsError("refused", check.reason);
    }
    return new EtcdLoadSink(this.kv, owner, lease, () => this.kv.call(() => backendRoom(this.client, this.target)));
  }
  async findLoadClaim() {
    const [raw, alive] = await this.kv.gets([LOAD_CLAIM_KEY, LOAD_ALIVE_KEY]);
    const owner = parseLoadOwner(raw);
    if (!owner) return null;
    const where = `key "${LOAD_CLAIM_KEY}" under ${this.name}`;
    return { state: alive && alive.toString() === owner.token ? "running" : "interrupted", owner, where };
  }
  async clearInterruptedLoad() {
    this.refuseWriteInSnapshot();
    const url = this.redactedUrl;
    const claim = await this.findLoadClaim();
    if (!claim) {
      const setting2 = await this.readSetting();
      if (setting2) return { cleared: false, message: `${url} holds volume "${setting2.Name}" and no interrupted load: nothing was removed` };
      const n2 = await this.countKeys();
      if (n2 === 0) return { cleared: false, message: `${url} is empty: there is nothing to clear` };
      throw new JfsError(
        "refused",
        `${url} holds ${n2} keys under its prefix but no jfsmeta load claim (key "${LOAD_CLAIM_KEY}"): they were not written by an interrupted jfsmeta load, so nothing was removed; check what they are before deleting them yourself`
      );
    }
    if (claim.state === "running") throw new LoadClaimedError(claim, url);
    const raw = await this.kv.get(LOAD_CLAIM_KEY);
    const who = claim.owner ? ` (pid ${claim.owner.pid} on ${claim.owner.host}, started ${claim.owner.started})` : "";
    const claimKey = this.kv.key(LOAD_CLAIM_KEY);
    const sameClaim = { key: claimKey, target: "Value", result: "Equal", value: raw };
    const setting = await this.kv.get(SETTING_KEY);
    if (setting) {
      const r2 = await this.kv.txn({ compare: [sameClaim], success: [{ request_delete_range: { key: claimKey } }] });
      if (!r2.succeeded) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
      return { cleared: true, message: `${url} holds a volume setting: only the stale claim of a load${who} was removed, no volume data was touched` };
    }
    const r = await this.kv.txn({
      compare: [sameClaim, { key: this.kv.key(SETTING_KEY), target: "Version", result: "Equal", version: 0 }],
      success: [{ request_delete_range: { key: this.kv.key(Buffer.alloc(0)), range_end: this.kv.endOfPrefix() } }]
    });
    if (!r.succeeded) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
    const n = r.responses[0].response_delete_range.deleted;
    return { cleared: true, message: `removed the ${n} keys an interrupted load${who} had written: ${url} is empty again` };
  }
  /** Keys under the prefix. */
  async countKeys() {
    const r = await this.kv.range({ ...this.kv.rangeRequest(Buffer.alloc(0), Buffer.from([0])), count_only: true });
    return Number(r.count);
  }
  // --- the automatic-backup lock ---
  async getXattr(inode, name) {
    return this.kv.get(xattrKey(inode, Buffer.from(name)));
  }
  /** One etcd transaction: compare the value (or its absence), then put. */
  async compareAndSetXattr(inode, name, expected, value) {
    this.refuseWriteInSnapshot();
    const key = this.kv.key(xattrKey(inode, Buffer.from(name)));
    const r = await this.kv.txn(
      {
        compare: [expected ? { key, target: "Value", result: "Equal", value: expected } : { key, target: "Version", result: "Equal", version: 0 }],
        success: [{ request_put: { key, value } }]
      },
      false
    );
    return r.succeeded;
  }
};
async function openEtcd(url) {
  const target = parseEtcdUrl(url);
  const client = new EtcdClient(etcdClientOptions(target));
  const engine = new EtcdEngine(new EtcdKv(client, target.prefix, target.addr), redactUrl(url), target);
  try {
    await engine.kv.call((o) => client.kv.range(engine.kv.rangeRequest(SETTING_KEY), o), true, OPEN_RETRY_MS);
  } catch (err) {
    client.close();
    throw explainEtcdError(err, target.addr);
  }
  return engine;
}
export {
  EtcdEngine,
  openEtcd
};
