// The order of a run of the staged walk's sorts (table-tree.ts ExternalSort): records by key
// bytes, equal keys in the order they came. Each record's key begins with PREFIX_WORDS
// big-endian 32-bit words (zero-padded), its `prefixes`: most records differ there. So the run
// is sorted by those words with a stable LSD radix sort (16-bit digits), and only records whose
// words are all equal are then ordered by the whole key, `compare`.
//
// Why not the comparator alone: an index sort with a JavaScript comparator took 1.53 s of a
// 1M-file Redis JSON dump (every run of the first sort unordered: the snapshot comes in hash
// order), about 120 ms a run of 130,000 records; the radix passes take a few ms a run.

/** The words of a record's key prefix. */
export const PREFIX_WORDS = 4;
/** Below this many records the comparator sort is as fast (and has no histogram to clear). */
const SMALL = 256;
const DIGITS = 1 << 16;

/**
 * The indices 0…n-1 ordered by key: by prefixes[W·i] … [W·i + W - 1] (unsigned, W =
 * PREFIX_WORDS), then by `compare(i, j)` among equal prefixes, which must order by the rest of
 * the key and return i - j for equal keys (stability).
 */
export function prefixOrder(prefixes: Uint32Array, n: number, compare: (i: number, j: number) => number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < SMALL) return order.sort(compare);
  let spare = new Uint32Array(n);
  const count = new Int32Array(DIGITS);
  // Each pass's digits, taken from the prefixes in record order first: the passes then read
  // them in sorted order from this small array (2 bytes a record) instead of the prefixes.
  const digit = new Uint16Array(n);
  const W = PREFIX_WORDS;
  // Least significant digit first: the last word's low half, its high half, …, word 0's high.
  for (let pass = 2 * W - 1; pass >= 0; pass--) {
    const word = pass >> 1;
    const shift = pass & 1 ? 0 : 16;
    let same = true;
    const first = (prefixes[word] >>> shift) & 0xffff;
    for (let i = 0; i < n; i++) {
      const d = (prefixes[W * i + word] >>> shift) & 0xffff;
      digit[i] = d;
      if (d !== first) same = false;
    }
    if (same) continue; // a digit every record shares orders nothing
    count.fill(0);
    for (let i = 0; i < n; i++) count[digit[i]]++;
    for (let d = 0, at = 0; d < DIGITS; d++) {
      const c = count[d];
      count[d] = at;
      at += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      spare[count[digit[i]]++] = i;
    }
    const t = order;
    order = spare;
    spare = t;
  }
  // Records whose prefixes are all equal: ordered by the rest of their keys.
  for (let k = 0; k < n; ) {
    const a = W * order[k];
    let j = k + 1;
    while (j < n) {
      const b = W * order[j];
      if (prefixes[a] !== prefixes[b] || prefixes[a + 1] !== prefixes[b + 1] || prefixes[a + 2] !== prefixes[b + 2] || prefixes[a + 3] !== prefixes[b + 3]) break;
      j++;
    }
    if (j - k > 1) order.subarray(k, j).sort(compare);
    k = j;
  }
  return order;
}
