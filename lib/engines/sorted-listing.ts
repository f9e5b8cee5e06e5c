// A directory listing in raw-name byte order (Go string order) within a fixed memory budget.
// A listing that fits is sorted in memory (NameTable); a bigger one (the 3,000,000-name flat
// directory of a 10M-file volume) is sorted in runs of at most `memory` bytes, each run spilled
// to a temporary file, and the runs merged as the walk reads on: the dump's memory then stays
// flat whatever the size of the largest directory (Redis hashes are unordered, so a Redis
// directory must be sorted by the dump itself).
//
// The temporary file is unlinked as soon as it is open: its space is reclaimed when its
// descriptor closes, which close() does at the end, on errors and on cancel, and the kernel does
// on any exit of the process (Ctrl-C, a crash, kill -9), so no exit path leaves a file behind.
import { mkdtemp, open, rm, rmdir, unlink, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { typeFromCode, type DirEntry, type NodeType } from "../jfs/types";
import { JfsError } from "../jfs/errors";
import { NameTable } from "./nametable";
import { RunHeap } from "./run-heap";

/**
 * Bytes a directory's listing may take while it is sorted in memory. 16 MiB holds about
 * 200,000 short names: the synthetic volume's flat directory is spilled from 1M files on, so
 * every size takes the same path (the aim is the same rate at every size).
 */
export const DEFAULT_SORT_MEMORY = 16 << 20;

/**
 * What one listed entry costs in memory besides its name bytes: in the NameTable 13 bytes
 * (offset, inode, type) and as much again of slack from growth by doubling (the names too), then
 * sorting it 36 (the order, two float keys, V8's work arrays for a sort with a comparator).
 */
const ENTRY_BYTES = 2 * 13 + 36;
const NAME_FACTOR = 2;

/** A run record: name length (u32), type code (u8), inode (u64), name. */
const RECORD_HEAD = 13;
/** Bytes read or written at a time per run. */
const IO_BLOCK = 64 << 10;

export interface SortedListingOptions {
  /** The engine listed in name order already (it is then only cut into runs, never sorted). */
  sorted: boolean;
  /** More entries than this: stop listing and return null (a directory opened ahead). */
  max?: number;
  /** The budget above (default DEFAULT_SORT_MEMORY). */
  memory?: number;
  /** Where runs are spilled (default the OS temp dir: $TMPDIR). */
  tmpDir?: string;
  /** Called for each batch of the listing (a cancel check). */
  onBatch?: () => void;
}

/** A directory's entries in name order, each name once, handed out a few at a time. */
export interface SortedListing {
  /** Entries listed, repeats included: no more than this many come out of take(). */
  readonly listed: number;
  /** Runs spilled to the temporary file (0: sorted in memory). */
  readonly runs: number;
  /** Up to `max` next entries in order; an empty array at the end. Calls must not overlap. */
  take(max: number): Promise<DirEntry[]>;
  /** Frees the temporary file (idempotent); take() yields nothing after it. */
  close(): Promise<void>;
}

/**
 * Reads a whole listing (batch by batch) and returns it sortable within `memory`; null past
 * `max` entries. The caller closes the result (a spilled listing holds a temporary file).
 */
export async function sortListing(batches: AsyncIterable<DirEntry[]>, opts: SortedListingOptions): Promise<SortedListing | null> {
  const memory = opts.memory ?? DEFAULT_SORT_MEMORY;
  const max = opts.max ?? Infinity;
  const table = new NameTable();
  let spill: RunFile | null = null;
  let listed = 0;
  try {
    for await (const batch of batches) {
      opts.onBatch?.();
      for (const e of batch) {
        table.add(e.name, e.inode, e.type);
        listed++;
        if (table.bytesUsed * NAME_FACTOR + table.count * ENTRY_BYTES > memory) {
          spill ??= await RunFile.create(opts.tmpDir);
          await spill.write(table, table.sortedOrder(opts.sorted));
          table.clear();
        }
      }
      if (listed > max) {
        await spill?.close();
        return null;
      }
    }
    if (!spill) return new InMemoryListing(table, table.sortedOrder(opts.sorted), listed);
    if (table.count > 0) await spill.write(table, table.sortedOrder(opts.sorted));
    return new MergedListing(spill, listed);
  } catch (err) {
    await spill?.close();
    throw err;
  }
}

class InMemoryListing implements SortedListing {
  readonly runs = 0;
  private next = 0;
  constructor(
    private table: NameTable | null,
    private readonly order: Uint32Array,
    readonly listed: number,
  ) {}

  async take(max: number): Promise<DirEntry[]> {
    const t = this.table;
    if (!t) return [];
    const out: DirEntry[] = [];
    for (const end = Math.min(this.order.length, this.next + max); this.next < end; this.next++) {
      const i = this.order[this.next];
      out.push({ name: t.name(i), inode: t.inode(i), type: t.type(i) });
    }
    return out;
  }

  async close(): Promise<void> {
    this.table = null;
  }
}

/** The temporary file of one listing: sorted runs one after another. */
class RunFile {
  /** [start, end) byte offsets of each run. */
  readonly runs: [number, number][] = [];
  private size = 0;
  private closed = false;

  private constructor(
    readonly fh: FileHandle,
    private readonly where: string,
    /** Set where the file could not be unlinked while open (not POSIX): removed by close(). */
    private leftPath: string | null,
  ) {}

  static async create(tmpDir = os.tmpdir()): Promise<RunFile> {
    const { fh, leftPath } = await openUnlinkedTemp(tmpDir, "jfsmeta-sort-", spillError);
    return new RunFile(fh, tmpDir, leftPath);
  }

  /** Appends the table's entries in `order` as one run. */
  async write(table: NameTable, order: Uint32Array): Promise<void> {
    const start = this.size;
    let block = Buffer.allocUnsafe(IO_BLOCK);
    let used = 0;
    const flush = async () => {
      await this.writeAt(block, used); // written before the block is filled again
      used = 0;
    };
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const name = table.name(i);
      const len = RECORD_HEAD + name.length;
      if (used + len > block.length) {
        if (used > 0) await flush();
        if (len > block.length) block = Buffer.allocUnsafe(len);
      }
      block.writeUInt32LE(name.length, used);
      block[used + 4] = table.types[i];
      block.writeBigUInt64LE(table.inodes[i], used + 5);
      name.copy(block, used + RECORD_HEAD);
      used += len;
    }
    if (used > 0) await flush();
    this.runs.push([start, this.size]);
  }

  private async writeAt(block: Buffer, length: number): Promise<void> {
    try {
      let done = 0;
      while (done < length) done += (await this.fh.write(block, done, length - done, this.size + done)).bytesWritten;
      this.size += length;
    } catch (err) {
      throw spillError(err, this.where);
    }
  }

  async read(into: Buffer, at: number, length: number): Promise<number> {
    try {
      return (await this.fh.read(into, 0, length, at)).bytesRead;
    } catch (err) {
      throw spillError(err, this.where);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => {});
    if (this.leftPath) await rm(this.leftPath, { recursive: true, force: true });
  }
}

