// Synthetic volumes for benchmarks, tests and the demo: a realistic and *valid* JuiceFS dump
// generated straight into a TreeWriter, streaming (memory does not grow with `files`).
//
// Shape: a deep project tree (about 70% of the files), one huge flat directory (30% by
// default), a `misc` directory with every special case (names with spaces, %, quotes, GBK
// bytes, emoji; symlinks; hard links across and within directories; fifo/socket/devices;
// immutable flags; tiers; ACLs; shared slices; files over 64 MiB with 2 chunks; on request a
// file of thousands of chunks), xattrs, directory/user/group quotas, and a trash with one
// hourly directory.
//
// The output follows JuiceFS's dump rules (children sorted by raw name bytes, nlink = 2 +
// sub-directories, length 0 for non-files, hard links written in full under each parent) and
// its Counters equal what `juicefs load` recomputes (docs/format/dump-json.md §10), so load + dump gives it back
// byte for byte. The counters must precede the tree, so the volume is generated twice with
// the same seed: once to count, once to write.
import type { AclRule, Attr, Chunk, Counters, DumpNode, NodeType, Slice, Xattr } from "../jfs/types";
import { align4K, CHUNK_SIZE, TRASH_INODE } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import type { DumpHeader, TreeName, TreeWriter } from "../dump/types";
import { prng } from "./prng";

export interface SyntheticOptions {
  /** Regular files in the project tree and the flat directory (misc and trash add ~20). */
  files: number;
  seed?: number;
  /** Volume name (default "synthetic"). */
  name?: string;
  /** Share of `files` in the one flat directory (default 0.3). */
  flatDirShare?: number;
  /**
   * Files in each directory of the project tree; 0 (the default) picks 16–40 at random, a deep
   * tree of small directories. Thousands make a tree of many mid-size directories.
   */
  dirFiles?: number;
  /** Include the Trash tree (default true). */
  trash?: boolean;
  /** Base for timestamps and the trash hour (default 2026-01-01T00:00:00Z, for determinism). */
  now?: Date;
  /** Setting members to change (e.g. `{ TrashDays: 0 }`, `{ ChangeLog: true }`). */
  setting?: Partial<Setting>;
  /**
   * Chunks of a file "0-many-chunks", first in `misc` (default 0: none). 9,000 make an inode's
   * data of about half a MiB, longer than the staged walk's read blocks of its temporary files.
   */
  manyChunks?: number;
}

/** What the generator learns while generating; the header needs it before the tree. */
interface Tally {
  counters: Counters;
  deletedInode: bigint;
  projectsInode: bigint;
  flatInode: bigint;
}

const MIB = 1 << 20;

/** A child to write: its name and how to write it (nodes are created when written). */
interface Child {
  name: Buffer;
  isDir: boolean;
  write(name: Buffer): Promise<void> | void;
}

class NullWriter implements TreeWriter {
  async header(): Promise<void> {}
  async beginDir(): Promise<void> {}
  async leaf(): Promise<void> {}
  async endDir(): Promise<void> {}
  async end(): Promise<void> {}
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const byName = (a: Child, b: Child) => Buffer.compare(a.name, b.name);

class Generator {
  private readonly rnd: () => number;
  private nextInode = 2n;
  private nextSlice = 1n;
  private usedSpace = 0n;
  private usedInodes = 0n;
  private maxInode = 1n;
  private maxSlice = 0n;
  private maxTrash = 0n;
  private readonly base: bigint;
  projectsInode = 0n;
  flatInode = 0n;
  /** A deleted file still waiting for its data to be removed (DelFiles); not in the tree. */
  readonly deletedInode: bigint;

