// A set of 64-bit numbers (inodes, slice ids) in flat memory, shared by the load's bookkeeping
// and the dump verifier: bitmap pages allocated only where numbers fall, so a volume's
// inodes cost about one bit each instead of a Set entry (~50 bytes) each.
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const PAGE_BITS = 1 << 18;

/** A set of non-negative 64-bit numbers as bitmap pages, allocated where numbers fall. */
export class PagedBitset {
  private static readonly SHIFT = 18n; // 256 Ki numbers (32 KiB) per page
  private static readonly MASK = (1n << 18n) - 1n;
  private pages = new Map<number, Uint32Array>();
  private lastKey = -1;
  private lastPage: Uint32Array | null = null;

  /** Set n; true when it was already set. */
  testAndSet(n: bigint): boolean {
    // Plain number arithmetic when n is exact as a double (all but trash inodes).
    if (n <= SAFE) return this.testAndSetNumber(Number(n));
    return this.testAndSetAt(Number(n >> PagedBitset.SHIFT), Number(n & PagedBitset.MASK));
  }

  /** testAndSet() of a number below 2^53 (no bigint on the way: a binary load's columns). */
  testAndSetNumber(v: number): boolean {
    const key = Math.floor(v / PAGE_BITS);
    return this.testAndSetAt(key, v - key * PAGE_BITS);
  }

  private testAndSetAt(key: number, bit: number): boolean {
    let page = key === this.lastKey ? this.lastPage : this.pages.get(key);
    if (!page) {
      page = new Uint32Array(1 << 13);
      this.pages.set(key, page);
    }
    this.lastKey = key;
    this.lastPage = page;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if (page[word] & mask) return true;
    page[word] |= mask;
    return false;
  }

  /** Whether n is set. */
  has(n: bigint): boolean {
    const key = n <= SAFE ? Math.floor(Number(n) / PAGE_BITS) : Number(n >> PagedBitset.SHIFT);
    const bit = n <= SAFE ? Number(n) - key * PAGE_BITS : Number(n & PagedBitset.MASK);
    const page = key === this.lastKey ? this.lastPage : this.pages.get(key);
    return !!page && (page[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  get pageCount(): number {
    return this.pages.size;
  }

  /** The smallest number in this set that `other` lacks, or null when this is a subset. */
  firstNotIn(other: PagedBitset): bigint | null {
    let best: bigint | null = null;
    for (const [key, page] of this.pages) {
      const theirs = other.pages.get(key);
      for (let w = 0; w < page.length; w++) {
        const missing = page[w] & ~(theirs ? theirs[w] : 0);
        if (missing === 0) continue;
        const bit = 31 - Math.clz32(missing & -missing);
        const n = (BigInt(key) << PagedBitset.SHIFT) + BigInt(w * 32 + bit);
        if (best === null || n < best) best = n;
        break;
      }
    }
    return best;
  }
}
