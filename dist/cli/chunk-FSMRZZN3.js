// lib/dump/paged-bitset.ts
var SAFE = BigInt(Number.MAX_SAFE_INTEGER);
var PAGE_BITS = 1 << 18;
var PagedBitset = class _PagedBitset {
  static SHIFT = 18n;
  // 256 Ki numbers (32 KiB) per page
  static MASK = (1n << 18n) - 1n;
  pages = /* @__PURE__ */ new Map();
  lastKey = -1;
  lastPage = null;
  /** Set n; true when it was already set. */
  testAndSet(n) {
    if (n <= SAFE) return this.testAndSetNumber(Number(n));
    return this.testAndSetAt(Number(n >> _PagedBitset.SHIFT), Number(n & _PagedBitset.MASK));
  }
  /** testAndSet() of a number below 2^53 (no bigint on the way: a binary load's columns). */
  testAndSetNumber(v) {
    const key = Math.floor(v / PAGE_BITS);
    return this.testAndSetAt(key, v - key * PAGE_BITS);
  }
  testAndSetAt(key, bit) {
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
  has(n) {
    const key = n <= SAFE ? Math.floor(Number(n) / PAGE_BITS) : Number(n >> _PagedBitset.SHIFT);
    const bit = n <= SAFE ? Number(n) - key * PAGE_BITS : Number(n & _PagedBitset.MASK);
    const page = key === this.lastKey ? this.lastPage : this.pages.get(key);
    return !!page && (page[bit >>> 5] & 1 << (bit & 31)) !== 0;
  }
  get pageCount() {
    return this.pages.size;
  }
  /** The smallest number in this set that `other` lacks, or null when this is a subset. */
  firstNotIn(other) {
    let best = null;
    for (const [key, page] of this.pages) {
      const theirs = other.pages.get(key);
      for (let w = 0; w < page.length; w++) {
        const missing = page[w] & ~(theirs ? theirs[w] : 0);
        if (missing === 0) continue;
        const bit = 31 - Math.clz32(missing & -missing);
        const n = (BigInt(key) << _PagedBitset.SHIFT) + BigInt(w * 32 + bit);
        if (best === null || n < best) best = n;
        break;
      }
    }
    return best;
  }
};

export {
  PagedBitset
};
