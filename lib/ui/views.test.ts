import { describe, expect, it } from "vitest";
import { formatDuration, jobDuration, jobStatusLine } from "./views";

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
});
