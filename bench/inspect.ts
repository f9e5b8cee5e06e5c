// Inspection benchmark: one directory of N entries (default 1,000,000), as a backup file and
// as a live Redis volume (private redis-server). Prints time to index, to the first page, to a
// page in the middle, a filtered page, and the process RSS.
//   npx tsx bench/inspect.ts [--files N] [--no-redis] [--sqlite] [--keep]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { JsonDumpWriter } from "../lib/dump/writer";
import { loadMeta } from "../lib/engines/load";
import { openEngine } from "../lib/engines/open";
import type { Setting } from "../lib/jfs/setting";
import type { DumpNode, NodeType } from "../lib/jfs/types";
import { exportSubdirFromBackup, indexBackup, openIndexedBackup, openLiveSource, type TreeSource } from "../lib/inspect";
import { startRedisServer } from "../test/support/redis-server";

const MiB = 1 << 20;

/** Peak RSS while `fn` runs (sampled every 20 ms), and its duration. */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, ms: performance.now() - t0, peakRssMiB: peak / MiB };
  } finally {
    clearInterval(timer);
  }
}

function node(inode: bigint, type: NodeType, length = 0n): DumpNode {
  return {
    attr: {
      inode, flags: 0, type, mode: type === "directory" ? 0o755 : 0o644, uid: 1000, gid: 1000,
      atime: 1700000000n, mtime: 1700000000n, ctime: 1700000000n, atimensec: 1, mtimensec: 2, ctimensec: 3,
      nlink: type === "directory" ? 2 : 1, length, rdev: 0, tier: 0,
    },
    xattrs: [],
    chunks: length > 0n ? [{ index: 0, slices: [{ id: inode, pos: 0, size: Number(length), off: 0, len: Number(length) }] }] : [],
  };
}

const name = (i: number) => `file-${String(i).padStart(7, "0")}.dat`;

async function writeDump(file: string, files: number): Promise<void> {
  const setting: Setting = {
    Name: "bench-inspect", UUID: "00000000-0000-4000-8000-000000000000", Storage: "file", Bucket: "/tmp/bench/",
    BlockSize: 4096, TrashDays: 1, EnableACL: false, Tiers: { "0": { ID: 0, StorageClass: "", Tag: "" } },
  };
  const counters = { usedSpace: 0n, usedInodes: BigInt(files + 1), nextInodes: BigInt(files + 100), nextChunk: BigInt(files + 100), nextSession: 0n, nextTrash: 0n };
  const out = createWriteStream(file);
  const w = new JsonDumpWriter(out);
  await w.header({ setting, counters, sustained: [], delFiles: [] });
  await w.beginDir("FSTree", node(1n, "directory"));
  await w.beginDir(Buffer.from("big"), node(2n, "directory"));
  // Scrambled inode numbers, so that a Redis HSCAN comes back in no useful order.
  for (let i = 0; i < files; i++) await w.leaf(Buffer.from(name(i)), node(BigInt(100 + ((i * 7919) % files)), "regular", BigInt(1 + (i % 4096))));
  await w.endDir();
  await w.endDir();
  await w.end();
  out.end();
  await finished(out);
}

async function pages(src: TreeSource, dirId: string, files: number, label: string): Promise<Record<string, string>> {
  const first = await measure(() => src.children(dirId, 0, 100));
  const middle = await measure(() => src.children(dirId, Math.floor(files / 2), 100));
  const last = await measure(() => src.children(dirId, files - 100, 100));
  const filtered = await measure(() => src.children(dirId, 0, 100, "0424"));
  const filteredAgain = await measure(() => src.children(dirId, 100, 100, "0424"));
  const otherFilter = await measure(() => src.children(dirId, 0, 100, "99.dat"));
  const entry = await measure(() => src.entry(dirId, name(Math.floor(files / 3))));
  if (first.value.total !== files || middle.value.items[0].name !== name(Math.floor(files / 2))) {
    throw new Error(`${label}: wrong page (total ${first.value.total}, middle ${middle.value.items[0]?.name})`);
  }
  return {
    [`${label}: first page (100)`]: `${first.ms.toFixed(0)} ms`,
    [`${label}: middle page`]: `${middle.ms.toFixed(1)} ms`,
    [`${label}: last page`]: `${last.ms.toFixed(1)} ms`,
    [`${label}: filtered page ("0424", ${filtered.value.total} matches)`]: `${filtered.ms.toFixed(0)} ms`,
    [`${label}: next page of that filter`]: `${filteredAgain.ms.toFixed(1)} ms`,
    [`${label}: another filter ("99.dat", ${otherFilter.value.total} matches)`]: `${otherFilter.ms.toFixed(0)} ms`,
    [`${label}: one entry`]: `${entry.ms.toFixed(1)} ms`,
    [`${label}: RSS after paging`]: `${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`,
  };
}

