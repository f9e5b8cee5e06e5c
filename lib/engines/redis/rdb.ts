// A streaming reader of Redis's RDB format (the snapshot a master sends a replica, sync.ts), for
// the binary dump's flat scan (rdb-tables.ts). It knows nothing of JuiceFS: bytes go in with
// feed() as they arrive, and each key comes out with its values through the callbacks the caller
// gives for it, one element at a time; memory is the chunk being read and one element, never the
// RDB (a hash of 300,000 directory entries is one key: its fields come out one by one).
//
// Own code, not a library: the npm registry has no maintained RDB parser (searched December
// 2026: nothing published for RDB 10-12, the listpack encodings of Redis 7). Measured on the
// bench's 1M-file RDB (137.7 MiB, 2,056,287 keys): see README "Performance".
//
// What it reads: RDB versions 1-12 as Redis up to 7.4 writes them: strings (raw, int, LZF),
// lists (linked, ziplist, quicklist, quicklist 2), sets (hashtable, intset, listpack), sorted
// sets (skiplist in both score encodings, ziplist, listpack), hashes (hashtable, ziplist,
// listpack), and module values and aux fields (skipped by their typed opcodes); AUX, SELECTDB,
// RESIZEDB, EXPIRETIME(_MS), IDLE, FREQ, FUNCTION2, SLOT_INFO, MODULE_AUX; EOF and the CRC-64
// that follows it, checked. Streams and hashes with field expirations (7.4) are refused by
// name: JuiceFS writes neither, and a reader that cannot skip a value cannot go on.
import { JfsError } from "../../jfs/errors";
import { crc64 } from "./crc64";
import { ChunkWasm, SLOT_BYTES } from "./chunk-wasm";
import { LZF_FAULTS, lzfJs } from "./lzf";

/** What a key holds, as the caller sees it (encodings are the reader's business). */
export type RdbKind = "string" | "list" | "set" | "zset" | "hash";

/** Receives one key's value; a member left out means "not wanted" (still read, to be skipped). */
export interface RdbValueSink {
  string?(value: Buffer): void;
  /** A list's or a set's element, in stored order. */
  element?(value: Buffer): void;
  /** A hash's field. */
  field?(name: Buffer, value: Buffer): void;
  /** A sorted set's member. */
  member?(name: Buffer, score: number): void;
  /** After the key's last element. */
  end?(): void;
  // The same values as b[start, end), valid only during the call (b may be the reader's scratch
  // or its chunk): no Buffer view or decompressed copy is made per value. Each is taken instead
  // of its Buffer form when given (a sink that writes the bytes out at once: rdb-tables.ts).
  stringAt?(b: Buffer, start: number, end: number): void;
  elementAt?(b: Buffer, start: number, end: number): void;
  fieldAt?(f: Buffer, fStart: number, fEnd: number, v: Buffer, vStart: number, vEnd: number): void;
}

export interface RdbHandler {
  /**
   * A key of database `db` begins: the sink for its value, or null to skip it. `expiresAt`:
   * unix ms, or null when it has no TTL. `key` is only valid during the call (copy to keep).
   */
  key(db: number, key: Buffer, kind: RdbKind, expiresAt: number | null): RdbValueSink | null;
  /** key() with the key as b[start, end) (no Buffer view made), taken instead of it when given. */
  keyAt?(db: number, b: Buffer, start: number, end: number, kind: RdbKind, expiresAt: number | null): RdbValueSink | null;
  /** An AUX field (redis-ver, ctime, ...), optional. */
  aux?(name: string, value: string): void;
}

/** The newest RDB version this reader knows (Redis 7.4 writes 12). */
export const RDB_MAX_VERSION = 12;

const enum Op {
  SlotInfo = 244,
  Function2 = 245,
  FunctionPreGa = 246,
  ModuleAux = 247,
  Idle = 248,
  Freq = 249,
  Aux = 250,
  ResizeDb = 251,
  ExpireTimeMs = 252,
  ExpireTime = 253,
  SelectDb = 254,
  Eof = 255,
}

