// The shared loader (JuiceFS's LoadMeta bookkeeping): streams a JSON dump into an empty
// engine, recomputing nlink, lengths, dir stats, quota usage, counters, slice refcounts and
// ACL ids on the way (docs/format/dump-json.md §10). Memory stays flat: per-inode and per-slice facts
// live in paged bitsets; maps only hold the rare duplicates (hard links, shared slices).
import type { Readable } from "node:stream";
import type { Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage } from "../jfs/types";
import type { LoadChangelogOp } from "../jfs/changelog";
import { AclNumbering, align4K, ROOT_INODE, TRASH_INODE } from "../jfs/types";
import { REMOVED_SECRET, type Setting } from "../jfs/setting";
import type { DirHandle, DumpVisitor, ReadEntry } from "../dump/types";
import { ByteCounter } from "../dump/input";
import { OpenDirs } from "../dump/open-dirs";
import { readDump } from "../dump/reader";
import { PagedBitset } from "../dump/paged-bitset";
import { LinkParents, NO_PARENT } from "../dump/link-parents";
import { DumpVerifier } from "../dump/verify";
import type { LoadSink, MetaEngine } from "./engine";
import { lostConnection } from "./errors";
import { detectDumpFormat, type DumpFormat } from "../dump/input";
import { readBinaryDump } from "../dump/binary/reader";
import { BinaryLoad } from "./load-binary";
import { errorKind, errorMessage, JfsError, wrapError } from "../jfs/errors";
import { clearCommand, LoadClaimedError } from "./load-claim";

export interface LoadOptions {
  /** `expected`: the inodes the dump's counters say it holds, once read (what `entries` comes to about). */
  onProgress?: (p: { entries: number; bytes: number; expected?: number }) => void;
  signal?: AbortSignal;
  /** Load a dump whose hard links changed while it was taken, first occurrence kept (VerifyOptions). */
  acceptChangedHardLinks?: boolean;
}

export interface LoadResult {
  /** Tree entries read (every occurrence, roots included). */
  entries: number;
  /** Distinct inodes stored. */
  inodes: number;
  files: number;
  dirs: number;
  /** Bytes of input read. */
  bytes: number;
  /** Entries under Trash (its root excluded). */
  trashEntries: number;
  /** The Setting's SecretKey or SessionToken was "removed" by the dump: fix with `jfsmeta config --secret-key`. */
  secretRemoved: boolean;
  volume: string;
  warnings: string[];
  /** What the input was, told by its first bytes. */
  format: DumpFormat;
}

/** What a directory being read has gathered from its children so far. */
interface DirTotals {
  inode: bigint;
  edges: DirEntry[];
  subdirs: number;
  dataLength: bigint;
  usedSpace: bigint;
  usedInodes: number;
  /** Subtree totals (descendants, not the directory itself), for directory quotas. */
  treeSpace: bigint;
  treeInodes: number;
}

const EDGE_BATCH = 100;

/** What an entry adds to usedSpace: a regular file its length rounded up to 4 KiB (at least 4 KiB), anything else 4 KiB. */
function usedSpaceOf(length: bigint): bigint {
  return length <= 4096n ? 4096n : align4K(length);
}

/** The recomputation of docs/format/dump-json.md §10, fed entry by entry; writes go to the sink as they are ready. */
class LoadState {
  setting: Setting | null = null;
  counters: Counters | null = null;
  delFilesList: DelFile[] = [];
  dirQuotas = new Map<bigint, QuotaLimit>();
  userQuotas = new Map<bigint, QuotaLimit>();
  groupQuotas = new Map<bigint, QuotaLimit>();
  private treeStarted = false;
  private quotasBeforeTree = false;
  sawFSTree = false;

