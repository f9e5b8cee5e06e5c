import { describe, expect, it } from "vitest";
import { DAILY_UNTIL_DAYS, RECENT_DAYS, WEEKLY_UNTIL_DAYS, windowEdges } from "./retention-windows";
import { backupName, explainRotate } from "./retention";

describe("retention windows", () => {
  it("are daily to 14 days, weekly to 63, then 30 days wide", () => {
    const want: number[] = [];
    for (let d = 3; d <= 14; d++) want.push(d);
    for (let d = 21; d <= 63; d += 7) want.push(d);
    for (let d = 93; d <= 731; d += 30) want.push(d);
    expect(windowEdges(731)).toEqual(want);
    expect([RECENT_DAYS, DAILY_UNTIL_DAYS, WEEKLY_UNTIL_DAYS]).toEqual([2, 14, 63]);
  });
  it("are the windows the cleanup replay places backups in", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const keys = [1, 5, 20, 40, 100].map((days) => backupName(new Date(now.getTime() - days * 86_400_000 - 3_600_000)));
    const windows = explainRotate(keys, now).map((d) => d.window && [d.window.fromDays, d.window.toDays]);
    const edges = [0, RECENT_DAYS, ...windowEdges(200)];
    for (const w of windows) {
      expect(edges).toContain(w![0]);
      expect(edges).toContain(w![1]);
    }
  });
});
