// Dump an engine into memory and load bytes into one: the two moves most engine tests make.
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { JsonDumpWriter } from "../../lib/dump/writer";
import { collect } from "./dump-tree";
import { dumpMeta, type DumpOptions } from "../../lib/engines/dump";
import { loadMeta } from "../../lib/engines/load";
import type { MetaEngine } from "../../lib/engines/engine";
import { writeSyntheticDump, type SyntheticOptions } from "../../lib/synth/volume";

export async function dumpToBuffer(engine: MetaEngine, opts: DumpOptions = {}): Promise<Buffer> {
  const out = collect();
  await dumpMeta(engine, new JsonDumpWriter(out.stream), opts);
  out.stream.end();
  await finished(out.stream);
  return out.bytes();
}

export function loadBuffer(engine: MetaEngine, data: Buffer | string) {
  return loadMeta(engine, Readable.from([Buffer.from(data)]));
}

/** A synthetic volume's dump (lib/synth), in memory. */
export async function syntheticDump(opts: SyntheticOptions): Promise<Buffer> {
  const out = collect();
  await writeSyntheticDump(new JsonDumpWriter(out.stream), opts);
  out.stream.end();
  await finished(out.stream);
  return out.bytes();
}
