// The structural verifier of a dump: everything a JuiceFS client could have written, checked
// over the reader's entry stream before anything trusts it. `load` runs it in front of the
// loader (a refusal aborts the load, so the target is emptied again) and `jfsmeta verify` runs
// it alone. It knows no engine and no byte format: any reader that delivers DumpVisitor events
// with a `Where` for each entry (the JSON reader today, a binary reader later) can feed it.
//
// What it checks, and why each matters to a load:
// - inode 0 never; inode 1 only as the FSTree root; trash inodes (≥ TrashInode) only as the
//   Trash root and its hour directories; the Trash root is TrashInode. Otherwise an entry
//   lands on the root or the trash and replaces it.
// - a directory inode appears exactly once, never inside itself or an ancestor: a second
//   occurrence would be stored as a hard-linked directory, or a loop no client can walk.
// - a non-directory inode repeats only as a hard link: nlink > 1 at its first occurrence and
//   the same attributes, target, xattrs, ACLs and chunks every time (else two files collide
//   and one silently disappears).
// - names as a JuiceFS client can create them: not empty, `.` or `..`, no `/` or NUL, at most
//   255 bytes, and one entry of each name per directory.
// - numbers within what JuiceFS stores: mode ≤ 07777 (Redis keeps 12 bits), nanoseconds below
//   10^9, times within 1677–2262 (SQL engines compute nanoseconds in 64 bits), slice ids
//   below 2^63 - 1 (nextChunk holds the largest + 1), length below 2^57 (vfs maxFileSize), symlink targets below 4096 bytes, xattr names of
//   1–255 bytes with values up to 64 KiB and no name twice, chunk indexes below 2^31 and once
//   each, slices inside their 64 MiB chunk and their object.
// - Setting, Counters and FSTree present.
// Memory stays as flat as the load's: inodes in paged bitsets; per directory on the open path
// only its last name (plus, for the first NAME_SET_LIMIT entries, a set of names to catch a
// repeat in an unsorted directory); hard links, which are rare, keep a fingerprint each.
import { createHash } from "node:crypto";
import type { DumpNode } from "../jfs/types";
import { CHUNK_SIZE, MAX_FILE_SIZE, MAX_NAME, MAX_SYMLINK, ROOT_INODE, TRASH_INODE } from "../jfs/types";
import { OpenDirs } from "./open-dirs";
import { PagedBitset } from "./paged-bitset";
import { readDump } from "./reader";
import { DumpFormatError, type DirHandle, type DumpVisitor, type ReadEntry, type TreeName, type Where } from "./types";

export { MAX_FILE_SIZE };
/**
 * Inodes and slice ids come from JuiceFS's nextInode / nextChunk counters, signed 64-bit numbers
 * (and SQL engines store them in BIGINT): a larger uint64 is no JuiceFS client's.
 */
const MAX_INT64 = 2n ** 63n - 1n;
/** Chunk indexes of a file below MAX_FILE_SIZE. */
const MAX_CHUNK_INDEX = 2 ** 31 - 1;
/** vfs xattrMaxName / xattrMaxSize. */
export const MAX_XATTR_NAME = 255;
export const MAX_XATTR_VALUE = 65536;
/**
 * JuiceFS's SQL engines turn a time into nanoseconds in a signed 64 bits (sec × 10^9 + nsec,
 * then microseconds in the column), and Go lets a larger value wrap without a word: times
 * from 1677-09-21 to 2262-04-11 are what every engine holds.
 */
const INT64_MIN = -(1n << 63n);
const NS_PER_S = 1_000_000_000n;
/** Slice ids come from the int64 counter nextChunk, which must hold the largest id + 1. */
export const MAX_SLICE_ID = MAX_INT64 - 1n;
/** Names kept per directory to catch repeats when entries are not in name order. */
const NAME_SET_LIMIT = 4096;

