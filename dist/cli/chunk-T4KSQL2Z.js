// lib/dump/binary/proto.ts
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
var MESSAGES = {
  Format: [["data", 1, "bytes"]],
  Counter: [["key", 1, "string"], ["value", 2, "int64"]],
  Sustained: [["sid", 1, "uint64"], ["inodes", 2, "uint64", true]],
  DelFile: [["inode", 1, "uint64"], ["length", 2, "uint64"], ["expire", 3, "int64"]],
  SliceRef: [["id", 1, "uint64"], ["size", 2, "uint32"], ["refs", 3, "int64"]],
  Acl: [["id", 1, "uint32"], ["data", 2, "bytes"]],
  Xattr: [["inode", 1, "uint64"], ["name", 2, "string"], ["value", 3, "bytes"]],
  Quota: [["key", 1, "uint64"], ["maxSpace", 2, "int64"], ["maxInodes", 3, "int64"], ["usedSpace", 4, "int64"], ["usedInodes", 5, "int64"], ["type", 6, "uint32"]],
  Stat: [["inode", 1, "uint64"], ["dataLength", 2, "int64"], ["usedSpace", 3, "int64"], ["usedInodes", 4, "int64"]],
  Node: [["inode", 1, "uint64"], ["data", 2, "bytes"]],
  Edge: [["parent", 1, "uint64"], ["inode", 2, "uint64"], ["name", 3, "bytes"], ["type", 4, "uint32"]],
  Parent: [["inode", 1, "uint64"], ["parent", 2, "uint64"], ["cnt", 3, "int64"]],
  Chunk: [["inode", 1, "uint64"], ["index", 2, "uint32"], ["slices", 3, "bytes"]],
  Symlink: [["inode", 1, "uint64"], ["target", 2, "bytes"]],
  ChangeLog: [["version", 1, "int64"], ["entry", 2, "bytes"]],
  Batch: [
    ["nodes", 1, "Node", true],
    ["edges", 2, "Edge", true],
    ["chunks", 3, "Chunk", true],
    ["sliceRefs", 4, "SliceRef", true],
    ["xattrs", 5, "Xattr", true],
    ["parents", 6, "Parent", true],
    ["symlinks", 7, "Symlink", true],
    ["sustained", 8, "Sustained", true],
    ["delfiles", 9, "DelFile", true],
    ["dirstats", 10, "Stat", true],
    ["quotas", 11, "Quota", true],
    ["acls", 12, "Acl", true],
    ["counters", 13, "Counter", true],
    ["changelogs", 14, "ChangeLog", true],
    ["userQuotas", 15, "Quota", true],
    ["groupQuotas", 16, "Quota", true]
  ]
};
var TYPE_NUMBER = { int64: 3, uint64: 4, string: 9, bytes: 12, uint32: 13 };
var MESSAGE_TYPE = 11;
var LABEL_OPTIONAL = 1;
var LABEL_REPEATED = 3;
function field([name, number, type, repeated], scope) {
  const scalar = TYPE_NUMBER[type];
  return {
    name,
    number,
    jsonName: name,
    label: repeated ? LABEL_REPEATED : LABEL_OPTIONAL,
    type: scalar ?? MESSAGE_TYPE,
    ...scalar === void 0 ? { typeName: `${scope}.${type}` } : {}
  };
}
var file = create(FileDescriptorProtoSchema, {
  name: "jfsmeta/backup.proto",
  package: "pb",
  syntax: "proto3",
  messageType: [
    ...Object.entries(MESSAGES).map(([name, fields]) => ({ name, field: fields.map((f) => field(f, ".pb")) })),
    {
      name: "Footer",
      field: [
        field(["magic", 1, "uint32"], ".pb"),
        field(["version", 2, "uint32"], ".pb"),
        field(["infos", 3, "InfosEntry", true], ".pb.Footer")
      ],
      nestedType: [
        { name: "SegInfo", field: [field(["offset", 1, "uint64", true], ""), field(["num", 2, "uint64"], "")] },
        {
          name: "InfosEntry",
          options: { mapEntry: true },
          field: [field(["key", 1, "string"], ""), field(["value", 2, "SegInfo"], ".pb.Footer")]
        }
      ]
    }
  ]
});
var registry = createFileRegistry(file, () => void 0);
function message(name) {
  const d = registry.getMessage(`pb.${name}`);
  if (!d) throw new Error(`internal error: protobuf message pb.${name} is not described`);
  return d;
}
var FormatDesc = message("Format");
var BatchDesc = message("Batch");
var FooterDesc = message("Footer");

