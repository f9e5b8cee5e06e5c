import {
  changelogLines
} from "./chunk-OUNLRWMR.js";
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
  freePort,
  networkErrorCode
} from "./chunk-PWJI7R5M.js";
import {
  formatHostPort,
  keyPrefix,
  parseRedisUrl,
  withMode
} from "./chunk-GFD4D3CU.js";
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import {
  encodeStoredSetting,
  parseSetting
} from "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  decodeAcl,
  decodeAttr,
  decodeSlice,
  encodeAcl,
  encodeAttr,
  encodeSlice,
  readU64,
  writeU64
} from "./chunk-GEL7VY43.js";
import {
  CHUNK_SIZE,
  MAX_FILE_SIZE,
  ROOT_INODE,
  TRASH_INODE,
  TYPE_CODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError,
  logDebug,
  logIgnored,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/redis/index.ts
import os from "node:os";
import { Redis as Redis3 } from "ioredis";

// lib/engines/redis/resp.ts
import net from "node:net";
import tls from "node:tls";
var RespError = class extends JfsError {
  constructor(message) {
    super("internal", message);
  }
};
var NotRedisError = class extends JfsError {
  constructor(seen) {
    super("usage", `the server does not speak the Redis protocol (it answered "${seen}\u2026")`);
    this.seen = seen;
  }
  seen;
};
var CRLF = 13;
var INCOMPLETE = /* @__PURE__ */ Symbol("incomplete");
var MORE = /* @__PURE__ */ Symbol("more");
var NO_BYTES = Buffer.alloc(0);
var FIRST_CAPACITY = 16 * 1024;
var CommandBuffer = class {
  /**
   * `firstCapacity`: bytes of each first allocation (after take() too); a builder that is
   * always filled to about a known size (the load's pipelines) saves the copies of growing.
   */
  constructor(firstCapacity = FIRST_CAPACITY) {
    this.firstCapacity = firstCapacity;
  }
  firstCapacity;
  // Allocated on first use, not up front: many builders stay empty (a dump batch's follow-up
  // pipeline usually does), and a fresh 64 KiB per builder and per take() was most of the
  // dump's allocated bytes, churning the GC.
  buf = NO_BYTES;
  len = 0;
  count = 0;
  ensure(n) {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n, this.firstCapacity));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  /** `<prefix><n>\r\n` without building a string. */
  header(prefix, n) {
    this.ensure(24);
    const b = this.buf;
    b[this.len++] = prefix;
    if (n < 10) b[this.len++] = 48 + n;
    else {
      const digits = n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : Math.floor(Math.log10(n)) + 1;
      let at = this.len + digits;
      this.len = at;
      for (let v = n; v > 0; v = Math.floor(v / 10)) b[--at] = 48 + v % 10;
    }
    b[this.len++] = 13;
    b[this.len++] = 10;
  }
  add(args) {
    this.header(42, args.length);
    for (const a of args) this.add1(a);
    this.count++;
  }
  add1(a) {
    if (Buffer.isBuffer(a)) return this.bytes(a, 0, a.length);
    const s = typeof a === "string" ? a : a.toString();
    const n = s.length;
    const start = this.len;
    this.header(36, n);
    this.ensure(n + 2);
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.len = start;
        const bytes = Buffer.from(s, "utf8");
        return this.bytes(bytes, 0, bytes.length);
      }
      b[at++] = c;
    }
    b[at++] = 13;
    b[at++] = 10;
    this.len = at;
  }
  /**
   * One command of `n` arguments given one by one (arg(), bytes()) after this call: no array
   * of arguments, no view of each (a binary load writes each slice record of a chunk so).
   */
  begin(n) {
    this.header(42, n);
    this.count++;
  }
  /** An argument of a command begun with begin(). */
  arg(a) {
    this.add1(a);
  }
  /** An argument of a command begun with begin(): bytes [start, end) of `b`. */
  bytes(b, start, end) {
    const n = end - start;
    this.header(36, n);
    this.ensure(n + 2);
    const out = this.buf;
    let at = this.len;
    if (n <= 96) for (let i = start; i < end; i++) out[at++] = b[i];
    else {
      out.set(b.subarray(start, end), at);
      at += n;
    }
    out[at++] = 13;
    out[at++] = 10;
    this.len = at;
  }
  /**
   * An argument of a command begun with begin(): `prefix` then the decimal digits of `n`, and
   * when `m` is given `_` and those of `m` (key names such as i123 or c123_0), written without
   * building a string. `prefix` is ASCII; n and m are integers in [0, 2^53).
   */
  numberedArg(prefix, n, m = -1) {
    const len = prefix.length + digitCount(n) + (m < 0 ? 0 : 1 + digitCount(m));
    this.header(36, len);
    this.ensure(len + 2);
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < prefix.length; i++) b[at++] = prefix.charCodeAt(i);
    at = putDigits(b, at, n);
    if (m >= 0) {
      b[at++] = 95;
      at = putDigits(b, at, m);
    }
    b[at++] = 13;
    b[at++] = 10;
    this.len = at;
  }
  /**
   * An argument of `n` bytes of a command begun with begin(), for the caller to write at
   * [returned offset, + n) of `buffer` before the next call on this builder.
   */
  slot(n) {
    this.header(36, n);
    this.ensure(n + 2);
    const at = this.len;
    this.buf[at + n] = 13;
    this.buf[at + n + 1] = 10;
    this.len = at + n + 2;
    return at;
  }
  /** The bytes being built (slot()'s target; replaced as it grows). */
  get buffer() {
    return this.buf;
  }
  /** Bytes encoded so far. */
  get length() {
    return this.len;
  }
  /** The encoded commands; the builder starts over. */
  take() {
    const out = this.buf.subarray(0, this.len);
    this.buf = NO_BYTES;
    this.len = 0;
    this.count = 0;
    return out;
  }
};
function digitCount(n) {
  let d = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) d++;
  return d;
}
function putDigits(b, at, n) {
  const end = at + digitCount(n);
  let p = end;
  let v = n;
  do {
    const q = Math.floor(v / 10);
    b[--p] = 48 + (v - q * 10);
    v = q;
  } while (v > 0);
  return end;
}
var RespConnection = class _RespConnection {
  socket;
  data = Buffer.alloc(0);
  pos = 0;
  /** Do not retry a parse until this many bytes are buffered. */
  needed = 0;
  queue = [];
  queued = 0;
  /** Arrays being filled, outermost first. */
  stack = [];
  pending = [];
  failure = null;
  corked = false;
  static async connect(o) {
    const c = new _RespConnection();
    await c.open(o);
    return c;
  }
  /** Connect, then AUTH and SELECT; on any failure the socket is closed (never left to hold the process). */
  open(o) {
    return new Promise((resolve, reject) => {
      const onError = (err) => reject(err);
      const onConnect = () => {
        this.socket.off("error", onError);
        this.socket.on("error", (err) => this.fail(err));
        this.socket.on("close", () => this.fail(new Error("Connection is closed.")));
        this.socket.setNoDelay(true);
        resolve();
      };
      if (o.path) this.socket = net.connect({ path: o.path }, onConnect);
      else if (o.tls) this.socket = tls.connect({ host: o.host, port: o.port, ...o.tls }, onConnect);
      else this.socket = net.connect({ host: o.host ?? "localhost", port: o.port ?? 6379 }, onConnect);
      this.socket.once("error", onError);
      this.socket.on("data", (chunk) => this.onData(chunk));
    }).then(async () => {
      const setup = new CommandBuffer();
      if (o.password) setup.add(o.username ? ["AUTH", o.username, o.password] : ["AUTH", o.password]);
      if (o.db) setup.add(["SELECT", o.db]);
      if (setup.count === 0) return;
      try {
        for (const r of await this.send(setup)) if (r instanceof RespError) throw r;
      } catch (err) {
        this.close();
        throw err;
      }
    }, (err) => {
      this.socket?.destroy();
      throw err;
    });
  }
  fail(err) {
    this.failure ??= err;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(this.failure);
  }
  /** Write the commands and resolve with their replies, in order. */
  send(cmds) {
    const n = cmds.count;
    return this.sendBytes(cmds.take(), n);
  }
  /** Write `n` commands already encoded (CommandBuffer.take()); a caller may send them again elsewhere. */
  sendBytes(bytes, n) {
    if (this.failure) return Promise.reject(this.failure);
    if (n === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ remaining: n, replies: [], resolve, reject });
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(bytes);
    });
  }
  /** Resolves when the socket's write buffer has drained (backpressure for big loads). */
  async drained() {
    if (this.socket.writableNeedDrain) await new Promise((r) => this.socket.once("drain", r));
  }
  close() {
    this.failure ??= new Error("connection closed by jfsmeta");
    this.socket.destroy();
  }
  onData(chunk) {
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.data.length - this.pos + this.queued < this.needed) return;
    const rest = this.pos < this.data.length ? [this.data.subarray(this.pos)] : [];
    const parts = [...rest, ...this.queue];
    this.data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.queue = [];
    this.queued = 0;
    this.pos = 0;
    this.needed = 0;
    while (this.pending.length > 0 && this.pos < this.data.length) {
      const start = this.pos;
      const r = this.step();
      if (r === INCOMPLETE) {
        this.pos = start;
        this.needed -= start;
        return;
      }
      if (r === MORE) continue;
      const p = this.pending[0];
      p.replies.push(r);
      if (--p.remaining === 0) {
        this.pending.shift();
        p.resolve(p.replies);
      }
    }
  }
  /**
   * Reads one token. Arrays in progress live on `stack`, so a reply spread over many chunks
   * is parsed once, front to back. Returns a complete top-level reply, MORE when a token was
   * consumed inside an unfinished array, or INCOMPLETE when the token is not all here yet.
   */
  step() {
    const r = this.parse();
    if (r === INCOMPLETE || r === MORE) return r;
    let value = r;
    for (; ; ) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return value;
      top.arr[top.i++] = value;
      if (top.i < top.arr.length) return MORE;
      this.stack.pop();
      value = top.arr;
    }
  }
  line() {
    const end = this.data.indexOf(CRLF, this.pos);
    if (end < 0 || end + 1 >= this.data.length) {
      this.needed = this.data.length + 1;
      return INCOMPLETE;
    }
    const s = this.data.toString("latin1", this.pos + 1, end);
    this.pos = end + 2;
    return s;
  }
  /** The integer ending a `$`, `*` or `:` header line, read from the bytes (no string). */
  int() {
    const d = this.data;
    let i = this.pos + 1;
    let neg = false;
    if (d[i] === 45) {
      neg = true;
      i++;
    }
    let n = 0;
    for (; i < d.length; i++) {
      const c = d[i];
      if (c === CRLF) break;
      n = n * 10 + (c - 48);
    }
    if (i + 1 >= d.length) {
      this.needed = d.length + 1;
      return INCOMPLETE;
    }
    this.pos = i + 2;
    return neg ? -n : n;
  }
  parse() {
    if (this.pos >= this.data.length) {
      this.needed = this.data.length + 1;
      return INCOMPLETE;
    }
    const type = this.data[this.pos];
    switch (type) {
      case 36: {
        const n = this.int();
        if (n === INCOMPLETE) return INCOMPLETE;
        if (n < 0) return null;
        if (this.pos + n + 2 > this.data.length) {
          this.needed = this.pos + n + 2;
          return INCOMPLETE;
        }
        const b = this.data.subarray(this.pos, this.pos + n);
        this.pos += n + 2;
        return b;
      }
      case 42: {
        const n = this.int();
        if (n === INCOMPLETE) return INCOMPLETE;
        if (n < 0) return null;
        if (n === 0) return [];
        this.stack.push({ arr: new Array(n), i: 0 });
        return MORE;
      }
      case 58:
        return this.int();
      case 43:
      // +
      case 45: {
        const l = this.line();
        if (l === INCOMPLETE) return INCOMPLETE;
        return type === 43 ? l : new RespError(l);
      }
      default: {
        const seen = this.data.toString("latin1", this.pos, Math.min(this.data.length, this.pos + 24)).replace(/[^\x20-\x7e]/g, "?");
        this.fail(new NotRedisError(seen));
        return INCOMPLETE;
      }
    }
  }
};

// lib/engines/redis/errors.ts
function explainRedisError(err, addr) {
  if (err instanceof JfsError && !(err instanceof RespError) && !(err instanceof NotRedisError)) return err;
  const explained = (kind, message) => new JfsError(kind, message, { cause: err });
  const msg = err?.message ?? String(err);
  if (/^LOADING\b/.test(msg)) {
    return explained("busy", `Redis at ${addr} is still loading its dataset into memory (LOADING): wait until it has finished, then retry`);
  }
  if (/^NOAUTH\b/.test(msg)) {
    return explained(
      "auth",
      `Redis at ${addr} requires a password (NOAUTH): put it in the META-URL (redis://:PASSWORD@host:port/db) or set REDIS_PASSWORD / META_PASSWORD`
    );
  }
  if (/^WRONGPASS\b|invalid password|invalid username-password/i.test(msg)) {
    return explained("auth", `Redis at ${addr} rejected the credentials (WRONGPASS): check the user and password in the META-URL or REDIS_PASSWORD / META_PASSWORD`);
  }
  if (/without any password configured/i.test(msg)) {
    return explained("auth", `Redis at ${addr} has no password set, but one was given: remove it from the META-URL or from REDIS_PASSWORD / META_PASSWORD`);
  }
  if (err instanceof NotRedisError || err?.name === "ParserError") {
    const seen = err instanceof NotRedisError ? ` (it answered "${err.seen}\u2026")` : "";
    return explained("usage", `${addr} is not a Redis server${seen}: check the host and port in the META-URL`);
  }
  const network = networkErrorCode(err);
  if (network) {
    return explained("unreachable", `cannot reach Redis at ${addr} (${network}): check the host, port or socket path, and that redis-server is running`);
  }
  if (/^OOM\b/.test(msg)) {
    return explained("refused", `Redis at ${addr} is out of memory (maxmemory reached): raise maxmemory or use a bigger server, then retry`);
  }
  if (/^READONLY\b/.test(msg)) {
    return explained("refused", `Redis at ${addr} is a read-only replica (READONLY): point the META-URL at the master`);
  }
  if (/^NOPERM\b/.test(msg)) {
    return explained("auth", `Redis at ${addr} denied a command to this user (NOPERM): grant the user access to all keys and commands of this database`);
  }
  if (/^ERR DB index is out of range/i.test(msg)) {
    return explained("usage", `Redis at ${addr}: database number out of range: pick a DB below the server's 'databases' setting`);
  }
  return err instanceof Error ? err : new Error(msg);
}

