// A sorted index of one live directory, for paging huge directories without an object per
// entry: one Buffer holds every name, typed arrays hold offsets, inodes, types and the sorted
// order (~25 bytes + the name per entry).
import { isAscii } from "node:buffer";
import { NODE_TYPES, TYPE_CODE, type DirEntry, type NodeType } from "../jfs/types";

/**
 * Entry numbers in raw-name byte order (Go string order), stable for equal names. Fast on
 * real directories, whose names share long prefixes ("file-000123…"): each name gets two
 * numeric keys holding the 12 bytes after the prefix common to all names, so nearly every
 * comparison is two subtractions; only ties compare the bytes.
 */
export function sortedNameOrder(names: Buffer, offsets: Uint32Array, count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (count < 2) return order;
  const first = offsets[0];
  let common = offsets[1] - first;
  for (let i = 1; i < count && common > 0; i++) {
    const s = offsets[i];
    const m = Math.min(common, offsets[i + 1] - s);
    let k = 0;
    while (k < m && names[s + k] === names[first + k]) k++;
    common = k;
  }
  // Base 257: a byte b counts as b + 1 and the end of the name as 0, so a prefix sorts first.
  // 257^6 < 2^53, so each key is exact.
  const hi = new Float64Array(count);
  const lo = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const s = offsets[i] + common;
    const e = offsets[i + 1];
    let h = 0;
    let l = 0;
    for (let k = 0; k < 6; k++) h = h * 257 + (s + k < e ? names[s + k] + 1 : 0);
    for (let k = 6; k < 12; k++) l = l * 257 + (s + k < e ? names[s + k] + 1 : 0);
    hi[i] = h;
    lo[i] = l;
  }
  order.sort(
    (a, b) => hi[a] - hi[b] || lo[a] - lo[b] || names.compare(names, offsets[b], offsets[b + 1], offsets[a], offsets[a + 1]) || a - b,
  );
  return order;
}

export class NameIndex {
  private filterText: FilterText | null = null;
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
    let names = Buffer.allocUnsafe(1 << 16);
    let used = 0;
    let offsets = new Uint32Array(1 << 12);
    let inodes = new BigUint64Array(1 << 12);
    let types = new Uint8Array(1 << 12);
    let n = 0;
    for await (const batch of dir.batches) {
      for (const e of batch) {
        if (n + 1 >= offsets.length) {
          const cap = offsets.length * 2;
          offsets = copyInto(new Uint32Array(cap), offsets);
          inodes = copyInto(new BigUint64Array(cap), inodes);
          types = copyInto(new Uint8Array(cap), types);
        }
        if (used + e.name.length > names.length) {
          const bigger = Buffer.allocUnsafe(Math.max(names.length * 2, used + e.name.length));
          names.copy(bigger, 0, 0, used);
          names = bigger;
        }
        offsets[n] = used;
        used += e.name.copy(names, used);
        inodes[n] = e.inode;
        types[n] = TYPE_CODE[e.type];
        n++;
      }
    }
    offsets[n] = used;
    // Trim the doubling slack: a cached index should cost what it holds.
    const trimmedNames = Buffer.from(names.subarray(0, used));
    const trimmedOffsets = offsets.slice(0, n + 1);
    const order = dir.sorted ? Uint32Array.from({ length: n }, (_, i) => i) : sortedNameOrder(trimmedNames, trimmedOffsets, n);
    return new NameIndex(n, trimmedNames, trimmedOffsets, inodes.slice(0, n), types.slice(0, n), order, Date.now());
  }

  /** Bytes held (names, arrays, and the filter text once built), for the cache budget. */
  get size(): number {
    const f = this.filterText;
    return this.names.length + this.count * 17 + (f ? f.text.length * 2 + f.starts.byteLength + (f.toRank?.byteLength ?? 0) : 0);
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
        found.push(toRank ? toRank[lo] : lo);
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
    if (isAscii(this.names)) {
      const toRank = new Uint32Array(n);
      for (let r = 0; r < n; r++) toRank[this.order[r]] = r;
      return { text: this.names.toString("latin1").toLowerCase(), starts: this.offsets.subarray(0, n), toRank };
    }
    const parts: string[] = new Array(n);
    const starts = new Uint32Array(n);
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const i = this.order[r];
      parts[r] = this.names.toString("utf8", this.offsets[i], this.offsets[i + 1]).toLowerCase();
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

function copyInto<T extends Uint32Array | BigUint64Array | Uint8Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}
