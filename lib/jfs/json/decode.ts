// Schema-directed decoding on top of the tokenizer: each scalar is checked against what the
// dump format says it is (integer bounds, kind, enum) the moment it is read, so errors carry
// the exact JSON path and byte offset, and no generic value tree is built.
// Member names match as Go's encoding/json does: exact first, then case-insensitively.
// Unknown members are skipped whole (JuiceFS mis-reads them, see docs/format/dump-json.md §9).
import { findBadEscape, unescapeName } from "../escape";
import { JsonSax, Token, type Frame, type ScalarKind, type ScalarValue } from "./sax";
import { DumpFormatError } from "./format-error";

export type Schema =
  | IntSchema
  | { k: "str" }
  | { k: "bytes" }
  | { k: "escaped" }
  | { k: "bool" }
  | { k: "enum"; values: readonly string[] }
  | { k: "array"; of: Schema }
  | RecordSchema
  | { k: "map"; key: IntSchema; of: Schema };

/** An integer member: bounds as bigint, and as numbers for the fast path of short literals. */
export interface IntSchema {
  k: "int";
  min: bigint;
  max: bigint;
  minN: number;
  maxN: number;
  asNumber: boolean;
  what: string;
}

export function intSchema(min: bigint, max: bigint, asNumber: boolean, what: string): IntSchema {
  return { k: "int", min, max, minN: Number(min), maxN: Number(max), asNumber, what };
}

export interface RecordSchema {
  k: "record";
  fields: Map<string, Schema>;
  folded: Map<string, string>;
  build?: (o: Record<string, unknown>, at: Where) => unknown;
  /** Members by a bucket of their name's bytes (nameBucket): keys match without a string. */
  buckets: { name: string; schema: Schema }[][];
}

/**
 * The error for a member met twice in one object. Go's decoder lets the last one win, so a
 * repeated member silently rewrites what came before it (`"inode":34,"inode":2`); a dump
 * never repeats one, so a repeat is damage.
 */
export function duplicateMember(name: string, path: string, offset: number): DumpFormatError {
  return new DumpFormatError(`duplicate member ${JSON.stringify(name)} (a member may appear once per object)`, path, offset);
}

/** Where a value was read, for error messages. */
export interface Where {
  readonly path: string;
  readonly offset: number;
}

/**
 * A Where whose path is built only when an error needs it (paths are long and values many).
 * `member` is an object member name, an array index, or null for the frame itself.
 * Frames keep one and move it along (errors copy the path at once), to spare an allocation
 * per value.
 */
export class At implements Where {
  constructor(
    private readonly frame: { path(): string },
    public member: string | number | null,
    public offset: number,
  ) {}
  /** Points at another member/offset of the same frame; returns itself. */
  move(member: string | number | null, offset: number): this {
    this.member = member;
    this.offset = offset;
    return this;
  }
  get path(): string {
    const m = this.member;
    const base = this.frame.path();
    const seg = m === null ? "" : typeof m === "number" ? `[${m}]` : memberSeg(m);
    return base ? base + seg : seg.replace(/^\./, "");
  }
}

const uint = (bits: number, asNumber: boolean) => intSchema(0n, (1n << BigInt(bits)) - 1n, asNumber, `uint${bits}`);
export const uint8 = uint(8, true);
export const uint16 = uint(16, true);
export const uint32 = uint(32, true);
export const uint64 = uint(64, false);
export const int64 = intSchema(-(1n << 63n), (1n << 63n) - 1n, false, "int64");
/** Go `int` held in a JS number: only the exactly representable range is accepted. */
export const intNum = intSchema(BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER), true, "integer within ±2^53");
export const str: Schema = { k: "str" };
export const bytes: Schema = { k: "bytes" };
export const escaped: Schema = { k: "escaped" };
export const bool: Schema = { k: "bool" };
export const arrayOf = (of: Schema): Schema => ({ k: "array", of });
export const mapOf = (key: IntSchema, of: Schema): Schema => ({ k: "map", key, of });
export function record(fields: Record<string, Schema>, build?: (o: Record<string, unknown>, at: Where) => unknown): Schema {
  // Maps, not objects: a member named "__proto__" or "toString" must not find anything.
  const folded = new Map<string, string>();
  const buckets: { name: string; schema: Schema }[][] = Array.from({ length: NAME_BUCKETS }, () => []);
  for (const [name, schema] of Object.entries(fields)) {
    folded.set(name.toLowerCase(), name);
    // ASCII names only: exactMember compares char codes with bytes.
    if (/^[\x20-\x7e]+$/.test(name)) buckets[nameBucket(Buffer.from(name, "latin1"), 0, name.length)].push({ name, schema });
  }
  return { k: "record", fields: new Map(Object.entries(fields)), folded, build, buckets };
}

