// Test vectors of the Redis values (docs/format/redis-keys.md §3): the stored bytes must match Go's exactly.
import { describe, expect, it } from "vitest";
import type { Attr } from "../../jfs/types";
import { decodeAcl, decodeAttr, decodeEntry, decodeQuota, decodeSlice, encodeAcl, encodeAttr, encodeEntry, encodeQuota, encodeSlice } from "./codec";
import { isEncodedAttr } from "../../jfs/binary-values";

const ts = 1700000000n;
const base: Attr = {
  inode: 1n, flags: 0, type: "directory", mode: 0o777, uid: 0, gid: 0,
  atime: ts, mtime: ts, ctime: ts, atimensec: 0, mtimensec: 0, ctimensec: 0,
  nlink: 2, length: 4096n, rdev: 0, tier: 0,
};
const hex = (s: string) => s.replace(/\s+/g, "");

describe("attr encoding", () => {
  it("root as created by format: 72 bytes with the trailing zero", () => {
    const b = encodeAttr(base, 1n);
    expect(b.toString("hex")).toBe(
      hex("0021ff 00000000 00000000 000000006553f100 00000000 000000006553f100 00000000 000000006553f100 00000000 00000002 0000000000001000 00000000 0000000000000001 00"),
    );
    expect(decodeAttr(1n, b)).toEqual({ attr: base, parent: 1n, accessAcl: 0, defaultAcl: 0 });
  });

  it("trash inode differs only in mode", () => {
    expect(encodeAttr({ ...base, mode: 0o555 }, 1n).subarray(1, 3).toString("hex")).toBe("216d");
  });

  it("regular file with nanoseconds", () => {
    const f: Attr = { ...base, inode: 2n, type: "regular", mode: 0o644, uid: 1000, gid: 1000, atimensec: 123456789, mtimensec: 123456789, ctimensec: 123456789, nlink: 1, length: 5n };
    expect(encodeAttr(f, 1n).toString("hex")).toBe(
      "0011a4000003e8000003e8000000006553f100075bcd15000000006553f100075bcd15000000006553f100075bcd1500000001000000000000000500000000000000000000000100",
    );
  });

  it("ACL ids and tier: 81 bytes ending in the ids, tier and the zero", () => {
    const a: Attr = { ...base, atime: 0n, mtime: 0n, ctime: 0n, tier: 2 };
    const b = encodeAttr(a, 1n, 1, 0);
    expect(b.length).toBe(81);
    expect(b.subarray(63).toString("hex")).toBe(hex("0000000000000001 00000001 00000000 02 00"));
    expect(decodeAttr(1n, b)).toEqual({ attr: a, parent: 1n, accessAcl: 1, defaultAcl: 0 });
    expect(encodeAttr({ ...a, tier: 0 }, 1n, 1, 0).length).toBe(80);
    expect(encodeAttr(a, 1n).length).toBe(73);
  });

  it("negative times survive", () => {
    const a = { ...base, mtime: -5n };
    expect(decodeAttr(1n, encodeAttr(a, 0n))!.attr.mtime).toBe(-5n);
  });
});