const enum T {
  String = 0,
  List = 1,
  Set = 2,
  Zset = 3,
  Hash = 4,
  Zset2 = 5,
  ModulePreGa = 6,
  Module2 = 7,
  HashZipmap = 9,
  ListZiplist = 10,
  SetIntset = 11,
  ZsetZiplist = 12,
  HashZiplist = 13,
  ListQuicklist = 14,
  StreamListpacks = 15,
  HashListpack = 16,
  ZsetListpack = 17,
  ListQuicklist2 = 18,
  StreamListpacks2 = 19,
  SetListpack = 20,
  StreamListpacks3 = 21,
}

const TYPE_NAMES: Record<number, string> = {
  6: "module (pre-GA encoding)",
  9: "hash (zipmap, Redis 2.x)",
  15: "stream",
  19: "stream (v2)",
  21: "stream (v3)",
  22: "hash with field expirations (7.4 pre-GA)",
  23: "hash with field expirations (7.4 pre-GA listpack)",
  24: "hash with field expirations",
  25: "hash with field expirations (listpack)",
};

const KIND: Record<number, RdbKind> = {
  [T.String]: "string",
  [T.List]: "list",
  [T.ListZiplist]: "list",
  [T.ListQuicklist]: "list",
  [T.ListQuicklist2]: "list",
  [T.Set]: "set",
  [T.SetIntset]: "set",
  [T.SetListpack]: "set",
  [T.Zset]: "zset",
  [T.Zset2]: "zset",
  [T.ZsetZiplist]: "zset",
  [T.ZsetListpack]: "zset",
  [T.Hash]: "hash",
  [T.HashZiplist]: "hash",
  [T.HashListpack]: "hash",
};

/** Thrown inside the reader when the bytes of the token being read have not all arrived. */
const INCOMPLETE = Symbol("incomplete");

/** A collection being read element by element across chunks. */
interface Open {
  type: number;
  /** Elements (or quicklist nodes) still to read. */
  left: number;
  sink: RdbValueSink | null;
}

const NO_BYTES = Buffer.alloc(0);
/** A token cut by a chunk's start is read from a stitch (RdbReader.stitch) when its bytes before the cut are this few... */
const STITCH_LEFT = 16 << 10;
/** ...with this many bytes of the chunk past those it is known to need. */
const STITCH_MORE = 4 << 10;
/** Small decimal strings of list/set/hash integers, made once. */
const SMALL_INTS: Buffer[] = Array.from({ length: 1024 }, (_, i) => Buffer.from(String(i), "latin1"));
const intBuffer = (n: number | bigint): Buffer => (typeof n === "number" && n >= 0 && n < 1024 ? SMALL_INTS[n] : Buffer.from(String(n), "latin1"));

/**
 * The reader. feed() each chunk as it arrives; end() when the stream has ended. `done` turns true
 * once the EOF opcode and its checksum have been read; bytes after them are in `rest`.
 */
export class RdbReader {
  /** The RDB version of the stream (0 until its header is read). */
  version = 0;
  done = false;
  /** Bytes fed after the end of the RDB (a diskless transfer's end mark). */
  rest: Buffer = NO_BYTES;
  /** Keys read, in every database. */
  keys = 0;

  private buf: Buffer = NO_BYTES;
  private queue: Buffer[] = [];
  private queued = 0;
  private pos = 0;
  /** Offset in the stream of buf[0]. */
  private base = 0;
  /** Bytes (from buf[0]) needed before parsing is worth retrying. */
  private needed = 0;
  private crc = 0n;
  private db = 0;
  private expiresAt: number | null = null;
  private open: Open | null = null;
  private readonly openState: Open = { type: 0, left: 0, sink: null };
  /** The open collection's sink's elementAt, as one function made once (not a closure per quicklist node). */
  private readonly elementAtOfOpen = (b: Buffer, s: number, e: number): void => this.openState.sink!.elementAt!(b, s, e);
  private started = false;
  /** The last strAt(): its bytes are at[0][at[1], at[2]) (see strAt). */
  private sb: Buffer = NO_BYTES;
  private ss = 0;
  private se = 0;
  /** Where strAt(slot) decompresses LZF strings, reused: two, for a hash's field and value. */
  private readonly scratch: Buffer[] = [Buffer.allocUnsafe(256), Buffer.allocUnsafe(256)];
  /** buf copied into WebAssembly memory (chunk-wasm.ts), where its CRC and LZF strings are computed; null without WebAssembly. */
  private readonly wasm: ChunkWasm | null = ChunkWasm.create();
  /** Whether buf is in wasm (not when too long: then crc64() and lzfJs). */
  private inWasm = false;

