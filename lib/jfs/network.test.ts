import { describe, expect, it } from "vitest";
import { networkErrorCode } from "./network";

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("networkErrorCode", () => {
  it("knows the socket and driver codes", () => {
    expect(networkErrorCode(coded("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED"))).toBe("ECONNREFUSED");
    expect(networkErrorCode(coded("retrieve connection from pool timeout", "ER_GET_CONNECTION_TIMEOUT"))).toBe("ER_GET_CONNECTION_TIMEOUT");
    // PostgreSQL's server-side end of a connection (pg_terminate_backend, a fast shutdown) mid-COPY.
    expect(networkErrorCode(coded("terminating connection due to administrator command", "57P01"))).toBe("57P01");
  });
  it("looks into the cause, where the AWS SDK puts the socket error", () => {
    expect(networkErrorCode(Object.assign(new Error("request failed"), { cause: { code: "ENOTFOUND" } }))).toBe("ENOTFOUND");
  });
  it("recognises drivers that say it only in words", () => {
    expect(networkErrorCode(new Error("Connection is closed."))).toBe("Connection is closed.");
    expect(networkErrorCode(new Error("Connection terminated unexpectedly"))).toBe("Connection terminated unexpectedly");
    // pg, for a statement on a client whose connection already failed (seen while it was idle).
    expect(networkErrorCode(new Error("Client has encountered a connection error and is not queryable"))).toBe("Client has encountered a connection error and is not queryable");
  });
  it("leaves other failures alone", () => {
    expect(networkErrorCode(coded("duplicate key", "23505"))).toBeNull();
    expect(networkErrorCode(new Error("Lock wait timeout exceeded"))).toBeNull();
    expect(networkErrorCode(undefined)).toBeNull();
  });
});
