// The flat scan of an etcd volume (MetaEngine.scanTables): every key under the prefix once, in
// pages at the dump's revision (the `A` keys in 256 parts: subRanges), each told by its layout
// (../tkv/keys.ts) and turned into the binary dump's records as stored. One pass over the
// prefix, no tree walk. With an encoder (RecordEncoder: the binary writer's, or the staged JSON
// walk's sort), nodes, edges and chunks are written with it straight from the page's bytes: no
// record object, bigint or Buffer per key, which were most of the scan's garbage.
import type { QueryGate } from "../engine";
import type { QuotaKind } from "../../jfs/types";
import { ENCODED_FIELDS, type RecordEncoder, type ScanBatch, type TableBatch, type TableName } from "../../jfs/table-records";
import { decodeAcl, readI64, readU64, readU64Exact, readU64ExactLE, SLICE_BYTES } from "../../jfs/binary-values";
import type { EtcdKv } from "./kv";
import type { KvPage } from "./range-codec";

/** Keys a page holds (a page is a few MB of keys and values). */
const PAGE = 10_000;
/** Records per yielded batch of one table. */
const BATCH = 10_000;
/**
 * Ranges read at once: the one being taken apart and, beyond 1, the next ones, each with a page
 * asked for. etcd reads a page with about as much CPU as this process spends taking it apart (at
 * 1M files, 3.2M keys: 18-20 s of etcd's CPU), and one request at a time leaves the scan waiting
 * on it about half its time. Two or three ranges at once, with grpc-js's HTTP/2 window raised
 * from 64 KiB to 8-32 MiB (else etcd stops after 64 KiB of a page until this process reads on),
 * made the 1M-file JSON dump 15-25 % faster on the shared machine, but its peak RSS reached
 * 395-452 MB in 5 of 20 runs (V8's heap at 183 MB during the scan), against 226-285 MB: kept
 * at one until that is understood. Within a range the next page is still asked for first.
 */
export const RANGES_AHEAD = 1;

const A = 0x41;

