// The tree viewer's index straight from a binary dump, in two passes and no engine: the dump's
// flat tables are streamed into staging tables (a SQLite file beside the index, removed
// afterwards), then the tree is walked from them in dump order, directory by directory, a page
// of children at a time, and written as the very rows indexBackup() makes of the JSON dump
// that `juicefs dump` would write of the same volume: same ids (post-order), directory ids
// (pre-order), ranks, nodes (dump.ts toDumpNode's rules), header. Memory follows the open
// path and one page per level, never the volume.
//
// Before, a binary backup was loaded into a temporary SQLite engine database, dumped to JSON
// and that indexed: three passes and two copies of the metadata on disk.
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type Database from "better-sqlite3";
import { BinaryStructureCheck } from "../dump/binary/check";
import { BinaryDumpError } from "../dump/binary/format";
import { BinaryHeaderParts } from "../dump/binary/header-parts";
import { readBinaryDump, type BinaryDumpVisitor } from "../dump/binary/reader";
import type { TreeName } from "../dump/types";
import { decodeAcl, decodeSlice, encodeAcl, encodeSlice, SLICE_BYTES } from "../jfs/binary-values";
import { JfsError } from "../jfs/errors";
import { effectiveTiers, maskSecrets } from "../jfs/setting";
import type { Attr, AclRule, Chunk, DumpNode, QuotaLimit, Xattr } from "../jfs/types";
import { CHUNK_SIZE, ROOT_INODE, TRASH_INODE, TYPE_CODE } from "../jfs/types";
import { emptyStoredHeader, indexCountedInput, writeIndexFile, type IndexBackupOptions, type IndexRow, type StoredHeader } from "./backup";
import { displayName } from "./describe";
import { decodeNode, encodeNode } from "./nodecodec";
import { InspectRequestError } from "./source";
import type { BackupIndexInfo } from "./schemas";

/**
 * Staged records, as the binary dump holds them. Inodes are stored as signed 64-bit integers
 * (BigInt.asIntN: SQLite has no unsigned type), which keeps equality, all the walk needs.
 * `node` is the node as nodecodec.ts encodes it, without chunks, xattrs, symlink or ACLs;
 * `climit` is how many chunks of it a dump shows (ceil(length / 64 MiB) for regular files).
 * The UNIQUE indexes are built after the bulk insert (cheaper) and refuse what no engine
 * can hold: two entries of one name in a directory, a chunk or an xattr stored twice.
 */
const STAGE_SCHEMA = `
CREATE TABLE stage.nodes (inode INTEGER PRIMARY KEY, type INTEGER NOT NULL, climit INTEGER NOT NULL, acc INTEGER, dft INTEGER, node BLOB NOT NULL);
CREATE TABLE stage.edges (parent INTEGER NOT NULL, name BLOB NOT NULL, inode INTEGER NOT NULL);
CREATE TABLE stage.chunks (inode INTEGER NOT NULL, idx INTEGER NOT NULL, slices BLOB NOT NULL);
CREATE TABLE stage.symlinks (inode INTEGER PRIMARY KEY, target BLOB NOT NULL);
CREATE TABLE stage.xattrs (inode INTEGER NOT NULL, name BLOB NOT NULL, value BLOB NOT NULL);
CREATE TABLE stage.acls (id INTEGER PRIMARY KEY, rule BLOB NOT NULL);`;

const STAGE_INDEXES: [sql: string, what: string][] = [
  ["CREATE UNIQUE INDEX stage.edges_name ON edges(parent, name)", "two directory entries of one name in one directory"],
  ["CREATE UNIQUE INDEX stage.chunks_at ON chunks(inode, idx)", "a chunk stored twice (one inode and index)"],
  ["CREATE UNIQUE INDEX stage.xattrs_name ON xattrs(inode, name)", "an extended attribute stored twice (one inode and name)"],
];

/** Staged rows per INSERT statement (6 columns: under SQLite's 32766 parameters). */
const ROWS_PER_INSERT = 100;
/** Children read per query while walking: small first (a deep tree opens one listing per level), growing. */
const FIRST_PAGE = 32;
const MAX_PAGE = 1000;
const PROGRESS_EVERY = 10_000;
const CHUNK = BigInt(CHUNK_SIZE);

