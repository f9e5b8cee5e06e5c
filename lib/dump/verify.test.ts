// The structural verifier over JuiceFS's own sample: the sample passes with the counts it
// holds, and every damage issue #9 reproduced (and each rule of verify.ts) is refused with the
// JSON path of the entry or member at fault.
import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { readDump } from "./reader";
import { DumpVerifier, type VerifyCounts } from "./verify";
import { DumpFormatError } from "./types";

const SAMPLE = golden("metadata.sample").toString("utf8");

/** The sample with `from` replaced (exactly once) by `to`. */
function mutate(from: string, to: string, text = SAMPLE): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" is not in the text exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

async function verify(text: string, all = false): Promise<{ counts: VerifyCounts; problems: DumpFormatError[] }> {
  const problems: DumpFormatError[] = [];
  const v = new DumpVerifier(all ? { onProblem: (p) => void problems.push(p) } : {});
  const buf = Buffer.from(text);
  await readDump([buf], v.visitor());
  v.finish(buf.length);
  return { counts: v.counts, problems };
}

async function refusal(text: string): Promise<DumpFormatError> {
  try {
    await verify(text);
  } catch (e) {
    if (e instanceof DumpFormatError) return e;
    throw e;
  }
  throw new Error("the damaged dump was accepted");
}

const attrOf = (name: string) => {
  const m = new RegExp(`"${name}": \\{\\n\\s+"attr": (\\{[^}]*\\})`).exec(SAMPLE);
  if (!m) throw new Error(`no entry ${name}`);
  return m[1];
};
/** The sample with entry `name`'s attr changed by replacing `from` with `to` in it. */
function inAttr(name: string, from: string, to: string): string {
  const head = `"${name}": {\n`;
  const at = SAMPLE.indexOf(head);
  const attr = attrOf(name);
  const start = SAMPLE.indexOf(attr, at);
  if (!attr.includes(from)) throw new Error(`${from} is not in ${name}'s attr`);
  return SAMPLE.slice(0, start) + attr.replace(from, to) + SAMPLE.slice(start + attr.length);
}
const F1 = attrOf("f1");
const L1 = attrOf("l1");
const S1 = attrOf("s1");
const D1 = attrOf("d1");

describe("DumpVerifier: JuiceFS's sample", () => {
  it("passes, with the counts it holds", async () => {
    const { counts, problems } = await verify(SAMPLE, true);
    expect(problems).toEqual([]);
    expect(counts).toEqual({
      entries: 17,
      directories: 7, // the root, 3 in FSTree, the Trash root, its hour directory, td1
      files: 7,
      symlinks: 2,
      others: 0,
      hardLinks: 1,
      slices: 8,
      bytes: 115343407n,
      trashEntries: 4,
    });
  });

  it("passes the subdir sample (its root is inode 3, loaded as 1)", async () => {
    const { problems } = await verify(golden("metadata-sub.sample").toString(), true);
    expect(problems).toEqual([]);
  });
});

