import { describe, expect, it } from "vitest";
import { FakeEngine, testNode } from "../../test/support/fake-engine";
import type { DirEntry, NodeType } from "../jfs/types";
import type { StoredNode } from "./engine";
import { DirReadAhead, DUMP_BATCH, QueryLimiter, ReadAheadBudget, readListedNodes, type OpenedDir } from "./read-ahead";

describe("ReadAheadBudget", () => {
  it("opens ahead while under both bounds; a reservation is freed once", () => {
    const b = new ReadAheadBudget({ dirs: 2, entries: 1000 });
    const r1 = b.openAhead();
    expect([b.openedAhead, b.held, b.canOpenAhead()]).toEqual([1, ReadAheadBudget.RESERVED, true]);
    b.openAhead();
    expect(b.canOpenAhead()).toBe(false); // two directories ahead
    b.reached();
    expect(b.canOpenAhead()).toBe(true);
    r1();
    r1();
    expect(b.held).toBe(ReadAheadBudget.RESERVED);
    b.arrived(950);
    expect(b.canOpenAhead()).toBe(false); // 1050 entries held
    b.written(950);
    expect(b.canOpenAhead()).toBe(true);
  });
});

/** A tree of `dirs` directories under the root, each of `files` files and one sub-directory. */
function wideTree(dirs: number, files: number): FakeEngine {
  const e = new FakeEngine();
  e.addNode(testNode(1n, "directory"));
  let ino = 2n;
  for (let d = 0; d < dirs; d++) {
    const dir = ino++;
    e.link(1n, Buffer.from(`d${d}`), testNode(dir, "directory"));
    for (let f = 0; f < files; f++) e.link(dir, Buffer.from(`f${f}`), testNode(ino++, "regular"));
    const sub = ino++;
    e.link(dir, Buffer.from("sub"), testNode(sub, "directory"));
    e.link(sub, Buffer.from("leaf"), testNode(ino++, "regular"));
  }
  return e;
}

describe("DirReadAhead: the walk's bounds hold on a wide tree", () => {
  it.each([false, true])("directories opened ahead and entries held stay within bounds (readDirNodes: %s)", async (paged) => {
    const engine = wideTree(200, 250);
    const bounds = { dirs: 8, entries: 2000 };
    const batchesAhead = 3;
    const peak = { dirs: 0, held: 0 };
    const sample = () => {
      peak.dirs = Math.max(peak.dirs, readAhead.budget.openedAhead);
      peak.held = Math.max(peak.held, readAhead.budget.held);
    };
    const readNodes = engine.readNodes.bind(engine);
    engine.readNodes = async (items: { inode: bigint; type: NodeType }[]) => {
      sample();
      return readNodes(items);
    };
    if (paged) {
      // Pages of children with their data, as the SQL engines give them.
      (engine as { readDirNodes?: unknown }).readDirNodes = (ino: bigint, run: <T>(q: () => Promise<T>) => Promise<T>) =>
        (async function* () {
          const list = [...(engine.dirs.get(ino) ?? [])].sort((a, b) => Buffer.compare(a.name, b.name));
          for (let i = 0; i < list.length; i += DUMP_BATCH) {
            const part = list.slice(i, i + DUMP_BATCH);
            const nodes = await run(() => engine.readNodes(part));
            yield { names: part.map((x) => x.name), nodes };
          }
        })();
    }
    const readAhead = new DirReadAhead(engine, new QueryLimiter(4), bounds, batchesAhead, () => {});
    let walked = 0;
    const walk = async (ino: bigint, opened?: Promise<OpenedDir>): Promise<void> => {
      const d = await readAhead.enter(ino, opened);
      for (let batch = await d.next(); batch; batch = await d.next()) {
        sample();
        if (readAhead.paged) readAhead.openChildren(batch);
        for (let k = 0; k < batch.nodes.length; k++) {
          const child: StoredNode = batch.nodes[k];
          walked++;
          if (child.attr?.type === "directory") await walk(child.inode, batch.opened[k]);
        }
        readAhead.budget.written(batch.nodes.length);
      }
    };
    await walk(1n);
    expect(walked).toBe(200 * (250 + 3));
    // Read-ahead happened, and never beyond its bounds: directories strictly; entries at most
    // one batch per directory past the bound (the check comes before a directory is opened),
    // plus the batches read ahead in the directories on the walk's path (depth 3 here).
    expect(peak.dirs).toBe(bounds.dirs);
    expect(peak.held).toBeGreaterThan(DUMP_BATCH);
    expect(peak.held).toBeLessThanOrEqual(bounds.entries + (bounds.dirs + 3 * batchesAhead) * DUMP_BATCH);
    expect([readAhead.budget.openedAhead, readAhead.budget.held]).toEqual([0, 0]);
  });
});

describe("readListedNodes: a big directory's node reads, in listing order, a bounded number ahead", () => {
  const entries = (from: number, n: number): DirEntry[] => Array.from({ length: n }, (_, i) => ({ name: Buffer.from(`f${from + i}`), inode: BigInt(from + i), type: "regular" as NodeType }));
  const stored = (e: DirEntry): StoredNode => ({ inode: e.inode, entryType: e.type, attr: null, xattrs: [], chunks: [] });
  async function* pages(sizes: number[]): AsyncGenerator<DirEntry[]> {
    let from = 100;
    for (const n of sizes) {
      yield entries(from, n);
      from += n;
    }
  }

  it("reads every entry once, `batch` at a time, across page ends and empty pages, and yields in order", async () => {
    const asked: number[] = [];
    const out: string[] = [];
    const read = async (part: DirEntry[]) => {
      asked.push(part.length);
      await new Promise((r) => setTimeout(r, (part.length * 7) % 5)); // later reads may finish first
      return part.map(stored);
    };
    for await (const b of readListedNodes(entries(0, 5), pages([7, 0, 3]), 3, 4, read)) {
      expect(b.nodes.map((n) => n.inode)).toEqual(b.names.map((n) => BigInt(n.toString().slice(1))));
      out.push(...b.names.map(String));
    }
    expect(out).toEqual([...entries(0, 5), ...entries(100, 10)].map((e) => e.name.toString()));
    expect(asked).toEqual([3, 2, 3, 3, 1, 3]);
  });

  it("has one read in flight until the second batch is asked for, then `ahead`", async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const read = async (part: DirEntry[]) => {
      started.push(Number(part[0].inode));
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return part.map(stored);
    };
    const it = readListedNodes(entries(0, 40), null, 2, 3, read)[Symbol.asyncIterator]();
    await it.next();
    expect(started).toEqual([0]); // a directory opened ahead holds one batch
    for (let r = await it.next(); !r.done; r = await it.next());
    expect(most).toBe(3);
    expect(started.length).toBe(20);
  });

  it("a walk that stops leaves the reads it did not ask for unobserved, not unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      let n = 0;
      const read = async () => {
        if (n++ > 0) throw new Error("server gone");
        return [stored(entries(0, 1)[0])];
      };
      const it = readListedNodes(entries(0, 5), null, 1, 4, read)[Symbol.asyncIterator]();
      await it.next();
      await it.next().catch(() => {}); // the second read fails: the walk stops here
      await it.return?.(undefined);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
