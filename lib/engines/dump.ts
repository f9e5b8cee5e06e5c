// The JSON dump above the engines (JuiceFS's DumpMeta): header assembly, --subdir resolution
// and the tree walk with JuiceFS's output rules. Engines only read; the writer formats.
import type { z } from "zod";
import type { Attr, DumpNode, QuotaLimit } from "../jfs/types";
import { CHUNK_SIZE, ROOT_INODE, TRASH_INODE } from "../jfs/types";
import { effectiveTiers, maskSecrets, type Setting } from "../jfs/setting";
import type { DumpHeader, TreeName, TreeWriter } from "../dump/types";
import { isRedisKind, type MetaEngine, type QueryGate, type StoredNode } from "./engine";
import { DEFAULT_READ_AHEAD, DirReadAhead, QueryLimiter, type OpenedDir, type TreeReads } from "./read-ahead";
import { StagedTree, StagingEncoder } from "./table-tree";
import { lostConnection } from "./errors";
import { describeHold, Pacer } from "./pace";
import { LoadClaimedError } from "./load-claim";
import { JfsError } from "../jfs/errors";
import type { ColumnBatch, ScanBatch } from "../jfs/table-records";
import { DEFAULT_THREADS, DumpOptionsSchema, ThreadsSchema } from "./dump-options";

// The options' schema lives in a module of its own, light enough for the CLI to check a dump's
// options before it asks a Redis server for its snapshot (cli/dump.ts).
export { DEFAULT_THREADS, DumpOptionsSchema, MAX_THREADS, ThreadsSchema } from "./dump-options";

/** The flat scan's nodes (read in batches of many) between two progress reports. */
const TABLE_PROGRESS_EVERY = 10_000;
/** How often a dump waiting on its engine before the first record says what it waits on. */
const WAITING_REPORT_MS = 500;
/** Entries of a staged tree's directory between two cancel checks. */
const STAGED_CHECK_EVERY = 1000;

export interface DumpOptions extends Partial<z.output<typeof DumpOptionsSchema>> {
  /**
   * Read-ahead depth: readNodes batches read ahead inside the directory being walked. Default:
   * `threads` (one batch for each query the limiter lets run), as before the two were named.
   */
  batchesAhead?: number;
  /**
   * `holdingBack`: why a gentle dump is slowed down right now (pace.ts describeHold).
   * `phase` "reading tables": a staged walk (table-tree.ts) is still reading the flat scan, and
   * `entries` counts the inodes read; the walk then counts the entries written from 0 again.
   * `expected`: the inodes the volume's counters say it holds (whole-volume dumps), what either
   * count comes to about (hard links and the Trash make the entries a few more).
   */
  onProgress?: (p: { entries: number; holdingBack?: string; phase?: "reading tables"; expected?: number }) => void;
  signal?: AbortSignal;
  /**
   * Bytes a directory's listing may take while the dump sorts it in memory (engines that list
   * unsorted: Redis); a bigger directory is sorted in runs spilled to a temporary file
   * (sorted-listing.ts). Default DEFAULT_SORT_MEMORY; tests force the spill with a tiny one.
   */
  sortMemory?: number;
  /**
   * Dump this directory as a --subdir dump, named by inode instead of `subdir`'s path: the
   * dashboard's export, which reaches directories no path of UTF-8 names can (inside Trash,
   * names that are not valid UTF-8). Must be a directory; ROOT_INODE means the whole volume.
   */
  subdirInode?: bigint;
  /** Bytes each sort of the staged walk may hold (table-tree.ts); tests force its spills with a tiny one. */
  stageMemory?: number;
  /** The tree already staged (a binary dump being converted, convert.ts): walked instead of the engine's. */
  stagedTree?: StagedTree;
}

/**
 * Whether a JSON dump of the whole volume reads the engine's flat scan and orders the tree
 * itself: where the engine says it measured cheaper, unless JFSMETA_STAGED_WALK=0 (the tree
 * walk, as before) or =1 (the staged walk on any engine with a flat scan: tests).
 */
export async function stagedWalkWanted(engine: MetaEngine, opts: { paced: boolean }): Promise<boolean> {
  if (!engine.scanTables) return false;
  const env = process.env.JFSMETA_STAGED_WALK;
  if (env === "0") return false;
  if (env === "1") return true;
  return (await engine.jsonDumpFromTables?.(opts)) ?? false;
}

