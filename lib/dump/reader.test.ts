import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { JsonSax, type Frame, type ScalarKind, type ScalarValue, type Token } from "../jfs/json/sax";
import { readDump } from "./reader";
import { readDumpToTree, writeTree, type MemDump, type MemEntry } from "../../test/support/dump-tree";
import { DumpFormatError, type ReadEntry } from "./types";
import { prng } from "../synth/prng";

// ---------- a minimal well-formed dump to break in different ways ----------

const HEADER = `{
  "Setting": {"Name": "t", "UUID": "u", "Storage": "file", "Bucket": "/b/", "BlockSize": 4096, "TrashDays": 1, "EnableACL": false},
  "Counters": {"usedSpace": 0, "usedInodes": 0, "nextInodes": 2, "nextChunk": 1, "nextSession": 0, "nextTrash": 0},
  "Sustained": [],
  "DelFiles": [],`;

const DIR_ATTR = `{"inode":1,"type":"directory","mode":511,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"nlink":3,"length":0}`;
const D1_ATTR = `{"inode":3,"type":"directory","mode":493,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"nlink":2,"length":0}`;
const BIG_ATTR = `{"inode":6,"type":"regular","mode":420,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"nlink":1,"length":LEN}`;

function dump(opts: { bigAttr?: string; bigName?: string; bigExtra?: string; d1Extra?: string } = {}): string {
  const bigAttr = opts.bigAttr ?? BIG_ATTR.replace("LEN", "5");
  return `${HEADER}
  "FSTree": {
    "attr": ${DIR_ATTR},
    "entries": {
      "d1": {
        "attr": ${D1_ATTR},${opts.d1Extra ?? ""}
        "entries": {
          "${opts.bigName ?? "big"}": {
            "attr": ${bigAttr}${opts.bigExtra ?? ""}
          }
        }
      }
    }
  }
}
`;
}

async function readAll(text: string | Buffer): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  await readDump([Buffer.isBuffer(text) ? text : Buffer.from(text)], { entry: (e) => void out.push(e) });
  return out;
}

async function formatError(text: string | Buffer): Promise<DumpFormatError> {
  try {
    await readAll(text);
  } catch (e) {
    if (e instanceof DumpFormatError) return e;
    throw e;
  }
  throw new Error("expected a DumpFormatError, but the dump was read");
}

const BIG = 'FSTree.entries["d1"].entries["big"]';

describe("readDump: well-formed input", () => {
  it("delivers entries post-order with depth, parent and self handles", async () => {
    const es = await readAll(dump());
    expect(es.map((e) => [e.name.toString(), e.depth, e.isDir])).toEqual([
      ["big", 2, false],
      ["d1", 1, true],
      ["FSTree", 0, true],
    ]);
    const [big, d1, root] = es;
    expect(big.parent).toBe(d1.self);
    expect(d1.parent).toBe(root.self);
    expect(root.parent).toBeNull();
    expect(big.self).toBeNull();
    expect(d1.self!.inode).toBe(3n);
    expect(root.self!.inode).toBe(1n);
  });

  it("gives a directory's handle its inode before its children are delivered", async () => {
    const seen: (bigint | undefined)[] = [];
    await readDump([Buffer.from(dump())], { entry: (e) => void seen.push(e.parent?.inode) });
    expect(seen).toEqual([3n, 1n, undefined]);
  });

  it("reads the input however it is split into chunks", async () => {
    const text = Buffer.from(golden("metadata.sample"));
    const whole = await readDumpToTree(text);
    for (const size of [1, 7, 64]) {
      const pieces: Buffer[] = [];
      for (let o = 0; o < text.length; o += size) pieces.push(text.subarray(o, o + size));
      const split = await readDumpToTree((async function* () { yield* pieces; })());
      expect((await writeTree(split)).equals(await writeTree(whole))).toBe(true);
    }
  });

  it("awaits the visitor (backpressure)", async () => {
    const order: string[] = [];
    await readDump([Buffer.from(dump())], {
      entry: async (e) => {
        await new Promise((r) => setTimeout(r, 1));
        order.push(e.name.toString());
      },
      treeEnd: (t) => void order.push(`end ${t}`),
    });
    expect(order).toEqual(["big", "d1", "FSTree", "end FSTree"]);
  });
});