function spillError(err: unknown, where: string): JfsError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === "ENOSPC" ? "no space left" : (err as Error).message;
  return new JfsError(
    "internal",
    `sorting a big directory needs temporary space in ${where} (about 25 bytes a name): ${why}; point TMPDIR at a directory with room`,
    { cause: err },
  );
}

/**
 * A temporary file, opened and at once unlinked (with its private directory): its space is
 * freed when the descriptor closes, by close() or by the kernel on any exit (Ctrl-C, kill -9).
 * `leftPath` is set where an open file cannot be unlinked (not POSIX): the caller removes it.
 */
export async function openUnlinkedTemp(
  tmpDir: string,
  prefix: string,
  explain: (err: unknown, where: string) => Error,
): Promise<{ fh: FileHandle; leftPath: string | null }> {
  let dir: string;
  try {
    dir = await mkdtemp(path.join(tmpDir, prefix));
  } catch (err) {
    throw explain(err, tmpDir);
  }
  const file = path.join(dir, "data");
  let fh: FileHandle;
  try {
    fh = await open(file, "wx+", 0o600);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw explain(err, tmpDir);
  }
  try {
    await unlink(file);
    await rmdir(dir);
    return { fh, leftPath: null };
  } catch {
    return { fh, leftPath: dir }; // Windows: an open file cannot be unlinked
  }
}