  constructor(
    private readonly w: TreeWriter,
    private readonly opts: Required<SyntheticOptions>,
  ) {
    this.rnd = prng(opts.seed);
    this.base = BigInt(Math.floor(opts.now.getTime() / 1000));
    this.deletedInode = this.nextInode++;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  // ---- nodes ----

  private attr(inode: bigint, type: NodeType, mode: number, length: bigint, nlink: number): Attr {
    const t = this.base - BigInt(this.int(0, 365 * 86400));
    const ns = this.int(0, 999_999_999);
    return {
      inode, flags: 0, type, mode, uid: type === "directory" ? 0 : 1000 + this.int(0, 1), gid: 1000,
      atime: t + 60n, mtime: t, ctime: t, atimensec: ns, mtimensec: ns, ctimensec: ns,
      nlink, length, rdev: 0, tier: 0,
    };
  }

  /** A new inode in the volume (not the root, not the trash root): counted as load counts it. */
  private allocInode(length: bigint, trashDir = false): bigint {
    const ino = trashDir ? TRASH_INODE + ++this.maxTrash : this.nextInode++;
    if (!trashDir && ino > this.maxInode) this.maxInode = ino;
    this.usedSpace += align4K(length);
    this.usedInodes++;
    return ino;
  }

  private slice(pos: number, len: number): Slice {
    const id = this.nextSlice++;
    this.maxSlice = id;
    const want = this.chance(0.1) ? this.int(1, 4096) : 0; // a window inside a bigger object
    // An object never outgrows its 64 MiB chunk (the draws stay the same, so do the volumes).
    const extra = Math.min(want, CHUNK_SIZE - len);
    return { id, pos, size: len + extra, off: want ? this.int(0, extra) : 0, len };
  }

  private chunksFor(length: number): Chunk[] {
    const chunks: Chunk[] = [];
    for (let index = 0; index * CHUNK_SIZE < length; index++) {
      const inChunk = Math.min(CHUNK_SIZE, length - index * CHUNK_SIZE);
      const slices = [this.slice(0, inChunk)];
      // Later writes overwrite parts of earlier ones.
      for (let k = this.int(0, 2); k > 0; k--) {
        const pos = this.int(0, inChunk - 1);
        slices.push(this.slice(pos, this.int(1, inChunk - pos)));
      }
      chunks.push({ index, slices });
    }
    return chunks;
  }

  private fileLength(): number {
    const r = this.rnd();
    if (r < 0.05) return 0;
    if (r < 0.997) return this.int(1, r < 0.8 ? 64 * 1024 : 8 * MIB);
    return CHUNK_SIZE + this.int(1, CHUNK_SIZE - 1); // two chunks
  }

  private xattrs(): Xattr[] {
    if (!this.chance(0.02)) return [];
    const list = [{ name: Buffer.from("user.origin"), value: Buffer.from(`import batch ${this.int(1, 99)}`) }];
    if (this.chance(0.5)) list.push({ name: Buffer.from("user.checksum"), value: Buffer.from(pad(this.int(0, 1e9), 10)) });
    return list.sort((a, b) => Buffer.compare(a.name, b.name));
  }

  private acl(): AclRule | undefined {
    if (!this.chance(0.005)) return undefined;
    return { owner: 6, group: 4, other: 4, mask: 6, users: [{ id: 2000 + this.int(0, 9), perm: 6 }], groups: [] };
  }

  private fileNode(length = this.fileLength(), nlink = 1): DumpNode {
    const ino = this.allocInode(BigInt(length));
    const attr = this.attr(ino, "regular", this.chance(0.1) ? 0o755 : 0o644, BigInt(length), nlink);
    if (this.chance(0.01)) attr.tier = 1;
    return { attr, xattrs: this.xattrs(), chunks: this.chunksFor(length), accessAcl: this.acl() };
  }

  private plainNode(type: NodeType, mode: number, extra: Partial<Attr> = {}): DumpNode {
    const attr = { ...this.attr(this.allocInode(0n), type, mode, 0n, 1), ...extra };
    return { attr, xattrs: [], chunks: [] };
  }

  // ---- children ----

  private file(name: string | Buffer, make: () => DumpNode = () => this.fileNode()): Child {
    return { name: Buffer.from(name), isDir: false, write: (n) => this.w.leaf(n, make()) };
  }

  private symlink(name: string | Buffer, target: Buffer): Child {
    return {
      name: Buffer.from(name),
      isDir: false,
      write: (n) => this.w.leaf(n, { ...this.plainNode("symlink", 0o777), symlink: target }),
    };
  }

  /** Two names for one inode; `shared.node` is made by whichever is written first. */
  private hardLinks(names: (string | Buffer)[], make: (nlink: number) => DumpNode): Child[] {
    let node: DumpNode | undefined;
    return names.map((name) => ({
      name: Buffer.from(name),
      isDir: false,
      write: (n: Buffer) => this.w.leaf(n, (node ??= make(names.length))),
    }));
  }

  /** A directory whose children are listed up front (small directories only). */
  private dir(name: string | Buffer, children: () => Child[], opts: { mode?: number; onInode?: (i: bigint) => void; defaultAcl?: boolean } = {}): Child {
    return {
      name: Buffer.from(name),
      isDir: true,
      write: async (n) => {
        const ino = this.allocInode(0n);
        opts.onInode?.(ino);
        const list = children().sort(byName);
        const subdirs = list.filter((c) => c.isDir).length;
        const node: DumpNode = { attr: this.attr(ino, "directory", opts.mode ?? 0o755, 0n, 2 + subdirs), xattrs: [], chunks: [] };
        if (opts.defaultAcl) node.defaultAcl = { owner: 7, group: 5, other: 5, mask: 7, users: [], groups: [{ id: 1000, perm: 7 }] };
        await this.w.beginDir(n, node);
        for (const c of list) await c.write(c.name);
        await this.w.endDir();
      },
    };
  }

  /** The project tree: some files here, the rest split over up to 8 sub-directories. */
  private projectChildren(budget: number, depth: number): Child[] {
    const here = Math.min(budget, this.opts.dirFiles || this.int(16, 40));
    const rest = budget - here;
    const list: Child[] = [];
    const exts = [".txt", ".csv", ".parquet", ".log", ".json", ".bin"];
    for (let i = 0; i < here; i++) {
      const name = `file-${pad(i, 4)}${exts[i % exts.length]}`;
      if (this.chance(0.01)) {
        // A second name for the file in the same directory.
        list.push(...this.hardLinks([name, name + ".orig"], (nlink) => this.fileNode(undefined, nlink)));
        continue;
      }
      list.push(this.file(name));
      if (this.chance(0.01)) list.push(this.symlink(`link-${pad(i, 4)}`, Buffer.from(name)));
    }
    if (rest > 0) {
      const subs = Math.min(8, Math.ceil(rest / 32));
      for (let s = 0; s < subs; s++) {
        const share = Math.floor(rest / subs) + (s < rest % subs ? 1 : 0);
        list.push(this.dir(`dir-${pad(s, 2)}`, () => this.projectChildren(share, depth + 1), { defaultAcl: depth === 1 && s === 0 }));
      }
    }
    return list;
  }

  /** The flat directory is written as a loop: fixed-width names are already in byte order. */
  private flatDir(count: number): Child {
    const width = Math.max(6, String(count).length);
    return {
      name: Buffer.from("flat"),
      isDir: true,
      write: async (n) => {
        const ino = this.allocInode(0n);
        this.flatInode = ino;
        await this.w.beginDir(n, { attr: this.attr(ino, "directory", 0o755, 0n, 2), xattrs: [], chunks: [] });
        for (let i = 0; i < count; i++) await this.w.leaf(Buffer.from(`f${pad(i, width)}`), this.fileNode());
        await this.w.endDir();
      },
    };
  }

  private miscChildren(): Child[] {
    const gbk = Buffer.from("b9fbd6adcafdbedd2e747874", "hex"); // GBK "果汁数据.txt"
    let shared: Slice | undefined;
    let crossLink: DumpNode | undefined;
    const crossNode = () => (crossLink ??= this.fileNode(5000, 2));
    return [
      ...(this.opts.manyChunks ? [this.file("0-many-chunks", () => this.fileNode(this.opts.manyChunks * CHUNK_SIZE))] : []),
      this.file("file with spaces.txt"),
      this.file("100% done.txt"),
      this.file('quote"and\\backslash'),
      this.file("tab\there"),
      this.file("emoji-😀.png"),
      this.file("果汁.txt"),
      this.file(gbk),
      this.file(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe])), // invalid UTF-8
      this.file("a&b<c>.html", () => {
        const n = this.fileNode(100);
        n.xattrs = [
          { name: Buffer.from("user.comment"), value: Buffer.from("a&b<c> 果汁%25 \u2028") },
          { name: Buffer.from("user.raw"), value: Buffer.from([0x00, 0xff, 0x20]) },
        ];
        return n;
      }),
      this.file("empty"),
      this.file("immutable", () => {
        const n = this.fileNode(10);
        n.attr.flags = 1;
        return n;
      }),
      this.file("skip-trash+append", () => {
        const n = this.fileNode(10);
        n.attr.flags = 2 | 32;
        return n;
      }),
      this.file("big-2-chunks.bin", () => this.fileNode(CHUNK_SIZE + 36 * MIB)),
      this.file("original", () => {
        const n = this.fileNode(4096);
        shared = n.chunks[0].slices[0];
        return n;
      }),
      // Written after "original" (byte order): shares its slice, like copy_file_range.
      this.file("reflink", () => {
        const n = this.fileNode(0);
        if (shared) {
          n.attr.length = BigInt(shared.len);
          this.usedSpace += align4K(n.attr.length) - 4096n;
          n.chunks = [{ index: 0, slices: [{ ...shared }] }];
        }
        return n;
      }),
      this.file("with-acl", () => {
        const n = this.fileNode(10);
        n.accessAcl = { owner: 6, group: 4, other: 4, mask: 7, users: [{ id: 1, perm: 6 }, { id: 2, perm: 7 }], groups: [{ id: 3, perm: 4 }] };
        n.defaultAcl = { owner: 7, group: 5, other: 5, mask: 5, users: [], groups: [{ id: 3, perm: 6 }] };
        return n;
      }),
      this.symlink("sym-gbk", gbk),
      this.symlink("sym-abs", Buffer.from("/mnt/jfs/misc/file with spaces.txt")),
      this.symlink("sym-dangling", Buffer.from("../nowhere")),
      ...this.hardLinks(["hl-a", "hl-b"], (nlink) => this.fileNode(123, nlink)),
      this.dir("links-a", () => [this.file("shared", crossNode)]),
      this.dir("links-b", () => [this.file("shared-too", crossNode)]),
      { name: Buffer.from("fifo"), isDir: false, write: (n) => this.w.leaf(n, this.plainNode("fifo", 0o644)) },
      { name: Buffer.from("socket"), isDir: false, write: (n) => this.w.leaf(n, this.plainNode("socket", 0o755)) },
      { name: Buffer.from("null"), isDir: false, write: (n) => this.w.leaf(n, this.plainNode("chardev", 0o666, { rdev: (1 << 8) | 3 })) },
      { name: Buffer.from("sda"), isDir: false, write: (n) => this.w.leaf(n, this.plainNode("blockdev", 0o660, { rdev: (8 << 8) | 0 })) },
      this.dir("empty dir", () => []),
    ];
  }

