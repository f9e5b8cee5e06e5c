import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/dump/binary/format.ts
var BAK_MAGIC = 7630979;
var BAK_EOS = BAK_MAGIC;
var BAK_VERSION = 1;
var SEGMENT_HEADER_BYTES = 12;
var SEGMENTS = [
  { type: 1, name: "format", field: null },
  { type: 2, name: "counter", field: "counters" },
  { type: 3, name: "node", field: "nodes" },
  { type: 4, name: "edge", field: "edges" },
  { type: 5, name: "chunk", field: "chunks" },
  { type: 6, name: "sliceRef", field: "sliceRefs" },
  { type: 7, name: "symlink", field: "symlinks" },
  { type: 8, name: "sustained", field: "sustained" },
  { type: 9, name: "delFile", field: "delfiles" },
  { type: 10, name: "xattr", field: "xattrs" },
  { type: 11, name: "acl", field: "acls" },
  { type: 12, name: "stat", field: "dirstats" },
  { type: 13, name: "quota", field: "quotas" },
  { type: 14, name: "parent", field: "parents" },
  { type: 15, name: "changeLog", field: "changelogs" }
];
function segmentByType(type) {
  return type >= 1 && type <= SEGMENTS.length ? SEGMENTS[type - 1] : void 0;
}
function fieldsOf(type) {
  const seg = segmentByType(type);
  if (!seg || !seg.field) return [];
  return seg.field === "quotas" ? ["quotas", "userQuotas", "groupQuotas"] : [seg.field];
}
function batchCount(type, b) {
  let n = 0;
  for (const f of fieldsOf(type)) n += b[f].length;
  return n;
}
function segmentHeader(type, length) {
  const h = Buffer.allocUnsafe(SEGMENT_HEADER_BYTES);
  h.writeUInt32BE(type, 0);
  h.writeBigUInt64BE(BigInt(length), 4);
  return h;
}
var BinaryDumpError = class extends JfsError {
  constructor(message, segment, offset) {
    super("corrupt-input", `${message} (${segment ? `${segment} segment at` : "at"} byte ${offset})`);
    this.segment = segment;
    this.offset = offset;
  }
  segment;
  offset;
};

export {
  BAK_MAGIC,
  BAK_EOS,
  BAK_VERSION,
  SEGMENT_HEADER_BYTES,
  SEGMENTS,
  segmentByType,
  fieldsOf,
  batchCount,
  segmentHeader,
  BinaryDumpError
};
