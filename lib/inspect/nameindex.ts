// A sorted index of one live directory, for paging huge directories: the names live in the
// dump walker's compact NameTable (one Buffer plus typed arrays), the sorted order in one
// Uint32Array — a 1,000,000-entry directory costs tens of bytes per entry, not an object each.
import { NameTable } from "../engines/dump";
import type { DirEntry } from "../jfs/types";

export class NameIndex {
  private readonly filters = new Map<string, Uint32Array>();

  private constructor(
    private readonly table: NameTable,
    /** rank → entry number, in raw-name byte order. */
    private readonly order: Uint32Array,
    /** Bytes held, for the cache budget. */
    readonly size: number,
    readonly builtAt: number,
  ) {}

  /** Read every batch once; sort only when the engine did not. */
  static async build(dir: { sorted: boolean; batches: AsyncIterable<DirEntry[]> }): Promise<NameIndex> {
    const table = new NameTable();
    let nameBytes = 0;
    for await (const batch of dir.batches) {
      for (const e of batch) {
        table.add(e.name, e.inode, e.type);
        nameBytes += e.name.length;
      }
    }
    // The table's arrays grow by doubling: count 2x its 25 bytes per entry, 2x the names.
    return new NameIndex(table, table.sortedOrder(dir.sorted), 2 * nameBytes + 54 * table.count, Date.now());
  }

  get count(): number {
    return this.table.count;
  }

  /** The entry at a rank in sorted order. */
  at(rank: number): DirEntry {
    const i = this.order[rank];
    return { name: Buffer.from(this.table.name(i)), inode: this.table.inode(i), type: this.table.type(i) };
  }

  /** Ranks whose display name contains `needle` (already lowercased), in sorted order; cached. */
  matching(needle: string): Uint32Array {
    const hit = this.filters.get(needle);
    if (hit) return hit;
    const ranks: number[] = [];
    for (let r = 0; r < this.count; r++) {
      if (this.table.name(this.order[r]).toString("utf8").toLowerCase().includes(needle)) ranks.push(r);
    }
    const result = Uint32Array.from(ranks);
    if (this.filters.size >= 4) this.filters.delete(this.filters.keys().next().value as string);
    this.filters.set(needle, result);
    return result;
  }
}
