// The flat scan of a Redis volume read from the server's snapshot (MetaEngine.scanTables): the
// RDB the server streams for SYNC (sync.ts) is read as it arrives (rdb.ts) and each key of the
// volume becomes the records scan.ts makes of it from command replies, the same records from the
// same keys; so the binary dump is the same, read at the speed of the server's own snapshot
// instead of one command per key. And the tables are one moment of the volume: what the fork of
// the server held.
//
// Keys of other databases and, on a Cluster node, keys without the volume's `{db}` prefix are
// read past. Memory: the chunk being read, one batch per table, and the volume-wide hashes that
// must be joined (the three dir-stat hashes, in columns of about 65 bytes a directory, and not
// kept at all for a JSON dump's tree: `treeOnly`; quotas, ACLs).
import type { QueryGate } from "../engine";
import { ENCODED_FIELDS, type AclRecord, type RecordEncoder, type ScanBatch, type SliceRefRecord } from "../../jfs/table-records";
import type { QuotaKind } from "../../jfs/types";
import { readU64, readU64Exact } from "../../jfs/binary-values";
import { JfsError } from "../../jfs/errors";
import { decodeAcl, SLICE_BYTES } from "./codec";
import { RdbReader, type RdbKind, type RdbValueSink } from "./rdb";
import { BATCH, Batches, classifyKey, decimal, decimalAt, KEY, Kind, QUOTA_KEYS, quotaRecords } from "./scan";
import type { RdbTransfer } from "./sync";
import { DirStatColumns } from "./dir-stat-columns";

/**
 * Records a table gathers before it is yielded. Small: the binary writer encodes each batch as
 * it comes and lets its records go, so records die young. Batches of 10,000 (a segment's worth)
 * lived through several scavenges while the other tables filled, V8 promoted them and the
 * garbage, with the 64 KiB chunks their Buffers view, waited for full collections: 1M files,
 * peak RSS 330 MB and 7.8 s CPU for the reading and writing alone, against 225 MB and 6.6 s.
 */
const RDB_BATCH = 1000;

export interface RdbScanSource {
  /** host:port for messages. */
  readonly addr: string;
  /** The key prefix (`{db}` in a Redis Cluster, else ""). */
  readonly p: string;
  /** The database the volume is in (0 in a Cluster). */
  readonly db: number;
}

/** The hashes of the whole volume read into records (names after the prefix). */
const DIR_STATS = ["dirUsedInodes", "dirDataLength", "dirUsedSpace"] as const;
const QUOTA_HASHES = new Map<string, { kind: QuotaKind; part: 0 | 1 | 2 }>();
for (const kind of ["dir", "user", "group"] as const) QUOTA_KEYS[kind].forEach((name, part) => QUOTA_HASHES.set(name, { kind, part: part as 0 | 1 | 2 }));

const KIND_NAMES: Record<number, string> = { [Kind.Entries]: "directory", [Kind.Chunk]: "chunk", [Kind.Xattrs]: "xattr", [Kind.Parents]: "parent" };
const EXPECTED: Record<number, RdbKind> = { [Kind.Entries]: "hash", [Kind.Chunk]: "list", [Kind.Xattrs]: "hash", [Kind.Parents]: "hash" };

/**
 * The tables of the volume from one snapshot transfer. The transfer is closed however the
 * iteration ends. With `encoder`, nodes, edges and chunks are written with it from the
 * snapshot's bytes as they are read (no record object, bigint or Buffer view each: at 1M files
 * those were most of this reader's garbage) and come as EncodedBatches, at the moments the
 * records would have come (a binary dump's segments then lie in the same order). With
 * `treeOnly` (MetaEngine.scanTables), no dir stats, slice references or parents.
 */
