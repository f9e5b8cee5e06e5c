import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import { BinaryDumpWriter } from "../dump/binary/writer";
import { BinaryDumpError } from "../dump/binary/format";
import { JsonDumpWriter } from "../dump/writer";
import { convertDump } from "../engines/convert";
import { errorKind } from "../jfs/errors";
import { writeSyntheticDump, resolve, settingFor } from "../synth/volume";
import { encodeAttr } from "../jfs/binary-values";
import type { TableBatch } from "../jfs/table-records";
import type { Attr, NodeType } from "../jfs/types";
import { expectSameIndexes } from "../../test/support/index-compare";
import { indexBackup } from "./backup";
import { indexBinaryBackup } from "./binary-index";

const tmp = tempDir("jfsmeta-binindex-");

/** What a writer writes, as one buffer. */
async function bytesOf(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (b: Buffer) => parts.push(b));
  await write(out);
  out.end();
  return Buffer.concat(parts);
}

/** The binary dump of the volume a JSON dump holds (jfsmeta's engine route: load into SQLite, dump binary). */
const toBinary = (json: Buffer) =>
  bytesOf((out) => convertDump(Readable.from([json]), new BinaryDumpWriter(out), { workDir: tempDir("jfsmeta-binindex-conv-") }));

/**
 * Index the binary dump of a volume (made from `json`) directly, and check it is the index of
 * the JSON dump of that volume: what jfsmeta made of it before (the binary loaded into a SQLite
 * engine, dumped as JSON, that indexed), and, when `json` is such a dump already, `json`'s.
 */
async function expectSameIndex(name: string, json: Buffer, opts: { jsonIsTheDump: boolean }): Promise<{ binary: Buffer }> {
  const binary = await toBinary(json);
  const binIdx = path.join(tmp, `${name}.bin.idx`);
  const fromBinary = await indexBinaryBackup(Readable.from([binary]), binIdx);
  expect(fromBinary.bytes).toBe(binary.length);
  const engineJson = await bytesOf((out) => convertDump(Readable.from([binary]), new JsonDumpWriter(out), { workDir: tempDir("jfsmeta-binindex-conv-") }));
  const references = [engineJson, ...(opts.jsonIsTheDump ? [json] : [])];
  for (const [k, ref] of references.entries()) {
    const jsonIdx = path.join(tmp, `${name}.json${k}.idx`);
    const fromJson = await indexBackup(Readable.from([ref]), jsonIdx);
    expect({ ...fromBinary, durationMs: 0, bytes: 0 }).toEqual({ ...fromJson, durationMs: 0, bytes: 0 });
    await expectSameIndexes(jsonIdx, binIdx);
  }
  return { binary };
}

describe("indexBinaryBackup", () => {
  let sample: { binary: Buffer } | undefined;
  afterAll(() => {
    // No staging file or temporary index is ever left beside the indexes.
    expect(readdirSync(tmp).filter((f) => !f.endsWith(".idx"))).toEqual([]);
  });

  it("builds from metadata.sample's binary dump the index its JSON dump gives: rows, pages, details, find, header, no diff", async () => {
    sample = await expectSameIndex("sample", golden("metadata.sample"), { jsonIsTheDump: true });
  });

  it("does the same for a synthetic volume (hard links, symlinks, xattrs, ACLs, devices, 2-chunk files, quotas, Trash)", async () => {
    const json = await bytesOf((out) => writeSyntheticDump(new JsonDumpWriter(out), { files: 600, seed: 7, dirFiles: 0 }));
    await expectSameIndex("synth", json, { jsonIsTheDump: true });
  });

  it("does the same without a Trash directory stored (a dump shows an empty one of zeros)", async () => {
    const json = await bytesOf((out) => writeSyntheticDump(new JsonDumpWriter(out), { files: 50, seed: 3, trash: false }));
    await expectSameIndex("notrash", json, { jsonIsTheDump: false });
  });

  it("refuses a damaged binary dump with the segment and offset, and leaves no file", async () => {
    const binary = sample?.binary ?? (await toBinary(golden("metadata.sample")));
    const target = path.join(tmp, "damaged.idx");
    // A byte of a segment's length: the reader meets a wrong framing there.
    const bad = Buffer.from(binary);
    bad[5] ^= 0x40;
    const err = await indexBinaryBackup(Readable.from([bad]), target).catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(BinaryDumpError);
    expect(String(err)).toMatch(/format|segment/);
    expect(String(err)).toMatch(/offset|byte/);
    expect(errorKind(err)).toBe("corrupt-input");
    // Cut short: refused too.
    const cut = await indexBinaryBackup(Readable.from([binary.subarray(0, Math.floor(binary.length * 0.6))]), target).catch((e: unknown) => e);
    expect(errorKind(cut)).toBe("corrupt-input");
    expect(String(cut)).toMatch(/truncated/);
    expect(existsSync(target)).toBe(false);
  });

  /** A binary dump of three directories (inodes 1–3) joined by these edges, written by the binary writer from tables. */
  const crafted = (edges: [parent: bigint, name: string, inode: bigint][]) => {
    const attr = (inode: bigint, type: NodeType): Attr => ({
      inode, flags: 0, type, mode: 0o755, uid: 0, gid: 0, atime: 1n, mtime: 1n, ctime: 1n,
      atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 2, length: 0n, rdev: 0, tier: 0,
    });
    async function* tables(): AsyncGenerator<TableBatch> {
      yield { table: "nodes", records: [1n, 2n, 3n].map((i) => ({ inode: i, attr: encodeAttr(attr(i, "directory"), 1n) })) };
      yield { table: "edges", records: edges.map(([parent, name, inode]) => ({ parent, name: Buffer.from(name), inode, type: 2 })) };
    }
    const counters = { usedSpace: 0n, usedInodes: 3n, nextInodes: 4n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n };
    return bytesOf((out) => new BinaryDumpWriter(out).tables({ setting: settingFor(resolve({ files: 1 })), counters, sustained: [], delFiles: [] }, tables()));
  };

  it("refuses two entries of one name in a directory, and a directory cycle, leaving no file", async () => {
    const target = path.join(tmp, "crafted.idx");
    const ok = await crafted([[1n, "a", 2n], [1n, "b", 3n]]);
    expect((await indexBinaryBackup(Readable.from([ok]), target)).entries).toBe(4); // FSTree, a, b, Trash
    const twice = await crafted([[1n, "a", 2n], [1n, "a", 3n]]);
    const dup = await indexBinaryBackup(Readable.from([twice]), path.join(tmp, "dup.idx")).catch((e: unknown) => e);
    expect(errorKind(dup)).toBe("corrupt-input");
    expect(String(dup)).toMatch(/two directory entries of one name/);
    const loop = await crafted([[1n, "a", 2n], [2n, "up", 1n]]);
    const cycle = await indexBinaryBackup(Readable.from([loop]), path.join(tmp, "cycle.idx")).catch((e: unknown) => e);
    expect(errorKind(cycle)).toBe("corrupt-input");
    expect(String(cycle)).toMatch(/cycle: inode 1 contains itself/);
    expect(existsSync(path.join(tmp, "dup.idx")) || existsSync(path.join(tmp, "cycle.idx"))).toBe(false);
  });

  it("stops when cancelled, leaving no file", async () => {
    const binary = sample?.binary ?? (await toBinary(golden("metadata.sample")));
    const target = path.join(tmp, "cancelled.idx");
    const ac = new AbortController();
    ac.abort();
    const err = await indexBinaryBackup(Readable.from([binary]), target, { signal: ac.signal }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/cancelled/);
    expect(existsSync(target)).toBe(false);
  });
});
