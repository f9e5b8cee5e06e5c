// Streaming writer of JuiceFS binary dumps (`juicefs dump --binary`, docs/format/dump-binary.md).
// It takes the same tree walk as the JSON writer (TreeWriter) and turns it into the flat
// segments JuiceFS writes: nodes, edges, chunks, symlinks, xattrs and dir stats as batches
// fill, then parents, sustained, delfiles, slice refs, ACLs, quotas and the footer.
import { OutputFeed } from "../feed";
import { create, toBinary } from "@bufbuild/protobuf";
import type { Attr, DumpNode, QuotaLimit, QuotaUsage } from "../../jfs/types";
import { AclNumbering, align4K, ROOT_INODE, TYPE_CODE } from "../../jfs/types";
import { encodeAcl, encodeAttr, encodeSlice, SLICE_BYTES } from "../../jfs/binary-values";
import { PagedBitset } from "../paged-bitset";
import { LinkParents } from "../link-parents";
import { encodeStoredSetting } from "../../jfs/setting-json";
import type { DumpHeader, TreeName, TreeWriter } from "../types";
import type { QuotaRecord, RecordEncoder, ScanBatch, TableBatch } from "../../jfs/table-records";
import { BAK_EOS, BAK_MAGIC, BAK_VERSION, segmentHeader, SEGMENTS, type BatchField, type SegmentName } from "./format";
import { BatchDesc, FooterDesc, FormatDesc, type PbBatch, type PbQuota } from "./proto";
import { BatchRecordEncoder, encodeBulkBatch, encodeChunkRecords, encodeEdgeRecords, encodeNodeRecords, isBulkField } from "./bulk-codec";

/**
 * Records per batch (JuiceFS: 10,000 on Redis/TKV, 100,000 on SQL). Ten thousand nodes are
 * about 1 MB encoded: big enough that framing costs nothing, small enough to stay flat.
 */
export const BINARY_BATCH = 10_000;
/** A batch is also written when its payload passes this many bytes (files of many chunks). */
const BATCH_BYTES = 4 << 20;

/** The bulk kinds, written as their batches fill. */
const BULK = ["nodes", "edges", "chunks", "symlinks", "xattrs", "dirstats"] as const;
type BulkField = (typeof BULK)[number];

const NAME_OF: Record<BatchField, SegmentName> = Object.fromEntries(
  SEGMENTS.filter((s) => s.field).map((s) => [s.field, s.name]),
) as Record<BatchField, SegmentName>;
NAME_OF.userQuotas = "quota";
NAME_OF.groupQuotas = "quota";
const TYPE_OF = Object.fromEntries(SEGMENTS.map((s) => [s.name, s.type])) as Record<SegmentName, number>;

interface OpenDir {
  inode: bigint;
  /** Direct children: what JuiceFS keeps as dir stats. */
  dataLength: bigint;
  usedSpace: bigint;
  usedInodes: bigint;
  /** Descendants (for directory quota usage). */
  treeSpace: bigint;
  treeInodes: bigint;
  inFSTree: boolean;
}

/** What an inode's stored length is, from the dump's shaping of it (the JSON load's rule). */
function storedLength(node: DumpNode): bigint {
  const a = node.attr;
  if (a.type === "regular") return a.length;
  if (a.type === "directory") return 4096n;
  if (a.type === "symlink") return BigInt(node.symlink?.length ?? 0);
  return 0n;
}

/** An xattr name as the protobuf string the format holds; a name that is not UTF-8 cannot be written. */
function xattrName(inode: bigint, name: Buffer): string {
  const text = name.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(name)) {
    throw new Error(
      `inode ${inode} has an xattr name that is not valid UTF-8 (${name.toString("hex")}), which the binary format cannot hold (its name is a protobuf string): dump this volume as JSON instead`,
    );
  }
  return text;
}

