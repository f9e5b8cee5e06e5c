// Framing of JuiceFS's binary dump (docs/format/dump-binary.md): segments of
// `type u32 BE | length u64 BE | protobuf payload`, an end marker, the footer, its length.
import type { PbBatch } from "./proto";
import { JfsError } from "../../jfs/errors";

/** Footer magic, and the end-of-segments marker in place of a segment type. */
export const BAK_MAGIC = 0x747083;
export const BAK_EOS = BAK_MAGIC;
export const BAK_VERSION = 1;
/** type (4) + length (8) */
export const SEGMENT_HEADER_BYTES = 12;

/** Segment types by number; each batch kind names the one Batch field it fills. */
export const SEGMENTS = [
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
  { type: 15, name: "changeLog", field: "changelogs" },
] as const;

export type SegmentName = (typeof SEGMENTS)[number]["name"];
export type BatchField = keyof PbBatch;

export function segmentByType(type: number): (typeof SEGMENTS)[number] | undefined {
  return type >= 1 && type <= SEGMENTS.length ? SEGMENTS[type - 1] : undefined;
}

export function segmentByName(name: string): (typeof SEGMENTS)[number] | undefined {
  return SEGMENTS.find((s) => s.name === name);
}

/** The Batch fields a segment of this type may fill (quota segments carry all three kinds). */
export function fieldsOf(type: number): BatchField[] {
  const seg = segmentByType(type);
  if (!seg || !seg.field) return [];
  return seg.field === "quotas" ? ["quotas", "userQuotas", "groupQuotas"] : [seg.field];
}

/** Items a decoded batch holds for the footer's `num` (quota segments count all three kinds). */
export function batchCount(type: number, b: PbBatch): number {
  let n = 0;
  for (const f of fieldsOf(type)) n += (b[f] as unknown[]).length;
  return n;
}

export function segmentHeader(type: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(SEGMENT_HEADER_BYTES);
  h.writeUInt32BE(type, 0);
  h.writeBigUInt64BE(BigInt(length), 4);
  return h;
}

/**
 * A problem in a binary dump, with the segment and the byte offset (of the decompressed dump).
 * A damaged input ("corrupt-input"), so the CLI, jobs and the dashboard report it as such and
 * never as an internal error.
 */
export class BinaryDumpError extends JfsError {
  constructor(
    message: string,
    /** The segment's name (or "footer", "end marker"), when known. */
    readonly segment: string | null,
    /** Byte offset of the segment (or of the problem) in the decompressed dump. */
    readonly offset: number,
  ) {
    super("corrupt-input", `${message} (${segment ? `${segment} segment at` : "at"} byte ${offset})`);
  }
}