describe("other values", () => {
  it("directory entry: type byte + inode", () => {
    expect(encodeEntry("regular", 2n).toString("hex")).toBe("010000000000000002");
    expect(decodeEntry(Buffer.from("f"), Buffer.from("02ffffffffffffff00", "hex"))).toEqual({ name: Buffer.from("f"), inode: 0xffffffffffffff00n, type: "directory" });
    expect(() => decodeEntry(Buffer.from("f"), Buffer.alloc(8))).toThrow(/expected 9/);
  });

  it("slice record", () => {
    const s = { pos: 0, id: 1n, size: 5, off: 0, len: 5 };
    expect(encodeSlice(s).toString("hex")).toBe(hex("00000000 0000000000000001 00000005 00000000 00000005"));
    expect(decodeSlice(encodeSlice(s))).toEqual(s);
    expect(decodeSlice(Buffer.alloc(23))).toBeNull();
  });

  it("quota", () => {
    expect(encodeQuota({ maxSpace: 1n << 30n, maxInodes: -1n }).toString("hex")).toBe("0000000040000000ffffffffffffffff");
    expect(decodeQuota(Buffer.from("0000000040000000ffffffffffffffff", "hex"))).toEqual({ maxSpace: 1n << 30n, maxInodes: -1n });
    expect(decodeQuota(Buffer.alloc(15))).toBeNull();
  });

  it("ACL rule: owner, group, mask, other order", () => {
    const r = { owner: 6, group: 4, mask: 4, other: 4, users: [{ id: 1, perm: 6 }, { id: 2, perm: 7 }], groups: [] };
    const b = encodeAcl(r);
    expect(b.toString("hex")).toBe(hex("0006 0004 0004 0004 00000002 00000001 0006 00000002 0007 00000000"));
    expect(decodeAcl(b)).toEqual(r);
  });
});

describe("64-bit fields beyond 2^53", () => {
  it("trash inodes, huge lengths and extreme times round-trip exactly", () => {
    const a: Attr = { ...base, inode: 0x7fffffff10000001n, length: 0xfffffffffffffff1n, atime: -(1n << 62n), mtime: (1n << 62n) + 3n, ctime: -1n };
    const d = decodeAttr(a.inode, encodeAttr(a, 0x7fffffff10000000n))!;
    expect(d.attr).toEqual(a);
    expect(d.parent).toBe(0x7fffffff10000000n);
    expect(decodeEntry(Buffer.from("x"), encodeEntry("directory", 0x7fffffff10000009n)).inode).toBe(0x7fffffff10000009n);
    const s = { pos: 1, id: (1n << 63n) + 5n, size: 2, off: 3, len: 4 };
    expect(decodeSlice(encodeSlice(s))).toEqual(s);
    expect(encodeAttr({ ...base, mtime: -5n }, 1n).subarray(23, 31).toString("hex")).toBe("fffffffffffffffb");
  });
});

describe("isEncodedAttr: bytes a binary load may store as they are", () => {
  it("holds for encodeAttr's every shape (plain, tier, ACL ids, both), and each decodes and encodes back to itself", () => {
    for (const [tier, access, dflt] of [[0, 0, 0], [3, 0, 0], [0, 5, 0], [0, 0, 6], [2, 5, 6]]) {
      const b = encodeAttr({ ...base, tier }, 7n, access, dflt);
      expect(isEncodedAttr(b)).toBe(true);
      const d = decodeAttr(1n, b)!;
      expect(encodeAttr(d.attr, d.parent, d.accessAcl, d.defaultAcl).equals(b)).toBe(true);
    }
  });

  it("fails for what decodes fine but encodes otherwise: no pad, legacy short, ACL ids of zero written out, a pad that is not zero, an unknown type", () => {
    const plain = encodeAttr(base, 1n);
    const withAcl = encodeAttr(base, 1n, 5, 0);
    const cases = [
      plain.subarray(0, 71), // no trailing zero
      plain.subarray(0, 63), // before the parent field
      Buffer.concat([plain.subarray(0, 71), Buffer.alloc(9)]), // ACL ids 0/0 written out
      Buffer.concat([plain.subarray(0, 71), Buffer.from([4])]), // a tier, no pad
      Buffer.concat([withAcl.subarray(0, 79), Buffer.from([0, 0])]), // tier 0 written out
      Buffer.concat([plain, Buffer.alloc(3)]), // longer than any shape
    ];
    for (const b of cases) {
      expect(isEncodedAttr(b)).toBe(false);
      const d = decodeAttr(1n, b);
      if (d) expect(encodeAttr(d.attr, d.parent, d.accessAcl, d.defaultAcl).equals(b)).toBe(false);
    }
    const unknown = Buffer.from(plain);
    unknown[1] = 0x91; // type 9
    expect(isEncodedAttr(unknown)).toBe(false);
  });
});