/**
 * Writes a binary dump to a byte stream as the tree walk goes; memory stays flat: one batch
 * per bulk kind, the open directories' stats, and maps of the rare things (hard links,
 * shared slices, ACL rules, quota usage).
 *
 * Facts a tree walk does not carry are computed the way a JSON load computes them: dir stats
 * and quota usage from the children, slice reference counts from the chunks, hard-link
 * parents from the occurrences, ACL ids by first use. Counters, sustained inodes, delfiles
 * and quota limits come from the header as dumped. The caller owns the stream (and ends it).
 */
export class BinaryDumpWriter implements TreeWriter {
  private pos = 0;
  private readonly infos = new Map<SegmentName, { offset: bigint[]; num: bigint }>();
  private readonly pending: Record<BulkField, unknown[]> = { nodes: [], edges: [], chunks: [], symlinks: [], xattrs: [], dirstats: [] };
  private readonly pendingBytes: Record<BulkField, number> = { nodes: 0, edges: 0, chunks: 0, symlinks: 0, xattrs: 0, dirstats: 0 };
  private readonly stack: OpenDir[] = [];
  private headerData: DumpHeader | null = null;
  private trees = 0;
  private ended = false;
  /** Hard-linked files (nlink > 1) met so far: each occurrence's parent (flat: LinkParents). */
  private readonly links = new LinkParents();
  private readonly linked = new PagedBitset();
  private readonly seenSlices = new PagedBitset();
  private readonly sharedSlices = new Map<string, { id: bigint; size: number; refs: bigint }>();
  private readonly acls = new AclNumbering();
  private readonly dirQuotaUsage = new Map<bigint, QuotaUsage>();
  private readonly userUsage = new Map<bigint, QuotaUsage>();
  private readonly groupUsage = new Map<bigint, QuotaUsage>();
  private tracksOwners = false;
  private failure: Error | null = null;

  private readonly feed: OutputFeed;

  constructor(out: NodeJS.WritableStream) {
    out.on("error", (e: Error) => (this.failure ??= e));
    this.feed = new OutputFeed(out);
  }

  async header(h: DumpHeader): Promise<void> {
    if (this.headerData) throw new Error("BinaryDumpWriter: header() called twice");
    this.headerData = h;
    this.tracksOwners = !!(h.userQuotas?.size || h.groupQuotas?.size);
    this.head(h);
    await this.drain();
  }

  /**
   * The whole dump from a flat scan of the stored tables (MetaEngine.scanTables), as JuiceFS's
   * binary dump takes it: every record as stored (nothing recomputed from a tree), in segments
   * of BINARY_BATCH records of one table (or BATCH_BYTES), then the small kinds and the footer.
   * Each engine batch is encoded as it comes and its records let go: a segment fills from
   * encoded bytes, so engines can yield small batches whose records die young (a scan that
   * held 10,000 records a table until its segment was written had V8 promote them all, and
   * the RDB dump's peak RSS was mostly that garbage). Memory: one segment of bytes a table,
   * and the quota records (one per quota).
   */
  recordEncoder(): RecordEncoder {
    return new BatchRecordEncoder();
  }

