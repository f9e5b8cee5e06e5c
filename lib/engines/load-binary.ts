// A binary dump's records into an engine's LoadSink (JuiceFS's binary load). Unlike a JSON
// dump, a binary one carries what a load would otherwise recompute (nlink, dir stats, quota
// usage, slice reference counts, hard-link parents, counters): they are stored as dumped,
// as JuiceFS does. What is checked instead is the dump's structure (BinaryStructureCheck,
// shared with `jfsmeta verify`), before anything is committed.
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import { JfsError } from "../jfs/errors";
import { PagedBitset } from "../dump/paged-bitset";
import { LinkParents } from "../dump/link-parents";
import { BinaryStructureCheck } from "../dump/binary/check";
import type { BinaryDumpVisitor, SegmentAt } from "../dump/binary/reader";
import type { ChunkColumns, EdgeColumns, NodeColumns } from "../jfs/table-records";
import { decodeAttr, decodeSlice, isEncodedAttr, SLICE_BYTES } from "../jfs/binary-values";
import type { LoadSink } from "./engine";

/** Records between two sink flushes (backpressure), as the JSON load does for entries. */
const FLUSH_EVERY = 1024;

export class BinaryLoad implements BinaryDumpVisitor {
  readonly check = new BinaryStructureCheck();
  private readonly seenSlices = new PagedBitset();
  private readonly aclRules = new Map<number, AclRule>();
  private readonly refs: { id: bigint; size: number; count: number }[] = [];
  /** The dump's parent records of hard links (flat: LinkParents). */
  private readonly links = new LinkParents();
  private readonly quotaMaps: Record<QuotaKind, Map<bigint, QuotaLimit & QuotaUsage>> = { dir: new Map(), user: new Map(), group: new Map() };
  private delFileList: DelFile[] = [];
  private sinceFlush = 0;
  /** What was loaded, in the JSON load's terms. */
  get result() {
    const c = this.check.counts;
    return { entries: c.entries + 1, inodes: c.inodes, files: c.inodes - c.directories, dirs: c.directories, trashEntries: c.trashEntries };
  }
  warnings: string[] = [];

  /** The reader's columns, taken only when the sink stores them (LoadSink.storedNodes…). */
  readonly nodeColumns?: (c: NodeColumns, at: SegmentAt) => Promise<void>;
  readonly edgeColumns?: (c: EdgeColumns, at: SegmentAt) => Promise<void>;
  readonly chunkColumns?: (c: ChunkColumns, at: SegmentAt) => Promise<void>;

  constructor(
    private readonly sink: LoadSink,
    private readonly progress: (records: number) => void,
    private readonly signal?: AbortSignal,
  ) {
    if (sink.storedNodes) this.nodeColumns = (c, at) => this.storedNodes(c, at);
    if (sink.storedEdges) this.edgeColumns = (c) => this.storedEdges(c);
    if (sink.storedChunks) this.chunkColumns = (c) => this.storedChunks(c);
  }

  /** tick() for `n` records at once: a column batch's records are handled FLUSH_EVERY at a time. */
  private ticks(n: number): Promise<void> | undefined {
    this.sinceFlush += n;
    if (this.sinceFlush < FLUSH_EVERY) return undefined;
    this.sinceFlush = 0;
    if (this.signal?.aborted) throw new JfsError("interrupted", "load cancelled");
    return this.flushed();
  }

  /**
   * A promise only every FLUSH_EVERY records, when the sink is waited for: `await` on an async
   * tick for each of millions of records was a promise and a microtask turn each.
   */
  private tick(): Promise<void> | undefined {
    if (++this.sinceFlush < FLUSH_EVERY) return undefined;
    this.sinceFlush = 0;
    if (this.signal?.aborted) throw new JfsError("interrupted", "load cancelled");
    return this.flushed();
  }

  private async flushed(): Promise<void> {
    await this.sink.flush();
    this.progress(this.check.counts.entries + this.check.counts.inodes);
  }

  get setting(): Setting | null {
    return this.check.setting;
  }

  format(s: Setting, at: SegmentAt): void {
    this.check.format(s, at);
  }

  /** The dump's used-inode counter once its counters segment is read: what the load comes to about. */
  expectedInodes: bigint | null = null;

  counters(c: Counters): void {
    this.check.counter(c);
    this.expectedInodes = c.usedInodes;
    this.sink.expectVolume?.({ inodes: c.usedInodes });
  }

  async nodes(list: { attr: Attr; parent: bigint; accessAcl: number; defaultAcl: number; stored?: Buffer }[], at: SegmentAt): Promise<void> {
    for (const n of list) {
      this.check.node(n, at);
      // The dump's own bytes go to the sink when they are encodeAttr's of these very arguments
      // (isEncodedAttr): the parent, nlink and ACL ids stored as dumped, as decoded here; hard
      // links' nlink and parent are patched by hardLink() at the end either way.
      this.sink.node(n.attr, n.parent, { access: n.accessAcl, default: n.defaultAcl }, n.stored);
      const t = this.tick();
      if (t) await t;
    }
  }

  async edges(list: { parent: bigint; inode: bigint; name: Buffer; type: DirEntry["type"] }[]): Promise<void> {
    // Runs of one parent (how every engine dumps them) become one call.
    let run: DirEntry[] = [];
    let parent = -1n;
    for (const e of list) {
      if (e.parent !== parent && run.length) {
        this.sink.edges(parent, run);
        run = [];
      }
      parent = e.parent;
      run.push({ name: e.name, inode: e.inode, type: e.type });
      this.check.edge(e);
      if (run.length >= 100) {
        this.sink.edges(parent, run);
        run = [];
      }
      const t = this.tick();
      if (t) await t;
    }
    if (run.length) this.sink.edges(parent, run);
  }

