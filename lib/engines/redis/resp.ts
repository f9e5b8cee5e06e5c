// A lean RESP2 connection for the bulk paths (dump batches, load writes). ioredis spends tens
// of microseconds per command on bookkeeping; here a batch of commands is encoded into one
// buffer, written at once, and its replies are parsed straight from the socket's bytes.
import net from "node:net";
import tls from "node:tls";
import type { RedisOptions } from "ioredis";
import { JfsError } from "../../jfs/errors";

export type Reply = string | number | Buffer | null | RespError | Reply[];

/** An error reply (-ERR ...); returned in place, so one bad command does not hide the others. */
export class RespError extends JfsError {
  constructor(message: string) {
    // Unexplained server replies are "internal"; explainRedisError gives the known ones a kind.
    super("internal", message);
  }
}

/** A reply that is not RESP: something other than Redis listens there (an HTTP server, say). */
export class NotRedisError extends JfsError {
  constructor(readonly seen: string) {
    super("usage", `the server does not speak the Redis protocol (it answered "${seen}…")`);
  }
}

const CRLF = 0x0d;
const INCOMPLETE = Symbol("incomplete");
const MORE = Symbol("more");

const NO_BYTES = Buffer.alloc(0);
/** First allocation of a CommandBuffer: a dump batch (~300 commands) fits without growing. */
const FIRST_CAPACITY = 16 * 1024;

/** Builds the bytes of many commands in one growing buffer. */
export class CommandBuffer {
  // Allocated on first use, not up front: many builders stay empty (a dump batch's follow-up
  // pipeline usually does), and a fresh 64 KiB per builder and per take() was most of the
  // dump's allocated bytes, churning the GC.
  private buf: Buffer = NO_BYTES;
  private len = 0;
  count = 0;

