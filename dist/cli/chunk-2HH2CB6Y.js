import {
  At,
  DumpFormatError,
  JsonSax,
  PathFrame,
  SkipFrame,
  arrayOf,
  bytes,
  convertScalar,
  duplicateMember,
  escaped,
  int64,
  keySeg,
  mapOf,
  memberSeg,
  openSchema,
  record,
  settingDecoder,
  str,
  uint16,
  uint32,
  uint64,
  uint8,
  unescapeChecked
} from "./chunk-R7GPK5FI.js";
import {
  NODE_TYPES
} from "./chunk-Z33CHFVJ.js";

// lib/dump/open-dirs.ts
var OpenDirs = class {
  open = /* @__PURE__ */ new Map();
  /** The state of the directory `handle`, made by `init` at its first child. */
  of(handle, init) {
    let state = this.open.get(handle.id);
    if (state === void 0) this.open.set(handle.id, state = init(handle));
    return state;
  }
  /** The directory's own entry arrived: its state (undefined when it had no child), forgotten. */
  close(handle) {
    const state = this.open.get(handle.id);
    this.open.delete(handle.id);
    return state;
  }
  /** Directories with state: 0 once every tree has closed. */
  get size() {
    return this.open.size;
  }
};

// lib/dump/reader.ts
var fail = (message, at) => {
  throw new DumpFormatError(message, at.path, at.offset);
};
var attrDecoder = record(
  {
    inode: uint64,
    flags: uint8,
    type: { k: "enum", values: NODE_TYPES },
    mode: uint16,
    uid: uint32,
    gid: uint32,
    atime: int64,
    mtime: int64,
    ctime: int64,
    atimensec: uint32,
    mtimensec: uint32,
    ctimensec: uint32,
    nlink: uint32,
    length: uint64,
    rdev: uint32,
    tier: uint8
  },
  (o, at) => {
    if (o.inode === void 0) fail("attr has no inode", at);
    if (o.type === void 0) fail("attr has no type", at);
    return {
      inode: o.inode,
      flags: o.flags ?? 0,
      type: o.type,
      mode: o.mode ?? 0,
      uid: o.uid ?? 0,
      gid: o.gid ?? 0,
      atime: o.atime ?? 0n,
      mtime: o.mtime ?? 0n,
      ctime: o.ctime ?? 0n,
      atimensec: o.atimensec ?? 0,
      mtimensec: o.mtimensec ?? 0,
      ctimensec: o.ctimensec ?? 0,
      nlink: o.nlink ?? 0,
      length: o.length ?? 0n,
      rdev: o.rdev ?? 0,
      tier: o.tier ?? 0
    };
  }
);
var sliceDecoder = record(
  { chunkid: uint64, id: uint64, pos: uint32, size: uint32, off: uint32, len: uint32 },
  (o) => ({
    // v0.x wrote `chunkid`; JuiceFS uses it when `id` is 0.
    id: o.id || o.chunkid || 0n,
    pos: o.pos ?? 0,
    size: o.size ?? 0,
    off: o.off ?? 0,
    len: o.len ?? 0
  })
);
var chunkDecoder = record({ index: uint32, slices: arrayOf(sliceDecoder) }, (o) => ({
  index: o.index ?? 0,
  slices: o.slices ?? []
}));
var xattrDecoder = record({ name: bytes, value: escaped }, (o, at) => {
  if (o.name === void 0) fail("xattr has no name", at);
  return { name: o.name, value: o.value ?? Buffer.alloc(0) };
});
var xattrsDecoder = arrayOf(xattrDecoder);
var chunksDecoder = arrayOf(chunkDecoder);
var aclEntryDecoder = record({ id: uint32, perm: uint16 }, (o) => ({ id: o.id ?? 0, perm: o.perm ?? 0 }));
var aclDecoder = record(
  { owner: uint16, group: uint16, other: uint16, mask: uint16, users: arrayOf(aclEntryDecoder), groups: arrayOf(aclEntryDecoder) },
  (o) => ({
    owner: o.owner ?? 0,
    group: o.group ?? 0,
    other: o.other ?? 0,
    mask: o.mask ?? 0,
    users: o.users ?? [],
    groups: o.groups ?? []
  })
);
var COUNTER_KEYS = ["usedSpace", "usedInodes", "nextInodes", "nextChunk", "nextSession", "nextTrash", "nextCleanupSlices", "lastChangelog"];
var countersDecoder = record(Object.fromEntries(COUNTER_KEYS.map((k) => [k, int64])), (o) => {
  const c = {
    usedSpace: o.usedSpace ?? 0n,
    usedInodes: o.usedInodes ?? 0n,
    nextInodes: o.nextInodes ?? 0n,
    nextChunk: o.nextChunk ?? 0n,
    nextSession: o.nextSession ?? 0n,
    nextTrash: o.nextTrash ?? 0n
  };
  if (o.nextCleanupSlices !== void 0) c.nextCleanupSlices = o.nextCleanupSlices;
  if (o.lastChangelog !== void 0) c.lastChangelog = o.lastChangelog;
  return c;
});
var sustainedDecoder = arrayOf(
  record({ sid: uint64, inodes: arrayOf(uint64) }, (o) => ({ sid: o.sid ?? 0n, inodes: o.inodes ?? [] }))
);
var delFilesDecoder = arrayOf(
  record({ inode: uint64, length: uint64, expire: int64 }, (o) => ({
    inode: o.inode ?? 0n,
    length: o.length ?? 0n,
    expire: o.expire ?? 0n
  }))
);
var quotasDecoder = mapOf(
  uint64,
  record({ maxSpace: int64, maxInodes: int64 }, (o) => ({ maxSpace: o.maxSpace ?? 0n, maxInodes: o.maxInodes ?? 0n }))
);
var changeLogDecoder = arrayOf(
  record({ version: int64, entry: str }, (o) => ({ version: o.version ?? 0n, entry: o.entry ?? "" }))
);
var SECTIONS = {
  Setting: { schema: settingDecoder, deliver: (v, x) => v.setting?.(x) },
  Counters: { schema: countersDecoder, deliver: (v, x) => v.counters?.(x) },
  Sustained: { schema: sustainedDecoder, deliver: (v, x) => v.sustained?.(x) },
  DelFiles: { schema: delFilesDecoder, deliver: (v, x) => v.delFiles?.(x) },
  Quotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("dir", x) },
  UserQuotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("user", x) },
  GroupQuotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("group", x) },
  ChangeLog: { schema: changeLogDecoder, deliver: (v, x) => v.changeLog?.(x) }
};
var ReadState = class {
  constructor(visitor) {
    this.visitor = visitor;
  }
  visitor;
  events = [];
  nextHandle = 1;
};
var DocumentFrame = class {
  constructor(st) {
    this.st = st;
  }
  st;
  path() {
    return "";
  }
  key() {
  }
  openObject() {
    return new TopFrame(this, this.st);
  }
  openArray(offset) {
    return fail("a JuiceFS dump is a JSON object, found an array", { path: "", offset });
  }
  scalar(kind, _v, offset) {
    fail(`a JuiceFS dump is a JSON object, found ${kind}`, { path: "", offset });
  }
  close() {
  }
};
var TopFrame = class extends PathFrame {
  constructor(parent, st) {
    super(parent, "");
    this.st = st;
  }
  st;
  name = "";
  /** Every member met, unknown ones too: one member of each name per object. */
  seen = /* @__PURE__ */ new Set();
  key(raw, offset) {
    this.name = raw.str();
    if (this.seen.has(this.name)) throw duplicateMember(this.name, memberSeg(this.name).replace(/^\./, ""), offset);
    this.seen.add(this.name);
  }
  section() {
    return Object.hasOwn(SECTIONS, this.name) ? SECTIONS[this.name] : void 0;
  }
  openObject(offset) {
    const name = this.name;
    if (name === "FSTree" || name === "Trash") {
      const v = this.st.visitor;
      this.st.events.push(() => v.treeStart?.(name));
      return new EntryFrame(this, memberSeg(name), this.st, name, Buffer.from(name), 0, null, offset);
    }
    const sec = this.section();
    if (!sec) return new SkipFrame(this);
    return openSchema(sec.schema, "object", this, memberSeg(name), offset, (x) => this.deliver(sec, x));
  }
  openArray(offset) {
    const name = this.name;
    if (name === "FSTree" || name === "Trash") fail(`${name} must be an object, found an array`, { path: name, offset });
    const sec = this.section();
    if (!sec) return new SkipFrame(this);
    return openSchema(sec.schema, "array", this, memberSeg(name), offset, (x) => this.deliver(sec, x));
  }
  scalar(kind, value, offset) {
    const name = this.name;
    if (name === "FSTree" || name === "Trash") {
      if (kind === "null") return;
      fail(`${name} must be an object, found ${kind}`, { path: name, offset });
    }
    const sec = this.section();
    if (!sec) return;
    convertScalar(sec.schema, kind, value, { path: name, offset });
  }
  deliver(sec, x) {
    const v = this.st.visitor;
    this.st.events.push(() => sec.deliver(v, x));
  }
  close() {
  }
};
var ENTRY_MEMBERS = new Map(["attr", "symlink", "xattrs", "posix_acl_access", "posix_acl_default", "chunks", "entries"].map((m, i) => [m, 1 << i]));
var EntryFrame = class extends PathFrame {
  constructor(parent, seg, st, tree, name, depth, parentHandle, offset) {
    super(parent, seg);
    this.st = st;
    this.tree = tree;
    this.name = name;
    this.depth = depth;
    this.parentHandle = parentHandle;
    this.offset = offset;
  }
  st;
  tree;
  name;
  depth;
  parentHandle;
  offset;
  member = "";
  seen = 0;
  // bits of ENTRY_MEMBERS already met
  /** Unknown members met (rare: only newer or hand-made dumps have any). */
  unknown = null;
  hasEntries = false;
  attr;
  symlink;
  xattrs = [];
  accessAcl;
  defaultAcl;
  chunks = [];
  handle = null;
  dirHandle() {
    this.handle ??= { id: this.st.nextHandle++, inode: this.attr?.inode, parent: this.parentHandle };
    return this.handle;
  }
  key(raw, offset) {
    const m = raw.str();
    const bit = ENTRY_MEMBERS.get(m) ?? 0;
    this.member = bit ? m : "";
    if (!bit) {
      const unknown = this.unknown ??= /* @__PURE__ */ new Set();
      if (unknown.has(m)) throw duplicateMember(m, new At(this, m, offset).path, offset);
      unknown.add(m);
      return;
    }
    if (this.seen & bit) throw duplicateMember(m, new At(this, m, offset).path, offset);
    this.seen |= bit;
  }
  wrongKind(found, offset) {
    const want = this.member === "xattrs" || this.member === "chunks" ? "an array" : this.member === "symlink" ? "a string" : "an object";
    return fail(`expected ${want}, found ${found}`, { path: this.path() + "." + this.member, offset });
  }
  openObject(offset) {
    const seg = "." + this.member;
    switch (this.member) {
      case "":
        return new SkipFrame(this);
      case "attr":
        return openSchema(attrDecoder, "object", this, seg, offset, (a) => {
          this.attr = a;
          if (this.handle) this.handle.inode = this.attr.inode;
        });
      case "posix_acl_access":
        return openSchema(aclDecoder, "object", this, seg, offset, (r) => this.accessAcl = r);
      case "posix_acl_default":
        return openSchema(aclDecoder, "object", this, seg, offset, (r) => this.defaultAcl = r);
      case "entries":
        this.hasEntries = true;
        return new EntriesFrame(this, seg, this.st, this.tree, this.depth + 1, this.dirHandle());
    }
    return this.wrongKind("an object", offset);
  }
  openArray(offset) {
    const seg = "." + this.member;
    switch (this.member) {
      case "":
        return new SkipFrame(this);
      case "xattrs":
        return openSchema(xattrsDecoder, "array", this, seg, offset, (x) => this.xattrs = x);
      case "chunks":
        return openSchema(chunksDecoder, "array", this, seg, offset, (c) => this.chunks = c);
    }
    return this.wrongKind("an array", offset);
  }
  scalar(kind, value, offset) {
    if (!this.member) return;
    if (kind === "null") return;
    if (this.member === "symlink" && kind === "string")
      this.symlink = unescapeChecked(value.buf.subarray(value.start, value.end), new At(this, "symlink", offset));
    else this.wrongKind(kind === "number" ? "a number" : kind === "string" ? "a string" : "a boolean", offset);
  }
  close() {
    const at = new At(this, null, this.offset);
    const attr = this.attr ?? fail('entry has no "attr"', at);
    const isDir = attr.type === "directory";
    if (this.depth === 0 && !isDir) fail(`the ${this.tree} root must be a directory, found type ${attr.type}`, at);
    if (!isDir && this.hasEntries) fail(`entry of type ${attr.type} has "entries" (only directories may)`, at);
    if (isDir && this.chunks.length) fail('a directory has "chunks"', at);
    if (isDir && this.symlink !== void 0) fail('a directory has "symlink"', at);
    const node = { attr, xattrs: this.xattrs, chunks: this.chunks };
    if (this.symlink !== void 0) node.symlink = this.symlink;
    if (this.accessAcl) node.accessAcl = this.accessAcl;
    if (this.defaultAcl) node.defaultAcl = this.defaultAcl;
    const e = {
      tree: this.tree,
      name: this.name,
      depth: this.depth,
      node,
      isDir,
      parent: this.parentHandle,
      self: isDir ? this.dirHandle() : null,
      at
    };
    const v = this.st.visitor;
    this.st.events.push(() => v.entry(e));
    if (this.depth === 0) {
      const tree = this.tree;
      this.st.events.push(() => v.treeEnd?.(tree));
    }
  }
};
var EntriesFrame = class extends PathFrame {
  constructor(parent, seg, st, tree, depth, dir) {
    super(parent, seg);
    this.st = st;
    this.tree = tree;
    this.depth = depth;
    this.dir = dir;
  }
  st;
  tree;
  depth;
  dir;
  childKey = Buffer.alloc(0);
  childName = Buffer.alloc(0);
  at(offset) {
    const key = this.childKey;
    const self = this;
    return {
      get path() {
        return self.path() + keySeg(key);
      },
      offset
    };
  }
  key(tok, offset) {
    const raw = tok.bytes();
    this.childKey = raw;
    this.childName = raw.indexOf(37) < 0 ? raw : unescapeChecked(raw, this.at(offset));
  }
  openObject(offset) {
    return new EntryFrame(this, this.childKey, this.st, this.tree, this.childName, this.depth, this.dir, offset);
  }
  openArray(offset) {
    return fail("an entry must be an object, found an array", this.at(offset));
  }
  scalar(kind, _v, offset) {
    fail(`an entry must be an object, found ${kind}`, this.at(offset));
  }
  close() {
  }
};
var SLICE = 256 * 1024;
async function drain(events) {
  for (let i = 0; i < events.length; i++) {
    const r = events[i]();
    if (r && typeof r.then === "function") await r;
  }
  events.length = 0;
}
async function readDump(input, visitor) {
  const st = new ReadState(visitor);
  const sax = new JsonSax(new DocumentFrame(st));
  let first = true;
  for await (const piece of input) {
    const chunk = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0)
        throw new DumpFormatError(
          "this is a JuiceFS binary dump (juicefs dump --binary), not JSON: load it with jfsmeta load, or turn it into JSON with jfsmeta convert",
          "",
          0
        );
    }
    for (let o = 0; o < chunk.length; o += SLICE) {
      sax.write(o === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(o, o + SLICE));
      if (st.events.length) await drain(st.events);
    }
  }
  sax.end();
  await drain(st.events);
}
function collectHeader(header) {
  return {
    setting: (s) => void (header.setting = s),
    counters: (c) => void (header.counters = c),
    sustained: (s) => void (header.sustained = s),
    delFiles: (d) => void (header.delFiles = d),
    quotas: (kind, q) => {
      if (kind === "dir") header.quotas = q;
      else if (kind === "user") header.userQuotas = q;
      else header.groupQuotas = q;
    },
    changeLog: (c) => void (header.changeLog = c)
  };
}

export {
  OpenDirs,
  readDump,
  collectHeader
};
