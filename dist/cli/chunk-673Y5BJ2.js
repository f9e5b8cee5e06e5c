import {
  DumpVerifier
} from "./chunk-XJ75VFCB.js";
import {
  OpenDirs,
  readDump
} from "./chunk-2HH2CB6Y.js";
import {
  BinaryStructureCheck
} from "./chunk-OQKBTTKU.js";
import {
  lostConnection
} from "./chunk-42XKLXRA.js";
import {
  LinkParents,
  NO_PARENT
} from "./chunk-2IUHHPSG.js";
import {
  PagedBitset
} from "./chunk-FSMRZZN3.js";
import {
  LoadClaimedError,
  clearCommand
} from "./chunk-YBUR6YUE.js";
import {
  ByteCounter,
  detectDumpFormat
} from "./chunk-RUXY4CKJ.js";
import {
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import {
  REMOVED_SECRET
} from "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  decodeAttr,
  decodeSlice,
  isEncodedAttr
} from "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TRASH_INODE,
  aclRuleKey,
  align4K
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError,
  errorKind,
  errorMessage,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/load-binary.ts
var FLUSH_EVERY = 1024;
var BinaryLoad = class {
  constructor(sink, progress, signal) {
    this.sink = sink;
    this.progress = progress;
    this.signal = signal;
    if (sink.storedNodes) this.nodeColumns = (c, at) => this.storedNodes(c, at);
    if (sink.storedEdges) this.edgeColumns = (c) => this.storedEdges(c);
    if (sink.storedChunks) this.chunkColumns = (c) => this.storedChunks(c);
  }
  sink;
  progress;
  signal;
  check = new BinaryStructureCheck();
  seenSlices = new PagedBitset();
  aclRules = /* @__PURE__ */ new Map();
  refs = [];
  /** The dump's parent records of hard links (flat: LinkParents). */
  links = new LinkParents();
  quotaMaps = { dir: /* @__PURE__ */ new Map(), user: /* @__PURE__ */ new Map(), group: /* @__PURE__ */ new Map() };
  delFileList = [];
  sinceFlush = 0;
  /** What was loaded, in the JSON load's terms. */
  get result() {
    const c = this.check.counts;
    return { entries: c.entries + 1, inodes: c.inodes, files: c.inodes - c.directories, dirs: c.directories, trashEntries: c.trashEntries };
  }
  warnings = [];
  /** The reader's columns, taken only when the sink stores them (LoadSink.storedNodes…). */
  nodeColumns;
  edgeColumns;
  chunkColumns;
  /** tick() for `n` records at once: a column batch's records are handled FLUSH_EVERY at a time. */
  ticks(n) {
    this.sinceFlush += n;
    if (this.sinceFlush < FLUSH_EVERY) return void 0;
    this.sinceFlush = 0;
    if (this.signal?.aborted) throw new JfsError("interrupted", "load cancelled");
    return this.flushed();
  }
  /**
   * A promise only every FLUSH_EVERY records, when the sink is waited for: `await` on an async
   * tick for each of millions of records was a promise and a microtask turn each.
   */
  tick() {
    if (++this.sinceFlush < FLUSH_EVERY) return void 0;
    this.sinceFlush = 0;
    if (this.signal?.aborted) throw new JfsError("interrupted", "load cancelled");
    return this.flushed();
  }
  async flushed() {
    await this.sink.flush();
    this.progress(this.check.counts.entries + this.check.counts.inodes);
  }
  get setting() {
    return this.check.setting;
  }
  format(s, at) {
    this.check.format(s, at);
  }
  counters(c) {
    this.check.counter(c);
    this.sink.expectVolume?.({ inodes: c.usedInodes });
  }
  async nodes(list, at) {
    for (const n of list) {
      this.check.node(n, at);
      this.sink.node(n.attr, n.parent, { access: n.accessAcl, default: n.defaultAcl }, n.stored);
      const t = this.tick();
      if (t) await t;
    }
  }
  async edges(list) {
    let run = [];
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
  async chunks(list) {
    for (const { inode, chunk, stored } of list) {
      this.check.chunk(chunk.slices.length);
      if (!chunk.slices.length) continue;
      this.sink.chunks(inode, [chunk], stored ? [stored] : void 0);
      if (this.sink.newSlices) {
        const fresh = [];
        for (const s of chunk.slices) if (s.id !== 0n && !this.seenSlices.testAndSet(s.id)) fresh.push({ id: s.id, size: s.size });
        if (fresh.length) this.sink.newSlices(fresh);
      }
      const t = this.tick();
      if (t) await t;
    }
  }
  // The column forms of nodes(), edges() and chunks(): the same checks and writes, in runs.
  async storedNodes(c, at) {
    const sink = this.sink;
    const { bytes, start, end, inode } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        this.check.storedNode(inode[i], bytes, start[i], end[i], at);
        if (isEncodedAttr(bytes, start[i], end[i])) continue;
        if (run < i) sink.storedNodes(c, run, i);
        run = i + 1;
        const s = decodeAttr(BigInt(inode[i]), bytes.subarray(start[i], end[i]));
        sink.node(s.attr, s.parent, { access: s.accessAcl, default: s.defaultAcl });
      }
      if (run < to) sink.storedNodes(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }
  async storedEdges(c) {
    const { parent, inode } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        this.check.storedEdge(parent[i], inode[i]);
        if (parent[i] !== parent[run]) {
          this.sink.storedEdges(c, run, i);
          run = i;
        }
      }
      this.sink.storedEdges(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }
  async storedChunks(c) {
    const sink = this.sink;
    const { bytes, start, end } = c;
    for (let from = 0; from < c.count; ) {
      const to = Math.min(c.count, from + FLUSH_EVERY);
      let run = from;
      for (let i = from; i < to; i++) {
        const slices = (end[i] - start[i]) / SLICE_BYTES;
        this.check.chunk(slices);
        if (slices === 0) {
          if (run < i) sink.storedChunks(c, run, i);
          run = i + 1;
        } else if (sink.newSlices) this.newSlices(bytes.subarray(start[i], end[i]));
      }
      if (run < to) sink.storedChunks(c, run, to);
      const t = this.ticks(to - from);
      if (t) await t;
      from = to;
    }
  }
  /** Tells the sink the slices of these records (encodeSlice's) not met before. */
  newSlices(records) {
    const fresh = [];
    for (let o = 0; o < records.length; o += SLICE_BYTES) {
      const s = decodeSlice(records.subarray(o, o + SLICE_BYTES));
      if (s.id !== 0n && !this.seenSlices.testAndSet(s.id)) fresh.push({ id: s.id, size: s.size });
    }
    if (fresh.length) this.sink.newSlices(fresh);
  }
  sliceRefs(list) {
    for (const r of list) this.refs.push({ id: r.id, size: r.size, count: Number(r.refs) });
  }
  async symlinks(list) {
    for (const s of list) {
      this.sink.symlink(s.inode, s.target);
      const t = this.tick();
      if (t) await t;
    }
  }
  async xattrs(list) {
    let run = [];
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
  acls(list, at) {
    for (const a of list) {
      this.check.acl(a, at);
      this.aclRules.set(a.id, a.rule);
    }
  }
  async dirStats(list) {
    for (const s of list) {
      this.sink.dirStats(s.inode, s);
      const t = this.tick();
      if (t) await t;
    }
  }
  quotas(kind, list) {
    for (const q of list) this.quotaMaps[kind].set(q.key, q.quota);
  }
  parents(list) {
    for (const p of list) this.links.add(p.inode, p.parent, Number(p.cnt));
  }
  delFiles(list) {
    this.delFileList = this.delFileList.concat(list);
  }
  /** The structure checks, then everything kept for the end, then the setting, last. */
  finish() {
    this.check.finish();
    const setting = this.check.setting;
    const counters = this.check.counters;
    if (setting.EncryptKey === "removed") {
      this.warnings.push(
        `the dump's EncryptKey is "removed" (juicefs dump --binary without --keep-secret-key): the volume's encrypted data cannot be read until its original EncryptKey is put back`
      );
    }
    const sink = this.sink;
    for (const { inode, total, parents } of this.links.groups()) sink.hardLink(inode, total, parents);
    sink.aclRules(this.aclRules);
    sink.sliceRefs(this.refs);
    sink.delFiles(this.delFileList);
    for (const kind of ["dir", "user", "group"]) if (this.quotaMaps[kind].size) sink.quotas(kind, this.quotaMaps[kind]);
    sink.counters(counters);
    sink.setting(setting);
  }
};

// lib/engines/load.ts
var EDGE_BATCH = 100;
function usedSpaceOf(length) {
  return length <= 4096n ? 4096n : align4K(length);
}
var LoadState = class {
  constructor(sink, tick) {
    this.sink = sink;
    this.tick = tick;
  }
  sink;
  tick;
  setting = null;
  counters = null;
  delFilesList = [];
  dirQuotas = /* @__PURE__ */ new Map();
  userQuotas = /* @__PURE__ */ new Map();
  groupQuotas = /* @__PURE__ */ new Map();
  treeStarted = false;
  quotasBeforeTree = false;
  sawFSTree = false;
  open = new OpenDirs();
  seenInodes = new PagedBitset();
  seenSlices = new PagedBitset();
  /**
   * Parents of hard links: the first occurrence of a non-directory the dump says is linked,
   * and every later occurrence (LinkParents: typed arrays, flat). `linked`: inodes recorded.
   */
  links = new LinkParents();
  linked = new PagedBitset();
  sharedSlices = /* @__PURE__ */ new Map();
  aclIds = /* @__PURE__ */ new Map();
  aclRules = /* @__PURE__ */ new Map();
  quotaUsage = /* @__PURE__ */ new Map();
  /**
   * User and group usage as JuiceFS's load rebuilds it (ScanUserGroupUsage over the loaded
   * tree): a regular file counts align4K(length) once however many links it has, a directory
   * 4 KiB, a symlink or special file nothing (but its owner still gets a row). The Trash is
   * scanned only when TrashDays > 0, which is known for sure only at the end: kept apart.
   */
  userUsage = /* @__PURE__ */ new Map();
  groupUsage = /* @__PURE__ */ new Map();
  trashUserUsage = /* @__PURE__ */ new Map();
  trashGroupUsage = /* @__PURE__ */ new Map();
  usedSpace = 0n;
  totalInodes = 0n;
  maxInode = 0n;
  maxSlice = 0n;
  maxTrash = 0n;
  result = { entries: 0, inodes: 0, files: 0, dirs: 0, trashEntries: 0 };
  warnings = [];
  // --- header ---
  setting_(s) {
    this.setting = s;
  }
  counters_(c) {
    this.counters = c;
    this.sink.expectVolume?.({ inodes: c.usedInodes });
  }
  quotas(kind, q) {
    const target = kind === "dir" ? this.dirQuotas : kind === "user" ? this.userQuotas : this.groupQuotas;
    for (const [k, v] of q) target.set(k, v);
    if (kind === "dir" && !this.treeStarted) this.quotasBeforeTree = true;
    if (kind === "dir" && this.treeStarted && q.size > 0) {
      this.warnings.push("'Quotas' comes after the tree in this dump: directory quota limits are loaded but their usage starts at 0, as in JuiceFS");
    }
  }
  treeStart(tree) {
    this.treeStarted = true;
    if (tree === "FSTree") this.sawFSTree = true;
  }
  dirOf(handle, childTree, childDepth) {
    return this.open.of(handle, () => {
      let inode;
      if (childTree === "FSTree" && childDepth === 1) inode = ROOT_INODE;
      else if (handle.inode === void 0) {
        throw new JfsError("corrupt-input", "a directory's entries come before its attr: JuiceFS dumps always write attr first; the dump is damaged");
      } else inode = handle.inode;
      return { inode, edges: [], subdirs: 0, dataLength: 0n, usedSpace: 0n, usedInodes: 0, treeSpace: 0n, treeInodes: 0 };
    });
  }
  aclId(rule) {
    if (!rule) return 0;
    const key = aclRuleKey(rule);
    let id = this.aclIds.get(key);
    if (id === void 0) {
      id = this.aclIds.size + 1;
      this.aclIds.set(key, id);
      this.aclRules.set(id, rule);
    }
    return id;
  }
  addUsage(m, key, space, inodes) {
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
  entry(e) {
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
    const self = e.self ? this.open.close(e.self) : void 0;
    if (parentDir) this.countInParent(parentDir, e, inode, space, self);
    if (this.seenInodes.testAndSet(inode)) this.addLinkParent(inode, parentIno);
    else {
      this.storeInode(e, inode, parentDir, self);
      this.countUsage(e, inode, space);
    }
    return this.tick();
  }
  /** The parent's view, for every occurrence: an edge and its direct-children and tree totals. */
  countInParent(parentDir, e, inode, space, self) {
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
  addLinkParent(inode, parentIno) {
    if (!this.linked.testAndSet(inode)) {
      this.links.add(inode, NO_PARENT);
      this.warnings.push(`inode ${inode} appears more than once but its first occurrence has nlink 1; its first parent link count is not recorded`);
    }
    this.links.add(inode, parentIno);
  }
  /** The first occurrence of an inode: its attr (nlink and length recomputed), data and, for a directory, its edges and stats. */
  storeInode(e, inode, parentDir, self) {
    const r = this.result;
    const isRoot = e.parent === null;
    const dumped = e.node.attr;
    const type = dumped.type;
    r.inodes++;
    if (e.isDir) r.dirs++;
    else r.files++;
    const inTrash = e.tree === "Trash" && isRoot || inode >= TRASH_INODE;
    const dumpedNlink = dumped.nlink;
    const attr = dumped;
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
    const aclIds = { access: this.aclId(e.node.accessAcl), default: this.aclId(e.node.defaultAcl) };
    try {
      this.sink.node(attr, parentDir ? parentDir.inode : ROOT_INODE, aclIds);
    } catch (err) {
      if (err instanceof JfsError) throw new JfsError(err.kind, `${err.message}: at ${e.at.path} (byte ${e.at.offset})`, { cause: err });
      throw err;
    }
    this.storeData(e, inode);
    if (e.isDir) this.storeDirectory(e, inode, self);
  }
  /** Chunks (and the slices they share with earlier files), symlink target, xattrs. */
  storeData(e, inode) {
    const all = e.node.chunks;
    const chunks = all.every((c) => c.slices.length > 0) ? all : all.filter((c) => c.slices.length > 0);
    if (chunks.length > 0) {
      this.sink.chunks(inode, chunks);
      const fresh = this.sink.newSlices ? [] : null;
      for (const c of chunks) {
        for (const s of c.slices) {
          if (s.id === 0n) continue;
          if (s.id > this.maxSlice) this.maxSlice = s.id;
          if (this.seenSlices.testAndSet(s.id)) {
            const key = `${s.id}_${s.size}`;
            const shared = this.sharedSlices.get(key);
            if (shared) shared.count++;
            else this.sharedSlices.set(key, { id: s.id, size: s.size, count: 2 });
          } else fresh?.push({ id: s.id, size: s.size });
        }
      }
      if (fresh?.length) this.sink.newSlices(fresh);
    }
    if (e.node.attr.type === "symlink" && e.node.symlink) this.sink.symlink(inode, e.node.symlink);
    if (e.node.xattrs.length > 0) this.sink.xattrs(inode, e.node.xattrs);
  }
  /** A directory's remaining edges, its stats, and its quota's usage when the limits came first. */
  storeDirectory(e, inode, self) {
    if (self && self.edges.length > 0) this.sink.edges(inode, self.edges);
    this.sink.dirStats(inode, {
      dataLength: self?.dataLength ?? 0n,
      usedSpace: self?.usedSpace ?? 0n,
      usedInodes: BigInt(self?.usedInodes ?? 0)
    });
    if (e.tree === "FSTree" && this.quotasBeforeTree && this.dirQuotas.has(inode)) {
      this.quotaUsage.set(inode, { usedSpace: self?.treeSpace ?? 0n, usedInodes: BigInt(self?.treeInodes ?? 0) });
    }
  }
  /** The volume's counters and the user/group usage, once per inode. */
  countUsage(e, inode, space) {
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
  changelogOps(userGroup) {
    const ops = [];
    if (this.aclRules.size > 0) ops.push({ op: "LOADDUMPEDACLS", maxId: Math.max(...this.aclRules.keys()) });
    const byKey = (m) => [...m.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    const dumped = [["dir", this.dirQuotas], ["user", this.userQuotas], ["group", this.groupQuotas]];
    for (const [kind, limits] of dumped) {
      for (const [key, l] of byKey(limits)) {
        const limit = { maxSpace: l.maxSpace, maxInodes: l.maxInodes };
        ops.push({ op: "SETQUOTA", kind, key, requested: limit, stored: limit });
      }
    }
    if (userGroup) {
      const rebuilt = [["user", this.userQuotas, this.userUsage], ["group", this.groupQuotas, this.groupUsage]];
      for (const [kind, limits, usage] of rebuilt) {
        for (const [key] of byKey(usage)) {
          const l = limits.get(key);
          ops.push({
            op: "SETQUOTA",
            kind,
            key,
            requested: { maxSpace: -1n, maxInodes: -1n },
            stored: l ? { maxSpace: l.maxSpace, maxInodes: l.maxInodes } : { maxSpace: -1n, maxInodes: -1n }
          });
        }
      }
    }
    return ops;
  }
  /** Everything that is known only at the end, then the setting, last. */
  async finish() {
    const sink = this.sink;
    if (!this.setting) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'Setting'");
    if (!this.counters) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'Counters'");
    if (!this.sawFSTree) throw new JfsError("corrupt-input", "invalid dumped meta: missing 'FSTree'");
    if (this.open.size > 0) throw new Error("internal error: directories left open after the tree");
    let sent = 0;
    for (const link of this.links.groups()) {
      if (link.records < 2) continue;
      sink.hardLink(link.inode, link.total, link.parents);
      if (++sent % 1024 === 0) await sink.flush();
    }
    sink.aclRules(this.aclRules);
    sink.sliceRefs([...this.sharedSlices.values()]);
    sink.delFiles(this.delFilesList);
    const withUsage = (limits, usage, addTracking) => {
      const out = /* @__PURE__ */ new Map();
      for (const [k, l] of limits) out.set(k, { ...l, ...usage.get(k) ?? { usedSpace: 0n, usedInodes: 0n } });
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
      nextTrash: this.maxTrash
    });
    sink.setting(this.setting);
  }
};
async function loadMeta(engine, input, opts = {}) {
  const claim = await engine.findLoadClaim();
  if (claim?.state === "running") throw new LoadClaimedError(claim, engine.redactedUrl);
  const claimedMeanwhile = async (err) => {
    const late = await engine.findLoadClaim().catch(() => null);
    if (late?.state === "running") throw new LoadClaimedError(late, engine.redactedUrl);
    throw err;
  };
  const existing = await engine.readSetting().catch(claimedMeanwhile);
  if (existing) throw new JfsError("refused", `database ${engine.redactedUrl} is used by volume ${existing.Name}`);
  if (claim) throw new LoadClaimedError(claim, engine.redactedUrl);
  const check = await engine.checkEmpty().catch(claimedMeanwhile);
  if (!check.empty) {
    const late = await engine.findLoadClaim();
    if (late) throw new LoadClaimedError(late, engine.redactedUrl);
    throw new JfsError("refused", check.volume ? `database ${engine.redactedUrl} is used by volume ${check.volume}` : check.reason);
  }
  if (opts.signal?.aborted) throw new JfsError("interrupted", "load cancelled before anything was written");
  const detected = await detectDumpFormat(input);
  const sink = await engine.beginLoad();
  const counter = new ByteCounter();
  detected.input.on("error", (err) => counter.destroy(err));
  detected.input.pipe(counter);
  const cancelled = () => new JfsError("interrupted", `load cancelled after ${binary ? `${binary.result.inodes} inodes` : `${state.result.entries} entries`}`);
  const onAbort = () => counter.destroy(cancelled());
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let sinceFlush = 0;
  const flushed = async () => {
    await sink.flush();
    const n = state.result.entries;
    if (opts.onProgress && n % 1024 < 64) opts.onProgress({ entries: n, bytes: counter.bytes });
  };
  const tick = () => {
    if (opts.signal?.aborted) throw cancelled();
    if (++sinceFlush < 64) return void 0;
    sinceFlush = 0;
    return flushed();
  };
  const state = new LoadState(sink, tick);
  const binary = detected.format === "binary" ? new BinaryLoad(sink, (n) => opts.onProgress?.({ entries: n, bytes: counter.bytes }), opts.signal) : null;
  const verifier = new DumpVerifier({
    acceptChangedHardLinks: opts.acceptChangedHardLinks,
    onWarning: (w) => void state.warnings.push(w)
  });
  const loader = {
    setting: (s2) => state.setting_(s2),
    counters: (c) => state.counters_(c),
    delFiles: (d) => {
      state.delFilesList = d;
    },
    quotas: (kind, q) => state.quotas(kind, q),
    treeStart: (t) => state.treeStart(t),
    entry: (e) => state.entry(e)
  };
  try {
    if (binary) {
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
        `load failed: ${errorMessage(err)}; emptying the database afterwards also failed (${errorMessage(abortErr)}): once the database is reachable, remove what this load wrote with: ${clearCommand(engine.redactedUrl)}`,
        { cause: err }
      );
    }
    throw wrapError("load failed, nothing was kept (the database is empty again)", err);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  const result = binary ? binary.result : state.result;
  opts.onProgress?.({ entries: result.entries, bytes: counter.bytes });
  const s = binary ? binary.setting : state.setting;
  return {
    ...result,
    bytes: counter.bytes,
    secretRemoved: s.SecretKey === REMOVED_SECRET || s.SessionToken === REMOVED_SECRET,
    volume: s.Name,
    warnings: binary ? binary.warnings : state.warnings,
    format: detected.format
  };
}

export {
  loadMeta
};