const i64 = (inode: bigint) => BigInt.asIntN(64, inode);
const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** Rows of one table, inserted ROWS_PER_INSERT to a statement. */
class StagedTable {
  private rows: unknown[] = [];
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  constructor(
    db: Database.Database,
    table: string,
    private readonly cols: number,
  ) {
    const values = (n: number) => Array(n).fill(`(${Array(cols).fill("?").join(", ")})`).join(", ");
    this.many = db.prepare(`INSERT INTO stage.${table} VALUES ${values(ROWS_PER_INSERT)}`);
    this.one = db.prepare(`INSERT INTO stage.${table} VALUES ${values(1)}`);
  }
  push(...values: unknown[]): void {
    for (const v of values) this.rows.push(v);
    if (this.rows.length >= ROWS_PER_INSERT * this.cols * 20) this.flush();
  }
  flush(): void {
    const per = ROWS_PER_INSERT * this.cols;
    let i = 0;
    for (; i + per <= this.rows.length; i += per) this.many.run(this.rows.slice(i, i + per));
    for (; i < this.rows.length; i += this.cols) this.one.run(this.rows.slice(i, i + this.cols));
    this.rows = [];
  }
}

/** The header as the JSON route gives it (engines/dump.ts buildHeader over a SQL engine, then indexBackup). */
function storedHeader(check: BinaryStructureCheck, parts: BinaryHeaderParts): StoredHeader {
  const setting = check.setting!;
  const counters = { ...check.counters! };
  delete counters.nextCleanupSlices;
  if (!setting.ChangeLog) delete counters.lastChangelog;
  const limited = (m: Map<bigint, QuotaLimit>) => new Map([...m].filter(([, q]) => !(q.maxSpace === -1n && q.maxInodes === -1n)));
  const header = emptyStoredHeader();
  header.setting = maskSecrets({ ...setting, Tiers: effectiveTiers(setting) });
  header.counters = counters;
  header.sustained = parts.sustainedBySession();
  header.delFiles = parts.delFiles;
  // SQL engines keep (-1, -1) directory quotas in a dump; user and group ones only with a limit.
  header.quotas = parts.quotasByKey("dir");
  header.userQuotas = limited(parts.quotasByKey("user"));
  header.groupQuotas = limited(parts.quotasByKey("group"));
  header.changeLog = parts.changeLog;
  return header;
}

/** Streams the dump's records into the staging tables; resolves with the header once the footer and the structure are checked. */
async function stage(db: Database.Database, input: AsyncIterable<Buffer>, opts: IndexBackupOptions, bytesRead: () => number): Promise<StoredHeader> {
  db.exec(STAGE_SCHEMA);
  const nodes = new StagedTable(db, "nodes", 6);
  const edges = new StagedTable(db, "edges", 3);
  const chunks = new StagedTable(db, "chunks", 3);
  const symlinks = new StagedTable(db, "symlinks", 2);
  const xattrs = new StagedTable(db, "xattrs", 3);
  const acls = new StagedTable(db, "acls", 2);
  const check = new BinaryStructureCheck();
  const parts = new BinaryHeaderParts({ changeLog: true });
  let records = 0;
  const tick = (n: number) => {
    if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
    const before = records;
    records += n;
    if (opts.onProgress && Math.floor(before / PROGRESS_EVERY) !== Math.floor(records / PROGRESS_EVERY)) opts.onProgress({ bytes: bytesRead(), entries: 0 });
  };
  const slices = Buffer.allocUnsafe(SLICE_BYTES);

  const visitor: BinaryDumpVisitor = {
    format: (s, at) => check.format(s, at),
    counters: (c) => check.counter(c),
    nodes(list, at) {
      for (const n of list) {
        check.node(n, at);
        // dump.ts toDumpNode: a length only for regular files, chunks only below it.
        const attr: Attr = n.attr;
        const regular = attr.type === "regular";
        if (!regular) attr.length = 0n;
        const climit = regular ? (attr.length + CHUNK - 1n) / CHUNK : 0n;
        nodes.push(i64(attr.inode), TYPE_CODE[attr.type], climit, n.accessAcl || null, n.defaultAcl || null, encodeNode({ attr, xattrs: [], chunks: [] }));
      }
      tick(list.length);
    },
    edges(list) {
      for (const e of list) {
        check.edge(e);
        edges.push(i64(e.parent), e.name, i64(e.inode));
      }
      tick(list.length);
    },
    chunks(list) {
      for (const { inode, chunk } of list) {
        check.chunk(chunk.slices.length);
        if (!chunk.slices.length) continue; // a load keeps no empty chunk, so no dump shows one
        const raw = Buffer.allocUnsafe(chunk.slices.length * SLICE_BYTES);
        chunk.slices.forEach((s, k) => encodeSlice(s, slices).copy(raw, k * SLICE_BYTES));
        chunks.push(i64(inode), chunk.index, raw);
      }
      tick(list.length);
    },
    symlinks(list) {
      for (const s of list) if (s.target.length) symlinks.push(i64(s.inode), s.target); // no empty symlink in a dump
      tick(list.length);
    },
    xattrs(list) {
      for (const x of list) xattrs.push(i64(x.inode), x.xattr.name, x.xattr.value);
      tick(list.length);
    },
    acls(list, at) {
      for (const a of list) {
        check.acl(a, at);
        acls.push(a.id, encodeAcl(a.rule));
      }
    },
    ...parts.visitor(),
  };

  try {
    await readBinaryDump(input, visitor);
  } catch (err) {
    // The reader's own error names the segment and byte; it is the dump's fault, not ours.
    if (err instanceof BinaryDumpError) throw new JfsError("corrupt-input", `invalid binary dump: ${err.message}`, { cause: err });
    throw err;
  }
  for (const t of [nodes, edges, chunks, symlinks, xattrs, acls]) t.flush();
  check.finish();
  for (const [sql, what] of STAGE_INDEXES) {
    try {
      db.exec(sql);
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new JfsError("corrupt-input", `invalid binary dump: it holds ${what}`, { cause: err });
      throw err;
    }
  }
  return storedHeader(check, parts);
}

