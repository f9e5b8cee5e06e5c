// The flat scan of a Redis volume (MetaEngine.scanTables): one SCAN of the keyspace, each page's
// keys told by their name (i<ino>, d<ino>, c<ino>_<n>, s<ino>, x<ino>, p<ino>) and read in one
// pipeline of raw replies (MGET for attrs and symlinks, HSCAN for entries, LRANGE for chunks,
// HGETALL for xattrs and parents), several pipelines in flight; then the hashes of the whole
// volume (dir stats, slice references, ACLs, quotas) page by page.
import type { QueryGate } from "../engine";
import type { TableBatch, EdgeRecord, NodeRecord, ChunkRecord, SymlinkRecord, XattrRecord, ParentRecord, DirStatRecord, SliceRefRecord, QuotaRecord, AclRecord } from "../../jfs/table-records";
import { explainRedisError } from "./errors";
import type { QuotaKind } from "../../jfs/types";
import { readU64 } from "../../jfs/binary-values";
import { decodeAcl, decodeQuota, SLICE_BYTES } from "./codec";
import { CommandBuffer, RespError, type Reply } from "./resp";
import { JfsError } from "../../jfs/errors";

/** Keys a SCAN page asks for; its reads are one pipeline (about 1–3 MB of replies). */
const SCAN_COUNT = 5000;
/** Pipelines of reads in flight while the replies of earlier ones are turned into records. */
const IN_FLIGHT = 3;
/** Fields of a big hash (a directory, the stats) per HSCAN page. */
const HASH_PAGE = 10000;
/** Records per yielded batch of one table. */
export const BATCH = 10000;

/** What the scan needs of the engine: its pipelined connection and its address for messages. */
export interface ScanSource {
  readonly addr: string;
  /** The key prefix: `{db}` in a Redis Cluster (the scan matches it and reads names after it), else "". */
  readonly p: string;
  /**
   * Failovers the engine has followed so far (Sentinel, Cluster; RedisEngine.failovers): a SCAN
   * cursor means nothing to another server, so a scan that sees it move stops rather than
   * give a partial volume.
   */
  readonly failovers: number;
  bulkCall(cmds: CommandBuffer, opts?: { idempotent?: boolean }): Promise<Reply[]>;
}

export enum Kind {
  Attr,
  Entries,
  Chunk,
  Symlink,
  Xattrs,
  Parents,
}

const PREFIX: Record<number, Kind> = { 0x69: Kind.Attr, 0x64: Kind.Entries, 0x63: Kind.Chunk, 0x73: Kind.Symlink, 0x78: Kind.Xattrs, 0x70: Kind.Parents };

/**
 * The kind, inode (and chunk index) a key names, or null for the volume's other keys
 * ("setting", "dirQuota", "sliceRef", "session3"…): a letter then decimal digits only (a chunk:
 * digits "_" digits).
 */
export function classify(key: Buffer, at: number): { kind: Kind; inode: bigint; index: number } | null {
  const kind = classifyKey(key, at);
  if (kind === -1) return null;
  const ino = KEY.inode;
  return { kind, inode: typeof ino === "bigint" ? ino : BigInt(ino), index: KEY.index };
}

/** classify()'s inode (a double when exact, else a bigint) and chunk index, left by classifyKey(). */
export const KEY: { inode: number | bigint; index: number } = { inode: 0, index: 0 };

/**
 * classify() of key[at, end) with no object or bigint made (the snapshot reader's every key):
 * the kind, or -1; the numbers in KEY.
 */
export function classifyKey(key: Buffer, at: number, end = key.length): Kind | -1 {
  const kind = PREFIX[key[at]];
  if (kind === undefined || end < at + 2) return -1;
  let ino = 0;
  let i = at + 1;
  // Inodes are below 2^63; digits are summed in a double while exact (< 2^53), else as bigint.
  for (; i < end; i++) {
    const c = key[i];
    if (c < 0x30 || c > 0x39) break;
    ino = ino * 10 + (c - 0x30);
  }
  if (i === at + 1) return -1;
  const inode = i - at - 1 > 15 ? BigInt(key.toString("latin1", at + 1, i)) : ino;
  if (kind !== Kind.Chunk) {
    if (i !== end) return -1;
    KEY.inode = inode;
    KEY.index = 0;
    return kind;
  }
  if (key[i] !== 0x5f /* _ */ || i + 1 === end) return -1;
  let index = 0;
  for (let j = i + 1; j < end; j++) {
    const c = key[j];
    if (c < 0x30 || c > 0x39) return -1;
    index = index * 10 + (c - 0x30);
  }
  if (index > 0xffffffff) return -1;
  KEY.inode = inode;
  KEY.index = index;
  return kind;
}

