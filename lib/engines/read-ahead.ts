// The dump walk's read-ahead: directories' children read before the walk gets to them, so that
// the reads of small directories overlap (and, on SQL, share queries) instead of costing a
// round trip each in turn. Two knobs, kept apart:
// - query concurrency (QueryLimiter, `--threads` as in JuiceFS): engine reads in flight at once;
// - read-ahead (ReadAheadBudget): how much is read before the walk needs it, bounded in
//   directories opened ahead and in entries held, so memory stays flat however wide or deep
//   the tree is; plus `batchesAhead`, the batches read ahead inside the directory being walked.
import type { DirEntry, NodeType } from "../jfs/types";
import type { ChildBatch, MetaEngine, StoredNode } from "./engine";
import { sortListing, type SortedListing } from "./sorted-listing";
import type { Pacer } from "./pace";

/** The reads the walk makes of a tree: an engine's, or a staged flat scan's (table-tree.ts). */
export type TreeReads = Pick<MetaEngine, "readDir" | "readNodes"> & Partial<Pick<MetaEngine, "readDirNodes" | "dumpReadAhead">>;

/**
 * A directory too big for one read, as readDirNodes gives it: the entries of `listed`, then of
 * each page `more` lists, have their nodes read `batch` at a time by `read`, and the batches
 * come out in listing order. One read is in flight until the walk asks for the second batch
 * (a directory opened ahead holds little), then `ahead`. A read the walk never asks for (it
 * stopped) fails unobserved.
 */
export async function* readListedNodes(
  listed: DirEntry[],
  more: AsyncIterator<DirEntry[]> | null,
  batch: number,
  ahead: number,
  read: (part: DirEntry[]) => Promise<StoredNode[]>,
): AsyncGenerator<ChildBatch> {
  let at = 0;
  const reads: Promise<ChildBatch>[] = [];
  for (let inFlight = 1; ; inFlight = ahead) {
    while (reads.length < inFlight && (more || at < listed.length)) {
      while (more && at === listed.length) {
        const r = await more.next();
        if (r.done) more = null;
        else [listed, at] = [r.value, 0];
      }
      if (at === listed.length) break; // no more pages
      const part = listed.slice(at, at + batch);
      at += part.length;
      const pending = read(part).then((nodes) => ({ names: part.map((e) => e.name), nodes }));
      pending.catch(() => {}); // awaited below in order; a stopped walk never asks
      reads.push(pending);
    }
    const next = reads.shift();
    if (!next) return;
    yield await next;
  }
}

/** Entries per readNodes call (JuiceFS reads Redis entries 100 at a time). */
export const DUMP_BATCH = 100;

/** Caps concurrent engine reads across all directory levels of the walk. */
export class QueryLimiter {
  private active = 0;
  private waiting: (() => void)[] = [];
  /** The first failure: every queued and later read fails fast with it. */
  stopped: Error | null = null;
  /** `pacer`: a gentle dump's waits before each query, from the engine's response times (pace.ts). */
  constructor(
    private readonly max: number,
    private readonly pacer?: Pacer,
  ) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A gentle dump's window may be below `max` (pace.ts); a waiter woken while the window is
    // still full waits again at the head of the line.
    if (this.active >= this.limit()) await new Promise<void>((r) => this.waiting.push(r));
    while (!this.stopped && this.active >= this.limit()) await new Promise<void>((r) => this.waiting.unshift(r));
    if (this.stopped) {
      this.release();
      throw this.stopped;
    }
    this.active++;
    try {
      if (!this.pacer?.active) return await fn();
      const wait = this.pacer.beforeQuery();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.stopped) throw this.stopped;
      const t0 = performance.now();
      const result = await fn();
      this.pacer.afterQuery(performance.now() - t0);
      return result;
    } finally {
      this.active--;
      this.release();
    }
  }
  /**
   * A directory listing whose reads (one per batch) go through the limiter when the dump is
   * gentle, so that the pacer sees and spaces them too; a plain dump lists without a slot, as
   * it always has (listings beside the node reads are what keeps the engine busy).
   */
  paced<T>(batches: AsyncIterable<T>): AsyncIterable<T> {
    if (!this.pacer?.active) return batches;
    return {
      [Symbol.asyncIterator]: () => {
        const inner = batches[Symbol.asyncIterator]();
        return {
          next: () => this.run(() => inner.next()),
          return: async (value?: unknown) => (await inner.return?.(value)) ?? { done: true as const, value: undefined },
        };
      },
    } as AsyncIterable<T>;
  }
  private limit(): number {
    return this.pacer?.active ? Math.min(this.max, this.pacer.window) : this.max;
  }
  stop(err: unknown): void {
    this.stopped ??= err instanceof Error ? err : new Error(String(err));
  }
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
  }
}