export async function* rdbTables(
  src: RdbScanSource,
  transfer: RdbTransfer,
  gate: QueryGate = (q) => q(),
  encoder?: RecordEncoder,
  opts: { treeOnly?: boolean } = {},
): AsyncGenerator<ScanBatch> {
  const P = Buffer.from(src.p, "latin1");
  const out = new Batches(RDB_BATCH);
  const sliceRefs: SliceRefRecord[] = [];
  const acls: AclRecord[] = [];
  /** The dir-stat hashes joined on their fields (the directories' inodes), read as numbers as they come. */
  const dirStats = new DirStatColumns();
  /**
   * The dir-stat hashes read whole (bit i: DIR_STATS[i]). Once all three are, their join is
   * yielded at once, while the snapshot still streams: after its last byte it was ~70 ms of
   * CPU at 1M files (35,000 directories joined and encoded) that nothing overlapped.
   */
  let statsRead = 0;
  let statsYielded = false;
  /** The dir stats: the fields of dirUsedInodes with the two others' values (scan.ts's HMGET); the columns emptied. */
  function* dirStatBatches(): Generator<ScanBatch> {
    statsYielded = true;
    for (const records of dirStats.records(BATCH)) yield { table: "dirStats", records };
  }
  const quotaFlat: Record<QuotaKind, Buffer[][]> = { dir: [[], [], []], user: [[], [], []], group: [[], [], []] };
  const now = Date.now();
  const damaged = (what: string) => new JfsError("corrupt-input", `Redis at ${src.addr}: ${what}: the metadata is damaged`);

  /** A copy: values kept past the chunk they came in must not hold the chunk. */
  const copy = (b: Buffer) => Buffer.from(b);

  // One sink object per key kind, reused key after key with the key's inode set on it: a
  // closure per key cost a tenth of the reading (tsx names every function it creates).
  let inode = 0n;
  /** The key's inode as classifyKey gives it (a double when exact), for the encoder. */
  let ino: number | bigint = 0;
  let index = 0;
  const slices: Buffer[] = [];
  const attrSink: RdbValueSink = { string: (v) => out.nodes.push({ inode, attr: v }) };
  // Copied, as xattrs below: a rare record would hold the whole chunk it came in until its
  // batch fills, maybe at the end of the dump (measured: 370 MB peak RSS at 1M files).
  const symlinkSink: RdbValueSink = { string: (v) => v.length > 0 && out.symlinks.push({ inode, target: copy(v) }) };
  const entriesSink: RdbValueSink = {
    field: (name, v) => {
      if (v.length !== 9) throw damaged(`directory ${inode} has an entry "${name.toString("latin1")}" of ${v.length} bytes, not 9`);
      out.edges.push({ parent: inode, inode: readU64(v, 1), name, type: v[0] });
    },
  };
  const chunkSink: RdbValueSink = {
    element: (v) => v.length === SLICE_BYTES && slices.push(v),
    end: () => {
      if (slices.length) out.chunks.push({ inode, index, slices: slices.length === 1 ? slices[0] : Buffer.concat(slices) });
      slices.length = 0;
    },
  };
  const xattrSink: RdbValueSink = { field: (name, value) => out.xattrs.push({ inode, name: copy(name), value: copy(value) }) };
  const parentSink: RdbValueSink = {
    field: (f, v) => {
      const cnt = decimal(v);
      if (cnt > 0n) out.parents.push({ inode, parent: decimal(f), cnt });
    },
  };

  if (encoder) {
    const attrAt = (b: Buffer, s: number, e: number) => encoder.node(ino, b, s, e);
    attrSink.stringAt = attrAt;
    attrSink.string = (v) => attrAt(v, 0, v.length);
    const entryAt = (f: Buffer, fs: number, fe: number, v: Buffer, vs: number, ve: number) => {
      if (ve - vs !== 9) throw damaged(`directory ${ino} has an entry "${f.toString("latin1", fs, fe)}" of ${ve - vs} bytes, not 9`);
      encoder.edge(ino, readU64Exact(v, vs + 1), f, fs, fe, v[vs]);
    };
    entriesSink.fieldAt = entryAt;
    entriesSink.field = (f, v) => entryAt(f, 0, f.length, v, 0, v.length);
    // A chunk's slices gathered in one buffer, reused, then written as the record's bytes.
    let sliceBytes = Buffer.allocUnsafe(SLICE_BYTES * 64);
    let sliceEnd = 0;
    const sliceAt = (b: Buffer, s: number, e: number) => {
      if (e - s !== SLICE_BYTES) return;
      if (sliceEnd + SLICE_BYTES > sliceBytes.length) {
        const grown = Buffer.allocUnsafe(2 * sliceBytes.length);
        sliceBytes.copy(grown, 0, 0, sliceEnd);
        sliceBytes = grown;
      }
      // A loop: Buffer.copy's call cost more than 24 bytes' copying (a million times).
      for (let i = s; i < e; i++) sliceBytes[sliceEnd++] = b[i];
    };
    chunkSink.elementAt = sliceAt;
    chunkSink.element = (v) => sliceAt(v, 0, v.length);
    chunkSink.end = () => {
      if (sliceEnd) encoder.chunk(ino, index, sliceBytes, 0, sliceEnd);
      sliceEnd = 0;
    };
  }

  /** The sink for the key b[s, e) (the prefix already matched). */
  const sinkFor = (b: Buffer, s: number, e: number, kind: RdbKind): RdbValueSink | null => {
    const at = s + P.length;
    const kindOf = classifyKey(b, at, e);
    if (kindOf !== -1) {
      ino = KEY.inode;
      index = KEY.index;
      // The bigint only where the records need it (not for the encoder's nodes, edges, chunks).
      inode = !encoder || kindOf > Kind.Chunk ? (typeof ino === "bigint" ? ino : BigInt(ino)) : 0n;
      switch (kindOf) {
        case Kind.Attr:
          // MGET reads only strings: a key of another type is no attr (scan.ts reads none either).
          return kind === "string" ? attrSink : null;
        case Kind.Symlink:
          return kind === "string" ? symlinkSink : null;
        default:
          if (kind !== EXPECTED[kindOf]) throw damaged(`the ${KIND_NAMES[kindOf]} key "${b.toString("latin1", s, e)}" holds a ${kind}, not a ${EXPECTED[kindOf]}`);
      }
      switch (kindOf) {
        case Kind.Entries:
          return entriesSink;
        case Kind.Chunk:
          return chunkSink;
        case Kind.Xattrs:
          return xattrSink;
        case Kind.Parents:
          return opts.treeOnly ? null : parentSink;
      }
      return null;
    }
    if (kind !== "hash") return null;
    const name = b.toString("latin1", at, e);
    const stat = DIR_STATS.indexOf(name as (typeof DIR_STATS)[number]);
    // A JSON dump's tree shows no dir stats, slice references or hard links' parents: not kept.
    if (opts.treeOnly && (stat >= 0 || name === "sliceRef")) return null;
    if (stat >= 0) {
      const end = () => (statsRead |= 1 << stat);
      // DIR_STATS's order is DirStatColumns' columns'.
      const fieldAt = (f: Buffer, fs: number, fe: number, v: Buffer, vs: number, ve: number) => dirStats.set(stat, decimalAt(f, fs, fe), decimalAt(v, vs, ve));
      return { fieldAt, field: (f, v) => fieldAt(f, 0, f.length, v, 0, v.length), end };
    }
    if (name === "sliceRef") {
      return {
        field: (f, v) => {
          const m = /^k(\d+)_(\d+)$/.exec(f.toString("latin1"));
          const extra = decimal(v);
          if (m && extra !== 0n) sliceRefs.push({ id: BigInt(m[1]), size: Number(m[2]) >>> 0, refs: extra + 1n });
        },
      };
    }
    if (name === "acl") {
      return {
        field: (f, v) => {
          const rule = decodeAcl(v);
          if (rule) acls.push({ id: Number(decimal(f)), rule });
        },
      };
    }
    const quota = QUOTA_HASHES.get(name);
    if (quota) {
      const flat = quotaFlat[quota.kind][quota.part];
      return { field: (f, v) => flat.push(copy(f), copy(v)) };
    }
    return null;
  };

  // Keys by position (keyAt): a Buffer view of each of two million keys was garbage.
  const keyAt = (db: number, b: Buffer, s: number, e: number, kind: RdbKind, expiresAt: number | null): RdbValueSink | null => {
    if (db !== src.db || (expiresAt !== null && expiresAt <= now)) return null;
    if (P.length && (e - s <= P.length || P.compare(b, s, s + P.length) !== 0)) return null;
    return sinkFor(b, s, e, kind);
  };
  const reader = new RdbReader({ keyAt, key: (db, key, kind, expiresAt) => keyAt(db, key, 0, key.length, kind, expiresAt) });

  try {
    const chunks = transfer.chunks[Symbol.asyncIterator]();
    for (;;) {
      const r = await gate(() => chunks.next());
      if (r.done) break;
      reader.feed(r.value);
      // Encoded tables first, as Batches.take gives its tables (nodes, edges, chunks, …).
      if (encoder) for (const field of ENCODED_FIELDS) if (encoder.count(field) >= RDB_BATCH) yield encoder.take(field)!;
      yield* out.take(false);
      while (sliceRefs.length >= BATCH) yield { table: "sliceRefs", records: sliceRefs.splice(0, BATCH) };
      if (statsRead === 0b111 && !statsYielded) yield* dirStatBatches();
      if (reader.done && (!transfer.eofMark || reader.rest.length >= transfer.eofMark.length)) break;
    }
    if (!reader.done) {
      throw new JfsError("unreachable", `Redis at ${src.addr}: the connection was lost at byte ${reader.offset} of the server's snapshot, before its end: nothing of this dump is trusted; run it again`);
    }
    if (transfer.eofMark && !reader.rest.subarray(0, transfer.eofMark.length).equals(transfer.eofMark)) {
      throw new JfsError("corrupt-input", `Redis at ${src.addr}: the snapshot's stream did not end with the mark the server announced (byte ${reader.offset}): the transfer was damaged`);
    }
  } catch (err) {
    if (err instanceof JfsError && err.kind === "corrupt-input" && !err.message.startsWith("Redis at")) {
      throw new JfsError("corrupt-input", `Redis at ${src.addr}: ${err.message}`, { cause: err });
    }
    throw err;
  } finally {
    transfer.close();
  }
  if (encoder) {
    for (const field of ENCODED_FIELDS) {
      const b = encoder.take(field);
      if (b) yield b;
    }
  }
  yield* out.take(true);
  if (sliceRefs.length) yield { table: "sliceRefs", records: sliceRefs };

  // Directory stats not yet yielded (a volume without one of the three hashes).
  if (!statsYielded) yield* dirStatBatches();
  yield { table: "acls", records: acls };
  for (const kind of ["dir", "user", "group"] as const) {
    const [limits, used, count] = quotaFlat[kind];
    yield { table: "quotas", kind, records: quotaRecords(kind, limits, used, count) };
  }
}