/** A SCAN cursor of "0": the iteration is complete. */
const isZero = (cursor: Buffer) => cursor.length === 1 && cursor[0] === 0x30;

/** A decimal integer stored as a string (Redis's counters), 0n when empty or not one. */
export function decimal(b: Buffer | null): bigint {
  return b ? decimalAt(b, 0, b.length) : 0n;
}

/**
 * decimal() of b[s, e). Up to 15 digits (below 2^53) by arithmetic on the bytes: a string, a
 * regular expression and BigInt(string) cost 1-2 µs a value, most of the 0.1-0.2 s the
 * snapshot reader spent on the three dir-stat hashes' 100,000 values at 1M files.
 */
export function decimalAt(b: Buffer, s: number, e: number): bigint {
  const minus = e > s && b[s] === 0x2d ? 1 : 0;
  const digits = e - s - minus;
  if (digits <= 0) return 0n;
  if (digits <= 15) {
    let v = 0;
    for (let i = s + minus; i < e; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) return 0n;
      v = v * 10 + d;
    }
    return BigInt(minus ? -v : v);
  }
  const str = b.toString("latin1", s, e);
  return /^-?\d+$/.test(str) ? BigInt(str) : 0n;
}

export class Batches {
  /** Records a table gathers before it is yielded. */
  constructor(readonly size = BATCH) {}
  nodes: NodeRecord[] = [];
  edges: EdgeRecord[] = [];
  chunks: ChunkRecord[] = [];
  symlinks: SymlinkRecord[] = [];
  xattrs: XattrRecord[] = [];
  parents: ParentRecord[] = [];

  /** Full batches, taken out (all of them when `all`). */
  *take(all: boolean): Generator<TableBatch> {
    for (const table of ["nodes", "edges", "chunks", "symlinks", "xattrs", "parents"] as const) {
      const list = this[table];
      if (list.length === 0 || (!all && list.length < this.size)) continue;
      this[table] = [];
      yield { table, records: list } as TableBatch;
    }
  }
}