export interface ReadAheadBounds {
  /** Directories opened ahead of the walk and not reached by it yet. */
  dirs: number;
  /** Entries of arrived batches not written yet (plus reservations, see RESERVED). */
  entries: number;
}

export const DEFAULT_READ_AHEAD: ReadAheadBounds = { dirs: 64, entries: 8192 };

/**
 * What the read-ahead holds, against its bounds. A directory opened ahead reserves RESERVED
 * entries until its first batch arrives (its size is not known before); pure bookkeeping.
 */
export class ReadAheadBudget {
  static readonly RESERVED = 100;
  /** Directories opened ahead and not reached by the walk. */
  openedAhead = 0;
  /** Entries arrived and not written, plus the reservations of directories opened ahead. */
  held = 0;
  constructor(readonly bounds: ReadAheadBounds) {}

  canOpenAhead(): boolean {
    return this.openedAhead < this.bounds.dirs && this.held < this.bounds.entries;
  }
  /** A directory is opened ahead; the returned function frees its reservation (once). */
  openAhead(): () => void {
    this.openedAhead++;
    this.held += ReadAheadBudget.RESERVED;
    let reserved = true;
    return () => {
      if (reserved) this.held -= ReadAheadBudget.RESERVED;
      reserved = false;
    };
  }
  /** The walk reached a directory opened ahead. */
  reached(): void {
    this.openedAhead--;
  }
  arrived(entries: number): void {
    this.held += entries;
  }
  written(entries: number): void {
    this.held -= entries;
  }
}

/** Children in output order; opened[k] is child k's directory, when opened ahead. */
export interface ArrivedBatch extends ChildBatch {
  opened: (Promise<OpenedDir> | undefined)[];
}

/** A directory's children in output order, batch by batch, read ahead of the walk. */
export interface OpenedDir {
  next(): Promise<ArrivedBatch | null>;
  /** Read up to `max` batches ahead from now on (directories opened ahead start at 1). */
  widen(max: number): void;
}

const isDir = (n: StoredNode) => (n.attr?.type ?? n.entryType) === "directory";

/** Opens directories for the walk, and their sub-directories ahead of it, within the budget. */
export class DirReadAhead {
  readonly budget: ReadAheadBudget;
  /** The engine reads pages of children with their data (readDirNodes) instead of listings. */
  readonly paged: boolean;
  /** Listings being read, closed by close() if the walk stops before their end. */
  private readonly listings = new Set<SortedListing>();

  constructor(
    private readonly engine: TreeReads,
    private readonly limiter: QueryLimiter,
    bounds: ReadAheadBounds,
    /** Batches read ahead inside the directory being walked. */
    private readonly batchesAhead: number,
    /** Throws when the dump was cancelled or stopped; called between listing pages. */
    private readonly checkAbort: () => void,
    /** Bytes a directory's listing may take while sorted in memory (sorted-listing.ts). */
    private readonly sortMemory?: number,
  ) {
    this.budget = new ReadAheadBudget(bounds);
    this.paged = typeof engine.readDirNodes === "function";
  }

  /** The directory the walk enters now (`opened`: its read-ahead, if it was opened ahead). */
  async enter(ino: bigint, opened?: Promise<OpenedDir>): Promise<OpenedDir> {
    let d: OpenedDir;
    if (opened) {
      d = await opened;
      this.budget.reached();
    } else d = await this.open(ino, this.batchesAhead);
    d.widen(this.batchesAhead);
    return d;
  }

  /** Open the batch's sub-directories not opened yet, while the bounds allow. */
  openChildren(batch: ArrivedBatch): void {
    for (let k = 0; k < batch.nodes.length && this.canOpenAhead(); k++) {
      if (isDir(batch.nodes[k]) && !batch.opened[k]) this.openChild(batch, k);
    }
  }

  private canOpenAhead(): boolean {
    return this.budget.canOpenAhead() && !this.limiter.stopped;
  }

  private openChild(batch: ArrivedBatch, k: number): void {
    const release = this.budget.openAhead();
    const p = this.open(batch.nodes[k].inode, 1, release);
    p.catch(() => {}); // awaited when walked; a failure stops the walk there
    batch.opened[k] = p;
  }

