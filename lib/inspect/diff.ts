// Diff of two metadata trees (two backups, or a backup and the live engine), streamed.
//
// Both sides list a directory's entries in raw-name byte order (dumps write them so, the backup
// index ranks them so, the live source sorts each directory), so a directory is compared by a
// merge of two sorted streams, and the trees by a walk over pairs of common directories. Nothing
// grows with the volume: the walk holds one open listing per level on each side (a batch of
// entries each), the same bound as the tree viewer's paging.
//
// A directory's entries are compared first (the events of one directory come together), then
// the walk descends into its common sub-directories: kept from the comparison when they are
// few (up to 1,024), listed a second time (sub-directories only) when there are more, so a
// directory of a million sub-directories is never held.
//
// What counts as changed: the inode number, size (regular files), permission bits, owner, group,
// link count (not of directories: theirs follows from the sub-directories, already shown),
// extended attributes and a symlink's target. Times are not compared: every backup of a volume
// in use would differ everywhere. A name whose type changed is removed and added.
import { escapeName } from "../jfs/escape";
import { JfsError } from "../jfs/errors";
import type { DumpNode, NodeType, Xattr } from "../jfs/types";
import { displayName } from "./describe";
import type { DiffChange, DiffCount, DiffEntry, DiffEvent, DiffTotals } from "./schemas";

/** What the diff reads of one entry. */
export interface DiffNode {
  /** Raw name bytes. */
  name: Buffer;
  inode: bigint;
  type: NodeType;
  length: bigint;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Any order; compared by name. */
  xattrs: Xattr[];
  symlink?: Buffer;
  /** Directories: the handle children() takes. */
  dir?: string;
}

/** One tree the diff reads: a backup index (backup.ts) or a live engine (live.ts). */
export interface DiffSide {
  /**
   * The handle of the directory to diff: FSTree's root, or `subdir` ("a/b", escaped names
   * accepted) below it. Throws InspectNotFoundError when it is not a directory there.
   */
  top(subdir?: string): Promise<string>;
  /**
   * A directory's entries in raw-name byte order, in batches (strictly ascending names; the
   * merge checks it). `dirsOnly`: its sub-directories only, for the descent (only their
   * `name` and `dir` are read, so a side may leave the rest unread).
   */
  children(dir: string, dirsOnly: boolean): AsyncIterable<DiffNode[]>;
  close(): Promise<void>;
}

export interface DiffOptions {
  /** Stops the walk at the next entry (it throws JfsError "interrupted"). */
  signal?: AbortSignal;
  /** A "progress" event every this many compared entries (default 10,000). */
  progressEvery?: number;
  /** Path shown for the top (default "/"); events' paths start there. */
  topPath?: string;
}

export function diffNodeOf(name: Buffer, node: DumpNode, dir?: string): DiffNode {
  const a = node.attr;
  return {
    name,
    inode: a.inode,
    type: a.type,
    length: a.type === "regular" ? a.length : 0n,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    nlink: a.nlink,
    xattrs: node.xattrs,
    ...(node.symlink ? { symlink: node.symlink } : {}),
    ...(dir !== undefined ? { dir } : {}),
  };
}

const octal = (m: number) => m.toString(8).padStart(4, "0");
const shown = (b: Buffer) => {
  const s = escapeName(b);
  return s.length > 60 ? s.slice(0, 57) + "…" : s;
};

function xattrText(list: Xattr[]): string {
  return list.length ? list.map((x) => `${shown(x.name)}=${shown(x.value)}`).join(", ") : "none";
}

