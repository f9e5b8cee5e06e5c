import {
  BatchDesc,
  FooterDesc,
  FormatDesc,
  decodeBulkBatch,
  decodeColumns,
  isBulkField
} from "./chunk-T4KSQL2Z.js";
import {
  BAK_EOS,
  BAK_MAGIC,
  BAK_VERSION,
  BinaryDumpError,
  batchCount,
  fieldsOf,
  segmentByType
} from "./chunk-DOIJPOW2.js";
import {
  parseSetting
} from "./chunk-R7GPK5FI.js";
import {
  SLICE_BYTES,
  decodeAcl,
  decodeAttr,
  decodeSlice,
  isEncodedAttr
} from "./chunk-GEL7VY43.js";
import {
  typeFromCode
} from "./chunk-Z33CHFVJ.js";

// lib/dump/binary/reader.ts
import { fromBinary } from "@bufbuild/protobuf";
var MAX_SEGMENT = 1 << 30;
var MAX_FOOTER = 64 << 20;
var ByteQueue = class {
  constructor(it) {
    this.it = it;
  }
  it;
  chunks = [];
  head = 0;
  // consumed bytes of chunks[0]
  available = 0;
  ended = false;
  /** Waits until n bytes are available or the input ends; true if they are. */
  async need(n) {
    while (this.available < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      const b = typeof r.value === "string" ? Buffer.from(r.value) : r.value;
      if (b.length === 0) continue;
      this.chunks.push(b);
      this.available += b.length;
    }
    return this.available >= n;
  }
  /** Takes n available bytes (a view when they lie in one chunk). */
  take(n) {
    if (n > this.available) throw new Error("internal error: ByteQueue.take beyond what is available");
    this.available -= n;
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out2 = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out2;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const c = this.chunks[0];
      const piece = Math.min(n - got, c.length - this.head);
      c.copy(out, got, this.head, this.head + piece);
      got += piece;
      this.head += piece;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
  /** Discards n bytes as they arrive (skipping a payload without holding it). */
  async skip(n) {
    while (n > 0) {
      if (!await this.need(1)) return false;
      const piece = Math.min(n, this.available, this.chunks[0].length - this.head);
      this.take(piece);
      n -= piece;
    }
    return true;
  }
  async close() {
    await this.it.return?.();
  }
};
var COUNTER_NAMES = {
  usedSpace: "usedSpace",
  totalInodes: "usedInodes",
  nextInode: "nextInodes",
  nextChunk: "nextChunk",
  nextSession: "nextSession",
  nextTrash: "nextTrash",
  nextCleanupSlices: "nextCleanupSlices",
  lastChangelog: "lastChangelog"
};
function hasUnknown(m) {
  const u = m.$unknown;
  return !!u && u.length > 0;
}
var shortAttr = (inode, n) => `inode ${inode} has ${n} bytes of attributes, fewer than the 63 of any JuiceFS version`;
var unknownAttrType = (inode, byte1) => `inode ${inode} has an unknown file type (${byte1 >> 4})`;
var unknownEntryType = (parent, name, type) => `the entry "${name.toString("latin1")}" in directory ${parent} has an unknown file type ${type}`;
var emptyName = (parent) => `an entry of directory ${parent} has an empty name`;
var oddSlices = (inode, index, n) => `chunk ${index} of inode ${inode} has ${n} bytes of slices, not a multiple of ${SLICE_BYTES}`;
function decodeAsColumns(type, payload, v) {
  if (type === 3 && v.nodeColumns) {
    const cols = decodeColumns("nodes", payload);
    return cols && { type, cols };
  }
  if (type === 4 && v.edgeColumns) {
    const cols = decodeColumns("edges", payload);
    return cols && { type, cols };
  }
  if (type === 5 && v.chunkColumns) {
    const cols = decodeColumns("chunks", payload);
    return cols && { type, cols };
  }
  return null;
}
function deliverColumns(c, v, at) {
  const bad = (what) => {
    throw new BinaryDumpError(what, at.segment, at.offset);
  };
  const { bytes, start, end, count } = c.cols;
  switch (c.type) {
    case 3: {
      const { inode } = c.cols;
      for (let i = 0; i < count; i++) {
        const n = end[i] - start[i];
        if (n < 63) bad(shortAttr(inode[i], n));
        if (typeFromCode(bytes[start[i] + 1] >> 4) === void 0) bad(unknownAttrType(inode[i], bytes[start[i] + 1]));
      }
      return v.nodeColumns(c.cols, at);
    }
    case 4: {
      const { parent, type } = c.cols;
      for (let i = 0; i < count; i++) {
        if (typeFromCode(type[i]) === void 0) bad(unknownEntryType(parent[i], bytes.subarray(start[i], end[i]), type[i]));
        if (end[i] === start[i]) bad(emptyName(parent[i]));
      }
      return v.edgeColumns(c.cols, at);
    }
    case 5: {
      const { inode, index } = c.cols;
      for (let i = 0; i < count; i++) if ((end[i] - start[i]) % SLICE_BYTES !== 0) bad(oddSlices(inode[i], index[i], end[i] - start[i]));
      return v.chunkColumns(c.cols, at);
    }
  }
}
var PIECE = 1e3;
function* pieces(records) {
  for (let i = 0; i < records.length; i += PIECE) {
    const end = Math.min(records.length, i + PIECE);
    const part = records.slice(i, end);
    records.fill(void 0, i, end);
    yield part;
  }
}
async function deliver(type, b, v, at) {
  const bad = (what) => {
    throw new BinaryDumpError(what, at.segment, at.offset);
  };
  const buf = (u) => Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  switch (type) {
    case 2: {
      const c = {};
      for (const r of b.counters) {
        const k = COUNTER_NAMES[r.key];
        if (k) c[k] = r.value;
      }
      return v.counters?.({
        usedSpace: c.usedSpace ?? 0n,
        usedInodes: c.usedInodes ?? 0n,
        nextInodes: c.nextInodes ?? 0n,
        nextChunk: c.nextChunk ?? 0n,
        nextSession: c.nextSession ?? 0n,
        nextTrash: c.nextTrash ?? 0n,
        ...c.lastChangelog !== void 0 ? { lastChangelog: c.lastChangelog } : {}
      }, at);
    }
    case 3:
      if (!v.nodes) return;
      for (const part of pieces(b.nodes)) {
        await v.nodes(
          part.map((n) => {
            const data = buf(n.data);
            const s = decodeAttr(n.inode, data);
            if (!s) return bad(shortAttr(n.inode, n.data.length));
            if (s.attr.type === "unknown") bad(unknownAttrType(n.inode, n.data[1]));
            if (isEncodedAttr(data)) s.stored = data;
            return s;
          }),
          at
        );
      }
      return;
    case 4:
      if (!v.edges) return;
      for (const part of pieces(b.edges)) {
        await v.edges(
          part.map((e) => {
            const t = typeFromCode(e.type);
            if (!t) bad(unknownEntryType(e.parent, buf(e.name), e.type));
            if (e.name.length === 0) bad(emptyName(e.parent));
            return { parent: e.parent, inode: e.inode, name: buf(e.name), type: t };
          }),
          at
        );
      }
      return;
    case 5:
      if (!v.chunks) return;
      for (const part of pieces(b.chunks)) {
        await v.chunks(
          part.map((c) => {
            if (c.slices.length % SLICE_BYTES !== 0) bad(oddSlices(c.inode, c.index, c.slices.length));
            const raw = buf(c.slices);
            const slices = [];
            for (let o = 0; o < raw.length; o += SLICE_BYTES) slices.push(decodeSlice(raw.subarray(o, o + SLICE_BYTES)));
            return { inode: c.inode, chunk: { index: c.index, slices }, stored: raw };
          }),
          at
        );
      }
      return;
    case 6:
      return v.sliceRefs?.(b.sliceRefs.map((r) => ({ id: r.id, size: r.size, refs: r.refs })), at);
    case 7:
      return v.symlinks?.(b.symlinks.map((s) => ({ inode: s.inode, target: buf(s.target) })), at);
    case 8:
      return v.sustained?.(b.sustained.map((s) => ({ sid: s.sid, inodes: s.inodes })), at);
    case 9:
      return v.delFiles?.(b.delfiles.map((d) => ({ inode: d.inode, length: d.length, expire: d.expire })), at);
    case 10:
      return v.xattrs?.(b.xattrs.map((x) => ({ inode: x.inode, xattr: { name: Buffer.from(x.name, "utf8"), value: buf(x.value) } })), at);
    case 11:
      return v.acls?.(
        b.acls.map((a) => {
          const rule = decodeAcl(buf(a.data));
          if (!rule) bad(`ACL rule ${a.id} is ${a.data.length} bytes long, which does not match its entry counts`);
          return { id: a.id, rule };
        }),
        at
      );
    case 12:
      return v.dirStats?.(b.dirstats.map((s) => ({ inode: s.inode, dataLength: s.dataLength, usedSpace: s.usedSpace, usedInodes: s.usedInodes })), at);
    case 13: {
      const kinds = [["dir", "quotas", 0], ["user", "userQuotas", 1], ["group", "groupQuotas", 2]];
      for (const [kind, field] of kinds) {
        if (!b[field].length) continue;
        await v.quotas?.(
          kind,
          b[field].map((q) => ({ key: q.key, quota: { maxSpace: q.maxSpace, maxInodes: q.maxInodes, usedSpace: q.usedSpace, usedInodes: q.usedInodes } })),
          at
        );
      }
      return;
    }
    case 14:
      return v.parents?.(b.parents.map((p) => ({ inode: p.inode, parent: p.parent, cnt: p.cnt })), at);
    case 15:
      return v.changeLog?.(b.changelogs.map((c) => ({ version: c.version, entry: buf(c.entry).toString("utf8") })), at);
  }
}
function decodeBulk(type, payload) {
  const [field] = fieldsOf(type);
  if (!field || !isBulkField(field)) return null;
  const records = decodeBulkBatch(field, payload);
  if (!records) return null;
  const batch = Object.fromEntries(ALL_FIELDS.map((f) => [f, f === field ? records : []]));
  return batch;
}
var ALL_FIELDS = ["nodes", "edges", "chunks", "sliceRefs", "xattrs", "parents", "symlinks", "sustained", "delfiles", "dirstats", "quotas", "acls", "counters", "changelogs", "userQuotas", "groupQuotas"];
async function readBinaryDump(input, visitor, opts = {}) {
  const source = Symbol.asyncIterator in input ? input : (async function* () {
    yield* input;
  })();
  const q = new ByteQueue(source[Symbol.asyncIterator]());
  const decode = opts.decode !== false;
  const seen = /* @__PURE__ */ new Map();
  let pos = 0;
  let segments = 0;
  try {
    for (; ; ) {
      const offset = pos;
      if (!await q.need(4)) {
        throw new BinaryDumpError(
          q.available === 0 ? `the dump ends after ${segments} segments without the end marker and footer: it is truncated` : `the dump ends inside a segment header: it is truncated`,
          null,
          offset
        );
      }
      const type = q.take(4).readUInt32BE(0);
      pos += 4;
      if (type === BAK_EOS) return await readFooter(q, pos, seen, decode);
      const seg = segmentByType(type);
      if (!seg) throw new BinaryDumpError(`unknown segment type ${type} (a damaged byte, or a wrong length before it)`, null, offset);
      if (segments === 0 && seg.name !== "format") throw new BinaryDumpError(`a binary dump starts with the format segment, found ${seg.name}`, seg.name, offset);
      if (!await q.need(8)) throw new BinaryDumpError("the dump ends inside a segment header: it is truncated", seg.name, offset);
      const length = Number(q.take(8).readBigUInt64BE(0));
      pos += 8;
      if (length > MAX_SEGMENT) throw new BinaryDumpError(`the segment claims ${length} bytes, more than any JuiceFS dump writes (a damaged length)`, seg.name, offset);
      let records = 0;
      let payload = null;
      if (decode) {
        if (!await q.need(length)) {
          throw new BinaryDumpError(`the dump ends inside the segment: it claims ${length} bytes, only ${q.available} follow; the dump is truncated`, seg.name, offset);
        }
        payload = q.take(length);
      } else if (!await q.skip(length)) {
        throw new BinaryDumpError(`the dump ends inside the segment: it claims ${length} bytes; the dump is truncated`, seg.name, offset);
      }
      pos += length;
      const at = { segment: seg.name, offset };
      let batch = null;
      const columns = payload && decodeAsColumns(seg.type, payload, visitor);
      if (columns) records = columns.cols.count;
      else if (payload && seg.type === 1) {
        let data;
        try {
          const f = fromBinary(FormatDesc, payload);
          if (hasUnknown(f)) throw new Error("unknown fields");
          data = f.data;
        } catch (e) {
          throw new BinaryDumpError(`the format segment is not a valid protobuf Format message (${e.message})`, seg.name, offset);
        }
        let setting;
        try {
          setting = parseSetting(Buffer.from(data));
        } catch (e) {
          throw new BinaryDumpError(`the volume format in the dump is not valid: ${e.message}`, seg.name, offset);
        }
        records = 1;
        await visitor.format?.(setting, at);
      } else if (payload) {
        try {
          batch = decodeBulk(seg.type, payload) ?? fromBinary(BatchDesc, payload);
        } catch (e) {
          throw new BinaryDumpError(`the payload is not a valid protobuf Batch (${e.message}): the dump is damaged`, seg.name, offset);
        }
        const allowed = fieldsOf(seg.type);
        for (const f of ALL_FIELDS) {
          if (!allowed.includes(f) && batch[f].length) throw new BinaryDumpError(`the segment also holds ${f} records: the dump is damaged`, seg.name, offset);
        }
        if (hasUnknown(batch) || allowed.some((f) => batch[f].some(hasUnknown))) {
          throw new BinaryDumpError("the payload holds fields no JuiceFS version writes: the dump is damaged", seg.name, offset);
        }
        records = batchCount(seg.type, batch);
      }
      let info = seen.get(seg.name);
      if (!info) seen.set(seg.name, info = { offsets: [], num: 0n });
      info.offsets.push(BigInt(offset));
      info.num += BigInt(records);
      segments++;
      await visitor.segment?.({ name: seg.name, type: seg.type, offset, length, records: decode ? records : -1 });
      if (columns) await deliverColumns(columns, visitor, at);
      else if (batch) await deliver(seg.type, batch, visitor, at);
      opts.onBytes?.(pos);
    }
  } finally {
    await q.close();
  }
}
async function readFooter(q, pos, seen, counted) {
  const fail = (m) => {
    throw new BinaryDumpError(m, "footer", pos);
  };
  while (!q.ended) {
    await q.need(q.available + 1);
    if (q.available > MAX_FOOTER + 8) fail(`more than ${MAX_FOOTER} bytes follow the end marker: the dump is damaged`);
  }
  const rest = q.take(q.available);
  if (rest.length < 8) fail(`the dump ends ${rest.length} bytes after the end marker, without the footer's length: it is truncated`);
  const len = rest.readBigUInt64BE(rest.length - 8);
  if (len !== BigInt(rest.length - 8)) {
    fail(`the footer's length says ${len} bytes but ${rest.length - 8} lie between the end marker and it: the dump is truncated or damaged`);
  }
  let footer;
  try {
    footer = fromBinary(FooterDesc, rest.subarray(0, rest.length - 8));
  } catch (e) {
    return fail(`the footer is not a valid protobuf Footer (${e.message})`);
  }
  if (footer.magic !== BAK_MAGIC) fail(`the footer's magic is ${footer.magic}, expected ${BAK_MAGIC}: the dump is damaged`);
  if (footer.version !== BAK_VERSION) fail(`the footer says format version ${footer.version}; this jfsmeta reads version ${BAK_VERSION}`);
  const infos = /* @__PURE__ */ new Map();
  for (const [name, i] of Object.entries(footer.infos)) infos.set(name, { offsets: [...i.offset], num: i.num });
  const sorted = (l) => [...l].sort((a, b) => a < b ? -1 : a > b ? 1 : 0).join(",");
  for (const name of /* @__PURE__ */ new Set([...infos.keys(), ...seen.keys()])) {
    const f = infos.get(name);
    const s = seen.get(name);
    if (!f) fail(`the dump holds ${name} segments the footer does not list: the dump is damaged`);
    if (!s) fail(`the footer lists ${name} segments at ${f.offsets.join(", ")} that the dump does not hold: the dump is damaged`);
    if (sorted(f.offsets) !== sorted(s.offsets)) {
      fail(`the footer places ${name} segments at ${f.offsets.join(", ")}, but they were read at ${s.offsets.join(", ")}: the dump is damaged`);
    }
    if (counted && f.num !== s.num) fail(`the footer counts ${f.num} ${name} records, the segments hold ${s.num}: the dump is damaged`);
  }
  return { version: footer.version, infos, bytes: pos + rest.length };
}

export {
  ByteQueue,
  readBinaryDump
};
