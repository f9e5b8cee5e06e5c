// A binary dump's records into an engine's LoadSink (JuiceFS's binary load). Unlike a JSON
// dump, a binary one carries what a load would otherwise recompute (nlink, dir stats, quota
// usage, slice reference counts, hard-link parents, counters): they are stored as dumped,
// as JuiceFS does. What is checked instead, in flat memory (bitsets of inode numbers):
// every edge points at a stored inode from a stored directory, the root exists, each inode
// is stored once, every ACL id a node uses is defined, and the format and counters are there.
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../jfs/types";
import { ROOT_INODE, TRASH_INODE } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import { PagedBitset } from "../dump/paged-bitset";
import { BinaryDumpError } from "../dump/binary/format";
import type { BinaryDumpVisitor, SegmentAt } from "../dump/binary/reader";
import type { LoadSink } from "./engine";

/** Records between two sink flushes (backpressure), as the JSON load does for entries. */
const FLUSH_EVERY = 1024;

export class BinaryLoad implements BinaryDumpVisitor {
  setting: Setting | null = null;
  private counterValues: Counters | null = null;
  private readonly stored = new PagedBitset();
  private readonly dirs = new PagedBitset();
  private readonly edgeTargets = new PagedBitset();
  private readonly edgeParents = new PagedBitset();
  private readonly seenSlices = new PagedBitset();
  private readonly aclUsed = new Set<number>();
  private readonly aclRules = new Map<number, AclRule>();
  private readonly refs: { id: bigint; size: number; count: number }[] = [];
  private readonly links = new Map<bigint, Map<bigint, number>>();
  private readonly quotaMaps: Record<QuotaKind, Map<bigint, QuotaLimit & QuotaUsage>> = { dir: new Map(), user: new Map(), group: new Map() };
  private delFileList: DelFile[] = [];
  private sinceFlush = 0;
  result = { entries: 0, inodes: 0, files: 0, dirs: 0, trashEntries: 0 };
  warnings: string[] = [];

  constructor(
    private readonly sink: LoadSink,
    private readonly progress: (records: number) => void,
    private readonly signal?: AbortSignal,
  ) {}

  private async tick(n = 1): Promise<void> {
    this.sinceFlush += n;
    if (this.sinceFlush < FLUSH_EVERY) return;
    this.sinceFlush = 0;
    if (this.signal?.aborted) throw new Error("load cancelled");
    await this.sink.flush();
    this.progress(this.result.entries + this.result.inodes);
  }

  format(s: Setting, at: SegmentAt): void {
    if (this.setting) throw new BinaryDumpError("a second format segment", at.segment, at.offset);
    this.setting = s;
  }

  counters(c: Counters): void {
    this.counterValues = c;
  }

  async nodes(list: { attr: Attr; parent: bigint; accessAcl: number; defaultAcl: number }[], at: SegmentAt): Promise<void> {
    for (const n of list) {
      const ino = n.attr.inode;
      if (this.stored.testAndSet(ino)) throw new BinaryDumpError(`inode ${ino} is stored twice`, at.segment, at.offset);
      const isDir = n.attr.type === "directory";
      if (isDir) this.dirs.testAndSet(ino);
      this.result.inodes++;
      if (isDir) this.result.dirs++;
      else this.result.files++;
      if (n.accessAcl) this.aclUsed.add(n.accessAcl);
      if (n.defaultAcl) this.aclUsed.add(n.defaultAcl);
      this.sink.node(n.attr, n.parent, { access: n.accessAcl, default: n.defaultAcl });
      await this.tick();
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
      this.edgeTargets.testAndSet(e.inode);
      this.edgeParents.testAndSet(e.parent);
      this.result.entries++;
      if (e.parent >= TRASH_INODE) this.result.trashEntries++;
      if (run.length >= 100) {
        this.sink.edges(parent, run);
        run = [];
      }
      await this.tick();
    }
    if (run.length) this.sink.edges(parent, run);
  }

