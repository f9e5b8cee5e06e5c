// The dashboard takes every META-URL form the CLI takes (Sentinel and Cluster host lists too),
// and never shows a password, whatever the form.
import { describe, expect, it } from "vitest";
import { MetaUrlSchema } from "./volumes";
import { engineKindOf, redactUrl } from "../engines/open";

describe("the volume form's META-URL", () => {
  it.each([
    ["redis://:pw@10.0.0.1:6379/1", "redis"],
    ["redis://:pw@mymaster,10.0.0.1,10.0.0.2:26379/1", "redis-sentinel"],
    ["rediss://user:pw@mymaster,[::1]:26379/2?tls-ca-cert-file=/ca.pem", "redis-sentinel"],
    ["redis://:pw@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002/1", "redis-cluster"],
    ["rediss://:pw@h1:7000,h2:7001/3", "redis-cluster"],
  ])("accepts %s as %s and shows it without its password", (url, kind) => {
    const parsed = MetaUrlSchema.safeParse(url);
    expect(parsed.success).toBe(true);
    expect(engineKindOf(url)).toBe(kind);
    expect(redactUrl(url)).not.toContain("pw");
    expect(redactUrl(url)).toContain(":****@");
  });

  it("still refuses a scheme jfsmeta does not speak, naming the ones it does", () => {
    const parsed = MetaUrlSchema.safeParse("foo://h:1/x");
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/one server, Sentinel or Cluster/);
  });
});
