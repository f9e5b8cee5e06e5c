// The load's hand-encoded transactions against etcd3's own (protobufjs) codecs: etcd3 decodes
// the bytes into the same compare and puts, flat or nested in transactions, it would have sent,
// whatever the sizes (varints of one to three bytes, values past 16 KiB, a buffer that grows,
// puts given whole or written into their slot); the answer's `succeeded` read alone.
import { afterAll, describe, expect, it } from "vitest";
import { decodeTxnSucceeded, NESTING, PutTxn } from "./put-txn";
import { EtcdClient, MAX_TXN_OPS } from "./kv";
import { prngBelow } from "../../synth/prng";

type Codec = {
  requestSerialize: (v: unknown) => Buffer;
  requestDeserialize: (b: Buffer) => unknown;
  responseSerialize: (v: unknown) => Buffer;
};
// No request is sent: the pool only hands out its service client, whose codecs are etcd3's.
const client = new EtcdClient({ hosts: "127.0.0.1:1" });
const txnCodec = () =>
  client.connectionPool.withConnection("KV", ({ client: c }) => (c.constructor as unknown as { service: Record<"Txn", Codec> }).service.Txn);
afterAll(() => client.close());

const rng = prngBelow;
/** The decoded request with its bytes as hex: compared as strings, not byte by byte. */
const plain = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && (x as { type?: string }).type === "Buffer" ? Buffer.from((x as { data: number[] }).data).toString("hex") : x));
const bytes = (r: (n: number) => number, n: number) => Buffer.from(Array.from({ length: n }, () => r(256)));

describe("a load's transaction encoded by hand", () => {
  it("is the request etcd3 would send, for 40 seeded transactions, flat and nested", async () => {
    const Txn = await txnCodec();
    const r = rng(7);
    for (let i = 0; i < 40; i++) {
      const prefix = Buffer.concat([Buffer.from(`/vol${i}`), Buffer.from([0xfd])]);
      const compare = { key: Buffer.concat([prefix, Buffer.from("jfsmetaLoad")]), value: bytes(r, 20 + r(200)) };
      const nesting = [[128], NESTING, [3, 4], [2, 3, 4]][i % 4];
      const t = new PutTxn(prefix, compare, 64, nesting);
      const capacity = nesting.reduce((a, b) => a * b);
      // One value in 40 past 16 KiB: a length varint of three bytes. Every fourth transaction full.
      const n = i % 8 < 4 ? 1 + r(Math.min(capacity, 300)) : Math.min(capacity, 300);
      const puts = Array.from({ length: n }, () => ({ key: bytes(r, 1 + r(300)), value: bytes(r, r(40) === 0 ? 16_384 + r(20_000) : r(200)) }));
      // Half through put(), half written into their slot.
      puts.forEach((p, j) => {
        if (j % 2) return t.put(p.key, p.value);
        const at = t.slot(p.key.length, p.value.length);
        p.key.copy(t.buffer, at);
        p.value.copy(t.buffer, t.valueAt);
      });
      expect(t.count).toBe(puts.length);
      expect(t.full).toBe(puts.length === capacity);
      const ops = puts.map((p) => ({ request_put: { key: Buffer.concat([prefix, p.key]), value: p.value } }));
      // Groups of the product of the deeper levels' fan-outs, each a transaction in its parent's success.
      const grouped = (items: object[], level: number): object[] => {
        if (level === nesting.length - 1) return items;
        const size = nesting.slice(level + 1).reduce((a, b) => a * b);
        const groups: object[] = [];
        for (let at = 0; at < items.length; at += size) groups.push({ request_txn: { success: grouped(items.slice(at, at + size), level + 1) } });
        return groups;
      };
      const library = { compare: [{ key: compare.key, target: "Value", result: "Equal", value: compare.value }], success: grouped(ops, 0) };
      expect(plain(Txn.requestDeserialize(t.encoded()))).toEqual(plain(Txn.requestDeserialize(Txn.requestSerialize(library))));
      // etcd's check: a transaction of k operations leaves its children max − k (kv.ts MAX_TXN_OPS).
      expect(nesting.reduce((a, b) => a + b)).toBeLessThanOrEqual(MAX_TXN_OPS);
    }
  });

  it("reads succeeded from etcd3's encoding of an answer", async () => {
    const Txn = await txnCodec();
    const header = { cluster_id: "14841639068965178418", member_id: "10276657743932975437", revision: "812", raft_term: "9" };
    const responses = [{ response_put: { header } }, { response_put: { header } }];
    expect(decodeTxnSucceeded(Txn.responseSerialize({ header, succeeded: true, responses }))).toEqual({ succeeded: true });
    expect(decodeTxnSucceeded(Txn.responseSerialize({ header, succeeded: false, responses: [] }))).toEqual({ succeeded: false });
  });
});
