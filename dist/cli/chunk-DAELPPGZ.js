import {
  LinkParents
} from "./chunk-2IUHHPSG.js";
import {
  PagedBitset
} from "./chunk-FSMRZZN3.js";
import {
  renameDurably
} from "./chunk-6VX6LUXZ.js";
import {
  BatchDesc,
  BatchRecordEncoder,
  FooterDesc,
  FormatDesc,
  encodeBulkBatch,
  encodeChunkRecords,
  encodeEdgeRecords,
  encodeNodeRecords,
  isBulkField
} from "./chunk-T4KSQL2Z.js";
import {
  BAK_EOS,
  BAK_MAGIC,
  BAK_VERSION,
  SEGMENTS,
  segmentHeader
} from "./chunk-DOIJPOW2.js";
import {
  encodeStoredSetting
} from "./chunk-R7GPK5FI.js";
import {
  SLICE_BYTES,
  encodeAcl,
  encodeAttr,
  encodeSlice
} from "./chunk-GEL7VY43.js";
import {
  ROOT_INODE,
  TYPE_CODE,
  aclRuleKey,
  align4K
} from "./chunk-Z33CHFVJ.js";

// lib/dump/binary/writer.ts
import { once } from "node:events";
import { create, toBinary } from "@bufbuild/protobuf";
var BINARY_BATCH = 1e4;
var BATCH_BYTES = 4 << 20;
var BULK = ["nodes", "edges", "chunks", "symlinks", "xattrs", "dirstats"];
var NAME_OF = Object.fromEntries(
  SEGMENTS.filter((s) => s.field).map((s) => [s.field, s.name])
);
NAME_OF.userQuotas = "quota";
NAME_OF.groupQuotas = "quota";
var TYPE_OF = Object.fromEntries(SEGMENTS.map((s) => [s.name, s.type]));
function storedLength(node) {
  const a = node.attr;
  if (a.type === "regular") return a.length;
  if (a.type === "directory") return 4096n;
  if (a.type === "symlink") return BigInt(node.symlink?.length ?? 0);
  return 0n;
}
function xattrName(inode, name) {
  const text = name.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(name)) {
    throw new Error(
      `inode ${inode} has an xattr name that is not valid UTF-8 (${name.toString("hex")}), which the binary format cannot hold (its name is a protobuf string): dump this volume as JSON instead`
    );
  }
  return text;
}
var BinaryDumpWriter = class {
  constructor(out) {
    this.out = out;
    out.on("error", (e) => this.failure ??= e);
  }
  out;
  pos = 0;
  infos = /* @__PURE__ */ new Map();
  pending = { nodes: [], edges: [], chunks: [], symlinks: [], xattrs: [], dirstats: [] };
  pendingBytes = { nodes: 0, edges: 0, chunks: 0, symlinks: 0, xattrs: 0, dirstats: 0 };
  stack = [];
  headerData = null;
  trees = 0;
  ended = false;
  /** Hard-linked files (nlink > 1) met so far: each occurrence's parent (flat: LinkParents). */
  links = new LinkParents();
  linked = new PagedBitset();
  seenSlices = new PagedBitset();
  sharedSlices = /* @__PURE__ */ new Map();
  aclIds = /* @__PURE__ */ new Map();
  aclRules = [];
  dirQuotaUsage = /* @__PURE__ */ new Map();
  userUsage = /* @__PURE__ */ new Map();
  groupUsage = /* @__PURE__ */ new Map();
  tracksOwners = false;
  failure = null;
  async header(h) {
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
  recordEncoder() {
    return new BatchRecordEncoder();
  }
  async tables(h, batches, onRecords) {
    if (this.headerData) throw new Error("BinaryDumpWriter: tables() after header() or a second time");
    this.headerData = h;
    this.head(h);
    const quotas = { dir: [], user: [], group: [] };
    const quotaType = { dir: 0, user: 1, group: 2 };
    for await (const b of batches) {
      if (this.failure) throw this.failure;
      if (b.table === "encoded") {
        const { bytes, ends, count } = b;
        if (count === 0) continue;
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
          for (const q of b.records) quotas[b.kind].push({ ...q, type: quotaType[b.kind] });
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
      this.segment("quota", toBinary(BatchDesc, create(BatchDesc, batch)), BigInt(quotaCount));
    }
    this.tail(h);
    await this.drain();
  }
  /** Encoded records of the flat scan waiting for their segment: parts, their bytes and count. */
  parts = /* @__PURE__ */ new Map();
  /**
   * `n` records of `field`, encoded by `encode(from, to)` into the pending segment's bytes: a
   * segment is written at BINARY_BATCH records or BATCH_BYTES bytes.
   */
  encoded(field, n, encode) {
    for (let from = 0; from < n; ) {
      let p = this.parts.get(field);
      if (!p) this.parts.set(field, p = { parts: [], bytes: 0, num: 0 });
      const to = Math.min(n, from + BINARY_BATCH - p.num);
      const part = encode(from, to);
      p.parts.push(part);
      p.bytes += part.length;
      p.num += to - from;
      from = to;
      if (p.num >= BINARY_BATCH || p.bytes >= BATCH_BYTES) this.flushEncoded(field);
    }
  }
  encodedBulk(field, list) {
    const records = list;
    this.encoded(field, records.length, (from, to) => encodeBulkBatch(field, from === 0 && to === records.length ? records : records.slice(from, to)));
  }
  flushEncoded(field) {
    const p = this.parts.get(field);
    if (!p || p.num === 0) return;
    this.parts.delete(field);
    this.segmentParts(NAME_OF[field], p.parts, p.bytes, BigInt(p.num));
  }
  /** The format and counter segments. */
  head(h) {
    const setting = Buffer.from(encodeStoredSetting(h.setting), "utf8");
    this.segment("format", toBinary(FormatDesc, create(FormatDesc, { data: setting })), 1n);
    const c = h.counters;
    const counters = [
      { key: "usedSpace", value: c.usedSpace },
      { key: "totalInodes", value: c.usedInodes },
      { key: "nextInode", value: c.nextInodes },
      { key: "nextChunk", value: c.nextChunk },
      { key: "nextSession", value: c.nextSession },
      { key: "nextTrash", value: c.nextTrash }
    ];
    if (c.lastChangelog !== void 0) counters.push({ key: "lastChangelog", value: c.lastChangelog });
    this.batch("counters", counters);
  }
  async beginDir(name, node) {
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
  async leaf(name, node) {
    if (this.stack.length === 0) throw new Error("BinaryDumpWriter: leaf() outside a tree");
    this.child(name, node, false);
    await this.maybeDrain();
  }
  async endDir() {
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
  async end() {
    if (this.ended) throw new Error("BinaryDumpWriter: end() called twice");
    if (this.stack.length) throw new Error(`BinaryDumpWriter: end() with ${this.stack.length} directories still open`);
    const h = this.headerData;
    if (!h || this.trees === 0) throw new Error("BinaryDumpWriter: end() before the header and a tree were written");
    this.ended = true;
    for (const f of BULK) this.flushBatch(f);
    const parents = [];
    for (const { inode, total, parents: byParent } of this.links.groups()) {
      if (total > 1) for (const [parent, cnt] of byParent) parents.push({ inode, parent, cnt: BigInt(cnt) });
    }
    this.batchesOf("parents", parents);
    this.batch("sustained", h.sustained.map((s) => ({ sid: s.sid, inodes: s.inodes })));
    this.batchesOf("delfiles", h.delFiles.map((d) => ({ inode: d.inode, length: d.length, expire: d.expire })));
    this.batchesOf("sliceRefs", [...this.sharedSlices.values()]);
    this.batch("acls", this.aclRules);
    const quotas = this.quotaRecords(h);
    if (quotas.quotas.length || quotas.userQuotas.length || quotas.groupQuotas.length) {
      this.segment("quota", toBinary(BatchDesc, create(BatchDesc, quotas)), BigInt(quotas.quotas.length + quotas.userQuotas.length + quotas.groupQuotas.length));
    }
    this.tail(h);
    await this.drain();
  }
  /** The change log, an empty segment of each kind not written, the end marker and the footer. */
  tail(h) {
    if (h.changeLog?.length) this.batch("changelogs", h.changeLog.map((c) => ({ version: c.version, entry: Buffer.from(c.entry, "utf8") })));
    for (const s of SEGMENTS) {
      if (!s.field || this.infos.has(s.name) || s.name === "quota" || s.name === "changeLog") continue;
      this.batch(s.field, []);
    }
    const eos = Buffer.allocUnsafe(4);
    eos.writeUInt32BE(BAK_EOS);
    this.write(eos);
    const infos = {};
    for (const [name, info] of this.infos) infos[name] = info;
    const footer = toBinary(FooterDesc, create(FooterDesc, { magic: BAK_MAGIC, version: BAK_VERSION, infos }));
    const len = Buffer.allocUnsafe(8);
    len.writeBigUInt64BE(BigInt(footer.length));
    this.write(Buffer.from(footer.buffer, footer.byteOffset, footer.byteLength));
    this.write(len);
  }
  /** One occurrence of an inode under the open directory (or a tree root when name is null). */
  child(name, node, isDir) {
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
      if (this.linked.testAndSet(a.inode)) return;
    }
    const access = this.aclId(node.accessAcl);
    const dflt = this.aclId(node.defaultAcl);
    const stored = { ...a, length };
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
  addUsage(m, key, space) {
    const u = m.get(key);
    if (u) {
      u.usedSpace += space;
      u.usedInodes += 1n;
    } else m.set(key, { usedSpace: space, usedInodes: 1n });
  }
  aclId(rule) {
    if (!rule) return 0;
    const key = aclRuleKey(rule);
    let id = this.aclIds.get(key);
    if (id === void 0) {
      id = this.aclIds.size + 1;
      this.aclIds.set(key, id);
      this.aclRules.push({ id, data: encodeAcl(rule) });
    }
    return id;
  }
  quotaRecords(h) {
    const records = (type, limits, usage, tracking) => {
      const out = [];
      const zero = { usedSpace: 0n, usedInodes: 0n };
      for (const [key, l] of limits ?? []) out.push({ key, maxSpace: l.maxSpace, maxInodes: l.maxInodes, ...usage.get(key) ?? zero, type });
      if (tracking) {
        for (const [key, u] of usage) if (!limits?.has(key)) out.push({ key, maxSpace: -1n, maxInodes: -1n, ...u, type });
      }
      return out;
    };
    return {
      quotas: records(0, h.quotas, this.dirQuotaUsage, false),
      userQuotas: this.tracksOwners ? records(1, h.userQuotas, this.userUsage, true) : [],
      groupQuotas: this.tracksOwners ? records(2, h.groupQuotas, this.groupUsage, true) : []
    };
  }
  add(field, record, bytes) {
    const list = this.pending[field];
    list.push(record);
    this.pendingBytes[field] += bytes;
    if (list.length >= BINARY_BATCH || this.pendingBytes[field] >= BATCH_BYTES) this.flushBatch(field);
  }
  flushBatch(field) {
    const list = this.pending[field];
    if (list.length === 0) return;
    this.pending[field] = [];
    this.pendingBytes[field] = 0;
    this.batch(field, list);
  }
  /** Several segments of at most BINARY_BATCH records (one, empty, for no records). */
  batchesOf(field, records) {
    if (records.length === 0) return this.batch(field, []);
    for (let i = 0; i < records.length; i += BINARY_BATCH) this.batch(field, records.slice(i, i + BINARY_BATCH));
  }
  batch(field, records) {
    const payload = isBulkField(field) ? encodeBulkBatch(field, records) : toBinary(BatchDesc, create(BatchDesc, { [field]: records }));
    this.segment(NAME_OF[field], payload, BigInt(records.length));
  }
  segment(name, payload, num) {
    this.segmentParts(name, [Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)], payload.length, num);
  }
  /** A segment whose payload is `parts` one after the other (`bytes` in all). */
  segmentParts(name, parts, bytes, num) {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, info = { offset: [], num: 0n });
    info.offset.push(BigInt(this.pos));
    info.num += num;
    this.write(segmentHeader(TYPE_OF[name], bytes));
    for (const part of parts) this.write(part);
  }
  needDrain = false;
  write(b) {
    if (this.failure) throw this.failure;
    this.pos += b.length;
    if (!this.out.write(b)) this.needDrain = true;
  }
  maybeDrain() {
    if (this.failure) throw this.failure;
    if (this.needDrain) return this.drain();
  }
  async drain() {
    if (this.failure) throw this.failure;
    if (!this.needDrain) return;
    this.needDrain = false;
    await once(this.out, "drain");
    if (this.failure) throw this.failure;
  }
};

// lib/dump/output.ts
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { constants, createGzip } from "node:zlib";
import { CompressStream } from "zstd-napi";
function compressionForName(file) {
  if (file.endsWith(".gz")) return "gzip";
  if (file.endsWith(".zstd")) return "zstd";
  return "none";
}
function createCompressor(kind) {
  return kind === "gzip" ? createGzip({ level: constants.Z_BEST_SPEED }) : new CompressStream({ compressionLevel: 1, checksumFlag: true });
}
async function openDumpOutput(file) {
  if (file === void 0) {
    const stream2 = process.stdout;
    return {
      stream: stream2,
      commit: async () => {
        if (stream2.writableNeedDrain) await new Promise((r) => stream2.once("drain", r));
      },
      abort: async () => {
      }
    };
  }
  const tmp = file + ".tmp";
  const fileStream = createWriteStream(tmp);
  await new Promise((resolve, reject) => {
    fileStream.once("open", () => resolve());
    fileStream.once("error", reject);
  });
  let failure = null;
  fileStream.on("error", (e) => failure ??= e);
  const kind = compressionForName(file);
  const gzip = kind === "none" ? null : createCompressor(kind);
  if (gzip) {
    gzip.on("error", (e) => failure ??= e);
    gzip.pipe(fileStream);
    fileStream.on("error", (e) => gzip.destroy(e));
  }
  const stream = gzip ?? fileStream;
  let settled = false;
  return {
    stream,
    async commit() {
      if (settled) throw new Error("dump output already committed or aborted");
      settled = true;
      stream.end();
      await finished(fileStream);
      if (failure) throw failure;
      await renameDurably(tmp, file);
    },
    async abort() {
      if (settled) return;
      settled = true;
      gzip?.destroy();
      fileStream.destroy();
      await unlink(tmp).catch((e) => {
        if (e.code !== "ENOENT") throw e;
      });
    }
  };
}

export {
  BinaryDumpWriter,
  openDumpOutput
};