// lib/engines/redis/codec.ts
var ENTRY_BYTES = 9;
function encodeEntry(type, inode) {
  const b = Buffer.allocUnsafe(ENTRY_BYTES);
  b.writeUInt8(TYPE_CODE[type], 0);
  writeU64(b, inode, 1);
  return b;
}
function writeEntryAt(b, off, typeCode, inode) {
  b[off] = typeCode;
  b.writeUInt32BE(Math.floor(inode / 4294967296), off + 1);
  b.writeUInt32BE(inode >>> 0, off + 5);
}
function decodeEntry(name, b) {
  if (b.length !== ENTRY_BYTES) throw new JfsError("corrupt-input", `corrupt directory entry "${name.toString("latin1")}": value has ${b.length} bytes, expected ${ENTRY_BYTES}`);
  const type = typeFromCode(b.readUInt8(0));
  return { name, inode: readU64(b, 1), type: type ?? "unknown" };
}
function encodeQuota(q) {
  const b = Buffer.alloc(16);
  b.writeBigInt64BE(BigInt.asIntN(64, q.maxSpace), 0);
  b.writeBigInt64BE(BigInt.asIntN(64, q.maxInodes), 8);
  return b;
}
function decodeQuota(b) {
  if (b.length !== 16) return null;
  return { maxSpace: b.readBigInt64BE(0), maxInodes: b.readBigInt64BE(8) };
}

// lib/engines/redis/scan.ts
var SCAN_COUNT = 5e3;
var IN_FLIGHT = 3;
var HASH_PAGE = 1e4;
var BATCH = 1e4;
var PREFIX = { 105: 0 /* Attr */, 100: 1 /* Entries */, 99: 2 /* Chunk */, 115: 3 /* Symlink */, 120: 4 /* Xattrs */, 112: 5 /* Parents */ };
function classify(key, at) {
  const kind = classifyKey(key, at);
  if (kind === -1) return null;
  const ino = KEY.inode;
  return { kind, inode: typeof ino === "bigint" ? ino : BigInt(ino), index: KEY.index };
}
var KEY = { inode: 0, index: 0 };
function classifyKey(key, at, end = key.length) {
  const kind = PREFIX[key[at]];
  if (kind === void 0 || end < at + 2) return -1;
  let ino = 0;
  let i = at + 1;
  for (; i < end; i++) {
    const c = key[i];
    if (c < 48 || c > 57) break;
    ino = ino * 10 + (c - 48);
  }
  if (i === at + 1) return -1;
  const inode = i - at - 1 > 15 ? BigInt(key.toString("latin1", at + 1, i)) : ino;
  if (kind !== 2 /* Chunk */) {
    if (i !== end) return -1;
    KEY.inode = inode;
    KEY.index = 0;
    return kind;
  }
  if (key[i] !== 95 || i + 1 === end) return -1;
  let index = 0;
  for (let j = i + 1; j < end; j++) {
    const c = key[j];
    if (c < 48 || c > 57) return -1;
    index = index * 10 + (c - 48);
  }
  if (index > 4294967295) return -1;
  KEY.inode = inode;
  KEY.index = index;
  return kind;
}
var isZero = (cursor) => cursor.length === 1 && cursor[0] === 48;
function decimal(b) {
  if (!b || b.length === 0) return 0n;
  const s = b.toString("latin1");
  return /^-?\d+$/.test(s) ? BigInt(s) : 0n;
}
var Batches = class {
  /** Records a table gathers before it is yielded. */
  constructor(size = BATCH) {
    this.size = size;
  }
  size;
  nodes = [];
  edges = [];
  chunks = [];
  symlinks = [];
  xattrs = [];
  parents = [];
  /** Full batches, taken out (all of them when `all`). */
  *take(all) {
    for (const table of ["nodes", "edges", "chunks", "symlinks", "xattrs", "parents"]) {
      const list = this[table];
      if (list.length === 0 || !all && list.length < this.size) continue;
      this[table] = [];
      yield { table, records: list };
    }
  }
};
async function* scanRedisTables(src, gate = (q) => q()) {
  const P = src.p;
  const failovers = src.failovers;
  const call = async (cmds) => {
    const replies = await gate(() => src.bulkCall(cmds, { idempotent: true }));
    for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, src.addr);
    if (src.failovers !== failovers) {
      throw new JfsError(
        "unreachable",
        `Redis at ${src.addr} failed over to a new master during the scan of the volume: a scan cannot be resumed on another server, so it was stopped rather than give a partial volume; run it again`
      );
    }
    return replies;
  };
  const out = new Batches(1e3);
  const moreEntries = [];
  const entries = (parent, flat) => {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const v = flat[i + 1];
      if (v.length !== 9) throw new JfsError("corrupt-input", `Redis at ${src.addr}: directory ${parent} has an entry "${flat[i].toString("latin1")}" of ${v.length} bytes, not 9: the metadata is damaged`);
      out.edges.push({ parent, inode: readU64(v, 1), name: flat[i], type: v[0] });
    }
  };
  const readPage = (keys) => {
    const cmds = new CommandBuffer();
    const attrs = [];
    const links = [];
    const each = [];
    for (const key of keys) {
      const k = classify(key, P.length);
      if (!k) continue;
      switch (k.kind) {
        case 0 /* Attr */:
          attrs.push({ inode: k.inode, key });
          break;
        case 3 /* Symlink */:
          links.push(k.inode);
          break;
        case 1 /* Entries */: {
          const parent = k.inode;
          cmds.add(["HSCAN", key, "0", "COUNT", HASH_PAGE]);
          each.push((r) => {
            const [cursor2, flat] = r;
            entries(parent, flat);
            if (!isZero(cursor2)) moreEntries.push({ key, parent, cursor: cursor2 });
          });
          break;
        }
        case 2 /* Chunk */: {
          const { inode, index } = k;
          cmds.add(["LRANGE", key, 0, -1]);
          each.push((r) => {
            const list = r.filter((s) => s.length === SLICE_BYTES);
            if (list.length) out.chunks.push({ inode, index, slices: list.length === 1 ? list[0] : Buffer.concat(list) });
          });
          break;
        }
        case 4 /* Xattrs */: {
          const inode = k.inode;
          cmds.add(["HGETALL", key]);
          each.push((r) => {
            const flat = r;
            for (let i = 0; i + 1 < flat.length; i += 2) out.xattrs.push({ inode, name: flat[i], value: flat[i + 1] });
          });
          break;
        }
        case 5 /* Parents */: {
          const inode = k.inode;
          cmds.add(["HGETALL", key]);
          each.push((r) => {
            const flat = r;
            for (let i = 0; i + 1 < flat.length; i += 2) {
              const cnt = decimal(flat[i + 1]);
              if (cnt > 0n) out.parents.push({ inode, parent: decimal(flat[i]), cnt });
            }
          });
          break;
        }
      }
    }
    for (const d of moreEntries.splice(0, 4)) {
      cmds.add(["HSCAN", d.key, d.cursor, "COUNT", HASH_PAGE]);
      each.push((r) => {
        const [cursor2, flat] = r;
        entries(d.parent, flat);
        if (!isZero(cursor2)) moreEntries.push({ key: d.key, parent: d.parent, cursor: cursor2 });
      });
    }
    if (attrs.length) {
      cmds.add(["MGET", ...attrs.map((a) => a.key)]);
      each.push((r) => {
        const values = r;
        for (let i = 0; i < attrs.length; i++) {
          const v = values[i];
          if (v) out.nodes.push({ inode: attrs[i].inode, attr: v });
        }
      });
    }
    if (links.length) {
      cmds.add(["MGET", ...links.map((ino) => `${P}s${ino}`)]);
      each.push((r) => {
        const values = r;
        for (let i = 0; i < links.length; i++) {
          const v = values[i];
          if (v && v.length) out.symlinks.push({ inode: links[i], target: v });
        }
      });
    }
    if (cmds.count === 0) return null;
    return { cmds, apply: (replies) => replies.forEach((r, i) => each[i](r)) };
  };
  const inflight = [];
  const settleOne = async () => {
    const p = inflight.shift();
    p.apply(await p.pending);
  };
  let cursor = Buffer.from("0");
  try {
    do {
      const scan = new CommandBuffer();
      scan.add(P ? ["SCAN", cursor, "MATCH", `${P}*`, "COUNT", SCAN_COUNT] : ["SCAN", cursor, "COUNT", SCAN_COUNT]);
      const [reply] = await call(scan);
      const [next, keys] = reply;
      cursor = next;
      const page = readPage(keys);
      if (page) {
        const pending = call(page.cmds);
        pending.catch(() => {
        });
        inflight.push({ pending, apply: page.apply });
      }
      while (inflight.length >= IN_FLIGHT) await settleOne();
      yield* out.take(false);
    } while (!isZero(cursor));
    while (inflight.length) {
      await settleOne();
      yield* out.take(false);
    }
    while (moreEntries.length) {
      const page = readPage([]);
      page.apply(await call(page.cmds));
      yield* out.take(false);
    }
  } finally {
    for (const p of inflight) p.pending.catch(() => {
    });
  }
  yield* out.take(true);
  for await (const page of hashPages(call, `${P}dirUsedInodes`)) {
    const fields = page.map((p) => p[0]);
    const cmds = new CommandBuffer();
    cmds.add(["HMGET", `${P}dirDataLength`, ...fields]);
    cmds.add(["HMGET", `${P}dirUsedSpace`, ...fields]);
    const [data, space] = await call(cmds);
    const records = page.map(([f, inodes], i) => ({ inode: decimal(f), dataLength: decimal(data[i]), usedSpace: decimal(space[i]), usedInodes: decimal(inodes) }));
    yield { table: "dirStats", records };
  }
  for await (const page of hashPages(call, `${P}sliceRef`)) {
    const records = [];
    for (const [f, v] of page) {
      const m = /^k(\d+)_(\d+)$/.exec(f.toString("latin1"));
      const extra = decimal(v);
      if (m && extra !== 0n) records.push({ id: BigInt(m[1]), size: Number(m[2]) >>> 0, refs: extra + 1n });
    }
    yield { table: "sliceRefs", records };
  }
  const acls = [];
  for await (const page of hashPages(call, `${P}acl`)) {
    for (const [f, v] of page) {
      const rule = decodeAcl(v);
      if (rule) acls.push({ id: Number(decimal(f)), rule });
    }
  }
  yield { table: "acls", records: acls };
  for (const kind of ["dir", "user", "group"]) yield { table: "quotas", kind, records: await readQuotas(call, kind, P) };
}
async function* hashPages(call, key) {
  let cursor = Buffer.from("0");
  do {
    const cmds = new CommandBuffer();
    cmds.add(["HSCAN", key, cursor, "COUNT", HASH_PAGE]);
    const [reply] = await call(cmds);
    const [next, flat] = reply;
    cursor = next;
    const page = [];
    for (let i = 0; i + 1 < flat.length; i += 2) page.push([flat[i], flat[i + 1]]);
    if (page.length) yield page;
  } while (!isZero(cursor));
}
var QUOTA_KEYS = {
  dir: ["dirQuota", "dirQuotaUsedSpace", "dirQuotaUsedInodes"],
  user: ["userQuota", "userQuotaUsedSpace", "userQuotaUsedInodes"],
  group: ["groupQuota", "groupQuotaUsedSpace", "groupQuotaUsedInodes"]
};
async function readQuotas(call, kind, prefix) {
  const cmds = new CommandBuffer();
  for (const k of QUOTA_KEYS[kind]) cmds.add(["HGETALL", prefix + k]);
  const [limits, space, inodes] = await call(cmds);
  return quotaRecords(kind, limits, space, inodes);
}
function quotaRecords(kind, limits, space, inodes) {
  const byKey = /* @__PURE__ */ new Map();
  const get = (f) => {
    const k = f.toString("latin1");
    let q = byKey.get(k);
    if (!q) byKey.set(k, q = { key: decimal(f), maxSpace: -1n, maxInodes: -1n, usedSpace: 0n, usedInodes: 0n });
    return q;
  };
  for (let i = 0; i + 1 < limits.length; i += 2) {
    const lim = decodeQuota(limits[i + 1]);
    if (!lim) continue;
    const q = get(limits[i]);
    q.maxSpace = lim.maxSpace;
    q.maxInodes = lim.maxInodes;
  }
  const usage = (flat, set) => {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const k = flat[i].toString("latin1");
      const q = kind === "dir" ? byKey.get(k) : get(flat[i]);
      if (q) set(q, decimal(flat[i + 1]));
    }
  };
  usage(space, (q, v) => q.usedSpace = v);
  usage(inodes, (q, v) => q.usedInodes = v);
  return [...byKey.values()];
}

