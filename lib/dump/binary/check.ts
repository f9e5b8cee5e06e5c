// The structure of a binary dump, checked as its records stream by, in flat memory (bitsets of
// inode numbers): each inode stored once, the root present, every entry's target stored and
// its parent a stored directory, every ACL id a node uses defined, the format and counters
// there. The binary load runs it before it commits; `jfsmeta verify` runs it alone.
import type { AclRule, Attr, Counters, NodeType } from "../../jfs/types";
import { ROOT_INODE, TRASH_INODE, typeFromCode } from "../../jfs/types";
import { readU64, SLICE_BYTES } from "../../jfs/binary-values";
import type { Setting } from "../../jfs/setting";
import { JfsError } from "../../jfs/errors";
import { PagedBitset } from "../paged-bitset";
import { BinaryDumpError } from "./format";
import type { BinaryDumpVisitor, SegmentAt } from "./reader";

export interface BinaryCounts {
  inodes: number;
  directories: number;
  files: number;
  symlinks: number;
  entries: number;
  trashEntries: number;
  chunks: number;
  slices: number;
  /** Sum of regular files' lengths. */
  bytes: bigint;
}

const invalid = (m: string) => new JfsError("corrupt-input", `invalid binary dump: ${m}`);

export class BinaryStructureCheck {
  setting: Setting | null = null;
  counters: Counters | null = null;
  private readonly stored = new PagedBitset();
  private readonly dirs = new PagedBitset();
  private readonly edgeTargets = new PagedBitset();
  private readonly edgeParents = new PagedBitset();
  private readonly aclUsed = new Set<number>();
  private readonly aclIds = new Set<number>();
  readonly counts: BinaryCounts = { inodes: 0, directories: 0, files: 0, symlinks: 0, entries: 0, trashEntries: 0, chunks: 0, slices: 0, bytes: 0n };

  format(s: Setting, at: SegmentAt): void {
    if (this.setting) throw new BinaryDumpError("a second format segment", at.segment, at.offset);
    this.setting = s;
  }

  counter(c: Counters): void {
    this.counters = c;
  }

  node(n: { attr: Attr; accessAcl: number; defaultAcl: number }, at: SegmentAt): void {
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
  storedNode(inode: number, b: Buffer, start: number, end: number, at: SegmentAt): void {
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
  storedEdge(parent: number, inode: number): void {
    this.edgeTargets.testAndSetNumber(inode);
    this.edgeParents.testAndSetNumber(parent);
    this.counts.entries++;
  }

  edge(e: { parent: bigint; inode: bigint; type: NodeType }): void {
    this.edgeTargets.testAndSet(e.inode);
    this.edgeParents.testAndSet(e.parent);
    this.counts.entries++;
    if (e.parent >= TRASH_INODE) this.counts.trashEntries++;
  }

  chunk(slices: number): void {
    this.counts.chunks++;
    this.counts.slices += slices;
  }

  acl(a: { id: number; rule: AclRule }, at: SegmentAt): void {
    if (this.aclIds.has(a.id)) throw new BinaryDumpError(`ACL rule ${a.id} is defined twice`, at.segment, at.offset);
    this.aclIds.add(a.id);
  }

  /** Throws a corrupt-input JfsError for the first structural problem found. */
  finish(): void {
    if (!this.setting) throw invalid("no format segment");
    if (!this.counters) throw invalid("no counter segment");
    if (!this.stored.has(ROOT_INODE)) throw invalid("the root directory (inode 1) is not stored");
    const dangling = this.edgeTargets.firstNotIn(this.stored);
    if (dangling !== null) throw invalid(`a directory entry points at inode ${dangling}, which is not stored`);
    const notDir = this.edgeParents.firstNotIn(this.dirs);
    if (notDir !== null) throw invalid(`inode ${notDir} holds directory entries but is not a stored directory`);
    for (const id of this.aclUsed) if (!this.aclIds.has(id)) throw invalid(`an inode uses ACL rule ${id}, which is not defined`);
  }
}

/** A reader visitor that only checks (what `jfsmeta verify` runs on a binary dump); nodes, edges and chunks as columns where they come so. */
export function checkingVisitor(check: BinaryStructureCheck): BinaryDumpVisitor {
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
    },
  };
}