/** One run being read: its current record, and the block it is read from. */
class RunCursor {
  name: Buffer = Buffer.alloc(0);
  inode = 0n;
  type = 0;
  private block: Buffer = Buffer.alloc(0);
  private off = 0;

  constructor(
    private readonly file: RunFile,
    /** Which run: among equal names the earlier listed wins, as in the in-memory sort. */
    readonly run: number,
    private pos: number,
    private readonly end: number,
  ) {}

  /** Steps to the next record; false at the end of the run. */
  async advance(): Promise<boolean> {
    if (!this.recordInBlock() && !(await this.refill())) return false;
    const b = this.block;
    const len = b.readUInt32LE(this.off);
    this.type = b[this.off + 4];
    this.inode = b.readBigUInt64LE(this.off + 5);
    this.name = b.subarray(this.off + RECORD_HEAD, this.off + RECORD_HEAD + len);
    this.off += RECORD_HEAD + len;
    return true;
  }

  private recordInBlock(): boolean {
    const left = this.block.length - this.off;
    return left >= RECORD_HEAD && left >= RECORD_HEAD + this.block.readUInt32LE(this.off);
  }

  /**
   * Reads the next block, keeping the part of a record left at the end of this one. A fresh
   * Buffer each time: names handed out are views of blocks and must stay valid.
   */
  private async refill(): Promise<boolean> {
    const left = this.block.length - this.off;
    if (left === 0 && this.pos >= this.end) return false;
    const need = left >= RECORD_HEAD ? RECORD_HEAD + this.block.readUInt32LE(this.off) : 0;
    const size = Math.min(Math.max(IO_BLOCK, need), left + this.end - this.pos);
    const next = Buffer.allocUnsafe(size);
    this.block.copy(next, 0, this.off);
    let filled = left;
    while (filled < size) {
      const n = await this.file.read(next.subarray(filled), this.pos, size - filled);
      if (n === 0) throw new JfsError("internal", "a directory's sort runs were cut short in the temporary file (was it truncated?)");
      filled += n;
      this.pos += n;
    }
    this.block = next;
    this.off = 0;
    if (!this.recordInBlock()) throw new JfsError("internal", "a directory's sort run ends inside a record in the temporary file");
    return true;
  }
}

/** Whether a's record comes out before b's: by name bytes, then by run (stable). */
function before(a: RunCursor, b: RunCursor): boolean {
  const c = Buffer.compare(a.name, b.name);
  return c < 0 || (c === 0 && a.run < b.run);
}

/** The runs merged through a min-heap by name; a name met twice (a rehashing scan) once. */
class MergedListing implements SortedListing {
  private heap = new RunHeap<RunCursor>(before);
  private started = false;
  private last: Buffer | null = null;

  constructor(
    private readonly file: RunFile,
    readonly listed: number,
  ) {}

  get runs(): number {
    return this.file.runs.length;
  }

  private async start(): Promise<void> {
    this.started = true;
    for (const [run, [start, end]] of this.file.runs.entries()) {
      const c = new RunCursor(this.file, run, start, end);
      if (await c.advance()) this.heap.push(c);
    }
  }

  async take(max: number): Promise<DirEntry[]> {
    if (!this.started) await this.start();
    const out: DirEntry[] = [];
    const heap = this.heap;
    for (let top = heap.top; out.length < max && top; top = heap.top) {
      if (!this.last || !this.last.equals(top.name)) {
        out.push({ name: top.name, inode: top.inode, type: typeFromCode(top.type) ?? ("unknown" as NodeType) });
        this.last = top.name;
      }
      if (await top.advance()) heap.topMoved();
      else heap.popTop();
    }
    return out;
  }

  async close(): Promise<void> {
    this.heap.clear();
    await this.file.close();
  }
}
