// The etcd flat scan holds a few pages at a time: the one it takes apart, and the next ones,
// asked for first so that etcd reads them meanwhile (within the range, and RANGES_AHEAD ranges). The records it yields are views of a page's answer
// (values, attrs), so whatever it kept past its page would keep that page alive. Against a fake
// etcd (an EtcdKv whose page() answers from a sorted list, as etcd does: up to the limit, `more`
// when the range holds more), every record must be yielded after the next page was asked for and
// before more than RANGES_AHEAD were, and none lost, however slowly its table fills.
import type { IRangeRequest } from "etcd3";
import { describe, expect, it } from "vitest";
import { EtcdKv, type EtcdClient } from "./kv";
import type { Kv, KvPage } from "./range-codec";
import type { EncodedBatch, RecordEncoder } from "../../jfs/table-records";
import { RANGES_AHEAD, scanEtcdTables } from "./scan";

const PREFIX = Buffer.from("jfs\xfd", "latin1");

/** An inode's key of one tag (../tkv/keys.ts: `A`, the inode little-endian, the tag). */
function inodeKey(inode: bigint, tag: string): Buffer {
  const k = Buffer.alloc(10);
  k[0] = 0x41;
  k.writeBigUInt64LE(inode, 1);
  k[9] = tag.charCodeAt(0);
  return k;
}

class FakeKv extends EtcdKv {
  /** The page (1, 2, …) each value was last answered in, by identity: the scan's records are views of it. */
  readonly answeredIn = new Map<Buffer, number>();
  pages = 0;
  /** The pages (1, 2, …) that said `more`: not the last of their range. */
  readonly notLast = new Set<number>();
  /** Each page's range start (with the prefix), in the order asked. */
  readonly askedFrom: Buffer[] = [];
  /** Pages that answered keys (the others: the scan's empty ranges). */
  fullPages = 0;
  private readonly kvs: Kv[];

  constructor(kvs: Kv[]) {
    super(undefined as unknown as EtcdClient, PREFIX, "fake etcd");
    this.kvs = kvs.map((kv) => ({ key: this.key(kv.key), value: kv.value })).sort((a, b) => Buffer.compare(a.key, b.key));
  }

  override async page(req: IRangeRequest): Promise<KvPage> {
    const start = req.key as Buffer;
    const end = req.range_end as Buffer;
    const limit = Number(req.limit);
    let lo = 0;
    for (let hi = this.kvs.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(this.kvs[mid].key, start) < 0) lo = mid + 1;
      else hi = mid;
    }
    const inRange: Kv[] = [];
    for (let i = lo; i < this.kvs.length && Buffer.compare(this.kvs[i].key, end) < 0 && inRange.length <= limit; i++) inRange.push(this.kvs[i]);
    const kvs = inRange.slice(0, limit);
    this.pages++;
    this.askedFrom.push(start);
    if (kvs.length) this.fullPages++;
    for (const kv of kvs) this.answeredIn.set(kv.value, this.pages);
    if (inRange.length > limit) this.notLast.add(this.pages);
    return { kvs, more: inRange.length > limit };
  }
}

describe("scanEtcdTables", () => {
  it("yields each page's records once the next page is asked for and before RANGES_AHEAD more are, the slow tables' too, and loses none", async () => {
    // 30,000 inodes of one low byte (one of the scan's 256 parts of the `A` keys, so several
    // pages of one range), every 1,000th a symlink: a table that never fills a batch.
    const kvs: Kv[] = [];
    const inodes = 30_000;
    for (let i = 0; i < inodes; i++) {
      const inode = BigInt(i) * 256n + 7n;
      kvs.push({ key: inodeKey(inode, "I"), value: Buffer.from(`attr ${inode}`) });
      if (i % 1000 === 0) kvs.push({ key: inodeKey(inode, "S"), value: Buffer.from(`/target/${inode}`) });
    }
    const kv = new FakeKv(kvs);

    const seen = { nodes: 0, symlinks: 0 };
    /** Of each record yielded: its page, and how many pages after its own (in key order) had been asked for by then. */
    const yielded: [number, number][] = [];
    for await (const batch of scanEtcdTables(kv)) {
      for (const r of batch.records as unknown[]) {
        const view = batch.table === "nodes" ? (r as { attr: Buffer }).attr : (r as { target: Buffer }).target;
        const at = kv.key(inodeKey((r as { inode: bigint }).inode, batch.table === "nodes" ? "I" : "S"));
        yielded.push([kv.answeredIn.get(view)!, kv.askedFrom.filter((from) => Buffer.compare(from, at) > 0).length]);
      }
      if (batch.table === "nodes" || batch.table === "symlinks") seen[batch.table] += batch.records.length;
    }
    expect(kv.fullPages).toBeGreaterThanOrEqual(3); // one range, several pages
    // A page that is not its range's last has the next one asked for first (later ranges only
    // beyond RANGES_AHEAD 1), and never more than RANGES_AHEAD are.
    const wrong = yielded.filter(([page, ahead]) => (ahead < 1 && (kv.notLast.has(page) || RANGES_AHEAD > 1)) || ahead > RANGES_AHEAD).map(([page, ahead]) => `a record of page ${page} yielded when ${ahead} pages after it were asked for`);
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(seen).toEqual({ nodes: inodes, symlinks: inodes / 1000 });
  });
});