export async function runInspectBench(opts: { files?: number; redis?: boolean; sqlite?: boolean; keep?: boolean } = {}): Promise<Record<string, string>> {
  const files = opts.files ?? 1_000_000;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-inspect-"));
  const figures: Record<string, string> = { files: String(files) };
  try {
    const dumpPath = path.join(tmp, "big.json");
    const gen = await measure(() => writeDump(dumpPath, files));
    figures["dump file"] = `${(statSync(dumpPath).size / MiB).toFixed(0)} MiB written in ${(gen.ms / 1000).toFixed(1)} s`;

    const idxPath = path.join(tmp, "big.idx");
    const rssBefore = process.memoryUsage().rss / MiB;
    const idx = await measure(() => indexBackup(createReadStream(dumpPath), idxPath));
    figures["backup: index"] = `${(idx.ms / 1000).toFixed(1)} s (${Math.round(files / (idx.ms / 1000))} entries/s), index file ${(statSync(idxPath).size / MiB).toFixed(0)} MiB`;
    figures["backup: RSS during index"] = `peak ${idx.peakRssMiB.toFixed(0)} MiB (before ${rssBefore.toFixed(0)} MiB)`;
    const backup = openIndexedBackup(idxPath);
    const bigDir = (await backup.children((await backup.root()).dirId!, 0, 1)).items[0].dirId!;
    Object.assign(figures, await pages(backup, bigDir, files, "backup"));
    await backup.close();
    let exported = 0;
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((exported += c.length), cb()) });
    const exp = await measure(() => exportSubdirFromBackup(idxPath, bigDir, sink));
    figures["backup: export subdir"] = `${(exp.ms / 1000).toFixed(1)} s, ${(exported / MiB).toFixed(0)} MiB, peak RSS ${exp.peakRssMiB.toFixed(0)} MiB`;

    if (opts.sqlite) {
      // A sorted engine: the listing is read once, without a sort.
      const engine = await openEngine(`sqlite3://${path.join(tmp, "meta.db")}`);
      const load = await measure(() => loadMeta(engine, createReadStream(dumpPath)));
      figures["sqlite3: load (setup, not inspection)"] = `${(load.ms / 1000).toFixed(1)} s`;
      const live = openLiveSource(engine);
      const first = await measure(() => live.children("2", 0, 100));
      figures["sqlite3: first page incl. name index (sorted listing)"] = `${(first.ms / 1000).toFixed(2)} s, peak RSS ${first.peakRssMiB.toFixed(0)} MiB`;
      Object.assign(figures, await pages(live, "2", files, "sqlite3 (index cached)"));
      await live.close();
    }

    if (opts.redis ?? true) {
      const server = await startRedisServer();
      try {
        const engine = await openEngine(server.db(1));
        const load = await measure(() => loadMeta(engine, createReadStream(dumpPath)));
        figures["redis: load (setup, not inspection)"] = `${(load.ms / 1000).toFixed(1)} s`;
        const live = openLiveSource(engine);
        const rssLive = process.memoryUsage().rss / MiB;
        const first = await measure(() => live.children("2", 0, 100));
        figures["redis: first page incl. name index (HSCAN + sort)"] = `${(first.ms / 1000).toFixed(2)} s, peak RSS ${first.peakRssMiB.toFixed(0)} MiB (before ${rssLive.toFixed(0)} MiB)`;
        Object.assign(figures, await pages(live, "2", files, "redis (index cached)"));
        await live.close();
      } finally {
        await server.stop();
      }
    }
  } finally {
    if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
    else figures["kept"] = tmp;
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { files: { type: "string" }, "no-redis": { type: "boolean" }, sqlite: { type: "boolean" }, keep: { type: "boolean" } },
  });
  const figures = await runInspectBench({ files: values.files ? Number(values.files) : undefined, redis: !values["no-redis"], sqlite: values.sqlite, keep: values.keep });
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(width)}  ${v}`);
}