const NAME_BUCKETS = 64;
function nameBucket(b: Buffer, start: number, end: number): number {
  return (end - start + b[start] * 7 + b[end - 1] * 3) & (NAME_BUCKETS - 1);
}

/**
 * The member of `s` whose name is exactly these bytes, or undefined. Member names are read
 * millions of times (13 per attr), and matching bytes in place is cheaper than making a
 * string and hashing it.
 */
function exactMember(s: RecordSchema, tok: Token): { name: string; schema: Schema } | undefined {
  const { buf, start, end } = tok;
  if (end === start) return undefined;
  const bucket = s.buckets[nameBucket(buf, start, end)];
  for (let i = 0; i < bucket.length; i++) {
    const name = bucket[i].name;
    if (name.length !== end - start) continue;
    let k = 0;
    while (k < name.length && name.charCodeAt(k) === buf[start + k]) k++;
    if (k === name.length) return bucket[i];
  }
  return undefined;
}

const KIND_NAMES: Record<ScalarKind, string> = {
  string: "a string",
  number: "a number",
  true: "a boolean",
  false: "a boolean",
  null: "null",
};

function expected(s: Schema): string {
  switch (s.k) {
    case "int":
      return `an integer (${s.what})`;
    case "str":
    case "bytes":
    case "escaped":
    case "enum":
      return "a string";
    case "bool":
      return "a boolean";
    case "array":
      return "an array";
    case "record":
    case "map":
      return "an object";
  }
}

export function parseIntToken(s: IntSchema, tok: Token | string, at: Where): bigint | number {
  if (typeof tok !== "string") {
    if (!tok.integer) throw new DumpFormatError(`expected an integer, found ${tok.text()}`, at.path, at.offset);
    const n = tok.small;
    if (n === n) {
      // Fast path: at most 15 digits, exact as a double.
      if (n < s.minN || n > s.maxN) throw new DumpFormatError(`${n} is out of range for ${s.what}`, at.path, at.offset);
      return s.asNumber ? n : BigInt(n);
    }
  }
  const text = typeof tok === "string" ? tok : tok.text();
  if (!/^-?\d+$/.test(text)) throw new DumpFormatError(`expected an integer, found ${JSON.stringify(text)}`, at.path, at.offset);
  const v = BigInt(text);
  if (v < s.min || v > s.max) throw new DumpFormatError(`${text} is out of range for ${s.what}`, at.path, at.offset);
  return s.asNumber ? Number(v) : v;
}

/** Converts one scalar; null means "absent" (Go leaves the field at its zero value). */
export function convertScalar(s: Schema, kind: ScalarKind, v: ScalarValue, at: Where): unknown {
  if (kind === "null") return undefined;
  switch (s.k) {
    case "int":
      if (kind === "number") return parseIntToken(s, v, at);
      break;
    case "str":
      if (kind === "string") return v.str();
      break;
    case "bytes":
      if (kind === "string") return v.bytes();
      break;
    case "escaped":
      if (kind === "string") return unescapeChecked(v.buf.subarray(v.start, v.end), at);
      break;
    case "bool":
      if (kind === "true" || kind === "false") return kind === "true";
      break;
    case "enum":
      if (kind === "string") {
        const t = v.str();
        if (!s.values.includes(t)) throw new DumpFormatError(`unknown value ${JSON.stringify(t)} (expected one of ${s.values.join(", ")})`, at.path, at.offset);
        return t;
      }
      break;
  }
  throw new DumpFormatError(`expected ${expected(s)}, found ${KIND_NAMES[kind]}`, at.path, at.offset);
}

