import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { golden } from "../../test/support/fixtures";
import type { Attr, DumpNode } from "../jfs/types";
import { TRASH_INODE } from "../jfs/types";
import { collect, emitTree, readDumpToTree } from "../../test/support/dump-tree";
import { encodeHeader, JsonDumpWriter } from "./writer";
import { encodeAttr, encodeChunk } from "../jfs/json/gojson";
import { escapeName } from "../jfs/escape";
import { writeChainDump } from "../synth/chain";
import type { BinaryLeaf, DumpHeader } from "./types";
import { decodeAttr, decodeSlice, encodeAttr as encodeBinaryAttr, encodeSlice, SLICE_BYTES } from "../jfs/binary-values";
import { prngBelow } from "../synth/prng";

const attr = (inode: bigint, type: Attr["type"], extra: Partial<Attr> = {}): Attr => ({
  inode, flags: 0, type, mode: 420, uid: 0, gid: 0, atime: 1n, mtime: 2n, ctime: 3n,
  atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: type === "directory" ? 2 : 1, length: 0n, rdev: 0, tier: 0, ...extra,
});
const node = (a: Attr, extra: Partial<DumpNode> = {}): DumpNode => ({ attr: a, xattrs: [], chunks: [], ...extra });

async function header(): Promise<DumpHeader> {
  return (await readDumpToTree(golden("metadata-sub.sample"))).header;
}


/** A seeded generator: rand(k) in [0, k), pick(xs) one of xs. */
function seeded(seed: number) {
  const rand = prngBelow(seed);
  return { rand, pick: <T,>(xs: T[]): T => xs[rand(xs.length)] };
}

describe("encodeHeader", () => {
  it("omits empty quota maps and change logs, keeps [] for Sustained and DelFiles", async () => {
    const h = { ...(await header()), quotas: new Map(), delFiles: [], changeLog: [] };
    const text = encodeHeader(h);
    expect(text).toContain('"Sustained": [],\n  "DelFiles": []');
    expect(text).not.toContain("Quotas");
    expect(text).not.toContain("ChangeLog");
    expect(text.endsWith(`"DelFiles": [],`)).toBe(true);
  });

  it("writes Sustained inodes one per line and ChangeLog entries", async () => {
    const h = { ...(await header()), sustained: [{ sid: 3n, inodes: [7n, 9n] }], changeLog: [{ version: 5n, entry: "a<b" }] };
    const text = encodeHeader(h);
    expect(text).toContain('"Sustained": [\n    {\n      "sid": 3,\n      "inodes": [\n        7,\n        9\n      ]\n    }\n  ],');
    expect(text).toContain('"ChangeLog": [\n    {\n      "version": 5,\n      "entry": "a\\u003cb"\n    }\n  ],');
  });

  it("sorts quota keys as text, like Go", async () => {
    const q = new Map([[2n, { maxSpace: 1n, maxInodes: 1n }], [10n, { maxSpace: 1n, maxInodes: 1n }]]);
    const text = encodeHeader({ ...(await header()), quotas: q });
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"2"'));
  });
});

