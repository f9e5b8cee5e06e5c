// A byte-level, resumable JSON tokenizer for dumps of any size.
// Hand-written rather than stream-json or JSON.parse because dumps are many GB, one directory
// can be one object with millions of members, every number may exceed 2^53 (kept as decimal
// text, never a double), and strings must come out as raw bytes (names are byte strings).
// It validates the JSON grammar and drives a stack of Frames; memory is bounded by nesting
// depth plus the longest single token.
import { DumpFormatError } from "./format-error";

export type ScalarKind = "string" | "number" | "true" | "false" | "null";

/**
 * The current key, string or number, as a view into the input. The tokenizer reuses one
 * Token: frames must convert what they need before returning (views die with the chunk).
 */
export class Token {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** Numbers: no fraction or exponent. */
  integer = false;
  /** Numbers: the exact value when it is an integer of at most 15 digits, else NaN. */
  small = NaN;

  set(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.start = start;
    this.end = end;
    return this;
  }
  get length(): number {
    return this.end - this.start;
  }
  /**
   * Strings: the decoded text (invalid UTF-8 becomes U+FFFD, as in Go). Short ASCII strings
   * (member names, types) come from an intern table: Buffer#toString costs ~300 ns a call,
   * which dominated reading before.
   */
  str(): string {
    const { buf, start, end } = this;
    const n = end - start;
    if (n <= MAX_INTERN) {
      let h = n;
      let i = start;
      for (; i < end; i++) {
        const c = buf[i];
        if (c >= 0x80) break;
        h = (Math.imul(h, 31) + c) | 0;
      }
      if (i === end) {
        const slot = (h ^ (h >>> 11)) & (INTERN_SLOTS - 1);
        const hit = internTable[slot];
        if (hit !== undefined && hit.length === n) {
          let k = 0;
          while (k < n && hit.charCodeAt(k) === buf[start + k]) k++;
          if (k === n) return hit;
        }
        const made = buf.toString("latin1", start, end);
        internTable[slot] = made;
        return made;
      }
    }
    return buf.toString("utf8", start, end);
  }
  /** Strings: a fresh copy of the decoded bytes. */
  bytes(): Buffer {
    const n = this.end - this.start;
    const out = Buffer.allocUnsafe(n);
    if (n > 64) this.buf.copy(out, 0, this.start, this.end);
    else for (let k = 0; k < n; k++) out[k] = this.buf[this.start + k];
    return out;
  }
  /** Numbers: the literal text. */
  text(): string {
    return this.buf.toString("latin1", this.start, this.end);
  }
}

export type ScalarValue = Token;

const MAX_INTERN = 24;
const INTERN_SLOTS = 4096;
const internTable: (string | undefined)[] = new Array(INTERN_SLOTS).fill(undefined);

/** One open JSON container (or the document itself) that receives what is parsed inside it. */
export interface Frame {
  /** JSON path of this container, e.g. `FSTree.entries["d1"].attr`. */
  path(): string;
  /** Object member name (JSON-unescaped bytes). */
  key(name: Token, offset: number): void;
  /** A nested container starts as the current value; returns the frame that receives it. */
  openObject(offset: number): Frame;
  openArray(offset: number): Frame;
  scalar(kind: ScalarKind, value: ScalarValue, offset: number): void;
  /** This container's closing bracket was read. */
  close(offset: number): void;
}

const enum S {
  Value,
  ValueOrClose,
  KeyOrClose,
  Key,
  Colon,
  CommaOrClose,
  Done,
}

/**
 * Longest single token accepted. Real ones are far shorter (xattr values ≤ 64 KiB before
 * escaping, symlinks ≤ 4 KiB); a partial token is re-scanned as chunks arrive, so the cap
 * also bounds that work on hostile input.
 */