describe("DumpVerifier: issue #9's reproductions are refused with the entry's path", () => {
  const cases: [string, string, RegExp, string][] = [
    ["a directory whose inode became the root's", inAttr("d1", '"inode":3,', '"inode":1,'), /inode 1 is the root's/, 'FSTree.entries["d1"].attr.inode'],
    ["a symlink whose inode became the root's", inAttr("s1", '"inode":5,', '"inode":1,'), /inode 1 is the root's/, 'FSTree.entries["s1"].attr.inode'],
    ["a file whose inode is 1", inAttr("f1", '"inode":2,', '"inode":1,'), /inode 1 is the root's/, 'FSTree.entries["f1"].attr.inode'],
    ["inode 0", inAttr("f1", '"inode":2,', '"inode":0,'), /inode 0 is not a valid inode/, 'FSTree.entries["f1"].attr.inode'],
    ["a file that reuses its directory's inode", inAttr("big", '"inode":6,', '"inode":3,'), /contain itself/, 'FSTree.entries["d1"].entries["big"].attr.inode'],
    ["a file that reuses another directory's inode", inAttr("f1", '"inode":2,', '"inode":25,'), /is a directory's/, 'FSTree.entries["f1"].attr.inode'],
    ["a hard-linked directory", inAttr("d1", '"inode":3,', '"inode":25,'), /a directory appears exactly once/, 'FSTree.entries["d1"].attr.inode'],
    ["a Trash inode inside FSTree", inAttr("f1", '"inode":2,', '"inode":9223372032828243970,'), /trash inode .* outside the Trash/, 'FSTree.entries["f1"].attr.inode'],
    ["two files sharing an inode, the first with nlink 1", inAttr("s1", '"inode":5,', '"inode":2,'), /first occurrence has nlink 1/, 'FSTree.entries["s1"].attr.inode'],
    ["a hard link whose attributes differ", inAttr("l1", '"mode":420', '"mode":416'), /other attributes/, 'FSTree.entries["l1"].attr.inode'],
    ["a hard link whose chunks differ", mutate(`"l1": {\n        "attr": ${L1},\n        "chunks": [{"index":0,"slices":[{"id":2,`, `"l1": {\n        "attr": ${L1},\n        "chunks": [{"index":0,"slices":[{"id":3,`), /other attributes/, 'FSTree.entries["l1"].attr.inode'],
    ["two entries named f1 in one directory", mutate('      "l1": {', `      "f1": {"attr": ${S1.replace('"inode":5,', '"inode":40,')}},\n      "l1": {`), /a second entry with this name/, 'FSTree.entries["f1"]'],
    ["an entry named .", mutate('"sd": {', '".": {'), /"\." cannot be an entry name/, 'FSTree.entries["."]'],
    ["an entry named ..", mutate('"sd": {', '"..": {'), /"\.\." cannot be an entry name/, 'FSTree.entries[".."]'],
    ["an entry named a/b", mutate('"sd": {', '"s/d": {'), /contains "\/"/, 'FSTree.entries["s/d"]'],
    ["an entry name with NUL", mutate('"sd": {', '"s%00d": {'), /NUL/, 'FSTree.entries["s%00d"]'],
    ["an empty entry name", mutate('"d": {', '"": {'), /empty/, 'FSTree.entries[""]'],
    ["a name of 256 bytes", mutate('"sd": {', `"${"s".repeat(256)}": {`), /256 bytes long/, `FSTree.entries["${"s".repeat(256)}"]`],
  ];
  for (const [what, text, message, path] of cases) {
    it(what, async () => {
      const e = await refusal(text);
      expect(e.message).toMatch(message);
      expect(e.path).toBe(path);
      expect(e.offset).toBeGreaterThan(0);
      expect(e.message).toContain(`(byte ${e.offset})`);
    });
  }

  it("a directory inside itself", async () => {
    const inner = `"loop": {"attr": ${D1.replace('"nlink":2', '"nlink":2')}, "entries": {}},\n          "big": {`;
    const e = await refusal(mutate('"big": {', inner));
    expect(e.message).toMatch(/contain itself/);
    expect(e.path).toBe('FSTree.entries["d1"].entries["loop"].attr.inode');
  });

  it("a directory inside its grandparent's inode", async () => {
    const text = mutate(
      '"big": {',
      `"sub": {"attr": ${D1.replace('"inode":3,', '"inode":40,')}, "entries": {"again": {"attr": ${D1}, "entries": {}}}},\n          "big": {`,
    );
    const e = await refusal(text);
    expect(e.path).toBe('FSTree.entries["d1"].entries["sub"].entries["again"].attr.inode');
  });
});

describe("DumpVerifier: a hard link that changed while a live volume was dumped", () => {
  const changed = inAttr("l1", '"mode":420', '"mode":416');
  it("is refused by default, naming --accept-changed-hardlinks", async () => {
    const e = await refusal(changed);
    expect(e.message).toMatch(/other attributes.*--accept-changed-hardlinks/);
  });
  for (const [what, text] of [
    ["attributes that differ", changed],
    ["a first occurrence with nlink 1", inAttr("s1", '"inode":5,', '"inode":2,')],
  ] as const) {
    it(`with acceptChangedHardLinks, ${what} is a warning and the check goes on`, async () => {
      const warnings: string[] = [];
      const problems: DumpFormatError[] = [];
      const v = new DumpVerifier({ acceptChangedHardLinks: true, onWarning: (w) => void warnings.push(w), onProblem: (p) => void problems.push(p) });
      const buf = Buffer.from(text);
      await readDump([buf], v.visitor());
      v.finish(buf.length);
      expect(problems).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/the first occurrence is kept \(at FSTree\.entries\["(l1|s1)"\]\.attr\.inode, byte \d+\)/);
    });
  }
  it("other damage is still refused with it", async () => {
    const v = new DumpVerifier({ acceptChangedHardLinks: true });
    const text = inAttr("d1", '"inode":3,', '"inode":25,');
    await expect(readDump([Buffer.from(text)], v.visitor())).rejects.toThrow(/a directory appears exactly once/);
  });
});

describe("DumpVerifier: the Trash", () => {
  it("refuses a Trash root that is not TrashInode", async () => {
    const e = await refusal(mutate('"inode":9223372032828243968,', '"inode":9223372032828243967,'));
    expect(e.message).toMatch(/Trash root's inode/);
    expect(e.path).toBe("Trash.attr.inode");
  });
  it("refuses a file directly under Trash", async () => {
    const e = await refusal(mutate('"2021-12-02-09": {', `"f": {"attr": ${F1.replace('"inode":2,', '"inode":9223372032828243975,')}},\n      "2021-12-02-09": {`));
    expect(e.message).toMatch(/trash hour directories/);
  });
  it("refuses an ordinary inode as an hour directory", async () => {
    const e = await refusal(mutate('"inode":9223372032828243969,', '"inode":41,'));
    expect(e.path).toBe('Trash.entries["2021-12-02-09"].attr.inode');
  });
  it("refuses a trash inode below an hour directory", async () => {
    const e = await refusal(mutate('"inode":27,', '"inode":9223372032828243999,'));
    expect(e.message).toMatch(/outside the Trash's hour directories/);
  });
});

describe("DumpVerifier: numbers in JuiceFS's ranges", () => {
  const cases: [string, string, RegExp, string][] = [
    ["mode above 07777", inAttr("f1", '"mode":420', '"mode":4096'), /bits above 07777/, 'FSTree.entries["f1"].attr.mode'],
    ["nanoseconds of a second or more", inAttr("f1", '"atimensec":219686444', '"atimensec":1000000000'), /atimensec 1000000000/, 'FSTree.entries["f1"].attr.atimensec'],
    ["a time SQL engines cannot hold", inAttr("f1", '"ctime":1623746661', '"ctime":-9223372036854775808'), /outside 1677–2262/, 'FSTree.entries["f1"].attr.ctime'],
    ["a length of 2^57", inAttr("f1", '"length":24', '"length":144115188075855872'), /maximum file size/, 'FSTree.entries["f1"].attr.length'],
    ["a length of 2^63 (dump spun forever on it)", inAttr("f1", '"length":24', '"length":9223372036854775808'), /maximum file size/, 'FSTree.entries["f1"].attr.length'],
    ["a symlink target of 4096 bytes", mutate('"symlink": "d"', `"symlink": "${"d".repeat(4096)}"`), /4096 bytes/, 'FSTree.entries["sd"].symlink'],
    ["a target on a regular file", mutate('"xattrs": [{"name":"k","value":"v"}],', '"symlink": "x", "xattrs": [{"name":"k","value":"v"}],'), /only symlinks/, 'FSTree.entries["f1"].symlink'],
    ["chunks on a symlink", mutate('"symlink": "d"', '"symlink": "d", "chunks": [{"index":0,"slices":[{"id":9,"size":1,"len":1}]}]'), /only regular files/, 'FSTree.entries["sd"].chunks'],
    ["two xattrs of one name", mutate('[{"name":"k","value":"v"}]', '[{"name":"k","value":"v"},{"name":"k","value":"w"}]'), /second xattr/, 'FSTree.entries["f1"].xattrs[1]'],
    ["an empty xattr name", mutate('[{"name":"k","value":"v"}]', '[{"name":"","value":"v"}]'), /xattr name of 0 bytes/, 'FSTree.entries["f1"].xattrs[0]'],
    ["an xattr value over 64 KiB", mutate('[{"name":"k","value":"v"}]', `[{"name":"k","value":"${"v".repeat(65537)}"}]`), /65537 bytes/, 'FSTree.entries["f1"].xattrs[0]'],
    ["two chunks of one index", mutate('{"index":1,"slices":[{"id":6', '{"index":0,"slices":[{"id":6'), /second chunk with index 0/, 'FSTree.entries["d1"].entries["big"].chunks[1]'],
    ["a chunk index of 2^31", mutate('{"index":1,"slices":[{"id":6', '{"index":2147483648,"slices":[{"id":6'), /index < 2\^31/, 'FSTree.entries["d1"].entries["big"].chunks[1]'],
    ["a slice id that leaves nextChunk no room", mutate('{"id":5,"size":67108864,"len":67108864}', '{"id":9223372036854775807,"size":67108864,"len":67108864}'), /nextChunk/, 'FSTree.entries["d1"].entries["big"].chunks[0].slices[0]'],
    ["a slice larger than a chunk", mutate('{"id":5,"size":67108864,"len":67108864}', '{"id":5,"size":67108865,"len":67108864}'), /larger than a chunk/, 'FSTree.entries["d1"].entries["big"].chunks[0].slices[0]'],
    ["a slice past its chunk's end", mutate('{"id":5,"size":67108864,"len":67108864}', '{"id":5,"pos":1,"size":67108864,"len":67108864}'), /past the end of its 64 MiB chunk/, 'FSTree.entries["d1"].entries["big"].chunks[0].slices[0]'],
    ["a slice window past its object", mutate('{"id":7,"size":11,"len":11}', '{"id":7,"off":1,"size":11,"len":11}'), /past the end of its object/, 'Trash.entries["2021-12-02-09"].entries["1-27-tf1"].chunks[0].slices[0]'],
  ];
  for (const [what, text, message, path] of cases) {
    it(what, async () => {
      const e = await refusal(text);
      expect(e.message).toMatch(message);
      expect(e.path).toBe(path);
    });
  }
});

describe("one member of each name per object, at every level (the reader)", () => {
  // Go's decoder lets the last of a repeated member win; each of these loaded before.
  const cases: [string, string, string, string][] = [
    ["attr member (a file becomes a hard link of another)", '"inode":34,', '"inode":34,"inode":2,', 'FSTree.entries["GBK%B9%FB֭%CA%FD%BEݿƼ%BC%D3%D0%CF޹%AB˾%CEļ%FE"].attr.inode'],
    ["attr member, case-folded as Go matches it", '"inode":34,', '"inode":34,"Inode":2,', 'FSTree.entries["GBK%B9%FB֭%CA%FD%BEݿƼ%BC%D3%D0%CF޹%AB˾%CEļ%FE"].attr.inode'],
    ["entry member", '"symlink": "d"', '"symlink": "d", "symlink": "e"', 'FSTree.entries["sd"].symlink'],
    ["entry member after a null", '"symlink": "d"', '"symlink": null, "symlink": "e"', 'FSTree.entries["sd"].symlink'],
    ["unknown entry member", '"symlink": "d"', '"symlink": "d", "x": 1, "x": 2', 'FSTree.entries["sd"].x'],
    ["Setting member", '"Name": "load-dump-test",', '"Name": "load-dump-test", "Name": "other",', "Setting.Name"],
    ["Tiers key", '"1": {\n        "ID": 1,', '"0": {"ID": 2}, "1": {\n        "ID": 1,', 'Setting.Tiers["0"]'],
    ["tier member", '"ID": 1,', '"ID": 1, "ID": 3,', 'Setting.Tiers["1"].ID'],
    ["Counters member", '"nextChunk": 9,', '"nextChunk": 9, "nextChunk": 1,', "Counters.nextChunk"],
    ["Quotas key, written two ways", '"1": {\n      "maxSpace": 1073741824', '"01": {"maxSpace": 1}, "1": {\n      "maxSpace": 1073741824', 'Quotas["1"]'],
    ["quota member", '"maxInodes": 100\n', '"maxInodes": 100, "maxInodes": 1\n', 'Quotas["1"].maxInodes'],
    ["DelFiles member", '"length": 0,\n      "expire"', '"length": 0, "length": 5,\n      "expire"', "DelFiles[0].length"],
    ["slice member", '{"id":7,"size":11,"len":11}', '{"id":7,"size":11,"len":11,"id":3}', 'Trash.entries["2021-12-02-09"].entries["1-27-tf1"].chunks[0].slices[0].id'],
    ["chunk member", '{"index":1,"slices"', '{"index":1,"index":0,"slices"', 'FSTree.entries["d1"].entries["big"].chunks[1].index'],
    ["xattr member", '{"name":"k","value":"v"}', '{"name":"k","value":"v","name":"j"}', 'FSTree.entries["f1"].xattrs[0].name'],
    ["ACL member", '"owner":7,"group":5,"other":5,"mask":5,"users":null,"groups":[{"id":5', '"owner":7,"owner":1,"group":5,"other":5,"mask":5,"users":null,"groups":[{"id":5', 'FSTree.entries["d1"].entries["big"].posix_acl_default.owner'],
    ["top-level member", '"Sustained": [],', '"Sustained": [], "Sustained": [],', "Sustained"],
    ["unknown top-level member", '"Sustained": [],', '"Sustained": [], "Extra": 1, "Extra": 2,', "Extra"],
  ];
  for (const [what, from, to, path] of cases) {
    it(what, async () => {
      const e = await refusal(mutate(from, to));
      expect(e.message).toMatch(/duplicate member/);
      expect(e.path).toBe(path);
    });
  }
});

describe("DumpVerifier: names in unsorted directories", () => {
  const entries = (names: string[]) =>
    names.map((n, i) => `"${n}": {"attr": ${F1.replace('"inode":2,', `"inode":${100 + i},`).replace(/"nlink":\d+/, '"nlink":1')}}`).join(",\n");
  const withRoot = (names: string[]) => mutate(SAMPLE.slice(SAMPLE.indexOf('      "GBK'), SAMPLE.indexOf('  "Trash"') - 8), entries(names));

  it("catches a repeat far from its twin when entries are not in name order", async () => {
    const e = await refusal(withRoot(["b", "a", "c", "b"]));
    expect(e.message).toMatch(/second entry with this name/);
    expect(e.path).toBe('FSTree.entries["b"]');
  });
  it("accepts a small unsorted directory", async () => {
    expect((await verify(withRoot(["b", "a", "c"]), true)).problems).toEqual([]);
  });
  it("refuses disorder past 4096 entries, which it cannot check in bounded memory", async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `n${String(i).padStart(5, "0")}`);
    [names[4500], names[4501]] = [names[4501], names[4500]];
    const e = await refusal(withRoot(names));
    expect(e.message).toMatch(/out of name order in a directory of more than 4096/);
  });
  it("accepts a big sorted directory", async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `n${String(i).padStart(5, "0")}`);
    expect((await verify(withRoot(names), true)).problems).toEqual([]);
  });
});

describe("DumpVerifier: --all", () => {
  it("lists every problem and counts what it could check", async () => {
    let text = inAttr("f1", '"mode":420', '"mode":65535');
    text = mutate('"sd": {', '"s/d": {', text);
    text = mutate(S1, S1.replace('"inode":5,', '"inode":1,'), text);
    const { problems, counts } = await verify(text, true);
    expect(problems.map((p) => p.path)).toEqual([
      'FSTree.entries["f1"].attr.mode',
      'FSTree.entries["s1"].attr.inode',
      'FSTree.entries["s/d"]',
    ]);
    expect(counts.entries).toBe(17);
  });
  it("says what is missing at the end", async () => {
    const text = mutate(SAMPLE.slice(SAMPLE.indexOf('  "Counters"'), SAMPLE.indexOf('  "Sustained"')), "");
    const e = await refusal(text);
    expect(e.message).toMatch(/missing 'Counters'/);
    expect(e.offset).toBe(Buffer.byteLength(text));
  });
});