  async chunks(list: { inode: bigint; chunk: Chunk; stored?: Buffer }[]): Promise<void> {
    for (const { inode, chunk, stored } of list) {
      this.check.chunk(chunk.slices.length);
      if (!chunk.slices.length) continue;
      this.sink.chunks(inode, [chunk], stored ? [stored] : undefined);
      if (this.sink.newSlices) {
        const fresh: { id: bigint; size: number }[] = [];
        for (const s of chunk.slices) if (s.id !== 0n && !this.seenSlices.testAndSet(s.id)) fresh.push({ id: s.id, size: s.size });
        if (fresh.length) this.sink.newSlices(fresh);
      }
      const t = this.tick();
      if (t) await t;
    }
  }

  // The column forms of nodes(), edges() and chunks(): the same checks and writes, in runs.

  private async storedNodes(c: NodeColumns, at: SegmentAt): Promise<void> {
    const sink = this.sink;
    const { bytes, start, end, inode } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        this.check.storedNode(inode[i], bytes, start[i], end[i], at);
        if (isEncodedAttr(bytes, start[i], end[i])) continue;
        // Not encodeAttr's bytes (a legacy short attr, say): encoded again, as node() does.
        if (run < i) sink.storedNodes!(c, run, i);
        run = i + 1;
        const s = decodeAttr(BigInt(inode[i]), bytes.subarray(start[i], end[i]))!;
        sink.node(s.attr, s.parent, { access: s.accessAcl, default: s.defaultAcl });
      }
      if (run < to) sink.storedNodes!(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }

  private async storedEdges(c: EdgeColumns): Promise<void> {
    const { parent, inode } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        this.check.storedEdge(parent[i], inode[i]);
        if (parent[i] !== parent[run]) {
          this.sink.storedEdges!(c, run, i);
          run = i;
        }
      }
      this.sink.storedEdges!(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }

  private async storedChunks(c: ChunkColumns): Promise<void> {
    const sink = this.sink;
    const { bytes, start, end } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        const slices = (end[i] - start[i]) / SLICE_BYTES;
        this.check.chunk(slices);
        if (slices === 0) {
          if (run < i) sink.storedChunks!(c, run, i);
          run = i + 1;
        } else if (sink.newSlices) this.newSlices(bytes.subarray(start[i], end[i]));
      }
      if (run < to) sink.storedChunks!(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }

  /** Tells the sink the slices of these records (encodeSlice's) not met before. */
  private newSlices(records: Buffer): void {
    const fresh: { id: bigint; size: number }[] = [];
    for (let o = 0; o < records.length; o += SLICE_BYTES) {
      const s = decodeSlice(records.subarray(o, o + SLICE_BYTES))!;
      if (s.id !== 0n && !this.seenSlices.testAndSet(s.id)) fresh.push({ id: s.id, size: s.size });
    }
    if (fresh.length) this.sink.newSlices!(fresh);
  }

  sliceRefs(list: { id: bigint; size: number; refs: bigint }[]): void {
    for (const r of list) this.refs.push({ id: r.id, size: r.size, count: Number(r.refs) });
  }

  async symlinks(list: { inode: bigint; target: Buffer }[]): Promise<void> {
    for (const s of list) {
      this.sink.symlink(s.inode, s.target);
      const t = this.tick();
      if (t) await t;
    }
  }

  async xattrs(list: { inode: bigint; xattr: Xattr }[]): Promise<void> {
    let run: Xattr[] = [];
    let inode = -1n;
    for (const x of list) {
      if (x.inode !== inode && run.length) {
        this.sink.xattrs(inode, run);
        run = [];
      }
      inode = x.inode;
      run.push(x.xattr);
      const t = this.tick();
      if (t) await t;
    }
    if (run.length) this.sink.xattrs(inode, run);
  }

  acls(list: { id: number; rule: AclRule }[], at: SegmentAt): void {
    for (const a of list) {
      this.check.acl(a, at);
      this.aclRules.set(a.id, a.rule);
    }
  }

  async dirStats(list: { inode: bigint; dataLength: bigint; usedSpace: bigint; usedInodes: bigint }[]): Promise<void> {
    for (const s of list) {
      this.sink.dirStats(s.inode, s);
      const t = this.tick();
      if (t) await t;
    }
  }

  quotas(kind: QuotaKind, list: { key: bigint; quota: QuotaLimit & QuotaUsage }[]): void {
    for (const q of list) this.quotaMaps[kind].set(q.key, q.quota);
  }

  parents(list: { inode: bigint; parent: bigint; cnt: bigint }[]): void {
    for (const p of list) this.links.add(p.inode, p.parent, Number(p.cnt));
  }

  delFiles(list: DelFile[]): void {
    this.delFileList = this.delFileList.concat(list);
  }

  /** The structure checks, then everything kept for the end, then the setting, last. */
  finish(): void {
    this.check.finish();
    const setting = this.check.setting!;
    const counters = this.check.counters!;
    if (setting.EncryptKey === "removed") {
      this.warnings.push(
        "the dump's EncryptKey is \"removed\" (juicefs dump --binary without --keep-secret-key): the volume's encrypted data cannot be read until its original EncryptKey is put back",
      );
    }
    const sink = this.sink;
    for (const { inode, total, parents } of this.links.groups()) sink.hardLink(inode, total, parents);
    sink.aclRules(this.aclRules);
    sink.sliceRefs(this.refs);
    sink.delFiles(this.delFileList);
    for (const kind of ["dir", "user", "group"] as const) if (this.quotaMaps[kind].size) sink.quotas(kind, this.quotaMaps[kind]);
    sink.counters(counters);
    sink.setting(setting);
  }
}
