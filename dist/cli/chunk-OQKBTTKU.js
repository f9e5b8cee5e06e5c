import {
  PagedBitset
} from "./chunk-FSMRZZN3.js";
import {
  BinaryDumpError
} from "./chunk-DOIJPOW2.js";
import {
  SLICE_BYTES,
  readU64
} from "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TRASH_INODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/dump/binary/check.ts
var invalid = (m) => new JfsError("corrupt-input", `invalid binary dump: ${m}`);
var BinaryStructureCheck = class {
  setting = null;
  counters = null;
  stored = new PagedBitset();
  dirs = new PagedBitset();
  edgeTargets = new PagedBitset();
  edgeParents = new PagedBitset();
  aclUsed = /* @__PURE__ */ new Set();
  aclIds = /* @__PURE__ */ new Set();
  counts = { inodes: 0, directories: 0, files: 0, symlinks: 0, entries: 0, trashEntries: 0, chunks: 0, slices: 0, bytes: 0n };
  format(s, at) {
    if (this.setting) throw new BinaryDumpError("a second format segment", at.segment, at.offset);
    this.setting = s;
  }
  counter(c) {
    this.counters = c;
  }
  node(n, at) {
    const ino = n.attr.inode;
    if (this.stored.testAndSet(ino)) throw new BinaryDumpError(`inode ${ino} is stored twice`, at.segment, at.offset);
    const c = this.counts;
    c.inodes++;
    if (n.attr.type === "directory") {
      this.dirs.testAndSet(ino);
      c.directories++;
    } else if (n.attr.type === "symlink") c.symlinks++;
    else c.files++;
    if (n.attr.type === "regular") c.bytes += n.attr.length;
    if (n.accessAcl) this.aclUsed.add(n.accessAcl);
    if (n.defaultAcl) this.aclUsed.add(n.defaultAcl);
  }
  /**
   * node() of a binary attr at bytes[start, end) of a node column (inode below 2^53), read from
   * the bytes where decodeAttr would: type, length (regular files), ACL ids.
   */
  storedNode(inode, b, start, end, at) {
    if (this.stored.testAndSetNumber(inode)) throw new BinaryDumpError(`inode ${inode} is stored twice`, at.segment, at.offset);
    const c = this.counts;
    c.inodes++;
    const type = typeFromCode(b[start + 1] >> 4);
    if (type === "directory") {
      this.dirs.testAndSetNumber(inode);
      c.directories++;
    } else if (type === "symlink") c.symlinks++;
    else c.files++;
    if (type === "regular") c.bytes += readU64(b, start + 51);
    if (end - start >= 79) {
      const access = b.readUInt32BE(start + 71);
      const dflt = b.readUInt32BE(start + 75);
      if (access) this.aclUsed.add(access);
      if (dflt) this.aclUsed.add(dflt);
    }
  }
  /** edge() of an edge column's record (numbers below 2^53, so never under the trash). */
  storedEdge(parent, inode) {
    this.edgeTargets.testAndSetNumber(inode);
    this.edgeParents.testAndSetNumber(parent);
    this.counts.entries++;
  }
  edge(e) {
    this.edgeTargets.testAndSet(e.inode);
    this.edgeParents.testAndSet(e.parent);
    this.counts.entries++;
    if (e.parent >= TRASH_INODE) this.counts.trashEntries++;
  }
  chunk(slices) {
    this.counts.chunks++;
    this.counts.slices += slices;
  }
  acl(a, at) {
    if (this.aclIds.has(a.id)) throw new BinaryDumpError(`ACL rule ${a.id} is defined twice`, at.segment, at.offset);
    this.aclIds.add(a.id);
  }
  /** Throws a corrupt-input JfsError for the first structural problem found. */
  finish() {
    if (!this.setting) throw invalid("no format segment");
    if (!this.counters) throw invalid("no counter segment");
    if (!this.stored.has(ROOT_INODE)) throw invalid("the root directory (inode 1) is not stored");
    const dangling = this.edgeTargets.firstNotIn(this.stored);
    if (dangling !== null) throw invalid(`a directory entry points at inode ${dangling}, which is not stored`);
    const notDir = this.edgeParents.firstNotIn(this.dirs);
    if (notDir !== null) throw invalid(`inode ${notDir} holds directory entries but is not a stored directory`);
    for (const id of this.aclUsed) if (!this.aclIds.has(id)) throw invalid(`an inode uses ACL rule ${id}, which is not defined`);
  }
};
function checkingVisitor(check) {
  return {
    format: (s, at) => check.format(s, at),
    counters: (c) => check.counter(c),
    nodes: (list, at) => list.forEach((n) => check.node(n, at)),
    edges: (list) => list.forEach((e) => check.edge(e)),
    chunks: (list) => list.forEach((c) => check.chunk(c.chunk.slices.length)),
    acls: (list, at) => list.forEach((a) => check.acl(a, at)),
    nodeColumns: (c, at) => {
      for (let i = 0; i < c.count; i++) check.storedNode(c.inode[i], c.bytes, c.start[i], c.end[i], at);
    },
    edgeColumns: (c) => {
      for (let i = 0; i < c.count; i++) check.storedEdge(c.parent[i], c.inode[i]);
    },
    chunkColumns: (c) => {
      for (let i = 0; i < c.count; i++) check.chunk((c.end[i] - c.start[i]) / SLICE_BYTES);
    }
  };
}

export {
  BinaryStructureCheck,
  checkingVisitor
};