  async tables(h: DumpHeader, batches: AsyncIterable<ScanBatch>, onRecords?: (n: number, table: TableBatch["table"]) => void): Promise<void> {
    if (this.headerData) throw new Error("BinaryDumpWriter: tables() after header() or a second time");
    this.headerData = h;
    this.head(h);
    const quotas: Record<"dir" | "user" | "group", PbQuota[]> = { dir: [], user: [], group: [] };
    const quotaType = { dir: 0, user: 1, group: 2 } as const;
    for await (const b of batches) {
      if (this.failure) throw this.failure;
      if (b.table === "encoded") {
        const { bytes, ends, count } = b;
        if (count === 0) continue;
        // Parts are views of the scan's bytes, kept until their segment is written.
        this.encoded(b.field, count, (from, to) => bytes.subarray(from === 0 ? 0 : ends[from - 1], ends[to - 1]));
        onRecords?.(count, b.field);
        await this.maybeDrain();
        continue;
      }
      const n = b.records.length;
      if (n === 0) continue;
      switch (b.table) {
        case "nodes": {
          const r = b.records;
          this.encoded("nodes", n, (from, to) => encodeNodeRecords(r, from, to));
          break;
        }
        case "edges": {
          const r = b.records;
          this.encoded("edges", n, (from, to) => encodeEdgeRecords(r, from, to));
          break;
        }
        case "chunks": {
          const r = b.records;
          this.encoded("chunks", n, (from, to) => encodeChunkRecords(r, from, to));
          break;
        }
        case "symlinks":
          this.encodedBulk("symlinks", b.records);
          break;
        case "xattrs":
          this.encodedBulk("xattrs", b.records.map((x) => ({ inode: x.inode, name: xattrName(x.inode, x.name), value: x.value })));
          break;
        case "dirStats":
          this.encodedBulk("dirstats", b.records);
          break;
        case "parents":
          this.encodedBulk("parents", b.records);
          break;
        case "sliceRefs":
          this.encodedBulk("sliceRefs", b.records);
          break;
        case "acls":
          this.batchesOf("acls", b.records.map((a) => ({ id: a.id, data: encodeAcl(a.rule) })));
          break;
        case "quotas":
          for (const q of b.records as QuotaRecord[]) quotas[b.kind].push({ ...q, type: quotaType[b.kind] });
          break;
      }
      onRecords?.(n, b.table);
      await this.maybeDrain();
    }
    for (const field of [...this.parts.keys()]) this.flushEncoded(field);
    this.ended = true;
    this.batch("sustained", h.sustained.map((s) => ({ sid: s.sid, inodes: s.inodes })));
    this.batchesOf("delfiles", h.delFiles.map((d) => ({ inode: d.inode, length: d.length, expire: d.expire })));
    const quotaCount = quotas.dir.length + quotas.user.length + quotas.group.length;
    if (quotaCount) {
      const batch = { quotas: quotas.dir, userQuotas: quotas.user, groupQuotas: quotas.group };
      this.segment("quota", toBinary(BatchDesc, create(BatchDesc, batch as never)), BigInt(quotaCount));
    }
    this.tail(h);
    await this.drain();
  }

  /** Encoded records of the flat scan waiting for their segment: parts, their bytes and count. */
  private readonly parts = new Map<BatchField, { parts: Buffer[]; bytes: number; num: number }>();

  /**
   * `n` records of `field`, encoded by `encode(from, to)` into the pending segment's bytes: a
   * segment is written at BINARY_BATCH records or BATCH_BYTES bytes.
   */
  private encoded(field: BatchField, n: number, encode: (from: number, to: number) => Buffer): void {
    for (let from = 0; from < n; ) {
      let p = this.parts.get(field);
      if (!p) this.parts.set(field, (p = { parts: [], bytes: 0, num: 0 }));
      const to = Math.min(n, from + BINARY_BATCH - p.num);
      const part = encode(from, to);
      p.parts.push(part);
      p.bytes += part.length;
      p.num += to - from;
      from = to;
      if (p.num >= BINARY_BATCH || p.bytes >= BATCH_BYTES) this.flushEncoded(field);
    }
  }

  private encodedBulk(field: BatchField, list: readonly object[]): void {
    const records = list as readonly Record<string, unknown>[];
    this.encoded(field, records.length, (from, to) => encodeBulkBatch(field, from === 0 && to === records.length ? records : records.slice(from, to)));
  }

  private flushEncoded(field: BatchField): void {
    const p = this.parts.get(field);
    if (!p || p.num === 0) return;
    this.parts.delete(field);
    this.segmentParts(NAME_OF[field], p.parts, p.bytes, BigInt(p.num));
  }