  constructor(private readonly handler: RdbHandler) {}

  /** Bytes of the stream consumed so far. */
  get offset(): number {
    return this.base + this.pos;
  }

  feed(chunk: Buffer): void {
    if (this.done) {
      this.rest = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
      return;
    }
    // Chunks wait until the token being read can be whole: a big value is copied once, not
    // once per chunk.
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.buf.length + this.queued < this.needed) return;
    const left = this.buf.length - this.pos;
    const take = Math.max(0, this.needed - this.buf.length) + STITCH_MORE;
    if (this.queue.length === 1 && left > 0 && left <= STITCH_LEFT && take < chunk.length) {
      this.stitch(chunk, left, take);
      return;
    }
    const parts = this.pos < this.buf.length ? [this.buf.subarray(this.pos), ...this.queue] : this.queue;
    this.setBuf(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    this.queue = [];
    this.queued = 0;
    this.base += this.pos;
    this.needed = 0;
    this.pos = 0;
    this.run();
  }

  /**
   * The token cut by the chunk's start read from a small copy of its two parts (the stitch),
   * then the chunk itself from where that token ends: no copy of the chunk. Copying the rest of
   * each chunk and the whole next one into a new buffer, as feed() did, copied the whole
   * snapshot once more (138 MiB at 1M files, in 64 KiB socket chunks); stitches copy 8.5 MiB
   * (2,147 of them, none too short). V8's full collections were no fewer (6-9 either way).
   */
  private stitch(chunk: Buffer, left: number, take: number): void {
    const stitch = Buffer.allocUnsafe(left + take);
    this.buf.copy(stitch, 0, this.pos);
    chunk.copy(stitch, left, 0, take);
    this.queue = [];
    this.queued = 0;
    this.base += this.pos;
    this.setBuf(stitch);
    this.pos = 0;
    this.needed = 0;
    this.run();
    if (this.done) {
      this.rest = Buffer.concat([this.rest, chunk.subarray(take)]);
      return;
    }
    if (this.pos >= left) {
      // Read past the cut (the checksum too, as far as pos): on in the chunk.
      this.base += left;
      this.setBuf(chunk);
      this.pos -= left;
    } else {
      // The token is longer than the stitch: whole from a copy, as feed() reads such tokens.
      this.base += this.pos;
      this.setBuf(Buffer.concat([stitch.subarray(this.pos, left), chunk]));
      this.pos = 0;
    }
    this.needed = 0;
    this.run();
  }

  private setBuf(b: Buffer): void {
    this.buf = b;
    this.inWasm = this.wasm !== null && this.wasm.load(b);
  }

  /** The CRC-64 of buf[from, to), continued. */
  private crcOf(from: number, to: number): bigint {
    return this.inWasm ? this.wasm!.crc(this.crc, from, to) : crc64(this.crc, this.buf, from, to);
  }

  /** The stream has ended: an error unless the whole RDB was read. */
  end(): void {
    if (this.done) return;
    throw this.corrupt(`the RDB stream ended at byte ${this.base + this.buf.length + this.queued} before its end marker: the transfer was cut short`);
  }

  private corrupt(message: string): JfsError {
    return new JfsError("corrupt-input", message);
  }

