// The k-way merge of sorted runs that external sorts share (sorted-listing.ts, table-tree.ts):
// a binary min-heap of run cursors. The caller owns the cursors and moves them on; the heap only
// keeps the least one on top, so a merge is: take `top`, advance it, then `topMoved()` or,
// when that run is exhausted, `popTop()`.

export class RunHeap<T> {
  private items: T[] = [];

  /** `before(a, b)`: a's current key sorts first (ties broken by run, for a stable merge). */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The cursor with the least key; undefined when every run is exhausted. */
  get top(): T | undefined {
    return this.items[0];
  }

  push(cursor: T): void {
    const heap = this.items;
    heap.push(cursor);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(heap[i], heap[p])) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  }

  /** The top cursor has moved to its next key: put it back in order. */
  topMoved(): void {
    this.siftDown(0);
  }

  /** The top cursor's run is exhausted: drop it. */
  popTop(): void {
    const heap = this.items;
    const tail = heap.pop();
    if (tail !== undefined && heap.length > 0) {
      heap[0] = tail;
      this.siftDown(0);
    }
  }

  clear(): void {
    this.items = [];
  }

  private siftDown(i: number): void {
    const heap = this.items;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && this.before(heap[r], heap[l]) ? r : l;
      if (!this.before(heap[m], heap[i])) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
}
