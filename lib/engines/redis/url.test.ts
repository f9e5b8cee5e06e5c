import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/temp-dir";
import { parseRedisUrl } from "./url";

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
    expect(() => parseRedisUrl("redis://:pw@master,s1:26379,s2:26379/1", {})).toThrow(/Sentinel and Cluster/);
    expect(() => parseRedisUrl("redis://h/1?tls-server-name=x", {})).toThrow(/rediss:\/\//);
    try {
      parseRedisUrl("redis://:topsecret@h/1?bogus=1", {});
    } catch (err) {
      expect((err as Error).message).not.toContain("topsecret");
    }
  });
});
