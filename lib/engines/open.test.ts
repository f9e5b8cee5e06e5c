import { describe, expect, it } from "vitest";
import { engineKindOf } from "./open";

describe("engineKindOf", () => {
  it("tells the Redis deployments by their host list, as JuiceFS does", () => {
    expect(engineKindOf("redis://:pw@h:6379/1")).toBe("redis");
    expect(engineKindOf("h:6379/1")).toBe("redis");
    expect(engineKindOf("unix:///run/redis.sock?db=1")).toBe("redis");
    expect(engineKindOf("redis://:p,w@mymaster,s1:26379,s2/1")).toBe("redis-sentinel");
    expect(engineKindOf("rediss://u:pw@h1:7000,h2:7001/1?tls-server-name=a,b")).toBe("redis-cluster");
    expect(engineKindOf("mymaster,s1:26379")).toBe("redis-sentinel");
    expect(engineKindOf("sqlite3:///a.db")).toBe("sqlite3");
    expect(() => engineKindOf("nosuchdb://h:2379/jfs")).toThrow(/one server, Sentinel or Cluster/);
  });
});