export interface DumpResult {
  entries: number;
  /** The inode dumped as FSTree (1, or the --subdir directory). */
  rootInode: bigint;
  secretMasked: boolean;
  /** Set when the dump read one moment (--consistent): that moment, and the connections that read it. */
  snapshot?: { takenAt: Date; connections: number };
}

export { DUMP_BATCH } from "./read-ahead";
export const MAX_META_VERSION = 1;

/** JuiceFS refuses volumes with a newer metadata version than it knows. */
export function dumpVersionCheck(s: Setting): void {
  const v = s.MetaVersion ?? 0;
  if (v > MAX_META_VERSION) {
    throw new JfsError(
      "unsupported",
      `volume "${s.Name}" has MetaVersion ${v}, newer than the highest this tool understands (${MAX_META_VERSION}): use a jfsmeta/JuiceFS release that supports it`,
    );
  }
}

/** Split a --subdir path the JuiceFS way: "/" separated, empty parts ignored. */
export function subdirParts(subdir: string | undefined): string[] {
  return (subdir ?? "").split("/").filter((p) => p !== "");
}

/** Resolve --subdir to its inode; a missing or non-directory part is an error (JuiceFS would create it). */
export async function resolveSubdir(engine: MetaEngine, subdir: string | undefined): Promise<bigint> {
  let ino = ROOT_INODE;
  const walked: string[] = [];
  for (const part of subdirParts(subdir)) {
    const e = await engine.lookup(ino, Buffer.from(part, "utf8"));
    const where = walked.length ? `/${walked.join("/")}` : "/";
    if (!e) throw new JfsError("not-found", `--subdir ${subdir}: "${part}" does not exist in ${where}; check the path (jfsmeta never creates it)`);
    let type = e.type;
    const [node] = await engine.readNodes([{ inode: e.inode, type: e.type }]);
    if (node?.attr) type = node.attr.type;
    if (type !== "directory") throw new JfsError("usage", `--subdir ${subdir}: "/${[...walked, part].join("/")}" is a ${type}, not a directory`);
    walked.push(part);
    ino = e.inode;
  }
  return ino;
}

const CHUNK = BigInt(CHUNK_SIZE);

/**
 * JuiceFS's output rules for one stored inode: a missing attr becomes zeros with the entry's
 * type and nlink 1 (2 for directories); length only for regular files; chunks only below
 * ceil(length / 64 MiB), ascending; xattrs by name bytes; no empty symlink.
 */
export function toDumpNode(n: StoredNode): DumpNode {
  // The stored node is fresh from readNodes and used once: its attr is adjusted in place.
  const attr: Attr = n.attr
    ? n.attr
    : {
        inode: n.inode, flags: 0, type: n.entryType, mode: 0, uid: 0, gid: 0,
        atime: 0n, mtime: 0n, ctime: 0n, atimensec: 0, mtimensec: 0, ctimensec: 0,
        nlink: n.entryType === "directory" ? 2 : 1, length: 0n, rdev: 0, tier: 0,
      };
  attr.inode = n.inode;
  const regular = attr.type === "regular";
  if (!regular) attr.length = 0n;
  const xattrs = n.xattrs.length > 1 ? n.xattrs.slice().sort((a, b) => Buffer.compare(a.name, b.name)) : n.xattrs;
  const out: DumpNode = { attr, xattrs, chunks: [] };
  if (regular && attr.length > 0n) {
    const limit = (attr.length + CHUNK - 1n) / CHUNK;
    out.chunks = n.chunks.filter((c) => BigInt(c.index) < limit).sort((a, b) => a.index - b.index);
  }
  if (attr.type === "symlink" && n.symlink && n.symlink.length > 0) out.symlink = n.symlink;
  if (n.accessAcl) out.accessAcl = n.accessAcl;
  if (n.defaultAcl) out.defaultAcl = n.defaultAcl;
  return out;
}

