// Paging a live volume. Engines list a directory in batches (Redis: unsorted HSCAN; SQL:
// sorted), so each directory is read once into a compact sorted NameIndex, a few of which are
// cached; a page then costs one readNodes() of `limit` inodes.
import type { MetaEngine, StoredNode } from "../engines/engine";
import { unescapeName } from "../jfs/escape";
import { ROOT_INODE, TRASH_INODE, type DirEntry, type DumpNode, type NodeType } from "../jfs/types";
import { describeEntry, treeItemOf } from "./describe";
import { toDumpNode } from "../engines/dump";
import type { ChildrenPage, EntryDetail, FindHit, FindPage, FindQuery, TreeItem } from "./schemas";
import { nameMatcher, parseInodeQuery, pathNames, pathOf } from "./find";
import { NameIndex } from "./nameindex";
import { diffNodeOf, type DiffNode, type DiffSide } from "./diff";
import { checkPage, InspectNotFoundError, type TreeSource } from "./source";

export interface LiveSourceOptions {
  /** Entries a live find by name or inode looks at before it stops (it says so). Default 5,000,000. */
  findScanLimit?: number;
  /** Directory indexes kept (least recently used dropped first). Default 8. */
  cacheEntries?: number;
  /** Bytes of names and arrays the cached indexes may hold together. Default 256 MiB. */
  cacheBytes?: number;
  /** An index older than this is rebuilt on next use, so a live volume's changes show. Default 60 s. */
  maxAgeMs?: number;
  /** Close the engine with the source. Default true. */
  closeEngine?: boolean;
}

const TREE_ROOTS: [name: "FSTree" | "Trash", inode: bigint][] = [
  ["FSTree", ROOT_INODE],
  ["Trash", TRASH_INODE],
];

function parseInode(dirId: string): bigint {
  if (!/^\d{1,20}$/.test(dirId)) throw new InspectNotFoundError(`no directory with id "${dirId}": live directory ids are inode numbers`);
  return BigInt(dirId);
}

