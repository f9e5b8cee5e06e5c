// The answers of the dump's reads (RangeResponse, and TxnResponse of ranges) decoded straight
// from the wire into keys and values, over @bufbuild/protobuf's BinaryReader. etcd3 decodes
// every KeyValue with protobufjs into an object whose four int64s (create_revision,
// mod_revision, version, lease) become strings, none of which a dump reads; measured in the
// README (Performance, etcd), this is what the dump's CPU went to beyond the Redis dump's.
// Keys and values are views into the answer's buffer, as protobufjs gives them.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** A key and its value: the two KeyValue fields the engine reads. */
export interface Kv {
  key: Buffer;
  value: Buffer;
}

/** One range's answer: its keys (at most its limit) and whether the range holds more. */
export interface KvPage {
  kvs: Kv[];
  more: boolean;
}

const EMPTY = Buffer.alloc(0);

/** BinaryReader on a Buffer hands out Buffer views (subarray keeps the Buffer class). */
const bytes = (r: BinaryReader) => r.bytes() as Buffer;

/** mvccpb.KeyValue up to `end`: key = 1, value = 5; the revisions and the lease are skipped. */
function readKv(r: BinaryReader, end: number): Kv {
  let key: Buffer = EMPTY;
  let value: Buffer = EMPTY;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) key = bytes(r);
    else if (field === 5 && wire === WireType.LengthDelimited) value = bytes(r);
    else r.skip(wire, field);
  }
  return { key, value };
}

/** etcdserverpb.RangeResponse up to `end`: kvs = 2, more = 3; the header and count are skipped. */
function readRange(r: BinaryReader, end: number): KvPage {
  const kvs: Kv[] = [];
  let more = false;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === 2 && wire === WireType.LengthDelimited) {
      const len = r.uint32();
      kvs.push(readKv(r, r.pos + len));
    } else if (field === 3 && wire === WireType.Varint) more = r.bool();
    else r.skip(wire, field);
  }
  if (r.pos !== end) throw new RangeError("etcd answer: a message runs past its end");
  return { kvs, more };
}

export function decodeRangeResponse(b: Buffer): KvPage {
  return readRange(new BinaryReader(b), b.length);
}

/**
 * etcdserverpb.TxnResponse of a read-only transaction: each ResponseOp (responses = 3) must be
 * a response_range (= 1); anything else means the transaction was not the ranges asked for.
 */
export function decodeRangeTxnResponse(b: Buffer): KvPage[] {
  const r = new BinaryReader(b);
  const out: KvPage[] = [];
  while (r.pos < b.length) {
    const [field, wire] = r.tag();
    if (field !== 3 || wire !== WireType.LengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    const opEnd = r.uint32() + r.pos;
    let page: KvPage | null = null;
    while (r.pos < opEnd) {
      const [f, w] = r.tag();
      if (f === 1 && w === WireType.LengthDelimited) {
        const len = r.uint32();
        page = readRange(r, r.pos + len);
      } else r.skip(w, f);
    }
    if (!page) throw new RangeError("etcd answer: a transaction of ranges answered with another operation");
    out.push(page);
  }
  return out;
}
