// The binary dump codec on its own: what the writer puts in each segment, the footer check,
// and the refusal of damaged dumps with the segment and offset.
import { describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { golden } from "../../../test/support/fixtures";
import { collect, emitTree, readDumpToTree } from "../../../test/support/dump-tree";
import { tempDir } from "../../../test/support/temp-dir";
import { syntheticDump } from "../../../test/support/engine-io";
import { BinaryDumpWriter } from "./writer";
import { readBinaryDump, type BinaryDumpVisitor, type FooterInfo } from "./reader";
import { BinaryDumpError, BAK_EOS } from "./format";
import { formatFooter, formatSegment, isPlainBinaryFile, readFooterOfFile, readSegmentAt } from "./stat";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeAttr } from "../../jfs/binary-values";
import { TYPE_CODE } from "../../jfs/types";
import { writeSyntheticDump } from "../../synth/volume";

const dir = tempDir("jfsmeta-binary-");

async function sampleBinary(): Promise<Buffer> {
  const tree = await readDumpToTree(golden("metadata.sample"));
  const out = collect();
  await emitTree(tree, new BinaryDumpWriter(out.stream));
  return out.bytes();
}

/** Every record of a dump, by kind. */
async function readAll(bin: Buffer | Buffer[]): Promise<{ footer: FooterInfo; got: Record<string, unknown[]> }> {
  const got: Record<string, unknown[]> = {};
  const add = (k: string) => (list: unknown[]) => void (got[k] = (got[k] ?? []).concat(list));
  const v: BinaryDumpVisitor = {
    format: (s) => add("format")([s]),
    counters: (c) => add("counters")([c]),
    nodes: add("nodes"),
    edges: add("edges"),
    chunks: add("chunks"),
    sliceRefs: add("sliceRefs"),
    symlinks: add("symlinks"),
    xattrs: add("xattrs"),
    acls: add("acls"),
    dirStats: add("dirStats"),
    parents: add("parents"),
    delFiles: add("delFiles"),
    quotas: (kind, q) => add(`quotas.${kind}`)(q),
  };
  const footer = await readBinaryDump(Array.isArray(bin) ? bin : [bin], v);
  return { footer, got };
}

/** Byte offset of the first segment of `name`, from the footer. */
function offsetOf(footer: FooterInfo, name: string): number {
  return Number(footer.infos.get(name)!.offsets[0]);
}

