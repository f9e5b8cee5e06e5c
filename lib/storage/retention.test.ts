import { describe, expect, it } from "vitest";
import { backupName, backupStamp, cleanupPlan, explainRotate, forecastRetention, parseBackupTime, rotate, RetentionForecastSchema } from "./retention";
import { prng } from "../synth/prng";

const DAY = 24 * 3600 * 1000;
const H = 3600 * 1000;
const at = (iso: string) => new Date(iso);
const n = (s: string) => `dump-${s}.json.gz`;

/** Upstream TestRotate: a backup every 12 h for 100 days, cleanup after each. */
function runSchedule(start: number, stepMs: number, count: number, version: "1.4" | "1.3" = "1.4") {
  let objs: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = new Date(start + i * stepMs);
    objs.push(backupName(t));
    const del = new Set(rotate(objs, t, version));
    objs = objs.filter((o) => !del.has(o));
  }
  return objs;
}

/** docs/format/backups.md §2.2: an independent description of one cleanup run (all keys are dump- names). */
function bucketModel(keys: string[], now: number): Set<string> {
  const bounds: number[] = [];
  for (let s = 2; s < 14; s++) bounds.push(s + 1);
  for (let s = 14; s < 60; s += 7) bounds.push(s + 7);
  for (let s = 63; s < 4000; s += 30) bounds.push(s + 30);
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 2);
  const windows = new Map<number, { key: string; ts: number }[]>();
  const del = new Set<string>();
  for (const k of keys) {
    const ts = parseBackupTime(k)!.getTime();
    if (ts < cutoff.getTime()) {
      del.add(k);
      continue;
    }
    if (ts >= now - 2 * DAY) continue;
    const w = bounds.findIndex((b) => ts >= now - b * DAY);
    const list = windows.get(w) ?? [];
    list.push({ key: k, ts });
    windows.set(w, list);
  }
  for (const list of windows.values()) {
    list.sort((a, b) => a.ts - b.ts);
    for (const e of list.slice(1)) del.add(e.key);
  }
  return del;
}

describe("backup names", () => {
  it("are the UTC start second", () => {
    expect(backupName(at("2025-06-15T20:00:07.999+08:00"))).toBe("dump-2025-06-15-120007.json.gz");
    expect(backupName(at("2025-12-31T23:59:59.500Z"))).toBe("dump-2025-12-31-235959.json.gz");
  });
  it("share one stamp with the dashboard's manual backups and downloads", () => {
    expect(backupStamp(at("2025-06-15T20:00:07.999+08:00"))).toBe("2025-06-15-120007");
    expect(backupStamp(at("0999-01-02T03:04:05Z"))).toBe("0999-01-02-030405");
    const t = at("2026-02-28T23:59:59Z");
    expect(parseBackupTime(backupName(t))?.getTime()).toBe(t.getTime());
  });
  it("parse strictly, like Go's time.Parse", () => {
    expect(parseBackupTime("dump-2025-06-15-120007.json.gz")?.toISOString()).toBe("2025-06-15T12:00:07.000Z");
    expect(parseBackupTime("dump-2023-02-29-120007.json.gz")).toBeNull();
    expect(parseBackupTime("dump-2024-02-29-120007.json.gz")).not.toBeNull();
    expect(parseBackupTime("dump-2025-13-01-120007.json.gz")).toBeNull();
    expect(parseBackupTime("dump-2025-06-15-240007.json.gz")).toBeNull();
    expect(parseBackupTime("dump-2025-06-15.json.gz")).toBeNull();
    // only length and the timestamp bytes are checked
    expect(parseBackupTime("xxxx-2025-06-15-120007.json.zs")).not.toBeNull();
  });
});

