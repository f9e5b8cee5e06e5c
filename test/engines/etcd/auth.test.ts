// etcd with authentication on: the META-URL's user and %-escaped password, a role that may
// read and write only the volume's prefix; a wrong password and a prefix outside the role are
// refused as such (kind auth), not as an unreachable server.
import { createReadStream } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "../../support/fixtures";
import { dumpToBuffer } from "../../support/engine-io";
import { enableEtcdAuth, startEtcdServer, type EtcdServer } from "../../support/etcd-server";
import { loadMeta } from "../../../lib/engines/load";
import { openEtcd } from "../../../lib/engines/etcd";

const PASSWORD = "p@ss:w/rd";
let server: EtcdServer;

beforeAll(async () => {
  server = await startEtcdServer();
  await enableEtcdAuth(server, "jfs", PASSWORD, Buffer.from("/vol\xfd", "latin1"));
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const url = (prefix: string, password = PASSWORD) => `etcd://jfs:${encodeURIComponent(password)}@${server.hosts}/${prefix}`;

describe("etcd with authentication", () => {
  it("loads and dumps with the URL's user and password", async () => {
    const engine = await openEtcd(url("vol"));
    try {
      await loadMeta(engine, createReadStream(goldenPath("metadata.sample")));
      expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
      expect(engine.redactedUrl).toBe(`etcd://jfs:****@${server.hosts}/vol`);
    } finally {
      await engine.close();
    }
  });

  it("a wrong password is refused as such", async () => {
    await expect(openEtcd(url("vol", "wrong"))).rejects.toMatchObject({ kind: "auth", message: expect.stringMatching(/refused the user name or password/) });
  });

  it("a prefix the user's role does not cover: permission denied, with the fix", async () => {
    await expect(openEtcd(url("other"))).rejects.toMatchObject({ kind: "auth", message: expect.stringMatching(/may not read or write this prefix.*grant/) });
  });
});
