import { describe, expect, it } from "vitest";
import { decodeNode, encodeNode } from "./nodecodec";
import { testNode } from "../../test/support/fake-engine";

describe("backup index node encoding", () => {
  it("round-trips every field, with 64-bit extremes", () => {
    const n = testNode(0xffffffffffffffffn, "regular", {
      flags: 255, mode: 0o7777, uid: 0xffffffff, gid: 7, atime: -(1n << 63n), mtime: (1n << 63n) - 1n, ctime: 5n,
      atimensec: 999999999, mtimensec: 1, ctimensec: 2, nlink: 0xffffffff, length: 1n << 63n, rdev: 0xffffffff, tier: 255,
    }, {
      chunks: [
        { index: 0, slices: [{ id: 1n, pos: 0, size: 6, off: 0, len: 6 }, { id: 0xfffffffffffffffen, pos: 1024, size: 4096, off: 512, len: 100 }] },
        { index: 0xffffffff, slices: [] },
      ],
      symlink: Buffer.from([0xb9, 0xfb]),
      xattrs: [{ name: Buffer.from("k"), value: Buffer.from([0, 1, 2]) }],
      accessAcl: { owner: 6, group: 4, other: 4, mask: 4, users: [{ id: 1, perm: 6 }], groups: [] },
      defaultAcl: { owner: 7, group: 5, other: 5, mask: 5, users: [], groups: [{ id: 3, perm: 6 }] },
    });
    const b = encodeNode(n);
    expect(b[0]).toBe(1);
    expect(decodeNode(b)).toEqual(n);
  });

  it("is small for a plain file and omits what is absent", () => {
    const n = testNode(5n, "regular", { length: 10n }, { chunks: [{ index: 0, slices: [{ id: 9n, pos: 0, size: 10, off: 0, len: 10 }] }] });
    const b = encodeNode(n);
    expect(b.length).toBe(2 + 73 + 4 + 8 + 24);
    const back = decodeNode(b);
    expect(back).toEqual(n);
    expect("symlink" in back || "accessAcl" in back).toBe(false);
  });

  it("falls back to v8 for values the layout cannot hold", () => {
    const n = testNode(5n, "regular", { uid: -1, length: -3n });
    const b = encodeNode(n);
    expect(b[0]).toBe(0);
    expect(decodeNode(b)).toEqual(n);
  });
});