describe("rotate (JuiceFS v1.4 / v1.3)", () => {
  it("TestRotate: a backup every 12 h for 100 days leaves 25 survivors at the documented ages", () => {
    const now = at("2025-06-15T12:00:00.500Z").getTime();
    const left = runSchedule(now - 100 * DAY, DAY / 2, 201);
    const ages = left.map((k) => Math.round(((now - parseBackupTime(k)!.getTime()) / DAY) * 2) / 2).sort((a, b) => a - b);
    expect(ages).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 23, 30, 37, 44, 51, 58, 65, 100]);
  });

  it("TestRotate on exact seconds also keeps the 14-day backup (boundary belongs to the younger side)", () => {
    const now = at("2025-06-15T12:00:00.000Z").getTime();
    const left = runSchedule(now - 100 * DAY, DAY / 2, 201);
    expect(left).toHaveLength(26);
    expect(left).toContain(backupName(new Date(now - 14 * DAY)));
  });

  it("backups.md §2.4: hourly for 800 days keeps 86 (v1.4); the 35-day chain stops at 2 years, v1.3 extends it", () => {
    const start = at("2024-06-01T00:00:00.500Z").getTime(); // no 29 February in the last 2 years
    const count = 800 * 24 + 1;
    const now = start + (count - 1) * H;
    const ageDays = (k: string) => (now - parseBackupTime(k)!.getTime()) / DAY;
    const left = runSchedule(start, H, count);
    expect(left).toHaveLength(86);
    const older = left.map(ageDays).filter((a) => a >= 2).map((a) => Math.round(a)).sort((a, b) => a - b);
    const chain = Array.from({ length: 18 }, (_, i) => 100 + 35 * i);
    expect(older).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 23, 30, 37, 44, 51, 58, 65, ...chain]);
    const v13 = runSchedule(start, H, count, "1.3").map(ageDays).map(Math.round);
    expect(v13).toEqual(expect.arrayContaining([730, 765, 800]));
  });

  it("backups.md §2.4: daily for 800 days keeps 40", () => {
    const start = at("2024-06-01T00:00:00.500Z").getTime(); // no 29 February in the last 2 years
    const left = runSchedule(start, DAY, 801);
    const now = start + 800 * DAY;
    const ages = left.map((k) => Math.round((now - parseBackupTime(k)!.getTime()) / DAY)).sort((a, b) => a - b);
    expect(ages).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 23, 30, 37, 44, 51, 58, 65, ...Array.from({ length: 18 }, (_, i) => 100 + 35 * i)]);
  });

  const table = [
    n("2025-06-15-110000"), // 1
    n("2025-06-13-120000"), // 2
    n("2025-06-13-115959"), // 3
    n("2025-06-12-130000"), // 4
    n("2025-06-12-120000"), // 5
    n("2025-06-12-115959"), // 6
    n("2025-06-05-000000"), // 7
    n("2025-05-31-120000"), // 8
    n("2025-05-26-000000"), // 9
    n("2025-05-25-120000"), // 10
    n("2025-04-13-120000"), // 11
    n("2025-04-13-115959"), // 12
    n("2025-03-20-000000"), // 13
    n("2023-06-15-120000"), // 14
    n("2023-06-15-115959"), // 15
    n("2022-12-01-000000"), // 16
    "README", // 17
    "dump-2025-06-14.json.gz", // 18
  ];
  const row = (i: number) => table[i - 1];
  const now = at("2025-06-15T12:00:00Z");

  it("backups.md §2.3 worked example, v1.4, in Go's order", () => {
    expect(rotate(table, now, "1.4")).toEqual([row(3), row(4), row(8), row(9), row(12), "README", row(16), row(15)]);
  });
  it("backups.md §2.3 worked example, v1.3, in Go's order", () => {
    expect(rotate(table, now, "1.3")).toEqual([row(3), row(4), row(8), row(9), row(12), row(14)]);
  });
  it("does not depend on the listing order", () => {
    const shuffled = [...table].reverse();
    shuffled.push(shuffled.shift()!);
    expect(rotate(shuffled, now, "1.4")).toEqual(rotate(table, now, "1.4"));
  });
  it("explains each key", () => {
    const ex = new Map(explainRotate(table, now).map((d) => [d.key, d]));
    expect(ex.get(row(1))?.fate).toBe("kept");
    expect(ex.get(row(1))?.window?.kind).toBe("recent");
    expect(ex.get(row(3))?.fate).toBe("deleted");
    expect(ex.get(row(3))?.reason).toContain(row(5));
    expect(ex.get(row(5))?.window).toEqual({ kind: "daily", fromDays: 2, toDays: 3 });
    expect(ex.get(row(10))?.window).toEqual({ kind: "weekly", fromDays: 14, toDays: 21 });
    expect(ex.get(row(13))?.window).toEqual({ kind: "monthly", fromDays: 63, toDays: 93 });
    expect(ex.get(row(16))?.window?.kind).toBe("expired");
    expect(ex.get(row(15))?.window?.kind).toBe("expired");
    expect(ex.get("README")?.reason).toMatch(/sorts before a backup older than 2 years/);
    expect(ex.get(row(18))?.fate).toBe("ignored");
    expect(ex.get(row(18))?.reason).toMatch(/23 bytes/);
    const deleted = [...ex.values()].filter((d) => d.fate === "deleted").map((d) => d.key).sort();
    expect(deleted).toEqual([...rotate(table, now)].sort());
  });
  it("leap day: the cutoff is 1 March two years earlier", () => {
    const keys = ["2022-02-28-100000", "2022-03-01-095959", "2022-03-01-100000", "2022-03-01-100001", "2024-02-29-090000"].map(n);
    expect(rotate(keys, at("2024-02-29T10:00:00Z")).sort()).toEqual([keys[0], keys[1], keys[3]].sort());
  });
  it("sorts by bytes (upper case, non-ASCII, sub-folders)", () => {
    // "Ä…" is 2 bytes in UTF-8 and sorts after every ASCII key; "Z" sorts before "d".
    const keys = [n("2020-01-01-000000"), "Zebra", "\u00c4rger", "sub/" + n("2025-06-15-000000"), n("2025-06-15-000000")];
    const del = rotate(keys, now, "1.4");
    expect(del).toContain("Zebra");
    expect(del).not.toContain("\u00c4rger");
    expect(del).not.toContain("sub/" + n("2025-06-15-000000"));
    expect(rotate(keys, now, "1.3")).toEqual([]);
  });
  it("agrees with the bucket model on random listings", () => {
    const rnd = prng(42);
    for (let c = 0; c < 300; c++) {
      const nowMs = at("2025-06-15T12:00:00.250Z").getTime() + Math.floor(rnd() * 400 * DAY);
      const keys = new Set<string>();
      const count = 1 + Math.floor(rnd() * 60);
      for (let i = 0; i < count; i++) keys.add(backupName(new Date(nowMs - Math.floor(rnd() * rnd() * 900 * DAY))));
      const list = [...keys];
      expect(new Set(rotate(list, new Date(nowMs)))).toEqual(bucketModel(list, nowMs));
    }
  });
});