describe("JsonDumpWriter", () => {
  it("renders devices, fifos, symlinks and an empty Trash per dump-json.md §5", async () => {
    const out = collect();
    const w = new JsonDumpWriter(out.stream);
    await w.header(await header());
    await w.beginDir("FSTree", node(attr(1n, "directory", { nlink: 2 })));
    await w.leaf(Buffer.from("dev"), node(attr(2n, "chardev", { rdev: 259, tier: 2, flags: 1 })));
    await w.leaf(Buffer.from("p"), node(attr(3n, "fifo")));
    await w.leaf(Buffer.from("s"), node(attr(4n, "symlink"), { symlink: Buffer.from("a b") }));
    await w.endDir();
    await w.beginDir("Trash", node(attr(TRASH_INODE, "directory", { mode: 0 })));
    await w.endDir();
    await w.end();
    const text = out.bytes().toString();
    const tree = text.slice(text.indexOf('  "FSTree"'));
    expect(tree).toBe(
      [
        '  "FSTree": {',
        '    "attr": {"inode":1,"type":"directory","mode":420,"uid":0,"gid":0,"atime":1,"mtime":2,"ctime":3,"nlink":2,"length":0},',
        '    "entries": {',
        '      "dev": {',
        '        "attr": {"inode":2,"flags":1,"type":"chardev","mode":420,"uid":0,"gid":0,"atime":1,"mtime":2,"ctime":3,"nlink":1,"length":0,"rdev":259,"tier":2}',
        "      },",
        '      "p": {',
        '        "attr": {"inode":3,"type":"fifo","mode":420,"uid":0,"gid":0,"atime":1,"mtime":2,"ctime":3,"nlink":1,"length":0}',
        "      },",
        '      "s": {',
        '        "attr": {"inode":4,"type":"symlink","mode":420,"uid":0,"gid":0,"atime":1,"mtime":2,"ctime":3,"nlink":1,"length":0},',
        '        "symlink": "a%20b"',
        "      }",
        "    }",
        "  },",
        '  "Trash": {',
        '    "attr": {"inode":9223372032828243968,"type":"directory","mode":0,"uid":0,"gid":0,"atime":1,"mtime":2,"ctime":3,"nlink":2,"length":0},',
        '    "entries": {',
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("waits for 'drain' and still writes every byte", async () => {
    const parts: Buffer[] = [];
    let refused = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        setImmediate(cb);
      },
    });
    const origWrite = slow.write.bind(slow);
    slow.write = ((chunk: Buffer) => {
      const ok = origWrite(chunk);
      if (!ok) refused++;
      return ok;
    }) as typeof slow.write;
    const tree = await readDumpToTree(golden("metadata.sample"));
    // Many copies of the sample tree so that the output passes 64 KiB several times.
    const big = { ...tree, trees: [{ tree: "FSTree" as const, root: { ...tree.trees[0].root, children: Array.from({ length: 60 }, (_, i) => ({ ...tree.trees[0].root.children![0], name: Buffer.from(`n${String(i).padStart(3, "0")}`) })) } }] };
    await emitTree(big, new JsonDumpWriter(slow));
    await new Promise((r) => slow.end(r));
    expect(refused).toBeGreaterThan(0);
    const want = collect();
    await emitTree(big, new JsonDumpWriter(want.stream));
    expect(Buffer.concat(parts).equals(want.bytes())).toBe(true);
  });

  it("rejects when the output stream fails", async () => {
    const failing = new Writable({
      write(_c, _e, cb) {
        cb(new Error("disk full"));
      },
    });
    const tree = await readDumpToTree(golden("metadata.sample"));
    await expect(emitTree(tree, new JsonDumpWriter(failing))).rejects.toThrow(/disk full/);
  });

  it("refuses calls out of order", async () => {
    const w = new JsonDumpWriter(collect().stream);
    await expect(w.beginDir("FSTree", node(attr(1n, "directory")))).rejects.toThrow(/header\(\) must come first/);
    await w.header(await header());
    await expect(w.leaf(Buffer.from("x"), node(attr(2n, "regular")))).rejects.toThrow(/tree root/);
    await expect(w.endDir()).rejects.toThrow(/without an open directory/);
    await w.beginDir("FSTree", node(attr(1n, "directory")));
    await expect(w.end()).rejects.toThrow(/still open/);
  });
});

describe("JsonDumpWriter in deep trees", () => {
  // Past 256 spaces the indentation is filled into the output buffer as bytes, across 1 MiB
  // buffer boundaries at this depth (2.5 MB): every line must still be indented by two spaces
  // per open brace, counted independently of the writer.
  it("indents every line by two spaces per open brace, 500 directories deep", async () => {
    const out = collect();
    await writeChainDump(new JsonDumpWriter(out.stream), { depth: 500 });
    const text = out.bytes().toString("utf8");
    expect(text.length).toBeGreaterThan(2 << 20);
    let open = 0;
    let deepest = 0;
    for (const line of text.split("\n")) {
      const body = line.trimStart();
      const expected = 2 * (body.startsWith("}") || body.startsWith("]") ? open - 1 : open);
      if (line.length - body.length !== expected) throw new Error(`line indented by ${line.length - body.length}, expected ${expected}: ${body.slice(0, 60)}`);
      deepest = Math.max(deepest, expected);
      for (const c of body.replace(/"(?:[^"\\]|\\.)*"/g, "")) {
        if (c === "{" || c === "[") open++;
        else if (c === "}" || c === "]") open--;
      }
    }
    expect(open).toBe(0);
    expect(deepest).toBeGreaterThan(2000);
    expect(JSON.parse(text).FSTree.entries.d.entries.d.attr.inode).toBe(3);
  });
});