/** Header of the dump as JuiceFS assembles it. */
export async function buildHeader(
  engine: MetaEngine,
  setting: Setting,
  opts: { keepSecretKey?: boolean; subdir: boolean },
): Promise<DumpHeader> {
  const out: Setting = { ...(opts.keepSecretKey ? setting : maskSecrets(setting)) };
  out.Tiers = effectiveTiers(setting);
  const counters = await engine.readCounters();
  if (!setting.ChangeLog) delete counters.lastChangelog;
  delete counters.nextCleanupSlices;
  const [sustained, delFiles] = await Promise.all([engine.readSustained(), engine.readDelFiles()]);
  const unlimited = (q: QuotaLimit) => q.maxSpace === -1n && q.maxInodes === -1n;
  const keep = (m: Map<bigint, QuotaLimit>, skipUnlimited: boolean) => {
    const r = new Map<bigint, QuotaLimit>();
    for (const [k, v] of m) if (!(skipUnlimited && unlimited(v))) r.set(k, v);
    return r.size > 0 ? r : undefined;
  };
  const header: DumpHeader = { setting: out, counters, sustained, delFiles };
  // Redis leaves (-1,-1) tracking-only directory quotas out; SQL keeps them (docs/format/dump-json.md §4).
  header.quotas = keep(await engine.readQuotas("dir"), isRedisKind(engine.kind));
  if (!opts.subdir) {
    header.userQuotas = keep(await engine.readQuotas("user"), true);
    header.groupQuotas = keep(await engine.readQuotas("group"), true);
  }
  return header;
}

/**
 * The dump; with `consistent`, every read of it (setting, header, tree) inside one snapshot of
 * the engine, ended however the dump ends.
 */
export async function dumpMeta(engine: MetaEngine, writer: TreeWriter, opts: DumpOptions = {}): Promise<DumpResult> {
  if (!opts.consistent && !engine.dumpsAlwaysConsistent) return dumpLive(engine, writer, opts);
  if (!engine.beginConsistentRead) {
    throw new JfsError("unsupported", `--consistent is not available for ${engine.kind} metadata engines in this build; dump without it (and stop writers for a consistent copy)`);
  }
  const snap = await engine.beginConsistentRead(ThreadsSchema.parse(opts.threads ?? DEFAULT_THREADS));
  try {
    const result = await dumpLive(engine, writer, opts);
    return { ...result, snapshot: { takenAt: snap.takenAt, connections: snap.connections } };
  } finally {
    await snap.end();
  }
}

