import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatBytes, formatDuration, formatIssues } from "./format";

describe("formatBytes", () => {
  it("sizes in binary units", () => {
    expect(formatBytes(0n)).toBe("0 B");
    expect(formatBytes(1023n)).toBe("1023 B");
    expect(formatBytes(1536n)).toBe("1.5 KiB");
    expect(formatBytes(104857600n)).toBe("100 MiB");
    expect(formatBytes(1n << 62n)).toBe("4 EiB");
  });
  it("takes numbers too, with the same rounding", () => {
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(10 * 1024 + 512)).toBe("10.5 KiB");
    expect(formatBytes(99.96 * 1024 * 1024)).toBe("100 MiB");
    expect(formatBytes(123.4 * 1024 ** 3)).toBe("123 GiB");
    expect(formatBytes(Number.NaN)).toBe("–");
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe("–");
  });
});

describe("formatDuration", () => {
  it("says ages and intervals in the largest fitting unit", () => {
    expect(formatDuration(-5000)).toBe("0s");
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(89_000)).toBe("89s");
    expect(formatDuration(20 * 60_000)).toBe("20m");
    expect(formatDuration(3600_000)).toBe("1h");
    expect(formatDuration(5400_000)).toBe("1.5h");
    expect(formatDuration(36 * 3600_000)).toBe("36h");
    expect(formatDuration(3 * 86400_000)).toBe("3d");
    expect(formatDuration(12 * 86400_000)).toBe("12d");
  });
});

describe("formatIssues", () => {
  it("names the field of each issue, and not the root", () => {
    const r = z.object({ a: z.object({ b: z.number() }), c: z.string().min(2, "c is too short") }).safeParse({ a: { b: "x" }, c: "" });
    expect(r.success).toBe(false);
    expect(formatIssues(r.error!)).toMatch(/^a\.b: .+; c: c is too short$/);
    const root = z.string().min(3, "META-URL is required").safeParse("");
    expect(formatIssues(root.error!)).toBe("META-URL is required");
  });
});