  private open = new OpenDirs<DirTotals>();
  private seenInodes = new PagedBitset();
  private seenSlices = new PagedBitset();
  /**
   * Parents of hard links: the first occurrence of a non-directory the dump says is linked,
   * and every later occurrence (LinkParents: typed arrays, flat). `linked`: inodes recorded.
   */
  private links = new LinkParents();
  private linked = new PagedBitset();
  private sharedSlices = new Map<string, { id: bigint; size: number; count: number }>();
  private acls = new AclNumbering();
  private quotaUsage = new Map<bigint, QuotaUsage>();
  /**
   * User and group usage as JuiceFS's load rebuilds it (ScanUserGroupUsage over the loaded
   * tree): a regular file counts align4K(length) once however many links it has, a directory
   * 4 KiB, a symlink or special file nothing (but its owner still gets a row). The Trash is
   * scanned only when TrashDays > 0, which is known for sure only at the end: kept apart.
   */
  private userUsage = new Map<bigint, QuotaUsage>();
  private groupUsage = new Map<bigint, QuotaUsage>();
  private trashUserUsage = new Map<bigint, QuotaUsage>();
  private trashGroupUsage = new Map<bigint, QuotaUsage>();

  usedSpace = 0n;
  totalInodes = 0n;
  maxInode = 0n;
  maxSlice = 0n;
  maxTrash = 0n;
  result = { entries: 0, inodes: 0, files: 0, dirs: 0, trashEntries: 0 };
  warnings: string[] = [];

  constructor(
    private readonly sink: LoadSink,
    private readonly tick: () => Promise<void> | undefined,
  ) {}

  // --- header ---
  setting_(s: Setting) {
    this.setting = s;
  }
  counters_(c: Counters) {
    this.counters = c;
    this.sink.expectVolume?.({ inodes: c.usedInodes });
  }

  quotas(kind: "dir" | "user" | "group", q: Map<bigint, QuotaLimit>): void {
    const target = kind === "dir" ? this.dirQuotas : kind === "user" ? this.userQuotas : this.groupQuotas;
    for (const [k, v] of q) target.set(k, v);
    if (kind === "dir" && !this.treeStarted) this.quotasBeforeTree = true;
    if (kind === "dir" && this.treeStarted && q.size > 0) {
      this.warnings.push("'Quotas' comes after the tree in this dump: directory quota limits are loaded but their usage starts at 0, as in JuiceFS");
    }
  }

  treeStart(tree: "FSTree" | "Trash"): void {
    this.treeStarted = true;
    if (tree === "FSTree") this.sawFSTree = true;
  }

  private dirOf(handle: DirHandle, childTree: string, childDepth: number): DirTotals {
    return this.open.of(handle, () => {
      let inode: bigint;
      if (childTree === "FSTree" && childDepth === 1) inode = ROOT_INODE;
      else if (handle.inode === undefined) {
        throw new JfsError("corrupt-input", "a directory's entries come before its attr: JuiceFS dumps always write attr first; the dump is damaged");
      } else inode = handle.inode;
      return { inode, edges: [], subdirs: 0, dataLength: 0n, usedSpace: 0n, usedInodes: 0, treeSpace: 0n, treeInodes: 0 };
    });
  }


  private addUsage(m: Map<bigint, QuotaUsage>, key: bigint, space: bigint, inodes: bigint): void {
    const u = m.get(key);
    if (u) {
      u.usedSpace += space;
      u.usedInodes += inodes;
    } else m.set(key, { usedSpace: space, usedInodes: inodes });
  }

  /**
   * One entry of the tree, as the reader hands it over (post-order: a directory after its
   * children). Its parent always gets an edge and counts it; the first occurrence of an inode
   * is stored with its data, a later one is a hard link's extra parent. A promise only when
   * the sink must be waited for (every 64 entries): a promise for each entry of a million was
   * garbage the reader then awaited one by one.
   */
  entry(e: ReadEntry): Promise<void> | undefined {
    const r = this.result;
    r.entries++;
    if (e.tree === "Trash" && e.depth > 0) r.trashEntries++;
    const isRoot = e.parent === null;
    const dumped = e.node.attr;
    const inode = isRoot && e.tree === "FSTree" ? ROOT_INODE : dumped.inode;
    if (isRoot && !e.isDir) throw new JfsError("corrupt-input", `${e.tree} is a ${dumped.type}, not a directory: the dump is damaged`);
    const parentDir = e.parent ? this.dirOf(e.parent, e.tree, e.depth) : null;
    const parentIno = parentDir ? parentDir.inode : ROOT_INODE;
    const space = usedSpaceOf(dumped.type === "regular" ? dumped.length : 0n);
    const self = e.self ? this.open.close(e.self) : undefined;

    if (parentDir) this.countInParent(parentDir, e, inode, space, self);
    if (this.seenInodes.testAndSet(inode)) this.addLinkParent(inode, parentIno);
    else {
      this.storeInode(e, inode, parentDir, self);
      this.countUsage(e, inode, space);
    }
    return this.tick();
  }

