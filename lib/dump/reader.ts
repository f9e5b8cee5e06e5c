// Streaming reader of JuiceFS JSON dumps (v0.x–v1.4). Memory stays flat: entries are handed
// to the visitor post-order as their objects close, and nothing of a finished directory is
// kept. Differences from JuiceFS's reader, on purpose: members may come in any order at every
// level, unknown members are skipped whole, and every malformed value is a DumpFormatError
// with its JSON path and byte offset instead of a crash or a silently short load.
import type { AclRule, Attr, Chunk, ChangeLogEntry, Counters, DelFile, DumpNode, QuotaLimit, SustainedEntry, Xattr } from "../jfs/types";
import { NODE_TYPES } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import { JsonSax, type Frame, type ScalarKind, type ScalarValue, type Token } from "../jfs/json/sax";
import {
  arrayOf,
  At,
  bytes,
  convertScalar,
  duplicateMember,
  escaped,
  int64,
  mapOf,
  keySeg,
  memberSeg,
  openSchema,
  PathFrame,
  record,
  SkipFrame,
  str,
  uint16,
  uint32,
  uint64,
  uint8,
  unescapeChecked,
  type Schema,
  type Where,
} from "../jfs/json/decode";
import { settingDecoder } from "../jfs/setting-json";
import { DumpFormatError, type DirHandle, type DumpHeader, type DumpVisitor, type ReadEntry, type TreeName } from "./types";

const fail = (message: string, at: Where): never => {
  throw new DumpFormatError(message, at.path, at.offset);
};

// ---- schemas of the dump's members (docs/format/dump-json.md §3–§5) ----

const attrDecoder = record(
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
    tier: uint8,
  },
  (o, at): Attr => {
    if (o.inode === undefined) fail("attr has no inode", at);
    if (o.type === undefined) fail("attr has no type", at);
    return {
      inode: o.inode as bigint,
      flags: (o.flags as number) ?? 0,
      type: o.type as Attr["type"],
      mode: (o.mode as number) ?? 0,
      uid: (o.uid as number) ?? 0,
      gid: (o.gid as number) ?? 0,
      atime: (o.atime as bigint) ?? 0n,
      mtime: (o.mtime as bigint) ?? 0n,
      ctime: (o.ctime as bigint) ?? 0n,
      atimensec: (o.atimensec as number) ?? 0,
      mtimensec: (o.mtimensec as number) ?? 0,
      ctimensec: (o.ctimensec as number) ?? 0,
      nlink: (o.nlink as number) ?? 0,
      length: (o.length as bigint) ?? 0n,
      rdev: (o.rdev as number) ?? 0,
      tier: (o.tier as number) ?? 0,
    };
  },
);

const sliceDecoder = record(
  { chunkid: uint64, id: uint64, pos: uint32, size: uint32, off: uint32, len: uint32 },
  (o) => ({
    // v0.x wrote `chunkid`; JuiceFS uses it when `id` is 0.
    id: (o.id as bigint | undefined) || (o.chunkid as bigint | undefined) || 0n,
    pos: (o.pos as number) ?? 0,
    size: (o.size as number) ?? 0,
    off: (o.off as number) ?? 0,
    len: (o.len as number) ?? 0,
  }),
);

const chunkDecoder = record({ index: uint32, slices: arrayOf(sliceDecoder) }, (o): Chunk => ({
  index: (o.index as number) ?? 0,
  slices: (o.slices as Chunk["slices"]) ?? [],
}));

const xattrDecoder = record({ name: bytes, value: escaped }, (o, at): Xattr => {
  if (o.name === undefined) fail("xattr has no name", at);
  return { name: o.name as Buffer, value: (o.value as Buffer) ?? Buffer.alloc(0) };
});

const xattrsDecoder = arrayOf(xattrDecoder);
const chunksDecoder = arrayOf(chunkDecoder);

const aclEntryDecoder = record({ id: uint32, perm: uint16 }, (o) => ({ id: (o.id as number) ?? 0, perm: (o.perm as number) ?? 0 }));
const aclDecoder = record(
  { owner: uint16, group: uint16, other: uint16, mask: uint16, users: arrayOf(aclEntryDecoder), groups: arrayOf(aclEntryDecoder) },
  (o): AclRule => ({
    owner: (o.owner as number) ?? 0,
    group: (o.group as number) ?? 0,
    other: (o.other as number) ?? 0,
    mask: (o.mask as number) ?? 0,
    users: (o.users as AclRule["users"]) ?? [],
    groups: (o.groups as AclRule["groups"]) ?? [],
  }),
);