  /**
   * `firstCapacity`: bytes of each first allocation (after take() too); a builder that is
   * always filled to about a known size (the load's pipelines) saves the copies of growing.
   */
  constructor(private readonly firstCapacity = FIRST_CAPACITY) {}

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n, this.firstCapacity));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** `<prefix><n>\r\n` without building a string. */
  private header(prefix: number, n: number): void {
    this.ensure(24);
    const b = this.buf;
    b[this.len++] = prefix;
    if (n < 10) b[this.len++] = 48 + n;
    else {
      const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : Math.floor(Math.log10(n)) + 1;
      let at = this.len + digits;
      this.len = at;
      for (let v = n; v > 0; v = Math.floor(v / 10)) b[--at] = 48 + (v % 10);
    }
    b[this.len++] = 13;
    b[this.len++] = 10;
  }

  add(args: readonly (string | Buffer | number | bigint)[]): void {
    this.header(0x2a, args.length);
    for (const a of args) this.add1(a);
    this.count++;
  }

  private add1(a: string | Buffer | number | bigint): void {
    if (Buffer.isBuffer(a)) return this.bytes(a, 0, a.length);
    const s = typeof a === "string" ? a : a.toString();
    const n = s.length;
    // Keys and numbers are ASCII: copy char by char after a header of s.length; on the
    // first non-ASCII char, start the argument over as UTF-8.
    const start = this.len;
    this.header(0x24, n);
    this.ensure(n + 2);
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
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
  begin(n: number): void {
    this.header(0x2a, n);
    this.count++;
  }

  /** An argument of a command begun with begin(). */
  arg(a: string | Buffer | number | bigint): void {
    this.add1(a);
  }

  /** An argument of a command begun with begin(): bytes [start, end) of `b`. */
  bytes(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.header(0x24, n);
    this.ensure(n + 2);
    const out = this.buf;
    let at = this.len;
    // Short values (attrs, slice records, names) by a loop: Buffer.copy's checks cost more.
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
  numberedArg(prefix: string, n: number, m = -1): void {
    const len = prefix.length + digitCount(n) + (m < 0 ? 0 : 1 + digitCount(m));
    this.header(0x24, len);
    this.ensure(len + 2);
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < prefix.length; i++) b[at++] = prefix.charCodeAt(i);
    at = putDigits(b, at, n);
    if (m >= 0) {
      b[at++] = 0x5f; // _
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
  slot(n: number): number {
    this.header(0x24, n);
    this.ensure(n + 2);
    const at = this.len;
    this.buf[at + n] = 13;
    this.buf[at + n + 1] = 10;
    this.len = at + n + 2;
    return at;
  }

  /** The bytes being built (slot()'s target; replaced as it grows). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Bytes encoded so far. */
  get length(): number {
    return this.len;
  }

  /** The encoded commands; the builder starts over. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = NO_BYTES;
    this.len = 0;
    this.count = 0;
    return out;
  }
}

function digitCount(n: number): number {
  let d = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) d++;
  return d;
}

/** The decimal digits of an integer n ≥ 0 at b[at...]; returns the offset after them. */
function putDigits(b: Buffer, at: number, n: number): number {
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

interface Pending {
  remaining: number;
  replies: Reply[];
  resolve: (r: Reply[]) => void;
  reject: (e: Error) => void;
}

export class RespConnection {
  private socket!: net.Socket;
  private data: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Do not retry a parse until this many bytes are buffered. */
  private needed = 0;
  private queue: Buffer[] = [];
  private queued = 0;
  /** Arrays being filled, outermost first. */
  private stack: { arr: Reply[]; i: number }[] = [];
  private pending: Pending[] = [];
  private failure: Error | null = null;
  private corked = false;

  static async connect(o: RedisOptions): Promise<RespConnection> {
    const c = new RespConnection();
    await c.open(o);
    return c;
  }

  /** Connect, then AUTH and SELECT; on any failure the socket is closed (never left to hold the process). */
  private open(o: RedisOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const onConnect = () => {
        this.socket.off("error", onError);
        this.socket.on("error", (err) => this.fail(err));
        this.socket.on("close", () => this.fail(new Error("Connection is closed.")));
        this.socket.setNoDelay(true);
        resolve();
      };
      if (o.path) this.socket = net.connect({ path: o.path }, onConnect);
      else if (o.tls) this.socket = tls.connect({ host: o.host, port: o.port, ...(o.tls as tls.ConnectionOptions) }, onConnect);
      else this.socket = net.connect({ host: o.host ?? "localhost", port: o.port ?? 6379 }, onConnect);
      this.socket.once("error", onError);
      this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
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

  private fail(err: Error): void {
    this.failure ??= err;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(this.failure);
  }

  /** Write the commands and resolve with their replies, in order. */
  send(cmds: CommandBuffer): Promise<Reply[]> {
    const n = cmds.count;
    return this.sendBytes(cmds.take(), n);
  }

  /** Write `n` commands already encoded (CommandBuffer.take()); a caller may send them again elsewhere. */
  sendBytes(bytes: Buffer, n: number): Promise<Reply[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (n === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ remaining: n, replies: [], resolve, reject });
      // Batches sent in the same tick (the dump's parallel reads) share one write syscall.
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
  async drained(): Promise<void> {
    if (this.socket.writableNeedDrain) await new Promise((r) => this.socket.once("drain", r));
  }

  close(): void {
    this.failure ??= new Error("connection closed by jfsmeta");
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    // Chunks wait in a queue until the token being read can be complete, so a big reply is
    // copied once, not once per chunk.
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
        // Parsing resumes at this token; `needed` counts from it.
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
  private step(): Reply | typeof INCOMPLETE | typeof MORE {
    const r = this.parse();
    if (r === INCOMPLETE || r === MORE) return r;
    let value: Reply = r;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return value;
      top.arr[top.i++] = value;
      if (top.i < top.arr.length) return MORE;
      this.stack.pop();
      value = top.arr;
    }
  }

  private line(): string | typeof INCOMPLETE {
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
  private int(): number | typeof INCOMPLETE {
    const d = this.data;
    let i = this.pos + 1;
    let neg = false;
    if (d[i] === 0x2d) {
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

  private parse(): Reply | typeof INCOMPLETE | typeof MORE {
    if (this.pos >= this.data.length) {
      this.needed = this.data.length + 1;
      return INCOMPLETE;
    }
    const type = this.data[this.pos];
    switch (type) {
      case 0x24: { // $
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
      case 0x2a: { // *
        const n = this.int();
        if (n === INCOMPLETE) return INCOMPLETE;
        if (n < 0) return null;
        if (n === 0) return [];
        this.stack.push({ arr: new Array(n), i: 0 });
        return MORE;
      }
      case 0x3a: // :
        return this.int();
      case 0x2b: // +
      case 0x2d: { // -
        const l = this.line();
        if (l === INCOMPLETE) return INCOMPLETE;
        return type === 0x2b ? l : new RespError(l);
      }
      default: {
        const seen = this.data.toString("latin1", this.pos, Math.min(this.data.length, this.pos + 24)).replace(/[^\x20-\x7e]/g, "?");
        this.fail(new NotRedisError(seen));
        return INCOMPLETE;
      }
    }
  }
}
