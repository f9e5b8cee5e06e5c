import {
  findBadEscape,
  goMarshalIndent,
  unescapeName
} from "./chunk-FUB4GH24.js";
import {
  formatIssues
} from "./chunk-VIEEZCGY.js";
import {
  SETTING_FIELDS,
  SettingSchema
} from "./chunk-OHKNE627.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/jfs/json/format-error.ts
var DumpFormatError = class extends JfsError {
  constructor(message, path, offset) {
    super("corrupt-input", `${message} at ${path || "top level"} (byte ${offset})`);
    this.path = path;
    this.offset = offset;
  }
  path;
  offset;
};

// lib/jfs/json/sax.ts
var Token = class {
  buf = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** Numbers: no fraction or exponent. */
  integer = false;
  /** Numbers: the exact value when it is an integer of at most 15 digits, else NaN. */
  small = NaN;
  set(buf, start, end) {
    this.buf = buf;
    this.start = start;
    this.end = end;
    return this;
  }
  get length() {
    return this.end - this.start;
  }
  /**
   * Strings: the decoded text (invalid UTF-8 becomes U+FFFD, as in Go). Short ASCII strings
   * (member names, types) come from an intern table: Buffer#toString costs ~300 ns a call,
   * which dominated reading before.
   */
  str() {
    const { buf, start, end } = this;
    const n = end - start;
    if (n <= MAX_INTERN) {
      let h = n;
      let i = start;
      for (; i < end; i++) {
        const c = buf[i];
        if (c >= 128) break;
        h = Math.imul(h, 31) + c | 0;
      }
      if (i === end) {
        const slot = (h ^ h >>> 11) & INTERN_SLOTS - 1;
        const hit = internTable[slot];
        if (hit !== void 0 && hit.length === n) {
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
  bytes() {
    const n = this.end - this.start;
    const out = Buffer.allocUnsafe(n);
    if (n > 64) this.buf.copy(out, 0, this.start, this.end);
    else for (let k = 0; k < n; k++) out[k] = this.buf[this.start + k];
    return out;
  }
  /** Numbers: the literal text. */
  text() {
    return this.buf.toString("latin1", this.start, this.end);
  }
};
var MAX_INTERN = 24;
var INTERN_SLOTS = 4096;
var internTable = new Array(INTERN_SLOTS).fill(void 0);
var MAX_TOKEN = 8 << 20;
function isWs(c) {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
function hex4(b, i) {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = b[i + k];
    let d;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    v = v << 4 | d;
  }
  return v;
}
function pushUtf8(out, cp) {
  if (cp < 128) out.push(cp);
  else if (cp < 2048) out.push(192 | cp >> 6, 128 | cp & 63);
  else if (cp < 65536) out.push(224 | cp >> 12, 128 | cp >> 6 & 63, 128 | cp & 63);
  else out.push(240 | cp >> 18, 128 | cp >> 12 & 63, 128 | cp >> 6 & 63, 128 | cp & 63);
}
var JsonSax = class {
  buf = Buffer.alloc(0);
  /** Absolute offset of buf[0]. */
  base = 0;
  state = 0 /* Value */;
  kinds = [];
  // 0x7b '{' or 0x5b '['
  frames = [];
  frame;
  tok = new Token();
  /** `root` receives the top-level value (it is asked to open it like a member). */
  constructor(root) {
    this.frame = root;
  }
  /** Bytes consumed so far (absolute offset of the next unread byte). */
  get offset() {
    return this.base + this.buf.length;
  }
  fail(message, offset) {
    throw new DumpFormatError(message, this.frame.path(), offset);
  }
  write(chunk) {
    if (this.buf.length) {
      this.buf = Buffer.concat([this.buf, chunk]);
      if (this.buf.length > MAX_TOKEN) this.fail(`a single JSON token is longer than ${MAX_TOKEN >> 20} MiB`, this.base);
    } else this.buf = chunk;
    const used = this.run(false);
    this.base += used;
    this.buf = used < this.buf.length ? Buffer.from(this.buf.subarray(used)) : Buffer.alloc(0);
  }
  /** The input ended; throws unless the document is complete. */
  end() {
    const total = this.base + this.buf.length;
    this.run(true);
    this.base = total;
    this.buf = Buffer.alloc(0);
    if (this.state !== 6 /* Done */) {
      const what = this.kinds.length || this.state !== 0 /* Value */ || total > 0 ? "the dump is truncated" : "the input is empty";
      this.fail(`unexpected end of input: ${what}`, total);
    }
  }
  afterValue() {
    this.state = this.kinds.length ? 5 /* CommaOrClose */ : 6 /* Done */;
  }
  /** Parses what it can; returns how many bytes were consumed (the rest is a partial token). */
  run(final) {
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
        case 0 /* Value */:
        case 1 /* ValueOrClose */: {
          if (c === 93 && this.state === 1 /* ValueOrClose */) {
            this.closeContainer(base + i);
            i++;
            break;
          }
          if (c === 123 || c === 91) {
            const f = c === 123 ? this.frame.openObject(base + i) : this.frame.openArray(base + i);
            this.frames.push(this.frame);
            this.kinds.push(c);
            this.frame = f;
            this.state = c === 123 ? 2 /* KeyOrClose */ : 1 /* ValueOrClose */;
            i++;
            break;
          }
          const end = this.scalarToken(b, i, final);
          if (end < 0) return i;
          i = end;
          this.afterValue();
          break;
        }
        case 2 /* KeyOrClose */:
        case 3 /* Key */: {
          if (c === 125 && this.state === 2 /* KeyOrClose */) {
            this.closeContainer(base + i);
            i++;
            break;
          }
          if (c !== 34) this.fail(`expected a member name, found ${describe(c)}`, base + i);
          const end = this.stringEnd(b, i);
          if (end < 0) return i;
          this.frame.key(this.decodeString(b, i, end), base + i);
          i = end + 1;
          this.state = 4 /* Colon */;
          break;
        }
        case 4 /* Colon */:
          if (c !== 58) this.fail(`expected ":" after a member name, found ${describe(c)}`, base + i);
          i++;
          this.state = 0 /* Value */;
          break;
        case 5 /* CommaOrClose */: {
          const top = this.kinds[this.kinds.length - 1];
          if (c === 44) {
            this.state = top === 123 ? 3 /* Key */ : 0 /* Value */;
            i++;
          } else if (c === 125 && top === 123 || c === 93 && top === 91) {
            this.closeContainer(base + i);
            i++;
          } else this.fail(`expected "," or "${top === 123 ? "}" : "]"}", found ${describe(c)}`, base + i);
          break;
        }
        case 6 /* Done */:
          this.fail(`unexpected ${describe(c)} after the end of the JSON document`, base + i);
      }
    }
    return n;
  }
  closeContainer(offset) {
    this.frame.close(offset);
    this.kinds.pop();
    this.frame = this.frames.pop();
    this.afterValue();
  }
  /** Reads a scalar at i; returns the index after it, or -1 if the buffer ends inside it. */
  scalarToken(b, i, final) {
    const off = this.base + i;
    const c = b[i];
    if (c === 34) {
      const end = this.stringEnd(b, i);
      if (end < 0) return -1;
      this.frame.scalar("string", this.decodeString(b, i, end), off);
      return end + 1;
    }
    if (c === 45 || c >= 48 && c <= 57) {
      let j = i;
      if (b[j] === 45) j++;
      const intStart = j;
      let small = 0;
      while (j < b.length && b[j] >= 48 && b[j] <= 57) small = small * 10 + (b[j++] - 48);
      let integer = true;
      if (j < b.length && b[j] === 46) {
        integer = false;
        j++;
        const s = j;
        while (j < b.length && b[j] >= 48 && b[j] <= 57) j++;
        if (j === s && j < b.length) this.fail("malformed number: digits expected after the decimal point", off);
      }
      if (j < b.length && (b[j] === 101 || b[j] === 69)) {
        integer = false;
        j++;
        if (j < b.length && (b[j] === 43 || b[j] === 45)) j++;
        const s = j;
        while (j < b.length && b[j] >= 48 && b[j] <= 57) j++;
        if (j === s && j < b.length) this.fail("malformed number: digits expected in the exponent", off);
      }
      if (j === b.length && !final) return -1;
      const last = b[j - 1];
      if (j === intStart || b[intStart] === 48 && j > intStart + 1 && b[intStart + 1] >= 48 && b[intStart + 1] <= 57)
        this.fail(`malformed number ${JSON.stringify(b.toString("latin1", i, j))}`, off);
      if (last < 48 || last > 57)
        this.fail(`unexpected end of input inside the number ${b.toString("latin1", i, j)}: the dump is truncated`, this.base + j);
      const tok = this.tok.set(b, i, j);
      tok.integer = integer;
      tok.small = integer && j - intStart <= 15 ? b[i] === 45 ? 0 - small : small : NaN;
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
  stringEnd(b, i) {
    let j = i + 1;
    for (; ; ) {
      const q = b.indexOf(34, j);
      if (q < 0) return -1;
      let k = q - 1;
      while (k > i && b[k] === 92) k--;
      if ((q - 1 - k) % 2 === 0) return q;
      j = q + 1;
    }
  }
  /** JSON-unescapes the string between quotes at i and end; the token views the bytes. */
  decodeString(b, i, end) {
    const start = i + 1;
    let j = start;
    for (; j < end; j++) {
      const c = b[j];
      if (c === 92) break;
      if (c < 32) this.fail(`control character 0x${c.toString(16).padStart(2, "0")} inside a string`, this.base + j);
    }
    if (j === end) return this.tok.set(b, start, end);
    const out = [];
    for (let k = start; k < j; k++) out.push(b[k]);
    while (j < end) {
      const c = b[j];
      if (c < 32) this.fail(`control character 0x${c.toString(16).padStart(2, "0")} inside a string`, this.base + j);
      if (c !== 92) {
        out.push(c);
        j++;
        continue;
      }
      const e = b[j + 1];
      switch (e) {
        case 34:
        case 92:
        case 47:
          out.push(e);
          break;
        case 98:
          out.push(8);
          break;
        case 102:
          out.push(12);
          break;
        case 110:
          out.push(10);
          break;
        case 114:
          out.push(13);
          break;
        case 116:
          out.push(9);
          break;
        case 117: {
          let cp = j + 6 <= end ? hex4(b, j + 2) : -1;
          if (cp < 0) this.fail("invalid \\u escape in a string", this.base + j);
          if (cp >= 55296 && cp < 56320 && b[j + 6] === 92 && b[j + 7] === 117 && j + 12 <= end) {
            const lo = hex4(b, j + 8);
            if (lo >= 56320 && lo < 57344) {
              cp = 65536 + (cp - 55296 << 10) + (lo - 56320);
              j += 6;
            }
          }
          if (cp >= 55296 && cp < 57344) cp = 65533;
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
};
var LITERALS = [
  { kind: "true", bytes: Buffer.from("true") },
  { kind: "false", bytes: Buffer.from("false") },
  { kind: "null", bytes: Buffer.from("null") }
];
function describe(c) {
  if (c >= 33 && c < 127) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

// lib/jfs/json/decode.ts
function intSchema(min, max, asNumber, what) {
  return { k: "int", min, max, minN: Number(min), maxN: Number(max), asNumber, what };
}
function duplicateMember(name, path, offset) {
  return new DumpFormatError(`duplicate member ${JSON.stringify(name)} (a member may appear once per object)`, path, offset);
}
var At = class {
  constructor(frame, member, offset) {
    this.frame = frame;
    this.member = member;
    this.offset = offset;
  }
  frame;
  member;
  offset;
  /** Points at another member/offset of the same frame; returns itself. */
  move(member, offset) {
    this.member = member;
    this.offset = offset;
    return this;
  }
  get path() {
    const m = this.member;
    const base = this.frame.path();
    const seg = m === null ? "" : typeof m === "number" ? `[${m}]` : memberSeg(m);
    return base ? base + seg : seg.replace(/^\./, "");
  }
};
var uint = (bits, asNumber) => intSchema(0n, (1n << BigInt(bits)) - 1n, asNumber, `uint${bits}`);
var uint8 = uint(8, true);
var uint16 = uint(16, true);
var uint32 = uint(32, true);
var uint64 = uint(64, false);
var int64 = intSchema(-(1n << 63n), (1n << 63n) - 1n, false, "int64");
var intNum = intSchema(BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER), true, "integer within \xB12^53");
var str = { k: "str" };
var bytes = { k: "bytes" };
var escaped = { k: "escaped" };
var bool = { k: "bool" };
var arrayOf = (of) => ({ k: "array", of });
var mapOf = (key, of) => ({ k: "map", key, of });
function record(fields, build) {
  const folded = /* @__PURE__ */ new Map();
  const buckets = Array.from({ length: NAME_BUCKETS }, () => []);
  for (const [name, schema] of Object.entries(fields)) {
    folded.set(name.toLowerCase(), name);
    if (/^[\x20-\x7e]+$/.test(name)) buckets[nameBucket(Buffer.from(name, "latin1"), 0, name.length)].push({ name, schema });
  }
  return { k: "record", fields: new Map(Object.entries(fields)), folded, build, buckets };
}
var NAME_BUCKETS = 64;
function nameBucket(b, start, end) {
  return end - start + b[start] * 7 + b[end - 1] * 3 & NAME_BUCKETS - 1;
}
function exactMember(s, tok) {
  const { buf, start, end } = tok;
  if (end === start) return void 0;
  const bucket = s.buckets[nameBucket(buf, start, end)];
  for (let i = 0; i < bucket.length; i++) {
    const name = bucket[i].name;
    if (name.length !== end - start) continue;
    let k = 0;
    while (k < name.length && name.charCodeAt(k) === buf[start + k]) k++;
    if (k === name.length) return bucket[i];
  }
  return void 0;
}
var KIND_NAMES = {
  string: "a string",
  number: "a number",
  true: "a boolean",
  false: "a boolean",
  null: "null"
};
function expected(s) {
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
function parseIntToken(s, tok, at) {
  if (typeof tok !== "string") {
    if (!tok.integer) throw new DumpFormatError(`expected an integer, found ${tok.text()}`, at.path, at.offset);
    const n = tok.small;
    if (n === n) {
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
function convertScalar(s, kind, v, at) {
  if (kind === "null") return void 0;
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
function unescapeChecked(raw, at) {
  const bad = findBadEscape(raw);
  if (bad >= 0)
    throw new DumpFormatError(
      `bad %-escape ${JSON.stringify(raw.subarray(bad, bad + 3).toString("latin1"))} (a "%" must be followed by two uppercase hex digits; JuiceFS would keep it literally)`,
      at.path,
      at.offset + 1 + bad
    );
  return unescapeName(raw);
}
var PathFrame = class {
  constructor(parent, seg) {
    this.parent = parent;
    this.seg = seg;
  }
  path() {
    const p = this.parent ? this.parent.path() : "";
    const seg = typeof this.seg === "string" ? this.seg : keySeg(this.seg);
    return p ? p + seg : seg.replace(/^\./, "");
  }
};
var SkipFrame = class _SkipFrame {
  constructor(parent) {
    this.parent = parent;
  }
  parent;
  path() {
    return this.parent.path();
  }
  key() {
  }
  openObject() {
    return new _SkipFrame(this);
  }
  openArray() {
    return new _SkipFrame(this);
  }
  scalar() {
  }
  close() {
  }
};
function keySeg(raw) {
  return `[${JSON.stringify(raw.toString("utf8"))}]`;
}
function memberSeg(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? "." + name : `[${JSON.stringify(name)}]`;
}
function openSchema(s, kind, parent, seg, offset, done) {
  if (s === null) return new SkipFrame(parent);
  if (kind === "object" && s.k === "record") return new RecordFrame(s, parent, seg, offset, done);
  if (kind === "object" && s.k === "map") return new MapFrame(s, parent, seg, done);
  if (kind === "array" && s.k === "array") return new ArrayFrame(s, parent, seg, done);
  throw new DumpFormatError(`expected ${expected(s)}, found ${kind === "object" ? "an object" : "an array"}`, parent.path() + seg, offset);
}
var RecordFrame = class extends PathFrame {
  constructor(s, parent, seg, offset, done) {
    super(parent, seg);
    this.s = s;
    this.offset = offset;
    this.done = done;
  }
  s;
  offset;
  done;
  out = {};
  at = new At(this, null, 0);
  field = null;
  fieldSchema = null;
  /** Members met so far, by the name they match (case-folded as Go matches them). */
  seen = null;
  key(name, offset) {
    const fast = exactMember(this.s, name);
    if (fast !== void 0) {
      this.field = fast.name;
      this.fieldSchema = fast.schema;
    } else {
      const n = name.str();
      const exact = this.s.fields.get(n);
      const f = exact ? n : this.s.folded.get(n.toLowerCase());
      this.field = f ?? n;
      this.fieldSchema = exact ?? (f === void 0 ? null : this.s.fields.get(f));
    }
    const seen = this.seen ??= /* @__PURE__ */ new Set();
    if (seen.has(this.field)) throw duplicateMember(this.field, this.at.move(this.field, offset).path, offset);
    seen.add(this.field);
  }
  openObject(offset) {
    const name = this.field;
    return openSchema(this.fieldSchema, "object", this, memberSeg(name), offset, (v) => this.out[name] = v);
  }
  openArray(offset) {
    const name = this.field;
    return openSchema(this.fieldSchema, "array", this, memberSeg(name), offset, (v) => this.out[name] = v);
  }
  scalar(kind, value, offset) {
    if (!this.fieldSchema) return;
    const v = convertScalar(this.fieldSchema, kind, value, this.at.move(this.field, offset));
    if (v !== void 0) this.out[this.field] = v;
  }
  close() {
    this.done(this.s.build ? this.s.build(this.out, this.at.move(null, this.offset)) : this.out);
  }
};
var ArrayFrame = class extends PathFrame {
  // only arrays of scalars need one
  constructor(s, parent, seg, done) {
    super(parent, seg);
    this.s = s;
    this.done = done;
  }
  s;
  done;
  out = [];
  at = null;
  key() {
  }
  openObject(offset) {
    return openSchema(this.s.of, "object", this, `[${this.out.length}]`, offset, (v) => this.out.push(v));
  }
  openArray(offset) {
    return openSchema(this.s.of, "array", this, `[${this.out.length}]`, offset, (v) => this.out.push(v));
  }
  scalar(kind, value, offset) {
    const at = (this.at ??= new At(this, null, 0)).move(this.out.length, offset);
    const v = convertScalar(this.s.of, kind, value, at);
    if (v === void 0) throw new DumpFormatError("null is not allowed inside this array", at.path, offset);
    this.out.push(v);
  }
  close() {
    this.done(this.out);
  }
};
var MapFrame = class extends PathFrame {
  constructor(s, parent, seg, done) {
    super(parent, seg);
    this.s = s;
    this.done = done;
  }
  s;
  done;
  out = /* @__PURE__ */ new Map();
  k;
  /** Every key met (a null value leaves none in `out`). */
  keys = /* @__PURE__ */ new Set();
  seg2 = "";
  key(name, offset) {
    const text = name.str();
    this.seg2 = `[${JSON.stringify(text)}]`;
    this.k = parseIntToken(this.s.key, text, { path: this.path() + this.seg2, offset });
    if (this.keys.has(this.k)) throw duplicateMember(text, this.path() + this.seg2, offset);
    this.keys.add(this.k);
  }
  openObject(offset) {
    const k = this.k;
    return openSchema(this.s.of, "object", this, this.seg2, offset, (v) => this.out.set(k, v));
  }
  openArray(offset) {
    const k = this.k;
    return openSchema(this.s.of, "array", this, this.seg2, offset, (v) => this.out.set(k, v));
  }
  scalar(kind, value, offset) {
    const v = convertScalar(this.s.of, kind, value, { path: this.path() + this.seg2, offset });
    if (v !== void 0) this.out.set(this.k, v);
  }
  close() {
    this.done(this.out);
  }
};
var DocFrame = class {
  constructor(s, name) {
    this.s = s;
    this.name = name;
  }
  s;
  name;
  value = void 0;
  path() {
    return this.name;
  }
  key() {
  }
  openObject(offset) {
    return openSchema(this.s, "object", this, "", offset, (v) => this.value = v);
  }
  openArray(offset) {
    return openSchema(this.s, "array", this, "", offset, (v) => this.value = v);
  }
  scalar(kind, value, offset) {
    this.value = convertScalar(this.s, kind, value, { path: this.name, offset });
  }
  close() {
  }
};
function decodeDocument(json, s, name) {
  const doc = new DocFrame(s, name);
  const sax = new JsonSax(doc);
  sax.write(typeof json === "string" ? Buffer.from(json, "utf8") : json);
  sax.end();
  return doc.value;
}

// lib/jfs/setting-json.ts
function isEmpty(v) {
  return v === void 0 || v === null || v === "" || v === 0 || v === 0n || v === false;
}
function tiersToGo(tiers) {
  if (!tiers) return null;
  const out = /* @__PURE__ */ new Map();
  for (const k of Object.keys(tiers).sort()) {
    const t = tiers[k];
    out.set(k, /* @__PURE__ */ new Map([["ID", t.ID], ["StorageClass", t.StorageClass], ["Tag", t.Tag]]));
  }
  return out;
}
function settingToGo(s) {
  const out = /* @__PURE__ */ new Map();
  const values = s;
  for (const f of SETTING_FIELDS) {
    const v = values[f.name];
    if (f.kind === "tiers") {
      out.set(f.name, tiersToGo(v));
      continue;
    }
    if (f.omitEmpty && isEmpty(v)) continue;
    out.set(f.name, v === void 0 ? zeroOf(f.kind) : v);
  }
  return out;
}
function zeroOf(kind) {
  switch (kind) {
    case "string":
      return "";
    case "int":
      return 0;
    case "int64":
      return 0n;
    case "bool":
      return false;
    case "tiers":
      return null;
  }
}
function encodeStoredSetting(s) {
  return goMarshalIndent(settingToGo(s), "", "", "std");
}
var int64OrUint64 = intSchema(-(1n << 63n), (1n << 64n) - 1n, false, "64-bit integer");
var tierDecoder = record({ ID: intNum, StorageClass: str, Tag: str }, (o) => ({
  ID: o.ID ?? 0,
  StorageClass: o.StorageClass ?? "",
  Tag: o.Tag ?? ""
}));
function fieldDecoder(kind) {
  switch (kind) {
    case "string":
      return str;
    case "int":
      return intNum;
    case "int64":
      return int64OrUint64;
    case "bool":
      return bool;
    case "tiers":
      return mapOf(uint8, tierDecoder);
  }
}
function buildSetting(o, at) {
  const values = {};
  for (const f of SETTING_FIELDS) {
    let v = o[f.name];
    if (f.kind === "tiers") {
      v = v instanceof Map ? Object.fromEntries([...v].map(([k, t]) => [String(k), t])) : null;
    } else if (v === void 0 && !f.omitEmpty) v = zeroOf(f.kind);
    if (v !== void 0) values[f.name] = v;
  }
  const r = SettingSchema.safeParse(values);
  if (!r.success) throw new DumpFormatError(`invalid Setting: ${formatIssues(r.error)}`, at.path, at.offset);
  return r.data;
}
var settingDecoder = record(
  Object.fromEntries(SETTING_FIELDS.map((f) => [f.name, fieldDecoder(f.kind)])),
  buildSetting
);
function parseSetting(json) {
  const v = decodeDocument(json, settingDecoder, "Setting");
  if (v === void 0) throw new DumpFormatError("the setting is null, expected a JSON object", "Setting", 0);
  return v;
}

export {
  DumpFormatError,
  JsonSax,
  duplicateMember,
  At,
  uint8,
  uint16,
  uint32,
  uint64,
  int64,
  str,
  bytes,
  escaped,
  arrayOf,
  mapOf,
  record,
  convertScalar,
  unescapeChecked,
  PathFrame,
  SkipFrame,
  keySeg,
  memberSeg,
  openSchema,
  settingToGo,
  encodeStoredSetting,
  settingDecoder,
  parseSetting
};