const COUNTER_KEYS = ["usedSpace", "usedInodes", "nextInodes", "nextChunk", "nextSession", "nextTrash", "nextCleanupSlices", "lastChangelog"] as const;
const countersDecoder = record(Object.fromEntries(COUNTER_KEYS.map((k) => [k, int64])), (o): Counters => {
  const c: Counters = {
    usedSpace: (o.usedSpace as bigint) ?? 0n,
    usedInodes: (o.usedInodes as bigint) ?? 0n,
    nextInodes: (o.nextInodes as bigint) ?? 0n,
    nextChunk: (o.nextChunk as bigint) ?? 0n,
    nextSession: (o.nextSession as bigint) ?? 0n,
    nextTrash: (o.nextTrash as bigint) ?? 0n,
  };
  if (o.nextCleanupSlices !== undefined) c.nextCleanupSlices = o.nextCleanupSlices as bigint;
  if (o.lastChangelog !== undefined) c.lastChangelog = o.lastChangelog as bigint;
  return c;
});

const sustainedDecoder = arrayOf(
  record({ sid: uint64, inodes: arrayOf(uint64) }, (o): SustainedEntry => ({ sid: (o.sid as bigint) ?? 0n, inodes: (o.inodes as bigint[]) ?? [] })),
);
const delFilesDecoder = arrayOf(
  record({ inode: uint64, length: uint64, expire: int64 }, (o): DelFile => ({
    inode: (o.inode as bigint) ?? 0n,
    length: (o.length as bigint) ?? 0n,
    expire: (o.expire as bigint) ?? 0n,
  })),
);
const quotasDecoder = mapOf(
  uint64,
  record({ maxSpace: int64, maxInodes: int64 }, (o): QuotaLimit => ({ maxSpace: (o.maxSpace as bigint) ?? 0n, maxInodes: (o.maxInodes as bigint) ?? 0n })),
);
const changeLogDecoder = arrayOf(
  record({ version: int64, entry: str }, (o): ChangeLogEntry => ({ version: (o.version as bigint) ?? 0n, entry: (o.entry as string) ?? "" })),
);

type Event = () => void | Promise<void>;

/** Header sections: their schema and what to tell the visitor. */
const SECTIONS: Record<string, { schema: Schema; deliver: (v: DumpVisitor, value: unknown) => void | Promise<void> }> = {
  Setting: { schema: settingDecoder, deliver: (v, x) => v.setting?.(x as Setting) },
  Counters: { schema: countersDecoder, deliver: (v, x) => v.counters?.(x as Counters) },
  Sustained: { schema: sustainedDecoder, deliver: (v, x) => v.sustained?.(x as SustainedEntry[]) },
  DelFiles: { schema: delFilesDecoder, deliver: (v, x) => v.delFiles?.(x as DelFile[]) },
  Quotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("dir", x as Map<bigint, QuotaLimit>) },
  UserQuotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("user", x as Map<bigint, QuotaLimit>) },
  GroupQuotas: { schema: quotasDecoder, deliver: (v, x) => v.quotas?.("group", x as Map<bigint, QuotaLimit>) },
  ChangeLog: { schema: changeLogDecoder, deliver: (v, x) => v.changeLog?.(x as ChangeLogEntry[]) },
};

/** Shared state of one read: the visitor's pending calls and handle numbering. */
class ReadState {
  readonly events: Event[] = [];
  nextHandle = 1;
  constructor(readonly visitor: DumpVisitor) {}
}

/** The document: must be one JSON object. */
class DocumentFrame implements Frame {
  constructor(private readonly st: ReadState) {}
  path(): string {
    return "";
  }
  key(): void {}
  openObject(): Frame {
    return new TopFrame(this, this.st);
  }
  openArray(offset: number): Frame {
    return fail("a JuiceFS dump is a JSON object, found an array", { path: "", offset });
  }
  scalar(kind: ScalarKind, _v: ScalarValue, offset: number): void {
    fail(`a JuiceFS dump is a JSON object, found ${kind}`, { path: "", offset });
  }
  close(): void {}
}

