import { describe, expect, it } from "vitest";
import { backupToVerify, scheduleMs } from "./scheduler";
import { bearerOk, renderMetrics, volumeMetrics } from "./metrics";
import type { BackupRow, VolumeView } from "../ui/views";

const row = (key: string, time: string, over: Partial<BackupRow> = {}): BackupRow =>
  ({ key, time, size: 100, kind: "auto", encrypted: false, shrank: false, verify: null, inodes: null, consistent: null, snapshotAt: null, ...over }) as BackupRow;

const view: VolumeView = {
  id: "v1",
  name: "demo",
  now: "2026-12-06T08:00:00.000Z",
  backups: [
    row("dump-new", "2026-12-06T07:00:00.000Z", { size: 4096, inodes: 42, verify: { state: "failed", at: "2026-12-06T07:30:00.000Z", detail: "bad", jobId: null } }),
    row("dump-old", "2026-12-05T07:00:00.000Z", { shrank: true, verify: { state: "ok", at: "2026-12-06T07:10:00.000Z", detail: "", jobId: null } }),
  ],
  health: { level: "warn", newestAt: "2026-12-06T07:00:00.000Z", newestAgeSeconds: 3600, issues: [{ level: "warn", code: "late", title: "t", detail: "d" }] },
} as VolumeView;

describe("metrics", () => {
  it("exposes per volume the newest backup's age, size and inodes, backups, durations, the last verify and alerts by kind", async () => {
    const m = volumeMetrics(view, 2500);
    const { body, contentType } = await renderMetrics([m]);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('jfsmeta_backup_newest_age_seconds{volume="demo"} 3600');
    expect(body).toContain('jfsmeta_backup_newest_size_bytes{volume="demo"} 4096');
    expect(body).toContain('jfsmeta_backup_newest_inodes{volume="demo"} 42');
    expect(body).toContain('jfsmeta_backups{volume="demo"} 2');
    expect(body).toContain('jfsmeta_backup_last_duration_seconds{volume="demo"} 2.5');
    expect(body).toContain('jfsmeta_verify_last_success{volume="demo"} 0');
    expect(body).toContain(`jfsmeta_verify_last_timestamp_seconds{volume="demo"} ${Date.parse("2026-12-06T07:30:00.000Z") / 1000}`);
    for (const [kind, n] of [["late", 1], ["skipped", 0], ["shrunk", 1], ["verify-failed", 1]] as const) {
      expect(body).toContain(`jfsmeta_alerts{volume="demo",kind="${kind}"} ${n}`);
    }
    // A registry per scrape: a second render does not carry the first's series.
    const again = await renderMetrics([{ ...m, volume: "other", lastVerify: null }]);
    expect(again.body).not.toContain('volume="demo"');
    expect(again.body).not.toContain("jfsmeta_verify_last_success{");
  });

  it("wants the bearer token exactly", () => {
    expect(bearerOk("Bearer abc", "abc")).toBe(true);
    expect(bearerOk("bearer  abc", "abc")).toBe(true);
    expect(bearerOk("Bearer abd", "abc")).toBe(false);
    expect(bearerOk("abc", "abc")).toBe(false);
    expect(bearerOk(null, "abc")).toBe(false);
    expect(bearerOk("Bearer ", undefined)).toBe(false);
  });
});

describe("verify schedule", () => {
  const now = new Date("2026-12-06T08:00:00.000Z");
  it("picks the newest backup unless it was verified within the interval or is encrypted", () => {
    expect(backupToVerify([row("a", "2026-12-05T00:00:00.000Z"), row("b", "2026-12-06T00:00:00.000Z")], now, 86_400_000)?.key).toBe("b");
    const recent = row("b", "2026-12-06T00:00:00.000Z", { verify: { state: "ok", at: "2026-12-06T07:00:00.000Z", detail: "", jobId: null } });
    expect(backupToVerify([recent], now, 86_400_000)).toBeNull();
    expect(backupToVerify([recent], now, 1_800_000)?.key).toBe("b");
    expect(backupToVerify([row("e", "2026-12-06T00:00:00.000Z", { encrypted: true })], now, 1)).toBeNull();
    expect(backupToVerify(null, now, 1)).toBeNull();
  });
  it("reads intervals like 30s, 5m, 24h and 0", () => {
    expect(scheduleMs(undefined, 7)).toBe(7);
    expect(scheduleMs("30s", 7)).toBe(30_000);
    expect(scheduleMs("5m", 7)).toBe(300_000);
    expect(scheduleMs("24h", 7)).toBe(86_400_000);
    expect(scheduleMs("0", 7)).toBe(0);
    expect(() => scheduleMs("soon", 7)).toThrow(/not an interval/);
  });
});
