import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn } from "./url";

describe("redactUrl", () => {
  it("hides the password of one META-URL, '@' in the password included", () => {
    expect(redactUrl("redis://:secret@h:6379/1")).toBe("redis://:****@h:6379/1");
    expect(redactUrl("mysql://root:pa@ss@(h:3306)/jfs")).toBe("mysql://root:****@(h:3306)/jfs");
    expect(redactUrl("sqlite3:///tmp/a.db")).toBe("sqlite3:///tmp/a.db");
  });

  it("hides it in every host-list form: Sentinel, Cluster, IPv6, no user", () => {
    expect(redactUrl("redis://u:s3cr%40t@mymaster,10.0.0.1,10.0.0.2:26379/2")).toBe("redis://u:****@mymaster,10.0.0.1,10.0.0.2:26379/2");
    expect(redactUrl("rediss://:pw@h1:7000,h2:7001,[::1]:7002/1?tls-ca-cert-file=/ca.pem")).toBe("rediss://:****@h1:7000,h2:7001,[::1]:7002/1?tls-ca-cert-file=/ca.pem");
    expect(redactUrl("mymaster,s1:26379")).toBe("mymaster,s1:26379");
    expect(redactUrlsIn("load into redis://:pw@m,s1:1,s2:2/3 failed")).toBe("load into redis://:****@m,s1:1,s2:2/3 failed");
    expect(redactUrlsIn("cannot reach rediss://admin:p:w@h1:1,h2:2/0")).toBe("cannot reach rediss://admin:****@h1:1,h2:2/0");
  });
});

describe("redactUrlsIn", () => {
  it("hides the password of every URL in free text and leaves the rest", () => {
    expect(redactUrlsIn("connect to postgres://u:pw@h:5432/d failed; tried redis://x:y@r:6379/1 too")).toBe(
      "connect to postgres://u:****@h:5432/d failed; tried redis://x:****@r:6379/1 too",
    );
    expect(redactUrlsIn("no password in redis://h:6379/1 or sqlite3:///a.db")).toBe("no password in redis://h:6379/1 or sqlite3:///a.db");
  });
});
