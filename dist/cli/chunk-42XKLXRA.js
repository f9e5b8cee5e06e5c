import {
  LoadClaimedError
} from "./chunk-YBUR6YUE.js";
import {
  networkErrorCode
} from "./chunk-PWJI7R5M.js";
import {
  isRedisKind
} from "./chunk-WHTYQ7ZL.js";
import {
  effectiveTiers,
  maskSecrets
} from "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  decodeAttr,
  decodeSlice,
  readU64,
  writeU64
} from "./chunk-GEL7VY43.js";
import {
  CHUNK_SIZE,
  ROOT_INODE,
  TRASH_INODE,
  TYPE_CODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/engines/table-tree.ts
import { readSync, writeSync } from "node:fs";
import { rm as rm2 } from "node:fs/promises";
import os2 from "node:os";

// lib/engines/sorted-listing.ts
import { mkdtemp, open, rm, rmdir, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// lib/engines/nametable.ts
function sortedNameOrder(names, offsets, count) {
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
    (a, b) => hi[a] - hi[b] || lo[a] - lo[b] || names.compare(names, offsets[b], offsets[b + 1], offsets[a], offsets[a + 1]) || a - b
  );
  return order;
}
var NameTable = class _NameTable {
  names = Buffer.allocUnsafe(4096);
  /** count + 1 entries: name i is names[offsets[i], offsets[i + 1]). */
  offsets = new Uint32Array(256);
  inodes = new BigUint64Array(256);
  types = new Uint8Array(256);
  count = 0;
  used = 0;
  static async fromListing(batches, onBatch, max = Infinity) {
    const t = new _NameTable();
    for await (const batch of batches) {
      onBatch?.();
      for (const e of batch) t.add(e.name, e.inode, e.type);
      if (t.count > max) return null;
    }
    return t;
  }
  add(name, inode, type) {
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
  trim() {
    this.names = Buffer.from(this.names.subarray(0, this.used));
    this.offsets = this.offsets.slice(0, this.count + 1);
    this.inodes = this.inodes.slice(0, this.count);
    this.types = this.types.slice(0, this.count);
    return this;
  }
  /** Name bytes stored. */
  get bytesUsed() {
    return this.used;
  }
  /** Empty again, keeping the arrays (a table reused for the next run of a spilled sort). */
  clear() {
    this.count = 0;
    this.used = 0;
  }
  /** Bytes held. */
  get size() {
    return this.names.length + this.offsets.byteLength + this.inodes.byteLength + this.types.byteLength;
  }
  /** A view of name i (copy it to keep it past the table). */
  name(i) {
    return this.names.subarray(this.offsets[i], this.offsets[i + 1]);
  }
  inode(i) {
    return this.inodes[i];
  }
  type(i) {
    return typeFromCode(this.types[i]) ?? "unknown";
  }
  /**
   * Entry numbers in raw-name byte order (Go string order). An entry listed twice (a Redis
   * hash scan during a rehash can do that) is kept once.
   */
  sortedOrder(alreadySorted) {
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
};
function grow(to, from) {
  to.set(from);
  return to;
}

// lib/engines/run-heap.ts
var RunHeap = class {
  /** `before(a, b)`: a's current key sorts first (ties broken by run, for a stable merge). */
  constructor(before3) {
    this.before = before3;
  }
  before;
  items = [];
  get size() {
    return this.items.length;
  }
  /** The cursor with the least key; undefined when every run is exhausted. */
  get top() {
    return this.items[0];
  }
  push(cursor) {
    const heap = this.items;
    heap.push(cursor);
    for (let i = heap.length - 1; i > 0; ) {
      const p = i - 1 >> 1;
      if (!this.before(heap[i], heap[p])) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  }
  /** The top cursor has moved to its next key: put it back in order. */
  topMoved() {
    this.siftDown(0);
  }
  /** The top cursor's run is exhausted: drop it. */
  popTop() {
    const heap = this.items;
    const tail = heap.pop();
    if (tail !== void 0 && heap.length > 0) {
      heap[0] = tail;
      this.siftDown(0);
    }
  }
  clear() {
    this.items = [];
  }
  siftDown(i) {
    const heap = this.items;
    for (; ; ) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && this.before(heap[r], heap[l]) ? r : l;
      if (!this.before(heap[m], heap[i])) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
};

// lib/engines/sorted-listing.ts
var DEFAULT_SORT_MEMORY = 16 << 20;
var ENTRY_BYTES = 2 * 13 + 36;
var NAME_FACTOR = 2;
var RECORD_HEAD = 13;
var IO_BLOCK = 64 << 10;
async function sortListing(batches, opts) {
  const memory = opts.memory ?? DEFAULT_SORT_MEMORY;
  const max = opts.max ?? Infinity;
  const table = new NameTable();
  let spill = null;
  let listed = 0;
  try {
    for await (const batch of batches) {
      opts.onBatch?.();
      for (const e of batch) {
        table.add(e.name, e.inode, e.type);
        listed++;
        if (table.bytesUsed * NAME_FACTOR + table.count * ENTRY_BYTES > memory) {
          spill ??= await RunFile.create(opts.tmpDir);
          await spill.write(table, table.sortedOrder(opts.sorted));
          table.clear();
        }
      }
      if (listed > max) {
        await spill?.close();
        return null;
      }
    }
    if (!spill) return new InMemoryListing(table, table.sortedOrder(opts.sorted), listed);
    if (table.count > 0) await spill.write(table, table.sortedOrder(opts.sorted));
    return new MergedListing(spill, listed);
  } catch (err) {
    await spill?.close();
    throw err;
  }
}
var InMemoryListing = class {
  constructor(table, order, listed) {
    this.table = table;
    this.order = order;
    this.listed = listed;
  }
  table;
  order;
  listed;
  runs = 0;
  next = 0;
  async take(max) {
    const t = this.table;
    if (!t) return [];
    const out = [];
    for (const end = Math.min(this.order.length, this.next + max); this.next < end; this.next++) {
      const i = this.order[this.next];
      out.push({ name: t.name(i), inode: t.inode(i), type: t.type(i) });
    }
    return out;
  }
  async close() {
    this.table = null;
  }
};
var RunFile = class _RunFile {
  constructor(fh, where, leftPath) {
    this.fh = fh;
    this.where = where;
    this.leftPath = leftPath;
  }
  fh;
  where;
  leftPath;
  /** [start, end) byte offsets of each run. */
  runs = [];
  size = 0;
  closed = false;
  static async create(tmpDir = os.tmpdir()) {
    const { fh, leftPath } = await openUnlinkedTemp(tmpDir, "jfsmeta-sort-", spillError);
    return new _RunFile(fh, tmpDir, leftPath);
  }
  /** Appends the table's entries in `order` as one run. */
  async write(table, order) {
    const start = this.size;
    let block = Buffer.allocUnsafe(IO_BLOCK);
    let used = 0;
    const flush = async () => {
      await this.writeAt(block, used);
      used = 0;
    };
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const name = table.name(i);
      const len = RECORD_HEAD + name.length;
      if (used + len > block.length) {
        if (used > 0) await flush();
        if (len > block.length) block = Buffer.allocUnsafe(len);
      }
      block.writeUInt32LE(name.length, used);
      block[used + 4] = table.types[i];
      block.writeBigUInt64LE(table.inodes[i], used + 5);
      name.copy(block, used + RECORD_HEAD);
      used += len;
    }
    if (used > 0) await flush();
    this.runs.push([start, this.size]);
  }
  async writeAt(block, length) {
    try {
      let done = 0;
      while (done < length) done += (await this.fh.write(block, done, length - done, this.size + done)).bytesWritten;
      this.size += length;
    } catch (err) {
      throw spillError(err, this.where);
    }
  }
  async read(into, at, length) {
    try {
      return (await this.fh.read(into, 0, length, at)).bytesRead;
    } catch (err) {
      throw spillError(err, this.where);
    }
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => {
    });
    if (this.leftPath) await rm(this.leftPath, { recursive: true, force: true });
  }
};
function spillError(err, where) {
  const code = err.code;
  const why = code === "ENOSPC" ? "no space left" : err.message;
  return new JfsError(
    "internal",
    `sorting a big directory needs temporary space in ${where} (about 25 bytes a name): ${why}; point TMPDIR at a directory with room`,
    { cause: err }
  );
}
async function openUnlinkedTemp(tmpDir, prefix2, explain) {
  let dir;
  try {
    dir = await mkdtemp(path.join(tmpDir, prefix2));
  } catch (err) {
    throw explain(err, tmpDir);
  }
  const file = path.join(dir, "data");
  let fh;
  try {
    fh = await open(file, "wx+", 384);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw explain(err, tmpDir);
  }
  try {
    await unlink(file);
    await rmdir(dir);
    return { fh, leftPath: null };
  } catch {
    return { fh, leftPath: dir };
  }
}
var RunCursor = class {
  constructor(file, run, pos, end) {
    this.file = file;
    this.run = run;
    this.pos = pos;
    this.end = end;
  }
  file;
  run;
  pos;
  end;
  name = Buffer.alloc(0);
  inode = 0n;
  type = 0;
  block = Buffer.alloc(0);
  off = 0;
  /** Steps to the next record; false at the end of the run. */
  async advance() {
    if (!this.recordInBlock() && !await this.refill()) return false;
    const b = this.block;
    const len = b.readUInt32LE(this.off);
    this.type = b[this.off + 4];
    this.inode = b.readBigUInt64LE(this.off + 5);
    this.name = b.subarray(this.off + RECORD_HEAD, this.off + RECORD_HEAD + len);
    this.off += RECORD_HEAD + len;
    return true;
  }
  recordInBlock() {
    const left = this.block.length - this.off;
    return left >= RECORD_HEAD && left >= RECORD_HEAD + this.block.readUInt32LE(this.off);
  }
  /**
   * Reads the next block, keeping the part of a record left at the end of this one. A fresh
   * Buffer each time: names handed out are views of blocks and must stay valid.
   */
  async refill() {
    const left = this.block.length - this.off;
    if (left === 0 && this.pos >= this.end) return false;
    const need = left >= RECORD_HEAD ? RECORD_HEAD + this.block.readUInt32LE(this.off) : 0;
    const size = Math.min(Math.max(IO_BLOCK, need), left + this.end - this.pos);
    const next = Buffer.allocUnsafe(size);
    this.block.copy(next, 0, this.off);
    let filled = left;
    while (filled < size) {
      const n = await this.file.read(next.subarray(filled), this.pos, size - filled);
      if (n === 0) throw new JfsError("internal", "a directory's sort runs were cut short in the temporary file (was it truncated?)");
      filled += n;
      this.pos += n;
    }
    this.block = next;
    this.off = 0;
    if (!this.recordInBlock()) throw new JfsError("internal", "a directory's sort run ends inside a record in the temporary file");
    return true;
  }
};
function before(a, b) {
  const c = Buffer.compare(a.name, b.name);
  return c < 0 || c === 0 && a.run < b.run;
}
var MergedListing = class {
  constructor(file, listed) {
    this.file = file;
    this.listed = listed;
  }
  file;
  listed;
  heap = new RunHeap(before);
  started = false;
  last = null;
  get runs() {
    return this.file.runs.length;
  }
  async start() {
    this.started = true;
    for (const [run, [start, end]] of this.file.runs.entries()) {
      const c = new RunCursor(this.file, run, start, end);
      if (await c.advance()) this.heap.push(c);
    }
  }
  async take(max) {
    if (!this.started) await this.start();
    const out = [];
    const heap = this.heap;
    for (let top = heap.top; out.length < max && top; top = heap.top) {
      if (!this.last || !this.last.equals(top.name)) {
        out.push({ name: top.name, inode: top.inode, type: typeFromCode(top.type) ?? "unknown" });
        this.last = top.name;
      }
      if (await top.advance()) heap.topMoved();
      else heap.popTop();
    }
    return out;
  }
  async close() {
    this.heap.clear();
    await this.file.close();
  }
};

// lib/engines/table-tree.ts
var DEFAULT_STAGE_MEMORY = 32 << 20;
var DIR_INDEX_MEMORY = 8 << 20;
var PAGE = 1e3;
var IO_BLOCK2 = 1 << 20;
var CHECK_EVERY = 1e4;
var corrupt = (m) => new JfsError("corrupt-input", `the metadata is corrupt: ${m}`);
function tempError(err, where) {
  const code = err.code;
  const why = code === "ENOSPC" ? "no space left" : err.message;
  return new JfsError(
    "internal",
    `ordering the dump's tree needs temporary space in ${where} (about twice the binary dump's size): ${why}; point TMPDIR at a directory with room`,
    { cause: err }
  );
}
var TempFile = class _TempFile {
  constructor(fh, where, leftPath) {
    this.fh = fh;
    this.where = where;
    this.leftPath = leftPath;
  }
  fh;
  where;
  leftPath;
  size = 0;
  closed = false;
  static async create(tmpDir) {
    const { fh, leftPath } = await openUnlinkedTemp(tmpDir, "jfsmeta-tree-", tempError);
    return new _TempFile(fh, tmpDir, leftPath);
  }
  append(b, length = b.length) {
    if (this.closed) throw new JfsError("interrupted", "the staged tree was closed");
    try {
      for (let done = 0; done < length; ) done += writeSync(this.fh.fd, b, done, length - done, this.size + done);
    } catch (err) {
      throw tempError(err, this.where);
    }
    this.size += length;
  }
  /** Fills `into` from `at`; a short file is an error (the file was tampered with). */
  read(into, at, length = into.length) {
    if (this.closed) throw new JfsError("interrupted", "the staged tree was closed");
    try {
      for (let done = 0; done < length; ) {
        const n = readSync(this.fh.fd, into, done, length - done, at + done);
        if (n === 0) throw new JfsError("internal", "a temporary file of the dump was cut short (was it truncated?)");
        done += n;
      }
    } catch (err) {
      throw err instanceof JfsError ? err : tempError(err, this.where);
    }
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => {
    });
    if (this.leftPath) await rm2(this.leftPath, { recursive: true, force: true });
  }
};
var BlockWriter = class {
  constructor(file) {
    this.file = file;
  }
  file;
  block = Buffer.allocUnsafe(IO_BLOCK2);
  used = 0;
  /** Where the next byte goes in the file. */
  get position() {
    return this.file.size + this.used;
  }
  /** Room for `n` bytes: the block and the offset to write them at. */
  room(n) {
    if (this.used + n > this.block.length) {
      this.flush();
      if (n > this.block.length) this.block = Buffer.allocUnsafe(n);
    }
    const at = this.used;
    this.used += n;
    return [this.block, at];
  }
  flush() {
    if (this.used > 0) this.file.append(this.block, this.used);
    this.used = 0;
  }
};
var RecordCursor = class {
  constructor(file, pos, end, head) {
    this.file = file;
    this.pos = pos;
    this.end = end;
    this.head = head;
  }
  file;
  pos;
  end;
  head;
  block = Buffer.alloc(0);
  /** Start of the current record in `block`. */
  at = 0;
  off = 0;
  /** Steps to the next record; false at the end. */
  next() {
    if (!this.whole() && !this.refill()) return false;
    this.at = this.off;
    this.off += this.head + this.block.readUInt32LE(this.off);
    return true;
  }
  whole() {
    const left = this.block.length - this.off;
    return left >= this.head && left >= this.head + this.block.readUInt32LE(this.off);
  }
  refill() {
    const left = this.block.length - this.off;
    if (left === 0 && this.pos >= this.end) return false;
    const need = left >= this.head ? this.head + this.block.readUInt32LE(this.off) : 0;
    const size = Math.min(Math.max(IO_BLOCK2 >> 2, need), left + this.end - this.pos);
    const next = Buffer.allocUnsafe(size);
    this.block.copy(next, 0, this.off);
    if (size > left) this.file.read(next.subarray(left), this.pos, size - left);
    this.pos += size - left;
    this.block = next;
    this.off = 0;
    if (!this.whole()) throw new JfsError("internal", "a temporary file of the dump ends inside a record (was it truncated?)");
    return true;
  }
};
var HEAD = 6;
var PER_RECORD = 24;
function prefix(b, at, len, out, i) {
  if (len >= 12) {
    out[3 * i] = b.readUInt32BE(at);
    out[3 * i + 1] = b.readUInt32BE(at + 4);
    out[3 * i + 2] = b.readUInt32BE(at + 8);
    return;
  }
  for (let w = 0; w < 3; w++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = v * 256 + (w * 4 + k < len ? b[at + w * 4 + k] : 0);
    out[3 * i + w] = v;
  }
}
var RunReader = class {
  constructor(file, run, start, end) {
    this.run = run;
    this.cursor = new RecordCursor(file, start, end, HEAD);
  }
  run;
  p = new Uint32Array(3);
  keyAt = 0;
  keyLen = 0;
  valueLen = 0;
  cursor;
  get block() {
    return this.cursor.block;
  }
  next() {
    if (!this.cursor.next()) return false;
    const b = this.cursor.block;
    const at = this.cursor.at;
    this.keyLen = b.readUInt16LE(at + 4);
    this.valueLen = b.readUInt32LE(at) - this.keyLen;
    this.keyAt = at + HEAD;
    prefix(b, this.keyAt, this.keyLen, this.p, 0);
    return true;
  }
};
function before2(a, b) {
  const x = a.p;
  const y = b.p;
  if (x[0] !== y[0]) return x[0] < y[0];
  if (x[1] !== y[1]) return x[1] < y[1];
  if (x[2] !== y[2]) return x[2] < y[2];
  const c = a.block.compare(b.block, b.keyAt + 8, b.keyAt + b.keyLen, a.keyAt + 8, a.keyAt + a.keyLen);
  return c < 0 || c === 0 && a.run < b.run;
}
var ExternalSort = class _ExternalSort {
  /** Its runs' file is opened at once, so that adding a record never waits. */
  constructor(memory, file) {
    this.memory = memory;
    this.file = file;
    this.arena = Buffer.allocUnsafe(Math.max(4096, memory >> 1));
  }
  memory;
  file;
  arena;
  used = 0;
  offs = new Uint32Array(1024);
  prefixes = new Uint32Array(3 * 1024);
  n = 0;
  runs = [];
  /** Every record so far came in key order (no sort needed). */
  ordered = true;
  /**
   * The records held came in key order: the run needs no sort and is spilled as the arena's
   * bytes. Each table of a flat scan comes in its key's order, so most runs of the first sort
   * are one table's and in order although the whole stream is not.
   */
  runOrdered = true;
  pending = -1;
  /** The last key spilled while ordered (the order check across runs). */
  lastSpilled = null;
  static async create(memory, tmpDir) {
    return new _ExternalSort(memory, await TempFile.create(tmpDir));
  }
  /** Room for a record: the arena and the key's offset (the value follows the key). Then commit(). */
  reserve(keyLen, valueLen) {
    const len = HEAD + keyLen + valueLen;
    if (this.n > 0 && (this.used + len > this.arena.length || (this.n + 1) * PER_RECORD + this.used + len > this.memory)) this.spill();
    if (len > this.arena.length) this.arena = Buffer.allocUnsafe(len);
    if (this.n === this.offs.length) {
      const offs = new Uint32Array(this.n * 2);
      offs.set(this.offs);
      this.offs = offs;
      const prefixes = new Uint32Array(this.n * 6);
      prefixes.set(this.prefixes);
      this.prefixes = prefixes;
    }
    const at = this.used;
    this.arena.writeUInt32LE(keyLen + valueLen, at);
    this.arena.writeUInt16LE(keyLen, at + 4);
    this.used += len;
    this.pending = at;
    return [this.arena, at + HEAD];
  }
  commit() {
    const at = this.pending;
    const a = this.arena;
    const i = this.n++;
    this.offs[i] = at;
    prefix(a, at + HEAD, a.readUInt16LE(at + 4), this.prefixes, i);
    if (i > 0 && this.runOrdered) this.runOrdered = this.compare(i - 1, i) < 0;
    if (!this.ordered) return;
    if (i > 0) this.ordered = this.runOrdered;
    else if (this.lastSpilled) this.ordered = Buffer.compare(this.lastSpilled, this.keyOf(0)) <= 0;
  }
  keyOf(i) {
    const at = this.offs[i];
    return this.arena.subarray(at + HEAD, at + HEAD + this.arena.readUInt16LE(at + 4));
  }
  compare(i, j) {
    const p = this.prefixes;
    for (let w = 0; w < 3; w++) {
      const x = p[3 * i + w];
      const y = p[3 * j + w];
      if (x !== y) return x < y ? -1 : 1;
    }
    const a = this.arena;
    const ai = this.offs[i] + HEAD;
    const aj = this.offs[j] + HEAD;
    const c = a.compare(a, aj + 8, aj + a.readUInt16LE(aj - 2), ai + 8, ai + a.readUInt16LE(ai - 2));
    return c !== 0 ? c : i - j;
  }
  order() {
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    if (!this.runOrdered) order.sort((i, j) => this.compare(i, j));
    return order;
  }
  spill() {
    const start = this.file.size;
    const a = this.arena;
    if (this.runOrdered) {
      this.file.append(a, this.used);
    } else {
      const out = new BlockWriter(this.file);
      const order = this.order();
      for (let k = 0; k < order.length; k++) {
        const at = this.offs[order[k]];
        const len = HEAD + a.readUInt32LE(at);
        const [block, to] = out.room(len);
        a.copy(block, to, at, at + len);
      }
      out.flush();
    }
    this.runs.push([start, this.file.size]);
    if (this.ordered) this.lastSpilled = Buffer.from(this.keyOf(this.n - 1));
    this.n = 0;
    this.used = 0;
    this.runOrdered = true;
  }
  /** Visits the records in key order (equal keys in the order pushed); the views are valid during the call. */
  each(visit, check) {
    let since = 0;
    if (!this.runs.length) {
      const a = this.arena;
      for (const i of this.order()) {
        if (check && ++since === CHECK_EVERY) {
          since = 0;
          check();
        }
        const at = this.offs[i];
        const klen = a.readUInt16LE(at + 4);
        visit(a, at + HEAD, klen, a.readUInt32LE(at) - klen);
      }
      return;
    }
    if (this.n > 0) this.spill();
    this.arena = Buffer.alloc(0);
    this.offs = this.prefixes = new Uint32Array(0);
    const runs = this.ordered ? [[0, this.file.size]] : this.runs;
    const heap = new RunHeap(before2);
    for (const [run, [start, end]] of runs.entries()) {
      const r = new RunReader(this.file, run, start, end);
      if (r.next()) heap.push(r);
    }
    for (let top = heap.top; top; top = heap.top) {
      if (check && ++since === CHECK_EVERY) {
        since = 0;
        check();
      }
      visit(top.block, top.keyAt, top.keyLen, top.valueLen);
      if (top.next()) heap.topMoved();
      else heap.popTop();
    }
  }
  /** Runs written to disk (0: sorted in memory). */
  get spilled() {
    return this.runs.length;
  }
  async close() {
    this.arena = Buffer.alloc(0);
    this.offs = this.prefixes = new Uint32Array(0);
    await this.file.close();
  }
};
var T_NODE = 1;
var T_SYMLINK = 2;
var T_CHUNK = 3;
var T_XATTR = 4;
var T_EDGE = 5;
var NONE16 = 65535;
var NONE32 = 4294967295;
var BlobBuilder = class {
  buf = Buffer.allocUnsafe(4096);
  len = 0;
  /** Sections written: 0 none, 1 attr, 2 symlink, 3 chunks open, 4 xattrs open, 5 done. */
  section = 0;
  countAt = 0;
  count = 0;
  lastChunk = -1;
  lastNameAt = -1;
  lastNameLen = 0;
  /** Whether any record of the inode was met (an inode with none reads as not stored). */
  stored = false;
  reset() {
    this.len = 0;
    this.section = 0;
    this.stored = false;
  }
  room(n) {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }
  u16(v) {
    this.room(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v) {
    this.room(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  bytes(b, at, n) {
    this.room(n);
    b.copy(this.buf, this.len, at, at + n);
    this.len += n;
  }
  /** Writes the sections before `section` that have no record (none, or a count of 0). */
  upTo(section) {
    if (this.section < 1 && section > 1) {
      this.u16(NONE16);
      this.section = 1;
    }
    if (this.section < 2 && section > 2) {
      this.u32(NONE32);
      this.section = 2;
    }
    if (this.section < 3 && section >= 3) {
      this.countAt = this.len;
      this.count = 0;
      this.lastChunk = -1;
      this.u32(0);
      this.section = 3;
    }
    if (this.section < 4 && section >= 4) {
      this.buf.writeUInt32LE(this.count, this.countAt);
      this.countAt = this.len;
      this.count = 0;
      this.lastNameAt = -1;
      this.u32(0);
      this.section = 4;
    }
    if (this.section < 5 && section >= 5) {
      this.buf.writeUInt32LE(this.count, this.countAt);
      this.section = 5;
    }
  }
  /** Adds a record (tag T_NODE…T_XATTR); `what` names the inode in errors. */
  add(tag, b, keyAt, keyLen, valueLen, what) {
    this.stored = true;
    const valueAt = keyAt + keyLen;
    switch (tag) {
      case T_NODE:
        if (this.section >= 1) throw corrupt(`${what()} is stored twice`);
        if (valueLen >= NONE16) throw corrupt(`${what()} has an attribute of ${valueLen} bytes`);
        this.u16(valueLen);
        this.bytes(b, valueAt, valueLen);
        this.section = 1;
        return;
      case T_SYMLINK:
        if (this.section >= 2) throw corrupt(`${what()} has its symlink target stored twice`);
        this.upTo(2);
        this.u32(valueLen);
        this.bytes(b, valueAt, valueLen);
        this.section = 2;
        return;
      case T_CHUNK: {
        this.upTo(3);
        const index = b.readUInt32BE(keyAt + 9);
        if (index === this.lastChunk) throw corrupt(`chunk ${index} of ${what()} is stored twice`);
        this.lastChunk = index;
        this.u32(index);
        this.u32(valueLen);
        this.bytes(b, valueAt, valueLen);
        this.count++;
        return;
      }
      case T_XATTR: {
        this.upTo(4);
        const nameLen = keyLen - 9;
        if (this.lastNameAt >= 0 && this.lastNameLen === nameLen && this.buf.compare(b, keyAt + 9, keyAt + keyLen, this.lastNameAt, this.lastNameAt + nameLen) === 0) {
          throw corrupt(`extended attribute "${b.toString("utf8", keyAt + 9, keyAt + keyLen)}" of ${what()} is stored twice`);
        }
        this.u32(nameLen);
        this.lastNameAt = this.len;
        this.lastNameLen = nameLen;
        this.bytes(b, keyAt + 9, nameLen);
        this.u32(valueLen);
        this.bytes(b, valueAt, valueLen);
        this.count++;
        return;
      }
    }
  }
  /** The blob is complete (entries follow): b[0, len). */
  finish() {
    this.upTo(5);
  }
};
function decodeBlob(inode, entryType2, b, acls) {
  let at = 0;
  const node = { inode, entryType: entryType2, attr: null, xattrs: [], chunks: [] };
  const alen = b.readUInt16LE(at);
  at += 2;
  if (alen !== NONE16) {
    const stored = decodeAttr(inode, b.subarray(at, at + alen));
    at += alen;
    if (stored) {
      node.attr = stored.attr;
      const access = stored.accessAcl ? acls.get(stored.accessAcl) : void 0;
      const dflt = stored.defaultAcl ? acls.get(stored.defaultAcl) : void 0;
      if (access) node.accessAcl = access;
      if (dflt) node.defaultAcl = dflt;
    }
  }
  const slen = b.readUInt32LE(at);
  at += 4;
  if (slen !== NONE32) {
    node.symlink = b.subarray(at, at + slen);
    at += slen;
  }
  const chunks = b.readUInt32LE(at);
  at += 4;
  for (let k = 0; k < chunks; k++) {
    const index = b.readUInt32LE(at);
    const len = b.readUInt32LE(at + 4);
    at += 8;
    const slices = [];
    for (let s = at; s + SLICE_BYTES <= at + len; s += SLICE_BYTES) {
      const slice = decodeSlice(b.subarray(s, s + SLICE_BYTES));
      if (slice) slices.push(slice);
    }
    at += len;
    if (slices.length) node.chunks.push({ index, slices });
  }
  const xattrs = b.readUInt32LE(at);
  at += 4;
  for (let k = 0; k < xattrs; k++) {
    const nlen = b.readUInt32LE(at);
    const name = b.subarray(at + 4, at + 4 + nlen);
    at += 4 + nlen;
    const vlen = b.readUInt32LE(at);
    const value = b.subarray(at + 4, at + 4 + vlen);
    at += 4 + vlen;
    node.xattrs.push({ name, value });
  }
  return node;
}
var DIR_ENTRY = 28;
var TREE_HEAD = 6;
function entryType(code) {
  return typeFromCode(code) ?? "unknown";
}
var StagedTree = class {
  /** Made by stage(). */
  constructor(tree, dirs, dirIndex, dirCount, entries, kept, acls, spilledRuns) {
    this.tree = tree;
    this.dirs = dirs;
    this.dirIndex = dirIndex;
    this.dirCount = dirCount;
    this.entries = entries;
    this.kept = kept;
    this.acls = acls;
    this.spilledRuns = spilledRuns;
  }
  tree;
  dirs;
  dirIndex;
  dirCount;
  entries;
  kept;
  acls;
  spilledRuns;
  /** No read-ahead of other directories: answers are local reads, read-ahead would only hold memory. */
  dumpReadAhead = { dirs: 0, entries: PAGE };
  probe = Buffer.allocUnsafe(DIR_ENTRY);
  want = Buffer.allocUnsafe(8);
  /** Reads every batch and orders it; the records are not kept in memory past `memory`. */
  static async stage(batches, opts = {}) {
    const stager = new TableStager(opts);
    try {
      for await (const batch of batches) {
        opts.onBatch?.();
        await stager.add(batch);
      }
      return await stager.finish();
    } catch (err) {
      await stager.abort();
      throw err;
    }
  }
  /** The run of a directory in the tree file: [offset, bytes, entries], or null when it has none. */
  findDir(inode) {
    const want = this.want;
    writeU64(want, inode, 0);
    let lo = 0;
    let hi = this.dirCount;
    while (lo < hi) {
      const mid = lo + hi >>> 1;
      let b;
      let at;
      if (this.dirIndex) {
        b = this.dirIndex;
        at = mid * DIR_ENTRY;
      } else {
        this.dirs.read(this.probe, mid * DIR_ENTRY, DIR_ENTRY);
        b = this.probe;
        at = 0;
      }
      const c = b.compare(want, 0, 8, at, at + 8);
      if (c === 0) return [b.readDoubleLE(at + 8), b.readDoubleLE(at + 16), b.readUInt32LE(at + 24)];
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return null;
  }
  /** Visits a directory's children in name order; `visit` returning false stops. */
  *children(inode) {
    const found = this.findDir(inode);
    if (!found) return;
    const cursor = new RecordCursor(this.tree, found[0], found[0] + found[1], TREE_HEAD);
    while (cursor.next()) {
      const b = cursor.block;
      const at = cursor.at;
      const nlen = b.readUInt16LE(at + 4);
      const s = at + TREE_HEAD;
      yield { name: b.subarray(s, s + nlen), inode: readU64(b, s + nlen), type: entryType(b[s + nlen + 8]), blob: b.subarray(s + nlen + 9, at + TREE_HEAD + b.readUInt32LE(at)) };
    }
  }
  readDirNodes(inode) {
    const children = this.children(inode);
    const acls = this.acls;
    async function* pages() {
      let names = [];
      let nodes = [];
      for (const c of children) {
        names.push(c.name);
        nodes.push(decodeBlob(c.inode, c.type, c.blob, acls));
        if (names.length === PAGE) {
          yield { names, nodes };
          names = [];
          nodes = [];
        }
      }
      if (names.length) yield { names, nodes };
    }
    return pages();
  }
  readDir(inode) {
    const pages = this.readDirNodes(inode);
    async function* batches() {
      for await (const p of pages) yield p.names.map((name, k) => ({ name, inode: p.nodes[k].inode, type: p.nodes[k].entryType }));
    }
    return { sorted: true, batches: batches() };
  }
  /** An entry by name; its node is kept for readNodes (resolving a --subdir). */
  async lookup(parent, name) {
    for (const c of this.children(parent)) {
      if (!c.name.equals(name)) continue;
      this.kept.set(c.inode, Buffer.from(c.blob));
      return { name: Buffer.from(c.name), inode: c.inode, type: c.type };
    }
    return null;
  }
  /**
   * Nodes of the kept inodes (StageOptions.keep) and of entries found by lookup(); a kept inode
   * not stored reads as an engine reads it (attr null). Others are read with their directory
   * (readDirNodes): asking for one is a mistake of the caller.
   */
  async readNodes(entries) {
    return entries.map((e) => {
      const blob = this.kept.get(e.inode);
      if (blob === void 0) throw new JfsError("internal", `inode ${e.inode} was not kept by the staged tree (only the walk's roots and looked-up entries are)`);
      return blob.length ? decodeBlob(e.inode, e.type, blob, this.acls) : { inode: e.inode, entryType: e.type, attr: null, xattrs: [], chunks: [] };
    });
  }
  async close() {
    await Promise.all([this.tree.close(), this.dirs.close()]);
  }
};
var TableStager = class {
  constructor(opts) {
    this.opts = opts;
    this.memory = opts.memory ?? DEFAULT_STAGE_MEMORY;
    this.tmpDir = opts.tmpDir ?? os2.tmpdir();
  }
  opts;
  memory;
  tmpDir;
  byInode = null;
  byName = null;
  tree = null;
  dirs = null;
  acls = /* @__PURE__ */ new Map();
  put(sort, inode, tag, subLen, value) {
    const [b, at] = sort.reserve(9 + subLen, value.length);
    writeU64(b, inode, at);
    b[at + 8] = tag;
    value.copy(b, at + 9 + subLen);
    return [b, at + 9];
  }
  async add(batch) {
    const sort = this.byInode ??= await ExternalSort.create(this.memory, this.tmpDir);
    switch (batch.table) {
      case "nodes":
        for (const r of batch.records) {
          this.put(sort, r.inode, T_NODE, 0, r.attr);
          sort.commit();
        }
        return;
      case "symlinks":
        for (const r of batch.records) {
          this.put(sort, r.inode, T_SYMLINK, 0, r.target);
          sort.commit();
        }
        return;
      case "chunks":
        for (const r of batch.records) {
          const [b, at] = this.put(sort, r.inode, T_CHUNK, 4, r.slices);
          b.writeUInt32BE(r.index >>> 0, at);
          sort.commit();
        }
        return;
      case "xattrs":
        for (const r of batch.records) {
          const [b, at] = this.put(sort, r.inode, T_XATTR, r.name.length, r.value);
          r.name.copy(b, at);
          sort.commit();
        }
        return;
      case "edges":
        for (const r of batch.records) {
          const [b, at] = sort.reserve(17 + r.name.length, 1);
          writeU64(b, r.inode, at);
          b[at + 8] = T_EDGE;
          writeU64(b, r.parent, at + 9);
          r.name.copy(b, at + 17);
          b[at + 17 + r.name.length] = r.type;
          sort.commit();
        }
        return;
      case "acls":
        for (const r of batch.records) this.acls.set(r.id, r.rule);
        return;
      default:
        return;
    }
  }
  /** Joins each inode's data to its entries (second sort), then writes the tree file from it. */
  async finish() {
    const byInode = this.byInode ??= await ExternalSort.create(this.memory, this.tmpDir);
    const byName = this.byName = await ExternalSort.create(this.memory, this.tmpDir);
    const check = this.opts.onBatch;
    const keep = [...new Set(this.opts.keep ?? [])].map((inode) => {
      const b = Buffer.allocUnsafe(8);
      writeU64(b, inode, 0);
      return { inode, hi: b.readUInt32BE(0), lo: b.readUInt32BE(4) };
    });
    const kept = /* @__PURE__ */ new Map();
    const blob = new BlobBuilder();
    let hi = -1;
    let lo = -1;
    let current = Buffer.alloc(8);
    let finished = false;
    const what = () => `inode ${readU64(current, 0)}`;
    const endInode = () => {
      if (hi < 0) return;
      const k = keep.find((x) => x.hi === hi && x.lo === lo);
      if (!k) return;
      if (!finished) blob.finish();
      kept.set(k.inode, blob.stored ? Buffer.from(blob.buf.subarray(0, blob.len)) : Buffer.alloc(0));
    };
    byInode.each((b, keyAt, keyLen, valueLen) => {
      const h = b.readUInt32BE(keyAt);
      const l = b.readUInt32BE(keyAt + 4);
      if (h !== hi || l !== lo) {
        endInode();
        hi = h;
        lo = l;
        current = b.subarray(keyAt, keyAt + 8);
        blob.reset();
        finished = false;
      }
      const tag = b[keyAt + 8];
      if (tag !== T_EDGE) {
        if (finished) throw new JfsError("internal", "the staged tree's records of an inode came out of order");
        blob.add(tag, b, keyAt, keyLen, valueLen, what);
        return;
      }
      if (!finished) {
        blob.finish();
        finished = true;
      }
      const [o, at] = byName.reserve(keyLen - 9, 9 + blob.len);
      b.copy(o, at, keyAt + 9, keyAt + keyLen);
      b.copy(o, at + keyLen - 9, keyAt, keyAt + 8);
      o[at + keyLen - 1] = b[keyAt + keyLen];
      blob.buf.copy(o, at + keyLen, 0, blob.len);
      byName.commit();
    }, check);
    endInode();
    for (const k of keep) if (!kept.has(k.inode)) kept.set(k.inode, Buffer.alloc(0));
    const spilledRuns = byInode.spilled;
    await byInode.close();
    const tree = this.tree = await TempFile.create(this.tmpDir);
    const dirs = this.dirs = await TempFile.create(this.tmpDir);
    const treeOut = new BlockWriter(tree);
    const dirOut = new BlockWriter(dirs);
    let phi = -1;
    let plo = -1;
    let parent = Buffer.alloc(8);
    let lastName = Buffer.allocUnsafe(256);
    let lastLen = -1;
    let runStart = 0;
    let runCount = 0;
    let dirCount = 0;
    let entries = 0;
    const endDir = () => {
      if (phi < 0) return;
      const [o, at] = dirOut.room(DIR_ENTRY);
      parent.copy(o, at);
      o.writeDoubleLE(runStart, at + 8);
      o.writeDoubleLE(treeOut.position - runStart, at + 16);
      o.writeUInt32LE(runCount, at + 24);
      dirCount++;
    };
    byName.each((b, keyAt, keyLen, valueLen) => {
      const h = b.readUInt32BE(keyAt);
      const l = b.readUInt32BE(keyAt + 4);
      const nameAt = keyAt + 8;
      const nameLen = keyLen - 8;
      if (h !== phi || l !== plo) {
        endDir();
        phi = h;
        plo = l;
        parent = Buffer.from(b.subarray(keyAt, keyAt + 8));
        runStart = treeOut.position;
        runCount = 0;
      } else if (lastLen === nameLen && lastName.compare(b, nameAt, nameAt + nameLen, 0, nameLen) === 0) {
        throw corrupt(`directory ${readU64(b, keyAt)} holds two entries named "${b.toString("utf8", nameAt, nameAt + nameLen)}"`);
      }
      if (nameLen > 65535) throw corrupt(`an entry name of directory ${readU64(b, keyAt)} is ${nameLen} bytes long`);
      if (nameLen > lastName.length) lastName = Buffer.allocUnsafe(nameLen);
      b.copy(lastName, 0, nameAt, nameAt + nameLen);
      lastLen = nameLen;
      const len = nameLen + valueLen;
      const [o, at] = treeOut.room(TREE_HEAD + len);
      o.writeUInt32LE(len, at);
      o.writeUInt16LE(nameLen, at + 4);
      b.copy(o, at + TREE_HEAD, nameAt, nameAt + keyLen - 8 + valueLen);
      runCount++;
      entries++;
    }, check);
    endDir();
    treeOut.flush();
    dirOut.flush();
    await byName.close();
    this.byName = null;
    let dirIndex = null;
    if (dirs.size <= DIR_INDEX_MEMORY) {
      dirIndex = Buffer.allocUnsafe(dirs.size);
      if (dirs.size) dirs.read(dirIndex, 0);
    }
    return new StagedTree(tree, dirs, dirIndex, dirCount, entries, kept, this.acls, spilledRuns);
  }
  async abort() {
    await Promise.all([this.byInode?.close(), this.byName?.close(), this.tree?.close(), this.dirs?.close()]);
  }
};

// lib/engines/dump.ts
import { z } from "zod";

// lib/engines/read-ahead.ts
var DUMP_BATCH = 100;
var QueryLimiter = class {
  /** `pacer`: a gentle dump's waits before each query, from the engine's response times (pace.ts). */
  constructor(max, pacer) {
    this.max = max;
    this.pacer = pacer;
  }
  max;
  pacer;
  active = 0;
  waiting = [];
  /** The first failure: every queued and later read fails fast with it. */
  stopped = null;
  async run(fn) {
    if (this.active >= this.limit()) await new Promise((r) => this.waiting.push(r));
    while (!this.stopped && this.active >= this.limit()) await new Promise((r) => this.waiting.unshift(r));
    if (this.stopped) {
      this.release();
      throw this.stopped;
    }
    this.active++;
    try {
      if (!this.pacer?.active) return await fn();
      const wait = this.pacer.beforeQuery();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.stopped) throw this.stopped;
      const t0 = performance.now();
      const result = await fn();
      this.pacer.afterQuery(performance.now() - t0);
      return result;
    } finally {
      this.active--;
      this.release();
    }
  }
  /**
   * A directory listing whose reads (one per batch) go through the limiter when the dump is
   * gentle, so that the pacer sees and spaces them too; a plain dump lists without a slot, as
   * it always has (listings beside the node reads are what keeps the engine busy).
   */
  paced(batches) {
    if (!this.pacer?.active) return batches;
    return {
      [Symbol.asyncIterator]: () => {
        const inner = batches[Symbol.asyncIterator]();
        return {
          next: () => this.run(() => inner.next()),
          return: async (value) => await inner.return?.(value) ?? { done: true, value: void 0 }
        };
      }
    };
  }
  limit() {
    return this.pacer?.active ? Math.min(this.max, this.pacer.window) : this.max;
  }
  stop(err) {
    this.stopped ??= err instanceof Error ? err : new Error(String(err));
  }
  release() {
    const next = this.waiting.shift();
    if (next) next();
  }
};
var DEFAULT_READ_AHEAD = { dirs: 64, entries: 8192 };
var ReadAheadBudget = class _ReadAheadBudget {
  constructor(bounds) {
    this.bounds = bounds;
  }
  bounds;
  static RESERVED = 100;
  /** Directories opened ahead and not reached by the walk. */
  openedAhead = 0;
  /** Entries arrived and not written, plus the reservations of directories opened ahead. */
  held = 0;
  canOpenAhead() {
    return this.openedAhead < this.bounds.dirs && this.held < this.bounds.entries;
  }
  /** A directory is opened ahead; the returned function frees its reservation (once). */
  openAhead() {
    this.openedAhead++;
    this.held += _ReadAheadBudget.RESERVED;
    let reserved = true;
    return () => {
      if (reserved) this.held -= _ReadAheadBudget.RESERVED;
      reserved = false;
    };
  }
  /** The walk reached a directory opened ahead. */
  reached() {
    this.openedAhead--;
  }
  arrived(entries) {
    this.held += entries;
  }
  written(entries) {
    this.held -= entries;
  }
};
var isDir = (n) => (n.attr?.type ?? n.entryType) === "directory";
var DirReadAhead = class {
  constructor(engine, limiter, bounds, batchesAhead, checkAbort, sortMemory) {
    this.engine = engine;
    this.limiter = limiter;
    this.batchesAhead = batchesAhead;
    this.checkAbort = checkAbort;
    this.sortMemory = sortMemory;
    this.budget = new ReadAheadBudget(bounds);
    this.paged = typeof engine.readDirNodes === "function";
  }
  engine;
  limiter;
  batchesAhead;
  checkAbort;
  sortMemory;
  budget;
  /** The engine reads pages of children with their data (readDirNodes) instead of listings. */
  paged;
  /** Listings being read, closed by close() if the walk stops before their end. */
  listings = /* @__PURE__ */ new Set();
  /** The directory the walk enters now (`opened`: its read-ahead, if it was opened ahead). */
  async enter(ino, opened) {
    let d;
    if (opened) {
      d = await opened;
      this.budget.reached();
    } else d = await this.open(ino, this.batchesAhead);
    d.widen(this.batchesAhead);
    return d;
  }
  /** Open the batch's sub-directories not opened yet, while the bounds allow. */
  openChildren(batch) {
    for (let k = 0; k < batch.nodes.length && this.canOpenAhead(); k++) {
      if (isDir(batch.nodes[k]) && !batch.opened[k]) this.openChild(batch, k);
    }
  }
  canOpenAhead() {
    return this.budget.canOpenAhead() && !this.limiter.stopped;
  }
  openChild(batch, k) {
    const release = this.budget.openAhead();
    const p = this.open(batch.nodes[k].inode, 1, release);
    p.catch(() => {
    });
    batch.opened[k] = p;
  }
  /** A batch is in memory: count it, and open its sub-directories. */
  arrive(batch, release) {
    release?.();
    this.budget.arrived(batch.nodes.length);
    const arrived = { names: batch.names, nodes: batch.nodes, opened: [] };
    this.openChildren(arrived);
    return arrived;
  }
  readBatch(items) {
    const p = this.limiter.run(() => this.engine.readNodes(items));
    p.catch((err) => this.limiter.stop(err));
    return p;
  }
  /** `release` frees the reservation of a directory opened ahead once its size is known. */
  async open(ino, ahead, release) {
    const pages = this.engine.readDirNodes?.(ino, (query) => this.limiter.run(query));
    return pages ? this.openPaged(pages, release) : this.openListed(ino, ahead, release);
  }
  /**
   * Listing sorted here when the engine cannot (sorted-listing.ts: in memory, or in runs spilled
   * to a temporary file past `sortMemory`), then readNodes batches. A directory opened ahead of
   * the walk holds at most `entries` names: a bigger one is listed again when the walk gets
   * there, so that wide trees of huge directories stay flat.
   */
  async openListed(ino, ahead, release) {
    const listing = this.engine.readDir(ino);
    const sorted = await sortListing(this.limiter.paced(listing.batches), {
      sorted: listing.sorted,
      max: ahead === 1 ? this.budget.bounds.entries : Infinity,
      memory: this.sortMemory,
      onBatch: this.checkAbort
    });
    if (!sorted) {
      release?.();
      let listed = null;
      const open2 = () => listed ??= this.openListed(ino, this.batchesAhead);
      return {
        next: async () => (await open2()).next(),
        widen: () => void open2().catch(() => {
        })
        // the failure is met again in next()
      };
    }
    this.listings.add(sorted);
    const done = () => {
      this.listings.delete(sorted);
      return sorted.close();
    };
    const batches = [];
    let asked = 0;
    let taken = Promise.resolve();
    const schedule = () => {
      while (batches.length < ahead && asked < sorted.listed) {
        asked += DUMP_BATCH;
        const entries = taken.then(() => sorted.take(DUMP_BATCH));
        taken = entries.catch(() => {
        });
        const batch = entries.then(async (list) => {
          if (!list.length) return null;
          const nodes = await this.readBatch(list.map((e) => ({ inode: e.inode, type: e.type })));
          return this.arrive({ names: list.map((e) => e.name), nodes }, release);
        });
        batch.catch(() => {
        });
        batches.push(batch);
      }
    };
    schedule();
    if (!sorted.listed) {
      release?.();
      await done();
    }
    return {
      async next() {
        const b = batches.shift();
        schedule();
        const batch = b ? await b : null;
        if (!batch) await done();
        return batch;
      },
      widen(max) {
        ahead = max;
        schedule();
      }
    };
  }
  /** Frees what listings not read to their end hold (their temporary files); the walk's end. */
  async close() {
    const open2 = [...this.listings];
    this.listings.clear();
    await Promise.all(open2.map((l) => l.close()));
  }
  /**
   * Pages of children with their data (engine.readDirNodes), one page read ahead. The engine
   * runs each of its queries through the limiter (a page may wait for a query that serves
   * many directories, so the limiter cannot hold a slot for the whole page).
   */
  openPaged(pages, release) {
    const it = pages[Symbol.asyncIterator]();
    const read = () => {
      const p = it.next().then((r) => {
        if (this.limiter.stopped) throw this.limiter.stopped;
        if (r.done) release?.();
        return r.done ? null : this.arrive(r.value, release);
      });
      p.catch(() => {
      });
      return p;
    };
    let ahead = read();
    return {
      async next() {
        if (!ahead) return null;
        const batch = await ahead;
        ahead = batch ? read() : null;
        return batch;
      },
      widen() {
      }
    };
  }
};

// lib/engines/errors.ts
function lostConnection(err, redactedUrl, done) {
  const network = networkErrorCode(err);
  if (!network || err instanceof JfsError) return err;
  return new JfsError("unreachable", `lost the connection to ${redactedUrl} after ${done} (${network}): check that the server is up`, { cause: err });
}

// lib/engines/pace.ts
var MAX_BACKOFF_MS = 2e3;
var MIN_BACKOFF_MS = 10;
var HEADROOM = 0.75;
var EWMA_WEIGHT = 0.2;
var Pacer = class {
  /** `concurrency`: the queries the caller has out at most (its threads), the window's top. */
  constructor(limits, now, concurrency = 1) {
    this.limits = limits;
    this.now = now;
    this.concurrency = concurrency;
    if (limits.maxOps !== void 0 && !(limits.maxOps > 0)) throw new RangeError("maxOps must be positive");
    if (limits.maxLatencyMs !== void 0 && !(limits.maxLatencyMs > 0)) throw new RangeError("maxLatencyMs must be positive");
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError("concurrency must be a whole number from 1");
    this.tokens = limits.maxOps ?? 0;
    this.refilledAt = now();
    this.windowSize = limits.maxLatencyMs !== void 0 ? 1 : concurrency;
  }
  limits;
  now;
  concurrency;
  tokens;
  refilledAt;
  smoothedMs = null;
  backoffMs = 0;
  lastHold = null;
  /** Queries allowed out at once (fractional: it grows by 1/window a query); see `window`. */
  windowSize;
  shrunkAt = -Infinity;
  /** How many queries may be out at once now: `concurrency` unless --max-latency found the engine busy. */
  get window() {
    return Math.floor(this.windowSize);
  }
  /** Whether any limit is set (a pacer without limits never delays). */
  get active() {
    return this.limits.maxOps !== void 0 || this.limits.maxLatencyMs !== void 0;
  }
  /**
   * A query is about to start: the ms it must wait first (0: now). Reserves its place, so that
   * concurrent callers are spaced out rather than all let through by one token.
   */
  beforeQuery() {
    let wait = 0;
    this.lastHold = null;
    const rate = this.limits.maxOps;
    if (rate !== void 0) {
      const t = this.now();
      this.tokens = Math.min(rate, this.tokens + (t - this.refilledAt) / 1e3 * rate);
      this.refilledAt = t;
      this.tokens -= 1;
      if (this.tokens < 0) {
        wait = -this.tokens / rate * 1e3;
        this.lastHold = { reason: "max-ops", rate };
      }
    }
    if (this.backoffMs > 0 && this.smoothedMs !== null && this.limits.maxLatencyMs !== void 0) {
      if (this.backoffMs > wait) {
        wait = this.backoffMs;
        this.lastHold = { reason: "max-latency", latencyMs: Math.round(this.smoothedMs), boundMs: this.limits.maxLatencyMs };
      }
    }
    return Math.ceil(wait);
  }
  /** A query finished after `ms`: adjust the back-off to the engine's response time. */
  afterQuery(ms) {
    const bound = this.limits.maxLatencyMs;
    if (bound === void 0) return;
    this.smoothedMs = this.smoothedMs === null ? ms : this.smoothedMs + EWMA_WEIGHT * (ms - this.smoothedMs);
    if (this.smoothedMs > bound) {
      if (this.windowSize >= 2) {
        const t = this.now();
        if (t - this.shrunkAt >= this.smoothedMs) {
          this.windowSize = Math.max(1, Math.floor(this.windowSize / 2));
          this.shrunkAt = t;
        }
      } else this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.backoffMs * 2));
    } else if (this.backoffMs > 0) this.backoffMs = this.backoffMs <= MIN_BACKOFF_MS ? 0 : this.backoffMs / 2;
    else if (this.smoothedMs <= bound * HEADROOM) this.windowSize = Math.min(this.concurrency, this.windowSize + 1 / this.windowSize);
  }
  /** Why the last query was made to wait, or null when it was not. */
  get holdingBack() {
    return this.lastHold;
  }
};
function describeHold(h) {
  return h.reason === "max-ops" ? `holding back to ${h.rate} queries/s (--max-ops)` : `holding back: the engine answers in ${h.latencyMs} ms, over --max-latency ${h.boundMs} ms`;
}

// lib/engines/dump.ts
var DEFAULT_THREADS = 10;
var MAX_THREADS = 64;
var TABLE_PROGRESS_EVERY = 1e4;
var ThreadsSchema = z.preprocess(
  (v) => typeof v === "number" && v <= 0 ? 1 : v,
  z.number({ error: "must be a number" }).int({ error: "must be a whole number" }).max(MAX_THREADS, { error: `must be at most ${MAX_THREADS}` })
);
var DumpOptionsSchema = z.object({
  /** Dump only this directory ("d1", "/a/b"); it must exist. */
  subdir: z.string().trim().max(4096).optional(),
  /** Keep the object storage secret key and session token (else "removed"). */
  keepSecretKey: z.boolean().default(false),
  skipTrash: z.boolean().default(false),
  /** Query concurrency: engine reads in flight at once (JuiceFS --threads). */
  threads: ThreadsSchema.default(DEFAULT_THREADS),
  /** Read one moment of the database (engine.beginConsistentRead); refused where unavailable. */
  consistent: z.boolean().default(false),
  /** Gentle dump: engine queries a second, at most (pace.ts). */
  maxOps: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }).positive({ error: "must be positive" }).optional(),
  /** Gentle dump: slow down, or pause, while the engine answers slower than this many ms. */
  maxLatencyMs: z.number({ error: "must be a number" }).positive({ error: "must be positive" }).optional()
});
function stagedWalkWanted(engine) {
  if (!engine.scanTables) return false;
  const env = process.env.JFSMETA_STAGED_WALK;
  if (env === "0") return false;
  if (env === "1") return true;
  return !!engine.jsonDumpFromTables;
}
var MAX_META_VERSION = 1;
function dumpVersionCheck(s) {
  const v = s.MetaVersion ?? 0;
  if (v > MAX_META_VERSION) {
    throw new JfsError(
      "unsupported",
      `volume "${s.Name}" has MetaVersion ${v}, newer than the highest this tool understands (${MAX_META_VERSION}): use a jfsmeta/JuiceFS release that supports it`
    );
  }
}
function subdirParts(subdir) {
  return (subdir ?? "").split("/").filter((p) => p !== "");
}
async function resolveSubdir(engine, subdir) {
  let ino = ROOT_INODE;
  const walked = [];
  for (const part of subdirParts(subdir)) {
    const e = await engine.lookup(ino, Buffer.from(part, "utf8"));
    const where = walked.length ? `/${walked.join("/")}` : "/";
    if (!e) throw new JfsError("not-found", `--subdir ${subdir}: "${part}" does not exist in ${where}; check the path (jfsmeta never creates it)`);
    let type = e.type;
    const [node] = await engine.readNodes([{ inode: e.inode, type: e.type }]);
    if (node?.attr) type = node.attr.type;
    if (type !== "directory") throw new JfsError("usage", `--subdir ${subdir}: "/${[...walked, part].join("/")}" is a ${type}, not a directory`);
    walked.push(part);
    ino = e.inode;
  }
  return ino;
}
var CHUNK = BigInt(CHUNK_SIZE);
function toDumpNode(n) {
  const attr = n.attr ? n.attr : {
    inode: n.inode,
    flags: 0,
    type: n.entryType,
    mode: 0,
    uid: 0,
    gid: 0,
    atime: 0n,
    mtime: 0n,
    ctime: 0n,
    atimensec: 0,
    mtimensec: 0,
    ctimensec: 0,
    nlink: n.entryType === "directory" ? 2 : 1,
    length: 0n,
    rdev: 0,
    tier: 0
  };
  attr.inode = n.inode;
  const regular = attr.type === "regular";
  if (!regular) attr.length = 0n;
  const xattrs = n.xattrs.length > 1 ? n.xattrs.slice().sort((a, b) => Buffer.compare(a.name, b.name)) : n.xattrs;
  const out = { attr, xattrs, chunks: [] };
  if (regular && attr.length > 0n) {
    const limit = (attr.length + CHUNK - 1n) / CHUNK;
    out.chunks = n.chunks.filter((c) => BigInt(c.index) < limit).sort((a, b) => a.index - b.index);
  }
  if (attr.type === "symlink" && n.symlink && n.symlink.length > 0) out.symlink = n.symlink;
  if (n.accessAcl) out.accessAcl = n.accessAcl;
  if (n.defaultAcl) out.defaultAcl = n.defaultAcl;
  return out;
}
async function buildHeader(engine, setting, opts) {
  const out = { ...opts.keepSecretKey ? setting : maskSecrets(setting) };
  out.Tiers = effectiveTiers(setting);
  const counters = await engine.readCounters();
  if (!setting.ChangeLog) delete counters.lastChangelog;
  delete counters.nextCleanupSlices;
  const [sustained, delFiles] = await Promise.all([engine.readSustained(), engine.readDelFiles()]);
  const unlimited = (q) => q.maxSpace === -1n && q.maxInodes === -1n;
  const keep = (m, skipUnlimited) => {
    const r = /* @__PURE__ */ new Map();
    for (const [k, v] of m) if (!(skipUnlimited && unlimited(v))) r.set(k, v);
    return r.size > 0 ? r : void 0;
  };
  const header = { setting: out, counters, sustained, delFiles };
  header.quotas = keep(await engine.readQuotas("dir"), isRedisKind(engine.kind));
  if (!opts.subdir) {
    header.userQuotas = keep(await engine.readQuotas("user"), true);
    header.groupQuotas = keep(await engine.readQuotas("group"), true);
  }
  return header;
}
async function dumpMeta(engine, writer, opts = {}) {
  if (!opts.consistent && !engine.dumpsAlwaysConsistent) return dumpLive(engine, writer, opts);
  if (!engine.beginConsistentRead) {
    throw new JfsError("unsupported", `--consistent is not available for ${engine.kind} metadata engines in this build; dump without it (and stop writers for a consistent copy)`);
  }
  const snap = await engine.beginConsistentRead(ThreadsSchema.parse(opts.threads ?? DEFAULT_THREADS));
  try {
    const result = await dumpLive(engine, writer, opts);
    return { ...result, snapshot: { takenAt: snap.takenAt, connections: snap.connections } };
  } finally {
    await snap.end();
  }
}
async function dumpLive(engine, writer, opts) {
  const threads = ThreadsSchema.parse(opts.threads ?? DEFAULT_THREADS);
  const setting = await engine.readSetting();
  if (!setting) {
    const claim = await engine.findLoadClaim();
    if (claim) throw new LoadClaimedError(claim, engine.redactedUrl);
    throw new JfsError("not-found", `no JuiceFS volume found in ${engine.redactedUrl}: the database holds no volume format (setting)`);
  }
  dumpVersionCheck(setting);
  if (opts.subdirInode !== void 0 && subdirParts(opts.subdir).length > 0) throw new JfsError("usage", "name the --subdir by path or by inode, not both");
  const isSub = opts.subdirInode !== void 0 ? opts.subdirInode !== ROOT_INODE : subdirParts(opts.subdir).length > 0;
  const rootInode = opts.subdirInode ?? await resolveSubdir(engine, opts.subdir);
  if (opts.subdirInode !== void 0) {
    const [node] = await engine.readNodes([{ inode: rootInode, type: "directory" }]);
    if (!node?.attr) throw new JfsError("not-found", `--subdir inode ${rootInode} does not exist in ${engine.redactedUrl}`);
    if (node.attr.type !== "directory") throw new JfsError("usage", `--subdir inode ${rootInode} is a ${node.attr.type}, not a directory`);
  }
  const pacer = new Pacer({ maxOps: opts.maxOps, maxLatencyMs: opts.maxLatencyMs }, () => performance.now(), threads);
  const limiter = new QueryLimiter(threads, pacer);
  const flat = !!writer.tables && !opts.skipTrash;
  const staged = !writer.tables && stagedWalkWanted(engine);
  const gate = (q) => limiter.run(q);
  const encoder = flat ? writer.recordEncoder?.() : void 0;
  const scan = !engine.scanTables || isSub ? null : flat ? encoder ? engine.scanTables(gate, { encoder }) : engine.scanTables(gate) : staged ? engine.scanTables(gate) : null;
  const tables = flat ? null : scan;
  let header;
  try {
    header = await buildHeader(engine, setting, { keepSecretKey: opts.keepSecretKey, subdir: isSub });
  } catch (err) {
    await scan?.[Symbol.asyncIterator]().return?.();
    throw err;
  }
  const report = (entries2) => {
    const hold = pacer.holdingBack;
    opts.onProgress?.(hold ? { entries: entries2, holdingBack: describeHold(hold) } : { entries: entries2 });
  };
  let entries = 0;
  const progress = () => {
    entries++;
    if (opts.onProgress && entries % 1e3 === 0) report(entries);
  };
  let tableNodes = 0;
  const countTableNodes = (n, phase) => {
    const before3 = tableNodes;
    tableNodes += n;
    if (!opts.onProgress || Math.floor(before3 / TABLE_PROGRESS_EVERY) === Math.floor(tableNodes / TABLE_PROGRESS_EVERY)) return;
    if (phase) opts.onProgress({ entries: tableNodes, phase });
    else report(tableNodes);
  };
  const checkAbort = () => {
    if (opts.signal?.aborted) throw new JfsError("interrupted", "dump cancelled");
    if (limiter.stopped) throw limiter.stopped;
  };
  let tree = opts.stagedTree ?? null;
  if (tables && !writer.tables && !tree) {
    try {
      const counted = {
        async *[Symbol.asyncIterator]() {
          for await (const batch of tables) {
            if (batch.table === "nodes") countTableNodes(batch.records.length, "reading tables");
            yield batch;
          }
        }
      };
      tree = await StagedTree.stage(counted, { keep: [rootInode, TRASH_INODE], onBatch: checkAbort, memory: opts.stageMemory });
    } catch (err) {
      limiter.stop(err);
      throw lostConnection(err, engine.redactedUrl, "0 entries (the tables were being read)");
    }
  }
  const source = tree ?? engine;
  const readAhead = new DirReadAhead(source, limiter, source.dumpReadAhead ?? DEFAULT_READ_AHEAD, opts.batchesAhead ?? threads, checkAbort, opts.sortMemory);
  const path2 = /* @__PURE__ */ new Set();
  const walk = async (name, node, opened) => {
    const dn = toDumpNode(node);
    const ino = dn.attr.inode;
    if (path2.has(ino)) throw new JfsError("corrupt-input", `directory cycle: inode ${ino} contains itself; the metadata is corrupt`);
    path2.add(ino);
    await writer.beginDir(name, dn);
    progress();
    const d = await readAhead.enter(ino, opened);
    for (let batch = await d.next(); batch; batch = await d.next()) {
      checkAbort();
      const { names, nodes } = batch;
      if (readAhead.paged) readAhead.openChildren(batch);
      for (let k = 0; k < nodes.length; k++) {
        const child = nodes[k];
        if ((child.attr?.type ?? child.entryType) === "directory") {
          await walk(names[k], child, batch.opened[k]);
        } else {
          await writer.leaf(names[k], toDumpNode(child));
          progress();
        }
      }
      readAhead.budget.written(nodes.length);
    }
    await writer.endDir();
    path2.delete(ino);
  };
  if (writer.tables && flat && scan) {
    try {
      await writer.tables(header, scan, (n, table) => {
        if (table === "nodes") countTableNodes(n);
        checkAbort();
      });
    } catch (err) {
      limiter.stop(err);
      throw lostConnection(err, engine.redactedUrl, `${tableNodes} inodes`);
    }
    opts.onProgress?.({ entries: tableNodes });
    return { entries: tableNodes, rootInode, secretMasked: !opts.keepSecretKey && !!(setting.SecretKey || setting.SessionToken) };
  }
  try {
    await writer.header(header);
    const [root] = await limiter.run(() => source.readNodes([{ inode: rootInode, type: "directory" }]));
    await walk("FSTree", root);
    if (!isSub && !opts.skipTrash) {
      const [trash] = await limiter.run(() => source.readNodes([{ inode: TRASH_INODE, type: "directory" }]));
      await walk("Trash", trash);
    }
    await writer.end();
  } catch (err) {
    limiter.stop(err);
    throw lostConnection(err, engine.redactedUrl, `${entries} entries`);
  } finally {
    await readAhead.close();
    if (tree !== opts.stagedTree) await tree?.close();
  }
  opts.onProgress?.({ entries });
  return { entries, rootInode, secretMasked: !opts.keepSecretKey && !!(setting.SecretKey || setting.SessionToken) };
}

export {
  NameTable,
  TableStager,
  lostConnection,
  DumpOptionsSchema,
  dumpVersionCheck,
  toDumpNode,
  dumpMeta
};
