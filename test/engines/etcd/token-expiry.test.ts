// An auth token that expires between requests. The dump's reads and the load's transactions go
// through etcd3's connection pool but send their own encoded requests (kv.ts raw()), which do not
// pass through etcd3's renewal of an expired token; kv.ts hands such a request once to etcd3's own
// call, which renews the token. Here etcd keeps an idle simple token for 1 s, and each request
// comes after 2.5 s of silence: without that hand-over each would fail with "invalid auth token".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableEtcdAuth, startEtcdServer, type EtcdServer } from "../../support/etcd-server";
import { EtcdClient, EtcdKv } from "../../../lib/engines/etcd/kv";
import { PutTxn } from "../../../lib/engines/etcd/put-txn";

const PASSWORD = "token-ttl";
const PREFIX = Buffer.from("/vol\xfd", "latin1");
let server: EtcdServer;

beforeAll(async () => {
  server = await startEtcdServer({ authTokenTtl: 1 });
  await enableEtcdAuth(server, "jfs", PASSWORD, PREFIX);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const idle = () => new Promise((r) => setTimeout(r, 2500));
const key = (i: number) => Buffer.from(`k${String(i).padStart(3, "0")}`);

describe("etcd: an auth token that expired between requests", () => {
  it("is renewed for the load's transactions and the dump's page and transaction reads", async () => {
    const client = new EtcdClient({ hosts: `http://${server.hosts}`, auth: { username: "jfs", password: PASSWORD } });
    const kv = new EtcdKv(client, PREFIX, server.hosts);
    try {
      // etcd3's own call: the first token.
      await kv.txn({ success: [kv.put(Buffer.from("claim"), Buffer.from("mine"))] });

      await idle();
      const t = new PutTxn(PREFIX, { key: kv.key(Buffer.from("claim")), value: Buffer.from("mine") });
      for (let i = 0; i < 100; i++) t.put(key(i), Buffer.from(`v${i}`));
      expect(await kv.putTxn(t)).toMatchObject({ succeeded: true });

      await idle();
      const page = await kv.page(kv.rangeRequest(key(0), key(100)));
      expect(page.kvs.map((e) => kv.strip(e.key).toString())).toEqual(Array.from({ length: 100 }, (_, i) => key(i).toString()));

      await idle();
      const [a, b] = await kv.readTxnPages([kv.rangeRequest(key(7)), kv.rangeRequest(key(99))]);
      expect([a.kvs[0].value.toString(), b.kvs[0].value.toString()]).toEqual(["v7", "v99"]);
    } finally {
      client.close();
    }
  }, 60_000);
});
