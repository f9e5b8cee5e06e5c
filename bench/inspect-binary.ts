// Indexing a binary backup for the tree viewer (issue #11): a synthetic volume of N files
// (default 1,000,000) written as a JSON and as a binary dump, then each index built in its own
// process (wall time, user+sys CPU, peak RSS from GNU time): the binary dump staged and walked
// (lib/inspect/binary-index.ts), the JSON dump streamed (indexBackup), and the route binary
// backups took before: loaded into a temporary SQLite engine, dumped as JSON, that indexed.
//   npx tsx bench/inspect-binary.ts [--files N] [--seed S] [--no-engine-route] [--keep]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { BinaryDumpWriter } from "../lib/dump/binary/writer";
import { JsonDumpWriter } from "../lib/dump/writer";
import { convertDump } from "../lib/engines/convert";
import { indexBackup } from "../lib/inspect/backup";
import { indexBinaryBackup } from "../lib/inspect/binary-index";
import type { TreeWriter } from "../lib/dump/types";
import { writeSyntheticDump } from "../lib/synth/volume";
import { timeProcess, type Timed } from "./process";

const MiB = 1 << 20;
const ROUTES = ["binary-staged", "json", "binary-via-engine"] as const;
type Route = (typeof ROUTES)[number];

/** The child's work: one index of one file. */
async function runRoute(route: Route, input: string, indexPath: string): Promise<void> {
  if (route === "binary-staged") await indexBinaryBackup(createReadStream(input), indexPath);
  else if (route === "json") await indexBackup(createReadStream(input), indexPath);
  else {
    // What lib/inspect/index-any.ts did before: the conversion streamed into the JSON indexer.
    const json = new PassThrough({ highWaterMark: 1 << 20 });
    const converting = convertDump(createReadStream(input), new JsonDumpWriter(json), { workDir: path.dirname(indexPath) }).then(
      () => void json.end(),
      (e: unknown) => void json.destroy(e as Error),
    );
    await indexBackup(json, indexPath);
    await converting;
  }
}

async function writeVolume(file: string, files: number, seed: number, make: (out: NodeJS.WritableStream) => TreeWriter): Promise<void> {
  const out = createWriteStream(file);
  await writeSyntheticDump(make(out), { files, seed });
  out.end();
  await finished(out);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: "string", default: "1000000" },
      seed: { type: "string", default: "1" },
      "no-engine-route": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      run: { type: "string" },
      input: { type: "string" },
      index: { type: "string" },
    },
  });
  if (values.run) return runRoute(values.run as Route, values.input!, values.index!);
  const files = Number(values.files);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-bench-inspect-binary-"));
  try {
    const jsonPath = path.join(tmp, "volume.json");
    const binPath = path.join(tmp, "volume.bin");
    await writeVolume(jsonPath, files, Number(values.seed), (out) => new JsonDumpWriter(out));
    await writeVolume(binPath, files, Number(values.seed), (out) => new BinaryDumpWriter(out));
    console.log(`${files.toLocaleString("en-US")} files: JSON dump ${(statSync(jsonPath).size / MiB).toFixed(0)} MiB, binary dump ${(statSync(binPath).size / MiB).toFixed(0)} MiB`);
    const results: { route: Route; t: Timed; indexMiB: number }[] = [];
    for (const route of ROUTES) {
      if (route === "binary-via-engine" && values["no-engine-route"]) continue;
      const idx = path.join(tmp, `${route}.idx`);
      const t = await timeProcess(route, process.execPath, ["--import", "tsx", import.meta.filename, "--run", route, "--input", route === "json" ? jsonPath : binPath, "--index", idx]);
      results.push({ route, t, indexMiB: statSync(idx).size / MiB });
      console.log(
        `${route.padEnd(18)} wall ${(t.ms / 1000).toFixed(1).padStart(6)} s  cpu ${t.cpuMs === null ? "?" : (t.cpuMs / 1000).toFixed(1).padStart(6)} s  peak RSS ${String(t.maxRssMB).padStart(4)} MB  index ${results.at(-1)!.indexMiB.toFixed(0)} MiB  (load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")})`,
      );
    }
  } finally {
    if (!values.keep) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

await main();