describe("forecastRetention", () => {
  it("predicts the dates on which repeated cleanups delete each backup", () => {
    const t0 = at("2025-06-15T12:00:00.500Z").getTime();
    // A realistic listing: 40 days of 12-hourly backups with cleanups applied.
    const listing = runSchedule(t0 - 40 * DAY, DAY / 2, 81);
    const now = new Date(t0);
    const fc = forecastRetention(listing, now, { intervalSeconds: 12 * 3600, horizonDays: 800 });
    expect(RetentionForecastSchema.safeParse(fc).success).toBe(true);

    // Replay: cleanups after each 12-hourly backup, observing when each original disappears.
    let objs = [...listing];
    const seen = new Map<string, number>();
    for (let i = 1; i <= 1600; i++) {
      const t = t0 + i * (DAY / 2);
      objs.push(backupName(new Date(t)));
      const del = new Set(rotate(objs, new Date(t)));
      for (const d of del) if (listing.includes(d)) seen.set(d, t);
      objs = objs.filter((o) => !del.has(o));
    }
    for (const item of fc.items) {
      expect(item.fate).toBe("kept");
      expect(item.deleteAt?.getTime() ?? null, item.key).toBe(seen.get(item.key) ?? null);
    }
    expect(fc.items.every((i) => i.deleteAt !== null)).toBe(true); // v1.4: all gone within 2 years
    const youngest = fc.items.find((i) => i.key === backupName(now))!;
    expect(youngest.deleteReason).toMatch(/window|2 years/);
  });
  it("stays exact with a short interval (recent backups held aside)", () => {
    const t0 = at("2025-06-15T12:00:00.250Z").getTime();
    const listing = Array.from({ length: 300 }, (_, i) => backupName(new Date(t0 - i * 3600_000)));
    const step = 600_000;
    const fc = forecastRetention(listing, new Date(t0), { intervalSeconds: step / 1000, horizonDays: 20 });
    let objs = [...listing];
    const seen = new Map<string, number>();
    const cleanup = (t: number) => {
      const del = new Set(rotate(objs, new Date(t)));
      for (const d of del) if (!seen.has(d)) seen.set(d, t);
      objs = objs.filter((o) => !del.has(o));
    };
    cleanup(t0);
    for (let i = 1; i <= 20 * 144; i++) {
      objs.push(backupName(new Date(t0 + i * step)));
      cleanup(t0 + i * step);
    }
    for (const item of fc.items) expect(item.deleteAt?.getTime() ?? null, item.key).toBe(seen.get(item.key) ?? null);
  });

  it("reports the cleanup at now as deletions at now", () => {
    const now = at("2025-06-15T12:00:00Z");
    const keys = [n("2025-06-15-110000"), n("2025-06-13-115959"), n("2025-06-12-130000"), n("2025-06-12-120000")];
    const fc = forecastRetention(keys, now, { intervalSeconds: 3600, horizonDays: 30 });
    const byKey = new Map(fc.items.map((i) => [i.key, i]));
    expect(byKey.get(keys[1])?.fate).toBe("deleted");
    expect(byKey.get(keys[1])?.deleteAt).toEqual(now);
    expect(byKey.get(keys[0])?.deleteAt?.getTime()).toBeGreaterThan(now.getTime() + 2 * DAY);
  });
});

