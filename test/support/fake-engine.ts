// An in-memory MetaEngine with just the reads inspection uses, for tests and benchmarks.
// readDir yields entries in a scrambled order (like Redis HSCAN) unless `sorted` is set.
import type { MetaEngine, StoredNode } from "../../lib/engines/engine";
import type { DirEntry, DumpNode, NodeType } from "../../lib/jfs/types";

export class FakeEngine implements MetaEngine {
  readonly kind = "redis" as const;
  readonly redactedUrl = "fake://";
  readonly nodes = new Map<bigint, DumpNode>();
  readonly dirs = new Map<bigint, DirEntry[]>();
  /** How often each directory was listed, to prove pages do not re-read it. */
  readonly readDirCalls = new Map<bigint, number>();
  readNodesCalls = 0;
  closed = false;

  constructor(private readonly opts: { sorted?: boolean; batch?: number } = {}) {}

  addNode(node: DumpNode): void {
    this.nodes.set(node.attr.inode, node);
    if (node.attr.type === "directory" && !this.dirs.has(node.attr.inode)) this.dirs.set(node.attr.inode, []);
  }

  link(parent: bigint, name: Buffer, node: DumpNode): void {
    this.addNode(node);
    const list = this.dirs.get(parent);
    if (!list) throw new Error(`fake engine: ${parent} is not a directory`);
    list.push({ name, inode: node.attr.inode, type: node.attr.type });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> } {
    this.readDirCalls.set(inode, (this.readDirCalls.get(inode) ?? 0) + 1);
    const list = [...(this.dirs.get(inode) ?? [])];
    const sorted = !!this.opts.sorted;
    if (sorted) list.sort((a, b) => Buffer.compare(a.name, b.name));
    else {
      // A fixed scramble: reversed halves interleaved, so the input is far from sorted.
      list.sort((a, b) => Buffer.compare(b.name, a.name));
      const half = list.length >> 1;
      const mixed: DirEntry[] = [];
      for (let i = 0; i < half; i++) mixed.push(list[i], list[i + half]);
      if (list.length % 2) mixed.push(list[list.length - 1]);
      list.splice(0, list.length, ...mixed);
    }
    const batch = this.opts.batch ?? 100;
    return {
      sorted,
      batches: (async function* () {
        for (let i = 0; i < list.length; i += batch) yield list.slice(i, i + batch);
      })(),
    };
  }

  async readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    this.readNodesCalls++;
    return entries.map(({ inode, type }) => {
      const n = this.nodes.get(inode);
      return n
        ? { inode, entryType: type, attr: n.attr, symlink: n.symlink, xattrs: n.xattrs, accessAcl: n.accessAcl, defaultAcl: n.defaultAcl, chunks: n.chunks }
        : { inode, entryType: type, attr: null, xattrs: [], chunks: [] };
    });
  }

  async lookup(parent: bigint, name: Buffer): Promise<DirEntry | null> {
    return this.dirs.get(parent)?.find((e) => e.name.equals(name)) ?? null;
  }

  private unsupported(): never {
    throw new Error("not supported by the fake engine");
  }
  readSetting = async () => this.unsupported();
  writeSetting = async () => this.unsupported();
  ensureTrashDir = async () => this.unsupported();
  checkEmpty = async () => this.unsupported();
  readCounters = async () => this.unsupported();
  readSustained = async () => this.unsupported();
  readDelFiles = async () => this.unsupported();
  readQuotas = async () => this.unsupported();
  usage = async () => this.unsupported();
  beginLoad = async () => this.unsupported();
  findLoadClaim = async () => null;
  clearInterruptedLoad = async () => this.unsupported();
  getXattr = async () => this.unsupported();
  compareAndSetXattr = async () => this.unsupported();
}

/** A plain node for tests. */
export function testNode(inode: bigint, type: NodeType, over: Partial<DumpNode["attr"]> = {}, extra: Partial<DumpNode> = {}): DumpNode {
  return {
    attr: {
      inode,
      flags: 0,
      type,
      mode: type === "directory" ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      atime: 1700000000n,
      mtime: 1700000000n,
      ctime: 1700000000n,
      atimensec: 0,
      mtimensec: 0,
      ctimensec: 0,
      nlink: type === "directory" ? 2 : 1,
      length: 0n,
      rdev: 0,
      tier: 0,
      ...over,
    },
    xattrs: [],
    chunks: [],
    ...extra,
  };
}