describe("readDump: malformed input is a DumpFormatError with path and offset", () => {
  it("truncated JSON", async () => {
    const buf = golden("metadata.sample");
    const cut = buf.subarray(0, buf.indexOf('"big"') + 40);
    const e = await formatError(cut);
    expect(e.message).toMatch(/truncated/);
    expect(e.offset).toBe(cut.length);
    expect(e.path).toMatch(/^FSTree\.entries\["d1"\]\.entries\["big"\]/);
  });

  it("a cut inside a number at the very end", async () => {
    const text = dump();
    const cut = text.slice(0, text.indexOf('"length":5') + 9);
    const e = await formatError(cut);
    expect(e.message).toMatch(/truncated/);
  });

  it("empty input", async () => {
    expect((await formatError("")).message).toMatch(/empty/);
  });

  it("wrong type of a value", async () => {
    const text = dump({ bigAttr: BIG_ATTR.replace("LEN", '"12"') });
    const e = await formatError(text);
    expect(e.path).toBe(`${BIG}.attr.length`);
    expect(e.offset).toBe(text.indexOf('"12"'));
    expect(e.message).toMatch(/expected an integer \(uint64\), found a string/);
  });

  it("an entry without attr", async () => {
    const text = dump({ bigAttr: '{"inode":6,"type":"regular"}', bigName: "x" }).replace('"attr": {"inode":6', '"atr": {"inode":6');
    const e = await formatError(text);
    expect(e.path).toBe('FSTree.entries["d1"].entries["x"]');
    expect(e.message).toMatch(/no "attr"/);
    expect(e.offset).toBe(text.indexOf("{", text.indexOf('"x"')));
  });

  it("a bad %XX in a name", async () => {
    const text = dump({ bigName: "a%4ab" });
    const e = await formatError(text);
    expect(e.path).toBe('FSTree.entries["d1"].entries["a%4ab"]');
    expect(e.offset).toBe(text.indexOf("%4a"));
    expect(e.message).toMatch(/bad %-escape/);
  });

  it("a bad %XX in a symlink target", async () => {
    const text = dump({ bigAttr: BIG_ATTR.replace("LEN", "0").replace("regular", "symlink"), bigExtra: ',\n"symlink": "x%zz"' });
    const e = await formatError(text);
    expect(e.path).toBe(`${BIG}.symlink`);
    expect(e.offset).toBe(text.indexOf("%zz"));
  });

  it("an unknown type", async () => {
    const text = dump({ bigAttr: BIG_ATTR.replace("LEN", "0").replace("regular", "unknown") });
    const e = await formatError(text);
    expect(e.path).toBe(`${BIG}.attr.type`);
    expect(e.message).toMatch(/unknown value "unknown"/);
  });

  it("non-integer numbers", async () => {
    for (const bad of ["1.5", "1e3", "-0.0"]) {
      const text = dump({ bigAttr: BIG_ATTR.replace("LEN", bad) });
      const e = await formatError(text);
      expect(e.path).toBe(`${BIG}.attr.length`);
      expect(e.message).toMatch(/expected an integer/);
      expect(e.offset).toBe(text.indexOf(bad, text.indexOf('"length"', text.indexOf('"big"'))));
    }
  });

  it("values out of range", async () => {
    const cases: [string, string, string][] = [
      [BIG_ATTR.replace("LEN", "18446744073709551616"), "length", "uint64"],
      [BIG_ATTR.replace("LEN", "-1"), "length", "uint64"],
      [BIG_ATTR.replace("LEN", "0").replace('"nlink":1', '"nlink":4294967296'), "nlink", "uint32"],
      [BIG_ATTR.replace("LEN", "0").replace('"mode":420', '"mode":420,"flags":256'), "flags", "uint8"],
      [BIG_ATTR.replace("LEN", "0").replace('"mode":420', '"mode":65536'), "mode", "uint16"],
      [BIG_ATTR.replace("LEN", "0").replace('"atime":1', '"atime":9223372036854775808'), "atime", "int64"],
    ];
    for (const [attr, field, type] of cases) {
      const e = await formatError(dump({ bigAttr: attr }));
      expect(e.path).toBe(`${BIG}.attr.${field}`);
      expect(e.message).toContain(`out of range for ${type}`);
    }
  });

  it("reads null members as absent", async () => {
    const es = await readAll(dump({ bigExtra: ',\n"entries": null, "chunks": null, "xattrs": null, "symlink": null, "posix_acl_access": null' }));
    expect(es[0].node).toMatchObject({ chunks: [], xattrs: [] });
    expect(es[0].node.accessAcl).toBeUndefined();
    expect(es[0].isDir).toBe(false);
  });

  it("accepts the extreme in-range values", async () => {
    const attr = BIG_ATTR.replace("LEN", "18446744073709551615").replace('"atime":1', '"atime":-9223372036854775808');
    const es = await readAll(dump({ bigAttr: attr }));
    expect(es[0].node.attr.length).toBe(18446744073709551615n);
    expect(es[0].node.attr.atime).toBe(-9223372036854775808n);
  });

  it("a duplicate attr", async () => {
    const text = dump({ bigExtra: ',\n"attr": ' + BIG_ATTR.replace("LEN", "1") });
    const e = await formatError(text);
    expect(e.path).toBe(`${BIG}.attr`);
    expect(e.message).toMatch(/duplicate member "attr"/);
    expect(e.offset).toBe(text.lastIndexOf('"attr"'));
  });

  it("wrong shapes: entries on a file, chunks not an array, a non-object entry", async () => {
    expect((await formatError(dump({ bigExtra: ',\n"entries": {}' }))).message).toMatch(/has "entries"/);
    expect((await formatError(dump({ bigExtra: ',\n"chunks": {}' }))).path).toBe(`${BIG}.chunks`);
    expect((await formatError(dump({ d1Extra: '\n"symlink": "x",' }))).message).toMatch(/directory has "symlink"/);
    const text = dump().replace('"d1": {', '"x": 5, "d1": {');
    expect((await formatError(text)).path).toBe('FSTree.entries["x"]');
  });

  it("broken JSON syntax", async () => {
    const text = dump().replace('"mode":493,', '"mode":493,,');
    const e = await formatError(text);
    expect(e.message).toMatch(/expected a member name/);
    expect(e.path).toBe('FSTree.entries["d1"].attr');
    expect(e.offset).toBe(text.indexOf(",,") + 1);
    expect((await formatError(dump() + "x")).message).toMatch(/after the end/);
    expect((await formatError('{"a": tru}')).message).toMatch(/invalid literal/);
    expect((await formatError('{"a": "x\ty"}')).message).toMatch(/control character/);
    expect((await formatError("[1]")).message).toMatch(/JSON object/);
    expect((await formatError(dump({ bigAttr: BIG_ATTR.replace("LEN", "01") }))).message).toMatch(/malformed number "01"/);
    expect((await formatError(dump({ bigAttr: BIG_ATTR.replace("LEN", "-") }))).message).toMatch(/malformed number/);
  });

  it("a bad value in the header", async () => {
    const text = dump().replace('"nextChunk": 1', '"nextChunk": true');
    const e = await formatError(text);
    expect(e.path).toBe("Counters.nextChunk");
    expect(e.offset).toBe(text.indexOf("true"));
    const q = dump().replace('"DelFiles": [],', '"DelFiles": [],\n  "Quotas": {"x": {"maxSpace": 1, "maxInodes": 1}},');
    expect((await formatError(q)).path).toBe('Quotas["x"]');
  });
});

