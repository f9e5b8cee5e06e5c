import { describe, expect, it } from "vitest";
import { encodeAcl, encodeAttr, encodeChunk, encodeXattrs, goBytesString, goCompact, goMarshalIndent, goString, type GoValue } from "./gojson";
import type { Attr } from "../types";

describe("goString (goccy flavour)", () => {
  it("escapes quotes, backslashes and \\n \\r \\t", () => {
    expect(goString('a"b\\c\n\r\t')).toBe('"a\\"b\\\\c\\n\\r\\t"');
  });
  it("writes other controls as lowercase \\u00xx, including 0x08 and 0x0c", () => {
    expect(goString("\x00\x08\x0c\x1f")).toBe('"\\u0000\\u0008\\u000c\\u001f"');
  });
  it("HTML-escapes and escapes U+2028/2029", () => {
    expect(goString("a&b<c>\u2028\u2029")).toBe('"a\\u0026b\\u003cc\\u003e\\u2028\\u2029"');
  });
  it("keeps DEL, / and non-ASCII raw, and a valid U+FFFD", () => {
    expect(goString("\x7f/é😀\ufffd")).toBe('"\x7f/é😀\ufffd"');
  });
  it("turns lone surrogates into \\ufffd", () => {
    expect(goString("a\ud800b\udc00")).toBe('"a\\ufffdb\\ufffd"');
  });
});

describe("goString (std flavour)", () => {
  it("writes \\b and \\f like Go ≥ 1.22's encoding/json", () => {
    expect(goString("\x08\x0c\x01", "std")).toBe('"\\b\\f\\u0001"');
  });
});

describe("goBytesString", () => {
  it("replaces each invalid byte by \\ufffd and keeps valid UTF-8", () => {
    expect(goBytesString(Buffer.from([0x61, 0xff, 0xb9, 0xfb, 0x62]))).toBe('"a\\ufffd\\ufffd\\ufffdb"');
    expect(goBytesString(Buffer.from("é<\u2028"))).toBe('"é\\u003c\\u2028"');
    expect(goBytesString(Buffer.from([0xef, 0xbf, 0xbd]))).toBe('"\ufffd"');
  });
});

describe("goMarshalIndent", () => {
  const v: GoValue = new Map<string, GoValue>([
    ["a", 1n],
    ["b", []],
    ["c", new Map()],
    ["d", [1, 2]],
    ["e", null],
    ["f", new Map<string, GoValue>([["g", true]])],
  ]);
  it("renders Go's two-space layout", () => {
    expect(goMarshalIndent(v, "", "  ")).toBe(
      '{\n  "a": 1,\n  "b": [],\n  "c": {},\n  "d": [\n    1,\n    2\n  ],\n  "e": null,\n  "f": {\n    "g": true\n  }\n}',
    );
  });
  it("renders the empty-indent layout engines store", () => {
    expect(goMarshalIndent(v, "", "")).toBe('{\n"a": 1,\n"b": [],\n"c": {},\n"d": [\n1,\n2\n],\n"e": null,\n"f": {\n"g": true\n}\n}');
  });
  it("puts the prefix on every line but the first", () => {
    expect(goMarshalIndent(new Map([["a", 1]]), ">", " ")).toBe('{\n> "a": 1\n>}');
  });
  it("compact form has no whitespace", () => {
    expect(goCompact(v)).toBe('{"a":1,"b":[],"c":{},"d":[1,2],"e":null,"f":{"g":true}}');
  });
});

describe("tree member encoders", () => {
  const attr: Attr = {
    inode: 9223372032828243969n, flags: 0, type: "regular", mode: 420, uid: 1, gid: 2,
    atime: 3n, mtime: 4n, ctime: 5n, atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 1, length: 0n, rdev: 0, tier: 0,
  };
  it("attr omits zero flags, nsec, rdev and tier", () => {
    expect(encodeAttr(attr)).toBe('{"inode":9223372032828243969,"type":"regular","mode":420,"uid":1,"gid":2,"atime":3,"mtime":4,"ctime":5,"nlink":1,"length":0}');
  });
  it("attr writes every member in order when set", () => {
    const full = { ...attr, flags: 1, atimensec: 6, mtimensec: 7, ctimensec: 8, rdev: 9, tier: 1 };
    expect(encodeAttr(full)).toBe(
      '{"inode":9223372032828243969,"flags":1,"type":"regular","mode":420,"uid":1,"gid":2,"atime":3,"mtime":4,"ctime":5,"atimensec":6,"mtimensec":7,"ctimensec":8,"nlink":1,"length":0,"rdev":9,"tier":1}',
    );
  });
  it("xattr values are %-escaped then JSON-encoded; names only JSON-encoded", () => {
    const x = [
      { name: Buffer.from("dk"), value: Buffer.from("果汁%25") },
      { name: Buffer.from("h"), value: Buffer.from("a&b<c>") },
      { name: Buffer.from([0x6e, 0xff]), value: Buffer.from([0xff, 0x20]) },
    ];
    expect(encodeXattrs(x)).toBe('[{"name":"dk","value":"果汁%2525"},{"name":"h","value":"a\\u0026b\\u003cc\\u003e"},{"name":"n\\ufffd","value":"%FF%20"}]');
  });
  it("ACL writes null for empty user/group lists", () => {
    expect(encodeAcl({ owner: 6, group: 4, other: 4, mask: 4, users: [{ id: 1, perm: 6 }], groups: [] })).toBe(
      '{"owner":6,"group":4,"other":4,"mask":4,"users":[{"id":1,"perm":6}],"groups":null}',
    );
  });
  it("chunk slices omit zero pos/off; an empty chunk has []", () => {
    expect(encodeChunk({ index: 1, slices: [{ id: 5n, pos: 1024, size: 4096, off: 512, len: 100 }, { id: 6n, pos: 0, size: 1, off: 0, len: 1 }] })).toBe(
      '{"index":1,"slices":[{"id":5,"pos":1024,"size":4096,"off":512,"len":100},{"id":6,"size":1,"len":1}]}',
    );
    expect(encodeChunk({ index: 0, slices: [] })).toBe('{"index":0,"slices":[]}');
  });
});
