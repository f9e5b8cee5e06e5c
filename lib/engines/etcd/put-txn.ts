// The load's transactions encoded straight into etcd's wire format (etcdserverpb.TxnRequest: one
// compare, then up to MAX_TXN_OPS puts), and their answer read for `succeeded` only. etcd3 would
// build a protobufjs object per put, encode them, and decode each answer's header into objects
// with int64 strings the load never reads (README: Performance, etcd, load).
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

const LEN = 2; // wire type: length-delimited
const tag = (field: number, wire: number) => (field << 3) | wire;

/** Bytes of a length's varint (lengths stay far below 2^28: etcd takes requests of 1.5 MiB). */
const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4);

/** A TxnRequest being filled: `compare(value of key) == value`, then puts under one key prefix. */
export class PutTxn {
  private buf: Buffer;
  private at = 0;
  /** Puts written. */
  count = 0;
  /** The compare's key (with the prefix) and the value it must hold. */
  readonly compare: { key: Buffer; value: Buffer };

  /**
   * `sizeHint`: a load's transaction of 128 puts is about 9 KiB. Each buffer is its own
   * ArrayBuffer outside V8's heap, and their sum is what moves V8 to collect: 64 KiB each made
   * 1.6 GB of them at 1M files.
   */
  constructor(
    readonly prefix: Buffer,
    compare: { key: Buffer; value: Buffer },
    sizeHint = 1 << 14,
  ) {
    this.buf = Buffer.allocUnsafe(sizeHint);
    // Compare{ result EQUAL (0, the default, left out), target VALUE = 3, key = 3, value = 7 }
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

  /** RequestOp{ request_put = 2: PutRequest{ key = 1 (prefix + k), value = 2 } } as `success` = 2. */
  put(k: Buffer, v: Buffer): void {
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
  puts(): { key: Buffer; value: Buffer }[] {
    const out: { key: Buffer; value: Buffer }[] = [];
    const b = this.encoded();
    const r = new BinaryReader(b);
    while (r.pos < b.length) {
      const [field, wire] = r.tag();
      if (field !== 2 || wire !== WireType.LengthDelimited) {
        r.skip(wire, field);
        continue;
      }
      // RequestOp{ request_put = 2: PutRequest{ key = 1, value = 2 } }
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
  encoded(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private bytesSize(n: number): number {
    return 1 + varintSize(n) + n;
  }

  private bytes(field: number, b: Buffer): void {
    this.byte(tag(field, LEN));
    this.varint(b.length);
    // TypedArray.set: Buffer.copy's argument checks cost more than the copy of a short key.
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  private byte(b: number): void {
    this.buf[this.at++] = b;
  }

  private varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }
}

/** etcdserverpb.TxnResponse: succeeded = 2; the header and the (put) responses are skipped. */
export function decodeTxnSucceeded(b: Buffer): { succeeded: boolean } {
  const r = new BinaryReader(b);
  let succeeded = false;
  while (r.pos < b.length) {
    const [field, wire] = r.tag();
    if (field === 2 && wire === WireType.Varint) succeeded = r.bool();
    else r.skip(wire, field);
  }
  return { succeeded };
}