describe("JsonDumpWriter leaves without xattrs, ACLs or symlink (written as bytes)", () => {
  // The text every leaf had before the byte path, from the one encoder of each part (gojson.ts,
  // escape.ts): the byte path must give exactly it, whatever the numbers and the name.
  const expected = (name: Buffer, n: DumpNode, p: number): string => {
    const pad = (k: number) => " ".repeat(k);
    let s = "\n" + pad(p) + '"' + escapeName(name) + '": {\n' + pad(p + 2) + '"attr": ' + encodeAttr(n.attr);
    if (n.chunks.length === 1) s += ",\n" + pad(p + 2) + '"chunks": [' + encodeChunk(n.chunks[0]) + "]";
    else if (n.chunks.length > 1) s += ",\n" + pad(p + 2) + '"chunks": [' + n.chunks.map((c) => "\n" + pad(p + 4) + encodeChunk(c)).join(",") + "\n" + pad(p + 2) + "]";
    return s + "\n" + pad(p) + "}";
  };
  const { pick } = seeded(7);
  const bigs = [0n, 1n, 9n, 10n, 1234567890123n, 9007199254740991n, 9007199254740992n, 18446744073709551615n];
  const signed = [0n, 1n, -1n, -10n, 1700000000n, -9007199254740991n, -9007199254740993n, -9223372036854775808n, 9223372036854775807n];
  const u32 = [0, 1, 9, 10, 99, 100, 65535, 4294967295];
  const names = [Buffer.from("a"), Buffer.from("file 1.txt"), Buffer.from('q"u\\o%te'), Buffer.from("日本語"), Buffer.from([0xff, 0x41, 0xc3]), Buffer.from([0x7f, 0x01, 0x09]), Buffer.from("x".repeat(255))];
  const randomNode = (): DumpNode => {
    const chunks = Array.from({ length: pick([0, 1, 1, 2, 3]) }, (_, i) => ({
      index: pick([i, 4294967295 - i]),
      slices: Array.from({ length: pick([1, 1, 2, 5]) }, () => ({ id: pick(bigs), pos: pick(u32), size: pick(u32), off: pick(u32), len: pick(u32) })),
    }));
    const a = attr(pick(bigs), pick(["regular", "fifo", "chardev", "socket"] as Attr["type"][]), {
      flags: pick([0, 1, 255]), mode: pick([0, 420, 4095]), uid: pick(u32), gid: pick(u32),
      atime: pick(signed), mtime: pick(signed), ctime: pick(signed),
      atimensec: pick(u32), mtimensec: pick(u32), ctimensec: pick(u32),
      nlink: pick(u32), length: pick(bigs), rdev: pick(u32), tier: pick([0, 1, 255]),
    });
    return node(a, { chunks });
  };

  it("gives the text of encodeAttr, encodeChunk and escapeName, number by number", async () => {
    const w = collect();
    const writer = new JsonDumpWriter(w.stream);
    const h = await header();
    await writer.header(h);
    await writer.beginDir("FSTree", node(attr(1n, "directory")));
    let want = "";
    for (let i = 0; i < 3000; i++) {
      const [name, n] = [Buffer.concat([pick(names), Buffer.from(String(i))]), randomNode()];
      await writer.leaf(name, n);
      want += (i ? "," : "") + expected(name, n, 6);
    }
    await writer.endDir();
    await writer.end();
    const text = w.bytes().toString("utf8");
    const start = text.indexOf('"entries": {') + '"entries": {'.length;
    expect(text.slice(start, start + want.length)).toBe(want);
    expect(text.slice(start + want.length)).toBe("\n    }\n  }\n}\n");
  });

  it("writes every count of digits, at each power of ten and 2^32, as String() does", async () => {
    const values: number[] = [0, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 99, 2 ** 53 - 1];
    for (let p = 1; p <= 15; p++) values.push(10 ** p - 1, 10 ** p, 10 ** p + 1);
    const w = collect();
    const writer = new JsonDumpWriter(w.stream);
    await writer.header(await header());
    await writer.beginDir("FSTree", node(attr(1n, "directory")));
    let want = "";
    values.forEach((v, i) => {
      const n = node(attr(BigInt(v), "regular", { uid: v % 2 ** 32, atime: BigInt(-v), mtime: BigInt(v), length: BigInt(v) }));
      n.chunks = [{ index: v % 2 ** 32, slices: [{ id: BigInt(v), pos: 0, size: v % 2 ** 32, off: 0, len: 1 }] }];
      void writer.leaf(Buffer.from("f" + i), n);
      want += (i ? "," : "") + expected(Buffer.from("f" + i), n, 6);
    });
    await writer.endDir();
    await writer.end();
    const text = w.bytes().toString("utf8");
    expect(text).toContain('"uid":4294967295,');
    expect(text).toContain('"mtime":1000000000000000,');
    expect(text).toContain(want);
  });

  it("indents a leaf past the cached indentation (300 directories deep)", async () => {
    const w = collect();
    const writer = new JsonDumpWriter(w.stream);
    await writer.header(await header());
    await writer.beginDir("FSTree", node(attr(1n, "directory")));
    for (let d = 0; d < 300; d++) await writer.beginDir(Buffer.from("d"), node(attr(BigInt(d + 2), "directory")));
    const n = randomNode();
    n.chunks = [{ index: 0, slices: [{ id: 5n, pos: 1, size: 2, off: 3, len: 4 }] }, { index: 1, slices: [{ id: 6n, pos: 0, size: 2, off: 0, len: 4 }] }];
    await writer.leaf(Buffer.from("f"), n);
    for (let d = 0; d <= 300; d++) await writer.endDir();
    await writer.end();
    const text = w.bytes().toString("utf8");
    expect(text).toContain('"entries": {' + expected(Buffer.from("f"), n, 2 * (1 + 2 * 301)) + "\n");
  });
});

