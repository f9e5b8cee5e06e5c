import { describe, expect, it } from "vitest";
import { rotate, parseBackupTime } from "../storage/retention";
import { demoFileCount, simulateBackupHistory } from "./demo";

describe("demo backup history", () => {
  const now = new Date("2026-11-26T12:00:00.500Z");
  const history = simulateBackupHistory(now, 200);
  const keys = history.map((h) => h.key);

  it("is what JuiceFS's cleanup leaves: another cleanup now deletes nothing", () => {
    expect(rotate(keys, now)).toEqual([]);
  });

  it("keeps every backup of the last 2 days and thins out older ones", () => {
    const ageDays = history.map((h) => (now.getTime() - h.time.getTime()) / 86_400_000);
    const recent = ageDays.filter((d) => d <= 2).length;
    // Hourly clients drift 60–66 min apart, so 2 days hold 44–48 backups.
    expect(recent).toBeGreaterThanOrEqual(43);
    expect(recent).toBeLessThanOrEqual(49);
    // Between 2 and 14 days: about one per day.
    const daily = ageDays.filter((d) => d > 2 && d <= 14).length;
    expect(daily).toBeGreaterThanOrEqual(10);
    expect(daily).toBeLessThanOrEqual(13);
    // Months of history remain.
    expect(Math.max(...ageDays)).toBeGreaterThan(150);
    expect(keys.every((k) => parseBackupTime(k) !== null)).toBe(true);
  });

  it("is deterministic and the volume grows over time", () => {
    expect(simulateBackupHistory(now, 200).map((h) => h.key)).toEqual(keys);
    const oldest = history[0].time;
    expect(demoFileCount(now, now, 200)).toBeGreaterThan(demoFileCount(oldest, now, 200));
  });
});