/** A RecordEncoder that keeps what it is given, as the record path would give it. */
class KeepingEncoder implements RecordEncoder {
  readonly got: { nodes: unknown[]; edges: unknown[]; chunks: unknown[] } = { nodes: [], edges: [], chunks: [] };
  private since = { nodes: 0, edges: 0, chunks: 0 };
  node(inode: number | bigint, attr: Buffer, start: number, end: number): void {
    this.got.nodes.push({ inode: BigInt(inode), attr: Buffer.from(attr.subarray(start, end)) });
    this.since.nodes++;
  }
  edge(parent: number | bigint, inode: number | bigint, name: Buffer, start: number, end: number, type: number): void {
    this.got.edges.push({ parent: BigInt(parent), inode: BigInt(inode), name: Buffer.from(name.subarray(start, end)), type });
    this.since.edges++;
  }
  chunk(inode: number | bigint, index: number, slices: Buffer, start: number, end: number): void {
    this.got.chunks.push({ inode: BigInt(inode), index, slices: Buffer.from(slices.subarray(start, end)) });
    this.since.chunks++;
  }
  count(field: EncodedBatch["field"]): number {
    return this.since[field];
  }
  take(field: EncodedBatch["field"]): EncodedBatch | null {
    const count = this.since[field];
    this.since[field] = 0;
    return count ? { table: "encoded", field, bytes: Buffer.alloc(0), ends: new Int32Array(count), count } : null;
  }
}

describe("scanEtcdTables with an encoder", () => {
  it("writes nodes, edges and chunks with it, as the records it gives without one, inodes past 2^53 too", async () => {
    const kvs: Kv[] = [];
    const inodes = [1n, 2n, 300n, 12_345n * 256n + 9n, 2n ** 53n + 5n, 2n ** 63n + 1n];
    for (const [i, inode] of inodes.entries()) {
      kvs.push({ key: inodeKey(inode, "I"), value: Buffer.from(`attr ${inode}`) });
      const child = inodes[(i + 1) % inodes.length];
      const entry = Buffer.alloc(9);
      entry[0] = 1 + (i % 3);
      entry.writeBigUInt64BE(child, 1);
      kvs.push({ key: Buffer.concat([inodeKey(inode, "D"), Buffer.from(`name-${i}\xff`, "latin1")]), value: entry });
      const index = Buffer.alloc(4);
      index.writeUInt32BE(i * 7);
      kvs.push({ key: Buffer.concat([inodeKey(inode, "C"), index]), value: Buffer.alloc(24 * (1 + i), i) });
      kvs.push({ key: inodeKey(inode, "S"), value: Buffer.from(`/t${i}`) });
    }
    const plain = new Map<string, unknown[]>();
    for await (const b of scanEtcdTables(new FakeKv(kvs))) plain.set(b.table, [...(plain.get(b.table) ?? []), ...(b.records as unknown[])]);

    const encoder = new KeepingEncoder();
    const tables = new Map<string, unknown[]>();
    let encoded = 0;
    for await (const b of scanEtcdTables(new FakeKv(kvs), undefined, encoder)) {
      if (b.table === "encoded") encoded += b.count;
      else tables.set(b.table, [...(tables.get(b.table) ?? []), ...(b.records as unknown[])]);
    }
    expect([...tables.keys()]).toEqual(["symlinks"]);
    expect(tables.get("symlinks")).toEqual(plain.get("symlinks"));
    expect(encoder.got).toEqual({ nodes: plain.get("nodes"), edges: plain.get("edges"), chunks: plain.get("chunks") });
    expect(encoded).toBe(inodes.length * 3);
  });
});
