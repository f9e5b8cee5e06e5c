// The structure check fed the same records as columns (what the binary load and `jfsmeta verify`
// take for most segments) and as records: the same counts and the same refusals.
import { describe, expect, it } from "vitest";
import type { Attr, NodeType } from "../../jfs/types";
import { TYPE_CODE } from "../../jfs/types";
import { decodeAttr, encodeAttr, SLICE_BYTES } from "../../jfs/binary-values";
import type { Counters } from "../../jfs/types";
import { parseSetting } from "../../jfs/setting-json";
import { BinaryStructureCheck, checkingVisitor } from "./check";

const attr = (inode: bigint, type: NodeType, length = 0n): Attr => ({
  inode, flags: 0, type, mode: 0o755, uid: 0, gid: 0, atime: 1n, atimensec: 0, mtime: 1n, mtimensec: 0, ctime: 1n, ctimensec: 0, nlink: 1, length, rdev: 0, tier: 0,
});
const at = { segment: "node", offset: 0 };

interface Case {
  nodes: [Attr, number][]; // attr, access ACL id
  edges: [bigint, bigint, NodeType][]; // parent, inode, type
  chunks: number[]; // slices per chunk
}

function spans(sizes: number[]) {
  const start = new Int32Array(sizes.length);
  const end = new Int32Array(sizes.length);
  let p = 0;
  sizes.forEach((n, i) => {
    start[i] = p;
    end[i] = p += n;
  });
  return { start, end, count: sizes.length };
}

/** The counts, and finish()'s refusal (or "sound"), with nodes, edges and chunks as records or as columns. */
async function run(c: Case, columns: boolean): Promise<string> {
  const check = new BinaryStructureCheck();
  const v = checkingVisitor(check);
  try {
    await v.format!(parseSetting(Buffer.from(JSON.stringify({ Name: "t", UUID: "u", Storage: "file", Bucket: "/b/", BlockSize: 4096 }))), at);
    await v.counters!({ usedSpace: 0n, usedInodes: 0n, nextInodes: 9n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n } as Counters, at);
    await v.acls!([{ id: 1, rule: { owner: 7, group: 5, mask: 5, other: 5, users: [], groups: [] } }], at);
    const bytes = c.nodes.map(([a, acl]) => encodeAttr(a, 1n, acl, 0));
    if (columns) {
      await v.nodeColumns!({ ...spans(bytes.map((b) => b.length)), bytes: Buffer.concat(bytes), inode: Float64Array.from(c.nodes, ([a]) => Number(a.inode)) }, at);
      await v.edgeColumns!({ ...spans(c.edges.map(() => 1)), bytes: Buffer.alloc(c.edges.length, 0x61), parent: Float64Array.from(c.edges, (e) => Number(e[0])), inode: Float64Array.from(c.edges, (e) => Number(e[1])), type: Uint8Array.from(c.edges, (e) => TYPE_CODE[e[2]]) }, at);
      await v.chunkColumns!({ ...spans(c.chunks.map((n) => n * SLICE_BYTES)), bytes: Buffer.alloc(c.chunks.reduce((a, n) => a + n, 0) * SLICE_BYTES), inode: Float64Array.from(c.chunks, () => 2), index: Float64Array.from(c.chunks, (_, i) => i) }, at);
    } else {
      await v.nodes!(bytes.map((b, i) => decodeAttr(c.nodes[i][0].inode, b)!), at);
      await v.edges!(c.edges.map(([parent, inode, type]) => ({ parent, inode, type, name: Buffer.from("a") })), at);
      await v.chunks!(c.chunks.map((n, index) => ({ inode: 2n, chunk: { index, slices: Array.from({ length: n }, () => ({ pos: 0, id: 1n, size: 1, off: 0, len: 1 })) }, stored: Buffer.alloc(n * SLICE_BYTES) })), at);
    }
    check.finish();
    return `sound ${JSON.stringify(check.counts, (_, x) => (typeof x === "bigint" ? String(x) : x))}`;
  } catch (e) {
    return (e as Error).message;
  }
}

const sound: Case = {
  nodes: [[attr(1n, "directory", 4096n), 1], [attr(2n, "regular", 5n << 40n), 0], [attr(3n, "symlink", 4n), 0], [attr(4n, "directory", 4096n), 0], [attr(5n, "regular", 7n), 0]],
  edges: [[1n, 2n, "regular"], [1n, 3n, "symlink"], [1n, 4n, "directory"], [4n, 5n, "regular"]],
  chunks: [1, 0, 3],
};

describe("the structure check, columns against records", () => {
  it.each([
    ["a sound volume", sound, /^sound .*"inodes":5,"directories":2,"files":2,"symlinks":1,"entries":4,"trashEntries":0,"chunks":3,"slices":4,"bytes":"5497558138887"/],
    ["an inode stored twice", { ...sound, nodes: [...sound.nodes, [attr(5n, "regular"), 0]] } as Case, /inode 5 is stored twice/],
    ["an entry to an inode not stored", { ...sound, edges: [...sound.edges, [4n, 8n, "regular"]] } as Case, /a directory entry points at inode 8, which is not stored/],
    ["entries under a file", { ...sound, edges: [...sound.edges, [2n, 5n, "regular"]] } as Case, /inode 2 holds directory entries but is not a stored directory/],
    ["an ACL rule not defined", { ...sound, nodes: [...sound.nodes, [attr(6n, "regular"), 3]] } as Case, /an inode uses ACL rule 3, which is not defined/],
  ])("%s", async (_, c, want) => {
    const records = await run(c, false);
    expect(records).toMatch(want);
    expect(await run(c, true)).toBe(records);
  });
});