// ---------- key order and unknown members ----------

/** Generic ordered JSON, numbers as text, for rewriting documents in tests. */
type Raw = { t: "obj"; m: [string, Raw][] } | { t: "arr"; v: Raw[] } | { t: "lit"; text: string };

class RawFrame implements Frame {
  obj: [string, Raw][] = [];
  arr: Raw[] = [];
  private k = "";
  value?: Raw;
  constructor(private readonly kind: "obj" | "arr" | "doc", private readonly done: (r: Raw) => void) {}
  path() {
    return "";
  }
  key(name: Token) {
    this.k = name.str();
  }
  private put(r: Raw) {
    if (this.kind === "obj") this.obj.push([this.k, r]);
    else if (this.kind === "arr") this.arr.push(r);
    else this.done(r);
  }
  openObject() {
    const f: RawFrame = new RawFrame("obj", () => {});
    const close = f.close.bind(f);
    f.close = () => {
      close();
      this.put({ t: "obj", m: f.obj });
    };
    return f;
  }
  openArray() {
    const f: RawFrame = new RawFrame("arr", () => {});
    const close = f.close.bind(f);
    f.close = () => {
      close();
      this.put({ t: "arr", v: f.arr });
    };
    return f;
  }
  scalar(kind: ScalarKind, v: ScalarValue) {
    const text = kind === "string" ? JSON.stringify(v.str()) : kind === "number" ? v.text() : kind;
    this.put({ t: "lit", text });
  }
  close() {}
}

