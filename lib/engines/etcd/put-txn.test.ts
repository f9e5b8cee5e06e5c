// The load's hand-encoded transactions against etcd3's own (protobufjs) codecs: etcd3 decodes
// the bytes into the same compare and puts it would have sent, whatever the sizes (varints of one
// to three bytes, values past 16 KiB, a buffer that grows), and reads its puts back the same; the
// answer's `succeeded` read alone.
import { afterAll, describe, expect, it } from "vitest";
import { decodeTxnSucceeded, PutTxn } from "./put-txn";
import { EtcdClient } from "./kv";

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

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}
/** The decoded request with its bytes as hex: compared as strings, not byte by byte. */
const plain = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && (x as { type?: string }).type === "Buffer" ? Buffer.from((x as { data: number[] }).data).toString("hex") : x));
const bytes = (r: (n: number) => number, n: number) => Buffer.from(Array.from({ length: n }, () => r(256)));

describe("a load's transaction encoded by hand", () => {
  it("is the request etcd3 would send, for 40 seeded transactions", async () => {
    const Txn = await txnCodec();
    const r = rng(7);
    for (let i = 0; i < 40; i++) {
      const prefix = Buffer.concat([Buffer.from(`/vol${i}`), Buffer.from([0xfd])]);
      const compare = { key: Buffer.concat([prefix, Buffer.from("jfsmetaLoad")]), value: bytes(r, 20 + r(200)) };
      const t = new PutTxn(prefix, compare, 64);
      // One value in 40 past 16 KiB: a length varint of three bytes.
      const puts = Array.from({ length: 1 + r(128) }, () => ({ key: bytes(r, 1 + r(300)), value: bytes(r, r(40) === 0 ? 16_384 + r(20_000) : r(200)) }));
      for (const p of puts) t.put(p.key, p.value);
      expect(t.count).toBe(puts.length);
      const library = {
        compare: [{ key: compare.key, target: "Value", result: "Equal", value: compare.value }],
        success: puts.map((p) => ({ request_put: { key: Buffer.concat([prefix, p.key]), value: p.value } })),
      };
      expect(plain(Txn.requestDeserialize(t.encoded()))).toEqual(plain(Txn.requestDeserialize(Txn.requestSerialize(library))));
      // And read back for a request that must go through etcd3: the puts as they were given.
      expect(plain(t.puts())).toEqual(plain(puts));
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
