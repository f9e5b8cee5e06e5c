// A sorted index of one live directory, for paging huge directories without an object per
// entry: one Buffer holds every name, typed arrays hold offsets, inodes, types and the sorted
// order (~21 bytes + the name per entry), with a cached lowercase text for filters.
import { isAscii } from "node:buffer";
import type { DirEntry } from "../jfs/types";
import { NameTable } from "../engines/nametable";

/** toRank of an entry that has no rank (a duplicate the sort dropped). */
const NO_RANK = 0xffffffff;

export class NameIndex {
  private filterText: FilterText | null = null;
  private readonly filters = new Map<string, Uint32Array>();

  private constructor(
    private readonly table: NameTable,
    /** rank → entry number, in raw-name byte order. */
    private readonly order: Uint32Array,
    readonly builtAt: number,
  ) {}

  get count(): number {
    return this.order.length;
  }

  /** Read every batch once; sort only when the engine did not. */
  static async build(dir: { sorted: boolean; batches: AsyncIterable<DirEntry[]> }): Promise<NameIndex> {
    const table = (await NameTable.fromListing(dir.batches)).trim();
    return new NameIndex(table, table.sortedOrder(dir.sorted), Date.now());
  }

  /** Bytes held (names, arrays, and the filter text once built), for the cache budget. */
  get size(): number {
    const f = this.filterText;
    return this.table.size + this.order.byteLength + (f ? f.text.length * 2 + f.starts.byteLength + (f.toRank?.byteLength ?? 0) : 0);
  }

  /** The entry at a rank in sorted order. */
  at(rank: number): DirEntry {
    const i = this.order[rank];
    return { name: Buffer.from(this.table.name(i)), inode: this.table.inode(i), type: this.table.type(i) };
  }

  /**
   * Ranks whose display name contains `needle` (already lowercased), in sorted order.
   * The lowercased display names are held as one string, so each filter is a native
   * substring scan; results are cached.
   */
  matching(needle: string): Uint32Array {
    const hit = this.filters.get(needle);
    if (hit) return hit;
    const { text, starts, toRank } = (this.filterText ??= this.buildFilterText());
    const found: number[] = [];
    const clean = needle.replaceAll("\0", "");
    for (let pos = clean ? text.indexOf(clean) : -1; pos >= 0; ) {
      // The name holding `pos`: the last start ≤ pos.
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid] <= pos) lo = mid;
        else hi = mid - 1;
      }
      const end = lo + 1 < starts.length ? starts[lo + 1] : text.length;
      if (pos + clean.length <= end) {
        const rank = toRank ? toRank[lo] : lo;
        if (rank !== NO_RANK) found.push(rank);
        pos = end < text.length ? text.indexOf(clean, end) : -1;
      } else {
        pos = text.indexOf(clean, pos + 1); // a match across two names does not count
      }
    }
    const result = Uint32Array.from(found);
    if (toRank) result.sort();
    if (this.filters.size >= 4) this.filters.delete(this.filters.keys().next().value as string);
    this.filters.set(needle, result);
    return result;
  }

  /**
   * ASCII names (the usual case) are lowercased in one piece, in listing order, name i at
   * offsets[i]; `toRank` maps back. Other names are decoded and lowercased one by one (the
   * length can change) and joined with NUL, which no name contains, in rank order.
   */
  private buildFilterText(): FilterText {
    const n = this.count;
    const { names, offsets } = this.table;
    if (isAscii(names)) {
      const toRank = new Uint32Array(this.table.count).fill(NO_RANK);
      for (let r = 0; r < n; r++) toRank[this.order[r]] = r;
      return { text: names.toString("latin1").toLowerCase(), starts: offsets.subarray(0, this.table.count), toRank };
    }
    const parts: string[] = new Array(n);
    const starts = new Uint32Array(n);
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const i = this.order[r];
      parts[r] = names.toString("utf8", offsets[i], offsets[i + 1]).toLowerCase();
      starts[r] = pos;
      pos += parts[r].length + 1;
    }
    return { text: parts.join("\0"), starts, toRank: null };
  }
}

interface FilterText {
  text: string;
  /** Where each name starts in `text`, ascending. */
  starts: Uint32Array;
  /** Name number → rank, when `text` is in listing order. */
  toRank: Uint32Array | null;
}
