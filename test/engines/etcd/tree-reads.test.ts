// The dump's reads on etcd (EtcdEngine.readDirNodes): the first listing pages of the directories
// the walk opens together share transactions, and so do the node reads of their children. What
// must hold however they are grouped: every key of every node is read (a range cut short by its
// limit goes on), every entry of a directory bigger than its first page is listed, and all of it
// at the revision the dump began at.
import { beforeAll, describe, expect, it } from "vitest";
import type { EtcdEngine } from "../../../lib/engines/etcd";
import type { ChildBatch } from "../../../lib/engines/engine";
import { chunkKey, entryKey } from "../../../lib/engines/tkv/keys";
import { encodeSlice } from "../../../lib/jfs/binary-values";
import { ROOT_INODE } from "../../../lib/jfs/types";
import { dumpToBuffer, loadBuffer, syntheticDump } from "../../support/engine-io";
import { privateEtcd } from "../../support/etcd-volumes";

const etcd = privateEtcd();

async function children(engine: EtcdEngine, dir: bigint): Promise<ChildBatch> {
  const all: ChildBatch = { names: [], nodes: [] };
  for await (const b of engine.readDirNodes(dir)) {
    all.names.push(...b.names);
    all.nodes.push(...b.nodes);
  }
  return all;
}

async function listed(engine: EtcdEngine, dir: bigint): Promise<Buffer[]> {
  const names: Buffer[] = [];
  for await (const b of engine.readDir(dir).batches) names.push(...b.map((e) => e.name));
  return names;
}

describe("etcd: the dump's shared reads", () => {
  let engine: EtcdEngine;
  let source: Buffer;
  /** The synthetic volume's flat directory: 900 entries, far more than one first page. */
  let flat: bigint;
  beforeAll(async () => {
    engine = await etcd.fresh();
    source = await syntheticDump({ files: 3000 });
    await loadBuffer(engine, source);
    let most = 0;
    for (const e of (await children(engine, ROOT_INODE)).nodes) {
      if (e.attr?.type !== "directory") continue;
      const n = (await listed(engine, e.inode)).length;
      if (n > most) [most, flat] = [n, e.inode];
    }
    expect(most).toBeGreaterThan(600);
  }, 60_000);

  it("many small directories and one of many pages dump back byte for byte, with any --threads", async () => {
    expect((await dumpToBuffer(engine)).equals(source)).toBe(true);
    expect((await dumpToBuffer(engine, { threads: 1 })).equals(source)).toBe(true);
  }, 60_000);

  it("a file of more keys than its range returns, in a directory bigger than its first page, is read whole", async () => {
    const { names, nodes } = await children(engine, flat);
    expect(names).toEqual(await listed(engine, flat));
    const file = nodes.find((n) => n.attr?.type === "regular")!;
    const chunks = 700; // a node range returns 256 keys
    const slice = encodeSlice({ id: 7n, pos: 0, size: 4096, off: 0, len: 4096 });
    for (let i = 0; i < chunks; i += 128) {
      const ops = [];
      for (let k = i; k < Math.min(chunks, i + 128); k++) ops.push(engine.kv.put(chunkKey(file.inode, k), slice));
      await engine.kv.txn({ success: ops });
    }
    const again = await children(engine, flat);
    const read = again.nodes.find((n) => n.inode === file.inode)!;
    expect(read.chunks.map((c) => c.index)).toEqual(Array.from({ length: chunks }, (_, k) => k));
    expect(read.chunks.every((c) => c.slices.length === 1 && c.slices[0].id === 7n)).toBe(true);
    // Every other node as it was.
    expect(again.nodes.filter((n) => n.inode !== file.inode)).toEqual(nodes.filter((n) => n.inode !== file.inode));
  }, 60_000);

  it("reads the revision the dump began at, whatever is written meanwhile", async () => {
    const before = await children(engine, flat);
    const read = await engine.beginConsistentRead();
    try {
      // Another client adds an entry to the directory and a chunk to each of its first nodes.
      const writer = await etcd.open(engine.redactedUrl);
      const ops = [writer.kv.put(entryKey(flat, Buffer.from("zz-late")), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 9]))];
      const late = encodeSlice({ id: 9n, pos: 0, size: 4096, off: 0, len: 4096 });
      for (const n of before.nodes.slice(0, 127)) ops.push(writer.kv.put(chunkKey(n.inode, 5000), late));
      await writer.kv.txn({ success: ops });
      const during = await children(engine, flat);
      expect(during).toEqual(before);
    } finally {
      await read.end();
    }
    const after = await children(engine, flat);
    expect(after.names.map(String)).toContain("zz-late");
    expect(after.nodes.find((n) => n.inode === before.nodes[0].inode)!.chunks.some((c) => c.index === 5000)).toBe(true);
  }, 60_000);
});
