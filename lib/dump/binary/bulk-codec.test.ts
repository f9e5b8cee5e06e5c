// The hand codec of bulk batches against @bufbuild/protobuf's reflection: the same bytes for
// random records (zeros, negatives, values past 2^53 and 2^63), the same records back, and
// null (the library's turn) for anything else.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BatchDesc } from "./proto";
import { BatchRecordEncoder, BULK_SPECS, decodeBulkBatch, decodeColumns, encodeBulkBatch, encodeChunkRecords, encodeEdgeRecords, encodeNodeRecords } from "./bulk-codec";
import type { BatchField } from "./format";
import { prng } from "../../synth/prng";

const rnd = prng(7);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
const value = (kind: string): unknown => {
  switch (kind) {
    case "u64":
      // Each varint length's first and last value (a double below 2^53 by BatchRecordEncoder).
      return pick([0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 21n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, 2n ** 35n - 1n, 2n ** 35n, 2n ** 49n, 2n ** 53n - 1n, 0x7fffffff10000000n, 2n ** 53n + 1n, 2n ** 64n - 1n, BigInt(Math.floor(rnd() * 1e9))]);
    case "i64":
      return pick([0n, -1n, 1n, -(2n ** 63n), 2n ** 63n - 1n, 4096n, BigInt(Math.floor(rnd() * 1e12))]);
    case "u32":
      return pick([0, 1, 7, 127, 128, 2 ** 31, 2 ** 32 - 1]);
    case "bytes":
      return Buffer.from(pick(["", "a", "name-é", "x".repeat(300)]));
    default:
      return pick(["", "user.a", "trusted.é", "s".repeat(200)]);
  }
};