/** unescapeName that rejects a `%` not followed by two uppercase hex digits. */
export function unescapeChecked(raw: Buffer, at: Where): Buffer {
  const bad = findBadEscape(raw);
  if (bad >= 0)
    throw new DumpFormatError(
      `bad %-escape ${JSON.stringify(raw.subarray(bad, bad + 3).toString("latin1"))} (a "%" must be followed by two uppercase hex digits; JuiceFS would keep it literally)`,
      at.path,
      at.offset + 1 + bad,
    );
  return unescapeName(raw);
}

type Done = (value: unknown) => void;

/** Base for frames with a lazily built path. */
export abstract class PathFrame implements Frame {
  declare readonly parent: { path(): string } | null;
  /**
   * This frame's own path segment, including its leading `.` or `[`; a Buffer is a raw
   * member name, rendered as `["name"]` only when a path is needed.
   */
  declare readonly seg: string | Buffer;
  constructor(parent: { path(): string } | null, seg: string | Buffer) {
    this.parent = parent;
    this.seg = seg;
  }
  path(): string {
    const p = this.parent ? this.parent.path() : "";
    const seg = typeof this.seg === "string" ? this.seg : keySeg(this.seg);
    return p ? p + seg : seg.replace(/^\./, "");
  }
  abstract key(name: Token, offset: number): void;
  abstract openObject(offset: number): Frame;
  abstract openArray(offset: number): Frame;
  abstract scalar(kind: ScalarKind, value: ScalarValue, offset: number): void;
  abstract close(offset: number): void;
}

/** Swallows a value of any shape. */
export class SkipFrame implements Frame {
  constructor(private readonly parent: Frame) {}
  path(): string {
    return this.parent.path();
  }
  key(): void {}
  openObject(): Frame {
    return new SkipFrame(this);
  }
  openArray(): Frame {
    return new SkipFrame(this);
  }
  scalar(): void {}
  close(): void {}
}

/** Path segment of a member of a map-like object (quota keys, entry names). */
export function keySeg(raw: Buffer): string {
  return `[${JSON.stringify(raw.toString("utf8"))}]`;
}

export function memberSeg(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? "." + name : `[${JSON.stringify(name)}]`;
}

/** Opens the frame that decodes a container of schema `s` (or throws if `s` is a scalar). */
export function openSchema(s: Schema | null, kind: "object" | "array", parent: Frame, seg: string, offset: number, done: Done): Frame {
  if (s === null) return new SkipFrame(parent);
  if (kind === "object" && s.k === "record") return new RecordFrame(s, parent, seg, offset, done);
  if (kind === "object" && s.k === "map") return new MapFrame(s, parent, seg, done);
  if (kind === "array" && s.k === "array") return new ArrayFrame(s, parent, seg, done);
  throw new DumpFormatError(`expected ${expected(s)}, found ${kind === "object" ? "an object" : "an array"}`, parent.path() + seg, offset);
}

export class RecordFrame extends PathFrame {
  private readonly out: Record<string, unknown> = {};
  private readonly at: At = new At(this, null, 0);
  private field: string | null = null;
  private fieldSchema: Schema | null = null;
  /** Members met so far, by the name they match (case-folded as Go matches them). */
  private seen: Set<string> | null = null;
  constructor(
    private readonly s: RecordSchema,
    parent: Frame,
    seg: string,
    private readonly offset: number,
    private readonly done: Done,
  ) {
    super(parent, seg);
  }
  key(name: Token, offset: number): void {
    const fast = exactMember(this.s, name);
    if (fast !== undefined) {
      this.field = fast.name;
      this.fieldSchema = fast.schema;
    } else {
      const n = name.str();
      const exact = this.s.fields.get(n);
      const f = exact ? n : this.s.folded.get(n.toLowerCase());
      this.field = f ?? n;
      this.fieldSchema = exact ?? (f === undefined ? null : this.s.fields.get(f)!);
    }
    // A Set per record costs less than it seems: records are small, and one met per attr.
    const seen = (this.seen ??= new Set());
    if (seen.has(this.field)) throw duplicateMember(this.field, this.at.move(this.field, offset).path, offset);
    seen.add(this.field);
  }
  openObject(offset: number): Frame {
    const name = this.field!;
    return openSchema(this.fieldSchema, "object", this, memberSeg(name), offset, (v) => (this.out[name] = v));
  }
  openArray(offset: number): Frame {
    const name = this.field!;
    return openSchema(this.fieldSchema, "array", this, memberSeg(name), offset, (v) => (this.out[name] = v));
  }
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    if (!this.fieldSchema) return;
    const v = convertScalar(this.fieldSchema, kind, value, this.at.move(this.field, offset));
    if (v !== undefined) this.out[this.field!] = v; // null leaves the member as it was, as in Go
  }
  close(): void {
    this.done(this.s.build ? this.s.build(this.out, this.at.move(null, this.offset)) : this.out);
  }
}