function parseRaw(buf: Buffer): Raw {
  let out: Raw | undefined;
  const sax = new JsonSax(new RawFrame("doc", (r) => (out = r)));
  sax.write(buf);
  sax.end();
  return out!;
}

function stringifyRaw(r: Raw): string {
  if (r.t === "lit") return r.text;
  if (r.t === "arr") return "[" + r.v.map(stringifyRaw).join(",") + "]";
  return "{" + r.m.map(([k, v]) => JSON.stringify(k) + ":" + stringifyRaw(v)).join(",") + "}";
}

const MAPS = new Set(["entries", "Tiers", "Quotas", "UserQuotas", "GroupQuotas"]);

/** Reverses or rotates member order everywhere and adds unknown members of every shape to records. */
function scramble(r: Raw, depth = 0, isMap = false): Raw {
  if (r.t === "lit") return r;
  if (r.t === "arr") return { t: "arr", v: r.v.map((x) => scramble(x, depth + 1)) };
  const m = r.m.map(([k, v]) => [k, scramble(v, depth + 1, !isMap && MAPS.has(k))] as [string, Raw]);
  // "entries" maps are scrambled too: children come back in any order.
  const rotated = depth % 2 ? m.reverse() : [...m.slice(1), ...m.slice(0, 1)];
  if (isMap) return { t: "obj", m: rotated };
  const junk: [string, Raw][] = [
    ["zzUnknownScalar", { t: "lit", text: "12345678901234567890123" }],
    ["zzUnknownObject", { t: "obj", m: [["attr", { t: "obj", m: [] }], ["x", { t: "arr", v: [{ t: "lit", text: "null" }] }]] }],
    ["zzUnknownArray", { t: "arr", v: [{ t: "obj", m: [] }, { t: "arr", v: [] }, { t: "lit", text: '"]}"' }] }],
  ];
  return { t: "obj", m: [junk[depth % 3], ...rotated, junk[(depth + 1) % 3]] };
}

function sortTree(d: MemDump): MemDump {
  const sortEntry = (e: MemEntry): MemEntry =>
    e.children ? { ...e, children: e.children.map(sortEntry).sort((a, b) => Buffer.compare(a.name, b.name)) } : e;
  return { ...d, trees: [...d.trees].sort((a, b) => a.tree.localeCompare(b.tree)).map((t) => ({ ...t, root: sortEntry(t.root) })) };
}

describe("readDump: key order and unknown members", () => {
  it("reads a scrambled sample with unknown members everywhere as the same tree", async () => {
    const buf = golden("metadata.sample");
    const scrambled = Buffer.from(stringifyRaw(scramble(parseRaw(buf))));
    // Entry names in entries maps are escaped text and survive JSON re-encoding.
    expect(scrambled.indexOf('"zzUnknownArray"')).toBeGreaterThan(0);
    const tree = sortTree(await readDumpToTree(scrambled));
    expect((await writeTree(tree)).equals(buf)).toBe(true);
  });

  it("skips members named like Object.prototype properties", async () => {
    const text = dump({ bigAttr: BIG_ATTR.replace("LEN", '5,"__proto__":{"x":1},"toString":3,"constructor":[1]') })
      .replace('"Sustained": [],', '"Sustained": [], "constructor": 1, "__proto__": {},');
    const es = await readAll(text);
    expect(es[0].node.attr.length).toBe(5n);
    expect(Object.getPrototypeOf(es[0].node.attr)).toBe(Object.prototype);
  });

  it("accepts attr after entries", async () => {
    const text = `${HEADER}
  "FSTree": {
    "entries": {
      "d1": {
        "entries": {"big": {"attr": ${BIG_ATTR.replace("LEN", "5")}}},
        "attr": ${D1_ATTR}
      }
    },
    "attr": ${DIR_ATTR}
  }
}`;
    const es = await readAll(text);
    expect(es.map((e) => e.name.toString())).toEqual(["big", "d1", "FSTree"]);
    expect(es[1].node.attr.inode).toBe(3n);
    expect(es[0].parent).toBe(es[1].self);
    expect(es[1].self!.inode).toBe(3n); // filled in once the attr is read
  });
});

