import {
  InspectNotFoundError,
  checkPage,
  nameMatcher,
  parseInodeQuery,
  pathNames,
  pathOf
} from "./chunk-D4L2BVNW.js";
import {
  describeEntry,
  diffNodeOf,
  treeItemOf
} from "./chunk-YO3SMYIS.js";
import {
  NameTable,
  toDumpNode
} from "./chunk-42XKLXRA.js";
import "./chunk-YBUR6YUE.js";
import "./chunk-PWJI7R5M.js";
import "./chunk-WHTYQ7ZL.js";
import {
  unescapeName
} from "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TRASH_INODE
} from "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// lib/inspect/nameindex.ts
import { isAscii } from "node:buffer";
var NO_RANK = 4294967295;
var NameIndex = class _NameIndex {
  constructor(table, order, builtAt) {
    this.table = table;
    this.order = order;
    this.builtAt = builtAt;
  }
  table;
  order;
  builtAt;
  filterText = null;
  filters = /* @__PURE__ */ new Map();
  get count() {
    return this.order.length;
  }
  /** Read every batch once; sort only when the engine did not. */
  static async build(dir) {
    const table = (await NameTable.fromListing(dir.batches)).trim();
    return new _NameIndex(table, table.sortedOrder(dir.sorted), Date.now());
  }
  /** Bytes held (names, arrays, and the filter text once built), for the cache budget. */
  get size() {
    const f = this.filterText;
    return this.table.size + this.order.byteLength + (f ? f.text.length * 2 + f.starts.byteLength + (f.toRank?.byteLength ?? 0) : 0);
  }
  /** The entry at a rank in sorted order. */
  at(rank) {
    const i = this.order[rank];
    return { name: Buffer.from(this.table.name(i)), inode: this.table.inode(i), type: this.table.type(i) };
  }
  /**
   * Ranks whose display name contains `needle` (already lowercased), in sorted order.
   * The lowercased display names are held as one string, so each filter is a native
   * substring scan; results are cached.
   */
  matching(needle) {
    const hit = this.filters.get(needle);
    if (hit) return hit;
    const { text, starts, toRank } = this.filterText ??= this.buildFilterText();
    const found = [];
    const clean = needle.replaceAll("\0", "");
    for (let pos = clean ? text.indexOf(clean) : -1; pos >= 0; ) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = lo + hi + 1 >>> 1;
        if (starts[mid] <= pos) lo = mid;
        else hi = mid - 1;
      }
      const end = lo + 1 < starts.length ? starts[lo + 1] : text.length;
      if (pos + clean.length <= end) {
        const rank = toRank ? toRank[lo] : lo;
        if (rank !== NO_RANK) found.push(rank);
        pos = end < text.length ? text.indexOf(clean, end) : -1;
      } else {
        pos = text.indexOf(clean, pos + 1);
      }
    }
    const result = Uint32Array.from(found);
    if (toRank) result.sort();
    if (this.filters.size >= 4) this.filters.delete(this.filters.keys().next().value);
    this.filters.set(needle, result);
    return result;
  }
  /**
   * ASCII names (the usual case) are lowercased in one piece, in listing order, name i at
   * offsets[i]; `toRank` maps back. Other names are decoded and lowercased one by one (the
   * length can change) and joined with NUL, which no name contains, in rank order.
   */
  buildFilterText() {
    const n = this.count;
    const { names, offsets } = this.table;
    if (isAscii(names)) {
      const toRank = new Uint32Array(this.table.count).fill(NO_RANK);
      for (let r = 0; r < n; r++) toRank[this.order[r]] = r;
      return { text: names.toString("latin1").toLowerCase(), starts: offsets.subarray(0, this.table.count), toRank };
    }
    const parts = new Array(n);
    const starts = new Uint32Array(n);
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const i = this.order[r];
      parts[r] = names.toString("utf8", offsets[i], offsets[i + 1]).toLowerCase();
      starts[r] = pos;
      pos += parts[r].length + 1;
    }
    return { text: parts.join("\0"), starts, toRank: null };
  }
};