describe("JsonDumpWriter.leafBinary (a plain leaf from its binary values)", () => {
  // Random binary attrs and chunk records; the expected text is leaf() of the DumpNode they
  // decode to by the one binary decoder (decodeAttr, decodeSlice), with the dump's rules the
  // caller applies (the entry's inode, no length unless showLength).
  const { rand, pick } = seeded(11);
  const bigs = [0n, 1n, 9n, 10n, 1234567890123n, 9007199254740991n, 9007199254740992n, 18446744073709551615n];
  const signed = [0n, 1n, -1n, -10n, 1700000000n, -9007199254740991n, -9007199254740992n, -9007199254740993n, -9223372036854775808n, 9223372036854775807n];
  const u32 = [0, 1, 9, 10, 99, 100, 65535, 4294967295];
  const names = [Buffer.from("a"), Buffer.from("file 1.txt"), Buffer.from('q"u\\o%te'), Buffer.from("日本語"), Buffer.from([0xff, 0x41, 0xc3]), Buffer.from("x".repeat(255))];

  it("gives leaf()'s bytes for the node its values decode to", async () => {
    const viaNode = collect();
    const viaBytes = collect();
    const a = new JsonDumpWriter(viaNode.stream);
    const b = new JsonDumpWriter(viaBytes.stream);
    const h = await header();
    for (const w of [a, b]) {
      await w.header(h);
      await w.beginDir("FSTree", node(attr(1n, "directory")));
    }
    for (let i = 0; i < 3000; i++) {
      const stored = attr(0n, pick(["regular", "regular", "fifo", "chardev", "socket", "symlink"] as Attr["type"][]), {
        flags: pick([0, 1, 255]), mode: pick([0, 420, 4095]), uid: pick(u32), gid: pick(u32),
        atime: pick(signed), mtime: pick(signed), ctime: pick(signed),
        atimensec: pick(u32), mtimensec: pick(u32), ctimensec: pick(u32),
        nlink: pick(u32), length: pick(bigs), rdev: pick(u32), tier: pick([0, 0, 1, 255]),
      });
      const acl = pick([0, 0, 5]);
      const attrBytes = encodeBinaryAttr(stored, pick([0n, 7n]), acl, pick([0, acl]));
      // Chunk records: u32 LE index, u32 LE length, slices; some with none or a partial one.
      const parts: Buffer[] = [];
      const chunks: DumpNode["chunks"] = [];
      for (let c = 0, n = pick([0, 1, 1, 2, 3]); c < n; c++) {
        const index = c * 3 + pick([0, 1]);
        const count = pick([0, 1, 1, 2, 4]);
        const slices = Array.from({ length: count }, () => ({ id: pick(bigs), pos: pick(u32), size: pick(u32), off: pick(u32), len: pick(u32) }));
        const bytes = Buffer.concat([...slices.map((s) => encodeSlice(s)), Buffer.alloc(pick([0, 0, 5]))]);
        const head = Buffer.alloc(8);
        head.writeUInt32LE(index, 0);
        head.writeUInt32LE(bytes.length, 4);
        parts.push(head, bytes);
        const decoded = [];
        for (let s = 0; s + SLICE_BYTES <= bytes.length; s += SLICE_BYTES) decoded.push(decodeSlice(bytes.subarray(s, s + SLICE_BYTES))!);
        if (decoded.length) chunks.push({ index, slices: decoded });
      }
      const name = Buffer.concat([pick(names), Buffer.from(String(i))]);
      const inode = pick([2, 1000, 2 ** 53 - 1]);
      const showLength = rand(2) === 0;
      const pad = rand(5);
      const buf = Buffer.concat([Buffer.alloc(pad), name, attrBytes, ...parts, Buffer.alloc(3)]);
      const attrAt = pad + name.length;
      const chunksAt = attrAt + attrBytes.length;
      const leaf: BinaryLeaf = { b: buf, nameAt: pad, nameLen: name.length, inode, attrAt, attrLen: attrBytes.length, showLength, chunksAt, chunksEnd: buf.length - 3 };
      const expectedAttr = decodeAttr(BigInt(inode), attrBytes)!.attr;
      if (!showLength) expectedAttr.length = 0n;
      await a.leaf(name, node(expectedAttr, { chunks }));
      await b.leafBinary(leaf);
    }
    for (const w of [a, b]) {
      await w.endDir();
      await w.end();
    }
    expect(viaBytes.bytes().length).toBeGreaterThan(500_000);
    // The sample holds what the comparison is about.
    const text = viaBytes.bytes().toString();
    for (const key of ['"tier":', '"flags":', '"rdev":', '"atimensec":', '"pos":', '"off":', '"chunks": [\n', '"chunks": [{', '"length":0,', "%FF", '"atime":-9223372036854775808', '"id":18446744073709551615']) expect(text).toContain(key);    expect(viaBytes.bytes().equals(viaNode.bytes())).toBe(true);
  });
});
