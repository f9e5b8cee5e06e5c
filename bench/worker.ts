// One benchmarked operation in its own process, so that its peak RSS is its own.
// Prints one JSON line: { op, ms, entries, maxRssMB, ... }.
import { createReadStream, createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { CommandBuffer, RespConnection } from "../lib/engines/redis/resp";
import { openEngine } from "../lib/engines/open";
import { dumpMeta } from "../lib/engines/dump";
import { loadMeta } from "../lib/engines/load";
import { JsonDumpWriter } from "../lib/dump/writer";
import { BinaryDumpWriter } from "../lib/dump/binary/writer";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { parseRedisUrl } from "../lib/engines/redis/url";

async function load(url: string, file: string) {
  const engine = await openEngine(url);
  try {
    const t0 = performance.now();
    const r = await loadMeta(engine, createReadStream(file, { highWaterMark: 1 << 20 }));
    return { ms: performance.now() - t0, entries: r.entries };
  } finally {
    await engine.close();
  }
}

async function dump(url: string, file: string, threads: number, binary = false) {
  const engine = await openEngine(url);
  try {
    const out = createWriteStream(file, { highWaterMark: 1 << 20 });
    const t0 = performance.now();
    const r = await dumpMeta(engine, binary ? new BinaryDumpWriter(out) : new JsonDumpWriter(out), { threads });
    out.end();
    await finished(out);
    return { ms: performance.now() - t0, entries: r.entries };
  } finally {
    await engine.close();
  }
}

/**
 * The floor: read every key the dump reads (attrs, entries, chunks, xattrs, symlinks) through
 * the same lean RESP connection, in pipelines of 1000 commands, with no decoding at all.
 */
async function floor(url: string) {
  const conn = await RespConnection.connect(parseRedisUrl(url).options);
  const t0 = performance.now();
  let cursor = "0";
  let keys = 0;
  const inflight: Promise<unknown>[] = [];
  do {
    const scan = new CommandBuffer();
    scan.add(["SCAN", cursor, "COUNT", 1000]);
    const [reply] = await conn.send(scan);
    const [next, batch] = reply as [Buffer, Buffer[]];
    cursor = next.toString();
    const reads = new CommandBuffer();
    for (const k of batch) {
      const c = k[0];
      if (c === 0x69 /* i */ || c === 0x73 /* s */) reads.add(["GET", k]);
      else if (c === 0x64 /* d */ || c === 0x78 /* x */) reads.add(["HGETALL", k]);
      else if (c === 0x63 /* c */) reads.add(["LRANGE", k, 0, -1]);
      else continue;
      keys++;
    }
    inflight.push(conn.send(reads));
    if (inflight.length >= 4) await inflight.shift();
  } while (cursor !== "0");
  await Promise.all(inflight);
  const ms = performance.now() - t0;
  conn.close();
  return { ms, keys };
}

/** The server's own snapshot of the same database, as `redis-cli --rdb` takes it (the yardstick). */
function rdb(url: string, file: string) {
  const u = new URL(url);
  const t0 = performance.now();
  const r = spawnSync("redis-cli", ["-h", u.hostname, "-p", u.port, "--rdb", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`redis-cli --rdb failed: ${r.stderr || r.error?.message}`);
  return { ms: performance.now() - t0, bytes: statSync(file).size };
}

const [op, url, file, threads] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const result =
  op === "load"
    ? await load(url, file)
    : op === "dump" || op === "bdump"
      ? await dump(url, file, Number(threads ?? 10), op === "bdump")
      : op === "rdb"
        ? rdb(url, file)
        : await floor(url);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ op, ...result, cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
