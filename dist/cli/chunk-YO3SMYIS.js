import {
  encodeAcl,
  encodeAttr,
  encodeChunk,
  encodeXattrs,
  escapeName
} from "./chunk-FUB4GH24.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/ui/exact-json.ts
function parseJsonBig(text, bigInteger) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "	")) i++;
  };
  const stringToken = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = {};
      ws();
      if (text[i] === "}") return i++, obj;
      for (; ; ) {
        ws();
        if (text[i] !== '"') fail("expected a member name");
        const key = stringToken();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        Object.defineProperty(obj, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        const sep = text[i++];
        if (sep === "}") return obj;
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (; ; ) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return arr;
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return stringToken();
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(i, i + 400));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    const tok = m[0];
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok === "null") return null;
    const n = Number(tok);
    if (!m[1] && !m[2] && !Number.isSafeInteger(n)) return bigInteger(tok);
    return n;
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

// lib/inspect/describe.ts
function displayName(raw) {
  return raw.toString("utf8");
}
function parseJsonExact(text) {
  return parseJsonBig(text, (digits) => digits);
}
function entryCompactJson(node) {
  const isDir = node.attr.type === "directory";
  let s = '{"attr":' + encodeAttr(node.attr);
  if (!isDir && node.symlink && node.symlink.length) s += ',"symlink":"' + escapeName(node.symlink) + '"';
  if (node.xattrs.length) s += ',"xattrs":' + encodeXattrs([...node.xattrs].sort((x, y) => Buffer.compare(x.name, y.name)));
  if (node.accessAcl) s += ',"posix_acl_access":' + encodeAcl(node.accessAcl);
  if (node.defaultAcl) s += ',"posix_acl_default":' + encodeAcl(node.defaultAcl);
  if (!isDir && node.chunks.length) s += ',"chunks":[' + node.chunks.map(encodeChunk).join(",") + "]";
  return s + "}";
}
function entryJson(node) {
  return parseJsonExact(entryCompactJson(node));
}
var TYPE_LETTER = {
  regular: "-",
  directory: "d",
  symlink: "l",
  fifo: "p",
  blockdev: "b",
  chardev: "c",
  socket: "s"
};
var TYPE_LABEL = {
  regular: "regular file",
  directory: "directory",
  symlink: "symbolic link",
  fifo: "named pipe (FIFO)",
  blockdev: "block device",
  chardev: "character device",
  socket: "socket"
};
function rwx(bits) {
  return (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") + (bits & 1 ? "x" : "-");
}
function modeString(type, mode) {
  const special = (triplet, set, lower, upper) => set ? triplet.slice(0, 2) + (triplet[2] === "x" ? lower : upper) : triplet;
  const user = special(rwx(mode >> 6), (mode & 2048) !== 0, "s", "S");
  const group = special(rwx(mode >> 3), (mode & 1024) !== 0, "s", "S");
  const other = special(rwx(mode), (mode & 512) !== 0, "t", "T");
  return TYPE_LETTER[type] + user + group + other;
}
function isoTime(seconds, nsec) {
  const ms = Number(seconds) * 1e3;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) return `${seconds}s+${nsec}ns (out of calendar range)`;
  return d.toISOString().replace(/\.\d{3}Z$/, `.${String(nsec).padStart(9, "0")}Z`);
}
var FLAG_NAMES = [
  [1, "immutable"],
  [2, "append-only"],
  [4, "hidden"],
  [8, "system"],
  [16, "archive"],
  [32, "skip-trash"]
];
function flagNames(flags) {
  const names = [];
  let rest = flags;
  for (const [bit, name] of FLAG_NAMES) {
    if (flags & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1; bit <= 128; bit <<= 1) if (rest & bit) names.push(`0x${bit.toString(16)}`);
  return names;
}
function aclView(r) {
  const perm = (p) => rwx(p);
  const list = (l) => l.map((e) => ({ id: e.id, perm: perm(e.perm) }));
  return {
    owner: perm(r.owner),
    group: perm(r.group),
    other: perm(r.other),
    mask: perm(r.mask),
    users: list(r.users),
    groups: list(r.groups)
  };
}
function treeItemOf(name, attr, dir) {
  const item = {
    name: displayName(name),
    rawName: escapeName(name),
    inode: attr.inode.toString(),
    type: attr.type,
    length: attr.length.toString(),
    mode: attr.mode,
    mtime: isoTime(attr.mtime, attr.mtimensec),
    nlink: attr.nlink,
    hasChildren: false
  };
  if (dir) {
    item.dirId = dir.dirId;
    item.hasChildren = dir.hasChildren;
    if (dir.childCount !== void 0) item.childCount = dir.childCount;
  }
  return item;
}
function describeEntry(name, node, extra = {}) {
  const a = node.attr;
  const time = (s, ns) => ({ iso: isoTime(s, ns), seconds: s.toString(), nsec: ns });
  const slices = node.chunks.reduce((n, c) => n + c.slices.length, 0);
  const detail = {
    name: displayName(name),
    rawName: escapeName(name),
    inode: a.inode.toString(),
    type: a.type,
    typeLabel: TYPE_LABEL[a.type],
    mode: a.mode,
    modeString: modeString(a.type, a.mode),
    modeOctal: a.mode.toString(8).padStart(4, "0"),
    uid: a.uid,
    gid: a.gid,
    size: { bytes: a.length.toString(), human: formatBytes(a.length) },
    atime: time(a.atime, a.atimensec),
    mtime: time(a.mtime, a.mtimensec),
    ctime: time(a.ctime, a.ctimensec),
    nlink: a.nlink,
    flags: a.flags,
    flagNames: flagNames(a.flags),
    tier: a.tier,
    xattrs: [...node.xattrs].sort((x, y) => Buffer.compare(x.name, y.name)).map((x) => ({ name: x.name.toString("utf8"), value: displayName(x.value), rawValue: escapeName(x.value) })),
    chunkCount: node.chunks.length,
    sliceCount: slices,
    json: entryJson(node),
    jsonText: entryCompactJson(node)
  };
  if (a.type === "blockdev" || a.type === "chardev") {
    detail.rdev = { raw: a.rdev, major: a.rdev >>> 8 & 4095, minor: a.rdev & 255 | a.rdev >>> 12 & 1048320 };
  }
  if (node.symlink && node.symlink.length) {
    detail.symlink = { display: displayName(node.symlink), raw: escapeName(node.symlink) };
  }
  if (node.accessAcl) detail.accessAcl = aclView(node.accessAcl);
  if (node.defaultAcl) detail.defaultAcl = aclView(node.defaultAcl);
  if (extra.childCount !== void 0) detail.childCount = extra.childCount;
  return detail;
}

// lib/inspect/diff.ts
function diffNodeOf(name, node, dir) {
  const a = node.attr;
  return {
    name,
    inode: a.inode,
    type: a.type,
    length: a.type === "regular" ? a.length : 0n,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    nlink: a.nlink,
    xattrs: node.xattrs,
    ...node.symlink ? { symlink: node.symlink } : {},
    ...dir !== void 0 ? { dir } : {}
  };
}
var octal = (m) => m.toString(8).padStart(4, "0");
var shown = (b) => {
  const s = escapeName(b);
  return s.length > 60 ? s.slice(0, 57) + "\u2026" : s;
};
function xattrText(list) {
  return list.length ? list.map((x) => `${shown(x.name)}=${shown(x.value)}`).join(", ") : "none";
}
function xattrChange(a, b) {
  const byName = (l) => [...l].sort((x, y) => Buffer.compare(x.name, y.name));
  const sa = byName(a);
  const sb = byName(b);
  const fromA = [];
  const fromB = [];
  let i = 0;
  let j = 0;
  while (i < sa.length || j < sb.length) {
    const c = i >= sa.length ? 1 : j >= sb.length ? -1 : Buffer.compare(sa[i].name, sb[j].name);
    if (c < 0) fromA.push(sa[i++]);
    else if (c > 0) fromB.push(sb[j++]);
    else {
      if (!sa[i].value.equals(sb[j].value)) {
        fromA.push(sa[i]);
        fromB.push(sb[j]);
      }
      i++;
      j++;
    }
  }
  return fromA.length || fromB.length ? { field: "xattrs", from: xattrText(fromA), to: xattrText(fromB) } : null;
}
function compareNodes(a, b) {
  const out = [];
  if (a.type !== b.type) out.push({ field: "type", from: a.type, to: b.type });
  if (a.inode !== b.inode) out.push({ field: "inode", from: String(a.inode), to: String(b.inode) });
  if (a.length !== b.length) out.push({ field: "size", from: String(a.length), to: String(b.length) });
  if (a.mode !== b.mode) out.push({ field: "mode", from: octal(a.mode), to: octal(b.mode) });
  if (a.uid !== b.uid) out.push({ field: "owner", from: String(a.uid), to: String(b.uid) });
  if (a.gid !== b.gid) out.push({ field: "group", from: String(a.gid), to: String(b.gid) });
  if (a.nlink !== b.nlink && a.type !== "directory") out.push({ field: "links", from: String(a.nlink), to: String(b.nlink) });
  const x = xattrChange(a.xattrs, b.xattrs);
  if (x) out.push(x);
  const la = a.symlink ?? Buffer.alloc(0);
  const lb = b.symlink ?? Buffer.alloc(0);
  if (!la.equals(lb)) out.push({ field: "symlink", from: shown(la), to: shown(lb) });
  return out;
}
var Cursor = class {
  constructor(batches, side) {
    this.side = side;
    this.it = batches[Symbol.asyncIterator]();
  }
  side;
  batch = [];
  i = 0;
  last = null;
  done = false;
  it;
  /** The next entry of the current batch, if the batch has one left. */
  get head() {
    return this.batch[this.i];
  }
  /** Whether the next entry (or the end) is known without waiting. */
  get ready() {
    return this.done || this.i < this.batch.length;
  }
  async fill() {
    while (!this.done && this.i >= this.batch.length) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.batch = r.value;
        this.i = 0;
      }
    }
  }
  take() {
    const n = this.batch[this.i++];
    if (this.last && Buffer.compare(this.last, n.name) >= 0) {
      throw new JfsError("internal", `diff: side ${this.side} listed "${escapeName(n.name)}" after "${escapeName(this.last)}": its entries are not in raw-name order`);
    }
    this.last = n.name;
    return n;
  }
  async close() {
    await this.it.return?.();
  }
};
async function* mergeBatches(a, b) {
  const ca = new Cursor(a, "A");
  const cb = new Cursor(b, "B");
  try {
    for (; ; ) {
      await ca.fill();
      await cb.fill();
      if (ca.done && cb.done) return;
      const out = [];
      while (ca.ready && cb.ready) {
        const x = ca.head;
        const y = cb.head;
        if (!x && !y) break;
        const c = !x ? 1 : !y ? -1 : Buffer.compare(x.name, y.name);
        if (c < 0) out.push([ca.take(), null]);
        else if (c > 0) out.push([null, cb.take()]);
        else out.push([ca.take(), cb.take()]);
      }
      if (out.length) yield out;
    }
  } finally {
    await ca.close();
    await cb.close();
  }
}
async function* mergeByName(a, b) {
  for await (const pairs of mergeBatches(a, b)) yield* pairs;
}
async function subtreeSize(side, dir, signal) {
  let entries = 0;
  let bytes = 0n;
  const stack = [side.children(dir, false)[Symbol.asyncIterator]()];
  try {
    while (stack.length) {
      const r = await stack[stack.length - 1].next();
      if (r.done) {
        stack.pop();
        continue;
      }
      for (const n of r.value) {
        if (signal?.aborted) throw new JfsError("interrupted", "the diff was stopped");
        entries++;
        bytes += n.length;
        if (n.dir !== void 0) stack.push(side.children(n.dir, false)[Symbol.asyncIterator]());
      }
    }
  } finally {
    for (const it of stack) await it.return?.();
  }
  return { entries, bytes };
}
var KEEP_SUBDIRS = 1024;
var joinPath = (dir, name) => dir.endsWith("/") ? dir + name : `${dir}/${name}`;
function entryOf(n, dirPath, dirRawPath) {
  return {
    path: joinPath(dirPath, displayName(n.name)),
    rawPath: joinPath(dirRawPath, escapeName(n.name)),
    inode: String(n.inode),
    type: n.type,
    length: String(n.length)
  };
}
var count = (c) => ({ entries: c.entries, bytes: String(c.bytes) });
async function* diffTrees(a, aTop, b, bTop, opts = {}) {
  const started = Date.now();
  const every = opts.progressEvery ?? 1e4;
  const sizeA = { entries: 0, bytes: 0n };
  const sizeB = { entries: 0, bytes: 0n };
  const added = { entries: 0, bytes: 0n };
  const removed = { entries: 0, bytes: 0n };
  let changed = 0;
  let changedBytes = 0n;
  let directories = 0;
  let compared = 0;
  let nextProgress = every;
  const check = () => {
    if (opts.signal?.aborted) throw new JfsError("interrupted", "the diff was stopped");
  };
  async function* compareDir(da, db, path, rawPath, subdirs) {
    directories++;
    let announced = false;
    const announce = function* () {
      if (!announced) {
        announced = true;
        yield { kind: "dir", path, rawPath };
      }
    };
    for await (const pairs of mergeBatches(a.children(da, false), b.children(db, false))) {
      check();
      for (const [x, y] of pairs) {
        if (x) {
          sizeA.entries++;
          sizeA.bytes += x.length;
        }
        if (y) {
          sizeB.entries++;
          sizeB.bytes += y.length;
        }
        compared += (x ? 1 : 0) + (y ? 1 : 0);
        if (compared >= nextProgress) {
          nextProgress = compared + every;
          yield { kind: "progress", compared };
        }
        if (x && y && x.type === y.type) {
          if (x.dir !== void 0 && y.dir !== void 0 && !subdirs.overflow) {
            if (subdirs.pairs.length < KEEP_SUBDIRS) subdirs.pairs.push([x, y]);
            else subdirs.overflow = true;
          }
          const changes = compareNodes(x, y);
          if (changes.length) {
            changed++;
            changedBytes += y.length - x.length;
            yield* announce();
            yield { kind: "changed", entry: entryOf(y, path, rawPath), changes };
          }
          continue;
        }
        if (x) {
          yield* announce();
          const sub = x.dir !== void 0 ? await subtreeSize(a, x.dir, opts.signal) : null;
          removed.entries += 1 + (sub?.entries ?? 0);
          removed.bytes += x.length + (sub?.bytes ?? 0n);
          if (sub) {
            sizeA.entries += sub.entries;
            sizeA.bytes += sub.bytes;
          }
          yield { kind: "removed", entry: entryOf(x, path, rawPath), ...sub ? { subtree: count(sub) } : {} };
        }
        if (y) {
          yield* announce();
          const sub = y.dir !== void 0 ? await subtreeSize(b, y.dir, opts.signal) : null;
          added.entries += 1 + (sub?.entries ?? 0);
          added.bytes += y.length + (sub?.bytes ?? 0n);
          if (sub) {
            sizeB.entries += sub.entries;
            sizeB.bytes += sub.bytes;
          }
          yield { kind: "added", entry: entryOf(y, path, rawPath), ...sub ? { subtree: count(sub) } : {} };
        }
      }
    }
  }
  const topPath = opts.topPath ?? "/";
  const stack = [];
  async function* enter(da, db, path, rawPath) {
    const subdirs = { pairs: [], overflow: false };
    yield* compareDir(da, db, path, rawPath, subdirs);
    if (subdirs.overflow) stack.push({ batches: mergeBatches(a.children(da, true), b.children(db, true)), pairs: [], i: 0, path, rawPath });
    else if (subdirs.pairs.length) stack.push({ batches: null, pairs: subdirs.pairs, i: 0, path, rawPath });
  }
  try {
    yield* enter(aTop, bTop, topPath, topPath);
    while (stack.length) {
      check();
      const f = stack[stack.length - 1];
      if (f.i >= f.pairs.length) {
        const r = f.batches ? await f.batches.next() : null;
        if (!r || r.done) {
          stack.pop();
          continue;
        }
        f.pairs = r.value;
        f.i = 0;
      }
      const [x, y] = f.pairs[f.i++];
      if (!x || !y || x.dir === void 0 || y.dir === void 0) continue;
      yield* enter(x.dir, y.dir, joinPath(f.path, displayName(x.name)), joinPath(f.rawPath, escapeName(x.name)));
    }
  } finally {
    for (const f of stack) await f.batches?.return(void 0);
  }
  const totals = {
    a: count(sizeA),
    b: count(sizeB),
    added: count(added),
    removed: count(removed),
    changed: { entries: changed, bytes: String(changedBytes) },
    directories
  };
  yield { kind: "end", totals, durationMs: Date.now() - started };
}
function diffIsEmpty(t) {
  return t.added.entries === 0 && t.removed.entries === 0 && t.changed.entries === 0;
}

export {
  displayName,
  treeItemOf,
  describeEntry,
  diffNodeOf,
  compareNodes,
  mergeBatches,
  mergeByName,
  subtreeSize,
  diffTrees,
  diffIsEmpty
};
