// The embedded demo volume, made on a first start with no volumes so every page has real
// data: a SQLite metadata engine (data/demo/meta.db) holding a synthetic volume, local
// `file` storage (data/demo/bucket/) and months of automatic backups in
// <bucket>/demo/meta/, thinned exactly as JuiceFS's cleanup would have left them.
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, constants as zc } from "node:zlib";
import type { TreeWriter } from "../dump/types";
import { JsonDumpWriter } from "../dump/writer";
import { openDumpInput } from "../dump/input";
import { loadMeta } from "../engines/load";
import { openEngine } from "../engines/open";
import { formatLastBackup, LAST_BACKUP_XATTR } from "../storage/autobackup";
import { ROOT_INODE } from "../jfs/types";
import { backupName, rotate } from "../storage/retention";
import { writeSyntheticDump } from "../synth/volume";
import { dataPath } from "./config";
import { audit, getDb } from "./db";
import { sealedColumns } from "./volumes";
import { prng } from "../synth/prng";

export const DEMO_NAME = "demo";
const DAY = 86_400_000;

/**
 * The names an hourly client (60–66 min apart, as real clients drift) would have left in
 * meta/ after `days` of backups with a cleanup after each one.
 */
export function simulateBackupHistory(now: Date, days: number, seed = 42): { key: string; time: Date }[] {
  const rnd = prng(seed);
  let t = now.getTime() - days * DAY;
  let keys: string[] = [];
  const times = new Map<string, Date>();
  while (t <= now.getTime()) {
    const at = new Date(Math.floor(t / 1000) * 1000);
    const key = backupName(at);
    keys.push(key);
    times.set(key, at);
    const gone = new Set(rotate(keys, new Date(t + 500)));
    if (gone.size) keys = keys.filter((k) => !gone.has(k));
    t += (60 + rnd() * 6) * 60_000;
  }
  return keys.map((key) => ({ key, time: times.get(key)! }));
}

/** Files in the demo volume at a time: it grows over the months, with small dips. */
export function demoFileCount(time: Date, now: Date, days: number): number {
  const share = 1 - (now.getTime() - time.getTime()) / (days * DAY);
  const wobble = Math.sin(time.getTime() / (5 * DAY)) * 40;
  return Math.max(200, Math.round(1500 + 1100 * share + wobble));
}

/** A TreeWriter that rewrites the header's storage so backups point at the demo bucket. */
function withDemoStorage(inner: TreeWriter, bucket: string): TreeWriter {
  return {
    header: (h) => inner.header({ ...h, setting: { ...h.setting, Name: DEMO_NAME, Storage: "file", Bucket: bucket } }),
    beginDir: (n, node) => inner.beginDir(n, node),
    leaf: (n, node) => inner.leaf(n, node),
    endDir: () => inner.endDir(),
    end: () => inner.end(),
  };
}

async function writeDemoDump(file: string, files: number, at: Date, bucket: string): Promise<void> {
  const gz = createGzip({ level: zc.Z_BEST_SPEED });
  const out = createWriteStream(`${file}.tmp`);
  const done = pipeline(gz, out);
  const writer = withDemoStorage(new JsonDumpWriter(gz), bucket);
  await writeSyntheticDump(writer, { files, seed: 7, name: DEMO_NAME, now: at });
  gz.end();
  await done;
  await rename(`${file}.tmp`, file);
}

export async function createDemo(opts: { now?: Date; days?: number; print?: (l: string) => void } = {}): Promise<{ id: string; backups: number }> {
  const now = opts.now ?? new Date();
  const days = opts.days ?? 200;
  const print = opts.print ?? (() => undefined);
  const root = dataPath("demo");
  const bucket = path.join(root, "bucket") + "/";
  const metaDir = path.join(bucket, DEMO_NAME, "meta");
  const dbFile = path.join(root, "meta.db");
  await rm(root, { recursive: true, force: true });
  await mkdir(metaDir, { recursive: true });
  print(`jfsmeta: creating the demo volume in ${root} …`);

  const history = simulateBackupHistory(now, days);
  // One old backup records an incident (most of the tree was lost, then restored), so the
  // timeline shows what a sudden shrink looks like; the newest backups are healthy.
  const incident = history.reduce((best, h) =>
    Math.abs(now.getTime() - h.time.getTime() - 30 * DAY) < Math.abs(now.getTime() - best.time.getTime() - 30 * DAY) ? h : best,
  );
  for (const { key, time } of history) {
    const files = key === incident.key ? 150 : demoFileCount(time, now, days);
    await writeDemoDump(path.join(metaDir, key), files, time, bucket);
  }
  // The live volume is what it was at the newest backup, plus a little growth since.
  const liveFile = path.join(root, "live.json.gz");
  await writeDemoDump(liveFile, demoFileCount(now, now, days) + 12, now, bucket);
  const metaUrl = `sqlite3://${dbFile}`;
  const engine = await openEngine(metaUrl);
  try {
    await loadMeta(engine, await openDumpInput(liveFile), {});
    // As a JuiceFS client leaves it: the time of the newest backup on the root inode, so the
    // next automatic backup falls due one interval after it.
    const newest = history[history.length - 1].time;
    await engine.compareAndSetXattr(ROOT_INODE, LAST_BACKUP_XATTR, null, Buffer.from(formatLastBackup(newest)));
    // As `juicefs format` leaves a bucket: <name>/juicefs_uuid, which "Test connection" reads.
    const setting = await engine.readSetting();
    if (setting) await writeFile(path.join(bucket, DEMO_NAME, "juicefs_uuid"), setting.UUID);
  } finally {
    await engine.close();
  }
  await rm(liveFile, { force: true });

  const db = await getDb();
  const id = "demo";
  await db.volume.upsert({
    where: { id },
    create: { id, name: DEMO_NAME, ...sealedColumns(id, metaUrl, {}), backupInterval: 3600, demo: true },
    update: { ...sealedColumns(id, metaUrl, {}), demo: true },
  });
  await writeFile(path.join(root, ".created"), now.toISOString());
  await audit("system", "demo-create", DEMO_NAME, `${history.length} backups over ${days} days`);
  print(`jfsmeta: demo volume ready (${history.length} backups over ${days} days)`);
  return { id, backups: history.length };
}

/** On a first start with no volumes, make the demo (once; deleting it later is respected). */
export async function ensureDemo(print: (l: string) => void): Promise<void> {
  const db = await getDb();
  if (existsSync(dataPath("demo", ".created"))) return;
  if ((await db.volume.count()) > 0) return;
  await createDemo({ print });
}

