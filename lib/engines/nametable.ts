// A directory's entries in a compact table: one Buffer for every name, typed arrays for
// offsets, inodes and types (~17 bytes + the name per entry, not an object each), sorted by
// raw name bytes. Used by the dump walk and by the tree viewer's live listings.
import { TYPE_CODE, typeFromCode, type DirEntry, type NodeType } from "../jfs/types";

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

export class NameTable {
  names = Buffer.allocUnsafe(4096);
  /** count + 1 entries: name i is names[offsets[i], offsets[i + 1]). */
  offsets = new Uint32Array(256);
  inodes = new BigUint64Array(256);
  types = new Uint8Array(256);
  count = 0;
  private used = 0;

  /** Every entry of a directory listing, read batch by batch; null past `max` entries (the listing stops). */
  static fromListing(batches: AsyncIterable<DirEntry[]>, onBatch?: () => void): Promise<NameTable>;
  static fromListing(batches: AsyncIterable<DirEntry[]>, onBatch: (() => void) | undefined, max: number): Promise<NameTable | null>;
  static async fromListing(batches: AsyncIterable<DirEntry[]>, onBatch?: () => void, max = Infinity): Promise<NameTable | null> {
    const t = new NameTable();
    for await (const batch of batches) {
      onBatch?.();
      for (const e of batch) t.add(e.name, e.inode, e.type);
      if (t.count > max) return null;
    }
    return t;
  }

  add(name: Buffer, inode: bigint, type: NodeType): void {
    if (this.count + 1 >= this.offsets.length) {
      const cap = this.offsets.length * 2;
      this.offsets = grow(new Uint32Array(cap), this.offsets);
      this.inodes = grow(new BigUint64Array(cap), this.inodes);
      this.types = grow(new Uint8Array(cap), this.types);
    }
    if (this.used + name.length > this.names.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.names.length * 2, this.used + name.length));
      this.names.copy(bigger, 0, 0, this.used);
      this.names = bigger;
    }
    const i = this.count++;
    this.offsets[i] = this.used;
    this.used += name.copy(this.names, this.used);
    this.offsets[i + 1] = this.used;
    this.inodes[i] = inode;
    this.types[i] = TYPE_CODE[type] ?? 0;
  }

  /** Drop the growth slack, for tables that are kept (cached listings). */
  trim(): this {
    this.names = Buffer.from(this.names.subarray(0, this.used));
    this.offsets = this.offsets.slice(0, this.count + 1);
    this.inodes = this.inodes.slice(0, this.count);
    this.types = this.types.slice(0, this.count);
    return this;
  }

  /** Name bytes stored. */
  get bytesUsed(): number {
    return this.used;
  }

  /** Empty again, keeping the arrays (a table reused for the next run of a spilled sort). */
  clear(): void {
    this.count = 0;
    this.used = 0;
  }

  /** Bytes held. */
  get size(): number {
    return this.names.length + this.offsets.byteLength + this.inodes.byteLength + this.types.byteLength;
  }

  /** A view of name i (copy it to keep it past the table). */
  name(i: number): Buffer {
    return this.names.subarray(this.offsets[i], this.offsets[i + 1]);
  }
  inode(i: number): bigint {
    return this.inodes[i];
  }
  type(i: number): NodeType {
    return typeFromCode(this.types[i]) ?? ("unknown" as NodeType);
  }

  /**
   * Entry numbers in raw-name byte order (Go string order). An entry listed twice (a Redis
   * hash scan during a rehash can do that) is kept once.
   */
  sortedOrder(alreadySorted: boolean): Uint32Array {
    const { names, offsets } = this;
    if (alreadySorted) return Uint32Array.from({ length: this.count }, (_, i) => i);
    const order = sortedNameOrder(names, offsets, this.count);
    let kept = 0;
    for (let i = 0; i < order.length; i++) {
      const cur = order[i];
      if (kept > 0) {
        const prev = order[kept - 1];
        if (names.compare(names, offsets[prev], offsets[prev + 1], offsets[cur], offsets[cur + 1]) === 0) continue;
      }
      order[kept++] = cur;
    }
    return kept === order.length ? order : order.subarray(0, kept);
  }
}

function grow<T extends Uint32Array | BigUint64Array | Uint8Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}