export async function* scanRedisTables(src: ScanSource, gate: QueryGate = (q) => q()): AsyncGenerator<TableBatch> {
  const P = src.p;
  const failovers = src.failovers;
  const call = async (cmds: CommandBuffer): Promise<Reply[]> => {
    const replies = await gate(() => src.bulkCall(cmds, { idempotent: true }));
    for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, src.addr);
    if (src.failovers !== failovers) {
      throw new JfsError(
        "unreachable",
        `Redis at ${src.addr} failed over to a new master during the scan of the volume: a scan cannot be resumed on another server, so it was stopped rather than give a partial volume; run it again`,
      );
    }
    return replies;
  };
  // Small batches, as the RDB reader's (rdb-tables.ts RDB_BATCH): the writer encodes each as it
  // comes, so records die young (1M files: peak RSS 319 -> 250 MB).
  const out = new Batches(1000);
  /** Directories whose entries need more HSCAN pages: key and cursor. */
  const moreEntries: { key: Buffer; parent: bigint; cursor: Buffer }[] = [];

  const entries = (parent: bigint, flat: Buffer[]) => {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const v = flat[i + 1];
      if (v.length !== 9) throw new JfsError("corrupt-input", `Redis at ${src.addr}: directory ${parent} has an entry "${flat[i].toString("latin1")}" of ${v.length} bytes, not 9: the metadata is damaged`);
      out.edges.push({ parent, inode: readU64(v, 1), name: flat[i], type: v[0] });
    }
  };

  /** Reads of one page of keys (and of pending directory pages), as one pipeline. */
  const readPage = (keys: Buffer[]): { cmds: CommandBuffer; apply: (r: Reply[]) => void } | null => {
    const cmds = new CommandBuffer();
    const attrs: { inode: bigint; key: Buffer }[] = [];
    const links: bigint[] = [];
    const each: ((r: Reply) => void)[] = [];
    for (const key of keys) {
      const k = classify(key, P.length);
      if (!k) continue;
      switch (k.kind) {
        case Kind.Attr:
          attrs.push({ inode: k.inode, key });
          break;
        case Kind.Symlink:
          links.push(k.inode);
          break;
        case Kind.Entries: {
          const parent = k.inode;
          cmds.add(["HSCAN", key, "0", "COUNT", HASH_PAGE]);
          each.push((r) => {
            const [cursor, flat] = r as [Buffer, Buffer[]];
            entries(parent, flat);
            if (!isZero(cursor)) moreEntries.push({ key, parent, cursor });
          });
          break;
        }
        case Kind.Chunk: {
          const { inode, index } = k;
          cmds.add(["LRANGE", key, 0, -1]);
          each.push((r) => {
            const list = (r as Buffer[]).filter((s) => s.length === SLICE_BYTES);
            if (list.length) out.chunks.push({ inode, index, slices: list.length === 1 ? list[0] : Buffer.concat(list) });
          });
          break;
        }
        case Kind.Xattrs: {
          const inode = k.inode;
          cmds.add(["HGETALL", key]);
          each.push((r) => {
            const flat = r as Buffer[];
            for (let i = 0; i + 1 < flat.length; i += 2) out.xattrs.push({ inode, name: flat[i], value: flat[i + 1] });
          });
          break;
        }
        case Kind.Parents: {
          const inode = k.inode;
          cmds.add(["HGETALL", key]);
          each.push((r) => {
            const flat = r as Buffer[];
            for (let i = 0; i + 1 < flat.length; i += 2) {
              const cnt = decimal(flat[i + 1]);
              if (cnt > 0n) out.parents.push({ inode, parent: decimal(flat[i]), cnt });
            }
          });
          break;
        }
      }
    }
    // Later pages of big directories ride along, a few at a time.
    for (const d of moreEntries.splice(0, 4)) {
      cmds.add(["HSCAN", d.key, d.cursor, "COUNT", HASH_PAGE]);
      each.push((r) => {
        const [cursor, flat] = r as [Buffer, Buffer[]];
        entries(d.parent, flat);
        if (!isZero(cursor)) moreEntries.push({ key: d.key, parent: d.parent, cursor });
      });
    }
    if (attrs.length) {
      cmds.add(["MGET", ...attrs.map((a) => a.key)]);
      each.push((r) => {
        const values = r as (Buffer | null)[];
        for (let i = 0; i < attrs.length; i++) {
          const v = values[i];
          if (v) out.nodes.push({ inode: attrs[i].inode, attr: v });
        }
      });
    }
    if (links.length) {
      cmds.add(["MGET", ...links.map((ino) => `${P}s${ino}`)]);
      each.push((r) => {
        const values = r as (Buffer | null)[];
        for (let i = 0; i < links.length; i++) {
          const v = values[i];
          if (v && v.length) out.symlinks.push({ inode: links[i], target: v });
        }
      });
    }
    if (cmds.count === 0) return null;
    return { cmds, apply: (replies) => replies.forEach((r, i) => each[i](r)) };
  };

  // The keyspace: SCAN pages, each page's reads in flight while the next pages are scanned.
  const inflight: { pending: Promise<Reply[]>; apply: (r: Reply[]) => void }[] = [];
  const settleOne = async () => {
    const p = inflight.shift()!;
    p.apply(await p.pending);
  };
  let cursor: Buffer = Buffer.from("0");
  try {
    do {
      const scan = new CommandBuffer();
      // A cluster node may hold other volumes: only this one's {db} keys.
      scan.add(P ? ["SCAN", cursor, "MATCH", `${P}*`, "COUNT", SCAN_COUNT] : ["SCAN", cursor, "COUNT", SCAN_COUNT]);
      const [reply] = await call(scan);
      const [next, keys] = reply as [Buffer, Buffer[]];
      cursor = next;
      const page = readPage(keys);
      if (page) {
        const pending = call(page.cmds);
        pending.catch(() => {}); // awaited in order below; a failure is thrown there
        inflight.push({ pending, apply: page.apply });
      }
      while (inflight.length >= IN_FLIGHT) await settleOne();
      yield* out.take(false);
    } while (!isZero(cursor));
    while (inflight.length) {
      await settleOne();
      yield* out.take(false);
    }
    while (moreEntries.length) {
      const page = readPage([])!;
      page.apply(await call(page.cmds));
      yield* out.take(false);
    }
  } finally {
    for (const p of inflight) p.pending.catch(() => {}); // abandoned: the error told is the first one
  }
  yield* out.take(true);

  // Directory stats: the three hashes share their fields (directory inodes).
  for await (const page of hashPages(call, `${P}dirUsedInodes`)) {
    const fields = page.map((p) => p[0]);
    const cmds = new CommandBuffer();
    cmds.add(["HMGET", `${P}dirDataLength`, ...fields]);
    cmds.add(["HMGET", `${P}dirUsedSpace`, ...fields]);
    const [data, space] = (await call(cmds)) as (Buffer | null)[][];
    const records: DirStatRecord[] = page.map(([f, inodes], i) => ({ inode: decimal(f), dataLength: decimal(data[i]), usedSpace: decimal(space[i]), usedInodes: decimal(inodes) }));
    yield { table: "dirStats", records };
  }

  // Slice references: field k<id>_<size>, value count − 1 (0, one reference, is not dumped).
  for await (const page of hashPages(call, `${P}sliceRef`)) {
    const records: SliceRefRecord[] = [];
    for (const [f, v] of page) {
      const m = /^k(\d+)_(\d+)$/.exec(f.toString("latin1"));
      const extra = decimal(v);
      if (m && extra !== 0n) records.push({ id: BigInt(m[1]), size: Number(m[2]) >>> 0, refs: extra + 1n });
    }
    yield { table: "sliceRefs", records };
  }

  const acls: AclRecord[] = [];
  for await (const page of hashPages(call, `${P}acl`)) {
    for (const [f, v] of page) {
      const rule = decodeAcl(v);
      if (rule) acls.push({ id: Number(decimal(f)), rule });
    }
  }
  yield { table: "acls", records: acls };

  for (const kind of ["dir", "user", "group"] as const) yield { table: "quotas", kind, records: await readQuotas(call, kind, P) };
}