  /** The parent's view, for every occurrence: an edge and its direct-children and tree totals. */
  private countInParent(parentDir: DirTotals, e: ReadEntry, inode: bigint, space: bigint, self: DirTotals | undefined): void {
    const type = e.node.attr.type;
    parentDir.edges.push({ name: e.name, inode, type });
    if (parentDir.edges.length >= EDGE_BATCH) {
      this.sink.edges(parentDir.inode, parentDir.edges);
      parentDir.edges = [];
    }
    const dumpedLen = type === "regular" ? e.node.attr.length : 0n;
    if (e.isDir) parentDir.subdirs++;
    if (dumpedLen !== 0n) parentDir.dataLength += dumpedLen;
    parentDir.usedSpace += space;
    parentDir.usedInodes += 1;
    parentDir.treeSpace += self ? space + self.treeSpace : space;
    parentDir.treeInodes += 1 + (self?.treeInodes ?? 0);
  }

  /** A later occurrence of a hard link: only an extra parent, counted for its nlink. */
  private addLinkParent(inode: bigint, parentIno: bigint): void {
    if (!this.linked.testAndSet(inode)) {
      this.links.add(inode, NO_PARENT); // the first occurrence counts, its parent is unknown
      this.warnings.push(`inode ${inode} appears more than once but its first occurrence has nlink 1; its first parent link count is not recorded`);
    }
    this.links.add(inode, parentIno);
  }

  /** The first occurrence of an inode: its attr (nlink and length recomputed), data and, for a directory, its edges and stats. */
  private storeInode(e: ReadEntry, inode: bigint, parentDir: DirTotals | null, self: DirTotals | undefined): void {
    const r = this.result;
    const isRoot = e.parent === null;
    const dumped = e.node.attr;
    const type = dumped.type;
    r.inodes++;
    if (e.isDir) r.dirs++;
    else r.files++;
    const inTrash = (e.tree === "Trash" && isRoot) || inode >= TRASH_INODE;
    // The reader's node is ours: its attr becomes the stored attr in place.
    const dumpedNlink = dumped.nlink;
    const attr: Attr = dumped;
    attr.inode = inode;
    if (e.isDir) {
      attr.nlink = inTrash ? 2 : 2 + (self?.subdirs ?? 0);
      attr.length = 4096n;
    } else {
      attr.nlink = 1;
      attr.length = type === "regular" ? dumped.length : type === "symlink" ? BigInt(e.node.symlink?.length ?? 0) : 0n;
      if (dumpedNlink > 1 && parentDir) {
        this.linked.testAndSet(inode);
        this.links.add(inode, parentDir.inode);
      }
    }
    const aclIds = { access: this.acls.id(e.node.accessAcl), default: this.acls.id(e.node.defaultAcl) };
    try {
      this.sink.node(attr, parentDir ? parentDir.inode : ROOT_INODE, aclIds);
    } catch (err) {
      // An engine that cannot hold this inode (MySQL's signed uid) says so; the entry says where.
      if (err instanceof JfsError) throw new JfsError(err.kind, `${err.message}: at ${e.at.path} (byte ${e.at.offset})`, { cause: err });
      throw err;
    }
    this.storeData(e, inode);
    if (e.isDir) this.storeDirectory(e, inode, self);
  }

