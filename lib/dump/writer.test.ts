import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { golden } from "../../test/support/fixtures";
import type { Attr, DumpNode } from "../jfs/types";
import { TRASH_INODE } from "../jfs/types";
import { collect, emitTree, readDumpToTree } from "../../test/support/dump-tree";
import { encodeHeader, JsonDumpWriter } from "./writer";
import { writeChainDump } from "../synth/chain";
import type { DumpHeader } from "./types";

const attr = (inode: bigint, type: Attr["type"], extra: Partial<Attr> = {}): Attr => ({
  inode, flags: 0, type, mode: 420, uid: 0, gid: 0, atime: 1n, mtime: 2n, ctime: 3n,
  atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: type === "directory" ? 2 : 1, length: 0n, rdev: 0, tier: 0, ...extra,
});
const node = (a: Attr, extra: Partial<DumpNode> = {}): DumpNode => ({ attr: a, xattrs: [], chunks: [], ...extra });

async function header(): Promise<DumpHeader> {
  return (await readDumpToTree(golden("metadata-sub.sample"))).header;
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