describe("bulk batches by hand", () => {
  for (const [field, spec] of Object.entries(BULK_SPECS) as [BatchField, NonNullable<(typeof BULK_SPECS)[BatchField]>][]) {
    it(`${field}: the library's bytes, and its records back`, () => {
      const records = Array.from({ length: 300 }, () => Object.fromEntries(spec.members.map(([name, , kind]) => [name, value(kind)])));
      const mine = encodeBulkBatch(field, records);
      const lib = toBinary(BatchDesc, create(BatchDesc, { [field]: records } as never));
      expect(mine.toString("hex")).toBe(Buffer.from(lib).toString("hex"));
      const back = decodeBulkBatch(field, mine)!;
      const libBack = (fromBinary(BatchDesc, lib) as unknown as Record<string, Record<string, unknown>[]>)[field];
      expect(back.length).toBe(records.length);
      back.forEach((r, i) => {
        for (const [name, , kind] of spec.members) {
          const want = libBack[i][name];
          if (kind === "bytes") expect(Buffer.from(r[name] as Uint8Array).equals(Buffer.from(want as Uint8Array))).toBe(true);
          else expect(r[name]).toEqual(want);
        }
      });
    });
  }
  it("declines what it does not expect: another Batch field, an unknown member, a truncation, a wrong wire type", () => {
    const nodes = encodeBulkBatch("nodes", [{ inode: 5n, data: Buffer.from("abc") }]);
    expect(decodeBulkBatch("nodes", nodes)).not.toBeNull();
    expect(decodeBulkBatch("edges", nodes)).toBeNull();
    expect(decodeBulkBatch("nodes", nodes.subarray(0, nodes.length - 1))).toBeNull();
    const unknown = Buffer.from(nodes);
    unknown[2] = (9 << 3) | 0; // member 9
    expect(decodeBulkBatch("nodes", unknown)).toBeNull();
    const wire = Buffer.from(nodes);
    wire[2] = (1 << 3) | 2; // inode as bytes
    expect(decodeBulkBatch("nodes", wire)).toBeNull();
    expect(decodeBulkBatch("xattrs", encodeBulkBatch("xattrs", [{ inode: 1n, name: "ok", value: Buffer.from("v") }]).fill(0xff, 6, 7))).toBeNull();
  });
  it("the flat scan's nodes, edges and chunks by their own encoders: encodeBulkBatch's bytes, for any range of a batch", () => {
    const records = (field: BatchField) => {
      const spec = BULK_SPECS[field]!;
      return Array.from({ length: 200 }, () => Object.fromEntries(spec.members.map(([name, , kind]) => [name, value(kind)])));
    };
    const nodes = records("nodes");
    const edges = records("edges");
    const chunks = records("chunks");
    const asNodes = nodes.map((r) => ({ inode: r.inode as bigint, attr: r.data as Buffer }));
    for (const [from, to] of [[0, 200], [0, 0], [13, 14], [50, 170]]) {
      const hex = (field: BatchField, list: Record<string, unknown>[]) => encodeBulkBatch(field, list.slice(from, to)).toString("hex");
      expect(encodeNodeRecords(asNodes, from, to).toString("hex")).toBe(hex("nodes", nodes));
      expect(encodeEdgeRecords(edges as never, from, to).toString("hex")).toBe(hex("edges", edges));
      expect(encodeChunkRecords(chunks as never, from, to).toString("hex")).toBe(hex("chunks", chunks));
    }
  });

  it("records written as they are read (BatchRecordEncoder): the encoders' bytes, past its first buffer, each record's end told, fresh bytes after take()", () => {
    const records = (field: BatchField) => {
      const spec = BULK_SPECS[field]!;
      return Array.from({ length: 1000 }, () => Object.fromEntries(spec.members.map(([name, , kind]) => [name, value(kind)])));
    };
    // Numbers as a scan hands them: a double when exact, else a bigint; bytes inside a larger buffer.
    const num = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    const inside = (b: Buffer) => Buffer.concat([Buffer.from("pre"), b, Buffer.from("post")]);
    const nodes = records("nodes").map((r) => ({ inode: r.inode as bigint, attr: r.data as Buffer }));
    const edges = records("edges").map((r) => ({ parent: r.parent as bigint, inode: r.inode as bigint, name: r.name as Buffer, type: (r.type as number) & 0xff }));
    const chunks = records("chunks").map((r) => ({ inode: r.inode as bigint, index: r.index as number, slices: r.slices as Buffer }));
    const enc = new BatchRecordEncoder();
    for (const r of nodes) enc.node(num(r.inode), inside(r.attr), 3, 3 + r.attr.length);
    for (const r of edges) enc.edge(num(r.parent), num(r.inode), inside(r.name), 3, 3 + r.name.length, r.type);
    for (const r of chunks) enc.chunk(num(r.inode), r.index, inside(r.slices), 3, 3 + r.slices.length);
    const check = (field: "nodes" | "edges" | "chunks", want: (from: number, to: number) => Buffer) => {
      expect(enc.count(field)).toBe(1000);
      const b = enc.take(field)!;
      expect(enc.count(field)).toBe(0);
      expect(enc.take(field)).toBeNull();
      expect(b.table).toBe("encoded");
      expect(b.count).toBe(1000);
      expect(b.bytes.toString("hex")).toBe(want(0, 1000).toString("hex"));
      for (const i of [0, 1, 499, 999]) expect(b.bytes.subarray(i === 0 ? 0 : b.ends[i - 1], b.ends[i]).toString("hex")).toBe(want(i, i + 1).toString("hex"));
      return b;
    };
    const taken = check("nodes", (from, to) => encodeNodeRecords(nodes, from, to));
    check("edges", (from, to) => encodeEdgeRecords(edges, from, to));
    check("chunks", (from, to) => encodeChunkRecords(chunks, from, to));
    expect(taken.bytes.length).toBeGreaterThan(64 << 10);
    // Records after a take() go to new bytes: the batch handed over is never written again.
    const before = Buffer.from(taken.bytes);
    enc.node(1, Buffer.from("new"), 0, 3);
    expect(taken.bytes.equals(before)).toBe(true);
    expect(enc.take("nodes")!.bytes.toString("hex")).toBe(encodeNodeRecords([{ inode: 1n, attr: Buffer.from("new") }]).toString("hex"));
  });
  it("BatchRecordEncoder across its buffers: batches taken while records wait when a new buffer is needed, each batch's bytes and ends its own", () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => ({ inode: BigInt(i * 7919), attr: Buffer.alloc(200 + (i % 150), i % 251) }));
    const enc = new BatchRecordEncoder();
    const taken: { bytes: Buffer; ends: Int32Array; count: number; copy: Buffer }[] = [];
    const take = () => {
      const b = enc.take("nodes");
      if (b) taken.push({ ...b, copy: Buffer.from(b.bytes) });
    };
    nodes.forEach((r, i) => {
      enc.node(Number(r.inode), r.attr, 0, r.attr.length);
      if (i % 777 === 776) take();
    });
    take();
    expect(taken.length).toBe(7);
    let from = 0;
    for (const b of taken) {
      expect(b.bytes.equals(b.copy)).toBe(true); // never written again
      expect(b.bytes.toString("hex")).toBe(encodeNodeRecords(nodes, from, from + b.count).toString("hex"));
      for (let i = 0; i < b.count; i++) expect(b.bytes.subarray(i === 0 ? 0 : b.ends[i - 1], b.ends[i]).equals(encodeNodeRecords(nodes, from + i, from + i + 1))).toBe(true);
      from += b.count;
    }
    expect(from).toBe(5000);
    expect(Buffer.concat(taken.map((b) => b.bytes)).length).toBeGreaterThan(1 << 20);
  });
  it("nodes, edges and chunks as columns: decodeBulkBatch's records, member by member, in growing batches; null for a number of 2^53 or more, a type past a byte, or what decodeBulkBatch declines", () => {
    // Numbers the columns hold exactly (zeros left out of the bytes included), bytes of any length.
    const exact = (kind: string): unknown =>
      kind === "u64" ? pick([0n, 1n, 128n, 2n ** 49n + 3n, 2n ** 53n - 1n, BigInt(Math.floor(rnd() * 1e9))]) : kind === "u32" ? pick([0, 1, 7, 255]) : value(kind);
    for (const field of ["nodes", "edges", "chunks"] as const) {
      const spec = BULK_SPECS[field]!;
      for (const n of [0, 1, 40, 3000]) {
        const records = Array.from({ length: n }, () => Object.fromEntries(spec.members.map(([name, , kind]) => [name, exact(kind)])));
        if (field === "chunks") records.forEach((r) => (r.index = pick([0, 1, 2 ** 32 - 1])));
        const payload = encodeBulkBatch(field, records);
        const want = decodeBulkBatch(field, payload)!;
        const cols = decodeColumns(field as "nodes", payload)! as unknown as Record<string, ArrayLike<number>> & { count: number; bytes: Buffer; start: Int32Array; end: Int32Array };
        expect(cols.count).toBe(n);
        want.forEach((r, i) => {
          for (const [name, , kind] of spec.members) {
            if (kind === "bytes") expect(cols.bytes.subarray(cols.start[i], cols.end[i]).equals(r[name] as Buffer)).toBe(true);
            else expect(cols[name][i]).toBe(Number(r[name]));
          }
        });
      }
    }
    expect(decodeColumns("nodes", encodeBulkBatch("nodes", [{ inode: 2n ** 53n, data: Buffer.from("a") }]))).toBeNull();
    expect(decodeColumns("nodes", encodeBulkBatch("nodes", [{ inode: 2n ** 53n - 1n, data: Buffer.from("a") }]))!.inode[0]).toBe(2 ** 53 - 1);
    expect(decodeColumns("edges", encodeBulkBatch("edges", [{ parent: 0x7fffffff10000000n, inode: 2n, name: Buffer.from("x"), type: 1 }]))).toBeNull();
    expect(decodeColumns("edges", encodeBulkBatch("edges", [{ parent: 1n, inode: 2n, name: Buffer.from("x"), type: 256 }]))).toBeNull();
    const nodes = encodeBulkBatch("nodes", [{ inode: 5n, data: Buffer.from("abc") }]);
    expect(decodeColumns("edges", nodes)).toBeNull();
    expect(decodeColumns("nodes", nodes.subarray(0, nodes.length - 1))).toBeNull();
    const unknown = Buffer.from(nodes);
    unknown[2] = (9 << 3) | 0;
    expect(decodeColumns("nodes", unknown)).toBeNull();
    const wire = Buffer.from(nodes);
    wire[2] = (1 << 3) | 2;
    expect(decodeColumns("nodes", wire)).toBeNull();
  });
});
