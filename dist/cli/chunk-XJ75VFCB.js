import {
  OpenDirs,
  readDump
} from "./chunk-2HH2CB6Y.js";
import {
  PagedBitset
} from "./chunk-FSMRZZN3.js";
import {
  DumpFormatError
} from "./chunk-R7GPK5FI.js";
import {
  CHUNK_SIZE,
  MAX_FILE_SIZE,
  MAX_NAME,
  MAX_SYMLINK,
  ROOT_INODE,
  TRASH_INODE
} from "./chunk-Z33CHFVJ.js";

// lib/dump/verify.ts
import { createHash } from "node:crypto";
var MAX_INT64 = 2n ** 63n - 1n;
var MAX_CHUNK_INDEX = 2 ** 31 - 1;
var MAX_XATTR_NAME = 255;
var MAX_XATTR_VALUE = 65536;
var INT64_MIN = -(1n << 63n);
var NS_PER_S = 1000000000n;
var MAX_SLICE_ID = MAX_INT64 - 1n;
var NAME_SET_LIMIT = 4096;
var CHANGED_LINK_HINT = " (if the dump was taken of a volume in use, a hard-linked file may have changed between its reads: --accept-changed-hardlinks loads the first occurrence, as JuiceFS does)";
function badEntryName(name) {
  if (name.length === 0) return "an entry name is empty";
  if (name.length > MAX_NAME) return `an entry name is ${name.length} bytes long (JuiceFS allows ${MAX_NAME})`;
  if (name.length <= 2 && name[0] === 46 && (name.length === 1 || name[1] === 46))
    return `"${name.toString("latin1")}" cannot be an entry name`;
  if (name.includes(47)) return 'an entry name contains "/"';
  if (name.includes(0)) return "an entry name contains a NUL byte";
  return null;
}
function fingerprint(n) {
  const a = n.attr;
  const h = createHash("sha1");
  h.update(
    [a.type, a.flags, a.mode, a.uid, a.gid, a.atime, a.mtime, a.ctime, a.atimensec, a.mtimensec, a.ctimensec, a.nlink, a.length, a.rdev, a.tier].join(",")
  );
  h.update(`|s${n.symlink ? n.symlink.toString("hex") : "-"}`);
  const xattrs = [...n.xattrs].sort((x, y) => Buffer.compare(x.name, y.name));
  for (const x of xattrs) h.update(`|x${x.name.toString("hex")}=${x.value.toString("hex")}`);
  const acl = (r) => r ? `${r.owner}/${r.group}/${r.other}/${r.mask}/${r.users.map((e) => `${e.id}:${e.perm}`)}/${r.groups.map((e) => `${e.id}:${e.perm}`)}` : "-";
  h.update(`|a${acl(n.accessAcl)}|d${acl(n.defaultAcl)}`);
  for (const c of n.chunks) {
    h.update(`|c${c.index}`);
    for (const s of c.slices) h.update(`:${s.id},${s.pos},${s.size},${s.off},${s.len}`);
  }
  return h.digest("base64");
}
function inEntry(at, member) {
  return {
    get path() {
      return at.path + member;
    },
    offset: at.offset
  };
}
var DumpVerifier = class {
  constructor(opts = {}) {
    this.opts = opts;
  }
  opts;
  counts = {
    entries: 0,
    directories: 0,
    files: 0,
    symlinks: 0,
    others: 0,
    hardLinks: 0,
    slices: 0,
    bytes: 0n,
    trashEntries: 0
  };
  problems = 0;
  sawSetting = false;
  sawCounters = false;
  sawFSTree = false;
  seen = new PagedBitset();
  dirs = new PagedBitset();
  /** Non-directories whose first occurrence said nlink > 1: the digest later ones must match. */
  links = /* @__PURE__ */ new Map();
  /** Directories on the open path by depth, the inode each was registered with, and counts. */
  path = [];
  pathInode = [];
  openInodes = /* @__PURE__ */ new Map();
  openDirs = new OpenDirs();
  problem(message, at) {
    const err = new DumpFormatError(message, at.path, at.offset);
    this.problems++;
    if (!this.opts.onProblem) throw err;
    this.opts.onProblem(err);
  }
  /**
   * A problem with the entry's inode. Its Where (an object with a getter, slow to make) is made
   * only when there is a problem: made for every entry it cost a few percent of a load.
   */
  inodeProblem(message, e) {
    this.problem(message, inEntry(e.at, ".attr.inode"));
  }
  /** A visitor that checks each event, then hands it to `next` (e.g. the loader). */
  visitor(next = {}) {
    return {
      setting: (s) => {
        this.sawSetting = true;
        return next.setting?.(s);
      },
      counters: (c) => {
        this.sawCounters = true;
        return next.counters?.(c);
      },
      sustained: next.sustained && ((s) => next.sustained(s)),
      delFiles: next.delFiles && ((d) => next.delFiles(d)),
      quotas: next.quotas && ((k, q) => next.quotas(k, q)),
      changeLog: next.changeLog && ((c) => next.changeLog(c)),
      treeStart: (t) => {
        if (t === "FSTree") this.sawFSTree = true;
        return next.treeStart?.(t);
      },
      entry: (e) => {
        const before = this.problems;
        this.entry(e);
        if (this.problems === before) return next.entry?.(e);
      },
      treeEnd: next.treeEnd && ((t) => next.treeEnd(t))
    };
  }
  /** Checks that need the whole dump; `end` is the number of bytes read. */
  finish(end) {
    const at = { path: "", offset: end };
    if (!this.sawSetting) this.problem("missing 'Setting' (the volume's format): the dump is incomplete", at);
    if (!this.sawCounters) this.problem("missing 'Counters': the dump is incomplete", at);
    if (!this.sawFSTree) this.problem("missing 'FSTree': the dump is incomplete", at);
  }
  /** Registers the open directories above `parent` (amortised: each handle once). */
  enter(parent, depth) {
    let h = parent;
    for (let d = depth - 1; h && d >= 0 && this.path[d] !== h; d--, h = h.parent) {
      this.leave(d);
      this.path[d] = h;
      this.pathInode[d] = h.inode;
      if (h.inode !== void 0) this.openInodes.set(h.inode, (this.openInodes.get(h.inode) ?? 0) + 1);
    }
  }
  leave(d) {
    if (!this.path[d]) return;
    const ino = this.pathInode[d];
    if (ino !== void 0) {
      const n = this.openInodes.get(ino) - 1;
      if (n) this.openInodes.set(ino, n);
      else this.openInodes.delete(ino);
    }
    this.path[d] = void 0;
    this.pathInode[d] = void 0;
  }
  entry(e) {
    const c = this.counts;
    c.entries++;
    const attr = e.node.attr;
    const isRoot = e.parent === null;
    const inTrash = e.tree === "Trash";
    if (inTrash && !isRoot) c.trashEntries++;
    if (e.parent) {
      this.enter(e.parent, e.depth);
      this.checkName(e);
    }
    if (e.self) {
      if (this.path[e.depth] === e.self) this.leave(e.depth);
      this.openDirs.close(e.self);
    }
    const inode = isRoot && !inTrash ? ROOT_INODE : attr.inode;
    if (attr.inode === 0n) return this.inodeProblem("inode 0 is not a valid inode", e);
    if (attr.inode > MAX_INT64) return this.inodeProblem(`inode ${attr.inode} is beyond JuiceFS's inode counter (a signed 64-bit number)`, e);
    if (isRoot) {
      if (!e.isDir) return this.problem(`the ${e.tree} root must be a directory, found type ${attr.type}`, e.at);
      if (inTrash && attr.inode !== TRASH_INODE)
        return this.inodeProblem(`the Trash root's inode is ${attr.inode}, JuiceFS's trash is ${TRASH_INODE}`, e);
      if (!inTrash && attr.inode >= TRASH_INODE) return this.inodeProblem(`the FSTree root has the trash inode ${attr.inode}`, e);
    } else if (attr.inode === ROOT_INODE) {
      return this.inodeProblem("inode 1 is the root's and appears only as the FSTree root", e);
    } else if (inTrash && e.depth === 1) {
      if (!e.isDir || attr.inode <= TRASH_INODE)
        return this.inodeProblem(`a Trash entry holds trash hour directories (directories with inodes above ${TRASH_INODE}), found a ${attr.type} with inode ${attr.inode}`, e);
    } else if (attr.inode >= TRASH_INODE) {
      return this.inodeProblem(`trash inode ${attr.inode} outside the Trash's hour directories (only those use inodes from ${TRASH_INODE})`, e);
    }
    if (this.openInodes.has(attr.inode))
      return this.inodeProblem(`inode ${attr.inode} is also a directory that contains this entry: a directory cannot contain itself`, e);
    this.checkNode(e);
    if (e.isDir) {
      if (this.seen.testAndSet(inode))
        return this.inodeProblem(`inode ${inode} appears more than once, and it is a directory: a directory appears exactly once (no hard links, no loops)`, e);
      this.dirs.testAndSet(inode);
      c.directories++;
      return;
    }
    if (this.seen.testAndSet(inode)) {
      if (this.dirs.has(inode)) return this.inodeProblem(`inode ${inode} is a directory's, and appears again as a ${attr.type}`, e);
      const first = this.links.get(inode);
      const changed = first === void 0 ? `inode ${inode} appears again but its first occurrence has nlink 1: two entries share an inode without being hard links` : first !== fingerprint(e.node) ? `inode ${inode} appears again with other attributes, target, xattrs or chunks than its first occurrence: hard links share one inode` : null;
      if (changed && !this.opts.acceptChangedHardLinks) return this.inodeProblem(changed + CHANGED_LINK_HINT, e);
      if (changed) this.opts.onWarning?.(`${changed}; the first occurrence is kept (at ${e.at.path}.attr.inode, byte ${e.at.offset})`);
      c.hardLinks++;
      return;
    }
    if (attr.nlink > 1) this.links.set(inode, fingerprint(e.node));
    if (attr.type === "regular") {
      c.files++;
      c.bytes += attr.length;
    } else if (attr.type === "symlink") c.symlinks++;
    else c.others++;
    for (const ch of e.node.chunks) for (const s of ch.slices) if (s.id !== 0n) c.slices++;
  }
  checkName(e) {
    const name = e.name;
    const bad = badEntryName(name);
    if (bad) return this.problem(bad, e.at);
    const d = this.openDirs.of(e.parent, () => ({ last: null, inOrder: [], names: null, watched: true, count: 0, inOrderSoFar: true }));
    d.count++;
    const order = d.last ? Buffer.compare(d.last, name) : -1;
    if (order > 0 && d.watched && !d.names) {
      d.names = new Set(d.inOrder.map((n) => n.toString("latin1")));
      d.inOrder = null;
    }
    const key = d.names ? name.toString("latin1") : "";
    if (order === 0 || d.names?.has(key)) return this.problem("a second entry with this name in one directory", e.at);
    if (order > 0) {
      d.inOrderSoFar = false;
      if (!d.watched) return this.problem(unsortedTooBig(), e.at);
    }
    d.last = name;
    if (d.watched) {
      if (d.names) d.names.add(key);
      else d.inOrder.push(name);
      if (d.count > NAME_SET_LIMIT) {
        if (!d.inOrderSoFar) return this.problem(unsortedTooBig(), e.at);
        d.watched = false;
        d.inOrder = null;
      }
    }
  }
  checkNode(e) {
    nodeProblems(e.node, (member, message) => this.problem(message, inEntry(e.at, member)));
  }
};
function nodeProblems(node, report) {
  const { attr, symlink, xattrs, chunks } = node;
  if (attr.mode > 4095) report(".attr.mode", `mode ${attr.mode} has bits above 07777 (JuiceFS keeps the permission bits only)`);
  if (attr.atimensec > 999999999) report(".attr.atimensec", `atimensec ${attr.atimensec} is not below 10^9`);
  if (attr.mtimensec > 999999999) report(".attr.mtimensec", `mtimensec ${attr.mtimensec} is not below 10^9`);
  if (attr.ctimensec > 999999999) report(".attr.ctimensec", `ctimensec ${attr.ctimensec} is not below 10^9`);
  checkTime(attr.atime, attr.atimensec, "atime", report);
  checkTime(attr.mtime, attr.mtimensec, "mtime", report);
  checkTime(attr.ctime, attr.ctimensec, "ctime", report);
  if (attr.type === "regular" && attr.length >= MAX_FILE_SIZE)
    report(".attr.length", `length ${attr.length} is not below JuiceFS's maximum file size ${MAX_FILE_SIZE} (2^57)`);
  if (symlink !== void 0) {
    if (attr.type !== "symlink") report(".symlink", `an entry of type ${attr.type} has "symlink" (only symlinks have a target)`);
    else if (symlink.length >= MAX_SYMLINK)
      report(".symlink", `a symlink target of ${symlink.length} bytes (JuiceFS allows up to ${MAX_SYMLINK - 1})`);
  }
  if (xattrs.length) {
    const names = xattrs.length > 1 ? /* @__PURE__ */ new Set() : null;
    for (let i = 0; i < xattrs.length; i++) {
      const x = xattrs[i];
      if (x.name.length === 0 || x.name.length > MAX_XATTR_NAME)
        report(`.xattrs[${i}]`, `an xattr name of ${x.name.length} bytes (JuiceFS allows 1 to ${MAX_XATTR_NAME})`);
      if (x.value.length > MAX_XATTR_VALUE) report(`.xattrs[${i}]`, `an xattr value of ${x.value.length} bytes (JuiceFS allows up to ${MAX_XATTR_VALUE})`);
      if (!names) continue;
      const key = x.name.toString("latin1");
      if (names.has(key)) report(`.xattrs[${i}]`, `a second xattr named ${JSON.stringify(x.name.toString())}`);
      names.add(key);
    }
  }
  if (chunks.length) {
    if (attr.type !== "regular") report(".chunks", `an entry of type ${attr.type} has "chunks" (only regular files have data)`);
    let last = -1;
    let indexes = null;
    for (let i = 0; i < chunks.length; i++) {
      const ch = chunks[i];
      if (ch.index > MAX_CHUNK_INDEX) report(`.chunks[${i}]`, `chunk index ${ch.index} is beyond JuiceFS's maximum file size (index < 2^31)`);
      if (ch.index <= last || indexes) {
        indexes ??= new Set(chunks.slice(0, i).map((x) => x.index));
        if (indexes.has(ch.index)) report(`.chunks[${i}]`, `a second chunk with index ${ch.index}`);
        indexes.add(ch.index);
      }
      last = ch.index;
      const slices = ch.slices;
      for (let j = 0; j < slices.length; j++) {
        const s = slices[j];
        if (s.id > MAX_SLICE_ID) report(`.chunks[${i}].slices[${j}]`, `slice id ${s.id} leaves no room for the counter nextChunk (int64)`);
        else if (s.size > CHUNK_SIZE) report(`.chunks[${i}].slices[${j}]`, `slice size ${s.size} is larger than a chunk (${CHUNK_SIZE})`);
        else if (s.pos + s.len > CHUNK_SIZE) report(`.chunks[${i}].slices[${j}]`, `slice pos ${s.pos} + len ${s.len} runs past the end of its 64 MiB chunk`);
        else if (s.off + s.len > s.size) report(`.chunks[${i}].slices[${j}]`, `slice off ${s.off} + len ${s.len} runs past the end of its object (size ${s.size})`);
      }
    }
  }
}
var SURE_MIN_SEC = INT64_MIN / NS_PER_S;
var SURE_MAX_SEC = (MAX_INT64 - 0xffffffffn) / NS_PER_S;
function checkTime(sec, nsec, f, report) {
  if (sec >= SURE_MIN_SEC && sec <= SURE_MAX_SEC && nsec >= 0 && nsec <= 4294967295) return;
  const ns = sec * NS_PER_S + BigInt(nsec);
  if (ns > MAX_INT64 || ns < INT64_MIN)
    report(`.attr.${f}`, `${f} ${sec} is outside 1677\u20132262, the times JuiceFS's SQL engines can store (nanoseconds in 64 bits)`);
}
function unsortedTooBig() {
  return `entries out of name order in a directory of more than ${NAME_SET_LIMIT} entries: repeated names can be ruled out in bounded memory only when entries are sorted by name, as juicefs dump writes them`;
}
async function verifyDump(input, opts = {}) {
  const verifier = new DumpVerifier(opts);
  let bytes = 0;
  async function* counted() {
    for await (const piece of input) {
      const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
      bytes += chunk.length;
      yield chunk;
    }
  }
  await readDump(counted(), verifier.visitor());
  verifier.finish(bytes);
  return { counts: verifier.counts, problems: verifier.problems, bytes };
}

export {
  DumpVerifier,
  verifyDump
};