class ArrayFrame extends PathFrame {
  private readonly out: unknown[] = [];
  private at: At | null = null; // only arrays of scalars need one
  constructor(
    private readonly s: Extract<Schema, { k: "array" }>,
    parent: Frame,
    seg: string,
    private readonly done: Done,
  ) {
    super(parent, seg);
  }
  key(): void {}
  openObject(offset: number): Frame {
    return openSchema(this.s.of, "object", this, `[${this.out.length}]`, offset, (v) => this.out.push(v));
  }
  openArray(offset: number): Frame {
    return openSchema(this.s.of, "array", this, `[${this.out.length}]`, offset, (v) => this.out.push(v));
  }
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    const at = (this.at ??= new At(this, null, 0)).move(this.out.length, offset);
    const v = convertScalar(this.s.of, kind, value, at);
    if (v === undefined) throw new DumpFormatError("null is not allowed inside this array", at.path, offset);
    this.out.push(v);
  }
  close(): void {
    this.done(this.out);
  }
}

class MapFrame extends PathFrame {
  private readonly out = new Map<unknown, unknown>();
  private k: unknown;
  /** Every key met (a null value leaves none in `out`). */
  private readonly keys = new Set<unknown>();
  private seg2 = "";
  constructor(
    private readonly s: Extract<Schema, { k: "map" }>,
    parent: Frame,
    seg: string,
    private readonly done: Done,
  ) {
    super(parent, seg);
  }
  key(name: Token, offset: number): void {
    const text = name.str();
    this.seg2 = `[${JSON.stringify(text)}]`;
    this.k = parseIntToken(this.s.key, text, { path: this.path() + this.seg2, offset });
    // "2" and "02" are one key to Go as well: the later would replace the earlier.
    if (this.keys.has(this.k)) throw duplicateMember(text, this.path() + this.seg2, offset);
    this.keys.add(this.k);
  }
  openObject(offset: number): Frame {
    const k = this.k;
    return openSchema(this.s.of, "object", this, this.seg2, offset, (v) => this.out.set(k, v));
  }
  openArray(offset: number): Frame {
    const k = this.k;
    return openSchema(this.s.of, "array", this, this.seg2, offset, (v) => this.out.set(k, v));
  }
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    const v = convertScalar(this.s.of, kind, value, { path: this.path() + this.seg2, offset });
    if (v !== undefined) this.out.set(this.k, v);
  }
  close(): void {
    this.done(this.out);
  }
}

/** The document-level frame for decoding a whole in-memory JSON value with a schema. */
class DocFrame implements Frame {
  value: unknown = undefined;
  constructor(private readonly s: Schema, private readonly name: string) {}
  path(): string {
    return this.name;
  }
  key(): void {}
  openObject(offset: number): Frame {
    return openSchema(this.s, "object", this, "", offset, (v) => (this.value = v));
  }
  openArray(offset: number): Frame {
    return openSchema(this.s, "array", this, "", offset, (v) => (this.value = v));
  }
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void {
    this.value = convertScalar(this.s, kind, value, { path: this.name, offset });
  }
  close(): void {}
}

/** Decodes a complete in-memory JSON document with a schema. */
export function decodeDocument(json: string | Buffer, s: Schema, name: string): unknown {
  const doc = new DocFrame(s, name);
  const sax = new JsonSax(doc);
  sax.write(typeof json === "string" ? Buffer.from(json, "utf8") : json);
  sax.end();
  return doc.value;
}
