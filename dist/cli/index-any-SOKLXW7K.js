import {
  decodeNode,
  emptyStoredHeader,
  encodeNode,
  indexBackup,
  indexCountedInput,
  writeIndexFile
} from "./chunk-POC7LDLW.js";
import {
  InspectRequestError
} from "./chunk-D4L2BVNW.js";
import {
  displayName
} from "./chunk-YO3SMYIS.js";
import {
  BinaryHeaderParts
} from "./chunk-RV477GGG.js";
import "./chunk-2HH2CB6Y.js";
import {
  BinaryStructureCheck
} from "./chunk-OQKBTTKU.js";
import "./chunk-FY4XRHOE.js";
import "./chunk-FSMRZZN3.js";
import {
  detectDumpFormat
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import {
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import "./chunk-T4KSQL2Z.js";
import {
  BinaryDumpError
} from "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import {
  effectiveTiers,
  maskSecrets
} from "./chunk-OHKNE627.js";
import {
  SLICE_BYTES,
  decodeAcl,
  decodeSlice,
  encodeAcl,
  encodeSlice
} from "./chunk-GEL7VY43.js";
import {
  CHUNK_SIZE,
  ROOT_INODE,
  TRASH_INODE,
  TYPE_CODE
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/inspect/binary-index.ts
import { rm } from "node:fs/promises";
var STAGE_SCHEMA = `
CREATE TABLE stage.nodes (inode INTEGER PRIMARY KEY, type INTEGER NOT NULL, climit INTEGER NOT NULL, acc INTEGER, dft INTEGER, node BLOB NOT NULL);
CREATE TABLE stage.edges (parent INTEGER NOT NULL, name BLOB NOT NULL, inode INTEGER NOT NULL);
CREATE TABLE stage.chunks (inode INTEGER NOT NULL, idx INTEGER NOT NULL, slices BLOB NOT NULL);
CREATE TABLE stage.symlinks (inode INTEGER PRIMARY KEY, target BLOB NOT NULL);
CREATE TABLE stage.xattrs (inode INTEGER NOT NULL, name BLOB NOT NULL, value BLOB NOT NULL);
CREATE TABLE stage.acls (id INTEGER PRIMARY KEY, rule BLOB NOT NULL);`;
var STAGE_INDEXES = [
  ["CREATE UNIQUE INDEX stage.edges_name ON edges(parent, name)", "two directory entries of one name in one directory"],
  ["CREATE UNIQUE INDEX stage.chunks_at ON chunks(inode, idx)", "a chunk stored twice (one inode and index)"],
  ["CREATE UNIQUE INDEX stage.xattrs_name ON xattrs(inode, name)", "an extended attribute stored twice (one inode and name)"]
];
var ROWS_PER_INSERT = 100;
var FIRST_PAGE = 32;
var MAX_PAGE = 1e3;
var PROGRESS_EVERY = 1e4;
var CHUNK = BigInt(CHUNK_SIZE);
var i64 = (inode) => BigInt.asIntN(64, inode);
var u64 = (v) => BigInt.asUintN(64, v);
var StagedTable = class {
  constructor(db, table, cols) {
    this.cols = cols;
    const values = (n) => Array(n).fill(`(${Array(cols).fill("?").join(", ")})`).join(", ");
    this.many = db.prepare(`INSERT INTO stage.${table} VALUES ${values(ROWS_PER_INSERT)}`);
    this.one = db.prepare(`INSERT INTO stage.${table} VALUES ${values(1)}`);
  }
  cols;
  rows = [];
  many;
  one;
  push(...values) {
    for (const v of values) this.rows.push(v);
    if (this.rows.length >= ROWS_PER_INSERT * this.cols * 20) this.flush();
  }
  flush() {
    const per = ROWS_PER_INSERT * this.cols;
    let i = 0;
    for (; i + per <= this.rows.length; i += per) this.many.run(this.rows.slice(i, i + per));
    for (; i < this.rows.length; i += this.cols) this.one.run(this.rows.slice(i, i + this.cols));
    this.rows = [];
  }
};
function storedHeader(check, parts) {
  const setting = check.setting;
  const counters = { ...check.counters };
  delete counters.nextCleanupSlices;
  if (!setting.ChangeLog) delete counters.lastChangelog;
  const limited = (m) => new Map([...m].filter(([, q]) => !(q.maxSpace === -1n && q.maxInodes === -1n)));
  const header = emptyStoredHeader();
  header.setting = maskSecrets({ ...setting, Tiers: effectiveTiers(setting) });
  header.counters = counters;
  header.sustained = parts.sustainedBySession();
  header.delFiles = parts.delFiles;
  header.quotas = parts.quotasByKey("dir");
  header.userQuotas = limited(parts.quotasByKey("user"));
  header.groupQuotas = limited(parts.quotasByKey("group"));
  header.changeLog = parts.changeLog;
  return header;
}
async function stage(db, input, opts, bytesRead) {
  db.exec(STAGE_SCHEMA);
  const nodes = new StagedTable(db, "nodes", 6);
  const edges = new StagedTable(db, "edges", 3);
  const chunks = new StagedTable(db, "chunks", 3);
  const symlinks = new StagedTable(db, "symlinks", 2);
  const xattrs = new StagedTable(db, "xattrs", 3);
  const acls = new StagedTable(db, "acls", 2);
  const check = new BinaryStructureCheck();
  const parts = new BinaryHeaderParts({ changeLog: true });
  let records = 0;
  const tick = (n) => {
    if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
    const before = records;
    records += n;
    if (opts.onProgress && Math.floor(before / PROGRESS_EVERY) !== Math.floor(records / PROGRESS_EVERY)) opts.onProgress({ bytes: bytesRead(), entries: 0 });
  };
  const slices = Buffer.allocUnsafe(SLICE_BYTES);
  const visitor = {
    format: (s, at) => check.format(s, at),
    counters: (c) => check.counter(c),
    nodes(list, at) {
      for (const n of list) {
        check.node(n, at);
        const attr = n.attr;
        const regular = attr.type === "regular";
        if (!regular) attr.length = 0n;
        const climit = regular ? (attr.length + CHUNK - 1n) / CHUNK : 0n;
        nodes.push(i64(attr.inode), TYPE_CODE[attr.type], climit, n.accessAcl || null, n.defaultAcl || null, encodeNode({ attr, xattrs: [], chunks: [] }));
      }
      tick(list.length);
    },
    edges(list) {
      for (const e of list) {
        check.edge(e);
        edges.push(i64(e.parent), e.name, i64(e.inode));
      }
      tick(list.length);
    },
    chunks(list) {
      for (const { inode, chunk } of list) {
        check.chunk(chunk.slices.length);
        if (!chunk.slices.length) continue;
        const raw = Buffer.allocUnsafe(chunk.slices.length * SLICE_BYTES);
        chunk.slices.forEach((s, k) => encodeSlice(s, slices).copy(raw, k * SLICE_BYTES));
        chunks.push(i64(inode), chunk.index, raw);
      }
      tick(list.length);
    },
    symlinks(list) {
      for (const s of list) if (s.target.length) symlinks.push(i64(s.inode), s.target);
      tick(list.length);
    },
    xattrs(list) {
      for (const x of list) xattrs.push(i64(x.inode), x.xattr.name, x.xattr.value);
      tick(list.length);
    },
    acls(list, at) {
      for (const a of list) {
        check.acl(a, at);
        acls.push(a.id, encodeAcl(a.rule));
      }
    },
    ...parts.visitor()
  };
  try {
    await readBinaryDump(input, visitor);
  } catch (err) {
    if (err instanceof BinaryDumpError) throw new JfsError("corrupt-input", `invalid binary dump: ${err.message}`, { cause: err });
    throw err;
  }
  for (const t of [nodes, edges, chunks, symlinks, xattrs, acls]) t.flush();
  check.finish();
  for (const [sql, what] of STAGE_INDEXES) {
    try {
      db.exec(sql);
    } catch (err) {
      if (err.code === "SQLITE_CONSTRAINT_UNIQUE") throw new JfsError("corrupt-input", `invalid binary dump: it holds ${what}`, { cause: err });
      throw err;
    }
  }
  return storedHeader(check, parts);
}
var Staged = class {
  page;
  one;
  pageChunks;
  pageXattrs;
  inodeChunks;
  inodeXattrs;
  acl;
  acls = /* @__PURE__ */ new Map();
  constructor(db) {
    const extras = (inode) => `n.type, n.node, n.acc, n.dft,
      CASE WHEN n.type = ${TYPE_CODE.symlink} THEN (SELECT target FROM stage.symlinks s WHERE s.inode = ${inode}) END AS target,
      n.climit > 0 AS hasChunks,
      EXISTS (SELECT 1 FROM stage.xattrs x WHERE x.inode = ${inode}) AS hasXattrs`;
    this.page = db.prepare(
      `SELECT e.name, e.inode, ${extras("e.inode")} FROM stage.edges e JOIN stage.nodes n ON n.inode = e.inode
         WHERE e.parent = ? AND e.name > ? ORDER BY e.name LIMIT ?`
    ).safeIntegers(true);
    this.one = db.prepare(`SELECT n.inode, ${extras("n.inode")} FROM stage.nodes n WHERE n.inode = ?`).safeIntegers(true);
    const inPage = "SELECT e.inode FROM stage.edges e WHERE e.parent = ? AND e.name >= ? AND e.name <= ?";
    this.pageChunks = db.prepare(
      `SELECT c.inode, c.idx, c.slices FROM stage.chunks c JOIN stage.nodes n ON n.inode = c.inode
         WHERE c.inode IN (${inPage}) AND c.idx < n.climit ORDER BY c.inode, c.idx`
    ).safeIntegers(true);
    this.pageXattrs = db.prepare(`SELECT inode, name, value FROM stage.xattrs WHERE inode IN (${inPage}) ORDER BY inode, name`).safeIntegers(true);
    this.inodeChunks = db.prepare(
      `SELECT c.inode, c.idx, c.slices FROM stage.chunks c JOIN stage.nodes n ON n.inode = c.inode
         WHERE c.inode = ? AND c.idx < n.climit ORDER BY c.idx`
    ).safeIntegers(true);
    this.inodeXattrs = db.prepare("SELECT inode, name, value FROM stage.xattrs WHERE inode = ? ORDER BY name").safeIntegers(true);
    this.acl = db.prepare("SELECT rule FROM stage.acls WHERE id = ?").pluck();
  }
  /** Up to `limit` children of `dir` named after `after`, in raw-name byte order, nodes complete. */
  children(dir, after, limit) {
    const rows = this.page.all(i64(dir), after, limit);
    if (!rows.length) return [];
    const range = [i64(dir), rows[0].name, rows[rows.length - 1].name];
    const chunks = rows.some((r) => r.hasChunks) ? groupChunks(this.pageChunks.all(...range)) : null;
    const xattrs = rows.some((r) => r.hasXattrs) ? groupXattrs(this.pageXattrs.all(...range)) : null;
    return rows.map((r) => ({ name: r.name, type: Number(r.type), inode: u64(r.inode), node: this.complete(r, chunks, xattrs) }));
  }
  /** One stored node, complete; null when it is not stored. */
  node(inode) {
    const r = this.one.get(i64(inode));
    if (!r) return null;
    const chunks = r.hasChunks ? groupChunks(this.inodeChunks.all(i64(inode))) : null;
    const xattrs = r.hasXattrs ? groupXattrs(this.inodeXattrs.all(i64(inode))) : null;
    return { type: Number(r.type), node: this.complete(r, chunks, xattrs) };
  }
  /** The staged node with its chunks, xattrs, symlink target and ACL rules (toDumpNode's rules: applied when staged and in the queries). */
  complete(r, chunks, xattrs) {
    if (!r.hasChunks && !r.hasXattrs && !r.target && r.acc === null && r.dft === null) return r.node;
    const n = decodeNode(r.node);
    if (r.hasChunks) n.chunks = chunks?.get(r.inode) ?? [];
    if (!n.chunks.length && !r.hasXattrs && !r.target && r.acc === null && r.dft === null) return r.node;
    if (r.hasXattrs) n.xattrs = xattrs?.get(r.inode) ?? [];
    if (r.target) n.symlink = r.target;
    if (r.acc !== null) n.accessAcl = this.rule(Number(r.acc));
    if (r.dft !== null) n.defaultAcl = this.rule(Number(r.dft));
    return encodeNode(n);
  }
  rule(id) {
    let rule = this.acls.get(id);
    if (!rule) {
      const r = decodeAcl(this.acl.get(id));
      rule = { owner: r.owner, group: r.group, other: r.other, mask: r.mask, users: r.users, groups: r.groups };
      if (this.acls.size >= 4096) this.acls.clear();
      this.acls.set(id, rule);
    }
    return rule;
  }
};
function groupChunks(rows) {
  const out = /* @__PURE__ */ new Map();
  for (const r of rows) {
    let list = out.get(r.inode);
    if (!list) out.set(r.inode, list = []);
    const slices = [];
    for (let o = 0; o < r.slices.length; o += SLICE_BYTES) slices.push(decodeSlice(r.slices.subarray(o, o + SLICE_BYTES)));
    list.push({ index: Number(r.idx), slices });
  }
  return out;
}
function groupXattrs(rows) {
  const out = /* @__PURE__ */ new Map();
  for (const r of rows) {
    let list = out.get(r.inode);
    if (!list) out.set(r.inode, list = []);
    list.push({ name: r.name, value: r.value });
  }
  return out;
}
var ZERO_ATTR = (inode) => ({
  inode,
  flags: 0,
  type: "directory",
  mode: 0,
  uid: 0,
  gid: 0,
  atime: 0n,
  mtime: 0n,
  ctime: 0n,
  atimensec: 0,
  mtimensec: 0,
  ctimensec: 0,
  nlink: 2,
  length: 0n,
  rdev: 0,
  tier: 0
});
async function indexBinaryBackup(input, indexPath, opts = {}) {
  let stagePath = null;
  return indexCountedInput(
    input,
    opts,
    (counted) => writeIndexFile(
      indexPath,
      async ({ db, tmpPath, push }) => {
        stagePath = `${tmpPath}.stage`;
        await rm(stagePath, { force: true });
        db.exec("COMMIT");
        db.prepare("ATTACH DATABASE ? AS stage").run(stagePath);
        db.pragma("stage.journal_mode = OFF");
        db.pragma("stage.synchronous = OFF");
        db.pragma("stage.cache_size = -16384");
        db.exec("BEGIN");
        const header = await stage(db, counted, opts, () => counted.bytes);
        const staged = new Staged(db);
        let entries = 0;
        let directories = 0;
        let nextDir = 1;
        const write = (row) => {
          push(row);
          entries++;
          if (entries % PROGRESS_EVERY === 0) {
            if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
            opts.onProgress?.({ bytes: counted.bytes, entries });
          }
        };
        const onPath = /* @__PURE__ */ new Set();
        const walk = (tree, inode, node, ord) => {
          const stack = [];
          const open = (inode2, row) => {
            if (onPath.has(inode2)) throw new JfsError("corrupt-input", `invalid binary dump: directory cycle: inode ${inode2} contains itself`);
            onPath.add(inode2);
            const dirId = nextDir++;
            row[4] = dirId;
            directories++;
            stack.push({ inode: inode2, dirId, row, count: 0, page: [], i: 0, after: Buffer.alloc(0), limit: FIRST_PAGE, listed: false });
          };
          open(inode, [null, ord, Buffer.from(tree), displayName(Buffer.from(tree)).toLowerCase(), null, null, node]);
          while (stack.length) {
            const d = stack[stack.length - 1];
            if (d.i >= d.page.length) {
              if (d.listed) {
                stack.pop();
                onPath.delete(d.inode);
                d.row[5] = d.count;
                write(d.row);
                continue;
              }
              d.page = staged.children(d.inode, d.after, d.limit);
              d.i = 0;
              d.listed = d.page.length < d.limit;
              if (d.page.length) d.after = d.page[d.page.length - 1].name;
              d.limit = Math.min(MAX_PAGE, d.limit * 4);
              continue;
            }
            const c = d.page[d.i++];
            const row = [d.dirId, d.count++, c.name, displayName(c.name).toLowerCase(), null, null, c.node];
            if (c.type === TYPE_CODE.directory) open(c.inode, row);
            else write(row);
          }
        };
        const root = staged.node(ROOT_INODE);
        if (root.type !== TYPE_CODE.directory) throw new JfsError("corrupt-input", "invalid binary dump: the root (inode 1) is not a directory");
        walk("FSTree", ROOT_INODE, root.node, 0);
        const trash = staged.node(TRASH_INODE) ?? { type: TYPE_CODE.directory, node: encodeNode({ attr: ZERO_ATTR(TRASH_INODE), xattrs: [], chunks: [] }) };
        if (trash.type !== TYPE_CODE.directory) throw new JfsError("corrupt-input", `invalid binary dump: the trash (inode ${TRASH_INODE}) is not a directory`);
        walk("Trash", TRASH_INODE, trash.node, 1);
        db.exec("COMMIT");
        db.exec("DETACH DATABASE stage");
        db.exec("BEGIN");
        return { header, bytes: counted.bytes, entries, directories, trees: ["FSTree", "Trash"] };
      },
      async () => {
        if (stagePath) for (const f of [stagePath, `${stagePath}-journal`]) await rm(f, { force: true });
      }
    )
  );
}

// lib/inspect/index-any.ts
async function indexAnyDump(input, indexPath, opts = {}) {
  const detected = await detectDumpFormat(input);
  if (detected.format !== "binary") return indexBackup(detected.input, indexPath, opts);
  opts.onBinary?.();
  return indexBinaryBackup(detected.input, indexPath, opts);
}
export {
  indexAnyDump
};