/** One child as the walk reads it: the staged node and what it needs besides. */
interface ChildRow {
  name: Buffer;
  inode: bigint;
  type: number;
  node: Buffer;
  acc: number | null;
  dft: number | null;
  target: Buffer | null;
  /** A regular file of some length: it may have chunks (read for the page when some row may). */
  hasChunks: number;
  hasXattrs: number;
}

/** The walk's reads of the staging tables. */
class Staged {
  private readonly page: Database.Statement;
  private readonly one: Database.Statement;
  private readonly pageChunks: Database.Statement;
  private readonly pageXattrs: Database.Statement;
  private readonly inodeChunks: Database.Statement;
  private readonly inodeXattrs: Database.Statement;
  private readonly acl: Database.Statement;
  private readonly acls = new Map<number, AclRule>();

  constructor(db: Database.Database) {
    // What a child needs besides its node is looked up by SQLite (no call into JS per row);
    // chunks and xattrs are then read for the whole page at once.
    const extras = (inode: string) => `n.type, n.node, n.acc, n.dft,
      CASE WHEN n.type = ${TYPE_CODE.symlink} THEN (SELECT target FROM stage.symlinks s WHERE s.inode = ${inode}) END AS target,
      n.climit > 0 AS hasChunks,
      EXISTS (SELECT 1 FROM stage.xattrs x WHERE x.inode = ${inode}) AS hasXattrs`;
    this.page = db
      .prepare(
        `SELECT e.name, e.inode, ${extras("e.inode")} FROM stage.edges e JOIN stage.nodes n ON n.inode = e.inode
         WHERE e.parent = ? AND e.name > ? ORDER BY e.name LIMIT ?`,
      )
      .safeIntegers(true);
    this.one = db.prepare(`SELECT n.inode, ${extras("n.inode")} FROM stage.nodes n WHERE n.inode = ?`).safeIntegers(true);
    const inPage = "SELECT e.inode FROM stage.edges e WHERE e.parent = ? AND e.name >= ? AND e.name <= ?";
    this.pageChunks = db
      .prepare(
        `SELECT c.inode, c.idx, c.slices FROM stage.chunks c JOIN stage.nodes n ON n.inode = c.inode
         WHERE c.inode IN (${inPage}) AND c.idx < n.climit ORDER BY c.inode, c.idx`,
      )
      .safeIntegers(true);
    this.pageXattrs = db.prepare(`SELECT inode, name, value FROM stage.xattrs WHERE inode IN (${inPage}) ORDER BY inode, name`).safeIntegers(true);
    this.inodeChunks = db
      .prepare(
        `SELECT c.inode, c.idx, c.slices FROM stage.chunks c JOIN stage.nodes n ON n.inode = c.inode
         WHERE c.inode = ? AND c.idx < n.climit ORDER BY c.idx`,
      )
      .safeIntegers(true);
    this.inodeXattrs = db.prepare("SELECT inode, name, value FROM stage.xattrs WHERE inode = ? ORDER BY name").safeIntegers(true);
    this.acl = db.prepare("SELECT rule FROM stage.acls WHERE id = ?").pluck();
  }

