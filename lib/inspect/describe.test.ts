import { describe, expect, it } from "vitest";
import { describeEntry, flagNames, isoTime, modeString, parseJsonExact, treeItemOf } from "./describe";
import { EntryDetailSchema, TreeItemSchema } from "./schemas";
import { testNode } from "../../test/support/fake-engine";

describe("presentation helpers", () => {
  it("writes modes like ls -l, with suid/sgid/sticky", () => {
    expect(modeString("directory", 0o755)).toBe("drwxr-xr-x");
    expect(modeString("regular", 0o4755)).toBe("-rwsr-xr-x");
    expect(modeString("regular", 0o2644)).toBe("-rw-r-Sr--");
    expect(modeString("directory", 0o1777)).toBe("drwxrwxrwt");
    expect(modeString("directory", 0o1776)).toBe("drwxrwxrwT");
    expect(modeString("symlink", 0o777)).toBe("lrwxrwxrwx");
    expect(modeString("chardev", 0o600)).toBe("crw-------");
  });

  it("times keep all nine nanosecond digits", () => {
    expect(isoTime(1623746591n, 959224111)).toBe("2021-06-15T08:43:11.959224111Z");
    expect(isoTime(0n, 5)).toBe("1970-01-01T00:00:00.000000005Z");
    expect(isoTime(1n << 62n, 0)).toMatch(/out of calendar range/);
  });

  it("names flags, including unknown bits", () => {
    expect(flagNames(0)).toEqual([]);
    expect(flagNames(1 | 32)).toEqual(["immutable", "skip-trash"]);
    expect(flagNames(128)).toEqual(["0x80"]);
  });

  it("parses JSON keeping integers beyond 2^53 exact, and leaves strings alone", () => {
    const v = parseJsonExact('{"inode":9223372032828243969,"n":-9007199254740993,"s":"12345678901234567890\\"9","f":1.5,"a":[1,2]}');
    expect(v).toEqual({ inode: "9223372032828243969", n: "-9007199254740993", s: '12345678901234567890"9', f: 1.5, a: [1, 2] });
  });

  it("describes an entry: words plus dump JSON", () => {
    const node = testNode(
      9223372032828243969n,
      "regular",
      { length: 104857600n, flags: 3, tier: 1, mtimensec: 7, mode: 0o4755 },
      {
        xattrs: [
          { name: Buffer.from("z"), value: Buffer.from("1") },
          { name: Buffer.from("a"), value: Buffer.from("100%") },
        ],
        chunks: [{ index: 0, slices: [{ id: 5n, pos: 0, size: 10, off: 2, len: 8 }] }],
      },
    );
    const d = EntryDetailSchema.parse(describeEntry(Buffer.from("a b"), node));
    expect(d.rawName).toBe("a%20b");
    expect(d.name).toBe("a b");
    expect(d.inode).toBe("9223372032828243969");
    expect(d.size).toEqual({ bytes: "104857600", human: "100 MiB" });
    expect(d.flagNames).toEqual(["immutable", "append-only"]);
    expect(d.modeString).toBe("-rwsr-xr-x");
    expect(d.modeOctal).toBe("4755");
    expect(d.mtime.iso).toBe("2023-11-14T22:13:20.000000007Z");
    expect(d.xattrs.map((x) => [x.name, x.rawValue])).toEqual([
      ["a", "100%25"],
      ["z", "1"],
    ]);
    expect(d.json).toEqual({
      attr: {
        inode: "9223372032828243969",
        flags: 3,
        type: "regular",
        mode: 0o4755,
        uid: 0,
        gid: 0,
        atime: 1700000000,
        mtime: 1700000000,
        ctime: 1700000000,
        mtimensec: 7,
        nlink: 1,
        length: 104857600,
        tier: 1,
      },
      xattrs: [
        { name: "a", value: "100%25" },
        { name: "z", value: "1" },
      ],
      chunks: [{ index: 0, slices: [{ id: 5, size: 10, off: 2, len: 8 }] }],
    });
    expect(Object.keys(d.json.attr as object)).toEqual(["inode", "flags", "type", "mode", "uid", "gid", "atime", "mtime", "ctime", "mtimensec", "nlink", "length", "tier"]);
  });

  it("shows device numbers and symlink targets", () => {
    const dev = describeEntry(Buffer.from("sda"), testNode(7n, "blockdev", { rdev: (8 << 8) | 1 }));
    expect(dev.rdev).toEqual({ raw: 2049, major: 8, minor: 1 });
    const link = describeEntry(Buffer.from("l"), testNode(8n, "symlink", {}, { symlink: Buffer.from([0xb9, 0xfb, 0x41]) }));
    expect(link.symlink).toEqual({ display: "\ufffd\ufffdA", raw: "%B9%FBA" });
    expect(link.json.symlink).toBe("%B9%FBA");
  });

  it("builds tree rows that pass the schema", () => {
    const row = TreeItemSchema.parse(treeItemOf(Buffer.from([0xff, 0x41]), testNode(3n, "directory").attr, { dirId: "3", hasChildren: true }));
    expect(row).toMatchObject({ name: "\ufffdA", rawName: "%FFA", dirId: "3", hasChildren: true, inode: "3" });
  });
});