/** A hash's [field, value] pairs, a page at a time. */
async function* hashPages(call: (c: CommandBuffer) => Promise<Reply[]>, key: string): AsyncGenerator<[Buffer, Buffer][]> {
  let cursor: Buffer = Buffer.from("0");
  do {
    const cmds = new CommandBuffer();
    cmds.add(["HSCAN", key, cursor, "COUNT", HASH_PAGE]);
    const [reply] = await call(cmds);
    const [next, flat] = reply as [Buffer, Buffer[]];
    cursor = next;
    const page: [Buffer, Buffer][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) page.push([flat[i], flat[i + 1]]);
    if (page.length) yield page;
  } while (!isZero(cursor));
}

export const QUOTA_KEYS: Record<QuotaKind, [string, string, string]> = {
  dir: ["dirQuota", "dirQuotaUsedSpace", "dirQuotaUsedInodes"],
  user: ["userQuota", "userQuotaUsedSpace", "userQuotaUsedInodes"],
  group: ["groupQuota", "groupQuotaUsedSpace", "groupQuotaUsedInodes"],
};

/**
 * Quotas with their stored usage. A directory quota is its limit's field; a user or group one
 * may also be usage alone (JuiceFS tracks usage per owner), written with limits -1.
 */
async function readQuotas(call: (c: CommandBuffer) => Promise<Reply[]>, kind: QuotaKind, prefix: string): Promise<QuotaRecord[]> {
  const cmds = new CommandBuffer();
  for (const k of QUOTA_KEYS[kind]) cmds.add(["HGETALL", prefix + k]);
  const [limits, space, inodes] = (await call(cmds)) as Buffer[][];
  return quotaRecords(kind, limits, space, inodes);
}

/** The quota records of one kind from its three hashes, each flat [field, value, ...]. */
export function quotaRecords(kind: QuotaKind, limits: Buffer[], space: Buffer[], inodes: Buffer[]): QuotaRecord[] {
  const byKey = new Map<string, QuotaRecord>();
  const get = (f: Buffer) => {
    const k = f.toString("latin1");
    let q = byKey.get(k);
    if (!q) byKey.set(k, (q = { key: decimal(f), maxSpace: -1n, maxInodes: -1n, usedSpace: 0n, usedInodes: 0n }));
    return q;
  };
  for (let i = 0; i + 1 < limits.length; i += 2) {
    const lim = decodeQuota(limits[i + 1]);
    if (!lim) continue;
    const q = get(limits[i]);
    q.maxSpace = lim.maxSpace;
    q.maxInodes = lim.maxInodes;
  }
  const usage = (flat: Buffer[], set: (q: QuotaRecord, v: bigint) => void) => {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const k = flat[i].toString("latin1");
      const q = kind === "dir" ? byKey.get(k) : get(flat[i]);
      if (q) set(q, decimal(flat[i + 1]));
    }
  };
  usage(space, (q, v) => (q.usedSpace = v));
  usage(inodes, (q, v) => (q.usedInodes = v));
  return [...byKey.values()];
}