const MAX_TOKEN = 8 << 20;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function hex4(b: Buffer, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = b[i + k];
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

export class JsonSax {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset of buf[0]. */
  private base = 0;
  private state = S.Value;
  private readonly kinds: number[] = []; // 0x7b '{' or 0x5b '['
  private readonly frames: Frame[] = [];
  private frame: Frame;
  private readonly tok = new Token();

  /** `root` receives the top-level value (it is asked to open it like a member). */
  constructor(root: Frame) {
    this.frame = root;
  }

  /** Bytes consumed so far (absolute offset of the next unread byte). */
  get offset(): number {
    return this.base + this.buf.length;
  }

  private fail(message: string, offset: number): never {
    throw new DumpFormatError(message, this.frame.path(), offset);
  }

  write(chunk: Buffer): void {
    if (this.buf.length) {
      this.buf = Buffer.concat([this.buf, chunk]);
      if (this.buf.length > MAX_TOKEN) this.fail(`a single JSON token is longer than ${MAX_TOKEN >> 20} MiB`, this.base);
    } else this.buf = chunk;
    const used = this.run(false);
    this.base += used;
    this.buf = used < this.buf.length ? Buffer.from(this.buf.subarray(used)) : Buffer.alloc(0);
  }

  /** The input ended; throws unless the document is complete. */
  end(): void {
    const total = this.base + this.buf.length;
    this.run(true);
    this.base = total;
    this.buf = Buffer.alloc(0);
    if (this.state !== S.Done) {
      const what = this.kinds.length || this.state !== S.Value || total > 0 ? "the dump is truncated" : "the input is empty";
      this.fail(`unexpected end of input: ${what}`, total);
    }
  }

  private afterValue(): void {
    this.state = this.kinds.length ? S.CommaOrClose : S.Done;
  }

  /** Parses what it can; returns how many bytes were consumed (the rest is a partial token). */
  private run(final: boolean): number {
    const b = this.buf;
    const n = b.length;
    const base = this.base;
    let i = 0;
    while (i < n) {
      const c = b[i];
      if (isWs(c)) {
        i++;
        continue;
      }
      switch (this.state) {
        case S.Value:
        case S.ValueOrClose: {
          if (c === 0x5d && this.state === S.ValueOrClose) {
            this.closeContainer(base + i);
            i++;
            break;
          }
          if (c === 0x7b || c === 0x5b) {
            const f = c === 0x7b ? this.frame.openObject(base + i) : this.frame.openArray(base + i);
            this.frames.push(this.frame);
            this.kinds.push(c);
            this.frame = f;
            this.state = c === 0x7b ? S.KeyOrClose : S.ValueOrClose;
            i++;
            break;
          }
          const end = this.scalarToken(b, i, final);
          if (end < 0) return i; // partial token: wait for more input
          i = end;
          this.afterValue();
          break;
        }
        case S.KeyOrClose:
        case S.Key: {
          if (c === 0x7d && this.state === S.KeyOrClose) {
            this.closeContainer(base + i);
            i++;
            break;
          }
          if (c !== 0x22) this.fail(`expected a member name, found ${describe(c)}`, base + i);
          const end = this.stringEnd(b, i);
          if (end < 0) return i;
          this.frame.key(this.decodeString(b, i, end), base + i);
          i = end + 1;
          this.state = S.Colon;
          break;
        }
        case S.Colon:
          if (c !== 0x3a) this.fail(`expected ":" after a member name, found ${describe(c)}`, base + i);
          i++;
          this.state = S.Value;
          break;
        case S.CommaOrClose: {
          const top = this.kinds[this.kinds.length - 1];
          if (c === 0x2c) {
            this.state = top === 0x7b ? S.Key : S.Value;
            i++;
          } else if ((c === 0x7d && top === 0x7b) || (c === 0x5d && top === 0x5b)) {
            this.closeContainer(base + i);
            i++;
          } else this.fail(`expected "," or "${top === 0x7b ? "}" : "]"}", found ${describe(c)}`, base + i);
          break;
        }
        case S.Done:
          this.fail(`unexpected ${describe(c)} after the end of the JSON document`, base + i);
      }
    }
    return n;
  }

  private closeContainer(offset: number): void {
    this.frame.close(offset);
    this.kinds.pop();
    this.frame = this.frames.pop()!;
    this.afterValue();
  }

  /** Reads a scalar at i; returns the index after it, or -1 if the buffer ends inside it. */
  private scalarToken(b: Buffer, i: number, final: boolean): number {
    const off = this.base + i;
    const c = b[i];
    if (c === 0x22) {
      const end = this.stringEnd(b, i);
      if (end < 0) return -1;
      this.frame.scalar("string", this.decodeString(b, i, end), off);
      return end + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      if (b[j] === 0x2d) j++;
      const intStart = j;
      let small = 0;
      while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39) small = small * 10 + (b[j++] - 0x30);
      let integer = true;
      if (j < b.length && b[j] === 0x2e) {
        integer = false;
        j++;
        const s = j;
        while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39) j++;
        if (j === s && j < b.length) this.fail("malformed number: digits expected after the decimal point", off);
      }
      if (j < b.length && (b[j] === 0x65 || b[j] === 0x45)) {
        integer = false;
        j++;
        if (j < b.length && (b[j] === 0x2b || b[j] === 0x2d)) j++;
        const s = j;
        while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39) j++;
        if (j === s && j < b.length) this.fail("malformed number: digits expected in the exponent", off);
      }
      if (j === b.length && !final) return -1;
      const last = b[j - 1];
      if (j === intStart || (b[intStart] === 0x30 && j > intStart + 1 && b[intStart + 1] >= 0x30 && b[intStart + 1] <= 0x39))
        this.fail(`malformed number ${JSON.stringify(b.toString("latin1", i, j))}`, off);
      if (last < 0x30 || last > 0x39)
        this.fail(`unexpected end of input inside the number ${b.toString("latin1", i, j)}: the dump is truncated`, this.base + j);
      const tok = this.tok.set(b, i, j);
      tok.integer = integer;
      tok.small = integer && j - intStart <= 15 ? (b[i] === 0x2d ? 0 - small : small) : NaN; // 0 - 0 is +0
      this.frame.scalar("number", tok, off);
      return j;
    }
    for (const lit of LITERALS) {
      if (c !== lit.bytes[0]) continue;
      const avail = Math.min(b.length - i, lit.bytes.length);
      for (let k = 1; k < avail; k++)
        if (b[i + k] !== lit.bytes[k]) this.fail(`invalid literal (expected ${lit.kind})`, off);
      if (avail < lit.bytes.length) {
        if (final) this.fail(`unexpected end of input inside ${lit.kind}: the dump is truncated`, this.base + b.length);
        return -1;
      }
      this.frame.scalar(lit.kind, this.tok.set(b, i, i + lit.bytes.length), off);
      return i + lit.bytes.length;
    }
    return this.fail(`expected a value, found ${describe(c)}`, off);
  }

  /** Index of the closing quote of the string starting at i, or -1 when not in the buffer. */
  private stringEnd(b: Buffer, i: number): number {
    let j = i + 1;
    for (;;) {
      const q = b.indexOf(0x22, j);
      if (q < 0) return -1;
      // Count the backslashes right before the quote: an odd number escapes it.
      let k = q - 1;
      while (k > i && b[k] === 0x5c) k--;
      if ((q - 1 - k) % 2 === 0) return q;
      j = q + 1;
    }
  }

  /** JSON-unescapes the string between quotes at i and end; the token views the bytes. */
  private decodeString(b: Buffer, i: number, end: number): Token {
    const start = i + 1;
    let j = start;
    for (; j < end; j++) {
      const c = b[j];
      if (c === 0x5c) break;
      if (c < 0x20) this.fail(`control character 0x${c.toString(16).padStart(2, "0")} inside a string`, this.base + j);
    }
    if (j === end) return this.tok.set(b, start, end);
    const out: number[] = [];
    for (let k = start; k < j; k++) out.push(b[k]);
    while (j < end) {
      const c = b[j];
      if (c < 0x20) this.fail(`control character 0x${c.toString(16).padStart(2, "0")} inside a string`, this.base + j);
      if (c !== 0x5c) {
        out.push(c);
        j++;
        continue;
      }
      const e = b[j + 1];
      switch (e) {
        case 0x22:
        case 0x5c:
        case 0x2f:
          out.push(e);
          break;
        case 0x62:
          out.push(8);
          break;
        case 0x66:
          out.push(12);
          break;
        case 0x6e:
          out.push(10);
          break;
        case 0x72:
          out.push(13);
          break;
        case 0x74:
          out.push(9);
          break;
        case 0x75: {
          let cp = j + 6 <= end ? hex4(b, j + 2) : -1;
          if (cp < 0) this.fail("invalid \\u escape in a string", this.base + j);
          if (cp >= 0xd800 && cp < 0xdc00 && b[j + 6] === 0x5c && b[j + 7] === 0x75 && j + 12 <= end) {
            const lo = hex4(b, j + 8);
            if (lo >= 0xdc00 && lo < 0xe000) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              j += 6;
            }
          }
          if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; // lone surrogate, as Go decodes it
          pushUtf8(out, cp);
          j += 6;
          continue;
        }
        default:
          this.fail(`invalid escape "\\${String.fromCharCode(e)}" in a string`, this.base + j);
      }
      j += 2;
    }
    const dec = Buffer.from(out);
    return this.tok.set(dec, 0, dec.length);
  }
}

const LITERALS: { kind: ScalarKind; bytes: Buffer }[] = [
  { kind: "true", bytes: Buffer.from("true") },
  { kind: "false", bytes: Buffer.from("false") },
  { kind: "null", bytes: Buffer.from("null") },
];

function describe(c: number): string {
  if (c >= 0x21 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}