  /** Chunks (and the slices they share with earlier files), symlink target, xattrs. */
  private storeData(e: ReadEntry, inode: bigint): void {
    const all = e.node.chunks;
    const chunks: Chunk[] = all.every((c) => c.slices.length > 0) ? all : all.filter((c) => c.slices.length > 0);
    if (chunks.length > 0) {
      this.sink.chunks(inode, chunks);
      const fresh: { id: bigint; size: number }[] | null = this.sink.newSlices ? [] : null;
      for (const c of chunks) {
        for (const s of c.slices) {
          if (s.id === 0n) continue; // holes own no object
          if (s.id > this.maxSlice) this.maxSlice = s.id;
          if (this.seenSlices.testAndSet(s.id)) {
            const key = `${s.id}_${s.size}`;
            const shared = this.sharedSlices.get(key);
            if (shared) shared.count++;
            else this.sharedSlices.set(key, { id: s.id, size: s.size, count: 2 });
          } else fresh?.push({ id: s.id, size: s.size });
        }
      }
      if (fresh?.length) this.sink.newSlices!(fresh);
    }
    if (e.node.attr.type === "symlink" && e.node.symlink) this.sink.symlink(inode, e.node.symlink);
    if (e.node.xattrs.length > 0) this.sink.xattrs(inode, e.node.xattrs);
  }

  /** A directory's remaining edges, its stats, and its quota's usage when the limits came first. */
  private storeDirectory(e: ReadEntry, inode: bigint, self: DirTotals | undefined): void {
    if (self && self.edges.length > 0) this.sink.edges(inode, self.edges);
    this.sink.dirStats(inode, {
      dataLength: self?.dataLength ?? 0n,
      usedSpace: self?.usedSpace ?? 0n,
      usedInodes: BigInt(self?.usedInodes ?? 0),
    });
    if (e.tree === "FSTree" && this.quotasBeforeTree && this.dirQuotas.has(inode)) {
      this.quotaUsage.set(inode, { usedSpace: self?.treeSpace ?? 0n, usedInodes: BigInt(self?.treeInodes ?? 0) });
    }
  }

  /** The volume's counters and the user/group usage, once per inode. */
  private countUsage(e: ReadEntry, inode: bigint, space: bigint): void {
    const dumped = e.node.attr;
    if (inode !== ROOT_INODE && inode !== TRASH_INODE) {
      this.usedSpace += space;
      this.totalInodes += 1n;
      const counted = dumped.type === "regular" || e.isDir;
      const [space_, inodes] = counted ? [space, 1n] : [0n, 0n];
      const trash = e.tree === "Trash";
      this.addUsage(trash ? this.trashUserUsage : this.userUsage, BigInt(dumped.uid), space_, inodes);
      this.addUsage(trash ? this.trashGroupUsage : this.groupUsage, BigInt(dumped.gid), space_, inodes);
    }
    if (inode < TRASH_INODE) {
      if (inode > this.maxInode) this.maxInode = inode;
    } else if (inode - TRASH_INODE > this.maxTrash) this.maxTrash = inode - TRASH_INODE;
  }