class LiveSource implements TreeSource {
  readonly kind = "live" as const;
  private readonly cache = new Map<bigint, NameIndex>();
  private readonly building = new Map<bigint, Promise<NameIndex>>();
  private readonly cacheEntries: number;
  private readonly cacheBytes: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly engine: MetaEngine,
    private readonly opts: LiveSourceOptions,
  ) {
    this.cacheEntries = opts.cacheEntries ?? 8;
    this.cacheBytes = opts.cacheBytes ?? 256 << 20;
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
  }

  private async nodes(entries: { inode: bigint; type: NodeType }[]): Promise<DumpNode[]> {
    const stored: StoredNode[] = entries.length ? await this.engine.readNodes(entries) : [];
    return stored.map(toDumpNode);
  }

  private item(name: Buffer, node: DumpNode): TreeItem {
    const isDir = node.attr.type === "directory";
    return treeItemOf(name, node.attr, isDir ? { dirId: node.attr.inode.toString(), hasChildren: true } : undefined);
  }

  async roots(): Promise<TreeItem[]> {
    const stored = await this.engine.readNodes(TREE_ROOTS.map(([, inode]) => ({ inode, type: "directory" as const })));
    const items: TreeItem[] = [];
    TREE_ROOTS.forEach(([name, inode], i) => {
      // A volume without a stored trash inode still dumps "Trash" (empty); show it only when it exists.
      if (inode === ROOT_INODE || stored[i].attr) items.push(this.item(Buffer.from(name), toDumpNode(stored[i])));
    });
    return items;
  }

  async root(): Promise<TreeItem> {
    return (await this.roots())[0];
  }

  /** The directory's name index: cached, shared between concurrent callers, rebuilt when old. */
  private async index(dir: bigint): Promise<NameIndex> {
    const hit = this.cache.get(dir);
    if (hit && Date.now() - hit.builtAt <= this.maxAgeMs) {
      this.cache.delete(dir); // re-insert: most recently used last
      this.cache.set(dir, hit);
      return hit;
    }
    const pending = this.building.get(dir);
    if (pending) return pending;
    const p = (async () => {
      // Checked when listing, not per page: a cached index proves the directory was there.
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
      if (this.cache.size <= 1 || (this.cache.size <= this.cacheEntries && total <= this.cacheBytes)) break;
      this.cache.delete(k);
      total -= v.size;
    }
    return idx;
  }

  async children(dirId: string, offset: number, limit: number, filter?: string): Promise<ChildrenPage> {
    checkPage(offset, limit);
    const inode = parseInode(dirId);
    const idx = await this.index(inode);
    const needle = filter?.trim().toLowerCase();
    const ranks = needle ? idx.matching(needle) : null;
    const total = ranks ? ranks.length : idx.count;
    const end = Math.min(total, offset + limit);
    const entries: DirEntry[] = [];
    for (let r = offset; r < end; r++) entries.push(idx.at(ranks ? ranks[r] : r));
    const nodes = await this.nodes(entries);
    return { total, offset, items: entries.map((e, i) => this.item(e.name, nodes[i])) };
  }

  async entry(dirId: string | null, name: string): Promise<EntryDetail> {
    if (dirId === null) {
      const root = TREE_ROOTS.find(([n]) => n === name);
      if (!root) throw new InspectNotFoundError(`no tree named "${name}": tree roots are FSTree and Trash`);
      const [node] = await this.nodes([{ inode: root[1], type: "directory" }]);
      return describeEntry(Buffer.from(name), node);
    }
    const parent = parseInode(dirId);
    const raw = unescapeName(name);
    const found = await this.engine.lookup(parent, raw);
    if (!found) throw new InspectNotFoundError(`no entry "${name}" in directory inode ${parent}`);
    const [node] = await this.nodes([found]);
    // A directory already listed tells its size for free; an unlisted one is not read for it.
    const listed = this.cache.get(found.inode);
    return describeEntry(raw, node, listed ? { childCount: listed.count } : {});
  }

  async find(q: FindQuery): Promise<FindPage> {
    checkPage(q.offset, q.limit);
    if (q.by === "path") {
      let parent = ROOT_INODE;
      let found: DirEntry | null = { name: Buffer.from("/"), inode: ROOT_INODE, type: "directory" };
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
      const hit: FindHit = {
        ...pathOf(names),
        ...(names.length ? { parentDirId: String(parent) } : {}),
        item: this.item(names.length ? found.name : Buffer.from("FSTree"), node),
      };
      return { total: 1, offset: q.offset, hits: q.offset === 0 ? [hit] : [] };
    }
    // By name or inode: a walk of the whole tree (the engines keep no index of either), one
    // listing open per level; only the page's hits are kept, the rest are counted.
    const match =
      q.by === "inode"
        ? ((inode) => (e: DirEntry) => e.inode === inode)(parseInodeQuery(q.q))
        : ((m) => (e: DirEntry) => m(e.name.toString("utf8").toLowerCase()))(nameMatcher(q.q));
    const limit = this.opts.findScanLimit ?? 5_000_000;
    const page: { names: Buffer[]; tree: "FSTree" | "Trash"; parent: bigint; entry: DirEntry }[] = [];
    let total = 0;
    let scanned = 0;
    let truncated = false;
    const roots = await this.engine.readNodes(TREE_ROOTS.map(([, inode]) => ({ inode, type: "directory" as const })));
    if (q.by === "inode" && parseInodeQuery(q.q) === ROOT_INODE) {
      total++;
      if (q.offset === 0) page.push({ names: [], tree: "FSTree", parent: 0n, entry: { name: Buffer.from("FSTree"), inode: ROOT_INODE, type: "directory" } });
    }
    walk: for (const [i, [tree, inode]] of TREE_ROOTS.entries()) {
      if (!roots[i].attr) continue;
      const stack: { inode: bigint; names: Buffer[]; batches: AsyncIterator<DirEntry[]> }[] = [
        { inode, names: [], batches: this.engine.readDir(inode).batches[Symbol.asyncIterator]() },
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
    const hits = page.map((p, i): FindHit => ({
      ...pathOf(p.names, p.tree),
      ...(p.parent ? { parentDirId: String(p.parent) } : {}),
      item: this.item(p.entry.name, nodes[i]),
    }));
    return { total: truncated ? null : total, offset: q.offset, hits, scanned, ...(truncated ? { truncated } : {}) };
  }

  async close(): Promise<void> {
    this.cache.clear();
    if (this.opts.closeEngine ?? true) await this.engine.close();
  }
}

/** Page a live volume through its engine. */
export function openLiveSource(engine: MetaEngine, opts: LiveSourceOptions = {}): TreeSource {
  return new LiveSource(engine, opts);
}

/** Inodes read per readNodes() while diffing a live directory. */
const DIFF_BATCH = 500;

/** The directory `subdir` names below the root ("a/b", escaped names accepted), by lookups. */
export async function resolveLiveSubdir(engine: MetaEngine, subdir: string | undefined): Promise<bigint> {
  let inode = ROOT_INODE;
  const walked: string[] = [];
  for (const part of (subdir ?? "").split("/").filter(Boolean)) {
    walked.push(part);
    const found = await engine.lookup(inode, unescapeName(part));
    if (!found) throw new InspectNotFoundError(`no directory /${walked.join("/")} in the live volume`);
    if (found.type !== "directory") throw new InspectNotFoundError(`/${walked.join("/")} is not a directory in the live volume`);
    inode = found.inode;
  }
  return inode;
}

/**
 * One side of a diff over a live engine: each directory is listed into a sorted NameIndex (as
 * the tree viewer does), then its nodes are read a batch at a time. The volume may change
 * while it is read: what the diff shows is each directory as it was when listed.
 */
export function openLiveDiffSide(engine: MetaEngine, opts: { closeEngine?: boolean } = {}): DiffSide {
  return {
    async top(subdir) {
      return String(await resolveLiveSubdir(engine, subdir));
    },
    async *children(dirId, dirsOnly) {
      const idx = await NameIndex.build(engine.readDir(parseInode(dirId)));
      let batch: DirEntry[] = [];
      const flush = async (): Promise<DiffNode[]> => {
        const entries = batch;
        batch = [];
        if (dirsOnly) {
          // The descent reads names and handles only.
          return entries.map((e) => ({ name: e.name, inode: e.inode, type: e.type, length: 0n, mode: 0, uid: 0, gid: 0, nlink: 0, xattrs: [], dir: String(e.inode) }));
        }
        const nodes = (await engine.readNodes(entries)).map(toDumpNode);
        return entries.map((e, i) => diffNodeOf(e.name, nodes[i], nodes[i].attr.type === "directory" ? String(e.inode) : undefined));
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
    },
  };
}