/** The top-level object: header sections, FSTree, Trash; anything else is skipped. */
class TopFrame extends PathFrame {
  private name = "";
  /** Every member met, unknown ones too: one member of each name per object. */
  private readonly seen = new Set<string>();
  constructor(parent: Frame, private readonly st: ReadState) {
    super(parent, "");
  }
  key(raw: Token, offset: number): void {
    this.name = raw.str();
    if (this.seen.has(this.name)) throw duplicateMember(this.name, memberSeg(this.name).replace(/^\./, ""), offset);
    this.seen.add(this.name);
  }
  private section(): (typeof SECTIONS)[string] | undefined {
    return Object.hasOwn(SECTIONS, this.name) ? SECTIONS[this.name] : undefined;
  }
  openObject(offset: number): Frame {
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
  openArray(offset: number): Frame {
    const name = this.name;
    if (name === "FSTree" || name === "Trash") fail(`${name} must be an object, found an array`, { path: name, offset });
    const sec = this.section();
    if (!sec) return new SkipFrame(this);
    return openSchema(sec.schema, "array", this, memberSeg(name), offset, (x) => this.deliver(sec, x));
  }
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    const name = this.name;
    if (name === "FSTree" || name === "Trash") {
      if (kind === "null") return; // an absent tree
      fail(`${name} must be an object, found ${kind}`, { path: name, offset });
    }
    const sec = this.section();
    if (!sec) return;
    // null leaves the section absent; any other scalar is a type error.
    convertScalar(sec.schema, kind, value, { path: name, offset });
  }
  private deliver(sec: (typeof SECTIONS)[string], x: unknown): void {
    const v = this.st.visitor;
    this.st.events.push(() => sec.deliver(v, x));
  }
  close(): void {}
}

/** Known entry members, each with a bit for duplicate detection. */
const ENTRY_MEMBERS = new Map(["attr", "symlink", "xattrs", "posix_acl_access", "posix_acl_default", "chunks", "entries"].map((m, i) => [m, 1 << i]));

/** One entry (a tree root or a child): its members, then the post-order delivery. */
class EntryFrame extends PathFrame {
  private member = "";
  private seen = 0; // bits of ENTRY_MEMBERS already met
  /** Unknown members met (rare: only newer or hand-made dumps have any). */
  private unknown: Set<string> | null = null;
  private hasEntries = false;
  private attr?: Attr;
  private symlink?: Buffer;
  private xattrs: Xattr[] = [];
  private accessAcl?: AclRule;
  private defaultAcl?: AclRule;
  private chunks: Chunk[] = [];
  private handle: DirHandle | null = null;

  constructor(
    parent: Frame,
    seg: string | Buffer,
    private readonly st: ReadState,
    private readonly tree: TreeName,
    private readonly name: Buffer,
    private readonly depth: number,
    private readonly parentHandle: DirHandle | null,
    private readonly offset: number,
  ) {
    super(parent, seg);
  }

  private dirHandle(): DirHandle {
    this.handle ??= { id: this.st.nextHandle++, inode: this.attr?.inode, parent: this.parentHandle };
    return this.handle;
  }

  key(raw: Token, offset: number): void {
    const m = raw.str();
    const bit = ENTRY_MEMBERS.get(m) ?? 0;
    this.member = bit ? m : "";
    if (!bit) {
      // Unknown: its value is skipped, but it too may appear once.
      const unknown = (this.unknown ??= new Set());
      if (unknown.has(m)) throw duplicateMember(m, new At(this, m, offset).path, offset);
      unknown.add(m);
      return;
    }
    if (this.seen & bit) throw duplicateMember(m, new At(this, m, offset).path, offset);
    this.seen |= bit;
  }

  private wrongKind(found: string, offset: number): never {
    const want = this.member === "xattrs" || this.member === "chunks" ? "an array" : this.member === "symlink" ? "a string" : "an object";
    return fail(`expected ${want}, found ${found}`, { path: this.path() + "." + this.member, offset });
  }

  openObject(offset: number): Frame {
    const seg = "." + this.member;
    switch (this.member) {
      case "":
        return new SkipFrame(this);
      case "attr":
        return openSchema(attrDecoder, "object", this, seg, offset, (a) => {
          this.attr = a as Attr;
          if (this.handle) this.handle.inode = this.attr.inode;
        });
      case "posix_acl_access":
        return openSchema(aclDecoder, "object", this, seg, offset, (r) => (this.accessAcl = r as AclRule));
      case "posix_acl_default":
        return openSchema(aclDecoder, "object", this, seg, offset, (r) => (this.defaultAcl = r as AclRule));
      case "entries":
        this.hasEntries = true;
        return new EntriesFrame(this, seg, this.st, this.tree, this.depth + 1, this.dirHandle());
    }
    return this.wrongKind("an object", offset);
  }

