// The hard links' parents (the binary dump's "parents" records) worked out from the jfs_node and
// jfs_edge rows the scan reads anyway, instead of by a join on the server.
//
// SQL keeps no parents table: a hard-linked file has parent 0 in jfs_node and an entry per link.
// The join that finds them (`linkedSql` in scan.ts) is a whole-table join, group and sort on the
// server: measured at 1M files on MariaDB 10.11, 1.73 s of the server's time (0.76 s with the
// node table driving), and a MariaDB dump reads on its one snapshot session, so the scan waited
// for it. Here it costs a compare per node and, while any file is linked, a search per edge.
//
// The rows must come as the scan reads them: every node before any edge. Numbers must be exact:
// a linked inode or parent past 2^53 (drivers give text or a bigint there) makes the tally
// `inexact`, and the caller asks the server instead.
import type { ParentRecord } from "../../jfs/table-records";
import { JfsError } from "../../jfs/errors";

/** jfs_node's type code of a directory (directories are never hard-linked). */
const DIRECTORY = 2;

export class HardLinkTally {
  /** Inodes of the linked nodes (parent 0, not a directory), in the order seen. */
  private linked: Float64Array = new Float64Array(256);
  private linkedCount = 0;
  private sorted = true;
  /** (inode, parent) of each entry pointing at a linked node, as pairs. */
  private pairs: Float64Array = new Float64Array(512);
  private pairCount = 0;
  private edgesSeen = false;
  /** A linked inode or its parent was not an exact number: the tally cannot be trusted. */
  inexact = false;

  /** A jfs_node row's inode, type and parent, as the driver gave them. */
  node(inode: unknown, type: unknown, parent: unknown): void {
    if (this.edgesSeen) throw new JfsError("internal", "HardLinkTally: a node after the edges (the scan reads every node first)");
    // A parent past 2^53 is not 0, whatever its form; a NULL type is no match (`type <> 2` in SQL).
    if (!(parent === 0 || parent === 0n) || type === null || type === undefined || Number(type) === DIRECTORY) return;
    if (typeof inode !== "number") {
      this.inexact = true;
      return;
    }
    if (this.linkedCount === this.linked.length) this.linked = grow(this.linked);
    if (this.linkedCount && inode < this.linked[this.linkedCount - 1]) this.sorted = false;
    this.linked[this.linkedCount++] = inode;
  }

  /** A jfs_edge row's inode and parent, as the driver gave them. */
  edge(inode: unknown, parent: unknown): void {
    if (!this.edgesSeen) {
      this.edgesSeen = true;
      if (!this.sorted) this.linked = this.linked.subarray(0, this.linkedCount).sort();
    }
    // Every linked inode is an exact number (else the tally is inexact already): another
    // inode cannot be one of them.
    if (this.linkedCount === 0 || typeof inode !== "number" || !this.isLinked(inode)) return;
    if (typeof parent !== "number") {
      this.inexact = true;
      return;
    }
    if (this.pairCount * 2 === this.pairs.length) this.pairs = grow(this.pairs);
    this.pairs[this.pairCount * 2] = inode;
    this.pairs[this.pairCount * 2 + 1] = parent;
    this.pairCount++;
  }

  /** The records, by inode then parent, one per (inode, parent) with its count of entries. */
  records(): ParentRecord[] {
    if (this.inexact) throw new JfsError("internal", "HardLinkTally: records() of an inexact tally (ask the server)");
    const n = this.pairCount;
    const p = this.pairs;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => p[a * 2] - p[b * 2] || p[a * 2 + 1] - p[b * 2 + 1]);
    const out: ParentRecord[] = [];
    for (let i = 0; i < n; ) {
      const inode = p[order[i] * 2];
      const parent = p[order[i] * 2 + 1];
      let j = i + 1;
      while (j < n && p[order[j] * 2] === inode && p[order[j] * 2 + 1] === parent) j++;
      out.push({ inode: BigInt(inode), parent: BigInt(parent), cnt: BigInt(j - i) });
      i = j;
    }
    return out;
  }

  private isLinked(inode: number): boolean {
    const a = this.linked;
    let lo = 0;
    let hi = this.linkedCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid];
      if (v === inode) return true;
      if (v < inode) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