  async chunks(list: { inode: bigint; chunk: Chunk }[]): Promise<void> {
    for (const { inode, chunk } of list) {
      if (!chunk.slices.length) continue;
      this.sink.chunks(inode, [chunk]);
      const fresh: { id: bigint; size: number }[] = [];
      for (const s of chunk.slices) if (s.id !== 0n && !this.seenSlices.testAndSet(s.id)) fresh.push({ id: s.id, size: s.size });
      if (fresh.length) this.sink.newSlices(fresh);
      await this.tick();
    }
  }

  sliceRefs(list: { id: bigint; size: number; refs: bigint }[]): void {
    for (const r of list) this.refs.push({ id: r.id, size: r.size, count: Number(r.refs) });
  }

  async symlinks(list: { inode: bigint; target: Buffer }[]): Promise<void> {
    for (const s of list) {
      this.sink.symlink(s.inode, s.target);
      await this.tick();
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
      await this.tick();
    }
    if (run.length) this.sink.xattrs(inode, run);
  }

  acls(list: { id: number; rule: AclRule }[], at: SegmentAt): void {
    for (const a of list) {
      if (this.aclRules.has(a.id)) throw new BinaryDumpError(`ACL rule ${a.id} is defined twice`, at.segment, at.offset);
      this.aclRules.set(a.id, a.rule);
    }
  }

  async dirStats(list: { inode: bigint; dataLength: bigint; usedSpace: bigint; usedInodes: bigint }[]): Promise<void> {
    for (const s of list) {
      this.sink.dirStats(s.inode, s);
      await this.tick();
    }
  }

  quotas(kind: QuotaKind, list: { key: bigint; quota: QuotaLimit & QuotaUsage }[]): void {
    for (const q of list) this.quotaMaps[kind].set(q.key, q.quota);
  }

  parents(list: { inode: bigint; parent: bigint; cnt: bigint }[]): void {
    for (const p of list) {
      let m = this.links.get(p.inode);
      if (!m) this.links.set(p.inode, (m = new Map()));
      m.set(p.parent, (m.get(p.parent) ?? 0) + Number(p.cnt));
    }
  }

  delFiles(list: DelFile[]): void {
    this.delFileList = this.delFileList.concat(list);
  }

  /** The structure checks, then everything kept for the end, then the setting, last. */
  finish(): void {
    if (!this.setting) throw new Error("invalid binary dump: no format segment");
    if (!this.counterValues) throw new Error("invalid binary dump: no counter segment");
    if (!this.stored.has(ROOT_INODE)) throw new Error("invalid binary dump: the root directory (inode 1) is not stored");
    const dangling = this.edgeTargets.firstNotIn(this.stored);
    if (dangling !== null) throw new Error(`invalid binary dump: a directory entry points at inode ${dangling}, which is not stored`);
    const notDir = this.edgeParents.firstNotIn(this.dirs);
    if (notDir !== null) throw new Error(`invalid binary dump: inode ${notDir} holds directory entries but is not a stored directory`);
    for (const id of this.aclUsed) if (!this.aclRules.has(id)) throw new Error(`invalid binary dump: an inode uses ACL rule ${id}, which is not defined`);
    if (this.setting.EncryptKey === "removed") {
      this.warnings.push(
        "the dump's EncryptKey is \"removed\" (juicefs dump --binary without --keep-secret-key): the volume's encrypted data cannot be read until its original EncryptKey is put back",
      );
    }
    const sink = this.sink;
    for (const [inode, parents] of this.links) {
      let nlink = 0;
      for (const c of parents.values()) nlink += c;
      sink.hardLink(inode, nlink, parents);
    }
    sink.aclRules(this.aclRules);
    sink.sliceRefs(this.refs);
    sink.delFiles(this.delFileList);
    for (const kind of ["dir", "user", "group"] as const) if (this.quotaMaps[kind].size) sink.quotas(kind, this.quotaMaps[kind]);
    sink.counters(this.counterValues);
    sink.setting(this.setting);
  }
}