  /** The format and counter segments. */
  private head(h: DumpHeader): void {
    const setting = Buffer.from(encodeStoredSetting(h.setting), "utf8");
    this.segment("format", toBinary(FormatDesc, create(FormatDesc, { data: setting })), 1n);
    const c = h.counters;
    const counters = [
      { key: "usedSpace", value: c.usedSpace },
      { key: "totalInodes", value: c.usedInodes },
      { key: "nextInode", value: c.nextInodes },
      { key: "nextChunk", value: c.nextChunk },
      { key: "nextSession", value: c.nextSession },
      { key: "nextTrash", value: c.nextTrash },
    ];
    if (c.lastChangelog !== undefined) counters.push({ key: "lastChangelog", value: c.lastChangelog });
    this.batch("counters", counters);
  }

  async beginDir(name: TreeName | Buffer, node: DumpNode): Promise<void> {
    const isTree = typeof name === "string";
    if (isTree !== (this.stack.length === 0)) {
      throw new Error(isTree ? "BinaryDumpWriter: a tree root inside a directory" : "BinaryDumpWriter: a tree root must be named FSTree or Trash");
    }
    if (isTree) this.trees++;
    const inFSTree = isTree ? name === "FSTree" : this.stack[this.stack.length - 1].inFSTree;
    this.child(isTree ? null : name, node, true);
    this.stack.push({ inode: node.attr.inode, dataLength: 0n, usedSpace: 0n, usedInodes: 0n, treeSpace: 0n, treeInodes: 0n, inFSTree });
    await this.maybeDrain();
  }

  async leaf(name: Buffer, node: DumpNode): Promise<void> {
    if (this.stack.length === 0) throw new Error("BinaryDumpWriter: leaf() outside a tree");
    this.child(name, node, false);
    await this.maybeDrain();
  }

