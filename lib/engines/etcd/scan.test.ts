// The etcd flat scan holds one page at a time: the records it yields are views of a page's answer
// (values, attrs), so whatever it kept past a page would keep that page alive. Against a fake
// etcd (an EtcdKv whose page() answers from a sorted list, as etcd does: up to the limit, `more`
// when the range holds more), every record must be yielded while its own page is the last one
// read, and none lost, however slowly its table fills.
import type { IRangeRequest } from "etcd3";
import { describe, expect, it } from "vitest";
import { EtcdKv, type EtcdClient } from "./kv";
import type { Kv, KvPage } from "./range-codec";
import { scanEtcdTables } from "./scan";

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
    if (kvs.length) this.fullPages++;
    for (const kv of kvs) this.answeredIn.set(kv.value, this.pages);
    return { kvs, more: inRange.length > limit };
  }
}

describe("scanEtcdTables", () => {
  it("yields each page's records before it reads the next page, the slow tables' too, and loses none", async () => {
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
    const stale: string[] = [];
    for await (const batch of scanEtcdTables(kv)) {
      for (const r of batch.records as unknown[]) {
        const view = batch.table === "nodes" ? (r as { attr: Buffer }).attr : (r as { target: Buffer }).target;
        const page = kv.answeredIn.get(view);
        if (page !== kv.pages) stale.push(`${batch.table} record of page ${page} yielded after page ${kv.pages} was read`);
      }
      if (batch.table === "nodes" || batch.table === "symlinks") seen[batch.table] += batch.records.length;
    }
    expect(kv.fullPages).toBeGreaterThanOrEqual(3); // one range, several pages
    expect(stale.slice(0, 3)).toEqual([]);
    expect(seen).toEqual({ nodes: inodes, symlinks: inodes / 1000 });
  });
});
