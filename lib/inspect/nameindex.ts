// A compact, sorted index of one directory's entries, for paging huge live directories.
// One Buffer holds every name, typed arrays hold offsets, inodes, types and the sorted order:
// a 1,000,000-entry directory costs ~17 bytes + its name bytes per entry, not an object each.
import type { DirEntry, NodeType } from "../jfs/types";
import { NODE_TYPES, TYPE_CODE } from "../jfs/types";

class Grow {
  names = Buffer.allocUnsafe(1 << 16);
  nameEnd = 0;
  offsets = new Uint32Array(1 << 12);
  inodes = new BigUint64Array(1 << 12);
  types = new Uint8Array(1 << 12);
  count = 0;

  push(e: DirEntry): void {
    if (this.count + 1 >= this.offsets.length) {
      const cap = this.offsets.length * 2;
      const grow = <T extends Uint32Array | BigUint64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(cap);
        b.set(a as never);
        return b;
      };
      this.offsets = grow(this.offsets, (n) => new Uint32Array(n));
      this.inodes = grow(this.inodes, (n) => new BigUint64Array(n));
      this.types = grow(this.types, (n) => new Uint8Array(n));
    }
    if (this.nameEnd + e.name.length > this.names.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.names.length * 2, this.nameEnd + e.name.length));
      this.names.copy(bigger, 0, 0, this.nameEnd);
      this.names = bigger;
    }
    this.offsets[this.count] = this.nameEnd;
    e.name.copy(this.names, this.nameEnd);
    this.nameEnd += e.name.length;
    this.inodes[this.count] = e.inode;
    this.types[this.count] = TYPE_CODE[e.type];
    this.count++;
  }
}

export class NameIndex {
  private readonly filters = new Map<string, Uint32Array>();

  private constructor(
    readonly count: number,
    private readonly names: Buffer,
    /** count + 1 entries: name i is names[offsets[i], offsets[i + 1]). */
    private readonly offsets: Uint32Array,
    private readonly inodes: BigUint64Array,
    private readonly types: Uint8Array,
    /** rank → entry number, in raw-name byte order. */
    private readonly order: Uint32Array,
    readonly builtAt: number,
  ) {}

  /** Read every batch once; sort only when the engine did not. */
  static async build(dir: { sorted: boolean; batches: AsyncIterable<DirEntry[]> }): Promise<NameIndex> {
    const g = new Grow();
    for await (const batch of dir.batches) for (const e of batch) g.push(e);
    const n = g.count;
    const names = Buffer.from(g.names.subarray(0, g.nameEnd)); // trim to size
    const offsets = g.offsets.slice(0, n + 1);
    offsets[n] = g.nameEnd;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (!dir.sorted) {
      order.sort((a, b) => names.compare(names, offsets[b], offsets[b + 1], offsets[a], offsets[a + 1]) || a - b);
    }
    return new NameIndex(n, names, offsets, g.inodes.slice(0, n), g.types.slice(0, n), order, Date.now());
  }

  /** Bytes held, for the cache budget. */
  get size(): number {
    return this.names.length + this.count * 17;
  }

  /** The entry at a rank in sorted order. */
  at(rank: number): DirEntry {
    const i = this.order[rank];
    return {
      name: Buffer.from(this.names.subarray(this.offsets[i], this.offsets[i + 1])),
      inode: this.inodes[i],
      type: NODE_TYPES[this.types[i] - 1] as NodeType,
    };
  }

  /** Rank of an exact raw name, or -1 (binary search over the sorted order). */
  find(name: Buffer): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const i = this.order[mid];
      const c = this.names.compare(name, 0, name.length, this.offsets[i], this.offsets[i + 1]);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Ranks whose display name contains `needle` (lowercased), in sorted order; cached. */
  matching(needle: string): Uint32Array {
    const hit = this.filters.get(needle);
    if (hit) return hit;
    const ranks: number[] = [];
    for (let r = 0; r < this.count; r++) {
      const i = this.order[r];
      if (this.names.toString("utf8", this.offsets[i], this.offsets[i + 1]).toLowerCase().includes(needle)) ranks.push(r);
    }
    const result = Uint32Array.from(ranks);
    if (this.filters.size >= 4) this.filters.delete(this.filters.keys().next().value as string);
    this.filters.set(needle, result);
    return result;
  }
}