/** What a verified dump holds (first occurrences of inodes, roots included). */
export interface VerifyCounts {
  /** Tree entries read, every occurrence. */
  entries: number;
  directories: number;
  /** Regular files. */
  files: number;
  symlinks: number;
  /** FIFOs, sockets and device nodes. */
  others: number;
  /** Occurrences of a non-directory beyond its first (extra names of hard-linked inodes). */
  hardLinks: number;
  /** Slices that own an object (id ≠ 0). */
  slices: number;
  /** Sum of regular files' lengths. */
  bytes: bigint;
  /** Entries under Trash, its root excluded. */
  trashEntries: number;
}

export interface VerifyOptions {
  /**
   * Called with each problem, and the check goes on; without it the first problem throws.
   * Problems the reader finds (malformed JSON, duplicate members) always end the read.
   */
  onProblem?: (problem: DumpFormatError) => void;
  /**
   * A dump of a volume in use (not --consistent, or made by JuiceFS, whose dumps never are)
   * can read a hard-linked file twice with a change in between: its occurrences then differ,
   * or the first says nlink 1 because the link was made meanwhile. Corruption looks the same,
   * so this is refused by default; with this set the first occurrence wins, as in JuiceFS's
   * load, and each such inode is told to `onWarning` instead.
   */
  acceptChangedHardLinks?: boolean;
  onWarning?: (message: string) => void;
}

/** What a refusal of a changed hard link adds: the way out for a dump of a live volume. */
const CHANGED_LINK_HINT =
  " (if the dump was taken of a volume in use, a hard-linked file may have changed between its reads: --accept-changed-hardlinks loads the first occurrence, as JuiceFS does)";

/** Per directory on the open path: what its children have shown so far. */
interface ChildNames {
  last: Buffer | null;
  /**
   * While the first NAME_SET_LIMIT names are watched for repeats: the names so far, in order.
   * In order, a repeat can only be the last name, so no set is made (a string and a set entry
   * for every name cost more than the rest of the check); the set is made from this list at
   * the first name out of order.
   */
  inOrder: Buffer[] | null;
  /** Every name so far, once one came out of order (while at most NAME_SET_LIMIT of them). */
  names: Set<string> | null;
  /** Whether the names are still watched (the first NAME_SET_LIMIT entries). */
  watched: boolean;
  count: number;
  inOrderSoFar: boolean;
}

/** The reason `name` cannot be an entry name in JuiceFS, or null. */
export function badEntryName(name: Buffer): string | null {
  if (name.length === 0) return "an entry name is empty";
  if (name.length > MAX_NAME) return `an entry name is ${name.length} bytes long (JuiceFS allows ${MAX_NAME})`;
  if (name.length <= 2 && name[0] === 0x2e && (name.length === 1 || name[1] === 0x2e))
    return `"${name.toString("latin1")}" cannot be an entry name`;
  if (name.includes(0x2f)) return 'an entry name contains "/"';
  if (name.includes(0)) return "an entry name contains a NUL byte";
  return null;
}

/** A stable digest of everything a load keeps of a node (hard links must agree on it). */
function fingerprint(n: DumpNode): string {
  const a = n.attr;
  const h = createHash("sha1");
  h.update(
    [a.type, a.flags, a.mode, a.uid, a.gid, a.atime, a.mtime, a.ctime, a.atimensec, a.mtimensec, a.ctimensec, a.nlink, a.length, a.rdev, a.tier].join(","),
  );
  h.update(`|s${n.symlink ? n.symlink.toString("hex") : "-"}`);
  const xattrs = [...n.xattrs].sort((x, y) => Buffer.compare(x.name, y.name));
  for (const x of xattrs) h.update(`|x${x.name.toString("hex")}=${x.value.toString("hex")}`);
  const acl = (r: DumpNode["accessAcl"]) =>
    r ? `${r.owner}/${r.group}/${r.other}/${r.mask}/${r.users.map((e) => `${e.id}:${e.perm}`)}/${r.groups.map((e) => `${e.id}:${e.perm}`)}` : "-";
  h.update(`|a${acl(n.accessAcl)}|d${acl(n.defaultAcl)}`);
  for (const c of n.chunks) {
    h.update(`|c${c.index}`);
    for (const s of c.slices) h.update(`:${s.id},${s.pos},${s.size},${s.off},${s.len}`);
  }
  return h.digest("base64");
}