  private run(): void {
    const start = this.pos;
    let mark = this.pos;
    try {
      if (!this.started) {
        this.header();
        mark = this.pos;
      }
      for (;;) {
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
          // EOF: the checksum covers everything up to the EOF opcode, itself included.
          this.crc = this.crcOf(start, this.pos);
          this.checksum();
          this.rest = this.buf.subarray(this.pos);
          this.setBuf(NO_BYTES);
          this.pos = 0;
          return;
        }
        mark = this.pos;
      }
    } catch (err) {
      if (err !== INCOMPLETE) throw err;
      this.pos = mark;
      this.crc = this.crcOf(start, mark);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.needed = this.pos + n;
      throw INCOMPLETE;
    }
  }

  private header(): void {
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
  private top(): boolean {
    this.need(1);
    const at = this.pos;
    const op = this.buf[this.pos++];
    switch (op) {
      case Op.Eof:
        if (this.version >= 5) this.need(8);
        return true;
      case Op.SelectDb:
        this.db = this.len();
        return false;
      case Op.ResizeDb:
        this.len();
        this.len();
        return false;
      case Op.SlotInfo:
        this.len();
        this.len();
        this.len();
        return false;
      case Op.Aux: {
        const name = this.str();
        const value = this.str();
        this.handler.aux?.(name.toString("latin1"), value.toString("latin1"));
        return false;
      }
      case Op.ExpireTimeMs:
        this.need(8);
        this.expiresAt = Number(this.buf.readBigInt64LE(this.pos));
        this.pos += 8;
        return false;
      case Op.ExpireTime:
        this.need(4);
        this.expiresAt = this.buf.readInt32LE(this.pos) * 1000;
        this.pos += 4;
        return false;
      case Op.Idle:
        this.len();
        return false;
      case Op.Freq:
        this.need(1);
        this.pos++;
        return false;
      case Op.ModuleAux:
        this.len(); // module id
        this.moduleValue();
        return false;
      case Op.Function2:
        this.str();
        return false;
      case Op.FunctionPreGa:
        throw new JfsError("unsupported", `the RDB holds a function in Redis 7.0's pre-release encoding (opcode 246, byte ${this.base + at}), which this reader cannot read`);
      default:
        this.keyValue(op, at);
        return false;
    }
  }

  private checksum(): void {
    if (this.version < 5) {
      this.done = true;
      return;
    }
    const at = this.pos;
    const sum = this.buf.readBigUInt64LE(at);
    this.pos += 8;
    // A server with rdbchecksum no writes zero.
    if (sum !== 0n && sum !== this.crc) {
      const hex = (v: bigint) => v.toString(16).padStart(16, "0");
      throw this.corrupt(`the RDB stream's checksum at byte ${this.base + at} is ${hex(sum)}, but its bytes sum to ${hex(this.crc)}: the snapshot was damaged in transfer`);
    }
    this.done = true;
  }

  private keyValue(type: number, at: number): void {
    const kind = KIND[type];
    const skippable = type === T.Module2;
    if (kind === undefined && !skippable) {
      const what = TYPE_NAMES[type] ?? "unknown";
      throw new JfsError(
        "unsupported",
        `the RDB holds a value of type ${type} (${what}) at byte ${this.base + at}, which this reader cannot read: dump with JFSMETA_REDIS_RDB=0 (the SCAN reader) instead`,
      );
    }
    // The key's bytes in scratch slot 1 when LZF-compressed: slot 0 may take a string value.
    this.strAt(1);
    const kb = this.sb;
    const ks = this.ss;
    const ke = this.se;
    if (skippable) {
      this.len(); // module id
      this.moduleValue();
      this.expiresAt = null;
      this.keys++;
      return;
    }
    // Everything the value needs before its elements, read now (a rewind repeats the key).
    let count = 0;
    let blob: Buffer | null = null;
    let sb: Buffer = NO_BYTES;
    let ss = 0;
    let se = 0;
    switch (type) {
      case T.String:
        this.strAt(0);
        sb = this.sb;
        ss = this.ss;
        se = this.se;
        break;
      case T.List:
      case T.Set:
      case T.Zset:
      case T.Zset2:
      case T.Hash:
      case T.ListQuicklist:
      case T.ListQuicklist2:
        count = this.len();
        break;
      default:
        blob = this.str();
    }
    const expiresAt = this.expiresAt;
    this.expiresAt = null;
    this.keys++;
    const h = this.handler;
    const sink = h.keyAt ? h.keyAt(this.db, kb, ks, ke, kind!, expiresAt) : h.key(this.db, this.view(kb, ks, ke), kind!, expiresAt);
    if (type === T.String) {
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
    // One object, reused: a million chunk keys are a million collections.
    const o = this.openState;
    o.type = type;
    o.left = count;
    o.sink = sink;
    this.open = o;
  }

  /** One element of an open collection, whole (a hash: field and value). */
  private element(o: Open): void {
    const sink = o.sink;
    switch (o.type) {
      case T.List:
      case T.Set: {
        this.strAt(0);
        if (sink?.elementAt) sink.elementAt(this.sb, this.ss, this.se);
        else sink?.element?.(this.view(this.sb, this.ss, this.se));
        break;
      }
      case T.Hash: {
        this.strAt(0);
        const fb = this.sb;
        const fs = this.ss;
        const fe = this.se;
        this.strAt(1);
        if (sink?.fieldAt) sink.fieldAt(fb, fs, fe, this.sb, this.ss, this.se);
        else sink?.field?.(this.view(fb, fs, fe), this.view(this.sb, this.ss, this.se));
        break;
      }
      case T.Zset: {
        const m = this.str();
        this.need(1);
        const n = this.buf[this.pos];
        let score: number;
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
      case T.Zset2: {
        const m = this.str();
        this.need(8);
        const score = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        sink?.member?.(m, score);
        break;
      }
      case T.ListQuicklist: {
        const at = this.pos;
        const zl = this.str();
        if (sink) ziplist(zl, this.base + at, (v) => sink.element?.(v));
        break;
      }
      case T.ListQuicklist2: {
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

  private decodeBlob(type: number, blob: Buffer, sink: RdbValueSink, at: number): void {
    const where = this.base + at;
    switch (type) {
      case T.ListZiplist:
        ziplist(blob, where, (v) => sink.element?.(v));
        return;
      case T.SetIntset:
        intset(blob, where, (v) => sink.element?.(v));
        return;
      case T.SetListpack:
        listpack(blob, where, (v) => sink.element?.(v));
        return;
      case T.HashListpack:
        if (sink.fieldAt) {
          // Flat pairs, told by position: a field's bytes held until its value comes.
          let fb: Buffer | null = null;
          let fs = 0;
          let fe = 0;
          listpackAt(blob, 0, blob.length, where, (b, s, e) => {
            if (fb === null) {
              fb = b;
              fs = s;
              fe = e;
            } else {
              sink.fieldAt!(fb, fs, fe, b, s, e);
              fb = null;
            }
          });
          if (fb !== null) throw this.corrupt(`a hash at byte ${where} has a field without a value`);
          return;
        }
      // falls through
      case T.HashZiplist:
      case T.ZsetZiplist:
      case T.ZsetListpack: {
        // Flat pairs: a hash's field then its value, a sorted set's member then its score.
        const hash = type === T.HashZiplist || type === T.HashListpack;
        let first: Buffer | null = null;
        const each = (v: Buffer) => {
          if (first === null) first = v;
          else {
            if (hash) sink.field?.(first, v);
            else sink.member?.(first, Number(v.toString("latin1")));
            first = null;
          }
        };
        if (type === T.HashZiplist || type === T.ZsetZiplist) ziplist(blob, where, each);
        else listpack(blob, where, each);
        if (first !== null) {
          throw this.corrupt(hash ? `a hash at byte ${where} has a field without a value` : `a sorted set at byte ${where} has a member without a score`);
        }
        return;
      }
    }
  }

  /** A module value or aux field: typed opcodes (rdbLoadCheckModuleValue) until EOF (0). */
  private moduleValue(): void {
    for (;;) {
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
  private len(): number {
    const n = this.lenOrEnc();
    if (n < 0) throw this.corrupt(`an encoded string where a length belongs, at byte ${this.offset}`);
    return n;
  }

  /** A length, or -1 - encoding for a specially encoded string (its encoding byte consumed). */
  private lenOrEnc(): number {
    this.need(1);
    const b = this.buf[this.pos];
    switch (b >> 6) {
      case 0:
        this.pos++;
        return b & 0x3f;
      case 1:
        this.need(2);
        this.pos += 2;
        return ((b & 0x3f) << 8) | this.buf[this.pos - 1];
      case 2:
        if (b === 0x80) {
          this.need(5);
          const n = this.buf.readUInt32BE(this.pos + 1);
          this.pos += 5;
          return n;
        }
        if (b === 0x81) {
          this.need(9);
          const n = Number(this.buf.readBigUInt64BE(this.pos + 1));
          this.pos += 9;
          return n;
        }
        throw this.corrupt(`an unknown length encoding 0x${b.toString(16)} at byte ${this.offset}`);
      default:
        this.pos++;
        return -1 - (b & 0x3f);
    }
  }

  /**
   * A string as str() reads it, left as sb[ss, se) with no Buffer made: a raw one in the chunk,
   * an integer's decimal, an LZF one decompressed into scratch[slot] (valid until the next
   * strAt of that slot).
   */
  private strAt(slot: 0 | 1): void {
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
      const w = this.wasm;
      if (this.inWasm && ulen <= SLOT_BYTES) {
        const s = w!.lzf(this.pos, this.pos + clen, ulen, slot);
        if (s < 0 || w!.written !== ulen) throw lzfDamaged(s < 0 ? s : w!.written, ulen, at);
        this.pos += clen;
        this.sb = w!.bytes;
        this.ss = s;
        this.se = s + ulen;
        return;
      }
      let out = this.scratch[slot];
      if (out.length < ulen) out = this.scratch[slot] = Buffer.allocUnsafe(Math.max(ulen, 2 * out.length));
      const written = lzfJs(this.buf, this.pos, this.pos + clen, out, ulen);
      if (written !== ulen) throw lzfDamaged(written, ulen, at);
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
  private view(b: Buffer, s: number, e: number): Buffer {
    if (b === this.scratch[0] || b === this.scratch[1] || b === this.wasm?.bytes) {
      const out = Buffer.allocUnsafe(e - s);
      b.copy(out, 0, s, e);
      return out;
    }
    return s === 0 && e === b.length ? b : b.subarray(s, e);
  }

  /** A string (rdbGenericLoadStringObject): raw, an integer as decimal, or LZF-decompressed. `n`: its length or encoding, when already read. */
  private str(n = this.lenOrEnc()): Buffer {
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
        const out = Buffer.allocUnsafe(ulen);
        const w = this.wasm;
        let written: number;
        if (this.inWasm && ulen <= SLOT_BYTES) {
          // Slot 2: strAt()'s slots 0 and 1 may hold strings still being used.
          const s = w!.lzf(this.pos, this.pos + clen, ulen, 2);
          written = s < 0 ? s : w!.written;
          if (written === ulen) w!.bytes.copy(out, 0, s, s + ulen);
        } else written = lzfJs(this.buf, this.pos, this.pos + clen, out, ulen);
        if (written !== ulen) throw lzfDamaged(written, ulen, at);
        this.pos += clen;
        return out;
      }
      default:
        throw this.corrupt(`an unknown string encoding ${enc} at byte ${this.offset - 1}`);
    }
  }
}

function corruptAt(what: string, at: number): JfsError {
  return new JfsError("corrupt-input", `${what} in the RDB stream (the value at byte ${at}): the snapshot is damaged`);
}

/** Damaged LZF input: a decoder's result (a fault, or the bytes it wrote) against the `ulen` stated. */
function lzfDamaged(result: number, ulen: number, at: number): JfsError {
  return corruptAt(result < 0 ? LZF_FAULTS[result] : `an LZF string decompresses to ${result} bytes, not the ${ulen} stated`, at);
}

/** The entries of a ziplist (Redis ≤ 6), as strings (integers in decimal). */
export function ziplist(zl: Buffer, at: number, each: (v: Buffer) => void): void {
  if (zl.length < 11) throw corruptAt("a ziplist shorter than its header", at);
  let p = 10;
  for (;;) {
    if (p >= zl.length) throw corruptAt("a ziplist without its end byte", at);
    if (zl[p] === 0xff) return;
    // previous entry's length: 1 byte, or 0xfe and 4 bytes
    p += zl[p] === 0xfe ? 5 : 1;
    const e = zl[p];
    const top = e >> 6;
    if (top === 0) {
      const n = e & 0x3f;
      each(zl.subarray(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (top === 1) {
      const n = ((e & 0x3f) << 8) | zl[p + 1];
      each(zl.subarray(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (top === 2) {
      const n = zl.readUInt32BE(p + 1);
      each(zl.subarray(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (e === 0xc0) {
      each(intBuffer(zl.readInt16LE(p + 1)));
      p += 3;
    } else if (e === 0xd0) {
      each(intBuffer(zl.readInt32LE(p + 1)));
      p += 5;
    } else if (e === 0xe0) {
      each(intBuffer(zl.readBigInt64LE(p + 1)));
      p += 9;
    } else if (e === 0xf0) {
      each(intBuffer(zl.readIntLE(p + 1, 3)));
      p += 4;
    } else if (e === 0xfe) {
      each(intBuffer(zl.readInt8(p + 1)));
      p += 2;
    } else if (e >= 0xf1 && e <= 0xfd) {
      each(intBuffer((e & 0x0f) - 1));
      p += 1;
    } else {
      throw corruptAt(`a ziplist entry of unknown encoding 0x${e.toString(16)}`, at);
    }
    if (p > zl.length) throw corruptAt("a ziplist entry runs past its end", at);
  }
}

/** The length of a listpack entry's back-length field for an entry of `n` bytes. */
const backLen = (n: number) => (n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5);

/** The entries of a listpack (Redis ≥ 7), as strings (integers in decimal). */
export function listpack(lp: Buffer, at: number, each: (v: Buffer) => void): void {
  listpackAt(lp, 0, lp.length, at, (b, s, e) => each(s === 0 && e === b.length ? b : b.subarray(s, e)));
}

const intAt = (v: number | bigint, each: (b: Buffer, s: number, e: number) => void) => {
  const b = intBuffer(v);
  each(b, 0, b.length);
};

/** The entries of the listpack lp[from, to), each as b[s, e) (an integer as its decimal). */
export function listpackAt(lp: Buffer, from: number, to: number, at: number, each: (b: Buffer, s: number, e: number) => void): void {
  if (to - from < 7) throw corruptAt("a listpack shorter than its header", at);
  let p = from + 6;
  for (;;) {
    if (p >= to) throw corruptAt("a listpack without its end byte", at);
    const e = lp[p];
    if (e === 0xff) return;
    let size: number;
    if (e < 0x80) {
      intAt(e, each);
      size = 1;
    } else if (e >> 6 === 2) {
      const n = e & 0x3f;
      if (p + 1 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 1, p + 1 + n);
      size = 1 + n;
    } else if (e >> 5 === 6) {
      let v = ((e & 0x1f) << 8) | lp[p + 1];
      if (v >= 4096) v -= 8192;
      intAt(v, each);
      size = 2;
    } else if (e >> 4 === 14) {
      const n = ((e & 0x0f) << 8) | lp[p + 1];
      if (p + 2 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 2, p + 2 + n);
      size = 2 + n;
    } else if (e === 0xf0) {
      const n = lp.readUInt32LE(p + 1);
      if (p + 5 + n > to) throw corruptAt("a listpack entry runs past its end", at);
      each(lp, p + 5, p + 5 + n);
      size = 5 + n;
    } else if (e === 0xf1) {
      intAt(lp.readInt16LE(p + 1), each);
      size = 3;
    } else if (e === 0xf2) {
      intAt(lp.readIntLE(p + 1, 3), each);
      size = 4;
    } else if (e === 0xf3) {
      intAt(lp.readInt32LE(p + 1), each);
      size = 5;
    } else if (e === 0xf4) {
      intAt(lp.readBigInt64LE(p + 1), each);
      size = 9;
    } else {
      throw corruptAt(`a listpack entry of unknown encoding 0x${e.toString(16)}`, at);
    }
    p += size + backLen(size);
    if (p > to) throw corruptAt("a listpack entry runs past its end", at);
  }
}

/** The members of an intset, in decimal. */
export function intset(is: Buffer, at: number, each: (v: Buffer) => void): void {
  if (is.length < 8) throw corruptAt("an intset shorter than its header", at);
  const width = is.readUInt32LE(0);
  const n = is.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * n > is.length) throw corruptAt(`an intset of ${n} members of ${width} bytes`, at);
  for (let i = 0, p = 8; i < n; i++, p += width) {
    each(intBuffer(width === 2 ? is.readInt16LE(p) : width === 4 ? is.readInt32LE(p) : is.readBigInt64LE(p)));
  }
}