describe("binary dump writer and reader", () => {
  it("writes metadata.sample's facts as JuiceFS's segments, and reads them back", async () => {
    const bin = await sampleBinary();
    expect(bin.subarray(0, 4)).toEqual(Buffer.from([0, 0, 0, 1])); // the format segment first
    const { footer, got } = await readAll(bin);
    expect(footer.version).toBe(1);
    expect(footer.bytes).toBe(bin.length);
    const nums = Object.fromEntries([...footer.infos].map(([k, v]) => [k, Number(v.num)]));
    // 16 inodes (the hard link once), 15 entries (the trash root has none), 2 parents of inode 4.
    expect(nums).toMatchObject({ format: 1, counter: 6, node: 16, edge: 15, chunk: 6, symlink: 2, xattr: 3, stat: 7, parent: 2, delFile: 1, sliceRef: 1, acl: 4, sustained: 0 });
    expect((got.format[0] as { Name: string }).Name).toBe("load-dump-test");
    expect(got.counters[0]).toMatchObject({ usedSpace: 115392512n, usedInodes: 14n, nextInodes: 35n, nextChunk: 9n, nextTrash: 1n });
    const root = (got.nodes as { attr: { inode: bigint; nlink: number; length: bigint }; parent: bigint; accessAcl: number }[]).find((n) => n.attr.inode === 1n)!;
    expect(root).toMatchObject({ parent: 1n, attr: { nlink: 5, length: 4096n } });
    expect(root.accessAcl).toBeGreaterThan(0);
    const linked = (got.nodes as { attr: { inode: bigint }; parent: bigint }[]).find((n) => n.attr.inode === 4n)!;
    expect(linked.parent).toBe(0n); // hard links keep their parents in parent records
    expect(got.parents).toEqual(expect.arrayContaining([{ inode: 4n, parent: 1n, cnt: 1n }, { inode: 4n, parent: 3n, cnt: 1n }]));
    expect(got.sliceRefs).toEqual([{ id: 2n, size: 12, refs: 2n }]);
    const gbk = (got.edges as { name: Buffer }[]).map((e) => e.name).find((n) => n.includes(Buffer.from([0xb9, 0xfb])));
    expect(gbk).toBeDefined(); // raw bytes, not %-escaped
    expect(got["quotas.dir"]).toEqual([{ key: 1n, quota: { maxSpace: 1073741824n, maxInodes: 100n, usedSpace: 104898560n, usedInodes: 11n } }]);
  });

  it("hands a segment's nodes, edges and chunks over in calls of at most 1,000 records, each record once", async () => {
    // Whole segments of up to 10,000 (100,000 from JuiceFS) decoded at once outlived the young
    // generation: the MariaDB binary load's peak RSS (reader.ts PIECE).
    const tree = await readDumpToTree(await syntheticDump({ files: 2_500, seed: 3 }));
    const out = collect();
    await emitTree(tree, new BinaryDumpWriter(out.stream));
    const calls: Record<string, number[]> = { nodes: [], edges: [], chunks: [] };
    const keys: Record<string, string[]> = { nodes: [], edges: [], chunks: [] };
    const footer = await readBinaryDump([out.bytes()], {
      nodes: (l) => void (calls.nodes.push(l.length), keys.nodes.push(...l.map((n) => `${n.attr.inode}`))),
      edges: (l) => void (calls.edges.push(l.length), keys.edges.push(...l.map((e) => `${e.parent}/${e.name.toString("latin1")}`))),
      chunks: (l) => void (calls.chunks.push(l.length), keys.chunks.push(...l.map((c) => `${c.inode}:${c.chunk.index}`))),
    });
    for (const [kind, segment] of [["nodes", "node"], ["edges", "edge"], ["chunks", "chunk"]] as const) {
      expect(footer.infos.get(segment)!.offsets).toHaveLength(1); // one segment, several calls
      expect(Math.max(...calls[kind])).toBe(1000);
      expect(calls[kind].length).toBeGreaterThan(2);
      expect(keys[kind]).toHaveLength(Number(footer.infos.get(segment)!.num));
      expect(new Set(keys[kind]).size).toBe(keys[kind].length);
    }
  });

  it("reads the same from a stream that arrives a byte at a time", async () => {
    const bin = await sampleBinary();
    const whole = await readAll(bin);
    const bytewise = await readAll(Array.from(bin, (b) => Buffer.from([b])));
    expect(bytewise.got).toEqual(whole.got);
  });

  it("a visitor that takes columns gets the records' facts (segments the columns cannot hold as records), and the same refusals", async () => {
    // metadata.sample's nodes and edges hold trash inodes (past 2^53): those segments come as records.
    const synthetic = collect();
    await writeSyntheticDump(new BinaryDumpWriter(synthetic.stream), { files: 300, trash: false });
    await sameFacts(await sampleBinary(), true);
    await sameFacts(synthetic.bytes(), false);
  });

  async function sameFacts(bin: Buffer, sample: boolean): Promise<void> {
    const hex = (b: Buffer) => b.toString("hex");
    const facts = { nodes: [] as string[], edges: [] as string[], chunks: [] as string[] };
    const asRecords: BinaryDumpVisitor = {
      nodes: (l) => l.forEach((n) => facts.nodes.push(`${n.attr.inode} ${n.attr.type} ${n.attr.length}`)),
      edges: (l) => l.forEach((e) => facts.edges.push(`${e.parent} ${e.inode} ${hex(e.name)} ${TYPE_CODE[e.type]}`)),
      chunks: (l) => l.forEach((c) => facts.chunks.push(`${c.inode} ${c.chunk.index} ${hex(c.stored)}`)),
    };
    await readBinaryDump([bin], asRecords);
    const want = structuredClone(facts);
    facts.nodes = [];
    facts.edges = [];
    facts.chunks = [];
    let columns = 0;
    const asColumns: BinaryDumpVisitor = {
      ...asRecords,
      nodeColumns: (c) => {
        columns += c.count;
        for (let i = 0; i < c.count; i++) {
          const d = decodeAttr(BigInt(c.inode[i]), c.bytes.subarray(c.start[i], c.end[i]))!;
          facts.nodes.push(`${c.inode[i]} ${d.attr.type} ${d.attr.length}`);
        }
      },
      edgeColumns: (c) => {
        columns += c.count;
        for (let i = 0; i < c.count; i++) facts.edges.push(`${c.parent[i]} ${c.inode[i]} ${hex(c.bytes.subarray(c.start[i], c.end[i]))} ${c.type[i]}`);
      },
      chunkColumns: (c) => {
        columns += c.count;
        for (let i = 0; i < c.count; i++) facts.chunks.push(`${c.inode[i]} ${c.index[i]} ${hex(c.bytes.subarray(c.start[i], c.end[i]))}`);
      },
    };
    await readBinaryDump([bin], asColumns);
    expect(columns).toBe(sample ? want.chunks.length : want.nodes.length + want.edges.length + want.chunks.length);
    for (const k of ["nodes", "edges", "chunks"] as const) expect(facts[k].sort()).toEqual(want[k].sort());
    // An entry of an unknown type (the first edge's type set to 9): refused alike.
    const { footer } = await readAll(bin);
    const edgeAt = offsetOf(footer, "edge");
    const damaged = Buffer.from(bin);
    damaged[damaged.indexOf(Buffer.from([0x20]), edgeAt + 12 + 2) + 1] = 9;
    const refusal = (v: BinaryDumpVisitor) => readBinaryDump([damaged], v).then(() => "read", (e: Error) => e.message);
    const message = await refusal(asRecords);
    expect(message).toMatch(/unknown file type 9/);
    expect(await refusal(asColumns)).toBe(message);
  }

  it("--stat: the footer from a plain file by seeking, and one segment at its offset, as JuiceFS prints them", async () => {
    const bin = await sampleBinary();
    const f = path.join(dir, "s.bin");
    await writeFile(f, bin);
    expect(await isPlainBinaryFile(f)).toBe(true);
    const footer = await readFooterOfFile(f);
    const text = formatFooter(footer, false);
    expect(text.split("\n").slice(0, 4)).toEqual(["Backup Version: 1", "-".repeat(23), "Name      | Num       ", "-".repeat(23)]);
    expect(text).toContain("node      | 16        |\n");
    expect(formatFooter(footer, true)).toContain(`format    | 1         | [0]       \n`);
    const at = offsetOf(footer, "parent");
    const seg = await readSegmentAt({ file: f }, at);
    const shown = formatSegment(seg.type, seg.payload);
    expect(shown.startsWith("Segment: parent\nValue: {\n")).toBe(true);
    expect(JSON.parse(shown.slice(shown.indexOf("{")))).toEqual({ parents: expect.arrayContaining([{ inode: "4", parent: "1", cnt: "1" }]) });
    await expect(readSegmentAt({ file: f }, at + 1)).rejects.toThrow(/no segment starts here/);
  });
});

