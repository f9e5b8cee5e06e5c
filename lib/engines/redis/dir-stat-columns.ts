// A Redis volume's directory stats as the server's snapshot gives them: three hashes
// (dirUsedInodes, dirDataLength, dirUsedSpace), each a field per directory (its inode in decimal)
// with a number, arriving whole one after the other in the snapshot's key order, which is any.
// They are joined on the inode here, in columns: a row per directory, found by a Map from the
// inode. The Maps of decimal strings to bigints this replaces held ~600 bytes a directory: at
// 10M files (350,000 directories) a JSON dump peaked at 397 MB RSS against 227 MB at 1M, and
// without them at 183 MB at 5M (against 294 MB). Here: about 65 bytes a directory. (The JSON
// dump's staged walk keeps none: rdbTables' treeOnly.)
import type { DirStatRecord } from "../../jfs/table-records";

/** Which hash a value came from: its column. */
export const USED_INODES = 0;
export const DATA_LENGTH = 1;
export const USED_SPACE = 2;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class DirStatColumns {
  /** Inode → row; a number key where exact (most inodes), else the bigint. */
  private readonly rows = new Map<number | bigint, number>();
  private inodes = new BigUint64Array(1024);
  /** Three values a row: used inodes, data length, used space. */
  private values = new BigInt64Array(3 * 1024);
  /** Bit c: the row has a value from column c's hash. */
  private seen = new Uint8Array(1024);
  /** Rows in the order dirUsedInodes gave their fields: the records' order. */
  private order = new Uint32Array(1024);
  private ordered = 0;
  /** Values outside int64 (a damaged hash; kept as read), by row * 3 + column. */
  private readonly wide = new Map<number, bigint>();
  /** Inodes outside u64 (a damaged field), by row. */
  private readonly wideInodes = new Map<number, bigint>();
  private n = 0;

  /** The value of `column`'s hash for the directory `inode` (a later one for the same inode wins, as a Map set did). */
  set(column: number, inode: bigint, value: bigint): void {
    const key = inode >= 0n && inode <= SAFE ? Number(inode) : inode;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = this.n++;
      if (row === this.seen.length) this.grow();
      this.rows.set(key, row);
      if (inode >= 0n && inode <= U64_MAX) this.inodes[row] = inode;
      else this.wideInodes.set(row, inode);
      this.seen[row] = 0;
    }
    // Fewer ordered rows than rows: `order` has the rows' capacity (grow()).
    if (column === USED_INODES && !(this.seen[row] & 1)) this.order[this.ordered++] = row;
    const at = 3 * row + column;
    if (value >= INT64_MIN && value <= INT64_MAX) {
      this.values[at] = value;
      this.wide.delete(at);
    } else this.wide.set(at, value);
    this.seen[row] |= 1 << column;
  }

  private grow(): void {
    const cap = Math.max(1024, 2 * this.seen.length);
    const inodes = new BigUint64Array(cap);
    inodes.set(this.inodes);
    this.inodes = inodes;
    const values = new BigInt64Array(3 * cap);
    values.set(this.values);
    this.values = values;
    const seen = new Uint8Array(cap);
    seen.set(this.seen);
    this.seen = seen;
    const order = new Uint32Array(cap);
    order.set(this.order);
    this.order = order;
  }

  private value(row: number, column: number): bigint {
    const at = 3 * row + column;
    if (!(this.seen[row] & (1 << column))) return 0n;
    return this.wide.get(at) ?? this.values[at];
  }

  /**
   * The joined records, `batch` at a time: one for each field of dirUsedInodes (the directories
   * with stats), in its order, the other two hashes' values where they have one, else 0. Then
   * the columns are emptied.
   */
  *records(batch: number): Generator<DirStatRecord[]> {
    let records: DirStatRecord[] = [];
    for (let k = 0; k < this.ordered; k++) {
      const row = this.order[k];
      records.push({
        inode: this.wideInodes.get(row) ?? this.inodes[row],
        dataLength: this.value(row, DATA_LENGTH),
        usedSpace: this.value(row, USED_SPACE),
        usedInodes: this.value(row, USED_INODES),
      });
      if (records.length >= batch) {
        yield records;
        records = [];
      }
    }
    if (records.length) yield records;
    this.clear();
  }

  private clear(): void {
    this.rows.clear();
    this.wide.clear();
    this.wideInodes.clear();
    this.inodes = new BigUint64Array(0);
    this.values = new BigInt64Array(0);
    this.seen = new Uint8Array(0);
    this.order = new Uint32Array(0);
    this.n = this.ordered = 0;
  }
}