// lib/dump/binary/bulk-codec.ts
var BULK_SPECS = {
  nodes: { field: 1, members: [["inode", 1, "u64"], ["data", 2, "bytes"]] },
  edges: { field: 2, members: [["parent", 1, "u64"], ["inode", 2, "u64"], ["name", 3, "bytes"], ["type", 4, "u32"]] },
  chunks: { field: 3, members: [["inode", 1, "u64"], ["index", 2, "u32"], ["slices", 3, "bytes"]] },
  sliceRefs: { field: 4, members: [["id", 1, "u64"], ["size", 2, "u32"], ["refs", 3, "i64"]] },
  xattrs: { field: 5, members: [["inode", 1, "u64"], ["name", 2, "string"], ["value", 3, "bytes"]] },
  parents: { field: 6, members: [["inode", 1, "u64"], ["parent", 2, "u64"], ["cnt", 3, "i64"]] },
  symlinks: { field: 7, members: [["inode", 1, "u64"], ["target", 2, "bytes"]] },
  dirstats: { field: 10, members: [["inode", 1, "u64"], ["dataLength", 2, "i64"], ["usedSpace", 3, "i64"], ["usedInodes", 4, "i64"]] }
};
var SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function varintSize(n) {
  let s = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}
var u64 = (v) => v >= 0n ? v : BigInt.asUintN(64, v);
function bigVarintSize(v) {
  if (v <= SAFE) return varintSize(Number(v));
  let s = 1;
  while (v >= 128n) {
    v >>= 7n;
    s++;
  }
  return s;
}
var Out = class {
  constructor(buf) {
    this.buf = buf;
  }
  buf;
  pos = 0;
  varint(n) {
    const b = this.buf;
    while (n >= 128) {
      b[this.pos++] = n % 128 | 128;
      n = Math.floor(n / 128);
    }
    b[this.pos++] = n;
  }
  bigVarint(v) {
    if (v <= SAFE) return this.varint(Number(v));
    const b = this.buf;
    while (v >= 128n) {
      b[this.pos++] = Number(v & 0x7fn) | 128;
      v >>= 7n;
    }
    b[this.pos++] = Number(v);
  }
  bytes(src) {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
};
function isBulkField(field2) {
  return BULK_SPECS[field2] !== void 0;
}
function encodeBulkBatch(field2, records) {
  const spec = BULK_SPECS[field2];
  if (!spec) throw new Error(`internal error: no bulk encoder for ${field2}`);
  const m = spec.members.length;
  const names = spec.members.map((x) => x[0]);
  const kinds = spec.members.map((x) => KIND_CODE[x[2]]);
  const tags = spec.members.map((x) => x[1] << 3 | (x[2] === "bytes" || x[2] === "string" ? 2 : 0));
  const n = records.length;
  const sizes = new Int32Array(n);
  const values = new Array(n * m);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    let size = 0;
    for (let j = 0; j < m; j++) {
      let v = r[names[j]];
      switch (kinds[j]) {
        case K_U64:
          if (v !== 0n) {
            v = u64(v);
            size += 1 + bigVarintSize(v);
          }
          break;
        case K_U32:
          v = v >>> 0;
          if (v !== 0) size += 1 + varintSize(v);
          break;
        case K_STRING:
          v = Buffer.from(v, "utf8");
        // falls through
        default: {
          const len = v.length;
          if (len) size += 1 + varintSize(len) + len;
        }
      }
      values[i * m + j] = v;
    }
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const out = new Out(Buffer.allocUnsafe(total));
  const buf = out.buf;
  const batchTag = spec.field << 3 | 2;
  for (let i = 0; i < n; i++) {
    if (batchTag < 128) buf[out.pos++] = batchTag;
    else out.varint(batchTag);
    out.varint(sizes[i]);
    for (let j = 0; j < m; j++) {
      const v = values[i * m + j];
      switch (kinds[j]) {
        case K_U64:
          if (v !== 0n) {
            buf[out.pos++] = tags[j];
            out.bigVarint(v);
          }
          break;
        case K_U32:
          if (v !== 0) {
            buf[out.pos++] = tags[j];
            out.varint(v);
          }
          break;
        default: {
          const b = v;
          if (b.length) {
            buf[out.pos++] = tags[j];
            out.varint(b.length);
            out.bytes(b);
          }
        }
      }
    }
  }
  if (out.pos !== total) throw new Error(`internal error: bulk encoder wrote ${out.pos} bytes of ${total}`);
  return buf;
}
var K_U64 = 0;
var K_U32 = 1;
var K_BYTES = 2;
var K_STRING = 3;
var KIND_CODE = { u64: K_U64, i64: K_U64, u32: K_U32, bytes: K_BYTES, string: K_STRING };
var Cursor = class {
  constructor(b, end) {
    this.b = b;
    this.end = end;
  }
  b;
  end;
  pos = 0;
  big = 0n;
  varint() {
    const b = this.b;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) return BAD;
      const x = b[this.pos++];
      v += (x & 127) * mul;
      if (x < 128) return v;
      mul *= 128;
    }
    let big = BigInt(v);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) return BAD;
      const x = b[this.pos++];
      big |= BigInt(x & 127) << BigInt(7 * i);
      if (x < 128) {
        if (i === 9 && x > 1) return BAD;
        this.big = big;
        return BIG;
      }
    }
    return BAD;
  }
};
var BAD = -1;
var BIG = -2;
var FACTORY = {
  nodes: () => ({ inode: 0n, data: EMPTY }),
  edges: () => ({ parent: 0n, inode: 0n, name: EMPTY, type: 0 }),
  chunks: () => ({ inode: 0n, index: 0, slices: EMPTY }),
  sliceRefs: () => ({ id: 0n, size: 0, refs: 0n }),
  xattrs: () => ({ inode: 0n, name: "", value: EMPTY }),
  parents: () => ({ inode: 0n, parent: 0n, cnt: 0n }),
  symlinks: () => ({ inode: 0n, target: EMPTY }),
  dirstats: () => ({ inode: 0n, dataLength: 0n, usedSpace: 0n, usedInodes: 0n })
};
function decodeBulkBatch(field2, payload) {
  const spec = BULK_SPECS[field2];
  const make = FACTORY[field2];
  if (!spec || !make) return null;
  const names = [];
  const kinds = [];
  for (const [name, num, kind] of spec.members) {
    names[num] = name;
    kinds[num] = KIND_CODE[kind] + (kind === "i64" ? 10 : 0);
  }
  const batchTag = spec.field << 3 | 2;
  const out = [];
  const c = new Cursor(payload, payload.length);
  while (c.pos < c.end) {
    if (c.varint() !== batchTag) return null;
    const len = c.varint();
    if (len < 0) return null;
    const stop = c.pos + len;
    if (stop > c.end) return null;
    const rec = make();
    while (c.pos < stop) {
      const tag = c.varint();
      if (tag < 0 || tag > 4294967295) return null;
      const num = tag >>> 3;
      const wire = tag & 7;
      const kind = kinds[num];
      if (kind === void 0) return null;
      if (kind === K_BYTES || kind === K_STRING) {
        if (wire !== 2) return null;
        const n = c.varint();
        if (n < 0 || c.pos + n > stop) return null;
        const b = payload.subarray(c.pos, c.pos + n);
        c.pos += n;
        if (kind === K_STRING) {
          const s = b.toString("utf8");
          if (Buffer.byteLength(s, "utf8") !== b.length || !Buffer.from(s, "utf8").equals(b)) return null;
          rec[names[num]] = s;
        } else rec[names[num]] = b;
      } else {
        if (wire !== 0) return null;
        const v = c.varint();
        if (v === BAD || c.pos > stop) return null;
        if (kind === K_U32) rec[names[num]] = v === BIG ? Number(c.big & 0xffffffffn) : v % 4294967296;
        else if (kind === K_U64) rec[names[num]] = v === BIG ? c.big : BigInt(v);
        else rec[names[num]] = v === BIG ? BigInt.asIntN(64, c.big) : BigInt(v);
      }
    }
    if (c.pos !== stop) return null;
    out.push(rec);
  }
  return out;
}
var EMPTY = Buffer.alloc(0);
var COLUMN_LAYOUT = {
  nodes: { numbers: [1], bytes: 2, guess: 80 },
  edges: { numbers: [1, 2, 4], bytes: 3, guess: 24 },
  chunks: { numbers: [1, 2], bytes: 3, guess: 32 }
};
function decodeColumns(field2, payload) {
  const layout = COLUMN_LAYOUT[field2];
  const batchTag = BULK_SPECS[field2].field << 3 | 2;
  const bytesTag = layout.bytes << 3 | 2;
  const numberCount = layout.numbers.length;
  const columnOf = [-1, -1, -1, -1, -1];
  layout.numbers.forEach((num, k) => columnOf[num] = k);
  let capacity = Math.max(16, Math.ceil(payload.length / layout.guess));
  let nums = Array.from({ length: numberCount }, () => new Float64Array(capacity));
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  let count = 0;
  const c = new Cursor(payload, payload.length);
  while (c.pos < c.end) {
    if (c.varint() !== batchTag) return null;
    const len = c.varint();
    if (len < 0) return null;
    const stop = c.pos + len;
    if (stop > c.end) return null;
    if (count === capacity) {
      capacity *= 2;
      nums = nums.map((col) => grow(col, new Float64Array(capacity)));
      start = grow(start, new Int32Array(capacity));
      end = grow(end, new Int32Array(capacity));
    }
    for (let k = 0; k < numberCount; k++) nums[k][count] = 0;
    start[count] = 0;
    end[count] = 0;
    while (c.pos < stop) {
      const tag = c.varint();
      if (tag === bytesTag) {
        const n = c.varint();
        if (n < 0 || c.pos + n > stop) return null;
        start[count] = c.pos;
        end[count] = c.pos += n;
        continue;
      }
      const k = tag >= 0 && (tag & 7) === 0 && tag >>> 3 < columnOf.length ? columnOf[tag >>> 3] : -1;
      if (k < 0) return null;
      let v = c.varint();
      if (v === BIG && c.big <= SAFE) v = Number(c.big);
      if (v < 0 || c.pos > stop) return null;
      if (field2 === "edges" && tag >>> 3 === 4 && v > 255) return null;
      if (field2 === "chunks" && tag >>> 3 === 2 && v > 4294967295) return null;
      nums[k][count] = v;
    }
    if (c.pos !== stop) return null;
    count++;
  }
  const base = { count, bytes: payload, start, end };
  if (field2 === "nodes") {
    const nodes = { ...base, inode: nums[0] };
    return nodes;
  }
  if (field2 === "chunks") {
    const chunks = { ...base, inode: nums[0], index: nums[1] };
    return chunks;
  }
  const edges = { ...base, parent: nums[0], inode: nums[1], type: Uint8Array.from(nums[2].subarray(0, count)) };
  return edges;
}
function grow(from, to) {
  to.set(from);
  return to;
}
var small = (v) => {
  const n = Number(v);
  return n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : -1;
};
function putVarint(b, p, n) {
  while (n >= 128) {
    b[p++] = n % 128 | 128;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}
function putBigVarint(b, p, v) {
  v = u64(v);
  while (v >= 128n) {
    b[p++] = Number(v & 0x7fn) | 128;
    v >>= 7n;
  }
  b[p++] = Number(v);
  return p;
}
function u64Size(n, v) {
  return n === 0 ? 0 : 1 + (n > 0 ? varintSize(n) : bigVarintSize(u64(v)));
}
function putU64(b, p, tag, n, v) {
  if (n === 0) return p;
  b[p++] = tag;
  return n > 0 ? putVarint(b, p, n) : putBigVarint(b, p, v);
}
function putBytes(b, p, tag, src) {
  const n = src.length;
  if (n === 0) return p;
  b[p++] = tag;
  p = putVarint(b, p, n);
  if (n > 64) {
    b.set(src, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) b[p++] = src[i];
  return p;
}
var bytesSize = (n) => n === 0 ? 0 : 1 + varintSize(n) + n;
function encodeNodeRecords(records, from = 0, to = records.length) {
  const n = to - from;
  const ino = new Float64Array(n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const a = ino[i] = small(r.inode);
    const size = u64Size(a, r.inode) + bytesSize(r.attr.length);
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = 1 << 3 | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, ino[i], r.inode);
    p = putBytes(b, p, 18, r.attr);
  }
  if (p !== total) throw new Error(`internal error: node encoder wrote ${p} bytes of ${total}`);
  return b;
}
function encodeEdgeRecords(records, from = 0, to = records.length) {
  const n = to - from;
  const nums = new Float64Array(2 * n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const parent = nums[2 * i] = small(r.parent);
    const inode = nums[2 * i + 1] = small(r.inode);
    const type = r.type >>> 0;
    const size = u64Size(parent, r.parent) + u64Size(inode, r.inode) + bytesSize(r.name.length) + (type === 0 ? 0 : 1 + varintSize(type));
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = 2 << 3 | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, nums[2 * i], r.parent);
    p = putU64(b, p, 16, nums[2 * i + 1], r.inode);
    p = putBytes(b, p, 26, r.name);
    const type = r.type >>> 0;
    if (type !== 0) {
      b[p++] = 32;
      p = putVarint(b, p, type);
    }
  }
  if (p !== total) throw new Error(`internal error: edge encoder wrote ${p} bytes of ${total}`);
  return b;
}
function encodeChunkRecords(records, from = 0, to = records.length) {
  const n = to - from;
  const ino = new Float64Array(n);
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    const a = ino[i] = small(r.inode);
    const index = r.index >>> 0;
    const size = u64Size(a, r.inode) + (index === 0 ? 0 : 1 + varintSize(index)) + bytesSize(r.slices.length);
    sizes[i] = size;
    total += 1 + varintSize(size) + size;
  }
  const b = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = records[from + i];
    b[p++] = 3 << 3 | 2;
    p = putVarint(b, p, sizes[i]);
    p = putU64(b, p, 8, ino[i], r.inode);
    const index = r.index >>> 0;
    if (index !== 0) {
      b[p++] = 16;
      p = putVarint(b, p, index);
    }
    p = putBytes(b, p, 26, r.slices);
  }
  if (p !== total) throw new Error(`internal error: chunk encoder wrote ${p} bytes of ${total}`);
  return b;
}
var ENCODED_BYTES = 256 << 10;
var ENCODED_ENDS = 1 << 14;
var numberSize = (v) => typeof v === "number" ? v === 0 ? 0 : 1 + varintSize(v) : v === 0n ? 0 : 1 + bigVarintSize(u64(v));
function putNumber(b, p, tag, v) {
  if (typeof v === "number") {
    if (v === 0) return p;
    b[p++] = tag;
    return putVarint(b, p, v);
  }
  if (v === 0n) return p;
  b[p++] = tag;
  return putBigVarint(b, p, v);
}
function putRange(b, p, tag, src, s, e) {
  const n = e - s;
  if (n === 0) return p;
  b[p++] = tag;
  p = putVarint(b, p, n);
  if (n > 256) {
    src.copy(b, p, s, e);
    return p + n;
  }
  for (let i = s; i < e; i++) b[p++] = src[i];
  return p;
}
var EncodedTable = class {
  bytes = Buffer.allocUnsafe(ENCODED_BYTES);
  pos = 0;
  /** Where the records not yet taken begin in `bytes`. */
  from = 0;
  ends = new Int32Array(ENCODED_ENDS);
  /** Where the records not yet taken begin in `ends`. */
  endsFrom = 0;
  count = 0;
  /** Room for a record of `size` bytes (its message), with its Batch tag and length. */
  begin(tag, size) {
    const need = 2 + varintSize(size) + size;
    if (this.pos + need > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(ENCODED_BYTES, 2 * (this.pos - this.from + need)));
      this.bytes.copy(grown, 0, this.from, this.pos);
      for (let i = 0; i < this.count; i++) this.ends[this.endsFrom + i] -= this.from;
      this.pos -= this.from;
      this.from = 0;
      this.bytes = grown;
    }
    const b = this.bytes;
    let p = this.pos;
    b[p++] = tag;
    return putVarint(b, p, size);
  }
  finish(p) {
    if (this.endsFrom + this.count === this.ends.length) {
      const grown = new Int32Array(Math.max(ENCODED_ENDS, 2 * this.count));
      grown.set(this.ends.subarray(this.endsFrom, this.endsFrom + this.count));
      this.ends = grown;
      this.endsFrom = 0;
    }
    this.ends[this.endsFrom + this.count++] = this.pos = p;
  }
  take(field2) {
    const n = this.count;
    if (n === 0) return null;
    const ends = this.ends.subarray(this.endsFrom, this.endsFrom + n);
    if (this.from) for (let i = 0; i < n; i++) ends[i] -= this.from;
    const batch = { table: "encoded", field: field2, bytes: this.bytes.subarray(this.from, this.pos), ends, count: n };
    this.from = this.pos;
    this.endsFrom += n;
    this.count = 0;
    return batch;
  }
};
var BatchRecordEncoder = class {
  tables = { nodes: new EncodedTable(), edges: new EncodedTable(), chunks: new EncodedTable() };
  node(inode, attr, start, end) {
    const t = this.tables.nodes;
    let p = t.begin(1 << 3 | 2, numberSize(inode) + bytesSize(end - start));
    const b = t.bytes;
    p = putNumber(b, p, 8, inode);
    t.finish(putRange(b, p, 18, attr, start, end));
  }
  edge(parent, inode, name, start, end, type) {
    const t = this.tables.edges;
    type >>>= 0;
    let p = t.begin(2 << 3 | 2, numberSize(parent) + numberSize(inode) + bytesSize(end - start) + (type === 0 ? 0 : 1 + varintSize(type)));
    const b = t.bytes;
    p = putNumber(b, p, 8, parent);
    p = putNumber(b, p, 16, inode);
    p = putRange(b, p, 26, name, start, end);
    if (type !== 0) {
      b[p++] = 32;
      p = putVarint(b, p, type);
    }
    t.finish(p);
  }
  chunk(inode, index, slices, start, end) {
    const t = this.tables.chunks;
    index >>>= 0;
    let p = t.begin(3 << 3 | 2, numberSize(inode) + (index === 0 ? 0 : 1 + varintSize(index)) + bytesSize(end - start));
    const b = t.bytes;
    p = putNumber(b, p, 8, inode);
    if (index !== 0) {
      b[p++] = 16;
      p = putVarint(b, p, index);
    }
    t.finish(putRange(b, p, 26, slices, start, end));
  }
  count(field2) {
    return this.tables[field2].count;
  }
  take(field2) {
    return this.tables[field2].take(field2);
  }
};

export {
  FormatDesc,
  BatchDesc,
  FooterDesc,
  isBulkField,
  encodeBulkBatch,
  decodeBulkBatch,
  decodeColumns,
  encodeNodeRecords,
  encodeEdgeRecords,
  encodeChunkRecords,
  BatchRecordEncoder
};