// ---------- older versions ----------

describe("readDump: dumps of older JuiceFS versions", () => {
  const v10 = `{
  "Setting": {"Name": "old", "UUID": "u", "Storage": "file", "Bucket": "/b/", "BlockSize": 4096, "Compression": "none", "MetaVersion": 1},
  "Counters": {"usedSpace": 8192, "usedInodes": 2, "nextInodes": 4, "nextChunk": 2, "nextSession": 1, "nextCleanupSlices": 0},
  "Sustained": [],
  "DelFiles": [],
  "FSTree": {
    "attr": {"inode":1,"type":"directory","mode":511,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"atimensec":0,"mtimensec":0,"ctimensec":0,"nlink":3,"length":0,"rdev":0},
    "entries": {
      "a file with spaces": {
        "attr": {"inode":2,"type":"regular","mode":420,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"atimensec":123000,"mtimensec":0,"ctimensec":0,"nlink":1,"length":10,"rdev":0},
        "chunks": [{"index":0,"slices":[{"pos":0,"chunkid":7,"size":10,"off":0,"len":10}]}]
      },
      "empty dir": {
        "attr": {"inode":3,"type":"directory","mode":493,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"nlink":2,"length":0}
      }
    }
  }
}`;

  it("reads chunkid, raw spaces, missing flags/tier, no Trash, a v0.x empty dir", async () => {
    const t = await readDumpToTree(Buffer.from(v10));
    expect(t.trees.map((x) => x.tree)).toEqual(["FSTree"]);
    expect(t.header.setting.Tiers).toBeNull();
    expect(t.header.setting.TrashDays).toBe(0);
    expect(t.header.counters.nextTrash).toBe(0n);
    expect(t.header.counters.nextCleanupSlices).toBe(0n);
    const [file, dir] = t.trees[0].root.children!;
    expect(file.name.toString()).toBe("a file with spaces");
    expect(file.node.attr).toMatchObject({ flags: 0, tier: 0, atimensec: 123000, length: 10n });
    expect(file.node.chunks).toEqual([{ index: 0, slices: [{ id: 7n, pos: 0, size: 10, off: 0, len: 10 }] }]);
    expect(dir.name.toString()).toBe("empty dir");
    expect(dir.children).toEqual([]);
  });

  it("re-writes it in the v1.4 form (spaces escaped, zeros omitted)", async () => {
    const out = (await writeTree(await readDumpToTree(Buffer.from(v10)))).toString();
    expect(out).toContain('"a%20file%20with%20spaces": {');
    expect(out).toContain('{"id":7,"size":10,"len":10}');
    expect(out).not.toContain("chunkid");
    expect(out).not.toContain('"nextCleanupSlices"'); // omitted when 0
  });
});

describe("readDump: robustness", () => {
  it("every truncation of a dump is a DumpFormatError", async () => {
    const buf = golden("metadata-sub.sample");
    const lastBrace = buf.lastIndexOf("}");
    for (let cut = 0; cut <= lastBrace; cut++) {
      const e = await formatError(buf.subarray(0, cut));
      expect(e.offset).toBe(cut);
    }
  });

  it("corrupted bytes give a DumpFormatError or a valid read, never another error", async () => {
    const buf = golden("metadata.sample");
    const rnd = prng(12345);
    let failures = 0;
    for (let n = 0; n < 400; n++) {
      const bad = Buffer.from(buf);
      for (let k = 0; k < 3; k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      try {
        await readAll(bad);
      } catch (e) {
        if (!(e instanceof DumpFormatError)) throw e;
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  it("decodes JSON \\u escapes in names to UTF-8 bytes, lone surrogates as U+FFFD (like Go)", async () => {
    const es = await readAll(dump({ bigName: "\\u00e9\\ud83d\\ude00\\ud800x" }));
    expect(es[0].name.equals(Buffer.from("é😀\ufffdx"))).toBe(true);
  });
});

describe("readDump: limits", () => {
  it("refuses a single token longer than 8 MiB instead of buffering without end", async () => {
    const head = Buffer.from('{"Setting": {"Name": "');
    async function* endless() {
      yield head;
      for (let i = 0; i < 200; i++) yield Buffer.alloc(64 * 1024, 0x61);
    }
    await expect(readDump(endless(), { entry: () => {} })).rejects.toThrow(/longer than 8 MiB/);
  });
});
