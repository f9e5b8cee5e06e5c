import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/temp-dir";
import { hostListMode, keyPrefix, parseRedisUrl, withMode } from "./url";

describe("Redis META-URL parsing", () => {
  it("plain TCP with db in the path, defaults otherwise", () => {
    const t = parseRedisUrl("redis://:p%40ss@10.0.0.1:6380/3", {});
    expect(t.options).toMatchObject({ host: "10.0.0.1", port: 6380, db: 3, password: "p@ss" });
    expect(t.addr).toBe("10.0.0.1:6380/3");
    expect(parseRedisUrl("redis://", {}).options).toMatchObject({ host: "localhost", port: 6379, db: 0 });
  });

  it("no scheme means redis; ?db= overrides the path", () => {
    const t = parseRedisUrl("user:pw@myhost/1?db=7", {});
    expect(t.options).toMatchObject({ host: "myhost", port: 6379, db: 7, username: "user", password: "pw" });
  });

  it("unix socket with password and db", () => {
    const t = parseRedisUrl("unix://:pw@/run/redis.sock?db=2", {});
    expect(t.options).toMatchObject({ path: "/run/redis.sock", db: 2, password: "pw" });
    expect(t.addr).toBe("/run/redis.sock/2");
  });

  it("password fallback: REDIS_PASSWORD, META_PASSWORD, META_PASSWORD_FILE", () => {
    expect(parseRedisUrl("redis://h/1", { REDIS_PASSWORD: "a", META_PASSWORD: "b" }).options.password).toBe("a");
    expect(parseRedisUrl("redis://h/1", { META_PASSWORD: "b" }).options.password).toBe("b");
    const dir = tempDir("jfsmeta-url-");
    writeFileSync(path.join(dir, "pw"), "  c\n");
    expect(parseRedisUrl("redis://h/1", { META_PASSWORD_FILE: path.join(dir, "pw") }).options.password).toBe("c");
    expect(parseRedisUrl("redis://:url@h/1", { REDIS_PASSWORD: "a" }).options.password).toBe("url");
  });

  it("rediss:// sets TLS 1.2+ with server name and verification options", () => {
    const t = parseRedisUrl("rediss://h:6390/0?tls-server-name=redis.example&insecure-skip-verify=1", {});
    expect(t.options.tls).toMatchObject({ minVersion: "TLSv1.2", servername: "redis.example", rejectUnauthorized: false });
    expect(parseRedisUrl("rediss://h/0", {}).options.tls).toMatchObject({ servername: "h" });
  });

  it("rejects what it cannot honour, without echoing the password", () => {
    expect(() => parseRedisUrl("redis://:pw@h/x", {})).toThrow(/database number "x"/);
    expect(() => parseRedisUrl("redis://:pw@h/1?bogus=1", {})).toThrow(/unknown Redis URL option "bogus"/);
    expect(() => parseRedisUrl("redis://:pw@h1:7000,,h2:7001/1", {})).toThrow(/empty address/);
    expect(() => parseRedisUrl("redis://:pw@master,s1:x/1", {})).toThrow(/invalid port/);
    expect(() => parseRedisUrl("redis://h/1?tls-server-name=x", {})).toThrow(/rediss:\/\//);
    try {
      parseRedisUrl("redis://:topsecret@h/1?bogus=1", {});
    } catch (err) {
      expect((err as Error).message).not.toContain("topsecret");
    }
  });

  it("Sentinel: MASTERNAME,SENTINEL[:port],…; a sentinel without a port takes the last one's, else 26379; SENTINEL_PASSWORD", () => {
    const t = parseRedisUrl("redis://u:p%40ss@mymaster,10.0.0.1,10.0.0.2:26380/3", { SENTINEL_PASSWORD: "sp" });
    expect(t.mode).toBe("sentinel");
    expect(t.sentinel).toEqual({ name: "mymaster", password: "sp", sentinels: [{ host: "10.0.0.1", port: 26380 }, { host: "10.0.0.2", port: 26380 }] });
    // The URL's credentials are the master's; its DB is selected.
    expect(t.options).toMatchObject({ username: "u", password: "p@ss", db: 3 });
    expect(t.options.host).toBeUndefined();
    expect(t.addr).toBe("mymaster,10.0.0.1:26380,10.0.0.2:26380/3");
    expect(keyPrefix(t.mode, t.db)).toBe("");
    expect(parseRedisUrl("redis://m,s1:1,s2/0", {}).sentinel!.sentinels).toEqual([{ host: "s1", port: 1 }, { host: "s2", port: 26379 }]);
    expect(parseRedisUrl("redis://m,[::1]:5000/0", {}).sentinel!.sentinels).toEqual([{ host: "::1", port: 5000 }]);
    expect(parseRedisUrl("redis://m,s1:1/0", {}).sentinel!.password).toBeUndefined();
  });

  it("Cluster: host:port,host:port,…[/db]; the db is the key prefix {db}, never SELECTed", () => {
    const t = parseRedisUrl("rediss://:pw@h1:7000,h2:7001,h3/5?insecure-skip-verify=1", { REDIS_PASSWORD: "ignored" });
    expect(t.mode).toBe("cluster");
    expect(t.clusterNodes).toEqual([{ host: "h1", port: 7000 }, { host: "h2", port: 7001 }, { host: "h3", port: 6379 }]);
    expect(t.options).toMatchObject({ password: "pw", db: 0 });
    expect(t.options.tls).toMatchObject({ minVersion: "TLSv1.2", rejectUnauthorized: false });
    expect(t.options.tls).not.toHaveProperty("servername"); // each node by its own name
    expect(t.db).toBe(5);
    expect(keyPrefix(t.mode, t.db)).toBe("{5}");
    expect(t.addr).toBe("h1:7000,h2:7001,h3:6379/5");
    // JuiceFS's rule: Sentinel only when the first comma comes before the first colon.
    expect(hostListMode("m,s1:1")).toBe("sentinel");
    expect(hostListMode("h1:1,h2:2")).toBe("cluster");
    expect(hostListMode("a,b,c")).toBe("cluster");
    expect(hostListMode("h:1")).toBe("single");
  });

  it("a single host found to be a cluster node becomes a cluster of one listed node", () => {
    const t = withMode(parseRedisUrl("redis://:pw@10.0.0.9:7000/2", {}), "cluster");
    expect(t).toMatchObject({ mode: "cluster", db: 2, addr: "10.0.0.9:7000/2", clusterNodes: [{ host: "10.0.0.9", port: 7000 }] });
    expect(t.options.db).toBe(0);
    expect(t.options.host).toBeUndefined();
  });
});
