// Test helpers: a whole dump as an in-memory tree, read with readDump and written with
// JsonDumpWriter. For small fixtures only (everything is held in memory).
import { PassThrough } from "node:stream";
import type { DumpNode } from "../../lib/jfs/types";
import { collectHeader, readDump } from "../../lib/dump/reader";
import { JsonDumpWriter } from "../../lib/dump/writer";
import type { DumpHeader, TreeName, TreeWriter } from "../../lib/dump/types";

export interface MemEntry {
  name: Buffer;
  node: DumpNode;
  /** Present for directories, in the order read (or to be written). */
  children?: MemEntry[];
}

export interface MemDump {
  header: DumpHeader;
  trees: { tree: TreeName; root: MemEntry }[];
}

/** Reads a complete dump into memory. Missing Sustained/DelFiles become []. */
export async function readDumpToTree(input: Buffer | AsyncIterable<Buffer>): Promise<MemDump> {
  const header: Partial<DumpHeader> = {};
  const trees: MemDump["trees"] = [];
  // Children wait under their directory's handle until the directory itself closes.
  const pending = new Map<number, MemEntry[]>();
  await readDump(Buffer.isBuffer(input) ? [input] : input, {
    ...collectHeader(header),
    entry: (e) => {
      const me: MemEntry = { name: e.name, node: e.node };
      if (e.self) {
        me.children = pending.get(e.self.id) ?? [];
        pending.delete(e.self.id);
      }
      if (e.parent) {
        const list = pending.get(e.parent.id);
        if (list) list.push(me);
        else pending.set(e.parent.id, [me]);
      } else trees.push({ tree: e.tree, root: me });
    },
  });
  if (!header.setting) throw new Error("dump has no Setting");
  if (!header.counters) throw new Error("dump has no Counters");
  return {
    header: { sustained: [], delFiles: [], ...header } as DumpHeader,
    trees,
  };
}

/** Writes a MemDump through any TreeWriter, children in their stored order. */
export async function emitTree(dump: MemDump, w: TreeWriter): Promise<void> {
  await w.header(dump.header);
  const walk = async (e: MemEntry, name: TreeName | Buffer): Promise<void> => {
    if (e.children) {
      await w.beginDir(name, e.node);
      for (const c of e.children) await walk(c, c.name);
      await w.endDir();
    } else await w.leaf(name as Buffer, e.node);
  };
  for (const t of dump.trees) await walk(t.root, t.tree);
  await w.end();
}

/** Collects everything written to a stream into one Buffer. */
export function collect(): { stream: PassThrough; bytes(): Buffer } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on("data", (b: Buffer) => parts.push(b));
  return { stream, bytes: () => Buffer.concat(parts) };
}

/** Renders a MemDump as JuiceFS dump bytes. */
export async function writeTree(dump: MemDump): Promise<Buffer> {
  const out = collect();
  await emitTree(dump, new JsonDumpWriter(out.stream));
  return out.bytes();
}