/** The path of a member of an entry, with the entry's offset. */
function inEntry(at: Where, member: string): Where {
  return {
    get path() {
      return at.path + member;
    },
    offset: at.offset,
  };
}

export class DumpVerifier {
  readonly counts: VerifyCounts = {
    entries: 0,
    directories: 0,
    files: 0,
    symlinks: 0,
    others: 0,
    hardLinks: 0,
    slices: 0,
    bytes: 0n,
    trashEntries: 0,
  };
  problems = 0;
  private sawSetting = false;
  private sawCounters = false;
  private sawFSTree = false;

  private readonly seen = new PagedBitset();
  private readonly dirs = new PagedBitset();
  /** Non-directories whose first occurrence said nlink > 1: the digest later ones must match. */
  private readonly links = new Map<bigint, string>();
  /** Directories on the open path by depth, the inode each was registered with, and counts. */
  private readonly path: (DirHandle | undefined)[] = [];
  private readonly pathInode: (bigint | undefined)[] = [];
  private readonly openInodes = new Map<bigint, number>();
  private readonly openDirs = new OpenDirs<ChildNames>();

  constructor(private readonly opts: VerifyOptions = {}) {}

  private problem(message: string, at: Where): void {
    const err = new DumpFormatError(message, at.path, at.offset);
    this.problems++;
    if (!this.opts.onProblem) throw err;
    this.opts.onProblem(err);
  }

  /**
   * A problem with the entry's inode. Its Where (an object with a getter, slow to make) is made
   * only when there is a problem: made for every entry it cost a few percent of a load.
   */
  private inodeProblem(message: string, e: ReadEntry): void {
    this.problem(message, inEntry(e.at, ".attr.inode"));
  }

  /** A visitor that checks each event, then hands it to `next` (e.g. the loader). */
  visitor(next: Partial<DumpVisitor> = {}): DumpVisitor {
    return {
      setting: (s) => {
        this.sawSetting = true;
        return next.setting?.(s);
      },
      counters: (c) => {
        this.sawCounters = true;
        return next.counters?.(c);
      },
      sustained: next.sustained && ((s) => next.sustained!(s)),
      delFiles: next.delFiles && ((d) => next.delFiles!(d)),
      quotas: next.quotas && ((k, q) => next.quotas!(k, q)),
      changeLog: next.changeLog && ((c) => next.changeLog!(c)),
      treeStart: (t: TreeName) => {
        if (t === "FSTree") this.sawFSTree = true;
        return next.treeStart?.(t);
      },
      entry: (e) => {
        const before = this.problems;
        this.entry(e);
        // With onProblem, a refused entry is counted but not passed on.
        if (this.problems === before) return next.entry?.(e);
      },
      treeEnd: next.treeEnd && ((t) => next.treeEnd!(t)),
    };
  }

  /** Checks that need the whole dump; `end` is the number of bytes read. */
  finish(end: number): void {
    const at = { path: "", offset: end };
    if (!this.sawSetting) this.problem("missing 'Setting' (the volume's format): the dump is incomplete", at);
    if (!this.sawCounters) this.problem("missing 'Counters': the dump is incomplete", at);
    if (!this.sawFSTree) this.problem("missing 'FSTree': the dump is incomplete", at);
  }

  /** Registers the open directories above `parent` (amortised: each handle once). */
  private enter(parent: DirHandle, depth: number): void {
    let h: DirHandle | null = parent;
    for (let d = depth - 1; h && d >= 0 && this.path[d] !== h; d--, h = h.parent) {
      this.leave(d);
      this.path[d] = h;
      this.pathInode[d] = h.inode;
      if (h.inode !== undefined) this.openInodes.set(h.inode, (this.openInodes.get(h.inode) ?? 0) + 1);
    }
  }

  private leave(d: number): void {
    if (!this.path[d]) return;
    const ino = this.pathInode[d];
    if (ino !== undefined) {
      const n = this.openInodes.get(ino)! - 1;
      if (n) this.openInodes.set(ino, n);
      else this.openInodes.delete(ino);
    }
    this.path[d] = undefined;
    this.pathInode[d] = undefined;
  }