  /** Up to `limit` children of `dir` named after `after`, in raw-name byte order, nodes complete. */
  children(dir: bigint, after: Buffer, limit: number): { name: Buffer; type: number; inode: bigint; node: Buffer }[] {
    const rows = this.page.all(i64(dir), after, limit) as ChildRow[];
    if (!rows.length) return [];
    const range = [i64(dir), rows[0].name, rows[rows.length - 1].name];
    const chunks = rows.some((r) => r.hasChunks) ? groupChunks(this.pageChunks.all(...range) as ChunkRow[]) : null;
    const xattrs = rows.some((r) => r.hasXattrs) ? groupXattrs(this.pageXattrs.all(...range) as XattrRow[]) : null;
    return rows.map((r) => ({ name: r.name, type: Number(r.type), inode: u64(r.inode), node: this.complete(r, chunks, xattrs) }));
  }

  /** One stored node, complete; null when it is not stored. */
  node(inode: bigint): { type: number; node: Buffer } | null {
    const r = this.one.get(i64(inode)) as ChildRow | undefined;
    if (!r) return null;
    const chunks = r.hasChunks ? groupChunks(this.inodeChunks.all(i64(inode)) as ChunkRow[]) : null;
    const xattrs = r.hasXattrs ? groupXattrs(this.inodeXattrs.all(i64(inode)) as XattrRow[]) : null;
    return { type: Number(r.type), node: this.complete(r, chunks, xattrs) };
  }

  /** The staged node with its chunks, xattrs, symlink target and ACL rules (toDumpNode's rules: applied when staged and in the queries). */
  private complete(r: ChildRow, chunks: Map<bigint, Chunk[]> | null, xattrs: Map<bigint, Xattr[]> | null): Buffer {
    if (!r.hasChunks && !r.hasXattrs && !r.target && r.acc === null && r.dft === null) return r.node;
    const n: DumpNode = decodeNode(r.node);
    if (r.hasChunks) n.chunks = chunks?.get(r.inode) ?? [];
    if (!n.chunks.length && !r.hasXattrs && !r.target && r.acc === null && r.dft === null) return r.node; // a file of no stored chunk
    if (r.hasXattrs) n.xattrs = xattrs?.get(r.inode) ?? [];
    if (r.target) n.symlink = r.target;
    if (r.acc !== null) n.accessAcl = this.rule(Number(r.acc));
    if (r.dft !== null) n.defaultAcl = this.rule(Number(r.dft));
    return encodeNode(n);
  }

  private rule(id: number): AclRule {
    let rule = this.acls.get(id);
    if (!rule) {
      // Checked when staged: every id a node uses is defined, every rule decodes. Members in
      // the JSON reader's order, so that details list them alike.
      const r = decodeAcl(this.acl.get(id) as Buffer)!;
      rule = { owner: r.owner, group: r.group, other: r.other, mask: r.mask, users: r.users, groups: r.groups };
      if (this.acls.size >= 4096) this.acls.clear();
      this.acls.set(id, rule);
    }
    return rule;
  }
}

interface ChunkRow {
  inode: bigint;
  idx: bigint;
  slices: Buffer;
}
interface XattrRow {
  inode: bigint;
  name: Buffer;
  value: Buffer;
}

/** Rows sorted by inode, then index: each inode's chunks, ascending. */
function groupChunks(rows: ChunkRow[]): Map<bigint, Chunk[]> {
  const out = new Map<bigint, Chunk[]>();
  for (const r of rows) {
    let list = out.get(r.inode);
    if (!list) out.set(r.inode, (list = []));
    const slices = [];
    for (let o = 0; o < r.slices.length; o += SLICE_BYTES) slices.push(decodeSlice(r.slices.subarray(o, o + SLICE_BYTES))!);
    list.push({ index: Number(r.idx), slices });
  }
  return out;
}

/** Rows sorted by inode, then name bytes: each inode's xattrs in dump order. */
function groupXattrs(rows: XattrRow[]): Map<bigint, Xattr[]> {
  const out = new Map<bigint, Xattr[]>();
  for (const r of rows) {
    let list = out.get(r.inode);
    if (!list) out.set(r.inode, (list = []));
    list.push({ name: r.name, value: r.value });
  }
  return out;
}

/** A directory being walked: where its listing stands, and its own row, written when it closes. */
interface OpenDir {
  inode: bigint;
  dirId: number;
  /** Its own row (nchild filled in when it closes). */
  row: IndexRow;
  count: number;
  page: { name: Buffer; type: number; inode: bigint; node: Buffer }[];
  i: number;
  after: Buffer;
  limit: number;
  listed: boolean;
}

const ZERO_ATTR = (inode: bigint): Attr => ({
  inode, flags: 0, type: "directory", mode: 0, uid: 0, gid: 0, atime: 0n, mtime: 0n, ctime: 0n,
  atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 2, length: 0n, rdev: 0, tier: 0,
});

