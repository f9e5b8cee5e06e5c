// etcd META-URLs as JuiceFS reads them: hosts, the client prefix (path with its "/", then 0xFD),
// credentials, TLS options; and what jfsmeta refuses rather than guess.
import { describe, expect, it } from "vitest";
import { parseEtcdUrl } from "./url";
import { redactUrl } from "../url";
import { engineKindOf } from "../open";

describe("parseEtcdUrl", () => {
  it("takes the hosts, the prefix and the credentials", () => {
    const t = parseEtcdUrl("etcd://root:p%40ss@10.0.0.1:2379,10.0.0.2:2379/jfs");
    expect(t.endpoints).toEqual(["http://10.0.0.1:2379", "http://10.0.0.2:2379"]);
    expect(t.prefix.toString("hex")).toBe(Buffer.from("/jfs").toString("hex") + "fd");
    expect([t.username, t.password]).toEqual(["root", "p@ss"]);
    expect(t.addr).toBe("10.0.0.1:2379,10.0.0.2:2379/jfs");
    expect(t.tls).toBeUndefined();
  });

  it("no path: the prefix is 0xFD alone; a nested path keeps its slashes", () => {
    expect(parseEtcdUrl("etcd://h:2379").prefix.toString("hex")).toBe("fd");
    expect(parseEtcdUrl("etcd://h:2379/a/b").prefix.toString("latin1")).toBe("/a/b\xfd");
  });

  it("TLS when cacert, cert, key or server-name is given", () => {
    const t = parseEtcdUrl("etcd://h:2379/v?cacert=/etc/ca.pem&cert=/etc/c.pem&key=/etc/k.pem&server-name=etcd.local");
    expect(t.endpoints).toEqual(["https://h:2379"]);
    expect(t.tls).toEqual({ cacert: "/etc/ca.pem", cert: "/etc/c.pem", key: "/etc/k.pem", serverName: "etcd.local" });
  });

  it("refuses what it would have to guess", () => {
    expect(() => parseEtcdUrl("etcd://h/v")).toThrow(/needs a port/);
    expect(() => parseEtcdUrl("etcd:///v")).toThrow(/names no host/);
    expect(() => parseEtcdUrl("etcd://h:2379/v?cert=/c.pem")).toThrow(/both/);
    expect(() => parseEtcdUrl("etcd://h:2379/v?cacert=/ca.pem&insecure-skip-verify=1")).toThrow(/always verifies/);
    expect(() => parseEtcdUrl("etcd://h:2379/v?bogus=1")).toThrow(/unknown etcd META-URL option "bogus"/);
  });

  it("is an engine of its own; its password is redacted", () => {
    expect(engineKindOf("etcd://h:2379/v")).toBe("etcd");
    expect(redactUrl("etcd://root:secret@h1:2379,h2:2379/v?cacert=/ca.pem")).toBe("etcd://root:****@h1:2379,h2:2379/v?cacert=/ca.pem");
  });
});

describe("the dashboard's META-URL field", () => {
  it("takes etcd URLs, and names what is wrong with a malformed one", async () => {
    const { MetaUrlSchema } = await import("../../server/volumes");
    expect(MetaUrlSchema.safeParse("etcd://root:pw@10.0.0.1:2379,10.0.0.2:2379/jfs?cacert=/etc/ca.pem").success).toBe(true);
    const bad = MetaUrlSchema.safeParse("etcd://10.0.0.1/jfs");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toMatch(/needs a port/);
  });
});