export function scanEtcdTables(kv: EtcdKv, gate?: QueryGate): AsyncGenerator<TableBatch>;
export function scanEtcdTables(kv: EtcdKv, gate: QueryGate | undefined, encoder: RecordEncoder | undefined): AsyncGenerator<ScanBatch>;
export async function* scanEtcdTables(kv: EtcdKv, gate: QueryGate = (q) => q(), encoder?: RecordEncoder): AsyncGenerator<ScanBatch> {
  const lists = new Map<string, { batch: TableBatch; records: unknown[] }>();
  const push = (table: TableName, record: unknown, kind?: QuotaKind): TableBatch | null => {
    const id = kind ? `${table}:${kind}` : table;
    let l = lists.get(id);
    if (!l) {
      const records: unknown[] = [];
      l = { batch: (kind ? { table, kind, records } : { table, records }) as TableBatch, records };
      lists.set(id, l);
    }
    l.records.push(record);
    if (l.records.length < BATCH) return null;
    lists.delete(id);
    return l.batch;
  };
  const skip = kv.prefix.length;
  // Pages are taken apart in key order, range after range, while the range being taken apart
  // and the ones after it, RANGES_AHEAD in all, each have a page asked for (RangeReader).
  const ranges = subRanges().map(([start, end]) => new RangeReader(kv, start, end, gate));
  for (let i = 0; i < ranges.length; ) {
    for (let j = i; j < Math.min(i + RANGES_AHEAD, ranges.length); j++) ranges[j].start();
    const r = await ranges[i].take();
    if (!r) {
      i++;
      continue;
    }
    for (const { key: full, value } of r.kvs) {
      const k = full.subarray(skip);
      let full_: TableBatch | null = null;
      if (encoder && k[0] === A && k.length >= 10 && (k[9] === 0x49 || k[9] === 0x44 || k[9] === 0x43)) {
        const tag = k[9];
        const at = skip + 10; // the key's rest, in `full`
        if (tag === 0x49 && full.length === at) encoder.node(readU64ExactLE(k, 1), value, 0, value.length);
        else if (tag === 0x44 && value.length === 9) encoder.edge(readU64ExactLE(k, 1), readU64Exact(value, 1), full, at, full.length, value[0]);
        else if (tag === 0x43 && full.length === at + 4 && value.length > 0 && value.length % SLICE_BYTES === 0) encoder.chunk(readU64ExactLE(k, 1), full.readUInt32BE(at), value, 0, value.length);
      } else if (k[0] === A && k.length >= 10) {
        const inode = k.readBigUInt64LE(1);
        const tag = k[9];
        const rest = k.subarray(10);
        if (tag === 0x49 && rest.length === 0) full_ = push("nodes", { inode, attr: value });
        else if (tag === 0x44 && value.length === 9) full_ = push("edges", { parent: inode, inode: readU64(value, 1), name: Buffer.from(rest), type: value[0] });
        else if (tag === 0x43 && rest.length === 4 && value.length > 0 && value.length % SLICE_BYTES === 0) full_ = push("chunks", { inode, index: rest.readUInt32BE(0), slices: value });
        else if (tag === 0x53 && rest.length === 0) full_ = push("symlinks", { inode, target: value });
        else if (tag === 0x58) full_ = push("xattrs", { inode, name: Buffer.from(rest), value });
        else if (tag === 0x50 && rest.length === 8 && value.length === 8) {
          const cnt = value.readBigInt64LE(0);
          if (cnt > 0n) full_ = push("parents", { inode, parent: rest.readBigUInt64LE(0), cnt });
        }
      } else if (k[0] === 0x55 /* U */ && k.length === 9 && value.length === 24) {
        full_ = push("dirStats", { inode: k.readBigUInt64LE(1), dataLength: readI64(value, 0), usedSpace: readI64(value, 8), usedInodes: readI64(value, 16) });
      } else if (k[0] === 0x4b /* K */ && k.length === 13 && value.length === 8) {
        full_ = push("sliceRefs", { id: readU64(k, 1), size: k.readUInt32BE(9), refs: value.readBigInt64LE(0) + 1n });
      } else if (k[0] === 0x52 /* R */ && k.length === 5) {
        const rule = decodeAcl(value);
        if (rule) full_ = push("acls", { id: k.readUInt32BE(1), rule });
      } else if (k[0] === 0x51 /* Q */ && k.length === 10 && value.length === 32) {
        const kind: QuotaKind | null = k[1] === 0x44 ? "dir" : k[1] === 0x55 ? "user" : k[1] === 0x47 ? "group" : null;
        if (kind) {
          const key = kind === "dir" ? k.readBigUInt64LE(2) : readU64(k, 2);
          full_ = push("quotas", { key, maxSpace: readI64(value, 0), maxInodes: readI64(value, 8), usedSpace: readI64(value, 16), usedInodes: readI64(value, 24) }, kind);
        }
      }
      if (full_) yield full_;
    }
    if (encoder) for (const field of ENCODED_FIELDS) if (encoder.count(field) >= BATCH) yield encoder.take(field)!;
    // What a page yielded goes out with it: records are views of the page's answer (values,
    // attrs), so a table that fills slowly (symlinks, xattrs) would otherwise keep a view of
    // every page it met alive until its batch filled: at 1M files most of the scan, 517 MB
    // peak RSS in a staged JSON dump.
    for (const l of lists.values()) yield l.batch; // a list exists only once it holds a record
    lists.clear();
  }
  // The encoder copied what it was given: its last records wait for no page.
  if (encoder) {
    for (const field of ENCODED_FIELDS) {
      const b = encoder.take(field);
      if (b) yield b;
    }
  }
}

/** One range read page after page: one page asked for ahead of the one taken, once started. */
class RangeReader {
  private asked: Promise<KvPage> | null = null;
  private done = false;

  constructor(
    private readonly kv: EtcdKv,
    private from: Buffer,
    private readonly end: Buffer,
    private readonly gate: QueryGate,
  ) {}

  start(): void {
    if (!this.asked && !this.done) this.asked = this.ask();
  }

  /** The range's next page, or null after its last. */
  async take(): Promise<KvPage | null> {
    this.start();
    if (!this.asked) return null;
    const r = await this.asked;
    this.asked = null;
    if (r.more && r.kvs.length > 0) {
      this.from = Buffer.concat([r.kvs[r.kvs.length - 1].key.subarray(this.kv.prefix.length), Buffer.from([0])]);
      this.asked = this.ask();
    } else this.done = true;
    return r;
  }

  private ask(): Promise<KvPage> {
    const req = this.kv.rangeRequest(this.from, this.end, PAGE);
    const page = this.gate(() => this.kv.page(req));
    page.catch(() => {}); // awaited by take(); a scan stopped early never asks
    return page;
  }
}

/**
 * The prefix in ranges read one after the other: what precedes `A`, the `A` keys (an inode's
 * attr, entries, chunks…: most of a volume) split by the inode's low byte (the first byte of
 * its little-endian form, so the parts are even), and what follows. etcd walks its index from
 * a page's start to the range's end on every page, so one range of n keys in pages of p costs
 * it n²/2p: at 1M files (3.2M keys, pages of 10,000) about 500M index steps, 256 parts ~2M.
 */
function subRanges(): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [[Buffer.alloc(0), Buffer.from([A, 0])]];
  for (let b = 0; b < 256; b++) out.push([Buffer.from([A, b]), b < 255 ? Buffer.from([A, b + 1]) : Buffer.from([A + 1])]);
  out.push([Buffer.from([A + 1]), Buffer.from([0])]);
  return out;
}