  /**
   * What JuiceFS's load writes to the change log, in its order: the ACLs, every dumped quota
   * (directory, user, group), then each user's and group's rebuilt usage. JuiceFS walks Go maps
   * there, so its order within each group is random; ours is by key.
   */
  private changelogOps(userGroup: boolean): LoadChangelogOp[] {
    const ops: LoadChangelogOp[] = [];
    if (this.acls.rules.size > 0) ops.push({ op: "LOADDUMPEDACLS", maxId: Math.max(...this.acls.rules.keys()) });
    const byKey = <T>(m: Map<bigint, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const dumped: [QuotaKind, Map<bigint, QuotaLimit>][] = [["dir", this.dirQuotas], ["user", this.userQuotas], ["group", this.groupQuotas]];
    for (const [kind, limits] of dumped) {
      for (const [key, l] of byKey(limits)) {
        const limit = { maxSpace: l.maxSpace, maxInodes: l.maxInodes };
        ops.push({ op: "SETQUOTA", kind, key, requested: limit, stored: limit });
      }
    }
    if (userGroup) {
      const rebuilt: [QuotaKind, Map<bigint, QuotaLimit>, Map<bigint, QuotaUsage>][] = [["user", this.userQuotas, this.userUsage], ["group", this.groupQuotas, this.groupUsage]];
      for (const [kind, limits, usage] of rebuilt) {
        for (const [key] of byKey(usage)) {
          const l = limits.get(key);
          ops.push({
            op: "SETQUOTA", kind, key,
            requested: { maxSpace: -1n, maxInodes: -1n },
            stored: l ? { maxSpace: l.maxSpace, maxInodes: l.maxInodes } : { maxSpace: -1n, maxInodes: -1n },
          });
        }
      }
    }
    return ops;
  }

  /** Everything that is known only at the end, then the setting, last. */
  async finish(): Promise<void> {
    const sink = this.sink;
    if (!this.setting) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'Setting'");
    if (!this.counters) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'Counters'");
    if (!this.sawFSTree) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'FSTree'");
    if (this.open.size > 0) throw new Error("internal error: directories left open after the tree");
    let sent = 0;
    for (const link of this.links.groups()) {
      if (link.records < 2) continue; // linked, but met once in this dump
      sink.hardLink(link.inode, link.total, link.parents);
      if (++sent % 1024 === 0) await sink.flush(); // the writes go out as they are made
    }
    sink.aclRules(this.acls.rules);
    sink.sliceRefs([...this.sharedSlices.values()]);
    sink.delFiles(this.delFilesList);
    const withUsage = (limits: Map<bigint, QuotaLimit>, usage: Map<bigint, QuotaUsage>, addTracking: boolean) => {
      const out = new Map<bigint, QuotaLimit & QuotaUsage>();
      for (const [k, l] of limits) out.set(k, { ...l, ...(usage.get(k) ?? { usedSpace: 0n, usedInodes: 0n }) });
      if (addTracking) {
        for (const [k, u] of usage) if (!out.has(k)) out.set(k, { maxSpace: -1n, maxInodes: -1n, ...u });
      }
      return out;
    };
    const userGroup = this.userQuotas.size > 0 || this.groupQuotas.size > 0;
    if (userGroup && this.setting.TrashDays > 0) {
      for (const [from, to] of [[this.trashUserUsage, this.userUsage], [this.trashGroupUsage, this.groupUsage]]) {
        for (const [k, u] of from) this.addUsage(to, k, u.usedSpace, u.usedInodes);
      }
    }
    if (this.dirQuotas.size > 0) sink.quotas("dir", withUsage(this.dirQuotas, this.quotaUsage, false));
    if (userGroup) {
      sink.quotas("user", withUsage(this.userQuotas, this.userUsage, true));
      sink.quotas("group", withUsage(this.groupQuotas, this.groupUsage, true));
    }
    if (this.setting.ChangeLog) sink.changelog(this.changelogOps(userGroup));
    sink.counters({
      usedSpace: this.usedSpace,
      usedInodes: this.totalInodes,
      nextInodes: (this.maxInode > 1n ? this.maxInode : 1n) + 1n,
      nextChunk: this.maxSlice + 1n,
      nextSession: 0n,
      nextTrash: this.maxTrash,
    });
    sink.setting(this.setting);
  }
}

/**
 * Load a dump into an empty database; on any failure the database is emptied again. JSON and
 * binary dumps are told apart by their first bytes; both go through the same checks, sink and
 * all-or-nothing ending, only the reader and its bookkeeping differ.
 */
export async function loadMeta(engine: MetaEngine, input: Readable, opts: LoadOptions = {}): Promise<LoadResult> {
  // A running load first (its half-written database must not read as "not empty"), then a
  // volume, then an interrupted load's leftovers; beginLoad() claims atomically after these.
  const claim = await engine.findLoadClaim();
  if (claim?.state === "running") throw new LoadClaimedError(claim, engine.redactedUrl);
  // A read that fails meanwhile (SQLite locked by a load that has just claimed) is that load's.
  const claimedMeanwhile = async (err: unknown): Promise<never> => {
    const late = await engine.findLoadClaim().catch(() => null); // err is the one reported otherwise
    if (late?.state === "running") throw new LoadClaimedError(late, engine.redactedUrl);
    throw err;
  };
  const existing = await engine.readSetting().catch(claimedMeanwhile);
  if (existing) throw new JfsError("refused", `database ${engine.redactedUrl} is used by volume ${existing.Name}`);
  if (claim) throw new LoadClaimedError(claim, engine.redactedUrl);
  const check = await engine.checkEmpty().catch(claimedMeanwhile);
  if (!check.empty) {
    const late = await engine.findLoadClaim(); // claimed since the first look
    if (late) throw new LoadClaimedError(late, engine.redactedUrl);
    throw new JfsError("refused", check.volume ? `database ${engine.redactedUrl} is used by volume ${check.volume}` : check.reason);
  }
  if (opts.signal?.aborted) throw new JfsError("interrupted", "load cancelled before anything was written");
  const detected = await detectDumpFormat(input);
  const sink = await engine.beginLoad();
  const counter = new ByteCounter();
  detected.input.on("error", (err) => counter.destroy(err));
  detected.input.pipe(counter);
  // A cancel also stops a read that waits for input (a stalled pipe or download).
  const cancelled = () =>
    new JfsError("interrupted", `load cancelled after ${binary ? `${binary.result.inodes} inodes` : `${state.result.entries} entries`}`);
  const onAbort = () => counter.destroy(cancelled());
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let sinceFlush = 0;
  const flushed = async () => {
    await sink.flush();
    const n = state.result.entries;
    if (opts.onProgress && n % 1024 < 64) opts.onProgress({ entries: n, bytes: counter.bytes, expected: expected() });
  };
  const expected = (): number | undefined => {
    const used = binary ? binary.expectedInodes : state.counters?.usedInodes;
    return used && used > 0n ? Number(used) : undefined;
  };
  const tick = (): Promise<void> | undefined => {
    if (opts.signal?.aborted) throw cancelled();
    if (++sinceFlush < 64) return undefined;
    sinceFlush = 0;
    return flushed();
  };
  const state = new LoadState(sink, tick);
  const binary: BinaryLoad | null = detected.format === "binary" ? new BinaryLoad(sink, (n) => opts.onProgress?.({ entries: n, bytes: counter.bytes, expected: expected() }), opts.signal) : null;
  // Every entry is checked before the loader sees it: a refusal aborts the load before
  // anything is committed, and the target is emptied again.
  const verifier = new DumpVerifier({
    acceptChangedHardLinks: opts.acceptChangedHardLinks,
    onWarning: (w) => void state.warnings.push(w),
  });
  const loader: DumpVisitor = {
    setting: (s) => state.setting_(s),
    counters: (c) => state.counters_(c),
    delFiles: (d) => {
      state.delFilesList = d;
    },
    quotas: (kind, q) => state.quotas(kind, q),
    treeStart: (t) => state.treeStart(t),
    entry: (e) => state.entry(e),
  };
  try {
    if (binary) {
      // A binary dump is checked by its reader (framing, footer) and by BinaryLoad (structure).
      await readBinaryDump(counter, binary);
      binary.finish();
    } else {
      await readDump(counter, verifier.visitor(loader));
      verifier.finish(counter.bytes);
      await state.finish();
    }
    if (opts.signal?.aborted) throw cancelled();
    await sink.commit();
  } catch (caught) {
    detected.input.unpipe(counter);
    counter.destroy();
    const done = binary ? `${binary.result.inodes} inodes` : `${state.result.entries} entries`;
    const err = lostConnection(caught, engine.redactedUrl, done);
    try {
      await sink.abort();
    } catch (abortErr) {
      throw new JfsError(
        errorKind(err),
        `load failed: ${errorMessage(err)}; emptying the database afterwards also failed (${errorMessage(abortErr)}): ` +
          `once the database is reachable, remove what this load wrote with: ${clearCommand(engine.redactedUrl)}`,
        { cause: err },
      );
    }
    throw wrapError("load failed, nothing was kept (the database is empty again)", err);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  const result = binary ? binary.result : state.result;
  opts.onProgress?.({ entries: result.entries, bytes: counter.bytes });
  const s = binary ? binary.setting! : state.setting!;
  return {
    ...result,
    bytes: counter.bytes,
    secretRemoved: s.SecretKey === REMOVED_SECRET || s.SessionToken === REMOVED_SECRET,
    volume: s.Name,
    warnings: binary ? binary.warnings : state.warnings,
    format: detected.format,
  };
}
