import {
  BackupIndexInfoSchema,
  InspectNotFoundError,
  InspectRequestError,
  checkPage,
  nameMatcher,
  parseInodeQuery,
  pathNames,
  pathOf
} from "./chunk-D4L2BVNW.js";
import {
  describeEntry,
  diffNodeOf,
  displayName,
  treeItemOf
} from "./chunk-YO3SMYIS.js";
import {
  OpenDirs,
  collectHeader,
  readDump
} from "./chunk-2HH2CB6Y.js";
import {
  JsonDumpWriter
} from "./chunk-FY4XRHOE.js";
import {
  ByteCounter
} from "./chunk-RUXY4CKJ.js";
import {
  unescapeName
} from "./chunk-FUB4GH24.js";
import {
  effectiveTiers,
  maskSecrets
} from "./chunk-OHKNE627.js";
import {
  TYPE_CODE,
  typeFromCode
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/inspect/backup.ts
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream";
import v82 from "node:v8";
import Database from "better-sqlite3";

// lib/inspect/nodecodec.ts
import v8 from "node:v8";
var WHOLE_V8 = 0;
var COMPACT = 1;
var ATTR_BYTES = 73;
var HAS_CHUNKS = 1;
var HAS_REST = 2;
function encodeNode(n) {
  try {
    return encodeCompact(n);
  } catch {
    return Buffer.concat([Buffer.of(WHOLE_V8), v8.serialize(n)]);
  }
}
function encodeCompact(n) {
  const a = n.attr;
  const slices = n.chunks.reduce((k, c) => k + c.slices.length, 0);
  const hasRest = !!(n.symlink || n.xattrs.length || n.accessAcl || n.defaultAcl);
  const rest = hasRest ? v8.serialize({ symlink: n.symlink, xattrs: n.xattrs, accessAcl: n.accessAcl, defaultAcl: n.defaultAcl }) : null;
  const chunkBytes = n.chunks.length ? 4 + n.chunks.length * 8 + slices * 24 : 0;
  const b = Buffer.allocUnsafe(2 + ATTR_BYTES + chunkBytes + (rest?.length ?? 0));
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  b[0] = COMPACT;
  b[1] = (n.chunks.length ? HAS_CHUNKS : 0) | (rest ? HAS_REST : 0);
  u64(v, 2, a.inode);
  v.setUint8(10, u(a.flags, 255));
  v.setUint8(11, u(TYPE_CODE[a.type] ?? -1, 255));
  v.setUint16(12, u(a.mode, 65535));
  v.setUint32(14, u(a.uid, 4294967295));
  v.setUint32(18, u(a.gid, 4294967295));
  i64(v, 22, a.atime);
  i64(v, 30, a.mtime);
  i64(v, 38, a.ctime);
  v.setUint32(46, u(a.atimensec, 4294967295));
  v.setUint32(50, u(a.mtimensec, 4294967295));
  v.setUint32(54, u(a.ctimensec, 4294967295));
  v.setUint32(58, u(a.nlink, 4294967295));
  u64(v, 62, a.length);
  v.setUint32(70, u(a.rdev, 4294967295));
  v.setUint8(74, u(a.tier, 255));
  let o = 2 + ATTR_BYTES;
  if (n.chunks.length) {
    v.setUint32(o, n.chunks.length);
    o += 4;
    for (const c of n.chunks) {
      v.setUint32(o, u(c.index, 4294967295));
      v.setUint32(o + 4, c.slices.length);
      o += 8;
      for (const s of c.slices) {
        u64(v, o, s.id);
        v.setUint32(o + 8, u(s.pos, 4294967295));
        v.setUint32(o + 12, u(s.size, 4294967295));
        v.setUint32(o + 16, u(s.off, 4294967295));
        v.setUint32(o + 20, u(s.len, 4294967295));
        o += 24;
      }
    }
  }
  if (rest) rest.copy(b, o);
  return b;
}
function u(x, max) {
  if (!Number.isInteger(x) || x < 0 || x > max) throw new RangeError(`${x} does not fit`);
  return x;
}
function u64(v, o, x) {
  if (x < 0n || x > 0xffffffffffffffffn) throw new RangeError(`${x} does not fit`);
  v.setBigUint64(o, x);
}
function i64(v, o, x) {
  if (x < -(1n << 63n) || x >= 1n << 63n) throw new RangeError(`${x} does not fit`);
  v.setBigInt64(o, x);
}
function decodeNode(b, opts = {}) {
  if (b[0] === WHOLE_V8) return v8.deserialize(b.subarray(1));
  if (b[0] !== COMPACT) throw new JfsError("corrupt-input", `backup index: unknown node encoding ${b[0]}: index the backup again`);
  const type = typeFromCode(b[11]);
  if (!type) throw new JfsError("corrupt-input", `backup index: bad type code ${b[11]}: index the backup again`);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const node = {
    attr: {
      inode: v.getBigUint64(2),
      flags: b[10],
      type,
      mode: v.getUint16(12),
      uid: v.getUint32(14),
      gid: v.getUint32(18),
      atime: v.getBigInt64(22),
      mtime: v.getBigInt64(30),
      ctime: v.getBigInt64(38),
      atimensec: v.getUint32(46),
      mtimensec: v.getUint32(50),
      ctimensec: v.getUint32(54),
      nlink: v.getUint32(58),
      length: v.getBigUint64(62),
      rdev: v.getUint32(70),
      tier: b[74]
    },
    xattrs: [],
    chunks: []
  };
  let o = 2 + ATTR_BYTES;
  if (b[1] & HAS_CHUNKS && opts.chunks === false) {
    const count = v.getUint32(o);
    o += 4;
    for (let i = 0; i < count; i++) o += 8 + v.getUint32(o + 4) * 24;
  } else if (b[1] & HAS_CHUNKS) {
    const count = v.getUint32(o);
    o += 4;
    for (let i = 0; i < count; i++) {
      const chunk = { index: v.getUint32(o), slices: [] };
      const slices = v.getUint32(o + 4);
      o += 8;
      for (let k = 0; k < slices; k++, o += 24) {
        chunk.slices.push({ id: v.getBigUint64(o), pos: v.getUint32(o + 8), size: v.getUint32(o + 12), off: v.getUint32(o + 16), len: v.getUint32(o + 20) });
      }
      node.chunks.push(chunk);
    }
  }
  if (b[1] & HAS_REST) {
    const rest = v8.deserialize(b.subarray(o));
    if (rest.symlink) node.symlink = rest.symlink;
    node.xattrs = rest.xattrs;
    if (rest.accessAcl) node.accessAcl = rest.accessAcl;
    if (rest.defaultAcl) node.defaultAcl = rest.defaultAcl;
  }
  return node;
}

// lib/inspect/backup.ts
var INDEX_VERSION = 2;
var BATCH_ROWS = 2e3;
var ROWS_PER_INSERT = 100;
var PROGRESS_EVERY = 1e4;
var SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entries (
  id     INTEGER PRIMARY KEY,  -- stream order (post-order)
  parent INTEGER,              -- directory id of the containing directory; NULL for a tree root
  ord    INTEGER NOT NULL,     -- rank among siblings in raw-name byte order
  name   BLOB NOT NULL,        -- raw name bytes
  lname  TEXT NOT NULL,        -- lowercased display name, for filters
  dir    INTEGER,              -- directories: their own directory id
  nchild INTEGER,              -- directories: number of entries
  node   BLOB NOT NULL         -- DumpNode, nodecodec.ts
);`;
var INDEXES = `
CREATE INDEX entries_page ON entries(parent, ord);
CREATE INDEX entries_name ON entries(parent, name);
CREATE UNIQUE INDEX entries_dir ON entries(dir) WHERE dir IS NOT NULL;`;
function plain(v) {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
function quotaRecord(m) {
  const out = {};
  for (const k of [...m.keys()].map(String).sort()) {
    const q = m.get(BigInt(k));
    out[k] = { maxSpace: q.maxSpace.toString(), maxInodes: q.maxInodes.toString() };
  }
  return out;
}
function emptyStoredHeader() {
  return { setting: null, counters: null, sustained: [], delFiles: [], quotas: /* @__PURE__ */ new Map(), userQuotas: /* @__PURE__ */ new Map(), groupQuotas: /* @__PURE__ */ new Map(), changeLog: null };
}
async function writeIndexFile(indexPath, build, cleanup) {
  const started = Date.now();
  const tmpPath = `${indexPath}.tmp-${process.pid}-${Date.now()}`;
  await rm(tmpPath, { force: true });
  const db = new Database(tmpPath);
  let ok = false;
  try {
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -65536");
    db.pragma("temp_store = FILE");
    db.exec(SCHEMA);
    const insertSql = (rows2) => "INSERT INTO entries (parent, ord, name, lname, dir, nchild, node) VALUES " + Array(rows2).fill("(?, ?, ?, ?, ?, ?, ?)").join(", ");
    const insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
    const insertOne = db.prepare(insertSql(1));
    let rows = [];
    const flush = () => {
      let i = 0;
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) insertMany.run(rows.slice(i, i + ROWS_PER_INSERT).flat());
      for (; i < rows.length; i++) insertOne.run(rows[i]);
      rows = [];
    };
    db.exec("BEGIN");
    const built = await build({
      db,
      tmpPath,
      push(row) {
        rows.push(row);
        if (rows.length >= BATCH_ROWS) flush();
      }
    });
    flush();
    const { header } = built;
    db.exec(INDEXES);
    built.afterRows?.();
    const info = BackupIndexInfoSchema.parse({
      indexVersion: INDEX_VERSION,
      bytes: built.bytes,
      entries: built.entries,
      directories: built.directories,
      trees: built.trees,
      setting: header.setting ? plain(header.setting) : {},
      counters: header.counters ? plain(header.counters) : {},
      quotas: { dir: quotaRecord(header.quotas), user: quotaRecord(header.userQuotas), group: quotaRecord(header.groupQuotas) },
      delFiles: header.delFiles.length,
      sustainedInodes: header.sustained.reduce((n, s) => n + s.inodes.length, 0),
      changeLogEntries: header.changeLog?.length ?? 0,
      durationMs: Date.now() - started
    });
    const putMeta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    putMeta.run("header", v82.serialize(header));
    putMeta.run("info", Buffer.from(JSON.stringify(info)));
    db.exec("COMMIT");
    db.close();
    await cleanup?.();
    await rename(tmpPath, indexPath);
    ok = true;
    return info;
  } finally {
    if (!ok) {
      if (db.open) db.close();
      await cleanup?.();
      await rm(tmpPath, { force: true });
    }
  }
}
async function indexBackup(input, indexPath, opts = {}) {
  return indexCountedInput(
    input,
    opts,
    (counted) => writeIndexFile(indexPath, async ({ db, push }) => {
      const header = emptyStoredHeader();
      const open = new OpenDirs();
      const unsorted = [];
      const trees = [];
      let entries = 0;
      let directories = 0;
      const visitor = {
        ...collectHeader(header),
        setting: (s) => void (header.setting = maskSecrets(s)),
        treeStart: (t) => void trees.push(t),
        entry: (e) => {
          if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
          let ord = trees.length - 1;
          let parent = null;
          if (e.parent) {
            parent = e.parent.id;
            const st = open.of(e.parent, () => ({ count: 0, last: null, sorted: true }));
            ord = st.count++;
            if (st.last && Buffer.compare(st.last, e.name) >= 0) st.sorted = false;
            st.last = e.name;
          }
          let dir = null;
          let nchild = null;
          if (e.isDir && e.self) {
            dir = e.self.id;
            const st = open.close(e.self);
            nchild = st?.count ?? 0;
            if (st && !st.sorted) unsorted.push(dir);
            directories++;
          }
          push([parent, ord, e.name, displayName(e.name).toLowerCase(), dir, nchild, encodeNode(e.node)]);
          entries++;
          if (opts.onProgress && entries % PROGRESS_EVERY === 0) opts.onProgress({ bytes: counted.bytes, entries });
        }
      };
      await readDump(counted, visitor);
      if (!trees.includes("FSTree")) throw new InspectRequestError("the dump has no FSTree: it is not a JuiceFS metadata dump, or it is cut short");
      const rerank = () => {
        const stmt = db.prepare(
          `UPDATE entries SET ord = r.rank FROM
             (SELECT id, row_number() OVER (ORDER BY name, id) - 1 AS rank FROM entries WHERE parent = ?) AS r
           WHERE entries.id = r.id`
        );
        for (const d of unsorted) stmt.run(d);
      };
      return { header, bytes: counted.bytes, entries, directories, trees, afterRows: rerank };
    })
  );
}
async function indexCountedInput(input, opts, build) {
  const counted = new ByteCounter();
  let ok = false;
  try {
    pipeline(input, counted, () => {
    });
    const info = await build(counted);
    ok = true;
    opts.onProgress?.({ bytes: info.bytes, entries: info.entries });
    return info;
  } finally {
    if (!ok) counted.destroy();
  }
}
function openIndex(indexPath) {
  let db;
  try {
    db = new Database(indexPath, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new InspectNotFoundError(`no backup index at ${indexPath} (${err.message}): index the backup first`, { cause: err });
  }
  let version;
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'info'").get();
    version = row ? JSON.parse(row.value.toString()).indexVersion : void 0;
  } catch {
    version = void 0;
  }
  if (version !== INDEX_VERSION) {
    db.close();
    throw new InspectRequestError(`${indexPath} is not a backup index of version ${INDEX_VERSION}: index the backup again`);
  }
  return db;
}
function readBackupIndexInfo(indexPath) {
  const db = openIndex(indexPath);
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'info'").get();
    return BackupIndexInfoSchema.parse(JSON.parse(row.value.toString()));
  } finally {
    db.close();
  }
}
var COLS = "id, parent, ord, name, dir, nchild, node";
var IndexReader = class {
  db;
  byDir;
  page;
  after;
  dirsAfter;
  matchingOrds;
  byOrd;
  byName;
  rootByName;
  roots;
  matchers = null;
  constructor(indexPath) {
    this.db = openIndex(indexPath);
    this.db.function("jfs_match", { deterministic: true }, (lname, pattern) => {
      let m = this.matchers;
      if (!m || m.pattern !== pattern) m = this.matchers = { pattern: String(pattern), match: nameMatcher(String(pattern)) };
      return m.match(String(lname)) ? 1 : 0;
    });
    this.db.function("jfs_inode", { deterministic: true }, (node) => String(decodeNode(node).attr.inode));
    this.byDir = this.db.prepare(`SELECT ${COLS} FROM entries WHERE dir = ?`);
    this.page = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord >= ? ORDER BY ord LIMIT ?`);
    this.after = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord > ? ORDER BY ord LIMIT ?`);
    this.dirsAfter = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord > ? AND dir IS NOT NULL ORDER BY ord LIMIT ?`);
    this.matchingOrds = this.db.prepare("SELECT ord FROM entries WHERE parent = ? AND instr(lname, ?) > 0 ORDER BY ord").pluck();
    this.byOrd = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND ord = ?`);
    this.byName = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent = ? AND name = ?`);
    this.rootByName = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent IS NULL AND name = ?`);
    this.roots = this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent IS NULL ORDER BY ord`);
  }
  header() {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'header'").get();
    return v82.deserialize(row.value);
  }
  dir(dirId) {
    const id = /^\d{1,15}$/.test(dirId) ? Number(dirId) : NaN;
    const row = Number.isSafeInteger(id) ? this.byDir.get(id) : void 0;
    if (!row) throw new InspectNotFoundError(`no directory with id "${dirId}" in this backup index`);
    return row;
  }
  /** Up to `limit` entries of a directory from rank `ord` on. */
  pageFrom(dir, ord, limit) {
    return this.page.all(dir, ord, limit);
  }
  /** Up to `limit` entries ranked after `ord` (keyset paging for walks). */
  pageAfter(dir, ord, limit) {
    return this.after.all(dir, ord, limit);
  }
  /** Up to `limit` sub-directories ranked after `ord`. */
  dirsPageAfter(dir, ord, limit) {
    return this.dirsAfter.all(dir, ord, limit);
  }
  /** Ranks (ord) of the entries whose display name contains `needle`, in order. */
  matchingRanks(dir, needle) {
    return Uint32Array.from(this.matchingOrds.all(dir, needle));
  }
  atRank(dir, ord) {
    return this.byOrd.get(dir, ord);
  }
  /** Rows whose name matches, in stream order: a page, or the count. */
  nameMatches(pattern, offset, limit) {
    return this.db.prepare(`SELECT ${COLS} FROM entries WHERE parent IS NOT NULL AND jfs_match(lname, ?) ORDER BY id LIMIT ? OFFSET ?`).all(pattern, limit, offset);
  }
  nameMatchCount(pattern) {
    return this.db.prepare("SELECT count(*) FROM entries WHERE parent IS NOT NULL AND jfs_match(lname, ?)").pluck().get(pattern);
  }
  /** Every row of an inode (a hard link has one per path), in stream order. The compact node encoding holds it at bytes 2–9. */
  inodeRows(inode) {
    const be = Buffer.alloc(8);
    be.writeBigUInt64BE(inode);
    return this.db.prepare(
      `SELECT ${COLS} FROM entries WHERE (substr(node, 1, 1) = x'01' AND substr(node, 3, 8) = ?)
           OR (substr(node, 1, 1) = x'00' AND jfs_inode(node) = ?) ORDER BY id`
    ).all(be, String(inode));
  }
  /** The raw names from the tree root down to `row`, and which tree it is in. */
  namesOf(row) {
    const names = [];
    let cur = row;
    while (cur.parent !== null) {
      names.push(cur.name);
      cur = this.dir(String(cur.parent));
    }
    return { names: names.reverse(), tree: cur.name.toString() === "Trash" ? "Trash" : "FSTree" };
  }
  lookup(dir, name) {
    return dir === null ? this.rootByName.get(name) : this.byName.get(dir, name);
  }
  close() {
    this.db.close();
  }
};
function nodeOf(row) {
  return decodeNode(row.node);
}
function itemOf(row) {
  const node = nodeOf(row);
  const dir = row.dir !== null ? { dirId: String(row.dir), hasChildren: (row.nchild ?? 0) > 0, childCount: row.nchild ?? 0 } : void 0;
  return treeItemOf(row.name, node.attr, dir);
}
var IndexedBackupSource = class {
  constructor(index) {
    this.index = index;
  }
  index;
  kind = "backup";
  filterRanks = /* @__PURE__ */ new Map();
  findTotals = /* @__PURE__ */ new Map();
  async roots() {
    return this.index.roots.all().map(itemOf);
  }
  async root() {
    const row = this.index.lookup(null, Buffer.from("FSTree"));
    if (!row) throw new InspectNotFoundError("this backup index has no FSTree");
    return itemOf(row);
  }
  async children(dirId, offset, limit, filter) {
    checkPage(offset, limit);
    const dir = this.index.dir(dirId);
    const id = dir.dir;
    const needle = filter?.trim().toLowerCase();
    if (!needle) {
      return { total: dir.nchild ?? 0, offset, items: this.index.pageFrom(id, offset, limit).map(itemOf) };
    }
    const key = `${id}\0${needle}`;
    let ranks = this.filterRanks.get(key);
    if (!ranks) {
      ranks = this.index.matchingRanks(id, needle);
      if (this.filterRanks.size >= 16) this.filterRanks.delete(this.filterRanks.keys().next().value);
    }
    this.filterRanks.delete(key);
    this.filterRanks.set(key, ranks);
    const page = Array.from(ranks.subarray(offset, offset + limit), (ord) => itemOf(this.index.atRank(id, ord)));
    return { total: ranks.length, offset, items: page };
  }
  hit(row) {
    const { names, tree } = this.index.namesOf(row);
    return { ...pathOf(names, tree), ...row.parent !== null ? { parentDirId: String(row.parent) } : {}, item: itemOf(row) };
  }
  async find(q) {
    checkPage(q.offset, q.limit);
    if (q.by === "path") {
      let row = this.index.lookup(null, Buffer.from("FSTree"));
      for (const name of pathNames(q.q)) row = row?.dir != null ? this.index.lookup(row.dir, name) : void 0;
      const hits = row ? [this.hit(row)] : [];
      return { total: hits.length, offset: q.offset, hits: hits.slice(q.offset, q.offset + q.limit) };
    }
    if (q.by === "inode") {
      const rows = this.index.inodeRows(parseInodeQuery(q.q));
      return { total: rows.length, offset: q.offset, hits: rows.slice(q.offset, q.offset + q.limit).map((r) => this.hit(r)) };
    }
    const key = q.q.toLowerCase();
    let total = this.findTotals.get(key);
    if (total === void 0) {
      total = this.index.nameMatchCount(key);
      if (this.findTotals.size >= 16) this.findTotals.delete(this.findTotals.keys().next().value);
      this.findTotals.set(key, total);
    }
    return { total, offset: q.offset, hits: this.index.nameMatches(key, q.offset, q.limit).map((r) => this.hit(r)) };
  }
  async entry(dirId, name) {
    const raw = unescapeName(name);
    const parent = dirId === null ? null : this.index.dir(dirId).dir;
    const row = this.index.lookup(parent, raw);
    if (!row) {
      throw new InspectNotFoundError(
        dirId === null ? `no tree named "${name}" in this backup` : `no entry "${name}" in directory ${dirId} of this backup`
      );
    }
    return describeEntry(raw, nodeOf(row), row.dir !== null ? { childCount: row.nchild ?? 0 } : {});
  }
  async close() {
    this.filterRanks.clear();
    this.index.close();
  }
};
function openIndexedBackup(indexPath) {
  return new IndexedBackupSource(new IndexReader(indexPath));
}
async function exportSubdirFromBackup(indexPath, dirId, out, opts = {}) {
  const batchRows = opts.batchRows ?? 1e3;
  const index = new IndexReader(indexPath);
  try {
    const top = index.dir(dirId);
    const h = index.header();
    if (!h.setting || !h.counters) {
      throw new InspectRequestError("this backup has no Setting or Counters, so no loadable dump can be made of it");
    }
    const setting = { ...h.setting, Tiers: effectiveTiers(h.setting) };
    const counters = { ...h.counters };
    delete counters.nextCleanupSlices;
    if (!setting.ChangeLog) delete counters.lastChangelog;
    const header = {
      setting,
      counters,
      sustained: h.sustained,
      delFiles: h.delFiles,
      quotas: h.quotas,
      ...h.changeLog ? { changeLog: h.changeLog } : {}
    };
    const writer = new JsonDumpWriter(out);
    await writer.header(header);
    await writer.beginDir("FSTree", nodeOf(top));
    let entries = 1;
    const stack = [{ dir: top.dir, rows: [], i: 0, lastOrd: -1 }];
    while (stack.length) {
      const cur = stack[stack.length - 1];
      if (cur.i >= cur.rows.length) {
        cur.rows = index.pageAfter(cur.dir, cur.lastOrd, batchRows);
        cur.i = 0;
        if (!cur.rows.length) {
          await writer.endDir();
          stack.pop();
          continue;
        }
        cur.lastOrd = cur.rows[cur.rows.length - 1].ord;
      }
      const row = cur.rows[cur.i++];
      if (opts.signal?.aborted) throw new InspectRequestError("the export was cancelled");
      if (++entries % PROGRESS_EVERY === 0) opts.onProgress?.({ entries });
      if (row.dir !== null) {
        await writer.beginDir(row.name, nodeOf(row));
        stack.push({ dir: row.dir, rows: [], i: 0, lastOrd: -1 });
      } else {
        await writer.leaf(row.name, nodeOf(row));
      }
    }
    await writer.end();
    opts.onProgress?.({ entries });
  } finally {
    index.close();
  }
}
function* pagesOf(page, max = 1e3) {
  let limit = 32;
  let after = -1;
  for (; ; ) {
    const rows = page(after, limit);
    if (rows.length) yield rows;
    if (rows.length < limit) return;
    after = rows[rows.length - 1].ord;
    limit = Math.min(max, limit * 4);
  }
}
function resolveSubdir(index, subdir) {
  let row = index.lookup(null, Buffer.from("FSTree"));
  if (!row) throw new InspectNotFoundError("this backup index has no FSTree");
  const walked = [];
  for (const part of (subdir ?? "").split("/").filter(Boolean)) {
    walked.push(part);
    const next = row.dir !== null ? index.lookup(row.dir, unescapeName(part)) : void 0;
    if (!next) throw new InspectNotFoundError(`no directory /${walked.join("/")} in this backup`);
    row = next;
  }
  if (row.dir === null) throw new InspectNotFoundError(`/${walked.join("/")} is not a directory in this backup`);
  return row;
}
function openIndexDiffSide(indexPath) {
  const index = new IndexReader(indexPath);
  const toDiff = (r) => diffNodeOf(r.name, decodeNode(r.node, { chunks: false }), r.dir !== null ? String(r.dir) : void 0);
  return {
    async top(subdir) {
      return String(resolveSubdir(index, subdir).dir);
    },
    async *children(dirId, dirsOnly) {
      const id = Number(dirId);
      const page = dirsOnly ? (after, n) => index.dirsPageAfter(id, after, n) : (after, n) => index.pageAfter(id, after, n);
      for (const rows of pagesOf(page)) yield rows.map(toDiff);
    },
    async close() {
      index.close();
    }
  };
}

export {
  encodeNode,
  decodeNode,
  emptyStoredHeader,
  writeIndexFile,
  indexBackup,
  indexCountedInput,
  readBackupIndexInfo,
  openIndexedBackup,
  exportSubdirFromBackup,
  openIndexDiffSide
};
