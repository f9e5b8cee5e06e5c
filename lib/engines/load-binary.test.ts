// BinaryLoad's column path: the runs it hands a sink that stores the dump's bytes, and the
// records it cannot hand over as they are.
import { describe, expect, it } from "vitest";
import type { Attr } from "../jfs/types";
import { encodeAttr, encodeSlice } from "../jfs/binary-values";
import type { ChunkColumns, NodeColumns } from "../jfs/table-records";
import { BinaryLoad } from "./load-binary";
import type { LoadSink } from "./engine";

const attr = (inode: bigint): Attr => ({
  inode, flags: 0, type: "regular", mode: 0o644, uid: 1, gid: 2, atime: 5n, atimensec: 0, mtime: 6n, mtimensec: 0, ctime: 7n, ctimensec: 0, nlink: 1, length: 10n, rdev: 0, tier: 0,
});

/** Columns over the concatenation of `parts`. */
function columns(parts: Buffer[]): { count: number; bytes: Buffer; start: Int32Array; end: Int32Array } {
  const start = new Int32Array(parts.length);
  const end = new Int32Array(parts.length);
  let at = 0;
  parts.forEach((p, i) => {
    start[i] = at;
    end[i] = at += p.length;
  });
  return { count: parts.length, bytes: Buffer.concat(parts), start, end };
}

function recordingSink() {
  const calls: string[] = [];
  const sink = {
    node: (a: Attr, parent: bigint, acl: { access: number; default: number }, stored?: Buffer) => calls.push(`node ${a.inode} ${a.length} parent ${parent} acl ${acl.access}/${acl.default} ${stored ? "stored" : "decoded"}`),
    storedNodes: (_c: NodeColumns, from: number, to: number) => calls.push(`storedNodes ${from}-${to}`),
    storedChunks: (_c: ChunkColumns, from: number, to: number) => calls.push(`storedChunks ${from}-${to}`),
    flush: async () => {},
  };
  return { calls, sink: sink as unknown as LoadSink };
}

const at = { segment: "node", offset: 0 };

describe("BinaryLoad's columns", () => {
  it("nodes: runs of encodeAttr's bytes go as they are; a legacy short attr or ACL ids of zero written out is decoded and goes through node()", async () => {
    const { calls, sink } = recordingSink();
    const load = new BinaryLoad(sink, () => {});
    const plain = (i: bigint) => encodeAttr(attr(i), 1n);
    const legacy = plain(3n).subarray(0, 63); // before the parent field
    const zeroAcl = Buffer.concat([plain(5n).subarray(0, 71), Buffer.alloc(9)]);
    const cols = columns([plain(2n), legacy, plain(4n), zeroAcl, encodeAttr(attr(6n), 1n, 7, 0), plain(8n)]);
    await load.nodeColumns!({ ...cols, inode: Float64Array.from([2, 3, 4, 5, 6, 8]) }, at);
    expect(calls).toEqual([
      "storedNodes 0-1",
      "node 3 10 parent 0 acl 0/0 decoded",
      "storedNodes 2-3",
      "node 5 10 parent 1 acl 0/0 decoded",
      "storedNodes 4-6",
    ]);
    expect(load.result).toMatchObject({ inodes: 6, files: 6 });
    // The structure check saw each: a second inode 4 is refused.
    await expect(load.nodeColumns!({ ...columns([plain(4n)]), inode: Float64Array.from([4]) }, at)).rejects.toThrow(/inode 4 is stored twice/);
  });

  it("chunks: a chunk without slices is left out of the runs, as chunks() leaves it out", async () => {
    const { calls, sink } = recordingSink();
    const load = new BinaryLoad(sink, () => {});
    const slice = encodeSlice({ pos: 0, id: 9n, size: 10, off: 0, len: 10 });
    const cols = columns([slice, Buffer.alloc(0), Buffer.concat([slice, slice]), slice]);
    await load.chunkColumns!({ ...cols, inode: Float64Array.from([2, 3, 4, 5]), index: Float64Array.from([0, 0, 1, 0]) }, at);
    expect(calls).toEqual(["storedChunks 0-1", "storedChunks 2-4"]);
  });
});