  private entry(e: ReadEntry): void {
    const c = this.counts;
    c.entries++;
    const attr = e.node.attr;
    const isRoot = e.parent === null;
    const inTrash = e.tree === "Trash";
    if (inTrash && !isRoot) c.trashEntries++;
    if (e.parent) {
      this.enter(e.parent, e.depth);
      this.checkName(e);
    }
    if (e.self) {
      if (this.path[e.depth] === e.self) this.leave(e.depth);
      this.openDirs.close(e.self);
    }
    // The inode as the load will store it: an FSTree root (a subdir dump's too) becomes 1.
    const inode = isRoot && !inTrash ? ROOT_INODE : attr.inode;
    if (attr.inode === 0n) return this.inodeProblem("inode 0 is not a valid inode", e);
    if (attr.inode > MAX_INT64) return this.inodeProblem(`inode ${attr.inode} is beyond JuiceFS's inode counter (a signed 64-bit number)`, e);
    if (isRoot) {
      if (!e.isDir) return this.problem(`the ${e.tree} root must be a directory, found type ${attr.type}`, e.at);
      if (inTrash && attr.inode !== TRASH_INODE)
        return this.inodeProblem(`the Trash root's inode is ${attr.inode}, JuiceFS's trash is ${TRASH_INODE}`, e);
      if (!inTrash && attr.inode >= TRASH_INODE) return this.inodeProblem(`the FSTree root has the trash inode ${attr.inode}`, e);
    } else if (attr.inode === ROOT_INODE) {
      return this.inodeProblem("inode 1 is the root's and appears only as the FSTree root", e);
    } else if (inTrash && e.depth === 1) {
      if (!e.isDir || attr.inode <= TRASH_INODE)
        return this.inodeProblem(`a Trash entry holds trash hour directories (directories with inodes above ${TRASH_INODE}), found a ${attr.type} with inode ${attr.inode}`, e);
    } else if (attr.inode >= TRASH_INODE) {
      return this.inodeProblem(`trash inode ${attr.inode} outside the Trash's hour directories (only those use inodes from ${TRASH_INODE})`, e);
    }
    if (this.openInodes.has(attr.inode))
      return this.inodeProblem(`inode ${attr.inode} is also a directory that contains this entry: a directory cannot contain itself`, e);
    this.checkNode(e);

    if (e.isDir) {
      if (this.seen.testAndSet(inode))
        return this.inodeProblem(`inode ${inode} appears more than once, and it is a directory: a directory appears exactly once (no hard links, no loops)`, e);
      this.dirs.testAndSet(inode);
      c.directories++;
      return;
    }
    if (this.seen.testAndSet(inode)) {
      if (this.dirs.has(inode)) return this.inodeProblem(`inode ${inode} is a directory's, and appears again as a ${attr.type}`, e);
      const first = this.links.get(inode);
      const changed =
        first === undefined
          ? `inode ${inode} appears again but its first occurrence has nlink 1: two entries share an inode without being hard links`
          : first !== fingerprint(e.node)
            ? `inode ${inode} appears again with other attributes, target, xattrs or chunks than its first occurrence: hard links share one inode`
            : null;
      if (changed && !this.opts.acceptChangedHardLinks) return this.inodeProblem(changed + CHANGED_LINK_HINT, e);
      if (changed) this.opts.onWarning?.(`${changed}; the first occurrence is kept (at ${e.at.path}.attr.inode, byte ${e.at.offset})`);
      c.hardLinks++;
      return;
    }
    if (attr.nlink > 1) this.links.set(inode, fingerprint(e.node));
    if (attr.type === "regular") {
      c.files++;
      c.bytes += attr.length;
    } else if (attr.type === "symlink") c.symlinks++;
    else c.others++;
    for (const ch of e.node.chunks) for (const s of ch.slices) if (s.id !== 0n) c.slices++;
  }