/** The xattrs that differ, as each side has them (a missing one is left out of its side). */
function xattrChange(a: Xattr[], b: Xattr[]): DiffChange | null {
  const byName = (l: Xattr[]) => [...l].sort((x, y) => Buffer.compare(x.name, y.name));
  const sa = byName(a);
  const sb = byName(b);
  const fromA: Xattr[] = [];
  const fromB: Xattr[] = [];
  let i = 0;
  let j = 0;
  while (i < sa.length || j < sb.length) {
    const c = i >= sa.length ? 1 : j >= sb.length ? -1 : Buffer.compare(sa[i].name, sb[j].name);
    if (c < 0) fromA.push(sa[i++]);
    else if (c > 0) fromB.push(sb[j++]);
    else {
      if (!sa[i].value.equals(sb[j].value)) {
        fromA.push(sa[i]);
        fromB.push(sb[j]);
      }
      i++;
      j++;
    }
  }
  return fromA.length || fromB.length ? { field: "xattrs", from: xattrText(fromA), to: xattrText(fromB) } : null;
}

/** What differs between two entries of the same name and type (empty: equal). */
export function compareNodes(a: DiffNode, b: DiffNode): DiffChange[] {
  const out: DiffChange[] = [];
  if (a.type !== b.type) out.push({ field: "type", from: a.type, to: b.type });
  if (a.inode !== b.inode) out.push({ field: "inode", from: String(a.inode), to: String(b.inode) });
  if (a.length !== b.length) out.push({ field: "size", from: String(a.length), to: String(b.length) });
  if (a.mode !== b.mode) out.push({ field: "mode", from: octal(a.mode), to: octal(b.mode) });
  if (a.uid !== b.uid) out.push({ field: "owner", from: String(a.uid), to: String(b.uid) });
  if (a.gid !== b.gid) out.push({ field: "group", from: String(a.gid), to: String(b.gid) });
  if (a.nlink !== b.nlink && a.type !== "directory") out.push({ field: "links", from: String(a.nlink), to: String(b.nlink) });
  const x = xattrChange(a.xattrs, b.xattrs);
  if (x) out.push(x);
  const la = a.symlink ?? Buffer.alloc(0);
  const lb = b.symlink ?? Buffer.alloc(0);
  if (!la.equals(lb)) out.push({ field: "symlink", from: shown(la), to: shown(lb) });
  return out;
}

type Pair = [DiffNode | null, DiffNode | null];

/** Reads a side's sorted batches, checking the order; synchronous while its batch lasts. */
class Cursor {
  private batch: DiffNode[] = [];
  private i = 0;
  private last: Buffer | null = null;
  done = false;
  private readonly it: AsyncIterator<DiffNode[]>;

  constructor(
    batches: AsyncIterable<DiffNode[]>,
    private readonly side: string,
  ) {
    this.it = batches[Symbol.asyncIterator]();
  }

  /** The next entry of the current batch, if the batch has one left. */
  get head(): DiffNode | undefined {
    return this.batch[this.i];
  }

  /** Whether the next entry (or the end) is known without waiting. */
  get ready(): boolean {
    return this.done || this.i < this.batch.length;
  }

