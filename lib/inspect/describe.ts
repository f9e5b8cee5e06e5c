// Pure presentation of dump nodes: the tree row, the entry in words, and the entry's dump
// JSON as a plain object. Shared by the live and the backup sources.
import type { AclRule, Attr, DumpNode, NodeType } from "../jfs/types";
import { escapeName } from "../jfs/escape";
import { formatBytes } from "../jfs/format";
import { encodeAcl, encodeAttr, encodeChunk, encodeXattrs } from "../jfs/json/gojson";
import type { AclView, EntryDetail, TreeItem } from "./schemas";
import { parseJsonBig } from "../ui/exact-json";

/** Raw name bytes read as UTF-8; invalid bytes become U+FFFD (display only, lossy). */
export function displayName(raw: Buffer): string {
  return raw.toString("utf8");
}

/**
 * Parse JSON keeping every integer exact: integers beyond 2^53 become decimal strings (a
 * plain JSON.parse would round trash inodes and large slice ids).
 */
export function parseJsonExact(text: string): unknown {
  return parseJsonBig(text, (digits) => digits);
}

/** The entry's members as a dump writes them (compact JSON), without its children. */
export function entryCompactJson(node: DumpNode): string {
  const isDir = node.attr.type === "directory";
  let s = '{"attr":' + encodeAttr(node.attr);
  if (!isDir && node.symlink && node.symlink.length) s += ',"symlink":"' + escapeName(node.symlink) + '"';
  if (node.xattrs.length) s += ',"xattrs":' + encodeXattrs([...node.xattrs].sort((x, y) => Buffer.compare(x.name, y.name)));
  if (node.accessAcl) s += ',"posix_acl_access":' + encodeAcl(node.accessAcl);
  if (node.defaultAcl) s += ',"posix_acl_default":' + encodeAcl(node.defaultAcl);
  if (!isDir && node.chunks.length) s += ',"chunks":[' + node.chunks.map(encodeChunk).join(",") + "]";
  return s + "}";
}

/** The entry as a dump writes it, as a plain object for a JSON viewer (member order kept). */
export function entryJson(node: DumpNode): Record<string, unknown> {
  return parseJsonExact(entryCompactJson(node)) as Record<string, unknown>;
}

const TYPE_LETTER: Record<NodeType, string> = {
  regular: "-",
  directory: "d",
  symlink: "l",
  fifo: "p",
  blockdev: "b",
  chardev: "c",
  socket: "s",
};

const TYPE_LABEL: Record<NodeType, string> = {
  regular: "regular file",
  directory: "directory",
  symlink: "symbolic link",
  fifo: "named pipe (FIFO)",
  blockdev: "block device",
  chardev: "character device",
  socket: "socket",
};

function rwx(bits: number): string {
  return (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") + (bits & 1 ? "x" : "-");
}

/** ls -l style: type letter, then rwx triplets with suid/sgid/sticky as s/S, s/S, t/T. */
export function modeString(type: NodeType, mode: number): string {
  const special = (triplet: string, set: boolean, lower: string, upper: string) =>
    set ? triplet.slice(0, 2) + (triplet[2] === "x" ? lower : upper) : triplet;
  const user = special(rwx(mode >> 6), (mode & 0o4000) !== 0, "s", "S");
  const group = special(rwx(mode >> 3), (mode & 0o2000) !== 0, "s", "S");
  const other = special(rwx(mode), (mode & 0o1000) !== 0, "t", "T");
  return TYPE_LETTER[type] + user + group + other;
}

/** Unix seconds + nanoseconds as ISO 8601 UTC with all nine fraction digits. */
export function isoTime(seconds: bigint, nsec: number): string {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) return `${seconds}s+${nsec}ns (out of calendar range)`;
  return d.toISOString().replace(/\.\d{3}Z$/, `.${String(nsec).padStart(9, "0")}Z`);
}

const FLAG_NAMES: [number, string][] = [
  [1, "immutable"],
  [2, "append-only"],
  [4, "hidden"],
  [8, "system"],
  [16, "archive"],
  [32, "skip-trash"],
];

export function flagNames(flags: number): string[] {
  const names: string[] = [];
  let rest = flags;
  for (const [bit, name] of FLAG_NAMES) {
    if (flags & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1; bit <= 0x80; bit <<= 1) if (rest & bit) names.push(`0x${bit.toString(16)}`);
  return names;
}

function aclView(r: AclRule): AclView {
  const perm = (p: number) => rwx(p);
  const list = (l: AclRule["users"]) => l.map((e) => ({ id: e.id, perm: perm(e.perm) }));
  return {
    owner: perm(r.owner),
    group: perm(r.group),
    other: perm(r.other),
    mask: perm(r.mask),
    users: list(r.users),
    groups: list(r.groups),
  };
}

/** One tree row. `dirId` is given for directories by the source that can page them. */
export function treeItemOf(
  name: Buffer,
  attr: Attr,
  dir?: { dirId: string; hasChildren: boolean; childCount?: number },
): TreeItem {
  const item: TreeItem = {
    name: displayName(name),
    rawName: escapeName(name),
    inode: attr.inode.toString(),
    type: attr.type,
    length: attr.length.toString(),
    mode: attr.mode,
    mtime: isoTime(attr.mtime, attr.mtimensec),
    nlink: attr.nlink,
    hasChildren: false,
  };
  if (dir) {
    item.dirId = dir.dirId;
    item.hasChildren = dir.hasChildren;
    if (dir.childCount !== undefined) item.childCount = dir.childCount;
  }
  return item;
}

/** The entry in words plus its dump JSON. */
export function describeEntry(name: Buffer, node: DumpNode, extra: { childCount?: number } = {}): EntryDetail {
  const a = node.attr;
  const time = (s: bigint, ns: number) => ({ iso: isoTime(s, ns), seconds: s.toString(), nsec: ns });
  const slices = node.chunks.reduce((n, c) => n + c.slices.length, 0);
  const detail: EntryDetail = {
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
    xattrs: [...node.xattrs]
      .sort((x, y) => Buffer.compare(x.name, y.name))
      .map((x) => ({ name: x.name.toString("utf8"), value: displayName(x.value), rawValue: escapeName(x.value) })),
    chunkCount: node.chunks.length,
    sliceCount: slices,
    json: entryJson(node),
    jsonText: entryCompactJson(node),
  };
  if (a.type === "blockdev" || a.type === "chardev") {
    // Linux's 32-bit dev_t layout (new_decode_dev).
    detail.rdev = { raw: a.rdev, major: (a.rdev >>> 8) & 0xfff, minor: (a.rdev & 0xff) | ((a.rdev >>> 12) & 0xfff00) };
  }
  if (node.symlink && node.symlink.length) {
    detail.symlink = { display: displayName(node.symlink), raw: escapeName(node.symlink) };
  }
  if (node.accessAcl) detail.accessAcl = aclView(node.accessAcl);
  if (node.defaultAcl) detail.defaultAcl = aclView(node.defaultAcl);
  if (extra.childCount !== undefined) detail.childCount = extra.childCount;
  return detail;
}