  private checkName(e: ReadEntry): void {
    const name = e.name;
    const bad = badEntryName(name);
    if (bad) return this.problem(bad, e.at);
    const d = this.openDirs.of(e.parent!, () => ({ last: null, inOrder: [], names: null, watched: true, count: 0, inOrderSoFar: true }));
    d.count++;
    const order = d.last ? Buffer.compare(d.last, name) : -1;
    if (order > 0 && d.watched && !d.names) {
      d.names = new Set(d.inOrder!.map((n) => n.toString("latin1")));
      d.inOrder = null;
    }
    const key = d.names ? name.toString("latin1") : "";
    if (order === 0 || d.names?.has(key)) return this.problem("a second entry with this name in one directory", e.at);
    if (order > 0) {
      d.inOrderSoFar = false;
      if (!d.watched) return this.problem(unsortedTooBig(), e.at);
    }
    d.last = name;
    if (d.watched) {
      if (d.names) d.names.add(key);
      else d.inOrder!.push(name);
      if (d.count > NAME_SET_LIMIT) {
        if (!d.inOrderSoFar) return this.problem(unsortedTooBig(), e.at);
        // sorted so far: from now on the order alone rules out repeats
        d.watched = false;
        d.inOrder = null;
      }
    }
  }

  private checkNode(e: ReadEntry): void {
    nodeProblems(e.node, (member, message) => this.problem(message, inEntry(e.at, member)));
  }
}

/**
 * What is wrong with one node by itself (attributes, target, xattrs, chunks), each problem as
 * the member at fault (".attr.mode", ".chunks[1].slices[0]") and a message. Pure: a reader of
 * another format (the binary dump's nodes) can run the same checks.
 */
export function nodeProblems(node: DumpNode, report: (member: string, message: string) => void): void {
  // Run on every entry of every load: plain loops, no string built unless there is a problem,
  // and the times' nanosecond range checked in 64 bits only when the seconds are near its ends.
  const { attr, symlink, xattrs, chunks } = node;
  if (attr.mode > 0o7777) report(".attr.mode", `mode ${attr.mode} has bits above 07777 (JuiceFS keeps the permission bits only)`);
  if (attr.atimensec > 999_999_999) report(".attr.atimensec", `atimensec ${attr.atimensec} is not below 10^9`);
  if (attr.mtimensec > 999_999_999) report(".attr.mtimensec", `mtimensec ${attr.mtimensec} is not below 10^9`);
  if (attr.ctimensec > 999_999_999) report(".attr.ctimensec", `ctimensec ${attr.ctimensec} is not below 10^9`);
  checkTime(attr.atime, attr.atimensec, "atime", report);
  checkTime(attr.mtime, attr.mtimensec, "mtime", report);
  checkTime(attr.ctime, attr.ctimensec, "ctime", report);
  if (attr.type === "regular" && attr.length >= MAX_FILE_SIZE)
    report(".attr.length", `length ${attr.length} is not below JuiceFS's maximum file size ${MAX_FILE_SIZE} (2^57)`);
  if (symlink !== undefined) {
    if (attr.type !== "symlink") report(".symlink", `an entry of type ${attr.type} has "symlink" (only symlinks have a target)`);
    else if (symlink.length >= MAX_SYMLINK)
      report(".symlink", `a symlink target of ${symlink.length} bytes (JuiceFS allows up to ${MAX_SYMLINK - 1})`);
  }
  if (xattrs.length) {
    const names = xattrs.length > 1 ? new Set<string>() : null;
    for (let i = 0; i < xattrs.length; i++) {
      const x = xattrs[i];
      if (x.name.length === 0 || x.name.length > MAX_XATTR_NAME)
        report(`.xattrs[${i}]`, `an xattr name of ${x.name.length} bytes (JuiceFS allows 1 to ${MAX_XATTR_NAME})`);
      if (x.value.length > MAX_XATTR_VALUE) report(`.xattrs[${i}]`, `an xattr value of ${x.value.length} bytes (JuiceFS allows up to ${MAX_XATTR_VALUE})`);
      if (!names) continue;
      const key = x.name.toString("latin1");
      if (names.has(key)) report(`.xattrs[${i}]`, `a second xattr named ${JSON.stringify(x.name.toString())}`);
      names.add(key);
    }
  }
  if (chunks.length) {
    if (attr.type !== "regular") report(".chunks", `an entry of type ${attr.type} has "chunks" (only regular files have data)`);
    let last = -1;
    let indexes: Set<number> | null = null;
    for (let i = 0; i < chunks.length; i++) {
      const ch = chunks[i];
      if (ch.index > MAX_CHUNK_INDEX) report(`.chunks[${i}]`, `chunk index ${ch.index} is beyond JuiceFS's maximum file size (index < 2^31)`);
      if (ch.index <= last || indexes) {
        indexes ??= new Set(chunks.slice(0, i).map((x) => x.index));
        if (indexes.has(ch.index)) report(`.chunks[${i}]`, `a second chunk with index ${ch.index}`);
        indexes.add(ch.index);
      }
      last = ch.index;
      const slices = ch.slices;
      for (let j = 0; j < slices.length; j++) {
        const s = slices[j];
        if (s.id > MAX_SLICE_ID) report(`.chunks[${i}].slices[${j}]`, `slice id ${s.id} leaves no room for the counter nextChunk (int64)`);
        else if (s.size > CHUNK_SIZE) report(`.chunks[${i}].slices[${j}]`, `slice size ${s.size} is larger than a chunk (${CHUNK_SIZE})`);
        else if (s.pos + s.len > CHUNK_SIZE) report(`.chunks[${i}].slices[${j}]`, `slice pos ${s.pos} + len ${s.len} runs past the end of its 64 MiB chunk`);
        else if (s.off + s.len > s.size) report(`.chunks[${i}].slices[${j}]`, `slice off ${s.off} + len ${s.len} runs past the end of its object (size ${s.size})`);
      }
    }
  }
}

