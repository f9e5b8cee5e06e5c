// Diff benchmark: two synthetic backups of N files (default 1,000,000; B is A with about 2.5 %
// of its files removed, 1.9 % with another mode, 1.6 % grown and 1.4 % new), each indexed as
// the dashboard's "Open for inspection" does, then diffed in a process of its own as the
// dashboard's /api/diff does (lib/inspect/diff.ts over the two indexes). Prints the time to the
// first screen (the first 50 differences, what the page shows first), to the end, and the
// diff process's peak RSS.
//   npm run bench -- --diff [--files N]      or      npx tsx bench/diff.ts [--files N] [--keep]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import type { DumpHeader, TreeName, TreeWriter } from "../lib/dump/types";
import { JsonDumpWriter } from "../lib/dump/writer";
import type { DumpNode } from "../lib/jfs/types";
import { writeSyntheticDump } from "../lib/synth/volume";
import { timeProcess } from "./process";

const FIRST_SCREEN = 50;
const MiB = 1 << 20;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: "string", default: "1000000" },
    keep: { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
  },
});

/**
 * B's generator: A's stream with some files left out, changed or added. Every change is
 * chosen by a file's position in the stream, so both runs agree on what A was.
 */
function mutated(inner: TreeWriter): TreeWriter {
  let n = 0;
  return {
    header: (h: DumpHeader) => inner.header(h),
    beginDir: (name: TreeName | Buffer, node: DumpNode) => inner.beginDir(name, node),
    endDir: () => inner.endDir(),
    end: () => inner.end(),
    async leaf(name: Buffer, node: DumpNode) {
      const i = n++;
      if (node.attr.type !== "regular" || node.attr.nlink > 1) return inner.leaf(name, node);
      if (i % 40 === 7) return; // removed
      let out = node;
      if (i % 53 === 3) out = { ...node, attr: { ...node.attr, mode: node.attr.mode ^ 0o022 } };
      else if (i % 61 === 5) out = { ...node, attr: { ...node.attr, length: node.attr.length + 4096n } };
      await inner.leaf(name, out);
      // A new file just after it ("~" sorts after the digits and letters of synthetic names).
      if (i % 71 === 9) await inner.leaf(Buffer.concat([name, Buffer.from("~new")]), { ...node, attr: { ...node.attr, inode: node.attr.inode + (1n << 40n) } });
    },
  };
}

async function writeDump(file: string, files: number, mutate: boolean): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const writer = new JsonDumpWriter(out);
  await writeSyntheticDump(mutate ? mutated(writer) : writer, { files, seed: 1 });
  out.end();
  await finished(out);
}

/** The diff as the dashboard runs it, in this process: figures as one JSON line on stdout. */
async function worker(idxA: string, idxB: string): Promise<void> {
  const { openIndexDiffSide, diffTrees } = await import("../lib/inspect");
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const [a, b] = [openIndexDiffSide(idxA), openIndexDiffSide(idxB)];
  let rows = 0;
  let firstScreenMs: number | null = null;
  let totals = null;
  for await (const e of diffTrees(a, await a.top(), b, await b.top())) {
    if (e.kind === "added" || e.kind === "removed" || e.kind === "changed") {
      if (++rows === FIRST_SCREEN) firstScreenMs = performance.now() - t0;
    } else if (e.kind === "end") totals = e.totals;
  }
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await a.close();
  await b.close();
  process.stdout.write(JSON.stringify({ firstScreenMs: firstScreenMs ?? totalMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000, rows, totals, rssMiB: process.memoryUsage().rss / MiB }) + "\n");
}

async function main(): Promise<void> {
  const files = Number(values.files);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-diff-"));
  try {
    const { indexBackup } = await import("../lib/inspect");
    const dumps = [path.join(tmp, "a.json"), path.join(tmp, "b.json")];
    const t0 = performance.now();
    await writeDump(dumps[0], files, false);
    await writeDump(dumps[1], files, true);
    console.log(
      `two synthetic backups of ${files.toLocaleString("en-US")} files: ${dumps.map((d) => (statSync(d).size / MiB).toFixed(1) + " MiB").join(" and ")} of JSON, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.versions.node}`);
    const idx = [path.join(tmp, "a.idx"), path.join(tmp, "b.idx")];
    for (const [i, d] of dumps.entries()) {
      const t = performance.now();
      const info = await indexBackup(createReadStream(d, { highWaterMark: 1 << 20 }), idx[i]);
      console.log(
        `index ${"AB"[i]}: ${((performance.now() - t) / 1000).toFixed(1)} s, ${info.entries.toLocaleString("en-US")} entries, ${(statSync(idx[i]).size / MiB).toFixed(0)} MiB on disk (once per backup, as "Open for inspection")`,
      );
    }
    const run = await timeProcess("diff", process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "diff.ts"), "--worker", idx[0], idx[1]], {
      stdoutFile: path.join(tmp, "diff.out"),
      cwd: path.join(import.meta.dirname, ".."),
    });
    const r = JSON.parse((await import("node:fs")).readFileSync(path.join(tmp, "diff.out"), "utf8").trim());
    const t = r.totals;
    console.log(
      `diff: ${t.a.entries.toLocaleString("en-US")} vs ${t.b.entries.toLocaleString("en-US")} entries: ${t.added.entries.toLocaleString("en-US")} added, ${t.removed.entries.toLocaleString("en-US")} removed, ${t.changed.entries.toLocaleString("en-US")} changed, ${t.directories.toLocaleString("en-US")} directories`,
    );
    console.log(`diff: first screen (${FIRST_SCREEN} differences) after ${(r.firstScreenMs / 1000).toFixed(2)} s`);
    console.log(
      `diff: whole tree ${(r.totalMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU (${Math.round((t.a.entries + t.b.entries) / (r.cpuMs / 1000)).toLocaleString("en-US")} entries/s of CPU)`,
    );
    console.log(
      `diff process: ${(run.ms / 1000).toFixed(1)} s wall${run.cpuMs !== null ? `, ${(run.cpuMs / 1000).toFixed(1)} s CPU` : ""} (incl. ~1 s of start-up), peak RSS ${run.maxRssMB} MB`,
    );
    if (values.keep) console.log(`kept: ${tmp}`);
  } finally {
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

if (values.worker) await worker(positionals[0], positionals[1]);
else await main();