// lib/engines/redis/rdb.ts
var RDB_MAX_VERSION = 12;
var TYPE_NAMES = {
  6: "module (pre-GA encoding)",
  9: "hash (zipmap, Redis 2.x)",
  15: "stream",
  19: "stream (v2)",
  21: "stream (v3)",
  22: "hash with field expirations (7.4 pre-GA)",
  23: "hash with field expirations (7.4 pre-GA listpack)",
  24: "hash with field expirations",
  25: "hash with field expirations (listpack)"
};
var KIND = {
  [0 /* String */]: "string",
  [1 /* List */]: "list",
  [10 /* ListZiplist */]: "list",
  [14 /* ListQuicklist */]: "list",
  [18 /* ListQuicklist2 */]: "list",
  [2 /* Set */]: "set",
  [11 /* SetIntset */]: "set",
  [20 /* SetListpack */]: "set",
  [3 /* Zset */]: "zset",
  [5 /* Zset2 */]: "zset",
  [12 /* ZsetZiplist */]: "zset",
  [17 /* ZsetListpack */]: "zset",
  [4 /* Hash */]: "hash",
  [13 /* HashZiplist */]: "hash",
  [16 /* HashListpack */]: "hash"
};
var INCOMPLETE2 = /* @__PURE__ */ Symbol("incomplete");
var POLY_LO = 2890647989 | 0;
var POLY_HI = 2511115049 | 0;
var CRC_LO = [];
var CRC_HI = [];
{
  const lo0 = new Int32Array(256);
  const hi0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const odd = lo & 1;
      lo = lo >>> 1 | hi << 31;
      hi = hi >>> 1;
      if (odd) {
        lo ^= POLY_LO;
        hi ^= POLY_HI;
      }
    }
    lo0[i] = lo;
    hi0[i] = hi;
  }
  CRC_LO.push(lo0);
  CRC_HI.push(hi0);
  for (let t = 1; t < 8; t++) {
    const plo = CRC_LO[t - 1];
    const phi = CRC_HI[t - 1];
    const lo = new Int32Array(256);
    const hi = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      const idx = plo[i] & 255;
      lo[i] = (plo[i] >>> 8 | phi[i] << 24) ^ lo0[idx];
      hi[i] = phi[i] >>> 8 ^ hi0[idx];
    }
    CRC_LO.push(lo);
    CRC_HI.push(hi);
  }
}
function crc64(crc, b, from = 0, to = b.length) {
  let lo = crc[0] | 0;
  let hi = crc[1] | 0;
  let i = from;
  const [l0, l1, l2, l3, l4, l5, l6, l7] = CRC_LO;
  const [h0, h1, h2, h3, h4, h5, h6, h7] = CRC_HI;
  for (; i + 8 <= to; i += 8) {
    const a = lo ^ (b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);
    const c = hi ^ (b[i + 4] | b[i + 5] << 8 | b[i + 6] << 16 | b[i + 7] << 24);
    const x0 = a & 255, x1 = a >>> 8 & 255, x2 = a >>> 16 & 255, x3 = a >>> 24;
    const y0 = c & 255, y1 = c >>> 8 & 255, y2 = c >>> 16 & 255, y3 = c >>> 24;
    lo = l7[x0] ^ l6[x1] ^ l5[x2] ^ l4[x3] ^ l3[y0] ^ l2[y1] ^ l1[y2] ^ l0[y3];
    hi = h7[x0] ^ h6[x1] ^ h5[x2] ^ h4[x3] ^ h3[y0] ^ h2[y1] ^ h1[y2] ^ h0[y3];
  }
  for (; i < to; i++) {
    const idx = (lo ^ b[i]) & 255;
    lo = (lo >>> 8 | hi << 24) ^ l0[idx];
    hi = hi >>> 8 ^ h0[idx];
  }
  return [lo, hi];
}
var NO_BYTES2 = Buffer.alloc(0);
var SMALL_INTS = Array.from({ length: 1024 }, (_, i) => Buffer.from(String(i), "latin1"));
var intBuffer = (n) => typeof n === "number" && n >= 0 && n < 1024 ? SMALL_INTS[n] : Buffer.from(String(n), "latin1");
var RdbReader = class {
  constructor(handler) {
    this.handler = handler;
  }
  handler;
  /** The RDB version of the stream (0 until its header is read). */
  version = 0;
  done = false;
  /** Bytes fed after the end of the RDB (a diskless transfer's end mark). */
  rest = NO_BYTES2;
  /** Keys read, in every database. */
  keys = 0;
  buf = NO_BYTES2;
  queue = [];
  queued = 0;
  pos = 0;
  /** Offset in the stream of buf[0]. */
  base = 0;
  /** Bytes (from buf[0]) needed before parsing is worth retrying. */
  needed = 0;
  crc = [0, 0];
  db = 0;
  expiresAt = null;
  open = null;
  openState = { type: 0, left: 0, sink: null };
  /** The open collection's sink's elementAt, as one function made once (not a closure per quicklist node). */
  elementAtOfOpen = (b, s, e) => this.openState.sink.elementAt(b, s, e);
  started = false;
  /** The last strAt(): its bytes are at[0][at[1], at[2]) (see strAt). */
  sb = NO_BYTES2;
  ss = 0;
  se = 0;
  /** Where strAt(slot) decompresses LZF strings, reused: two, for a hash's field and value. */
  scratch = [Buffer.allocUnsafe(256), Buffer.allocUnsafe(256)];
  /** Bytes of the stream consumed so far. */
  get offset() {
    return this.base + this.pos;
  }
  feed(chunk) {
    if (this.done) {
      this.rest = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.buf.length + this.queued < this.needed) return;
    const parts = this.pos < this.buf.length ? [this.buf.subarray(this.pos), ...this.queue] : this.queue;
    this.buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.queue = [];
    this.queued = 0;
    this.base += this.pos;
    this.needed = 0;
    this.pos = 0;
    this.run();
  }
  /** The stream has ended: an error unless the whole RDB was read. */
  end() {
    if (this.done) return;
    throw this.corrupt(`the RDB stream ended at byte ${this.base + this.buf.length + this.queued} before its end marker: the transfer was cut short`);
  }
  corrupt(message) {
    return new JfsError("corrupt-input", message);
  }
  run() {
    const start = this.pos;
    let mark = this.pos;
    try {
      if (!this.started) {
        this.header();
        mark = this.pos;
      }
      for (; ; ) {
        if (this.open) {
          this.element(this.open);
          mark = this.pos;
          if (this.open.left === 0) {
            const o = this.open;
            this.open = null;
            o.sink?.end?.();
          }
          continue;
        }
        if (this.top()) {
          this.crc = crc64(this.crc, this.buf, start, this.pos);
          this.checksum();
          this.rest = this.buf.subarray(this.pos);
          this.buf = NO_BYTES2;
          this.pos = 0;
          return;
        }
        mark = this.pos;
      }
    } catch (err) {
      if (err !== INCOMPLETE2) throw err;
      this.pos = mark;
      this.crc = crc64(this.crc, this.buf, start, mark);
    }
  }
  need(n) {
    if (this.pos + n > this.buf.length) {
      this.needed = this.pos + n;
      throw INCOMPLETE2;
    }
  }
  header() {
    this.need(9);
    const magic = this.buf.toString("latin1", 0, 5);
    const digits = this.buf.toString("latin1", 5, 9);
    if (magic !== "REDIS" || !/^\d{4}$/.test(digits)) {
      const seen = this.buf.toString("latin1", 0, 9).replace(/[^\x20-\x7e]/g, "?");
      throw this.corrupt(`not an RDB stream: it starts with "${seen}", not REDIS and a version`);
    }
    this.version = Number(digits);
    if (this.version < 1 || this.version > RDB_MAX_VERSION) {
      throw new JfsError("unsupported", `the server sent an RDB of version ${this.version}, newer than this reader knows (up to ${RDB_MAX_VERSION}, Redis 7.4)`);
    }
    this.pos = 9;
    this.started = true;
  }
  /** One opcode or key at the top level, whole; true at EOF (the checksum read too). */
  top() {
    this.need(1);
    const at = this.pos;
    const op = this.buf[this.pos++];
    switch (op) {
      case 255 /* Eof */:
        if (this.version >= 5) this.need(8);
        return true;
      case 254 /* SelectDb */:
        this.db = this.len();
        return false;
      case 251 /* ResizeDb */:
        this.len();
        this.len();
        return false;
      case 244 /* SlotInfo */:
        this.len();
        this.len();
        this.len();
        return false;
      case 250 /* Aux */: {
        const name = this.str();
        const value = this.str();
        this.handler.aux?.(name.toString("latin1"), value.toString("latin1"));
        return false;
      }
      case 252 /* ExpireTimeMs */:
        this.need(8);
        this.expiresAt = Number(this.buf.readBigInt64LE(this.pos));
        this.pos += 8;
        return false;
      case 253 /* ExpireTime */:
        this.need(4);
        this.expiresAt = this.buf.readInt32LE(this.pos) * 1e3;
        this.pos += 4;
        return false;
      case 248 /* Idle */:
        this.len();
        return false;
      case 249 /* Freq */:
        this.need(1);
        this.pos++;
        return false;
      case 247 /* ModuleAux */:
        this.len();
        this.moduleValue();
        return false;
      case 245 /* Function2 */:
        this.str();
        return false;
      case 246 /* FunctionPreGa */:
        throw new JfsError("unsupported", `the RDB holds a function in Redis 7.0's pre-release encoding (opcode 246, byte ${this.base + at}), which this reader cannot read`);
      default:
        this.keyValue(op, at);
        return false;
    }
  }
  checksum() {
    if (this.version < 5) {
      this.done = true;
      return;
    }
    const at = this.pos;
    const lo = this.buf.readInt32LE(at);
    const hi = this.buf.readInt32LE(at + 4);
    this.pos += 8;
    if ((lo !== 0 || hi !== 0) && (lo !== this.crc[0] || hi !== this.crc[1])) {
      const hex = (l, h) => (h >>> 0).toString(16).padStart(8, "0") + (l >>> 0).toString(16).padStart(8, "0");
      throw this.corrupt(`the RDB stream's checksum at byte ${this.base + at} is ${hex(lo, hi)}, but its bytes sum to ${hex(this.crc[0], this.crc[1])}: the snapshot was damaged in transfer`);
    }
    this.done = true;
  }
  keyValue(type, at) {
    const kind = KIND[type];
    const skippable = type === 7 /* Module2 */;
    if (kind === void 0 && !skippable) {
      const what = TYPE_NAMES[type] ?? "unknown";
      throw new JfsError(
        "unsupported",
        `the RDB holds a value of type ${type} (${what}) at byte ${this.base + at}, which this reader cannot read: dump with JFSMETA_REDIS_RDB=0 (the SCAN reader) instead`
      );
    }
    this.strAt(1);
    const kb = this.sb;
    const ks = this.ss;
    const ke = this.se;
    if (skippable) {
      this.len();
      this.moduleValue();
      this.expiresAt = null;
      this.keys++;
      return;
    }
    let count = 0;
    let blob = null;
    let sb = NO_BYTES2;
    let ss = 0;
    let se = 0;
    switch (type) {
      case 0 /* String */:
        this.strAt(0);
        sb = this.sb;
        ss = this.ss;
        se = this.se;
        break;
      case 1 /* List */:
      case 2 /* Set */:
      case 3 /* Zset */:
      case 5 /* Zset2 */:
      case 4 /* Hash */:
      case 14 /* ListQuicklist */:
      case 18 /* ListQuicklist2 */:
        count = this.len();
        break;
      default:
        blob = this.str();
    }
    const expiresAt = this.expiresAt;
    this.expiresAt = null;
    this.keys++;
    const h = this.handler;
    const sink = h.keyAt ? h.keyAt(this.db, kb, ks, ke, kind, expiresAt) : h.key(this.db, this.view(kb, ks, ke), kind, expiresAt);
    if (type === 0 /* String */) {
      if (sink?.stringAt) sink.stringAt(sb, ss, se);
      else sink?.string?.(this.view(sb, ss, se));
      sink?.end?.();
      return;
    }
    if (blob) {
      if (sink) this.decodeBlob(type, blob, sink, at);
      sink?.end?.();
      return;
    }
    if (count === 0) {
      sink?.end?.();
      return;
    }
    const o = this.openState;
    o.type = type;
    o.left = count;
    o.sink = sink;
    this.open = o;
  }
  /** One element of an open collection, whole (a hash: field and value). */
  element(o) {
    const sink = o.sink;
    switch (o.type) {
      case 1 /* List */:
      case 2 /* Set */: {
        this.strAt(0);
        if (sink?.elementAt) sink.elementAt(this.sb, this.ss, this.se);
        else sink?.element?.(this.view(this.sb, this.ss, this.se));
        break;
      }
      case 4 /* Hash */: {
        this.strAt(0);
        const fb = this.sb;
        const fs = this.ss;
        const fe = this.se;
        this.strAt(1);
        if (sink?.fieldAt) sink.fieldAt(fb, fs, fe, this.sb, this.ss, this.se);
        else sink?.field?.(this.view(fb, fs, fe), this.view(this.sb, this.ss, this.se));
        break;
      }
      case 3 /* Zset */: {
        const m = this.str();
        this.need(1);
        const n = this.buf[this.pos];
        let score;
        if (n >= 253) {
          this.pos++;
          score = n === 253 ? NaN : n === 254 ? Infinity : -Infinity;
        } else {
          this.need(1 + n);
          score = Number(this.buf.toString("latin1", this.pos + 1, this.pos + 1 + n));
          this.pos += 1 + n;
        }
        sink?.member?.(m, score);
        break;
      }
      case 5 /* Zset2 */: {
        const m = this.str();
        this.need(8);
        const score = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        sink?.member?.(m, score);
        break;
      }
      case 14 /* ListQuicklist */: {
        const at = this.pos;
        const zl = this.str();
        if (sink) ziplist(zl, this.base + at, (v) => sink.element?.(v));
        break;
      }
      case 18 /* ListQuicklist2 */: {
        const at = this.pos;
        const container = this.len();
        this.strAt(0);
        const { sb, ss, se } = this;
        if (!sink) break;
        if (container === 1) {
          if (sink.elementAt) sink.elementAt(sb, ss, se);
          else sink.element?.(this.view(sb, ss, se));
        } else if (container === 2) listpackAt(sb, ss, se, this.base + at, sink.elementAt ? this.elementAtOfOpen : (b, s, e) => sink.element?.(this.view(b, s, e)));
        else throw this.corrupt(`a quicklist node at byte ${this.base + at} has container type ${container} (neither plain 1 nor packed 2)`);
        break;
      }
    }
    o.left--;
  }
  decodeBlob(type, blob, sink, at) {
    const where = this.base + at;
    switch (type) {
      case 10 /* ListZiplist */:
        ziplist(blob, where, (v) => sink.element?.(v));
        return;
      case 11 /* SetIntset */:
        intset(blob, where, (v) => sink.element?.(v));
        return;
      case 20 /* SetListpack */:
        listpack(blob, where, (v) => sink.element?.(v));
        return;
      case 16 /* HashListpack */:
        if (sink.fieldAt) {
          let fb = null;
          let fs = 0;
          let fe = 0;
          listpackAt(blob, 0, blob.length, where, (b, s, e) => {
            if (fb === null) {
              fb = b;
              fs = s;
              fe = e;
            } else {
              sink.fieldAt(fb, fs, fe, b, s, e);
              fb = null;
            }
          });
          if (fb !== null) throw this.corrupt(`a hash at byte ${where} has a field without a value`);
          return;
        }
      // falls through
      case 13 /* HashZiplist */:
      case 12 /* ZsetZiplist */:
      case 17 /* ZsetListpack */: {
        const hash = type === 13 /* HashZiplist */ || type === 16 /* HashListpack */;
        let first = null;
        const each = (v) => {
          if (first === null) first = v;
          else {
            if (hash) sink.field?.(first, v);
            else sink.member?.(first, Number(v.toString("latin1")));
            first = null;
          }
        };
        if (type === 13 /* HashZiplist */ || type === 12 /* ZsetZiplist */) ziplist(blob, where, each);
        else listpack(blob, where, each);
        if (first !== null) {
          throw this.corrupt(hash ? `a hash at byte ${where} has a field without a value` : `a sorted set at byte ${where} has a member without a score`);
        }
        return;
      }
    }
  }
  /** A module value or aux field: typed opcodes (rdbLoadCheckModuleValue) until EOF (0). */
  moduleValue() {
    for (; ; ) {
      const op = this.len();
      switch (op) {
        case 0:
          return;
        case 1:
        case 2:
          this.len();
          break;
        case 3:
          this.need(4);
          this.pos += 4;
          break;
        case 4:
          this.need(8);
          this.pos += 8;
          break;
        case 5:
          this.str();
          break;
        default:
          throw this.corrupt(`a module value holds an unknown opcode ${op} at byte ${this.offset}`);
      }
    }
  }
  /** A length (rdbLoadLen); an encoded-string marker is an error here. */
  len() {
    const n = this.lenOrEnc();
    if (n < 0) throw this.corrupt(`an encoded string where a length belongs, at byte ${this.offset}`);
    return n;
  }
  /** A length, or -1 - encoding for a specially encoded string (its encoding byte consumed). */
  lenOrEnc() {
    this.need(1);
    const b = this.buf[this.pos];
    switch (b >> 6) {
      case 0:
        this.pos++;
        return b & 63;
      case 1:
        this.need(2);
        this.pos += 2;
        return (b & 63) << 8 | this.buf[this.pos - 1];
      case 2:
        if (b === 128) {
          this.need(5);
          const n = this.buf.readUInt32BE(this.pos + 1);
          this.pos += 5;
          return n;
        }
        if (b === 129) {
          this.need(9);
          const n = Number(this.buf.readBigUInt64BE(this.pos + 1));
          this.pos += 9;
          return n;
        }
        throw this.corrupt(`an unknown length encoding 0x${b.toString(16)} at byte ${this.offset}`);
      default:
        this.pos++;
        return -1 - (b & 63);
    }
  }
  /**
   * A string as str() reads it, left as sb[ss, se) with no Buffer made: a raw one in the chunk,
   * an integer's decimal, an LZF one decompressed into scratch[slot] (valid until the next
   * strAt of that slot).
   */
  strAt(slot) {
    const n = this.lenOrEnc();
    if (n >= 0) {
      this.need(n);
      this.sb = this.buf;
      this.ss = this.pos;
      this.se = this.pos += n;
      return;
    }
    if (-1 - n === 3) {
      const at = this.offset - 1;
      const clen = this.len();
      const ulen = this.len();
      this.need(clen);
      let out = this.scratch[slot];
      if (out.length < ulen) out = this.scratch[slot] = Buffer.allocUnsafe(Math.max(ulen, 2 * out.length));
      lzfInto(this.buf, this.pos, this.pos + clen, out, ulen, at);
      this.pos += clen;
      this.sb = out;
      this.ss = 0;
      this.se = ulen;
      return;
    }
    const v = this.str(n);
    this.sb = v;
    this.ss = 0;
    this.se = v.length;
  }
  /** b[s, e) as a Buffer the receiver may keep: a copy when b is a scratch buffer. */
  view(b, s, e) {
    if (b === this.scratch[0] || b === this.scratch[1]) {
      const out = Buffer.allocUnsafe(e - s);
      b.copy(out, 0, s, e);
      return out;
    }
    return s === 0 && e === b.length ? b : b.subarray(s, e);
  }
  /** A string (rdbGenericLoadStringObject): raw, an integer as decimal, or LZF-decompressed. `n`: its length or encoding, when already read. */
  str(n = this.lenOrEnc()) {
    if (n >= 0) {
      this.need(n);
      const s = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    const enc = -1 - n;
    switch (enc) {
      case 0:
        this.need(1);
        return intBuffer(this.buf.readInt8(this.pos++));
      case 1: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return intBuffer(v);
      }
      case 2: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return intBuffer(v);
      }
      case 3: {
        const at = this.offset - 1;
        const clen = this.len();
        const ulen = this.len();
        this.need(clen);
        const out = lzf(this.buf, this.pos, this.pos + clen, ulen, at);
        this.pos += clen;
        return out;
      }
      default:
        throw this.corrupt(`an unknown string encoding ${enc} at byte ${this.offset - 1}`);
    }
  }
};
function corruptAt(what, at) {
  return new JfsError("corrupt-input", `${what} in the RDB stream (the value at byte ${at}): the snapshot is damaged`);
}
function lzf(input, from, to, ulen, at) {
  return lzfInto(input, from, to, Buffer.allocUnsafe(ulen), ulen, at);
}
function lzfInto(input, from, to, out, ulen, at) {
  let ip = from;
  let op = 0;
  while (ip < to) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > ulen || ip + n > to) throw corruptAt("an LZF literal runs past its end", at);
      for (let k = 0; k < n; k++) out[op++] = input[ip++];
    } else {
      let n = ctrl >> 5;
      let ref = op - ((ctrl & 31) << 8) - 1;
      if (n === 7) {
        if (ip >= to) throw corruptAt("an LZF back reference is cut short", at);
        n += input[ip++];
      }
      if (ip >= to) throw corruptAt("an LZF back reference is cut short", at);
      ref -= input[ip++];
      n += 2;
      if (op + n > ulen || ref < 0) throw corruptAt("an LZF back reference points outside its data", at);
      for (let k = 0; k < n; k++) out[op++] = out[ref++];
    }
  }
  if (op !== ulen) throw corruptAt(`an LZF string decompresses to ${op} bytes, not the ${ulen} stated`, at);
  return out;
}
function ziplist(zl, at, each) {
  if (zl.length < 11) throw corruptAt("a ziplist shorter than its header", at);
  let p = 10;
  for (; ; ) {
    if (p >= zl.length) throw corruptAt("a ziplist without its end byte", at);
    if (zl[p] === 255) return;
    p += zl[p] === 254 ? 5 : 1;
    const e = zl[p];
    const top = e >> 6;
    if (top === 0) {
      const n = e & 63;
      each(zl.subarray(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (top === 1) {
      const n = (e & 63) << 8 | zl[p + 1];
      each(zl.subarray(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (top === 2) {
      const n = zl.readUInt32BE(p + 1);
      each(zl.subarray(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (e === 192) {
      each(intBuffer(zl.readInt16LE(p + 1)));
      p += 3;
    } else if (e === 208) {
      each(intBuffer(zl.readInt32LE(p + 1)));
      p += 5;
    } else if (e === 224) {
      each(intBuffer(zl.readBigInt64LE(p + 1)));
      p += 9;
    } else if (e === 240) {
      each(intBuffer(zl.readIntLE(p + 1, 3)));
      p += 4;
    } else if (e === 254) {
      each(intBuffer(zl.readInt8(p + 1)));
      p += 2;
    } else if (e >= 241 && e <= 253) {
      each(intBuffer((e & 15) - 1));
      p += 1;
    } else {
      throw corruptAt(`a ziplist entry of unknown encoding 0x${e.toString(16)}`, at);
    }
    if (p > zl.length) throw corruptAt("a ziplist entry runs past its end", at);
  }
}
var backLen = (n) => n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5;
function listpack(lp, at, each) {
  listpackAt(lp, 0, lp.length, at, (b, s, e) => each(s === 0 && e === b.length ? b : b.subarray(s, e)));
}
var intAt = (v, each) => {
  const b = intBuffer(v);
  each(b, 0, b.length);
};
function listpackAt(lp, from, to, at, each) {
  if (to - from < 7) throw corruptAt("a listpack shorter than its header", at);
  let p = from + 6;
  for (; ; ) {
    if (p >= to) throw corruptAt("a listpack without its end byte", at);
    const e = lp[p];
    if (e === 255) return;
    let size;
    if (e < 128) {
      intAt(e, each);
      size = 1;
    } else if (e >> 6 === 2) {
      const n = e & 63;
      if (p + 1 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 1, p + 1 + n);
      size = 1 + n;
    } else if (e >> 5 === 6) {
      let v = (e & 31) << 8 | lp[p + 1];
      if (v >= 4096) v -= 8192;
      intAt(v, each);
      size = 2;
    } else if (e >> 4 === 14) {
      const n = (e & 15) << 8 | lp[p + 1];
      if (p + 2 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 2, p + 2 + n);
      size = 2 + n;
    } else if (e === 240) {
      const n = lp.readUInt32LE(p + 1);
      if (p + 5 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 5, p + 5 + n);
      size = 5 + n;
    } else if (e === 241) {
      intAt(lp.readInt16LE(p + 1), each);
      size = 3;
    } else if (e === 242) {
      intAt(lp.readIntLE(p + 1, 3), each);
      size = 4;
    } else if (e === 243) {
      intAt(lp.readInt32LE(p + 1), each);
      size = 5;
    } else if (e === 244) {
      intAt(lp.readBigInt64LE(p + 1), each);
      size = 9;
    } else {
      throw corruptAt(`a listpack entry of unknown encoding 0x${e.toString(16)}`, at);
    }
    p += size + backLen(size);
    if (p > to) throw corruptAt("a listpack entry runs past its end", at);
  }
}
function intset(is, at, each) {
  if (is.length < 8) throw corruptAt("an intset shorter than its header", at);
  const width = is.readUInt32LE(0);
  const n = is.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8 || 8 + width * n > is.length) throw corruptAt(`an intset of ${n} members of ${width} bytes`, at);
  for (let i = 0, p = 8; i < n; i++, p += width) {
    each(intBuffer(width === 2 ? is.readInt16LE(p) : width === 4 ? is.readInt32LE(p) : is.readBigInt64LE(p)));
  }
}

// lib/engines/redis/rdb-tables.ts
var RDB_BATCH = 1e3;
var DIR_STATS = ["dirUsedInodes", "dirDataLength", "dirUsedSpace"];
var QUOTA_HASHES = /* @__PURE__ */ new Map();
for (const kind of ["dir", "user", "group"]) QUOTA_KEYS[kind].forEach((name, part) => QUOTA_HASHES.set(name, { kind, part }));
var KIND_NAMES = { [1 /* Entries */]: "directory", [2 /* Chunk */]: "chunk", [4 /* Xattrs */]: "xattr", [5 /* Parents */]: "parent" };
var EXPECTED = { [1 /* Entries */]: "hash", [2 /* Chunk */]: "list", [4 /* Xattrs */]: "hash", [5 /* Parents */]: "hash" };
var ENCODED = ["nodes", "edges", "chunks"];
var TWO32 = 2 ** 32;
async function* rdbTables(src, transfer, gate = (q) => q(), encoder) {
  const P = Buffer.from(src.p, "latin1");
  const out = new Batches(RDB_BATCH);
  const sliceRefs = [];
  const acls = [];
  const stats = [/* @__PURE__ */ new Map(), /* @__PURE__ */ new Map(), /* @__PURE__ */ new Map()];
  const quotaFlat = { dir: [[], [], []], user: [[], [], []], group: [[], [], []] };
  const now = Date.now();
  const damaged = (what) => new JfsError("corrupt-input", `Redis at ${src.addr}: ${what}: the metadata is damaged`);
  const copy = (b) => Buffer.from(b);
  let inode = 0n;
  let ino = 0;
  let index = 0;
  const slices = [];
  const attrSink = { string: (v) => out.nodes.push({ inode, attr: v }) };
  const symlinkSink = { string: (v) => v.length > 0 && out.symlinks.push({ inode, target: copy(v) }) };
  const entriesSink = {
    field: (name, v) => {
      if (v.length !== 9) throw damaged(`directory ${inode} has an entry "${name.toString("latin1")}" of ${v.length} bytes, not 9`);
      out.edges.push({ parent: inode, inode: readU64(v, 1), name, type: v[0] });
    }
  };
  const chunkSink = {
    element: (v) => v.length === SLICE_BYTES && slices.push(v),
    end: () => {
      if (slices.length) out.chunks.push({ inode, index, slices: slices.length === 1 ? slices[0] : Buffer.concat(slices) });
      slices.length = 0;
    }
  };
  const xattrSink = { field: (name, value) => out.xattrs.push({ inode, name: copy(name), value: copy(value) }) };
  const parentSink = {
    field: (f, v) => {
      const cnt = decimal(v);
      if (cnt > 0n) out.parents.push({ inode, parent: decimal(f), cnt });
    }
  };
  if (encoder) {
    const attrAt = (b, s, e) => encoder.node(ino, b, s, e);
    attrSink.stringAt = attrAt;
    attrSink.string = (v) => attrAt(v, 0, v.length);
    const entryAt = (f, fs, fe, v, vs, ve) => {
      if (ve - vs !== 9) throw damaged(`directory ${ino} has an entry "${f.toString("latin1", fs, fe)}" of ${ve - vs} bytes, not 9`);
      const hi = v.readUInt32BE(vs + 1);
      encoder.edge(ino, hi < 2097152 ? hi * TWO32 + v.readUInt32BE(vs + 5) : v.readBigUInt64BE(vs + 1), f, fs, fe, v[vs]);
    };
    entriesSink.fieldAt = entryAt;
    entriesSink.field = (f, v) => entryAt(f, 0, f.length, v, 0, v.length);
    let sliceBytes = Buffer.allocUnsafe(SLICE_BYTES * 64);
    let sliceEnd = 0;
    const sliceAt = (b, s, e) => {
      if (e - s !== SLICE_BYTES) return;
      if (sliceEnd + SLICE_BYTES > sliceBytes.length) {
        const grown = Buffer.allocUnsafe(2 * sliceBytes.length);
        sliceBytes.copy(grown, 0, 0, sliceEnd);
        sliceBytes = grown;
      }
      for (let i = s; i < e; i++) sliceBytes[sliceEnd++] = b[i];
    };
    chunkSink.elementAt = sliceAt;
    chunkSink.element = (v) => sliceAt(v, 0, v.length);
    chunkSink.end = () => {
      if (sliceEnd) encoder.chunk(ino, index, sliceBytes, 0, sliceEnd);
      sliceEnd = 0;
    };
  }
  const sinkFor = (b, s, e, kind) => {
    const at = s + P.length;
    const kindOf = classifyKey(b, at, e);
    if (kindOf !== -1) {
      ino = KEY.inode;
      index = KEY.index;
      inode = !encoder || kindOf > 2 /* Chunk */ ? typeof ino === "bigint" ? ino : BigInt(ino) : 0n;
      switch (kindOf) {
        case 0 /* Attr */:
          return kind === "string" ? attrSink : null;
        case 3 /* Symlink */:
          return kind === "string" ? symlinkSink : null;
        default:
          if (kind !== EXPECTED[kindOf]) throw damaged(`the ${KIND_NAMES[kindOf]} key "${b.toString("latin1", s, e)}" holds a ${kind}, not a ${EXPECTED[kindOf]}`);
      }
      switch (kindOf) {
        case 1 /* Entries */:
          return entriesSink;
        case 2 /* Chunk */:
          return chunkSink;
        case 4 /* Xattrs */:
          return xattrSink;
        case 5 /* Parents */:
          return parentSink;
      }
      return null;
    }
    if (kind !== "hash") return null;
    const name = b.toString("latin1", at, e);
    const stat = DIR_STATS.indexOf(name);
    if (stat >= 0) {
      const m = stats[stat];
      return { field: (f, v) => m.set(f.toString("latin1"), copy(v)) };
    }
    if (name === "sliceRef") {
      return {
        field: (f, v) => {
          const m = /^k(\d+)_(\d+)$/.exec(f.toString("latin1"));
          const extra = decimal(v);
          if (m && extra !== 0n) sliceRefs.push({ id: BigInt(m[1]), size: Number(m[2]) >>> 0, refs: extra + 1n });
        }
      };
    }
    if (name === "acl") {
      return {
        field: (f, v) => {
          const rule = decodeAcl(v);
          if (rule) acls.push({ id: Number(decimal(f)), rule });
        }
      };
    }
    const quota = QUOTA_HASHES.get(name);
    if (quota) {
      const flat = quotaFlat[quota.kind][quota.part];
      return { field: (f, v) => flat.push(copy(f), copy(v)) };
    }
    return null;
  };
  const keyAt = (db, b, s, e, kind, expiresAt) => {
    if (db !== src.db || expiresAt !== null && expiresAt <= now) return null;
    if (P.length && (e - s <= P.length || P.compare(b, s, s + P.length) !== 0)) return null;
    return sinkFor(b, s, e, kind);
  };
  const reader = new RdbReader({ keyAt, key: (db, key, kind, expiresAt) => keyAt(db, key, 0, key.length, kind, expiresAt) });
  try {
    const chunks = transfer.chunks[Symbol.asyncIterator]();
    for (; ; ) {
      const r = await gate(() => chunks.next());
      if (r.done) break;
      reader.feed(r.value);
      if (encoder) {
        for (const field of ENCODED) if (encoder.count(field) >= RDB_BATCH) yield encoder.take(field);
      }
      yield* out.take(false);
      while (sliceRefs.length >= BATCH) yield { table: "sliceRefs", records: sliceRefs.splice(0, BATCH) };
      if (reader.done && (!transfer.eofMark || reader.rest.length >= transfer.eofMark.length)) break;
    }
    if (!reader.done) {
      throw new JfsError("unreachable", `Redis at ${src.addr}: the connection was lost at byte ${reader.offset} of the server's snapshot, before its end: nothing of this dump is trusted; run it again`);
    }
    if (transfer.eofMark && !reader.rest.subarray(0, transfer.eofMark.length).equals(transfer.eofMark)) {
      throw new JfsError("corrupt-input", `Redis at ${src.addr}: the snapshot's stream did not end with the mark the server announced (byte ${reader.offset}): the transfer was damaged`);
    }
  } catch (err) {
    if (err instanceof JfsError && err.kind === "corrupt-input" && !err.message.startsWith("Redis at")) {
      throw new JfsError("corrupt-input", `Redis at ${src.addr}: ${err.message}`, { cause: err });
    }
    throw err;
  } finally {
    transfer.close();
  }
  if (encoder) {
    for (const field of ENCODED) {
      const b = encoder.take(field);
      if (b) yield b;
    }
  }
  yield* out.take(true);
  if (sliceRefs.length) yield { table: "sliceRefs", records: sliceRefs };
  const [inodes, data, space] = stats;
  let records = [];
  for (const [f, used] of inodes) {
    records.push({ inode: decimal(Buffer.from(f, "latin1")), dataLength: decimal(data.get(f) ?? null), usedSpace: decimal(space.get(f) ?? null), usedInodes: decimal(used) });
    if (records.length >= BATCH) {
      yield { table: "dirStats", records };
      records = [];
    }
  }
  if (records.length) yield { table: "dirStats", records };
  for (const m of stats) m.clear();
  yield { table: "acls", records: acls };
  for (const kind of ["dir", "user", "group"]) {
    const [limits, used, count] = quotaFlat[kind];
    yield { table: "quotas", kind, records: quotaRecords(kind, limits, used, count) };
  }
}

// lib/engines/redis/sync.ts
import net2 from "node:net";
import tls2 from "node:tls";
var SyncRefused = class extends JfsError {
  constructor(reason, options) {
    super("refused", reason, options);
  }
};
var START_TIMEOUT_MS = 10 * 6e4;
function connect(o) {
  return new Promise((resolve, reject) => {
    let socket;
    const done = () => {
      socket.off("error", reject);
      resolve(socket);
    };
    if (o.path) socket = net2.connect({ path: o.path }, done);
    else if (o.tls) socket = tls2.connect({ host: o.host, port: o.port, ...o.tls }, done);
    else socket = net2.connect({ host: o.host ?? "localhost", port: o.port ?? 6379 }, done);
    socket.once("error", reject);
  });
}
async function requestRdb(o, opts = {}) {
  let socket;
  try {
    socket = await connect(o);
  } catch (err) {
    throw new SyncRefused(`cannot open a connection for SYNC: ${err.message}`, { cause: err });
  }
  const iter = socket[Symbol.asyncIterator]();
  const close = () => socket.destroy();
  try {
    const cmds = new CommandBuffer();
    const steps = [];
    if (o.password) {
      cmds.add(o.username ? ["AUTH", o.username, o.password] : ["AUTH", o.password]);
      steps.push({ what: "AUTH", required: true });
    }
    cmds.add(["REPLCONF", "capa", "eof"]);
    steps.push({ what: "REPLCONF capa eof", required: true });
    cmds.add(["REPLCONF", "rdb-only", "1"]);
    steps.push({ what: "REPLCONF rdb-only", required: false });
    socket.setNoDelay(true);
    socket.write(cmds.take());
    let data = Buffer.alloc(0);
    const deadline = Date.now() + (opts.timeoutMs ?? START_TIMEOUT_MS);
    const more = async () => {
      const left = deadline - Date.now();
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new SyncRefused(`the server sent no snapshot within ${Math.round((opts.timeoutMs ?? START_TIMEOUT_MS) / 1e3)} s of SYNC`)), Math.max(0, left));
      });
      try {
        const r = await Promise.race([iter.next(), timeout]);
        if (r.done) throw new SyncRefused("the server closed the connection after SYNC without sending a snapshot");
        data = data.length ? Buffer.concat([data, r.value]) : r.value;
      } finally {
        clearTimeout(timer);
      }
    };
    const line = async () => {
      for (; ; ) {
        let i = 0;
        while (i < data.length && data[i] === 10) i++;
        if (i) data = data.subarray(i);
        const end = data.indexOf("\r\n");
        if (end >= 0) {
          const s = data.toString("latin1", 0, end);
          data = data.subarray(end + 2);
          return s;
        }
        if (data.length > 4096) throw new SyncRefused(`the server answered SYNC with something that is not a snapshot ("${data.toString("latin1", 0, 40)}\u2026")`);
        await more();
      }
    };
    for (const step of steps) {
      const reply = await line();
      if (reply.startsWith("-") && step.required) throw new SyncRefused(`${step.what} was refused: ${reply.slice(1)}`);
    }
    socket.write("SYNC\r\n");
    const head = await line();
    if (head.startsWith("-")) throw new SyncRefused(`SYNC was refused: ${head.slice(1)}`);
    let eofMark = null;
    let length = null;
    if (head.startsWith("$EOF:") && head.length === 45) eofMark = Buffer.from(head.slice(5), "latin1");
    else if (/^\$\d+$/.test(head)) length = Number(head.slice(1));
    else throw new SyncRefused(`the server answered SYNC with "${head.slice(0, 60)}", not a snapshot`);
    const startedAt = /* @__PURE__ */ new Date();
    const first = data;
    async function* chunks() {
      try {
        let left = length ?? Infinity;
        let next = first;
        for (; ; ) {
          if (next && next.length) {
            const take = next.length > left ? next.subarray(0, left) : next;
            left -= take.length;
            yield take;
          }
          if (left <= 0) return;
          const r = await iter.next();
          if (r.done) return;
          next = r.value;
        }
      } finally {
        close();
      }
    }
    return { eofMark, length, startedAt, chunks: chunks(), close };
  } catch (err) {
    close();
    if (err instanceof SyncRefused) throw err;
    throw new SyncRefused(`the connection for SYNC failed: ${err.message}`, { cause: err });
  }
}

// lib/engines/redis/replica.ts
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net3 from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
var REPLICA_SYNC_TIMEOUT_MS = 30 * 6e4;
function liveAddress(options) {
  if (options.path) {
    throw new JfsError("unsupported", "--consistent on Redis starts a replica of the server, which cannot replicate over a Unix socket: use the server's host:port in the META-URL");
  }
  if (options.tls) {
    throw new JfsError("unsupported", "--consistent on Redis over TLS (rediss://) is not supported yet: dump without --consistent, or from a replica you run yourself");
  }
  return { host: options.host ?? "127.0.0.1", port: options.port ?? 6379 };
}
function infoFields(text) {
  const m = /* @__PURE__ */ new Map();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function freezeReplica(live, opts = {}) {
  const { host, port: livePort } = liveAddress(live);
  const bin = opts.bin ?? "redis-server";
  const dir = await mkdtemp(path.join(tmpdir(), "jfsmeta-replica-"));
  const port = await freePort();
  let proc = null;
  let client = null;
  let stopped = null;
  const stop = () => stopped ??= (async () => {
    client?.disconnect();
    const p = proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once("exit", () => r()));
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 5e3);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  })();
  try {
    proc = await startServer(bin, dir, port, Math.max(16, opts.db + 1));
    client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on("error", () => {
    });
    await client.connect();
    if (live.username) await client.config("SET", "masteruser", live.username);
    if (live.password) await client.config("SET", "masterauth", live.password);
    await client.replicaof(host, livePort);
    const deadline = Date.now() + (opts.timeoutMs ?? REPLICA_SYNC_TIMEOUT_MS);
    for (; ; ) {
      if (opts.signal?.aborted) throw new JfsError("interrupted", "dump cancelled while the replica was syncing");
      const info = infoFields(await client.info("replication"));
      if (info.get("master_link_status") === "up" && info.get("master_sync_in_progress") === "0") break;
      if (proc.exitCode !== null) throw new JfsError("internal", `the private redis-server replica exited (code ${proc.exitCode}); its log was ${path.join(dir, "redis.log")}`);
      if (Date.now() > deadline) {
        throw new JfsError(
          "unreachable",
          `the private replica of ${host}:${livePort} did not finish its initial sync in time (link ${info.get("master_link_status") ?? "?"}): check that this host can reach the server and that the META-URL's user may replicate (ACL +psync +replconf +ping)`
        );
      }
      await sleep(50);
    }
    await client.replicaof("NO", "ONE");
    const takenAt = (opts.now ?? (() => /* @__PURE__ */ new Date()))();
    const options = { ...live, host: "127.0.0.1", port, username: void 0, password: void 0, tls: void 0 };
    return { options, takenAt, stop };
  } catch (err) {
    await stop().catch((e) => logIgnored("stopping the private Redis replica", e));
    throw err instanceof JfsError ? err : wrapError("--consistent: making a point-in-time replica of the Redis server", err, "unreachable");
  }
}
async function startServer(bin, dir, port, databases) {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--databases",
    String(databases),
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    // The RDB from the live server goes to memory, never to this host's disk.
    "--repl-diskless-load",
    "on-empty-db",
    // The binary dump then asks this copy for its snapshot (SYNC): no wait for other replicas.
    "--repl-diskless-sync-delay",
    "0",
    "--logfile",
    path.join(dir, "redis.log")
  ];
  const proc = spawn(bin, args, { stdio: "ignore" });
  const failed = new Promise(
    (_, reject) => proc.once(
      "error",
      (err) => reject(
        err.code === "ENOENT" ? new JfsError("unsupported", `--consistent on Redis needs redis-server on this host (it runs a private replica for the dump) and ${bin} was not found: install it (e.g. apt install redis-server) or dump without --consistent`, { cause: err }) : wrapError(`starting ${bin}`, err)
      )
    )
  );
  failed.catch(() => {
  });
  const deadline = Date.now() + 1e4;
  for (; ; ) {
    const listening = await Promise.race([
      failed,
      new Promise((resolve) => {
        const sock = net3.connect(port, "127.0.0.1");
        sock.once("connect", () => (sock.destroy(), resolve(true)));
        sock.once("error", () => (sock.destroy(), resolve(false)));
      })
    ]);
    if (listening) return proc;
    if (proc.exitCode !== null) throw new JfsError("internal", `the private redis-server exited at start (code ${proc.exitCode}); its log: ${path.join(dir, "redis.log")}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new JfsError("internal", `the private redis-server did not listen on port ${port} in time`);
    }
    await sleep(25);
  }
}

// lib/engines/redis/topology.ts
import { Cluster, Redis as Redis2 } from "ioredis";
var FAILOVER_WAIT_MS = 6e4;
function failoverWaitMs(env = process.env) {
  const v = env.JFSMETA_FAILOVER_WAIT_MS;
  if (v === void 0 || v === "") return FAILOVER_WAIT_MS;
  if (!/^\d+$/.test(v)) throw new JfsError("usage", `JFSMETA_FAILOVER_WAIT_MS="${v}" is not a whole number of milliseconds`);
  return Number(v);
}
var FAILOVER_REPLY = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|LOADING|READONLY)\b/;
function isFailoverReply(message) {
  return FAILOVER_REPLY.test(message);
}
function isFailoverError(err) {
  if (err instanceof JfsError && err.kind === "unreachable") return true;
  if (networkErrorCode(err)) return true;
  const msg = err?.message ?? "";
  return isFailoverReply(msg) || /MaxRetriesPerRequest|Failed to refresh slots cache|None of startup nodes is available|All sentinels are unreachable/i.test(msg);
}
async function ask(at, options, question) {
  const c = new Redis2({
    host: at.host,
    port: at.port,
    username: options.username,
    password: options.password,
    tls: options.tls,
    lazyConnect: true,
    connectTimeout: Math.min(options.connectTimeout ?? 1e4, 3e3),
    commandTimeout: 5e3,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false
  });
  let first = null;
  c.on("error", (err) => first ??= err);
  try {
    try {
      await c.connect();
    } catch (err) {
      throw first ?? err;
    }
    return await question(c);
  } finally {
    c.disconnect();
  }
}
async function sentinelMaster(target) {
  const s = target.sentinel;
  const failures = [];
  for (const at of s.sentinels) {
    try {
      const addr = await ask(
        at,
        { password: s.password, tls: target.options.tls },
        (c) => c.call("SENTINEL", "get-master-addr-by-name", s.name)
      );
      if (addr && addr.length === 2) return { host: addr[0], port: Number(addr[1]) };
      failures.push(`${formatHostPort(at)} knows no master named "${s.name}"`);
    } catch (err) {
      const msg = err.message;
      if (/NOAUTH|WRONGPASS|invalid password/i.test(msg)) {
        throw new JfsError("auth", `the sentinel at ${formatHostPort(at)} requires a password: set SENTINEL_PASSWORD (the META-URL's password is the master's)`, { cause: err });
      }
      failures.push(`${formatHostPort(at)}: ${networkErrorCode(err) ?? msg}`);
    }
  }
  throw new JfsError("unreachable", `no sentinel of redis://${target.addr} named the master "${s.name}" (${failures.join("; ")}): check the sentinels' addresses and the master name in the META-URL`);
}
var ClusterMap = class {
  constructor(target, prefix) {
    this.target = target;
    this.prefix = prefix;
    this.known = [...target.clusterNodes ?? []];
  }
  target;
  prefix;
  slot = null;
  /** Every node address seen (the URL's, then CLUSTER SLOTS'): where to ask next time. */
  known;
  /** The master serving the volume's slot now, asked of the first node that answers. */
  async master() {
    const failures = [];
    for (const at of [...this.known]) {
      try {
        return await ask(at, this.target.options, async (c) => {
          this.slot ??= Number(await c.call("CLUSTER", "KEYSLOT", this.prefix));
          const slots = await c.call("CLUSTER", "SLOTS");
          for (const [, , ...nodes] of slots) {
            for (const [host2, port2] of nodes) {
              if (!this.known.some((k) => k.host === host2 && k.port === Number(port2))) this.known.push({ host: host2, port: Number(port2) });
            }
          }
          const range = slots.find(([from, to]) => this.slot >= from && this.slot <= to);
          if (!range) throw new JfsError("unreachable", `no master serves slot ${this.slot} (of the key prefix ${this.prefix}) yet`);
          const [host, port] = range[2];
          return { host: host || at.host, port: Number(port) };
        });
      } catch (err) {
        if (err instanceof JfsError && err.kind === "unreachable") throw err;
        const msg = err.message;
        if (/NOAUTH|WRONGPASS|invalid password|NOPERM/i.test(msg)) throw err;
        if (/cluster support disabled/i.test(msg)) {
          throw new JfsError("usage", `${formatHostPort(at)} is not a Redis Cluster node (cluster support disabled): list cluster nodes in the META-URL, or name a Sentinel deployment as MASTERNAME,SENTINEL:port`, { cause: err });
        }
        failures.push(`${formatHostPort(at)}: ${networkErrorCode(err) ?? msg}`);
      }
    }
    throw new JfsError("unreachable", `no node of the Redis Cluster redis://${this.target.addr} answered (${failures.join("; ")}): check the addresses in the META-URL and that the cluster is up`);
  }
  /** The volume's slot, once master() has asked. */
  get slotNumber() {
    return this.slot;
  }
};
function newClient(target, waitMs = FAILOVER_WAIT_MS) {
  const o = target.options;
  if (target.mode === "sentinel") {
    const s = target.sentinel;
    return new Redis2({
      ...o,
      sentinels: s.sentinels,
      name: s.name,
      sentinelPassword: s.password,
      enableTLSForSentinelMode: !!o.tls,
      sentinelTLS: o.tls,
      // Through a failover: reconnect (asking the sentinels again) for up to ~waitMs.
      retryStrategy: (times) => times * 250 > waitMs ? null : 250,
      sentinelRetryStrategy: (times) => times > 3 ? null : 200,
      maxRetriesPerRequest: Math.ceil(waitMs / 250)
    });
  }
  if (target.mode === "cluster") {
    const options = {
      lazyConnect: true,
      enableOfflineQueue: true,
      enableReadyCheck: true,
      maxRedirections: 32,
      retryDelayOnFailover: 250,
      retryDelayOnClusterDown: 250,
      retryDelayOnTryAgain: 250,
      slotsRefreshTimeout: 3e3,
      clusterRetryStrategy: (times) => times * 250 > waitMs ? null : 250,
      redisOptions: {
        username: o.username,
        password: o.password,
        tls: o.tls,
        connectTimeout: o.connectTimeout,
        commandTimeout: o.commandTimeout,
        maxRetriesPerRequest: 2
      }
    };
    return new Cluster(target.clusterNodes, options);
  }
  return new Redis2(o);
}

// lib/engines/redis/claim.ts
var LOAD_CLAIM_KEY = "jfsmetaLoad";
var loadConnectionName = (o) => `jfsmeta-load-${o.token}`;
var CLAIM_LUA = `
if redis.call('DBSIZE') ~= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;
var CLEAR_LOAD_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
local n = redis.call('DBSIZE')
redis.call('FLUSHDB')
return n
`;
var CLAIM_PREFIX_LUA = `
local cursor = '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', 10000)
  if #r[2] > 0 then return 0 end
  cursor = r[1]
until cursor == '0'
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;
var CLEAR_PREFIX_PAGE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
local r = redis.call('SCAN', ARGV[3], 'MATCH', ARGV[2], 'COUNT', 1000)
local n = 0
for _, k in ipairs(r[2]) do
  if k ~= KEYS[1] then
    redis.call('DEL', k)
    n = n + 1
  end
end
if r[1] == '0' then
  redis.call('DEL', KEYS[1])
  n = n + 1
end
return {r[1], n}
`;

// lib/engines/redis/sink.ts
var FLUSH_AT = 1e3;
var FLUSH_BYTES = 128 * 1024;
var PIPELINE_CAPACITY = FLUSH_BYTES + 32 * 1024;
var MAX_IN_FLIGHT = 2;
var FIELDS_PER_COMMAND = 100;
var QUOTA_KEYS2 = {
  dir: ["dirQuota", "dirQuotaUsedSpace", "dirQuotaUsedInodes"],
  user: ["userQuota", "userQuotaUsedSpace", "userQuotaUsedInodes"],
  group: ["groupQuota", "groupQuotaUsedSpace", "groupQuotaUsedInodes"]
};
var RedisLoadSink = class {
  constructor(engine, conn, owner) {
    this.engine = engine;
    this.conn = conn;
    this.owner = owner;
    this.P = engine.p;
  }
  engine;
  conn;
  owner;
  cmds = new CommandBuffer(PIPELINE_CAPACITY);
  inFlight = [];
  failure = null;
  /** Dir stats are gathered into multi-field HSETs. */
  stats = [[], [], []];
  /** The key prefix (RedisSinkTarget.p). */
  P;
  cmd(...args) {
    this.cmds.add(args);
    this.sendIfFull();
  }
  sendIfFull() {
    if (this.cmds.count >= FLUSH_AT || this.cmds.length >= FLUSH_BYTES) this.send();
  }
  send() {
    if (this.cmds.count === 0) return;
    const p = this.conn.send(this.cmds).then((replies) => {
      for (const r of replies) {
        if (r instanceof RespError) throw r;
        if (Array.isArray(r)) {
          for (const x of r) if (x instanceof RespError) throw x;
        }
      }
    }).catch((err) => {
      this.failure ??= explainRedisError(err, this.engine.addr);
    });
    const tracked = p.finally(() => {
      this.inFlight = this.inFlight.filter((x) => x !== tracked);
    });
    this.inFlight.push(tracked);
  }
  check() {
    if (this.failure) throw this.failure;
  }
  node(attr, parent, aclIds, stored) {
    this.cmd("SET", `${this.P}i${attr.inode}`, stored ?? encodeAttr(attr, parent, aclIds.access, aclIds.default));
  }
  edges(parent, entries) {
    for (let i = 0; i < entries.length; i += FIELDS_PER_COMMAND) {
      const args = [];
      for (const e of entries.slice(i, i + FIELDS_PER_COMMAND)) args.push(e.name, encodeEntry(e.type, e.inode));
      this.cmd("HSET", `${this.P}d${parent}`, ...args);
    }
  }
  chunks(inode, chunks, stored) {
    chunks.forEach((c, k) => {
      const raw = stored?.[k];
      for (let i = 0; i < c.slices.length; i += FIELDS_PER_COMMAND) {
        const end = Math.min(c.slices.length, i + FIELDS_PER_COMMAND);
        const key = `${this.P}c${inode}_${c.index}`;
        if (!raw) {
          this.cmd("RPUSH", key, ...c.slices.slice(i, end).map((s) => encodeSlice(s)));
          continue;
        }
        this.cmds.begin(2 + end - i);
        this.cmds.arg("RPUSH");
        this.cmds.arg(key);
        for (let j = i; j < end; j++) this.cmds.bytes(raw, j * SLICE_BYTES, (j + 1) * SLICE_BYTES);
        this.sendIfFull();
      }
    });
  }
  // A binary load's columns (LoadSink.storedNodes): arguments written from the dump's bytes and
  // numbers, nothing made per record. Attrs go in MSETs of 100 keys, which cost redis-server a
  // fifth less CPU than as many SETs (1M keys: 1.11 against 1.41 s); the bytes are the same.
  storedNodes(c, from, to) {
    const cmds = this.cmds;
    const key = `${this.P}i`;
    for (let i = from; i < to; i += FIELDS_PER_COMMAND) {
      const end = Math.min(to, i + FIELDS_PER_COMMAND);
      cmds.begin(1 + 2 * (end - i));
      cmds.arg("MSET");
      for (let j = i; j < end; j++) {
        cmds.numberedArg(key, c.inode[j]);
        cmds.bytes(c.bytes, c.start[j], c.end[j]);
      }
      this.sendIfFull();
    }
  }
  storedEdges(c, from, to) {
    const cmds = this.cmds;
    const key = `${this.P}d`;
    for (let i = from; i < to; i += FIELDS_PER_COMMAND) {
      const end = Math.min(to, i + FIELDS_PER_COMMAND);
      cmds.begin(2 + 2 * (end - i));
      cmds.arg("HSET");
      cmds.numberedArg(key, c.parent[from]);
      for (let j = i; j < end; j++) {
        cmds.bytes(c.bytes, c.start[j], c.end[j]);
        const at = cmds.slot(ENTRY_BYTES);
        writeEntryAt(cmds.buffer, at, c.type[j], c.inode[j]);
      }
      this.sendIfFull();
    }
  }
  storedChunks(c, from, to) {
    const cmds = this.cmds;
    const key = `${this.P}c`;
    for (let k = from; k < to; k++) {
      const first = c.start[k];
      const last = c.end[k];
      for (let i = first; i < last; i += FIELDS_PER_COMMAND * SLICE_BYTES) {
        const end = Math.min(last, i + FIELDS_PER_COMMAND * SLICE_BYTES);
        cmds.begin(2 + (end - i) / SLICE_BYTES);
        cmds.arg("RPUSH");
        cmds.numberedArg(key, c.inode[k], c.index[k]);
        for (let j = i; j < end; j += SLICE_BYTES) cmds.bytes(c.bytes, j, j + SLICE_BYTES);
        this.sendIfFull();
      }
    }
  }
  symlink(inode, target) {
    this.cmd("SET", `${this.P}s${inode}`, target);
  }
  xattrs(inode, xattrs) {
    if (xattrs.length === 0) return;
    const args = [];
    for (const x of xattrs) args.push(x.name, x.value);
    this.cmd("HSET", `${this.P}x${inode}`, ...args);
  }
  dirStats(inode, s) {
    const ino = inode.toString();
    this.stats[0].push(ino, s.dataLength.toString());
    this.stats[1].push(ino, s.usedSpace.toString());
    this.stats[2].push(ino, s.usedInodes.toString());
    if (this.stats[0].length >= FIELDS_PER_COMMAND * 2) this.sendStats();
  }
  sendStats() {
    if (this.stats[0].length === 0) return;
    const [data, space, inodes] = this.stats;
    this.stats = [[], [], []];
    this.cmd("HSET", `${this.P}dirDataLength`, ...data);
    this.cmd("HSET", `${this.P}dirUsedSpace`, ...space);
    this.cmd("HSET", `${this.P}dirUsedInodes`, ...inodes);
  }
  hardLink(inode, nlink, parents) {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(nlink >>> 0);
    this.cmd("SETRANGE", `${this.P}i${inode}`, 47, n);
    this.cmd("SETRANGE", `${this.P}i${inode}`, 63, Buffer.alloc(8));
    const args = [];
    for (const [p, count] of parents) args.push(p.toString(), count.toString());
    if (args.length > 0) this.cmd("HSET", `${this.P}p${inode}`, ...args);
  }
  aclRules(rules) {
    if (rules.size === 0) return;
    const args = [];
    let max = 0;
    for (const [id, rule] of rules) {
      args.push(String(id), encodeAcl(rule));
      max = Math.max(max, id);
    }
    this.cmd("HSET", `${this.P}acl`, ...args);
    this.cmd("SET", `${this.P}aclMaxId`, String(max));
  }
  sliceRefs(refs) {
    for (let i = 0; i < refs.length; i += FIELDS_PER_COMMAND) {
      const args = [];
      for (const r of refs.slice(i, i + FIELDS_PER_COMMAND)) args.push(`k${r.id}_${r.size}`, String(r.count - 1));
      this.cmd("HSET", `${this.P}sliceRef`, ...args);
    }
  }
  delFiles(files) {
    for (let i = 0; i < files.length; i += FIELDS_PER_COMMAND) {
      const args = [];
      for (const f of files.slice(i, i + FIELDS_PER_COMMAND)) args.push(f.expire.toString(), `${f.inode}:${f.length}`);
      this.cmd("ZADD", `${this.P}delfiles`, ...args);
    }
  }
  quotas(kind, quotas) {
    const [limitKey, spaceKey, inodesKey] = QUOTA_KEYS2[kind];
    for (const [key, q] of quotas) {
      const k = key.toString();
      this.cmd("HSET", this.P + limitKey, k, encodeQuota(q));
      this.cmd("HSET", this.P + spaceKey, k, q.usedSpace.toString());
      this.cmd("HSET", this.P + inodesKey, k, q.usedInodes.toString());
    }
  }
  changelog(ops) {
    if (ops.length === 0) return;
    this.cmd("RPUSH", `${this.P}txnLog`, ...changelogLines(ops, "requested"));
    this.cmd("SET", `${this.P}txnLastLog`, String(ops.length));
  }
  counters(c) {
    const minus1 = (v) => (v > 0n ? v - 1n : 0n).toString();
    const P = this.P;
    this.cmd(
      "MSET",
      `${P}usedSpace`,
      c.usedSpace.toString(),
      `${P}totalInodes`,
      c.usedInodes.toString(),
      `${P}nextinode`,
      minus1(c.nextInodes),
      `${P}nextchunk`,
      minus1(c.nextChunk),
      `${P}nextsession`,
      c.nextSession.toString(),
      `${P}nextTrash`,
      c.nextTrash.toString()
    );
  }
  setting(s) {
    this.sendStats();
    this.cmd("MULTI");
    this.cmd("SET", `${this.P}setting`, encodeStoredSetting(s));
    this.cmd("DEL", this.P + LOAD_CLAIM_KEY);
    this.cmd("EXEC");
  }
  async flush() {
    this.check();
    while (this.inFlight.length >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    await this.conn.drained();
    this.check();
  }
  async commit() {
    this.sendStats();
    this.send();
    await Promise.all(this.inFlight);
    this.check();
  }
  async abort() {
    this.cmds = new CommandBuffer(PIPELINE_CAPACITY);
    await Promise.allSettled(this.inFlight);
    const removed = await this.engine.clearLoad(JSON.stringify(this.owner));
    if (removed === -1) {
      throw new Error(`the load claim (key "${LOAD_CLAIM_KEY}") no longer names this load, so nothing was removed`);
    }
  }
};

// lib/engines/redis/index.ts
var BATCH_MAX_CHUNKS = 64;
var CHUNK_PIPELINE = 1024;
var SPARSE_MIN_CHUNKS = 4096;
var SPARSE_WINDOW = 16384;
var SPARSE_CHUNKS_LUA = `
local out = {}
for i = tonumber(ARGV[2]), tonumber(ARGV[3]) - 1 do
  -- ARGV[4]: the key prefix ({db} in a cluster; KEYS[1] is one of the file's keys, for routing)
  local l = redis.call('LRANGE', ARGV[4] .. 'c' .. ARGV[1] .. '_' .. i, 0, -1)
  if #l > 0 then out[#out + 1] = i; out[#out + 1] = l end
end
return out
`;
var BATCH_DIR_PAGE = 1e3;
var MAX_PREFETCHED_ENTRIES = 32768;
var PREFETCH_TTL_MS = 3e4;
var CAS_XATTR_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return 1
`;
var QUOTA_KEYS3 = { dir: "dirQuota", user: "userQuota", group: "groupQuota" };
function toBigInt(v) {
  if (v === null || v === void 0) return 0n;
  const s = v.toString();
  return /^-?\d+$/.test(s) ? BigInt(s) : 0n;
}
function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}
var KIND2 = { single: "redis", sentinel: "redis-sentinel", cluster: "redis-cluster" };
var sleep2 = (ms) => new Promise((r) => setTimeout(r, ms));
var RedisEngine = class {
  constructor(client, redactedUrl, target) {
    this.client = client;
    this.redactedUrl = redactedUrl;
    this.target = target;
    this.kind = KIND2[target.mode];
    this.p = keyPrefix(target.mode, target.db);
    this.options = target.options;
    this.clusterMap = target.mode === "cluster" ? new ClusterMap(target, this.p) : null;
    this.failoverWait = failoverWaitMs();
    this.defineScripts(client);
  }
  client;
  redactedUrl;
  target;
  kind;
  /** Before every key name: `{db}` in a Redis Cluster (all of a volume in one slot), else "". */
  p;
  aclCache = null;
  bulkConn = null;
  /** Bumped each time the lean connection is reopened after a failure (a failover): see readDir. */
  epoch = 0;
  clusterMap;
  /** How long reads wait for a failover (failoverWaitMs()). */
  failoverWait;
  /** Directory listings that came with a readNodes batch, raw [name, value, ...]. */
  prefetchedDirs = /* @__PURE__ */ new Map();
  /** Fields (name and value each) held in prefetchedDirs. */
  prefetchedFields = 0;
  /** The live server's connections while a consistent read points these at a frozen replica. */
  live = null;
  /** The data node's options: the URL's (single), or those of the master found (Sentinel, Cluster). */
  options;
  /** host:port/db (Sentinel and Cluster: the URL's host list/db), as JuiceFS names the database in messages. */
  get addr() {
    return this.target.addr;
  }
  defineScripts(client) {
    client.defineCommand("jfsCasXattr", { numberOfKeys: 1, lua: CAS_XATTR_LUA });
    client.defineCommand("jfsClearLoad", { numberOfKeys: 2, lua: CLEAR_LOAD_LUA });
    client.defineCommand("jfsClearPrefixPage", { numberOfKeys: 2, lua: CLEAR_PREFIX_PAGE_LUA });
  }
  /** Failovers followed so far: the lean connection reopened on a new master (see bulkCall). */
  get failovers() {
    return this.epoch;
  }
  /** Whether the volume's keys are found by their prefix (a cluster) rather than as the whole database. */
  get prefixed() {
    return this.p !== "";
  }
  /** Whether reads may wait for a failover and go on on the new master (not on a frozen replica). */
  get survivesFailover() {
    return this.target.mode !== "single" && !this.live;
  }
  /**
   * A private replica of the server, synced and detached (replica.ts), serves every read until
   * end(): one moment of the volume, and none of the dump's reads on the live server. Needs
   * redis-server on this host. `parallel` is moot: one Redis connection pipelines the reads.
   * Sentinel: a replica of the master the sentinels name. Cluster: a replica of the master of
   * the volume's slot (a plain redis-server: the slot's keys, prefix and all, in its DB 0).
   */
  async beginConsistentRead() {
    if (this.live) throw new JfsError("internal", "a consistent read is already open on this engine");
    const source = await this.nodeOptions();
    const replica = await freezeReplica(source, { db: source.db ?? 0 });
    const frozen = new Redis3({ ...replica.options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 2 });
    frozen.on("error", () => {
    });
    try {
      await frozen.connect();
    } catch (err) {
      frozen.disconnect();
      await replica.stop();
      throw explainRedisError(err, this.addr);
    }
    this.defineScripts(frozen);
    let ended = null;
    const end = () => ended ??= (async () => {
      const live = this.live;
      const bulk = this.bulkConn;
      this.live = null;
      this.client = live.client;
      this.bulkConn = live.bulkConn;
      this.options = live.options;
      this.prefetchedDirs.clear();
      this.prefetchedFields = 0;
      frozen.disconnect();
      (await bulk?.catch(() => null))?.close();
      await replica.stop();
    })();
    this.live = { client: this.client, bulkConn: this.bulkConn, options: this.options, end };
    this.client = frozen;
    this.bulkConn = null;
    this.options = replica.options;
    this.prefetchedDirs.clear();
    this.prefetchedFields = 0;
    return { takenAt: replica.takenAt, connections: 1, end };
  }
  /** Run a Redis call and turn its failure into a clear one-line error. */
  async call(fn) {
    try {
      return await fn();
    } catch (err) {
      throw explainRedisError(err, this.addr);
    }
  }
  /**
   * call() for a read, which is safe to repeat: on Sentinel and Cluster a failure a failover
   * explains is retried until the new master serves it (this.failoverWait at most).
   */
  async read(fn) {
    const deadline = Date.now() + this.failoverWait;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!this.survivesFailover || !isFailoverError(err) || Date.now() > deadline) throw this.failoverError(err, deadline);
        await sleep2(Math.min(100 * attempt, 1e3));
      }
    }
  }
  /** A failure explained; one that outlasted the wait for a failover says so. */
  failoverError(err, deadline) {
    const explained = explainRedisError(err, this.addr);
    if (!this.survivesFailover || !isFailoverError(err) || Date.now() <= deadline) return explained;
    const what = this.target.mode === "cluster" ? `the master of this volume's slot${this.clusterMap?.slotNumber != null ? ` (${this.clusterMap.slotNumber})` : ""}` : `the master "${this.target.sentinel?.name}"`;
    return new JfsError(
      "unreachable",
      `Redis ${this.target.mode === "cluster" ? "Cluster" : "Sentinel"} redis://${this.addr}: ${what} did not come back within ${this.failoverWait / 1e3} s (${explained.message}): run it again once the deployment has a master (JFSMETA_FAILOVER_WAIT_MS sets the wait)`,
      { cause: err }
    );
  }
  /** Options reaching the data node: the URL's, the sentinels' master, or the master of the volume's slot. */
  async nodeOptions() {
    if (this.live || this.target.mode === "single") return this.options;
    const at = this.target.mode === "sentinel" ? await sentinelMaster(this.target) : await this.clusterMap.master();
    return { ...this.options, host: at.host, port: at.port };
  }
  /**
   * Options reaching the node that holds the volume now (the URL's server, the sentinels'
   * master, the master of the volume's slot), with its DB: for tools and tests that read the
   * keys themselves (with the prefix `p`).
   */
  dataNode() {
    return this.nodeOptions();
  }
  /** The lean connection for batch reads and load writes (opened on first use, on the data node). */
  bulk() {
    this.bulkConn ??= (async () => {
      const options = await this.nodeOptions();
      const conn = await RespConnection.connect(options);
      if (this.survivesFailover) {
        const role = new CommandBuffer();
        role.add(["ROLE"]);
        const [r] = await conn.send(role);
        if (Array.isArray(r) && String(r[0]) !== "master") {
          conn.close();
          throw new JfsError("unreachable", `${options.host}:${options.port} is not a master (yet)`);
        }
      }
      return conn;
    })().catch((err) => {
      this.bulkConn = null;
      throw explainRedisError(err, this.addr);
    });
    return this.bulkConn;
  }
  /**
   * Send commands on the bulk connection; a broken connection throws, error replies come back
   * in place. `idempotent` (reads): on Sentinel and Cluster, a broken connection or a failover's
   * reply (MOVED, ASK, CLUSTERDOWN, …) sends them again to the master found anew, until
   * this.failoverWait; `epoch` then moves on.
   */
  async bulkCall(cmds, opts = {}) {
    const n = cmds.count;
    const bytes = cmds.take();
    const retry = opts.idempotent === true && this.survivesFailover;
    const deadline = Date.now() + this.failoverWait;
    for (let attempt = 1; ; attempt++) {
      const pending = this.bulk();
      let failure;
      try {
        const replies = await (await pending).sendBytes(bytes, n);
        const moved = retry ? replies.find((r) => r instanceof RespError && isFailoverReply(r.message)) : void 0;
        if (!moved) return replies;
        failure = moved;
      } catch (err) {
        if (!retry || !isFailoverError(err)) throw explainRedisError(err, this.addr);
        failure = err;
      }
      if (Date.now() > deadline) throw this.failoverError(failure, deadline);
      if (this.bulkConn === pending) {
        this.bulkConn = null;
        this.epoch++;
        (await pending.catch(() => null))?.close();
      }
      await sleep2(Math.min(100 * attempt, 1e3));
    }
  }
  async close() {
    await this.live?.end();
    if (this.bulkConn) {
      const conn = await this.bulkConn.catch(() => null);
      conn?.close();
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
  /** The keys of the volume: DBSIZE, or in a cluster the keys with its prefix (SCAN on the slot's master). */
  async keyCount(limit = Infinity) {
    if (!this.prefixed) return this.read(() => this.client.dbsize());
    let n = 0;
    await this.scanPrefix((keys) => (n += keys.length) >= limit);
    return n;
  }
  /** The first key of the volume's prefix (a cluster), or null. */
  async firstPrefixedKey() {
    let first = null;
    await this.scanPrefix((keys) => {
      if (keys.length > 0) first = keys[0].toString("latin1");
      return first !== null;
    });
    return first;
  }
  /** SCAN the keys with the volume's prefix a page at a time, until `page` returns true or the scan ends. */
  async scanPrefix(page) {
    let cursor = "0";
    do {
      const cmd = new CommandBuffer();
      cmd.add(["SCAN", cursor, "MATCH", `${this.p}*`, "COUNT", 1e4]);
      const [reply] = await this.bulkCall(cmd, { idempotent: true });
      if (reply instanceof RespError) throw explainRedisError(reply, this.addr);
      const [next, keys] = reply;
      if (page(keys)) return;
      cursor = next.toString();
    } while (cursor !== "0");
  }
  /**
   * Remove what the load that holds the claim `owner` wrote: -1 when the claim is not that
   * (anymore), 0 when a setting exists (only the claim goes), else the keys removed.
   */
  async clearLoad(owner) {
    const claimKey = this.p + LOAD_CLAIM_KEY;
    const settingKey = `${this.p}setting`;
    const client = this.client;
    if (!this.prefixed) return this.call(() => client.jfsClearLoad(claimKey, settingKey, owner));
    let removed = 0;
    let cursor = "0";
    for (; ; ) {
      const r = await this.call(() => client.jfsClearPrefixPage(claimKey, settingKey, owner, `${this.p}*`, cursor));
      if (typeof r === "number") return removed > 0 && r === -1 ? removed : r;
      cursor = String(r[0]);
      removed += Number(r[1]);
      if (cursor === "0") return removed;
    }
  }
  async readSetting() {
    const raw = await this.read(() => this.client.getBuffer(`${this.p}setting`));
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw wrapError(`the volume format stored in Redis at ${this.addr} (key "setting") is not valid`, err, "corrupt-input");
    }
  }
  async writeSetting(s) {
    await this.call(() => this.client.set(`${this.p}setting`, encodeStoredSetting(s)));
  }
  async ensureTrashDir(now) {
    const attr = newTrashAttr(now, true);
    const created = await this.call(() => this.client.setnx(`${this.p}i${TRASH_INODE}`, encodeAttr(attr, ROOT_INODE)));
    return created === 1;
  }
  async checkEmpty() {
    if (this.prefixed) {
      const key = await this.firstPrefixedKey();
      if (key !== null) return { empty: false, reason: `Database redis://${this.addr} is not empty: found key with same prefix: ${key}` };
      return { empty: true };
    }
    const size = await this.read(() => this.client.dbsize());
    if (size > 0) return { empty: false, reason: `Database redis://${this.addr} is not empty` };
    return { empty: true };
  }
  async readCounters() {
    const names = ["usedSpace", "totalInodes", "nextinode", "nextchunk", "nextsession", "nextTrash", "txnLastLog"];
    const v = await this.read(() => this.client.mget(...names.map((n) => this.p + n)));
    const c = {
      usedSpace: toBigInt(v[0]),
      usedInodes: toBigInt(v[1]),
      nextInodes: toBigInt(v[2]) + 1n,
      nextChunk: toBigInt(v[3]) + 1n,
      nextSession: toBigInt(v[4]),
      nextTrash: toBigInt(v[5])
    };
    if (v[6] !== null) c.lastChangelog = toBigInt(v[6]);
    return c;
  }
  async readSustained() {
    const sids = await this.read(() => this.client.zrange(`${this.p}allSessions`, "0", "-1"));
    if (sids.length === 0) return [];
    const res = await this.read(() => {
      const pipe = this.client.pipeline();
      for (const sid of sids) pipe.smembers(`${this.p}session${sid}`);
      return pipe.exec();
    });
    const out = [];
    sids.forEach((sid, i) => {
      const [err, members] = res[i];
      if (err) throw explainRedisError(err, this.addr);
      const inodes = members.map((m) => toBigInt(m));
      if (inodes.length > 0) out.push({ sid: toBigInt(sid), inodes });
    });
    return out;
  }
  async readDelFiles() {
    const flat = await this.read(() => this.client.zrange(`${this.p}delfiles`, "0", "-1", "WITHSCORES"));
    const out = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parts = flat[i].split(":");
      if (parts.length !== 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) continue;
      out.push({ inode: BigInt(parts[0]), length: BigInt(parts[1]), expire: BigInt(Math.trunc(Number(flat[i + 1]))) });
    }
    return out;
  }
  async readQuotas(kind) {
    const flat = await this.read(() => this.client.callBuffer("HGETALL", this.p + QUOTA_KEYS3[kind]));
    const out = /* @__PURE__ */ new Map();
    for (const [k, v] of pairs(flat)) {
      const q = decodeQuota(v);
      if (q) out.set(toBigInt(k), q);
    }
    return out;
  }
  async lookup(parent, name) {
    const v = await this.read(() => this.client.hgetBuffer(`${this.p}d${parent}`, name));
    return v ? decodeEntry(name, v) : null;
  }
  readDir(inode) {
    const self = this;
    const cached = this.prefetchedDirs.get(inode);
    if (cached) this.dropPrefetched(inode, cached);
    const prefetched = cached && Date.now() - cached.at < PREFETCH_TTL_MS ? cached.raw : null;
    async function* batches() {
      if (prefetched) {
        const entries = [];
        for (let i = 0; i + 1 < prefetched.length; i += 2) entries.push(decodeEntry(prefetched[i], prefetched[i + 1]));
        if (entries.length > 0) yield entries;
        return;
      }
      let cursor = "0";
      const epoch = self.epoch;
      let pages = 0;
      do {
        const cmd = new CommandBuffer();
        cmd.add(["HSCAN", `${self.p}d${inode}`, cursor, "COUNT", 1e4]);
        const [reply] = await self.bulkCall(cmd, { idempotent: true });
        if (reply instanceof RespError) throw explainRedisError(reply, self.addr);
        const [next, flat] = reply;
        cursor = next.toString();
        pages++;
        if (self.epoch !== epoch && (pages > 1 || cursor !== "0")) {
          throw new JfsError(
            "unreachable",
            `Redis ${self.target.mode === "cluster" ? "Cluster" : "Sentinel"} redis://${self.addr} failed over to a new master while directory inode ${inode} was being listed: a listing cannot be resumed on another server, so the read was stopped rather than give a partial directory; run it again`
          );
        }
        const entries = [];
        for (let i = 0; i + 1 < flat.length; i += 2) entries.push(decodeEntry(flat[i], flat[i + 1]));
        if (entries.length > 0) yield entries;
      } while (cursor !== "0");
    }
    return { sorted: false, batches: batches() };
  }
  keepPrefetched(inode, raw) {
    const old = this.prefetchedDirs.get(inode);
    if (old) this.dropPrefetched(inode, old);
    this.prefetchedDirs.set(inode, { at: Date.now(), raw });
    this.prefetchedFields += raw.length;
    for (const [oldest, listing] of this.prefetchedDirs) {
      if (this.prefetchedFields <= 2 * MAX_PREFETCHED_ENTRIES) break;
      this.dropPrefetched(oldest, listing);
    }
  }
  dropPrefetched(inode, listing) {
    this.prefetchedDirs.delete(inode);
    this.prefetchedFields -= listing.raw.length;
  }
  async acl(id) {
    if (id === 0) return void 0;
    if (!this.aclCache || !this.aclCache.has(id)) {
      const flat = await this.read(() => this.client.callBuffer("HGETALL", `${this.p}acl`));
      const cache = /* @__PURE__ */ new Map();
      for (const [k, v] of pairs(flat)) {
        const rule = decodeAcl(v);
        if (rule) cache.set(Number(k.toString()), rule);
      }
      this.aclCache = cache;
    }
    return this.aclCache.get(id);
  }
  /**
   * A batch in one pipeline, chosen by the entry's type as JuiceFS does: GET i, HGETALL x,
   * then LRANGE c_0 / GET s / HSCAN d (a complete first page is kept for readDir). What the
   * attr's type or length asks for beyond that (more chunks, a type that differs) follows
   * in one more pipeline. (A Lua script per batch was measured: ~3x the Redis CPU of plain
   * commands on the lean connection, and slower overall.)
   */
  async readNodes(entries) {
    if (entries.length === 0) return [];
    const cmd = new CommandBuffer();
    const P = this.p;
    for (const e of entries) {
      const ino = e.inode.toString();
      cmd.add(["GET", `${P}i${ino}`]);
      cmd.add(["HGETALL", `${P}x${ino}`]);
      if (e.type === "regular") cmd.add(["LRANGE", `${P}c${ino}_0`, 0, -1]);
      else if (e.type === "symlink") cmd.add(["GET", `${P}s${ino}`]);
      else if (e.type === "directory") cmd.add(["HSCAN", `${P}d${ino}`, 0, "COUNT", BATCH_DIR_PAGE]);
    }
    const reply = await this.bulkCall(cmd, { idempotent: true });
    for (const r of reply) if (r instanceof RespError) throw explainRedisError(r, this.addr);
    const nodes = [];
    const followUp = new CommandBuffer();
    const fill = [];
    const big = [];
    const addSlices = (node, index, list) => {
      if (list.length > 0) node.chunks.push({ index, slices: list.map(decodeSlice).filter((x) => x !== null) });
    };
    let k = 0;
    for (const e of entries) {
      const rawAttr = reply[k++];
      const rawX = reply[k++];
      const extra = e.type === "regular" || e.type === "symlink" || e.type === "directory" ? reply[k++] : null;
      const stored = rawAttr ? decodeAttr(e.inode, rawAttr) : null;
      const xattrs = [];
      for (let i = 0; i + 1 < rawX.length; i += 2) xattrs.push({ name: rawX[i], value: rawX[i + 1] });
      const node = { inode: e.inode, entryType: e.type, attr: stored?.attr ?? null, xattrs, chunks: [] };
      const type = stored?.attr.type ?? e.type;
      const ino = e.inode.toString();
      if (type === "regular") {
        if (stored && stored.attr.length >= MAX_FILE_SIZE) {
          throw new JfsError(
            "corrupt-input",
            `Redis at ${this.addr}: inode ${e.inode} has length ${stored.attr.length}, not below JuiceFS's maximum file size ${MAX_FILE_SIZE} (2^57): the metadata is damaged; fix that file's length (key i${e.inode}) before dumping`
          );
        }
        const n = stored ? Number((stored.attr.length + BigInt(CHUNK_SIZE) - 1n) / BigInt(CHUNK_SIZE)) : 0;
        let from = 0;
        if (e.type === "regular") {
          if (n > 0) addSlices(node, 0, extra);
          from = 1;
        }
        for (let idx = from; idx < Math.min(n, BATCH_MAX_CHUNKS); idx++) {
          followUp.add(["LRANGE", `${P}c${ino}_${idx}`, 0, -1]);
          fill.push((r) => addSlices(node, idx, r));
        }
        if (n > BATCH_MAX_CHUNKS) big.push({ node, chunks: n });
      } else if (type === "symlink") {
        if (e.type === "symlink") {
          if (extra) node.symlink = extra;
        } else {
          followUp.add(["GET", `${P}s${ino}`]);
          fill.push((r) => {
            if (r) node.symlink = r;
          });
        }
      } else if (type === "directory" && e.type === "directory") {
        const [cursor, flat] = extra;
        if (cursor.length === 1 && cursor[0] === 48) {
          this.keepPrefetched(e.inode, flat);
        }
      }
      if (stored) {
        if (stored.accessAcl) node.accessAcl = await this.acl(stored.accessAcl);
        if (stored.defaultAcl) node.defaultAcl = await this.acl(stored.defaultAcl);
      }
      nodes.push(node);
    }
    if (followUp.count > 0) {
      const more = await this.bulkCall(followUp, { idempotent: true });
      more.forEach((r, i) => {
        if (r instanceof RespError) throw explainRedisError(r, this.addr);
        fill[i](r);
      });
    }
    for (const b of big) await this.readMoreChunks(b.node, BATCH_MAX_CHUNKS, b.chunks);
    return nodes;
  }
  scanTables(gate, opts) {
    const started = this.requestSnapshot();
    started.catch(() => {
    });
    const batches = this.scanTablesFrom(started, gate, opts?.encoder);
    const end = batches.return.bind(batches);
    batches.return = async (value) => {
      (await started.catch(() => null))?.close();
      return end(value);
    };
    return batches;
  }
  /** The server's snapshot for scanTables, or null (with the reason in the debug log) where it will not send one. */
  async requestSnapshot() {
    if (process.env.JFSMETA_REDIS_RDB === "0") {
      logDebug("Redis: JFSMETA_REDIS_RDB=0: the binary dump reads the volume by SCAN");
      return null;
    }
    const options = await this.nodeOptions();
    try {
      return await requestRdb(options);
    } catch (err) {
      if (!(err instanceof SyncRefused)) throw err;
      logDebug(`Redis at ${this.addr}: no snapshot over the replication protocol (${err.message}): the binary dump reads the volume by SCAN`);
      return null;
    }
  }
  /** With `encoder`, the snapshot's nodes, edges and chunks come written with it (rdb-tables.ts); the SCAN reader's as records. */
  async *scanTablesFrom(started, gate, encoder) {
    const transfer = await started;
    if (!transfer) {
      yield* scanRedisTables(this, gate);
      return;
    }
    this.lastSnapshotAt = transfer.startedAt;
    const db = this.prefixed ? 0 : this.options.db ?? 0;
    yield* rdbTables({ addr: this.addr, p: this.p, db }, transfer, gate, encoder);
  }
  /** When the last scanTables() read the server's snapshot, that moment (this host's clock); else null. */
  lastSnapshotAt = null;
  /**
   * Chunks [from, to) of a big file on the lean connection: pipelines of CHUNK_PIPELINE LRANGEs,
   * or for a file of more than SPARSE_MIN_CHUNKS indexes, the sparse script's windows.
   */
  async readMoreChunks(node, from, to) {
    const push = (index, list) => {
      if (list.length > 0) node.chunks.push({ index, slices: list.map(decodeSlice).filter((s) => s !== null) });
    };
    const sparse = to > SPARSE_MIN_CHUNKS;
    const step = sparse ? SPARSE_WINDOW : CHUNK_PIPELINE;
    for (let start = from; start < to; start += step) {
      const end = Math.min(to, start + step);
      const cmd = new CommandBuffer();
      if (sparse) cmd.add(["EVAL", SPARSE_CHUNKS_LUA, 1, `${this.p}c${node.inode}_0`, node.inode, start, end, this.p]);
      else for (let idx = start; idx < end; idx++) cmd.add(["LRANGE", `${this.p}c${node.inode}_${idx}`, 0, -1]);
      const replies = await this.bulkCall(cmd, { idempotent: true });
      for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, this.addr);
      if (sparse) {
        const flat = replies[0];
        for (let i = 0; i + 1 < flat.length; i += 2) push(flat[i], flat[i + 1]);
      } else {
        replies.forEach((r, i) => push(start + i, r));
      }
    }
  }
  async usage() {
    const [s, i] = await this.read(() => this.client.mget(`${this.p}usedSpace`, `${this.p}totalInodes`));
    return { usedSpace: toBigInt(s), usedInodes: toBigInt(i) };
  }
  async beginLoad() {
    const owner = newLoadOwner();
    const conn = await this.bulk();
    const cmd = new CommandBuffer();
    cmd.add(["CLIENT", "SETNAME", loadConnectionName(owner)]);
    if (this.prefixed) cmd.add(["EVAL", CLAIM_PREFIX_LUA, 1, this.p + LOAD_CLAIM_KEY, JSON.stringify(owner), `${this.p}*`]);
    else cmd.add(["EVAL", CLAIM_LUA, 1, LOAD_CLAIM_KEY, JSON.stringify(owner)]);
    const replies = await this.bulkCall(cmd);
    for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, this.addr);
    if (replies[1] !== 1) {
      const claim = await this.findLoadClaim();
      if (claim) throw new LoadClaimedError(claim, this.redactedUrl);
      const check = await this.checkEmpty();
      throw check.empty ? new JfsError("busy", `Database redis://${this.addr} changed while the load claimed it: retry`) : new JfsError("refused", check.reason);
    }
    return new RedisLoadSink(this, conn, owner);
  }
  /**
   * CLIENT LIST of the data node (the loading connection's name shows there while it runs):
   * in a cluster, of the slot's master, where the load's lean connection writes.
   */
  async clientList() {
    if (!this.prefixed) return String(await this.client.call("CLIENT", "LIST"));
    const cmd = new CommandBuffer();
    cmd.add(["CLIENT", "LIST"]);
    const [r] = await this.bulkCall(cmd, { idempotent: true });
    if (r instanceof RespError) throw r;
    return String(r);
  }
  async findLoadClaim() {
    const raw = await this.read(() => this.client.getBuffer(this.p + LOAD_CLAIM_KEY));
    const owner = parseLoadOwner(raw);
    if (!owner) return null;
    const where = `key "${this.p}${LOAD_CLAIM_KEY}" in redis://${this.addr}`;
    let clients;
    try {
      clients = await this.clientList();
    } catch (err) {
      if (owner.host === os.hostname()) return { state: pidAlive(owner.pid) ? "running" : "interrupted", owner, where };
      return { state: "running", owner, where, detail: `cannot tell whether it still runs: CLIENT LIST was refused (${err.message})` };
    }
    const name = `name=${loadConnectionName(owner)} `;
    return { state: clients.includes(name) ? "running" : "interrupted", owner, where };
  }
  async clearInterruptedLoad() {
    const url = this.redactedUrl;
    const claim = await this.findLoadClaim();
    if (!claim) {
      const setting = await this.readSetting();
      if (setting) return { cleared: false, message: `${url} holds volume "${setting.Name}" and no interrupted load: nothing was removed` };
      const size = await this.keyCount();
      if (size === 0) return { cleared: false, message: `${url} is empty: there is nothing to clear` };
      throw new JfsError(
        "refused",
        `${url} holds ${size} keys but no jfsmeta load claim (key "${this.p}${LOAD_CLAIM_KEY}"): they were not written by an interrupted jfsmeta load, so nothing was removed; check what they are before emptying the database yourself`
      );
    }
    if (claim.state === "running") throw new LoadClaimedError(claim, url);
    const raw = await this.call(() => this.client.getBuffer(this.p + LOAD_CLAIM_KEY));
    const n = raw ? await this.clearLoad(raw) : -1;
    const who = claim.owner ? ` (pid ${claim.owner.pid} on ${claim.owner.host}, started ${claim.owner.started})` : "";
    if (n < 0) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
    if (n === 0) {
      return { cleared: true, message: `${url} holds a volume setting: only the stale claim of a load${who} was removed, no volume data was touched` };
    }
    return { cleared: true, message: `removed the ${n} keys an interrupted load${who} had written: ${url} is empty again` };
  }
  async getXattr(inode, name) {
    return this.read(() => this.client.hgetBuffer(`${this.p}x${inode}`, name));
  }
  async compareAndSetXattr(inode, name, expected, value) {
    const client = this.client;
    const r = await this.call(() => client.jfsCasXattr(`${this.p}x${inode}`, name, expected ? "1" : "0", expected ?? Buffer.alloc(0), value));
    return r === 1;
  }
};
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
async function openRedis(url) {
  return openRedisEngine(url);
}
async function openRedisEngine(url) {
  let target = parseRedisUrl(url);
  if (target.mode === "single" && !target.options.path && await isClusterNode(target)) target = withMode(target, "cluster");
  const client = newClient(target, failoverWaitMs());
  let firstError = null;
  client.on("error", (err) => {
    firstError ??= err;
  });
  const engine = new RedisEngine(client, redactUrl(url.includes("://") ? url : `redis://${url}`), target);
  try {
    const ping = new CommandBuffer();
    ping.add(["PING"]);
    const [pong] = await engine.bulkCall(ping);
    if (pong instanceof RespError) throw explainRedisError(pong, target.addr);
  } catch (err) {
    await engine.close().catch(() => {
    });
    throw err;
  }
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    await engine.close().catch(() => {
    });
    throw explainRedisError(firstError ?? err, target.addr);
  }
  return engine;
}
async function isClusterNode(target) {
  let probe;
  try {
    probe = await RespConnection.connect({ ...target.options, db: 0 });
  } catch {
    return false;
  }
  try {
    const cmd = new CommandBuffer();
    cmd.add(["CLUSTER", "INFO"]);
    const [r] = await probe.send(cmd);
    if (r instanceof RespError) return /cluster mode/i.test(r.message);
    return Buffer.isBuffer(r) && r.toString("latin1").includes("cluster_state:");
  } catch {
    return false;
  } finally {
    probe.close();
  }
}
export {
  RedisEngine,
  openRedis,
  openRedisEngine
};
