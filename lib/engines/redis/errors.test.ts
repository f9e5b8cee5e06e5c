import { describe, expect, it } from "vitest";
import { explainRedisError } from "./errors";

describe("explainRedisError", () => {
  const addr = "h:6379/1";
  it.each([
    [new Error("LOADING Redis is loading the dataset in memory"), /still loading/],
    [new Error("NOAUTH Authentication required."), /requires a password/],
    [new Error("WRONGPASS invalid username-password pair or user is disabled."), /rejected the credentials/],
    [new Error("OOM command not allowed when used memory > 'maxmemory'."), /out of memory/],
    [new Error("READONLY You can't write against a read only replica."), /read-only replica/],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), /cannot reach Redis at h:6379\/1 \(ECONNREFUSED\)/],
    [new Error("ERR DB index is out of range"), /database number out of range/],
    [Object.assign(new Error('Unknown RESP type 72 "H". Please report this.'), { name: "ParserError" }), /^h:6379\/1 is not a Redis server: check the host and port/],
  ])("%s", (err, message) => {
    expect(explainRedisError(err, addr).message).toMatch(message);
  });
  it("passes other errors through", () => {
    const e = new Error("ERR something else");
    expect(explainRedisError(e, addr)).toBe(e);
  });
});