async function dumpLive(engine: MetaEngine, writer: TreeWriter, opts: DumpOptions): Promise<DumpResult> {
  const threads = ThreadsSchema.parse(opts.threads ?? DEFAULT_THREADS);
  const setting = await engine.readSetting();
  if (!setting) {
    // A database a load is writing, or one a killed load left, is not "no volume": say which.
    const claim = await engine.findLoadClaim();
    if (claim) throw new LoadClaimedError(claim, engine.redactedUrl);
    throw new JfsError("not-found", `no JuiceFS volume found in ${engine.redactedUrl}: the database holds no volume format (setting)`);
  }
  dumpVersionCheck(setting);
  if (opts.subdirInode !== undefined && subdirParts(opts.subdir).length > 0) throw new JfsError("usage", "name the --subdir by path or by inode, not both");
  const isSub = opts.subdirInode !== undefined ? opts.subdirInode !== ROOT_INODE : subdirParts(opts.subdir).length > 0;
  const rootInode = opts.subdirInode ?? (await resolveSubdir(engine, opts.subdir));
  if (opts.subdirInode !== undefined) {
    const [node] = await engine.readNodes([{ inode: rootInode, type: "directory" }]);
    if (!node?.attr) throw new JfsError("not-found", `--subdir inode ${rootInode} does not exist in ${engine.redactedUrl}`);
    if (node.attr.type !== "directory") throw new JfsError("usage", `--subdir inode ${rootInode} is a ${node.attr.type}, not a directory`);
  }
  const pacer = new Pacer({ maxOps: opts.maxOps, maxLatencyMs: opts.maxLatencyMs }, () => performance.now(), threads);
  const limiter = new QueryLimiter(threads, pacer);
  // A format without tree order (binary) takes a flat scan of the tables when the whole volume,
  // Trash included, is dumped. Asked for before the header is read: an engine whose scan reads a
  // snapshot (Redis) asks for it now and reads the counters once it has begun, so they are never
  // older than the tables.
  const flat = !!writer.tables && !opts.skipTrash;
  const gate: QueryGate = (q) => limiter.run(q);
  // The binary writer may take nodes, edges and chunks written with its encoder (EncodedBatch).
  const encoder = flat ? writer.recordEncoder?.() : undefined;
  const paced = pacer.active;
  const scan: AsyncIterable<ScanBatch> | null = !engine.scanTables || isSub || !flat ? null : encoder ? engine.scanTables(gate, { encoder, paced }) : engine.scanTables(gate, { paced });
  /**
   * The staged walk's scan: columns where the engine reads them so (SQL), else records, or the
   * nodes, edges and chunks written straight into the stager's sort where the engine takes an
   * encoder (Redis's snapshot reader).
   */
  let stagingEncoder: StagingEncoder | undefined;
  let tables: AsyncIterable<ScanBatch | ColumnBatch> | null = null;
  let header: DumpHeader;
  // Whether to stage, and the header, may wait on the engine (Redis: until its snapshot has
  // begun): say so meanwhile.
  const onProgress = opts.onProgress;
  const waiting = onProgress && engine.waitingFor
    ? setInterval(() => {
        const what = engine.waitingFor?.();
        if (what) onProgress({ entries: 0, holdingBack: what });
      }, WAITING_REPORT_MS)
    : null;
  try {
    // A JSON dump of the whole volume from the same scan, its tree ordered here (table-tree.ts).
    if (engine.scanTables && !isSub && !writer.tables && (await stagedWalkWanted(engine, { paced }))) {
      stagingEncoder = new StagingEncoder();
      if (engine.scanTableColumns) tables = engine.scanTableColumns(gate, { paced, encoder: stagingEncoder });
      else tables = engine.scanTables(gate, { encoder: stagingEncoder, paced, treeOnly: true });
    }
    header = await buildHeader(engine, setting, { keepSecretKey: opts.keepSecretKey, subdir: isSub });
  } catch (err) {
    await (scan ?? tables)?.[Symbol.asyncIterator]().return?.();
    throw err;
  } finally {
    if (waiting) clearInterval(waiting);
  }
  const expected = isSub || !(header.counters.usedInodes > 0n) ? undefined : Number(header.counters.usedInodes);
  /** Reports `entries`, and what holds the dump back when the pacer does. */
  const report = (entries: number) => {
    const hold = pacer.holdingBack;
    opts.onProgress?.(hold ? { entries, expected, holdingBack: describeHold(hold) } : { entries, expected });
  };
  let entries = 0;
  const progress = () => {
    entries++;
    if (opts.onProgress && entries % 1000 === 0) report(entries);
  };
  // The tables' nodes as the flat scan's batches bring them (a batch holds many): the binary dump's
  // entries, or what the staged walk has read before it counts the entries it writes.
  let tableNodes = 0;
  const countTableNodes = (n: number, phase?: "reading tables") => {
    const before = tableNodes;
    tableNodes += n;
    if (!opts.onProgress || Math.floor(before / TABLE_PROGRESS_EVERY) === Math.floor(tableNodes / TABLE_PROGRESS_EVERY)) return;
    if (phase) opts.onProgress({ entries: tableNodes, phase, expected });
    else report(tableNodes);
  };
  const checkAbort = () => {
    if (opts.signal?.aborted) throw new JfsError("interrupted", "dump cancelled");
    if (limiter.stopped) throw limiter.stopped;
  };
  let tree: StagedTree | null = opts.stagedTree ?? null;
  if (tables && !writer.tables && !tree) {
    try {
      // Progress while the tables are read: the inodes read so far (as the binary dump counts),
      // then the walk counts the entries it writes.
      const counted: AsyncIterable<ScanBatch | ColumnBatch> = {
        async *[Symbol.asyncIterator]() {
          for await (const batch of tables) {
            if (batch.table === "nodes") countTableNodes(batch.records.length, "reading tables");
            else if (batch.table === "columns" && batch.field === "nodes") countTableNodes(batch.cols.count, "reading tables");
            else if (batch.table === "encoded" && batch.field === "nodes") countTableNodes(batch.count, "reading tables");
            yield batch;
          }
        },
      };
      tree = await StagedTree.stage(counted, { keep: [rootInode, TRASH_INODE], onBatch: checkAbort, memory: opts.stageMemory, encoder: stagingEncoder });
    } catch (err) {
      limiter.stop(err);
      throw lostConnection(err, engine.redactedUrl, "0 entries (the tables were being read)");
    }
  }
  const source: TreeReads = tree ?? engine;
  /** The staged tree, when the writer takes plain leaves as their binary values. */
  const binary = tree && writer.leafBinary ? tree : null;
  const readAhead = new DirReadAhead(source, limiter, source.dumpReadAhead ?? DEFAULT_READ_AHEAD, opts.batchesAhead ?? threads, checkAbort, opts.sortMemory);
  /** Inodes of the directories being walked, to refuse a cycle in a corrupt tree. */
  const path = new Set<bigint>();

  const walk = async (name: TreeName | Buffer, node: StoredNode, opened?: Promise<OpenedDir>): Promise<void> => {
    const dn = toDumpNode(node);
    const ino = dn.attr.inode;
    if (path.has(ino)) throw new JfsError("corrupt-input", `directory cycle: inode ${ino} contains itself; the metadata is corrupt`);
    path.add(ino);
    await writer.beginDir(name, dn);
    progress();
    if (binary) {
      await walkStaged(binary, ino);
      await writer.endDir();
      path.delete(ino);
      return;
    }
    const d = await readAhead.enter(ino, opened);
    for (let batch = await d.next(); batch; batch = await d.next()) {
      checkAbort();
      const { names, nodes } = batch;
      // Sub-directories not opened on arrival (the bounds were reached) are opened together
      // now, as far as the bounds allow again, so that their reads share queries; the rest
      // are opened one by one when walked.
      if (readAhead.paged) readAhead.openChildren(batch);
      for (let k = 0; k < nodes.length; k++) {
        const child = nodes[k];
        if ((child.attr?.type ?? child.entryType) === "directory") {
          await walk(names[k], child, batch.opened[k]);
        } else {
          const wrote = writer.leaf(names[k], toDumpNode(child));
          if (wrote) await wrote;
          progress();
        }
      }
      readAhead.budget.written(nodes.length);
    }
    await writer.endDir();
    path.delete(ino);
  };

  /**
   * A staged tree's directory read in place (no read-ahead: its reads are local), its plain
   * leaves written from the tree file's bytes (TreeWriter.leafBinary) without a node each. At
   * 1M files on PostgreSQL (alternating runs, load average 6-7) the walk and the writing took
   * 8.5-13.1 s CPU with nodes, 6.7-7.3 s with this.
   */
  const walkStaged = async (staged: StagedTree, ino: bigint): Promise<void> => {
    checkAbort();
    let since = 0;
    for (const e of staged.entryViews(ino)) {
      if (++since === STAGED_CHECK_EVERY) {
        since = 0;
        checkAbort();
      }
      if (e.plain) {
        const wrote = writer.leafBinary!(e);
        if (wrote) await wrote;
        progress();
        continue;
      }
      const child = staged.nodeOf(e);
      if ((child.attr?.type ?? child.entryType) === "directory") {
        await walk(e.name, child);
      } else {
        const wrote = writer.leaf(e.name, toDumpNode(child));
        if (wrote) await wrote;
        progress();
      }
    }
  };

  // The flat scan: no listing, sorting or walking, one bulk read per table.
  if (writer.tables && flat && scan) {
    try {
      await writer.tables(header, scan, (n, table) => {
        if (table === "nodes") countTableNodes(n);
        checkAbort();
      });
    } catch (err) {
      limiter.stop(err);
      throw lostConnection(err, engine.redactedUrl, `${tableNodes} inodes`);
    }
    opts.onProgress?.({ entries: tableNodes });
    return { entries: tableNodes, rootInode, secretMasked: !opts.keepSecretKey && !!(setting.SecretKey || setting.SessionToken) };
  }

  try {
    await writer.header(header);
    const [root] = await limiter.run(() => source.readNodes([{ inode: rootInode, type: "directory" }]));
    await walk("FSTree", root);
    if (!isSub && !opts.skipTrash) {
      const [trash] = await limiter.run(() => source.readNodes([{ inode: TRASH_INODE, type: "directory" }]));
      await walk("Trash", trash);
    }
    await writer.end();
  } catch (err) {
    limiter.stop(err);
    throw lostConnection(err, engine.redactedUrl, `${entries} entries`);
  } finally {
    await readAhead.close(); // listings a failed or cancelled walk left: their temporary files
    if (tree !== opts.stagedTree) await tree?.close();
  }
  opts.onProgress?.({ entries });
  return { entries, rootInode, secretMasked: !opts.keepSecretKey && !!(setting.SecretKey || setting.SessionToken) };
}

