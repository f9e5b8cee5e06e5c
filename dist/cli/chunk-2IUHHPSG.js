// lib/dump/link-parents.ts
var NO_PARENT = 0n;
var LinkParents = class {
  inodes = new BigUint64Array(1024);
  parentOf = new BigUint64Array(1024);
  counts = new Uint32Array(1024);
  n = 0;
  /** Records occurrences of `inode` under `parent` (NO_PARENT: counted, parent unknown). */
  add(inode, parent, count = 1) {
    if (this.n === this.inodes.length) {
      const cap = this.n * 2;
      const grow = (to, from) => (to.set(from), to);
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
  get size() {
    return this.n;
  }
  /** Every inode recorded, ascending, with its records gathered (in the order recorded). */
  *groups() {
    const { inodes, parentOf, counts } = this;
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    order.sort((a, b) => inodes[a] < inodes[b] ? -1 : inodes[a] > inodes[b] ? 1 : a - b);
    for (let k = 0; k < order.length; ) {
      const inode = inodes[order[k]];
      const parents = /* @__PURE__ */ new Map();
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
};

export {
  NO_PARENT,
  LinkParents
};