// lib/inspect/live.ts
var TREE_ROOTS = [
  ["FSTree", ROOT_INODE],
  ["Trash", TRASH_INODE]
];
function parseInode(dirId) {
  if (!/^\d{1,20}$/.test(dirId)) throw new InspectNotFoundError(`no directory with id "${dirId}": live directory ids are inode numbers`);
  return BigInt(dirId);
}
var LiveSource = class {
  constructor(engine, opts) {
    this.engine = engine;
    this.opts = opts;
    this.cacheEntries = opts.cacheEntries ?? 8;
    this.cacheBytes = opts.cacheBytes ?? 256 << 20;
    this.maxAgeMs = opts.maxAgeMs ?? 6e4;
  }
  engine;
  opts;
  kind = "live";
  cache = /* @__PURE__ */ new Map();
  building = /* @__PURE__ */ new Map();
  cacheEntries;
  cacheBytes;
  maxAgeMs;
  async nodes(entries) {
    const stored = entries.length ? await this.engine.readNodes(entries) : [];
    return stored.map(toDumpNode);
  }
  item(name, node) {
    const isDir = node.attr.type === "directory";
    return treeItemOf(name, node.attr, isDir ? { dirId: node.attr.inode.toString(), hasChildren: true } : void 0);
  }
  async roots() {
    const stored = await this.engine.readNodes(TREE_ROOTS.map(([, inode]) => ({ inode, type: "directory" })));
    const items = [];
    TREE_ROOTS.forEach(([name, inode], i) => {
      if (inode === ROOT_INODE || stored[i].attr) items.push(this.item(Buffer.from(name), toDumpNode(stored[i])));
    });
    return items;
  }
  async root() {
    return (await this.roots())[0];
  }
  /** The directory's name index: cached, shared between concurrent callers, rebuilt when old. */
  async index(dir) {
    const hit = this.cache.get(dir);
    if (hit && Date.now() - hit.builtAt <= this.maxAgeMs) {
      this.cache.delete(dir);
      this.cache.set(dir, hit);
      return hit;
    }
    const pending = this.building.get(dir);
    if (pending) return pending;
    const p = (async () => {
      const [node] = await this.engine.readNodes([{ inode: dir, type: "directory" }]);
      if (!node.attr || node.attr.type !== "directory") throw new InspectNotFoundError(`inode ${dir} is not a directory of this volume`);
      return NameIndex.build(this.engine.readDir(dir));
    })().finally(() => this.building.delete(dir));
    this.building.set(dir, p);
    const idx = await p;
    this.cache.delete(dir);
    this.cache.set(dir, idx);
    let total = 0;
    for (const v of this.cache.values()) total += v.size;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= 1 || this.cache.size <= this.cacheEntries && total <= this.cacheBytes) break;
      this.cache.delete(k);
      total -= v.size;
    }
    return idx;
  }
  async children(dirId, offset, limit, filter) {
    checkPage(offset, limit);
    const inode = parseInode(dirId);
    const idx = await this.index(inode);
    const needle = filter?.trim().toLowerCase();
    const ranks = needle ? idx.matching(needle) : null;
    const total = ranks ? ranks.length : idx.count;
    const end = Math.min(total, offset + limit);
    const entries = [];
    for (let r = offset; r < end; r++) entries.push(idx.at(ranks ? ranks[r] : r));
    const nodes = await this.nodes(entries);
    return { total, offset, items: entries.map((e, i) => this.item(e.name, nodes[i])) };
  }
  async entry(dirId, name) {
    if (dirId === null) {
      const root = TREE_ROOTS.find(([n]) => n === name);
      if (!root) throw new InspectNotFoundError(`no tree named "${name}": tree roots are FSTree and Trash`);
      const [node2] = await this.nodes([{ inode: root[1], type: "directory" }]);
      return describeEntry(Buffer.from(name), node2);
    }
    const parent = parseInode(dirId);
    const raw = unescapeName(name);
    const found = await this.engine.lookup(parent, raw);
    if (!found) throw new InspectNotFoundError(`no entry "${name}" in directory inode ${parent}`);
    const [node] = await this.nodes([found]);
    const listed = this.cache.get(found.inode);
    return describeEntry(raw, node, listed ? { childCount: listed.count } : {});
  }
  async find(q) {
    checkPage(q.offset, q.limit);
    if (q.by === "path") {
      let parent = ROOT_INODE;
      let found = { name: Buffer.from("/"), inode: ROOT_INODE, type: "directory" };
      const names = pathNames(q.q);
      for (const name of names) {
        if (!found || found.type !== "directory") {
          found = null;
          break;
        }
        parent = found.inode;
        found = await this.engine.lookup(parent, name);
      }
      if (!found) return { total: 0, offset: q.offset, hits: [] };
      const [node] = await this.nodes([found]);
      const hit = {
        ...pathOf(names),
        ...names.length ? { parentDirId: String(parent) } : {},
        item: this.item(names.length ? found.name : Buffer.from("FSTree"), node)
      };
      return { total: 1, offset: q.offset, hits: q.offset === 0 ? [hit] : [] };
    }
    const match = q.by === "inode" ? /* @__PURE__ */ ((inode) => (e) => e.inode === inode)(parseInodeQuery(q.q)) : /* @__PURE__ */ ((m) => (e) => m(e.name.toString("utf8").toLowerCase()))(nameMatcher(q.q));
    const limit = this.opts.findScanLimit ?? 5e6;
    const page = [];
    let total = 0;
    let scanned = 0;
    let truncated = false;
    const roots = await this.engine.readNodes(TREE_ROOTS.map(([, inode]) => ({ inode, type: "directory" })));
    if (q.by === "inode" && parseInodeQuery(q.q) === ROOT_INODE) {
      total++;
      if (q.offset === 0) page.push({ names: [], tree: "FSTree", parent: 0n, entry: { name: Buffer.from("FSTree"), inode: ROOT_INODE, type: "directory" } });
    }
    walk: for (const [i, [tree, inode]] of TREE_ROOTS.entries()) {
      if (!roots[i].attr) continue;
      const stack = [
        { inode, names: [], batches: this.engine.readDir(inode).batches[Symbol.asyncIterator]() }
      ];
      try {
        while (stack.length) {
          const top = stack[stack.length - 1];
          const r = await top.batches.next();
          if (r.done) {
            stack.pop();
            continue;
          }
          for (const e of r.value) {
            if (scanned === limit) {
              truncated = true;
              break walk;
            }
            scanned++;
            if (match(e)) {
              if (total >= q.offset && page.length < q.limit) page.push({ names: [...top.names, e.name], tree, parent: top.inode, entry: e });
              total++;
            }
            if (e.type === "directory") stack.push({ inode: e.inode, names: [...top.names, e.name], batches: this.engine.readDir(e.inode).batches[Symbol.asyncIterator]() });
          }
        }
      } finally {
        for (const f of stack) await f.batches.return?.();
      }
    }
    const nodes = await this.nodes(page.map((p) => p.entry));
    const hits = page.map((p, i) => ({
      ...pathOf(p.names, p.tree),
      ...p.parent ? { parentDirId: String(p.parent) } : {},
      item: this.item(p.entry.name, nodes[i])
    }));
    return { total: truncated ? null : total, offset: q.offset, hits, scanned, ...truncated ? { truncated } : {} };
  }
  async close() {
    this.cache.clear();
    if (this.opts.closeEngine ?? true) await this.engine.close();
  }
};
function openLiveSource(engine, opts = {}) {
  return new LiveSource(engine, opts);
}
var DIFF_BATCH = 500;
async function resolveLiveSubdir(engine, subdir) {
  let inode = ROOT_INODE;
  const walked = [];
  for (const part of (subdir ?? "").split("/").filter(Boolean)) {
    walked.push(part);
    const found = await engine.lookup(inode, unescapeName(part));
    if (!found) throw new InspectNotFoundError(`no directory /${walked.join("/")} in the live volume`);
    if (found.type !== "directory") throw new InspectNotFoundError(`/${walked.join("/")} is not a directory in the live volume`);
    inode = found.inode;
  }
  return inode;
}
function openLiveDiffSide(engine, opts = {}) {
  return {
    async top(subdir) {
      return String(await resolveLiveSubdir(engine, subdir));
    },
    async *children(dirId, dirsOnly) {
      const idx = await NameIndex.build(engine.readDir(parseInode(dirId)));
      let batch = [];
      const flush = async () => {
        const entries = batch;
        batch = [];
        if (dirsOnly) {
          return entries.map((e) => ({ name: e.name, inode: e.inode, type: e.type, length: 0n, mode: 0, uid: 0, gid: 0, nlink: 0, xattrs: [], dir: String(e.inode) }));
        }
        const nodes = (await engine.readNodes(entries)).map(toDumpNode);
        return entries.map((e, i) => diffNodeOf(e.name, nodes[i], nodes[i].attr.type === "directory" ? String(e.inode) : void 0));
      };
      for (let r = 0; r < idx.count; r++) {
        const e = idx.at(r);
        if (dirsOnly && e.type !== "directory") continue;
        batch.push(e);
        if (batch.length >= DIFF_BATCH) yield await flush();
      }
      if (batch.length) yield await flush();
    },
    async close() {
      if (opts.closeEngine ?? true) await engine.close();
    }
  };
}
export {
  openLiveDiffSide,
  openLiveSource,
  resolveLiveSubdir
};
