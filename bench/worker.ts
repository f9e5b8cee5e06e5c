// One benchmarked operation in its own process, so that its peak RSS is its own.
// Prints one JSON line: { op, ms, entries, maxRssMB, ... }.
import { createReadStream, createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { Redis } from "ioredis";
import { openEngine } from "../lib/engines/open";
import { dumpMeta } from "../lib/engines/dump";
import { loadMeta } from "../lib/engines/load";
import { JsonDumpWriter } from "../lib/dump/writer";
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

async function dump(url: string, file: string, threads: number) {
  const engine = await openEngine(url);
  try {
    const out = createWriteStream(file, { highWaterMark: 1 << 20 });
    const t0 = performance.now();
    const r = await dumpMeta(engine, new JsonDumpWriter(out), { threads });
    out.end();
    await finished(out);
    return { ms: performance.now() - t0, entries: r.entries };
  } finally {
    await engine.close();
  }
}

/**
 * The floor: read every key the dump reads (attrs, entries, chunks, xattrs, symlinks) with
 * plain pipelines of 1000 commands and no decoding or formatting at all.
 */
async function floor(url: string) {
  const client = new Redis(parseRedisUrl(url).options);
  await client.connect();
  const t0 = performance.now();
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  const inflight: Promise<unknown>[] = [];
  do {
    const [next, batch] = await client.scanBuffer(cursor, "COUNT", 1000);
    cursor = next.toString();
    const pipe = client.pipeline();
    for (const k of batch) {
      const c = k[0];
      if (c === 0x69 /* i */ || c === 0x73 /* s */) pipe.getBuffer(k);
      else if (c === 0x64 /* d */ || c === 0x78 /* x */) pipe.hgetallBuffer(k);
      else if (c === 0x63 /* c */) pipe.lrangeBuffer(k, 0, -1);
      else continue;
      keys++;
    }
    inflight.push(
      pipe.exec().then((res) => {
        for (const [, v] of res ?? []) if (Buffer.isBuffer(v)) bytes += v.length;
      }),
    );
    if (inflight.length >= 4) await inflight.shift();
  } while (cursor !== "0");
  await Promise.all(inflight);
  const ms = performance.now() - t0;
  client.disconnect();
  return { ms, keys, bytes };
}

const [op, url, file, threads] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const result = op === "load" ? await load(url, file) : op === "dump" ? await dump(url, file, Number(threads ?? 10)) : await floor(url);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ op, ...result, cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
