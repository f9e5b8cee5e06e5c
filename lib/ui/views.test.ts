import { describe, expect, it } from "vitest";
import { backupFateText, backupOptionLabel, formatDuration, jobDuration, jobRateLine, jobStatusLine } from "./views";

describe("job status words", () => {
  it("a running job shows its phase and percentage", () => {
    expect(jobStatusLine({ state: "running", phase: "dumping", done: 50, total: 200 })).toBe("dumping · 25%");
    expect(jobStatusLine({ state: "running", phase: "starting", done: 0, total: 0 })).toBe("starting");
  });

  it("an ended job says how it ended, never its last phase as if it ran", () => {
    expect(jobStatusLine({ state: "failed", phase: "dumping", done: 0, total: 100 })).toBe("failed during dumping at 0%");
    expect(jobStatusLine({ state: "failed", phase: "starting", done: 0, total: 0 })).toBe("failed before it started work");
    expect(jobStatusLine({ state: "succeeded", phase: "cleanup", done: 3, total: 3 })).toBe("finished");
    expect(jobStatusLine({ state: "succeeded", phase: "ready to download", done: 1, total: 1 })).toBe("finished · ready to download");
    expect(jobStatusLine({ state: "cancelled", phase: "uploading", done: 1, total: 4 })).toBe("cancelled during uploading at 25%");
  });

  it("durations under a second are not 0.0s", () => {
    expect(formatDuration(42)).toBe("42 ms");
    expect(formatDuration(4210)).toBe("4.2 s");
    expect(formatDuration(187_000)).toBe("3 min 07 s");
    expect(formatDuration(7_500_000)).toBe("2 h 05 min");
    expect(jobDuration({ startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:00:00.040Z" })).toBe(40);
    expect(jobDuration({ startedAt: null, finishedAt: null })).toBeNull();
  });

  it("a job's rate and time left, from the average since it started", () => {
    const t0 = Date.parse("2026-01-01T00:00:00.000Z");
    const running = { kind: "dump", state: "running" as const, done: 500, total: 1500, startedAt: "2026-01-01T00:00:00.000Z", finishedAt: null };
    expect(jobRateLine(running, t0 + 10_000)).toBe("50 entries/s · 20.0 s left");
    expect(jobRateLine({ ...running, kind: "restore", done: 3 * 1048576, total: 4 * 1048576 }, t0 + 2000)).toBe("1.5 MiB/s · 667 ms left");
    // Ended: the average rate, no time left; nothing done yet: no rate.
    expect(jobRateLine({ ...running, state: "succeeded", done: 1500, finishedAt: "2026-01-01T00:00:03.000Z" }, t0 + 99_000)).toBe("500 entries/s");
    expect(jobRateLine({ ...running, done: 0 }, t0 + 10_000)).toBe("");
    expect(jobRateLine({ ...running, total: 0 }, t0 + 10_000)).toBe("50 entries/s");
    expect(jobRateLine({ ...running, kind: "export", state: "succeeded", done: 1, total: 1, finishedAt: "2026-01-01T00:00:03.000Z" }, t0)).toBe("");
  });
});

describe("a backup's fate in words", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const row = { key: "dump-2026-02-28-120000.json.gz", time: "2026-02-28T12:00:00.000Z", size: 2048, encrypted: false, shrank: false };
  it("says when retention deletes it: within a week to the minute, later by day", () => {
    expect(backupFateText({ fate: "kept", deleteAt: "2026-03-03T13:00:00.000Z" }, now)).toBe("goes ≈ 2026-03-03 13:00 UTC");
    expect(backupFateText({ fate: "kept", deleteAt: "2026-05-01T00:00:00.000Z" }, now)).toBe("kept until ≈ 2026-05-01");
    expect(backupFateText({ fate: "kept", deleteAt: null }, now)).toBe("kept over 2 years");
    expect(backupFateText({ fate: "deleted", deleteAt: "2026-03-01T12:00:00.000Z" }, now)).toBe("goes at the next cleanup");
    expect(backupFateText({ fate: "ignored", deleteAt: null }, now)).toBe("never rotated (not a backup name)");
  });
  it("a restore picker's line: name, age, size, fate, and warnings", () => {
    expect(backupOptionLabel({ ...row, fate: "kept", deleteAt: "2026-05-01T00:00:00.000Z" }, now)).toBe(
      "dump-2026-02-28-120000.json.gz · 24h old · 2 KiB · kept until ≈ 2026-05-01",
    );
    expect(backupOptionLabel({ ...row, fate: "kept", deleteAt: null, encrypted: true, shrank: true }, now)).toMatch(/ · encrypted · ▼ shrank sharply$/);
  });
});
