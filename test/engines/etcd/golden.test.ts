// JuiceFS's own load/dump expectations (pkg/meta/load_dump_test.go) on etcd, with a private
// etcd: metadata.sample loads, dumps back byte for byte, --subdir d1 gives metadata-sub.sample,
// checkMeta's facts hold in the stored keys, and a load never leaves half a volume behind.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "../../support/fixtures";
import { dumpToBuffer } from "../../support/engine-io";
import { loadMeta } from "../../../lib/engines/load";
import type { EtcdEngine } from "../../../lib/engines/etcd";
import { privateEtcd } from "../../support/etcd-volumes";
import { attrKey, counterKey, decodeCounter, dirStatKey, parentKey, quotaKey } from "../../../lib/engines/tkv/keys";
import { ROOT_INODE } from "../../../lib/jfs/types";

const etcd = privateEtcd();
const fresh = () => etcd.fresh();

describe("etcd: JuiceFS golden load/dump", () => {
  let engine: EtcdEngine;
  beforeAll(async () => {
    engine = await fresh();
    await loadMeta(engine, createReadStream(goldenPath("metadata.sample")));
  });

  it("dumps metadata.sample back byte for byte, with any --threads", async () => {
    expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
    expect((await dumpToBuffer(engine, { threads: 1 })).equals(golden("metadata.sample"))).toBe(true);
  });

  it("dumps --subdir d1 as metadata-sub.sample", async () => {
    expect((await dumpToBuffer(engine, { subdir: "d1" })).equals(golden("metadata-sub.sample"))).toBe(true);
  });

  it("stores what checkMeta expects", async () => {
    const kv = engine.kv;
    expect(await engine.readCounters()).toMatchObject({ usedSpace: 115392512n, usedInodes: 14n, nextInodes: 35n, nextChunk: 9n, nextSession: 0n, nextTrash: 1n });
    const stat = (await kv.get(dirStatKey(ROOT_INODE)))!;
    expect([stat.readBigInt64BE(0), stat.readBigInt64BE(8), stat.readBigInt64BE(16)]).toEqual([36n, 9n * 4096n, 9n]);
    const q = (await kv.get(quotaKey("dir", ROOT_INODE)))!;
    expect([q.readBigInt64BE(0), q.readBigInt64BE(8)]).toEqual([1n << 30n, 100n]);
    // Hard-linked inode 4: nlink 2, parent 0 in its attr, one link from each parent in P keys.
    const a4 = (await kv.get(attrKey(4n)))!;
    expect([a4.readUInt32BE(47), a4.readBigUInt64BE(63)]).toEqual([2, 0n]);
    expect(decodeCounter(await kv.get(parentKey(4n, 1n)))).toBe(1n);
    expect(decodeCounter(await kv.get(parentKey(4n, 3n)))).toBe(1n);
    expect(decodeCounter(await kv.get(counterKey("aclMaxId")))).toBe(4n);
    expect((await engine.getXattr(3n, "dk"))?.toString()).toBe("果汁%25");
  });

  it("refuses a non-empty prefix, naming the volume, and writes nothing", async () => {
    const before = await engine.countKeys();
    await expect(loadMeta(engine, createReadStream(goldenPath("metadata.sample")))).rejects.toThrow(/used by volume load-dump-test/);
    expect(await engine.countKeys()).toBe(before);
    // A key of someone else's under the prefix is enough (JuiceFS's rule: any key).
    const other = await fresh();
    await other.kv.txn({ success: [other.kv.put(Buffer.from("x"), Buffer.from("1"))] });
    await expect(loadMeta(other, createReadStream(goldenPath("metadata.sample")))).rejects.toThrow(/is not empty/);
    expect(await other.countKeys()).toBe(1);
  });

  it("a bad dump leaves the prefix empty: everything written is deleted", async () => {
    const e = await fresh();
    const text = golden("metadata.sample").toString("utf8");
    const broken = text.slice(0, text.indexOf('"Trash"')) + '"Trash": {"attr": {"inode": "oops"';
    await expect(loadMeta(e, Readable.from([Buffer.from(broken)]))).rejects.toThrow();
    expect(await e.countKeys()).toBe(0);
    expect(await e.findLoadClaim()).toBeNull();
  });

  it("a dump whose revision is compacted away fails with the reason, not a shorter dump", async () => {
    const snap = await engine.beginConsistentRead();
    try {
      await engine.client.kv.put({ key: Buffer.from("elsewhere"), value: Buffer.from("1") });
      const { header } = await engine.client.kv.range({ key: Buffer.from("elsewhere") });
      await engine.client.kv.compact({ revision: header.revision, physical: true });
      await expect(engine.readSetting()).rejects.toThrow(/compacted the revision this dump was reading .*dump again/);
    } finally {
      await snap.end();
    }
    expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
  });

  it("volumes under neighbouring prefixes do not see each other", async () => {
    const a = await etcd.open(`etcd://${etcd.server.hosts}/nb`);
    const b = await etcd.open(`etcd://${etcd.server.hosts}/nb2`);
    await loadMeta(a, createReadStream(goldenPath("metadata.sample")));
    expect(await b.checkEmpty()).toEqual({ empty: true });
    await loadMeta(b, createReadStream(goldenPath("metadata.sample")));
    expect((await dumpToBuffer(a)).equals(golden("metadata.sample"))).toBe(true);
  });
});
