// The load's transactions encoded straight into etcd's wire format (etcdserverpb.TxnRequest: one
// compare, then puts in nested transactions), and their answer read for `succeeded` only. etcd3
// would build a protobufjs object per put, encode them, and decode each answer's header into
// objects with int64 strings the load never reads (README: Performance, etcd, load).
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

const LEN = 2; // wire type: length-delimited
const tag = (field: number, wire: number) => (field << 3) | wire;

/** Bytes of a length's varint (lengths stay far below 2^28: etcd takes requests of 1.5 MiB). */
const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4);

/**
 * How a load's transaction holds its puts: 16 transactions (RequestOp.request_txn) of 64 puts
 * each, under the one compare. etcd's --max-txn-ops (128) bounds each transaction's operations,
 * a nested one's by what its parent leaves (128 − 16 ≥ 64: etcd's checkTxnRequest), not their
 * sum. etcd 3.4 pays per transaction (proposal, apply, a copy of its uncommitted writes into a
 * read view) and grpc-js per request: at 1M files, 24,458 flat transactions of 128 against
 * about 3,100 of 1,024 puts took the client 39.6 s of CPU against 27.9 s and etcd 96 s against
 * 67 s (the same minutes). 2,048 (32 × 64) saved no more; larger ones make etcd's applies slow
 * enough (over 100 ms) that it logs each whole request.
 */
export const NESTING: readonly number[] = [16, 64];

/** A TxnRequest being filled: `compare(value of key) == value`, then puts under one key prefix. */
export class PutTxn {
  private buf: Buffer;
  private at = 0;
  /** Puts written. */
  count = 0;
  /** No more puts fit under etcd's --max-txn-ops. */
  full = false;
  /** The compare's key (with the prefix) and the value it must hold. */
  readonly compare: { key: Buffer; value: Buffer };
  /** Of each nesting level: where its open group's operations start (-1: none open), and how many it holds. */
  private readonly open: number[];
  private readonly held: number[];

  /**
   * `sizeHint`: a load's transaction of 1,024 puts is about 64 KiB (9 KiB a flat one of 128).
   * Each buffer is its own ArrayBuffer outside V8's heap, and their sum is what moves V8 to
   * collect: 64 KiB for each of 24,458 transactions made 1.6 GB of them at 1M files.
   */
  constructor(
    readonly prefix: Buffer,
    compare: { key: Buffer; value: Buffer },
    sizeHint = 80 << 10,
    private readonly nesting: readonly number[] = NESTING,
  ) {
    this.buf = Buffer.allocUnsafe(sizeHint);
    this.open = nesting.map(() => -1);
    this.held = nesting.map(() => 0);
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
    const at = this.slot(k.length, v.length);
    this.buf.set(k, at);
    this.buf.set(v, this.valueAt);
  }

  /**
   * A put whose key (after the prefix) and value the caller writes into `buffer`: the key at the
   * offset returned, `keyLength` bytes, the value at `valueAt`. A load's keys and values are
   * written there straight from its records, not each made a Buffer of its own first.
   */
  slot(keyLength: number, valueLength: number): number {
    const last = this.nesting.length - 1;
    // The groups the last put filled are closed now, its key and value written by then.
    for (let l = last; l > 0 && this.open[l] >= 0 && this.held[l] === this.nesting[l]; l--) this.close(l);
    for (let l = 1; l <= last; l++) {
      if (this.open[l] >= 0) continue;
      this.held[l - 1]++;
      this.open[l] = this.at;
      this.held[l] = 0;
    }
    const keyLen = this.prefix.length + keyLength;
    const put = this.bytesSize(keyLen) + this.bytesSize(valueLength);
    const op = 1 + varintSize(put) + put;
    this.room(1 + varintSize(op) + op);
    this.byte(tag(2, LEN));
    this.varint(op);
    this.byte(tag(2, LEN));
    this.varint(put);
    this.byte(tag(1, LEN));
    this.varint(keyLen);
    this.buf.set(this.prefix, this.at);
    const keyAt = (this.keyAt = this.at + this.prefix.length);
    this.at += keyLen;
    this.byte(tag(2, LEN));
    this.varint(valueLength);
    this.valueAt = this.at;
    this.at += valueLength;
    this.count++;
    this.held[last]++;
    let full = true;
    for (let l = 0; l <= last; l++) full &&= this.held[l] === this.nesting[l];
    this.full = full;
    return keyAt;
  }

  /** Where the key (after the prefix) and the value of the last slot() go. */
  keyAt = 0;
  valueAt = 0;

  /** The request's buffer: slot() may replace it by a bigger one. */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Wraps level l's open group (its operations) as RequestOp{ request_txn = 4: TxnRequest{ success… } } in its parent. */
  private close(l: number): void {
    const from = this.open[l];
    this.open[l] = -1;
    const len = this.at - from;
    const op = 1 + varintSize(len) + len;
    const head = 1 + varintSize(op) + 1 + varintSize(len);
    this.room(head);
    this.buf.copyWithin(from + head, from, this.at);
    this.at = from;
    this.byte(tag(2, LEN));
    this.varint(op);
    this.byte(tag(4, LEN));
    this.varint(len);
    this.at += len;
  }

  /** The encoded request (a view of the buffer: send it before anything else is put). */
  encoded(): Buffer {
    for (let l = this.nesting.length - 1; l > 0; l--) if (this.open[l] >= 0) this.close(l);
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
