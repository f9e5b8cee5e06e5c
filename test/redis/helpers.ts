// Helpers for tests that load and dump through a private Redis.
import { PassThrough, Readable } from "node:stream";
import { Redis } from "ioredis";
import { JsonDumpWriter } from "../../lib/dump/writer";
import { dumpMeta, type DumpOptions } from "../../lib/engines/dump";
import { loadMeta } from "../../lib/engines/load";
import type { MetaEngine } from "../../lib/engines/engine";

export async function dumpToBuffer(engine: MetaEngine, opts: DumpOptions = {}): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await dumpMeta(engine, new JsonDumpWriter(out), opts);
  out.end();
  return Buffer.concat(chunks);
}

export function loadBuffer(engine: MetaEngine, data: Buffer | string) {
  return loadMeta(engine, Readable.from([Buffer.from(data)]));
}

/** A raw client on one DB of a private server, for reading keys. */
export function rawClient(url: string): Redis {
  const m = /^redis:\/\/(?::([^@]*)@)?([^:/]+):(\d+)(?:\/(\d+))?$/.exec(url);
  if (!m) throw new Error(`test helper: cannot parse ${url}`);
  const password = m[1] ? decodeURIComponent(m[1]) : undefined;
  return new Redis({ host: m[2], port: Number(m[3]), db: Number(m[4] ?? 0), password, lazyConnect: false });
}