describe("cleanupPlan (jfsmeta's own cleanup)", () => {
  it("spares keys that are not backup names, which JuiceFS v1.4 would delete", () => {
    const keys = ["README", n("2020-01-01-000000"), n("2025-06-15-110000")];
    const now = at("2025-06-15T12:00:00Z");
    expect(rotate(keys, now)).toEqual(["README", n("2020-01-01-000000")]);
    expect(cleanupPlan(keys, now)).toEqual({ delete: [n("2020-01-01-000000")], spared: ["README"] });
  });
});

describe("forecast horizon", () => {
  it("short intervals shorten the horizon instead of simulating millions of backups", () => {
    const now = at("2025-06-15T12:00:00Z");
    const fc = forecastRetention([n("2025-06-15-110000")], now, { intervalSeconds: 10, maxSteps: 1000 });
    expect(fc.horizon.getTime() - now.getTime()).toBe(10_000 * 1000);
    expect(fc.items[0].deleteAt).toBeNull();
  });
});

describe("forecast anchored to the clients' cadence", () => {
  it("does not move when asked again later within the same interval", () => {
    const start = Date.parse("2026-01-01T00:17:00Z");
    const keys = Array.from({ length: 24 * 20 }, (_, i) => backupName(new Date(start + i * 3600_000)));
    const newest = new Date(start + (keys.length - 1) * 3600_000);
    const at = (minutes: number) => forecastRetention(keys, new Date(newest.getTime() + minutes * 60_000), { cadenceFrom: newest, horizonDays: 60 });
    // Backups kept now: when a later cleanup deletes them ("deleted" ones go at `now` itself).
    const later = (f: ReturnType<typeof forecastRetention>) => f.items.map((i) => (i.fate === "deleted" ? "now" : (i.deleteAt?.toISOString() ?? null)));
    const a = later(at(5));
    const b = later(at(41));
    expect(a.some((x) => x !== null)).toBe(true);
    expect(b).toEqual(a);
    // Without the anchor the forecast follows the clock.
    const c = later(forecastRetention(keys, new Date(newest.getTime() + 41 * 60_000), { horizonDays: 60 }));
    expect(c).not.toEqual(a);
  });
});
