// PostgreSQL's binary COPY format (COPY ... FROM STDIN (FORMAT binary)): the fastest way to
// bulk-load rows, for the server (no SQL to parse or plan per row) and for us (no text
// rendering of integers and hex-escaped bytea). Pure: rows in, one Buffer out.
import type { ColType } from "./schema";

/** "PGCOPY\n\377\r\n\0", then flags (int32 0) and header-extension length (int32 0). */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** A field count of -1 ends the data. */
const TRAILER = Buffer.from([0xff, 0xff]);

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Our encoder's view of what PostgreSQL reports as 22003 (numeric_value_out_of_range). */
export class CopyRangeError extends RangeError {
  readonly code = "22003";
}

function outOfRange(value: unknown, type: string, column: string): Error {
  return new CopyRangeError(`value ${String(value)} is out of range for ${type} column "${column}"`);
}

function bytesOf(v: unknown, column: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === "string") return Buffer.from(v, "utf8");
  throw new TypeError(`column "${column}" needs bytes or text, got ${typeof v}`);
}

/**
 * One COPY stream's bytes for `rows`, whose values follow `columns` (name, type) in order.
 * null and undefined are SQL NULL; integers may be number or bigint.
 */
export function encodeCopyBinary(columns: readonly { name: string; type: ColType }[], rows: readonly (readonly unknown[])[]): Buffer {
  // Sizes first, so the whole stream is written into one allocation.
  let size = HEADER.length + TRAILER.length;
  const blobs: Buffer[] = [];
  for (const row of rows) {
    size += 2;
    for (let c = 0; c < columns.length; c++) {
      const v = row[c];
      size += 4;
      if (v === null || v === undefined) continue;
      const t = columns[c].type;
      if (t === "int") size += 4;
      else if (t === "bigint") size += 8;
      else {
        const b = bytesOf(v, columns[c].name);
        blobs.push(b);
        size += b.length;
      }
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = HEADER.copy(out, 0);
  let blob = 0;
  for (const row of rows) {
    at = out.writeInt16BE(columns.length, at);
    for (let c = 0; c < columns.length; c++) {
      const v = row[c];
      if (v === null || v === undefined) {
        at = out.writeInt32BE(-1, at);
        continue;
      }
      const { name, type } = columns[c];
      if (type === "int") {
        const n = typeof v === "bigint" ? Number(v) : (v as number);
        if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw outOfRange(v, "integer", name);
        at = out.writeInt32BE(4, at);
        at = out.writeInt32BE(n, at);
      } else if (type === "bigint") {
        const n = typeof v === "bigint" ? v : BigInt(v as number);
        if (n < INT64_MIN || n > INT64_MAX) throw outOfRange(v, "bigint", name);
        at = out.writeInt32BE(8, at);
        at = out.writeBigInt64BE(n, at);
      } else {
        const b = blobs[blob++];
        at = out.writeInt32BE(b.length, at);
        at += b.copy(out, at);
      }
    }
  }
  TRAILER.copy(out, at);
  return out;
}