/**
 * Build the backup index of a (decompressed) binary dump at `indexPath`, as indexBackup() does
 * of a JSON one. A damaged dump is refused with a corrupt-input JfsError (naming the segment
 * and byte offset where the framing or a record is wrong) and leaves no file behind.
 */
export async function indexBinaryBackup(input: Readable, indexPath: string, opts: IndexBackupOptions = {}): Promise<BackupIndexInfo> {
  let stagePath: string | null = null;
  return indexCountedInput(input, opts, (counted) =>
    writeIndexFile(
      indexPath,
      async ({ db, tmpPath, push }) => {
        stagePath = `${tmpPath}.stage`;
        await rm(stagePath, { force: true });
        // Outside the build's transaction: SQLite attaches and sets safety levels only there.
        db.exec("COMMIT");
        db.prepare("ATTACH DATABASE ? AS stage").run(stagePath);
        db.pragma("stage.journal_mode = OFF");
        db.pragma("stage.synchronous = OFF");
        db.pragma("stage.cache_size = -16384");
        db.exec("BEGIN");
        const header = await stage(db, counted, opts, () => counted.bytes);
        const staged = new Staged(db);

        let entries = 0;
        let directories = 0;
        let nextDir = 1; // directory ids in the order their listings open, as the JSON reader numbers them
        const write = (row: IndexRow) => {
          push(row);
          entries++;
          if (entries % PROGRESS_EVERY === 0) {
            if (opts.signal?.aborted) throw new InspectRequestError("indexing was cancelled");
            opts.onProgress?.({ bytes: counted.bytes, entries });
          }
        };
        /** Inodes of the directories being walked, to refuse a cycle in a corrupt tree (as a dump does). */
        const onPath = new Set<bigint>();
        const walk = (tree: TreeName, inode: bigint, node: Buffer, ord: number) => {
          const stack: OpenDir[] = [];
          const open = (inode: bigint, row: IndexRow) => {
            if (onPath.has(inode)) throw new JfsError("corrupt-input", `invalid binary dump: directory cycle: inode ${inode} contains itself`);
            onPath.add(inode);
            const dirId = nextDir++;
            row[4] = dirId;
            directories++;
            stack.push({ inode, dirId, row, count: 0, page: [], i: 0, after: Buffer.alloc(0), limit: FIRST_PAGE, listed: false });
          };
          open(inode, [null, ord, Buffer.from(tree), displayName(Buffer.from(tree)).toLowerCase(), null, null, node]);
          while (stack.length) {
            const d = stack[stack.length - 1];
            if (d.i >= d.page.length) {
              if (d.listed) {
                stack.pop();
                onPath.delete(d.inode);
                d.row[5] = d.count;
                write(d.row);
                continue;
              }
              d.page = staged.children(d.inode, d.after, d.limit);
              d.i = 0;
              d.listed = d.page.length < d.limit;
              if (d.page.length) d.after = d.page[d.page.length - 1].name;
              d.limit = Math.min(MAX_PAGE, d.limit * 4);
              continue;
            }
            const c = d.page[d.i++];
            const row: IndexRow = [d.dirId, d.count++, c.name, displayName(c.name).toLowerCase(), null, null, c.node];
            if (c.type === TYPE_CODE.directory) open(c.inode, row);
            else write(row);
          }
        };

        const root = staged.node(ROOT_INODE)!; // the structure check made sure it is stored
        if (root.type !== TYPE_CODE.directory) throw new JfsError("corrupt-input", "invalid binary dump: the root (inode 1) is not a directory");
        walk("FSTree", ROOT_INODE, root.node, 0);
        // A dump always shows Trash: an empty directory of zeros when the volume has none yet.
        const trash = staged.node(TRASH_INODE) ?? { type: TYPE_CODE.directory, node: encodeNode({ attr: ZERO_ATTR(TRASH_INODE), xattrs: [], chunks: [] }) };
        if (trash.type !== TYPE_CODE.directory) throw new JfsError("corrupt-input", `invalid binary dump: the trash (inode ${TRASH_INODE}) is not a directory`);
        walk("Trash", TRASH_INODE, trash.node, 1);

        db.exec("COMMIT");
        db.exec("DETACH DATABASE stage");
        db.exec("BEGIN");
        return { header, bytes: counted.bytes, entries, directories, trees: ["FSTree", "Trash"] };
      },
      async () => {
        // Its journal too: the file is written in one transaction, whose journal a crash leaves.
        if (stagePath) for (const f of [stagePath, `${stagePath}-journal`]) await rm(f, { force: true });
      },
    ),
  );
}