/**
 * Seconds whose nanoseconds (sec × 10^9 + nsec, nsec a uint32) surely fit in a signed 64 bits:
 * only outside these is the product computed (bigint arithmetic allocates, three times an entry).
 */
const SURE_MIN_SEC = INT64_MIN / NS_PER_S; // -9223372036: × 10^9 stays above INT64_MIN
const SURE_MAX_SEC = (MAX_INT64 - 0xffffffffn) / NS_PER_S; // + any uint32 nsec stays below MAX_INT64

function checkTime(sec: bigint, nsec: number, f: "atime" | "mtime" | "ctime", report: (member: string, message: string) => void): void {
  if (sec >= SURE_MIN_SEC && sec <= SURE_MAX_SEC && nsec >= 0 && nsec <= 0xffffffff) return;
  const ns = sec * NS_PER_S + BigInt(nsec);
  if (ns > MAX_INT64 || ns < INT64_MIN)
    report(`.attr.${f}`, `${f} ${sec} is outside 1677–2262, the times JuiceFS's SQL engines can store (nanoseconds in 64 bits)`);
}

function unsortedTooBig(): string {
  return `entries out of name order in a directory of more than ${NAME_SET_LIMIT} entries: repeated names can be ruled out in bounded memory only when entries are sorted by name, as juicefs dump writes them`;
}

export interface VerifyReport {
  counts: VerifyCounts;
  /** Problems found (with onProblem: all of them; without: none, the first one threw). */
  problems: number;
  /** Bytes of (decompressed) dump read. */
  bytes: number;
}

/**
 * Reads a whole dump (plain bytes: decompress and decrypt first, see openDumpInput) and
 * verifies it. Without `onProblem` it rejects with the first problem (a DumpFormatError).
 */
export async function verifyDump(input: AsyncIterable<Buffer | string> | Iterable<Buffer> | NodeJS.ReadableStream, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const verifier = new DumpVerifier(opts);
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const piece of input as AsyncIterable<Buffer | string>) {
      const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
      bytes += chunk.length;
      yield chunk;
    }
  }
  await readDump(counted(), verifier.visitor());
  verifier.finish(bytes);
  return { counts: verifier.counts, problems: verifier.problems, bytes };
}