describe("damaged binary dumps are refused with the segment and offset", () => {
  const refuse = async (bin: Buffer, pattern: RegExp) => {
    const err = await readAll(bin).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BinaryDumpError);
    // A damaged dump is the input's fault: the CLI and the dashboard report it as such.
    expect((err as BinaryDumpError).kind).toBe("corrupt-input");
    expect((err as Error).message).toMatch(pattern);
    return err as BinaryDumpError;
  };

  it("a dump cut inside a segment, or before its footer", async () => {
    const bin = await sampleBinary();
    const { footer } = await readAll(bin);
    const edgeAt = offsetOf(footer, "edge");
    const e = await refuse(bin.subarray(0, edgeAt + 30), /ends inside the segment.*truncated/);
    expect(e.segment).toBe("edge");
    expect(e.offset).toBe(edgeAt);
    const eos = bin.lastIndexOf(Buffer.from([0, 0x74, 0x70, 0x83]));
    await refuse(bin.subarray(0, eos), /without the end marker and footer: it is truncated/);
    await refuse(bin.subarray(0, bin.length - 3), /footer/);
  });

  it("a wrong segment length", async () => {
    const bin = Buffer.from(await sampleBinary());
    const { footer } = await readAll(bin);
    const nodeAt = offsetOf(footer, "node");
    const longer = Buffer.from(bin);
    longer.writeBigUInt64BE(longer.readBigUInt64BE(nodeAt + 4) + 5n, nodeAt + 4);
    const e = await refuse(longer, /.+/);
    expect(e.offset).toBeGreaterThanOrEqual(nodeAt);
    const huge = Buffer.from(bin);
    huge.writeBigUInt64BE(1n << 40n, nodeAt + 4);
    await refuse(huge, /claims 1099511627776 bytes/);
  });

  it("a flipped byte in a segment type, in a payload, in the footer's magic", async () => {
    const bin = await sampleBinary();
    const { footer } = await readAll(bin);
    const edgeAt = offsetOf(footer, "edge");
    const type = Buffer.from(bin);
    type[edgeAt + 3] ^= 0x40;
    const e = await refuse(type, /unknown segment type/);
    expect(e.offset).toBe(edgeAt);
    // An edge's file type byte (field 4 of the first edge) set to 9: no such type.
    const payload = Buffer.from(bin);
    const firstEdge = payload.indexOf(Buffer.from([0x20]), edgeAt + 12 + 2);
    payload[firstEdge + 1] = 9;
    await refuse(payload, /edge segment at byte \d+|unknown file type|not a valid protobuf|footer/);
    const magic = Buffer.from(bin);
    const eos = bin.lastIndexOf(Buffer.from([0, 0x74, 0x70, 0x83]));
    expect(magic.readUInt32BE(eos)).toBe(BAK_EOS);
    magic[eos + 6] ^= 0x01; // inside the footer's magic varint
    await refuse(magic, /footer/);
  });

  it("a footer that disagrees with the segments", async () => {
    const bin = await sampleBinary();
    const { footer } = await readAll(bin);
    // Swap two segments' places: each is intact, their offsets no longer match the footer.
    const a = offsetOf(footer, "symlink");
    const b = offsetOf(footer, "xattr");
    const c = offsetOf(footer, "stat");
    const swapped = Buffer.concat([bin.subarray(0, a), bin.subarray(b, c), bin.subarray(a, b), bin.subarray(c)]);
    await refuse(swapped, /footer places (symlink|xattr) segments at/);
    // Drop a whole segment.
    await refuse(Buffer.concat([bin.subarray(0, a), bin.subarray(b)]), /footer/);
  });

  it("a JSON dump read as binary is refused at once", async () => {
    await refuse(await readFile(path.join(__dirname, "../../../package.json")), /format segment|unknown segment type/);
  });
});