  /** A batch is in memory: count it, and open its sub-directories. */
  private arrive(batch: ChildBatch, release?: () => void): ArrivedBatch {
    release?.();
    this.budget.arrived(batch.nodes.length);
    const arrived: ArrivedBatch = { names: batch.names, nodes: batch.nodes, opened: [] };
    this.openChildren(arrived);
    return arrived;
  }

  private readBatch(items: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    const p = this.limiter.run(() => this.engine.readNodes(items));
    // Stop every other worker: queued reads fail fast instead of hitting a broken engine.
    p.catch((err) => this.limiter.stop(err));
    return p;
  }

  /** `release` frees the reservation of a directory opened ahead once its size is known. */
  private async open(ino: bigint, ahead: number, release?: () => void): Promise<OpenedDir> {
    const pages = this.engine.readDirNodes?.(ino, (query) => this.limiter.run(query));
    return pages ? this.openPaged(pages, release) : this.openListed(ino, ahead, release);
  }

  /**
   * Listing sorted here when the engine cannot (sorted-listing.ts: in memory, or in runs spilled
   * to a temporary file past `sortMemory`), then readNodes batches. A directory opened ahead of
   * the walk holds at most `entries` names: a bigger one is listed again when the walk gets
   * there, so that wide trees of huge directories stay flat.
   */
  private async openListed(ino: bigint, ahead: number, release?: () => void): Promise<OpenedDir> {
    const listing = this.engine.readDir(ino);
    const sorted = await sortListing(this.limiter.paced(listing.batches), {
      sorted: listing.sorted,
      max: ahead === 1 ? this.budget.bounds.entries : Infinity,
      memory: this.sortMemory,
      onBatch: this.checkAbort,
    });
    if (!sorted) {
      release?.();
      let listed: Promise<OpenedDir> | null = null;
      const open = () => (listed ??= this.openListed(ino, this.batchesAhead));
      return {
        next: async () => (await open()).next(),
        widen: () => void open().catch(() => {}), // the failure is met again in next()
      };
    }
    this.listings.add(sorted);
    const done = () => {
      this.listings.delete(sorted);
      return sorted.close();
    };
    const batches: Promise<ArrivedBatch | null>[] = [];
    let asked = 0;
    // take() calls one after another: each batch's entries follow the previous batch's.
    let taken: Promise<unknown> = Promise.resolve();
    const schedule = () => {
      while (batches.length < ahead && asked < sorted.listed) {
        asked += DUMP_BATCH;
        const entries = taken.then(() => sorted.take(DUMP_BATCH));
        taken = entries.catch(() => {});
        const batch = entries.then(async (list) => {
          // Repeats dropped by the sort leave the last batches short or empty.
          if (!list.length) return null;
          const nodes = await this.readBatch(list.map((e) => ({ inode: e.inode, type: e.type })));
          return this.arrive({ names: list.map((e) => e.name), nodes }, release);
        });
        batch.catch(() => {}); // awaited by next()
        batches.push(batch);
      }
    };
    schedule();
    if (!sorted.listed) {
      release?.();
      await done();
    }
    return {
      async next() {
        const b = batches.shift();
        schedule();
        const batch = b ? await b : null;
        if (!batch) await done();
        return batch;
      },
      widen(max) {
        ahead = max;
        schedule();
      },
    };
  }

  /** Frees what listings not read to their end hold (their temporary files); the walk's end. */
  async close(): Promise<void> {
    const open = [...this.listings];
    this.listings.clear();
    await Promise.all(open.map((l) => l.close()));
  }

  /**
   * Pages of children with their data (engine.readDirNodes), one page read ahead. The engine
   * runs each of its queries through the limiter (a page may wait for a query that serves
   * many directories, so the limiter cannot hold a slot for the whole page).
   */
  private openPaged(pages: AsyncIterable<ChildBatch>, release?: () => void): OpenedDir {
    const it = pages[Symbol.asyncIterator]();
    const read = () => {
      const p = it.next().then((r) => {
        if (this.limiter.stopped) throw this.limiter.stopped;
        if (r.done) release?.();
        return r.done ? null : this.arrive(r.value, release);
      });
      p.catch(() => {}); // awaited by next(); a failure stops the walk there
      return p;
    };
    let ahead: Promise<ArrivedBatch | null> | null = read();
    return {
      async next() {
        if (!ahead) return null;
        const batch = await ahead;
        ahead = batch ? read() : null;
        return batch;
      },
      widen() {},
    };
  }
}