  openArray(offset: number): Frame {
    const seg = "." + this.member;
    switch (this.member) {
      case "":
        return new SkipFrame(this);
      case "xattrs":
        return openSchema(xattrsDecoder, "array", this, seg, offset, (x) => (this.xattrs = x as Xattr[]));
      case "chunks":
        return openSchema(chunksDecoder, "array", this, seg, offset, (c) => (this.chunks = c as Chunk[]));
    }
    return this.wrongKind("an array", offset);
  }

  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    if (!this.member) return;
    if (kind === "null") return; // null: the member is absent (as Go reads it)
    if (this.member === "symlink" && kind === "string")
      this.symlink = unescapeChecked(value.buf.subarray(value.start, value.end), new At(this, "symlink", offset));
    else this.wrongKind(kind === "number" ? "a number" : kind === "string" ? "a string" : "a boolean", offset);
  }

  close(): void {
    const at = new At(this, null, this.offset);
    const attr = this.attr ?? fail('entry has no "attr"', at);
    const isDir = attr.type === "directory";
    if (this.depth === 0 && !isDir) fail(`the ${this.tree} root must be a directory, found type ${attr.type}`, at);
    if (!isDir && this.hasEntries) fail(`entry of type ${attr.type} has "entries" (only directories may)`, at);
    if (isDir && this.chunks.length) fail('a directory has "chunks"', at);
    if (isDir && this.symlink !== undefined) fail('a directory has "symlink"', at);
    const node: DumpNode = { attr, xattrs: this.xattrs, chunks: this.chunks };
    if (this.symlink !== undefined) node.symlink = this.symlink;
    if (this.accessAcl) node.accessAcl = this.accessAcl;
    if (this.defaultAcl) node.defaultAcl = this.defaultAcl;
    const e: ReadEntry = {
      tree: this.tree,
      name: this.name,
      depth: this.depth,
      node,
      isDir,
      parent: this.parentHandle,
      self: isDir ? this.dirHandle() : null,
      at,
    };
    const v = this.st.visitor;
    this.st.events.push(() => v.entry(e));
    if (this.depth === 0) {
      const tree = this.tree;
      this.st.events.push(() => v.treeEnd?.(tree));
    }
  }
}

/** A directory's `entries` object: escaped name → entry. */
class EntriesFrame extends PathFrame {
  private childKey: Buffer = Buffer.alloc(0);
  private childName: Buffer = Buffer.alloc(0);
  constructor(
    parent: Frame,
    seg: string,
    private readonly st: ReadState,
    private readonly tree: TreeName,
    private readonly depth: number,
    private readonly dir: DirHandle,
  ) {
    super(parent, seg);
  }
  private at(offset: number): Where {
    const key = this.childKey;
    const self = this;
    return {
      get path() {
        return self.path() + keySeg(key);
      },
      offset,
    };
  }
  key(tok: Token, offset: number): void {
    const raw = tok.bytes();
    this.childKey = raw;
    this.childName = raw.indexOf(0x25) < 0 ? raw : unescapeChecked(raw, this.at(offset));
  }
  openObject(offset: number): Frame {
    return new EntryFrame(this, this.childKey, this.st, this.tree, this.childName, this.depth, this.dir, offset);
  }
  openArray(offset: number): Frame {
    return fail("an entry must be an object, found an array", this.at(offset));
  }
  scalar(kind: ScalarKind, _v: ScalarValue, offset: number): void {
    fail(`an entry must be an object, found ${kind}`, this.at(offset));
  }
  close(): void {}
}

/** Feed slices of at most this size, so that pending visitor calls stay few. */
const SLICE = 256 * 1024;

async function drain(events: Event[]): Promise<void> {
  // Events are appended while earlier ones run only by the parser, which is paused here.
  for (let i = 0; i < events.length; i++) {
    const r = events[i]();
    if (r && typeof (r as Promise<void>).then === "function") await r;
  }
  events.length = 0;
}

/**
 * Reads a JSON dump and tells `visitor` what it holds: header sections as they come, then
 * each tree's entries post-order (children before their directory, the root last).
 * A directory's handle gets its inode as soon as its attr is read; with attr placed after
 * `entries` (never in real dumps) the children see `parent.inode` undefined.
 * Rejects with DumpFormatError for malformed input; input errors (e.g. a truncated gzip)
 * are passed on as they are.
 */
export async function readDump(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer> | NodeJS.ReadableStream,
  visitor: DumpVisitor,
): Promise<void> {
  const st = new ReadState(visitor);
  const sax = new JsonSax(new DocumentFrame(st));
  let first = true;
  for await (const piece of input as AsyncIterable<Buffer | string>) {
    const chunk = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0)
        throw new DumpFormatError(
          "this is a JuiceFS binary dump (juicefs dump --binary), not JSON: load it with jfsmeta load, or turn it into JSON with jfsmeta convert",
          "",
          0,
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

/** Visitor members that gather the header sections into `header` as the reader meets them. */
export function collectHeader(
  header: { [K in keyof DumpHeader]?: DumpHeader[K] | null },
): Pick<DumpVisitor, "setting" | "counters" | "sustained" | "delFiles" | "quotas" | "changeLog"> {
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
    changeLog: (c) => void (header.changeLog = c),
  };
}
