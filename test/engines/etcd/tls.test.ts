// etcd over TLS with client certificates, as the META-URL names them (cacert=, cert=, key=,
// server-name=): a private CA made with openssl, a server certificate for a name that is not
// the address (so server-name= is what makes the check pass), the golden sample loaded and
// dumped back, and the quota read from the members' metrics over the same TLS.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createReadStream } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "../../support/fixtures";
import { dumpToBuffer } from "../../support/engine-io";
import { tempDir } from "../../support/temp-dir";
import { startEtcdServer, type EtcdServer } from "../../support/etcd-server";
import { loadMeta } from "../../../lib/engines/load";
import { openEtcd } from "../../../lib/engines/etcd";
import { backendRoom } from "../../../lib/engines/etcd/quota";

const dir = tempDir("jfsmeta-etcd-tls-");
const f = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });

/** A CA, a server certificate for DNS:etcd.test only, a client certificate. */
function makeCerts(): void {
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "1", "-subj", "/CN=jfsmeta-test-ca");
  for (const [name, ext] of [
    ["server", "subjectAltName=DNS:etcd.test\nextendedKeyUsage=serverAuth,clientAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ]) {
    writeFileSync(f(`${name}.ext`), ext);
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", `/CN=${name === "server" ? "etcd.test" : "root"}`);
    openssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${name}.pem`), "-days", "1", "-extfile", f(`${name}.ext`));
  }
}

let server: EtcdServer;
let port: number;
beforeAll(async () => {
  makeCerts();
  server = await startEtcdServer({ tls: { cert: f("server.pem"), key: f("server.key"), ca: f("ca.pem") } });
  port = server.members[0].clientPort;
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const query = (extra = "") => `cacert=${f("ca.pem")}&cert=${f("client.pem")}&key=${f("client.key")}${extra}`;

describe("etcd over TLS", () => {
  it("loads and dumps the golden sample with a client certificate and server-name=", async () => {
    const engine = await openEtcd(`etcd://127.0.0.1:${port}/tls?${query("&server-name=etcd.test")}`);
    try {
      await loadMeta(engine, createReadStream(goldenPath("metadata.sample")));
      expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
      const room = await backendRoom(engine.client, engine.target, {});
      expect(room.quotaFrom).toMatch(/--quota-backend-bytes of 127\.0\.0\.1/);
    } finally {
      await engine.close();
    }
  });

  it("without server-name= the certificate's name does not match the address: refused, said plainly", async () => {
    const t0 = Date.now();
    await expect(openEtcd(`etcd://127.0.0.1:${port}/tls?${query()}`)).rejects.toMatchObject({
      kind: "auth",
      message: expect.stringMatching(/etcd at 127\.0\.0\.1:\d+\/tls: the TLS connection was refused .*altnames.*server-name=/),
    });
    expect(Date.now() - t0, "a certificate error is not retried").toBeLessThan(15_000);
  });
});
