// The JuiceFS metadata domain, engine- and format-neutral.
// Every 64-bit quantity (inodes, slice ids, lengths, times, counters) is a bigint: trash inodes
// start at 2^63 - 2^32 + 2^28 and do not survive a round trip through a double.

export const ROOT_INODE = 1n;
/** First trash inode; trash hour directories are TRASH_INODE + n. */
export const TRASH_INODE = 0x7fffffff10000000n;
export const CHUNK_SIZE = 1 << 26; // 64 MiB
export const MAX_NAME = 255;
export const MAX_SYMLINK = 4096;
/** JuiceFS's largest file (vfs maxFileSize, ChunkSize << 31): a length must stay below it. */
export const MAX_FILE_SIZE = BigInt(CHUNK_SIZE) << 31n;

export const NODE_TYPES = ["regular", "directory", "symlink", "fifo", "blockdev", "chardev", "socket"] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Type codes as stored by every engine (attr high nibble, edge type byte, SQL `type` column). */
export const TYPE_CODE: Record<NodeType, number> = {
  regular: 1,
  directory: 2,
  symlink: 3,
  fifo: 4,
  blockdev: 5,
  chardev: 6,
  socket: 7,
};

export function typeFromCode(code: number): NodeType | undefined {
  return NODE_TYPES[code - 1];
}

/** align4K as JuiceFS accounts space: 0 counts as one 4 KiB block. */
export function align4K(length: bigint): bigint {
  if (length <= 0n) return 4096n;
  return ((length + 4095n) / 4096n) * 4096n;
}

export interface Attr {
  inode: bigint;
  flags: number; // uint8
  type: NodeType;
  mode: number; // lower 12 bits of st_mode
  uid: number;
  gid: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  atimensec: number;
  mtimensec: number;
  ctimensec: number;
  nlink: number;
  length: bigint;
  rdev: number;
  tier: number; // uint8
}

export interface Slice {
  id: bigint;
  pos: number; // offset inside the 64 MiB chunk
  size: number; // full size of the slice object
  off: number; // start of the used window inside the object
  len: number; // length of the used window
}

export interface Chunk {
  index: number;
  slices: Slice[];
}

/** Extended attribute; names and values are raw bytes. */
export interface Xattr {
  name: Buffer;
  value: Buffer;
}

export interface AclEntry {
  id: number; // uint32 uid/gid
  perm: number; // uint16
}

export interface AclRule {
  owner: number;
  group: number;
  other: number;
  mask: number;
  users: AclEntry[];
  groups: AclEntry[];
}

/** A rule's identity: equal rules share one stored ACL id (JuiceFS deduplicates them). */
export function aclRuleKey(r: AclRule): string {
  const list = (l: AclEntry[]) => l.map((e) => `${e.id}:${e.perm}`).join(",");
  return `${r.owner}/${r.group}/${r.mask}/${r.other}/${list(r.users)}/${list(r.groups)}`;
}

/**
 * Stored ACL ids as JuiceFS numbers them: 1, 2, … in the order distinct rules are first met
 * (equal rules by aclRuleKey share one id; 0 is "no ACL").
 */
export class AclNumbering {
  private readonly ids = new Map<string, number>();
  /** Each id's rule, in id order. */
  readonly rules = new Map<number, AclRule>();

  /** The rule's id, numbering it if it is new; 0 for none. */
  id(rule: AclRule | undefined): number {
    if (!rule) return 0;
    const key = aclRuleKey(rule);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(key, id);
      this.rules.set(id, rule);
    }
    return id;
  }
}

/** One inode as it appears in a dump's tree, without its children. */
export interface DumpNode {
  attr: Attr;
  /** Raw target bytes of a symlink. */
  symlink?: Buffer;
  /** Sorted by name bytes when written; any order when read. */
  xattrs: Xattr[];
  accessAcl?: AclRule;
  defaultAcl?: AclRule;
  /** Ascending index; only chunks that hold slices (an existing empty chunk may have none). */
  chunks: Chunk[];
}

/** A directory entry: a name in a parent pointing at an inode. */
export interface DirEntry {
  name: Buffer; // raw bytes
  inode: bigint;
  type: NodeType;
}

/** Counters in dump semantics ("next free" values; Redis stores one less for inode/chunk). */
export interface Counters {
  usedSpace: bigint;
  usedInodes: bigint;
  nextInodes: bigint;
  nextChunk: bigint;
  nextSession: bigint;
  nextTrash: bigint;
  nextCleanupSlices?: bigint;
  lastChangelog?: bigint;
}

export interface SustainedEntry {
  sid: bigint;
  inodes: bigint[];
}

export interface DelFile {
  inode: bigint;
  length: bigint;
  expire: bigint;
}

export interface QuotaLimit {
  maxSpace: bigint;
  maxInodes: bigint;
}

export interface QuotaUsage {
  usedSpace: bigint;
  usedInodes: bigint;
}

export type QuotaKind = "dir" | "user" | "group";

export interface ChangeLogEntry {
  version: bigint;
  entry: string;
}
