// The hand decoder of range answers against etcd3's own (protobufjs) decoding of the same bytes:
// the same keys, values and `more`, whatever else the answer holds; a transaction that answered
// with something other than ranges, and a cut answer, are refused rather than read short.
import { afterAll, describe, expect, it } from "vitest";
import { decodeRangeResponse, decodeRangeTxnResponse } from "./range-codec";
import { EtcdClient } from "./kv";
import { prngBelow } from "../../synth/prng";

type Codec = { responseSerialize: (v: unknown) => Buffer; responseDeserialize: (b: Buffer) => unknown };
// No request is sent: the pool only hands out its service client, whose codecs are etcd3's.
const client = new EtcdClient({ hosts: "127.0.0.1:1" });
const service = () =>
  client.connectionPool.withConnection("KV", ({ client: c }) => (c.constructor as unknown as { service: Record<"Range" | "Txn", Codec> }).service);
afterAll(() => client.close());

/** A seeded generator: the cases are the same on every run. */
const rng = prngBelow;

function randomRange(r: (n: number) => number) {
  const kvs = Array.from({ length: r(30) }, () => ({
    key: Buffer.from(Array.from({ length: 1 + r(60) }, () => r(256))),
    value: Buffer.from(Array.from({ length: r(3) === 0 ? 0 : r(300) }, () => r(256))),
    create_revision: String(r(1 << 30) * 1000),
    mod_revision: String(r(1 << 30)),
    version: String(r(5)),
    lease: r(4) === 0 ? "7587873847537454" : "0",
  }));
  return { header: { cluster_id: "14841639068965178418", member_id: "10276657743932975437", revision: String(r(1 << 30)), raft_term: "9" }, kvs, more: r(2) === 1, count: String(kvs.length + r(1000)) };
}

const plain = (p: { kvs: { key: Buffer; value: Buffer }[]; more: boolean }) => ({ kvs: p.kvs.map((kv) => [kv.key.toString("hex"), kv.value.toString("hex")]), more: p.more });

describe("range answers decoded by hand", () => {
  it("give etcd3's keys, values and more, for 60 seeded RangeResponses", async () => {
    const { Range } = await service();
    const r = rng(7);
    for (let i = 0; i < 60; i++) {
      const bytes = Range.responseSerialize(randomRange(r));
      const ours = decodeRangeResponse(bytes);
      expect(plain(ours)).toEqual(plain(Range.responseDeserialize(bytes) as never));
      for (const kv of ours.kvs) expect(Buffer.isBuffer(kv.key) && Buffer.isBuffer(kv.value)).toBe(true);
    }
  });

  it("give each range of a read-only transaction, in order", async () => {
    const { Txn } = await service();
    const r = rng(11);
    for (let i = 0; i < 8; i++) {
      const ranges = Array.from({ length: r(40) }, () => randomRange(r));
      const bytes = Txn.responseSerialize({ header: { revision: "5" }, succeeded: true, responses: ranges.map((x) => ({ response_range: x })) });
      const theirs = (Txn.responseDeserialize(bytes) as { responses: { response_range: never }[] }).responses.map((x) => plain(x.response_range));
      expect(decodeRangeTxnResponse(bytes).map(plain)).toEqual(theirs);
    }
  });

  it("an empty range is an empty page, not a missing one", async () => {
    const { Txn } = await service();
    const bytes = Txn.responseSerialize({ succeeded: true, responses: [{ response_range: {} }, { response_range: { kvs: [{ key: Buffer.from("k") }] } }] });
    expect(decodeRangeTxnResponse(bytes).map(plain)).toEqual([{ kvs: [], more: false }, { kvs: [["6b", ""]], more: false }]);
  });

  it("refuses a transaction that answered with a put, and a cut answer", async () => {
    const { Txn, Range } = await service();
    const put = Txn.responseSerialize({ succeeded: true, responses: [{ response_put: { header: { revision: "3" } } }] });
    expect(() => decodeRangeTxnResponse(put)).toThrow(/answered with another operation/);
    const whole = Range.responseSerialize(randomRange(rng(3)));
    for (const cut of [whole.length - 1, Math.floor(whole.length / 2)]) expect(() => decodeRangeResponse(whole.subarray(0, cut))).toThrow();
  });
});
