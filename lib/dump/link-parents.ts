// The parents of hard-linked inodes, gathered while a tree streams by (the load's nlink and
// parent counts, the binary dump's "parents" records), in typed arrays: 20 bytes an occurrence
// instead of a Map of Maps (~300 bytes an inode). 1 % of the synthetic volume's files are hard
// links: 70,000 at 10M files, 21 MB as Maps, 2.8 MB here. Grouped by inode only at the end.
//
// Still proportional to the number of link occurrences: a volume made of millions of hard links
// (rsnapshot-style trees) costs 20 bytes each here.

/** Parent recorded for an occurrence that counts toward nlink but whose parent is not kept. */
export const NO_PARENT = 0n;

export interface LinkGroup {
  inode: bigint;
  /** Occurrences counted (the sum of `count` over every record of the inode). */
  total: number;
  /** Count by parent, in the order first recorded (NO_PARENT left out). */
  parents: Map<bigint, number>;
  /** Records of the inode. */
  records: number;
}

export class LinkParents {
  private inodes = new BigUint64Array(1024);
  private parentOf = new BigUint64Array(1024);
  private counts = new Uint32Array(1024);
  private n = 0;

  /** Records occurrences of `inode` under `parent` (NO_PARENT: counted, parent unknown). */
  add(inode: bigint, parent: bigint, count = 1): void {
    if (this.n === this.inodes.length) {
      const cap = this.n * 2;
      const grow = <T extends BigUint64Array | Uint32Array>(to: T, from: T): T => (to.set(from as never), to);
      this.inodes = grow(new BigUint64Array(cap), this.inodes);
      this.parentOf = grow(new BigUint64Array(cap), this.parentOf);
      this.counts = grow(new Uint32Array(cap), this.counts);
    }
    this.inodes[this.n] = inode;
    this.parentOf[this.n] = parent;
    this.counts[this.n] = count;
    this.n++;
  }

  /** Records held. */
  get size(): number {
    return this.n;
  }

  /** Every inode recorded, ascending, with its records gathered (in the order recorded). */
  *groups(): Generator<LinkGroup> {
    const { inodes, parentOf, counts } = this;
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    order.sort((a, b) => (inodes[a] < inodes[b] ? -1 : inodes[a] > inodes[b] ? 1 : a - b));
    for (let k = 0; k < order.length; ) {
      const inode = inodes[order[k]];
      const parents = new Map<bigint, number>();
      let total = 0;
      let records = 0;
      for (; k < order.length && inodes[order[k]] === inode; k++, records++) {
        const i = order[k];
        total += counts[i];
        if (parentOf[i] !== NO_PARENT) parents.set(parentOf[i], (parents.get(parentOf[i]) ?? 0) + counts[i]);
      }
      yield { inode, total, parents, records };
    }
  }
}
