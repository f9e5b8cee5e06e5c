// The flat scan of an etcd volume (MetaEngine.scanTables): every key under the prefix once, in
// pages at the dump's revision (the `A` keys in 256 parts: subRanges), each told by its layout
// (../tkv/keys.ts) and turned into the binary dump's records as stored. One pass over the
// prefix, no tree walk.
import type { QueryGate } from "../engine";
import type { QuotaKind } from "../../jfs/types";
import type { TableBatch, TableName } from "../../jfs/table-records";
import { decodeAcl, readI64, readU64, SLICE_BYTES } from "../../jfs/binary-values";
import type { EtcdKv } from "./kv";

/** Keys a page holds (a page is a few MB of keys and values). */
const PAGE = 10_000;
/** Records per yielded batch of one table. */
const BATCH = 10_000;

const A = 0x41;

export async function* scanEtcdTables(kv: EtcdKv, gate: QueryGate = (q) => q()): AsyncGenerator<TableBatch> {
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
  for (const [first, end] of subRanges()) {
    let from = first;
    for (;;) {
      const start = from;
      const r = await gate(() => kv.page(kv.rangeRequest(start, end, PAGE)));
      for (const { key: full, value } of r.kvs) {
        const k = full.subarray(skip);
        let full_: TableBatch | null = null;
        if (k[0] === A && k.length >= 10) {
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
      // What a page yielded goes out with it: records are views of the page's answer (values,
      // attrs), so a table that fills slowly (symlinks, xattrs) would otherwise keep a view of
      // every page it met alive until its batch filled: at 1M files most of the scan, 517 MB
      // peak RSS in a staged JSON dump.
      for (const l of lists.values()) yield l.batch; // a list exists only once it holds a record
      lists.clear();
      if (!r.more || r.kvs.length === 0) break;
      from = Buffer.concat([r.kvs[r.kvs.length - 1].key.subarray(skip), Buffer.from([0])]);
    }
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