  async endDir(): Promise<void> {
    const d = this.stack.pop();
    if (!d) throw new Error("BinaryDumpWriter: endDir() without an open directory");
    this.add("dirstats", { inode: d.inode, dataLength: d.dataLength, usedSpace: d.usedSpace, usedInodes: d.usedInodes }, 40);
    if (d.inFSTree && this.headerData?.quotas?.has(d.inode)) this.dirQuotaUsage.set(d.inode, { usedSpace: d.treeSpace, usedInodes: d.treeInodes });
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      parent.treeSpace += d.treeSpace;
      parent.treeInodes += d.treeInodes;
    }
    await this.maybeDrain();
  }

  async end(): Promise<void> {
    if (this.ended) throw new Error("BinaryDumpWriter: end() called twice");
    if (this.stack.length) throw new Error(`BinaryDumpWriter: end() with ${this.stack.length} directories still open`);
    const h = this.headerData;
    if (!h || this.trees === 0) throw new Error("BinaryDumpWriter: end() before the header and a tree were written");
    this.ended = true;
    for (const f of BULK) this.flushBatch(f);
    const parents: { inode: bigint; parent: bigint; cnt: bigint }[] = [];
    for (const { inode, total, parents: byParent } of this.links.groups()) {
      if (total > 1) for (const [parent, cnt] of byParent) parents.push({ inode, parent, cnt: BigInt(cnt) });
    }
    this.batchesOf("parents", parents);
    this.batch("sustained", h.sustained.map((s) => ({ sid: s.sid, inodes: s.inodes })));
    this.batchesOf("delfiles", h.delFiles.map((d) => ({ inode: d.inode, length: d.length, expire: d.expire })));
    this.batchesOf("sliceRefs", [...this.sharedSlices.values()]);
    this.batch("acls", [...this.acls.rules].map(([id, rule]) => ({ id, data: encodeAcl(rule) })));
    const quotas = this.quotaRecords(h);
    if (quotas.quotas.length || quotas.userQuotas.length || quotas.groupQuotas.length) {
      this.segment("quota", toBinary(BatchDesc, create(BatchDesc, quotas as never)), BigInt(quotas.quotas.length + quotas.userQuotas.length + quotas.groupQuotas.length));
    }
    this.tail(h);
    await this.drain();
  }

  /** The change log, an empty segment of each kind not written, the end marker and the footer. */
  private tail(h: DumpHeader): void {
    if (h.changeLog?.length) this.batch("changelogs", h.changeLog.map((c) => ({ version: c.version, entry: Buffer.from(c.entry, "utf8") })));
    // Kinds never written still get an empty segment, as JuiceFS writes them.
    for (const s of SEGMENTS) {
      if (!s.field || this.infos.has(s.name) || s.name === "quota" || s.name === "changeLog") continue;
      this.batch(s.field, []);
    }
    const eos = Buffer.allocUnsafe(4);
    eos.writeUInt32BE(BAK_EOS);
    this.write(eos);
    const infos: Record<string, { offset: bigint[]; num: bigint }> = {};
    for (const [name, info] of this.infos) infos[name] = info;
    const footer = toBinary(FooterDesc, create(FooterDesc, { magic: BAK_MAGIC, version: BAK_VERSION, infos } as never));
    const len = Buffer.allocUnsafe(8);
    len.writeBigUInt64BE(BigInt(footer.length));
    this.write(Buffer.from(footer.buffer, footer.byteOffset, footer.byteLength));
    this.write(len);
  }

  /** One occurrence of an inode under the open directory (or a tree root when name is null). */
  private child(name: Buffer | null, node: DumpNode, isDir: boolean): void {
    if (!this.headerData) throw new Error("BinaryDumpWriter: header() must come first");
    const a = node.attr;
    const parent = this.stack[this.stack.length - 1];
    const length = storedLength(node);
    const space = align4K(a.type === "regular" ? a.length : 0n);
    if (parent && name) {
      this.add("edges", { parent: parent.inode, inode: a.inode, name, type: TYPE_CODE[a.type] }, 24 + name.length);
      if (a.type === "regular") parent.dataLength += a.length;
      parent.usedSpace += space;
      parent.usedInodes += 1n;
      parent.treeSpace += space;
      parent.treeInodes += 1n;
    }
    const linked = !isDir && a.nlink > 1;
    if (linked && parent) {
      this.links.add(a.inode, parent.inode);
      if (this.linked.testAndSet(a.inode)) return; // a later occurrence of a hard link is only an edge and a parent
    }

    const access = this.acls.id(node.accessAcl);
    const dflt = this.acls.id(node.defaultAcl);
    const stored: Attr = { ...a, length };
    const parentField = !parent ? ROOT_INODE : linked ? 0n : parent.inode;
    this.add("nodes", { inode: a.inode, data: encodeAttr(stored, parentField, access, dflt) }, 96);
    for (const c of node.chunks) {
      if (!c.slices.length) continue;
      const slices = Buffer.allocUnsafe(c.slices.length * SLICE_BYTES);
      c.slices.forEach((s, i) => {
        encodeSlice(s, slices, i * SLICE_BYTES);
        if (s.id === 0n) return;
        if (this.seenSlices.testAndSet(s.id)) {
          const key = `${s.id}_${s.size}`;
          const shared = this.sharedSlices.get(key);
          if (shared) shared.refs++;
          else this.sharedSlices.set(key, { id: s.id, size: s.size, refs: 2n });
        }
      });
      this.add("chunks", { inode: a.inode, index: c.index, slices }, 16 + slices.length);
    }
    if (a.type === "symlink" && node.symlink?.length) this.add("symlinks", { inode: a.inode, target: node.symlink }, 16 + node.symlink.length);
    for (const x of node.xattrs) this.add("xattrs", { inode: a.inode, name: xattrName(a.inode, x.name), value: x.value }, 16 + x.name.length + x.value.length);
    if (a.inode !== ROOT_INODE && (parent || name !== null) && this.tracksOwners) {
      this.addUsage(this.userUsage, BigInt(a.uid), space);
      this.addUsage(this.groupUsage, BigInt(a.gid), space);
    }
  }

  private addUsage(m: Map<bigint, QuotaUsage>, key: bigint, space: bigint): void {
    const u = m.get(key);
    if (u) {
      u.usedSpace += space;
      u.usedInodes += 1n;
    } else m.set(key, { usedSpace: space, usedInodes: 1n });
  }


  private quotaRecords(h: DumpHeader): Pick<PbBatch, "quotas" | "userQuotas" | "groupQuotas"> {
    const records = (type: number, limits: Map<bigint, QuotaLimit> | undefined, usage: Map<bigint, QuotaUsage>, tracking: boolean): PbQuota[] => {
      const out: PbQuota[] = [];
      const zero = { usedSpace: 0n, usedInodes: 0n };
      for (const [key, l] of limits ?? []) out.push({ key, maxSpace: l.maxSpace, maxInodes: l.maxInodes, ...(usage.get(key) ?? zero), type });
      if (tracking) for (const [key, u] of usage) if (!limits?.has(key)) out.push({ key, maxSpace: -1n, maxInodes: -1n, ...u, type });
      return out;
    };
    return {
      quotas: records(0, h.quotas, this.dirQuotaUsage, false),
      userQuotas: this.tracksOwners ? records(1, h.userQuotas, this.userUsage, true) : [],
      groupQuotas: this.tracksOwners ? records(2, h.groupQuotas, this.groupUsage, true) : [],
    };
  }

  private add(field: BulkField, record: unknown, bytes: number): void {
    const list = this.pending[field];
    list.push(record);
    this.pendingBytes[field] += bytes;
    if (list.length >= BINARY_BATCH || this.pendingBytes[field] >= BATCH_BYTES) this.flushBatch(field);
  }

  private flushBatch(field: BulkField): void {
    const list = this.pending[field];
    if (list.length === 0) return;
    this.pending[field] = [];
    this.pendingBytes[field] = 0;
    this.batch(field, list);
  }

  /** Several segments of at most BINARY_BATCH records (one, empty, for no records). */
  private batchesOf(field: BatchField, records: unknown[]): void {
    if (records.length === 0) return this.batch(field, []);
    for (let i = 0; i < records.length; i += BINARY_BATCH) this.batch(field, records.slice(i, i + BINARY_BATCH));
  }

  private batch(field: BatchField, records: unknown[]): void {
    const payload = isBulkField(field)
      ? encodeBulkBatch(field, records as Record<string, unknown>[])
      : toBinary(BatchDesc, create(BatchDesc, { [field]: records } as never));
    this.segment(NAME_OF[field], payload, BigInt(records.length));
  }

  private segment(name: SegmentName, payload: Uint8Array, num: bigint): void {
    this.segmentParts(name, [Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)], payload.length, num);
  }

  /** A segment whose payload is `parts` one after the other (`bytes` in all). */
  private segmentParts(name: SegmentName, parts: Buffer[], bytes: number, num: bigint): void {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = { offset: [], num: 0n }));
    info.offset.push(BigInt(this.pos));
    info.num += num;
    this.write(segmentHeader(TYPE_OF[name], bytes));
    for (const part of parts) this.write(part);
  }

  private write(b: Buffer): void {
    if (this.failure) throw this.failure;
    this.pos += b.length;
    this.feed.write(b);
  }

  /** After a record or batch: the feed's wait when one is due (feed.ts). */
  private maybeDrain(): Promise<void> | void {
    if (this.failure) throw this.failure;
    if (this.feed.due) return this.paced();
  }

  private async paced(): Promise<void> {
    await this.feed.pace();
    if (this.failure) throw this.failure;
  }

  /** Before the end and after the header: the stream's drain if it asked for one. */
  private async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.feed.drained();
    if (this.failure) throw this.failure;
  }
}