  async fill(): Promise<void> {
    while (!this.done && this.i >= this.batch.length) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.batch = r.value;
        this.i = 0;
      }
    }
  }

  take(): DiffNode {
    const n = this.batch[this.i++];
    if (this.last && Buffer.compare(this.last, n.name) >= 0) {
      throw new JfsError("internal", `diff: side ${this.side} listed "${escapeName(n.name)}" after "${escapeName(this.last)}": its entries are not in raw-name order`);
    }
    this.last = n.name;
    return n;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/**
 * Pairs of entries of the same name from two sorted listings, in raw-name byte order; an entry
 * only on one side comes with null on the other. Yielded a batch of pairs at a time (as many as
 * the sides' current batches settle), so the per-entry work is synchronous.
 */
export async function* mergeBatches(a: AsyncIterable<DiffNode[]>, b: AsyncIterable<DiffNode[]>): AsyncGenerator<Pair[]> {
  const ca = new Cursor(a, "A");
  const cb = new Cursor(b, "B");
  try {
    for (;;) {
      await ca.fill();
      await cb.fill();
      if (ca.done && cb.done) return;
      const out: Pair[] = [];
      while (ca.ready && cb.ready) {
        const x = ca.head;
        const y = cb.head;
        if (!x && !y) break;
        const c = !x ? 1 : !y ? -1 : Buffer.compare(x.name, y.name);
        if (c < 0) out.push([ca.take(), null]);
        else if (c > 0) out.push([null, cb.take()]);
        else out.push([ca.take(), cb.take()]);
      }
      if (out.length) yield out;
    }
  } finally {
    // An early stop (an error, or the consumer quit) closes both listings.
    await ca.close();
    await cb.close();
  }
}

/** mergeBatches() one pair at a time. */
export async function* mergeByName(a: AsyncIterable<DiffNode[]>, b: AsyncIterable<DiffNode[]>): AsyncGenerator<Pair> {
  for await (const pairs of mergeBatches(a, b)) yield* pairs;
}

/** Entries and file bytes below a directory (not counting itself), by a walk with one listing open per level. */
export async function subtreeSize(side: DiffSide, dir: string, signal?: AbortSignal): Promise<{ entries: number; bytes: bigint }> {
  let entries = 0;
  let bytes = 0n;
  const stack: AsyncIterator<DiffNode[]>[] = [side.children(dir, false)[Symbol.asyncIterator]()];
  try {
    while (stack.length) {
      const r = await stack[stack.length - 1].next();
      if (r.done) {
        stack.pop();
        continue;
      }
      for (const n of r.value) {
        if (signal?.aborted) throw new JfsError("interrupted", "the diff was stopped");
        entries++;
        bytes += n.length;
        if (n.dir !== undefined) stack.push(side.children(n.dir, false)[Symbol.asyncIterator]());
      }
    }
  } finally {
    for (const it of stack) await it.return?.();
  }
  return { entries, bytes };
}

/** Common sub-directories kept from a directory's comparison at most; more are listed again. */
const KEEP_SUBDIRS = 1024;
type SubdirPairs = { pairs: Pair[]; overflow: boolean };

const joinPath = (dir: string, name: string) => (dir.endsWith("/") ? dir + name : `${dir}/${name}`);

function entryOf(n: DiffNode, dirPath: string, dirRawPath: string): DiffEntry {
  return {
    path: joinPath(dirPath, displayName(n.name)),
    rawPath: joinPath(dirRawPath, escapeName(n.name)),
    inode: String(n.inode),
    type: n.type,
    length: String(n.length),
  };
}

interface Count {
  entries: number;
  bytes: bigint;
}
const count = (c: Count): DiffCount => ({ entries: c.entries, bytes: String(c.bytes) });

/**
 * Diff the directory `aTop` of side A against `bTop` of side B: events directory by directory
 * (see DiffEventSchema), ending with one "end" event of totals. The caller owns both sides
 * (closing them) and may stop early by returning from the iteration.
 */
export async function* diffTrees(a: DiffSide, aTop: string, b: DiffSide, bTop: string, opts: DiffOptions = {}): AsyncGenerator<DiffEvent> {
  const started = Date.now();
  const every = opts.progressEvery ?? 10_000;
  const sizeA: Count = { entries: 0, bytes: 0n };
  const sizeB: Count = { entries: 0, bytes: 0n };
  const added: Count = { entries: 0, bytes: 0n };
  const removed: Count = { entries: 0, bytes: 0n };
  let changed = 0;
  let changedBytes = 0n;
  let directories = 0;
  let compared = 0;
  let nextProgress = every;
  const check = () => {
    if (opts.signal?.aborted) throw new JfsError("interrupted", "the diff was stopped");
  };

  /** One directory's own entries compared: its events, the "dir" event first when there is one. */
  async function* compareDir(da: string, db: string, path: string, rawPath: string, subdirs: SubdirPairs): AsyncGenerator<DiffEvent> {
    directories++;
    let announced = false;
    const announce = function* (): Generator<DiffEvent> {
      if (!announced) {
        announced = true;
        yield { kind: "dir", path, rawPath };
      }
    };
    for await (const pairs of mergeBatches(a.children(da, false), b.children(db, false))) {
      check();
      for (const [x, y] of pairs) {
      if (x) {
        sizeA.entries++;
        sizeA.bytes += x.length;
      }
      if (y) {
        sizeB.entries++;
        sizeB.bytes += y.length;
      }
      compared += (x ? 1 : 0) + (y ? 1 : 0);
      if (compared >= nextProgress) {
        nextProgress = compared + every;
        yield { kind: "progress", compared };
      }
      if (x && y && x.type === y.type) {
        if (x.dir !== undefined && y.dir !== undefined && !subdirs.overflow) {
          if (subdirs.pairs.length < KEEP_SUBDIRS) subdirs.pairs.push([x, y]);
          else subdirs.overflow = true;
        }
        const changes = compareNodes(x, y);
        if (changes.length) {
          changed++;
          changedBytes += y.length - x.length;
          yield* announce();
          yield { kind: "changed", entry: entryOf(y, path, rawPath), changes };
        }
        continue;
      }
      if (x) {
        yield* announce();
        const sub = x.dir !== undefined ? await subtreeSize(a, x.dir, opts.signal) : null;
        removed.entries += 1 + (sub?.entries ?? 0);
        removed.bytes += x.length + (sub?.bytes ?? 0n);
        if (sub) {
          sizeA.entries += sub.entries;
          sizeA.bytes += sub.bytes;
        }
        yield { kind: "removed", entry: entryOf(x, path, rawPath), ...(sub ? { subtree: count(sub) } : {}) };
      }
      if (y) {
        yield* announce();
        const sub = y.dir !== undefined ? await subtreeSize(b, y.dir, opts.signal) : null;
        added.entries += 1 + (sub?.entries ?? 0);
        added.bytes += y.length + (sub?.bytes ?? 0n);
        if (sub) {
          sizeB.entries += sub.entries;
          sizeB.bytes += sub.bytes;
        }
        yield { kind: "added", entry: entryOf(y, path, rawPath), ...(sub ? { subtree: count(sub) } : {}) };
      }
      }
    }
  }

  const topPath = opts.topPath ?? "/";
  // A directory's common sub-directories, kept from its comparison when there are few, or
  // listed again (dirsOnly) when there are many.
  type Frame = { batches: AsyncGenerator<Pair[]> | null; pairs: Pair[]; i: number; path: string; rawPath: string };
  const stack: Frame[] = [];
  async function* enter(da: string, db: string, path: string, rawPath: string): AsyncGenerator<DiffEvent> {
    const subdirs: SubdirPairs = { pairs: [], overflow: false };
    yield* compareDir(da, db, path, rawPath, subdirs);
    if (subdirs.overflow) stack.push({ batches: mergeBatches(a.children(da, true), b.children(db, true)), pairs: [], i: 0, path, rawPath });
    else if (subdirs.pairs.length) stack.push({ batches: null, pairs: subdirs.pairs, i: 0, path, rawPath });
  }
  try {
    yield* enter(aTop, bTop, topPath, topPath);
    while (stack.length) {
      check();
      const f = stack[stack.length - 1];
      if (f.i >= f.pairs.length) {
        const r = f.batches ? await f.batches.next() : null;
        if (!r || r.done) {
          stack.pop();
          continue;
        }
        f.pairs = r.value;
        f.i = 0;
      }
      const [x, y] = f.pairs[f.i++];
      if (!x || !y || x.dir === undefined || y.dir === undefined) continue; // only on one side: shown whole already
      yield* enter(x.dir, y.dir, joinPath(f.path, displayName(x.name)), joinPath(f.rawPath, escapeName(x.name)));
    }
  } finally {
    for (const f of stack) await f.batches?.return(undefined);
  }
  const totals: DiffTotals = {
    a: count(sizeA),
    b: count(sizeB),
    added: count(added),
    removed: count(removed),
    changed: { entries: changed, bytes: String(changedBytes) },
    directories,
  };
  yield { kind: "end", totals, durationMs: Date.now() - started };
}

/** Whether a diff's totals say the two trees are equal (as far as the diff compares). */
export function diffIsEmpty(t: DiffTotals): boolean {
  return t.added.entries === 0 && t.removed.entries === 0 && t.changed.entries === 0;
}