  private trashHour(): string {
    const d = new Date(this.opts.now.getTime() - 3600_000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}-${pad(d.getUTCHours(), 2)}`;
  }

  private async writeTrash(): Promise<void> {
    const root: DumpNode = { attr: { ...this.attr(TRASH_INODE, "directory", 0o555, 0n, 2), uid: 0, gid: 0 }, xattrs: [], chunks: [] };
    await this.w.beginDir("Trash", root);
    const hourIno = this.allocInode(0n, true);
    await this.w.beginDir(Buffer.from(this.trashHour()), { attr: this.attr(hourIno, "directory", 0o755, 0n, 2), xattrs: [], chunks: [] });
    // `<parent>-<inode>-<name>`; inodes are known only when made, so names are built after.
    const deletedDir = this.allocInode(0n);
    const inDir = this.fileNode(10 * MIB);
    const file1 = this.fileNode(11);
    const entries: [Buffer, () => Promise<void> | void][] = [
      [Buffer.from(`1-${file1.attr.inode}-deleted.txt`), () => this.w.leaf(Buffer.from(`1-${file1.attr.inode}-deleted.txt`), file1)],
      [
        Buffer.from(`1-${deletedDir}-old-dir`),
        async () => {
          await this.w.beginDir(Buffer.from(`1-${deletedDir}-old-dir`), { attr: this.attr(deletedDir, "directory", 0o755, 0n, 2), xattrs: [], chunks: [] });
          await this.w.endDir();
        },
      ],
      [Buffer.from(`${deletedDir}-${inDir.attr.inode}-inner.bin`), () => this.w.leaf(Buffer.from(`${deletedDir}-${inDir.attr.inode}-inner.bin`), inDir)],
    ];
    entries.sort((a, b) => Buffer.compare(a[0], b[0]));
    for (const [, write] of entries) await write();
    await this.w.endDir();
    await this.w.endDir();
  }

  async tree(): Promise<void> {
    const flat = Math.floor(this.opts.files * this.opts.flatDirShare);
    const projects = this.opts.files - flat;
    const rootChildren: Child[] = [
      this.flatDir(flat),
      this.dir("projects", () => this.projectChildren(projects, 0), { onInode: (i) => (this.projectsInode = i) }),
      this.dir("misc", () => this.miscChildren(), { mode: 0o777 }),
      this.file("README.md", () => this.fileNode(2048)),
    ].sort(byName);
    const subdirs = rootChildren.filter((c) => c.isDir).length;
    const rootAttr = { ...this.attr(1n, "directory", 0o777, 0n, 2 + subdirs), uid: 0, gid: 0 };
    await this.w.beginDir("FSTree" as TreeName, {
      attr: rootAttr,
      xattrs: [{ name: Buffer.from("lastBackup"), value: Buffer.from(this.opts.now.toISOString().replace(/\.\d+Z$/, "Z")) }],
      accessAcl: { owner: 7, group: 5, other: 5, mask: 5, users: [], groups: [] },
      chunks: [],
    });
    for (const c of rootChildren) await c.write(c.name);
    await this.w.endDir();
    if (this.opts.trash) await this.writeTrash();
  }

  tally(): Tally {
    return {
      counters: {
        usedSpace: this.usedSpace,
        usedInodes: this.usedInodes,
        nextInodes: this.maxInode + 1n,
        nextChunk: this.maxSlice + 1n,
        nextSession: 0n, // load resets it
        nextTrash: this.maxTrash,
      },
      deletedInode: this.deletedInode,
      projectsInode: this.projectsInode,
      flatInode: this.flatInode,
    };
  }
}

export function settingFor(o: Required<SyntheticOptions>): Setting {
  const hex = (n: number) => (prng(o.seed + n)() * 2 ** 32 >>> 0).toString(16).padStart(8, "0");
  return {
    Name: o.name,
    UUID: `${hex(1)}-${hex(2).slice(0, 4)}-4${hex(3).slice(0, 3)}-8${hex(4).slice(0, 3)}-${hex(5)}${hex(6).slice(0, 4)}`,
    Storage: "file",
    Tiers: { "0": { ID: 0, StorageClass: "", Tag: "" }, "1": { ID: 1, StorageClass: "STANDARD_IA", Tag: "" } },
    Bucket: "/var/jfs/",
    BlockSize: 4096,
    Compression: "none",
    EncryptAlgo: "aes256gcm-rsa",
    TrashDays: 1,
    MetaVersion: 1,
    MinClientVersion: "1.2.0-A",
    DirStats: true,
    UserGroupQuota: true,
    EnableACL: true,
    ...o.setting,
  };
}

export function resolve(opts: SyntheticOptions): Required<SyntheticOptions> {
  if (!Number.isInteger(opts.files) || opts.files < 0) throw new Error(`files must be a non-negative integer, got ${opts.files}`);
  const share = opts.flatDirShare ?? 0.3;
  if (!(share >= 0 && share <= 1)) throw new Error(`flatDirShare must be between 0 and 1, got ${share}`);
  const manyChunks = opts.manyChunks ?? 0;
  if (!Number.isInteger(manyChunks) || manyChunks < 0) throw new Error(`manyChunks must be a non-negative integer, got ${manyChunks}`);
  const dirFiles = opts.dirFiles ?? 0;
  if (!Number.isInteger(dirFiles) || dirFiles < 0) throw new Error(`dirFiles must be a non-negative integer, got ${dirFiles}`);
  return {
    files: opts.files,
    seed: opts.seed ?? 1,
    name: opts.name ?? "synthetic",
    flatDirShare: share,
    dirFiles,
    trash: opts.trash ?? true,
    now: opts.now ?? new Date("2026-01-01T00:00:00Z"),
    setting: opts.setting ?? {},
    manyChunks,
  };
}

/** Generates a synthetic volume into `writer` (header, FSTree, Trash, end). */
export async function writeSyntheticDump(writer: TreeWriter, opts: SyntheticOptions): Promise<void> {
  const o = resolve(opts);
  // Pass 1 counts what pass 2 writes: the same seed gives the same volume.
  const counting = new Generator(new NullWriter(), o);
  await counting.tree();
  const t = counting.tally();
  const header: DumpHeader = {
    setting: settingFor(o),
    counters: t.counters,
    sustained: [],
    delFiles: [{ inode: t.deletedInode, length: 4096n, expire: BigInt(Math.floor(o.now.getTime() / 1000)) - 7200n }],
    quotas: new Map([
      [1n, { maxSpace: 1n << 50n, maxInodes: 100_000_000n }],
      ...(t.projectsInode ? [[t.projectsInode, { maxSpace: 1n << 40n, maxInodes: 10_000_000n }] as const] : []),
    ]),
    userQuotas: new Map([[1000n, { maxSpace: 1n << 40n, maxInodes: 1_000_000n }]]),
    groupQuotas: new Map([[1000n, { maxSpace: 2n << 40n, maxInodes: 2_000_000n }]]),
  };
  await writer.header(header);
  await new Generator(writer, o).tree();
  await writer.end();
}
