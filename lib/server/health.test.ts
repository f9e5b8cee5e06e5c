import { describe, expect, it } from "vitest";
import { backupHealth, shrunkBackups } from "./health";

const now = new Date("2026-06-01T12:00:00Z");
const ago = (h: number) => new Date(now.getTime() - h * 3600_000);
const hourly = (n: number, size = 1000) => Array.from({ length: n }, (_, i) => ({ time: ago(i + 0.2), size }));

describe("backupHealth", () => {
  it("is ok for a fresh hourly backup of a small volume", () => {
    const h = backupHealth({ now, intervalSeconds: 3600, usedInodes: 5000, backups: hourly(10) });
    expect(h.level).toBe("ok");
    expect(h.issues).toEqual([]);
    expect(h.newestAgeSeconds).toBeCloseTo(720, 0);
  });
  it("flags skipped backups above 1M inodes at an interval of 1h or less", () => {
    const h = backupHealth({ now, intervalSeconds: 3600, usedInodes: 1_000_001, backups: hourly(3) });
    expect(h.issues.map((i) => i.code)).toContain("skipped-too-many-inodes");
    expect(h.level).toBe("critical");
  });
  it("does not flag skipping for longer intervals or at exactly 1M inodes", () => {
    expect(backupHealth({ now, intervalSeconds: 7200, usedInodes: 5_000_000, backups: hourly(3) }).issues).toEqual([]);
    expect(backupHealth({ now, intervalSeconds: 3600, usedInodes: 1_000_000, backups: hourly(3) }).issues).toEqual([]);
  });
  it("warns when late and alarms when stale", () => {
    const late = backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups: [{ time: ago(2), size: 1 }] });
    expect(late.issues.map((i) => i.code)).toEqual(["late"]);
    expect(late.level).toBe("warn");
    const stale = backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups: [{ time: ago(5), size: 1 }] });
    expect(stale.issues.map((i) => i.code)).toEqual(["stale"]);
  });
  it("alarms when the newest backup shrank sharply", () => {
    const backups = [{ time: ago(0.1), size: 2800 }, ...hourly(5, 12_000_000).map((b, i) => ({ ...b, time: ago(i + 1) }))];
    const h = backupHealth({ now, intervalSeconds: 3600, usedInodes: 10, backups });
    expect(h.issues.map((i) => i.code)).toContain("shrank");
  });
  it("does not alarm on a normal small decrease", () => {
    const backups = [{ time: ago(0.1), size: 900 }, ...hourly(5, 1000).map((b, i) => ({ ...b, time: ago(i + 1) }))];
    expect(backupHealth({ now, intervalSeconds: 3600, usedInodes: 10, backups }).issues).toEqual([]);
  });
  it("says so when there are no backups or the listing failed", () => {
    expect(backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups: [] }).issues[0].code).toBe("no-backups");
    expect(backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups: null, listingError: "denied" }).issues[0].code).toBe("listing-failed");
  });
});

describe("shrunkBackups", () => {
  it("marks each backup that dropped below half of the ones before it, not the recovery after", () => {
    const sizes = [100, 110, 105, 20, 108, 112];
    const backups = sizes.map((size, i) => ({ time: ago(sizes.length - i), size }));
    const marked = shrunkBackups(backups);
    expect([...marked].map((b) => b.size)).toEqual([20]);
  });
});

describe("an older shrunk backup", () => {
  it("is a warning on the card too, not 'healthy' beside a timeline that marks it", () => {
    const sizes = [1000, 1000, 1000, 100, 1000, 1000, 1000, 1000, 1000];
    const backups = sizes.map((size, i) => ({ time: ago(i + 0.2), size }));
    const h = backupHealth({ now, intervalSeconds: 3600, usedInodes: 10, backups });
    expect(shrunkBackups(backups).size).toBe(1);
    expect(h.level).toBe("warn");
    expect(h.issues.map((i) => i.code)).toEqual(["shrank"]);
  });

  it("links to the diff of the shrunk backup against the one just before it", () => {
    const sizes = [1000, 1000, 1000, 100, 1000, 1000, 1000, 1000, 1000];
    const backups = sizes.map((size, i) => ({ time: ago(i + 0.2), size, name: `b${i}` }));
    expect(backupHealth({ now, intervalSeconds: 3600, usedInodes: 10, backups }).issues[0].diff).toEqual({ a: "b4", b: "b3" });
    const newestShrunk = [100, ...sizes.filter((s) => s === 1000)].map((size, i) => ({ time: ago(i + 0.2), size, name: `n${i}` }));
    const issue = backupHealth({ now, intervalSeconds: 3600, usedInodes: 10, backups: newestShrunk }).issues.find((i) => i.code === "shrank");
    expect(issue?.diff).toEqual({ a: "n1", b: "n0" });
  });

  it("a failed verify is critical on the newest backup and a warning on an older one", () => {
    const backups = hourly(3);
    const newest = backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups, failedVerifies: [{ name: "n", time: backups[0].time, detail: "bad json" }] });
    expect(newest.level).toBe("critical");
    expect(newest.issues[0]).toMatchObject({ code: "verify-failed", level: "critical" });
    expect(newest.issues[0].detail).toContain("bad json");
    const older = backupHealth({ now, intervalSeconds: 3600, usedInodes: 1, backups, failedVerifies: [{ name: "o", time: backups[2].time, detail: "x" }] });
    expect(older.issues.map((i) => [i.code, i.level])).toEqual([["verify-failed", "warn"]]);
  });
});
