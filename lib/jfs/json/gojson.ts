// JSON encoders that reproduce Go's bytes exactly (docs/format/dump-json.md §1, §5, §7).
// JSON.stringify differs from Go in HTML escaping, U+2028/2029, \b/\f and BigInt, so the
// dump cannot use it.
import type { AclRule, Attr, Chunk, Xattr } from "../types";
import { escapeName, goUtf8SeqLen } from "../escape";

/**
 * Which Go encoder to imitate. `goccy` (github.com/goccy/go-json, used for dumps) writes
 * 0x08/0x0C as `\u0008`/`\u000c`; `std` (encoding/json since Go 1.22, used for the stored
 * `setting` value) writes `\b`/`\f`. Everything else is the same.
 */
export type GoFlavour = "goccy" | "std";

/** An ordered JSON value: objects are Maps (insertion order is output order), numbers bigint. */
export type GoValue = string | bigint | number | boolean | null | GoValue[] | GoObject;
export type GoObject = Map<string, GoValue>;

const HEXL = "0123456789abcdef";

function controlEscape(c: number, flavour: GoFlavour): string {
  switch (c) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x08:
      if (flavour === "std") return "\\b";
      break;
    case 0x0c:
      if (flavour === "std") return "\\f";
      break;
  }
  return "\\u00" + HEXL[c >> 4] + HEXL[c & 15];
}

/** Escape for one ASCII code unit, or null when it is written as it is. */
function asciiEscape(c: number, flavour: GoFlavour): string | null {
  if (c < 0x20) return controlEscape(c, flavour);
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x3c:
      return "\\u003c";
    case 0x3e:
      return "\\u003e";
    case 0x26:
      return "\\u0026";
  }
  return null;
}

// Characters that need any escaping in a JS string: controls, " \ < > &, U+2028/9, surrogates.
// eslint-disable-next-line no-control-regex -- the control characters are what Go escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/** Go JSON string literal (with quotes) for a JS string. Lone surrogates become \ufffd. */
export function goString(s: string, flavour: GoFlavour = "goccy"): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c < 0x80) rep = asciiEscape(c, flavour);
    else if (c === 0x2028) rep = "\\u2028";
    else if (c === 0x2029) rep = "\\u2029";
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair is written as it is
        continue;
      }
      rep = "\\ufffd";
    } else if (c >= 0xdc00 && c <= 0xdfff) rep = "\\ufffd";
    if (rep !== null) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** Go JSON string literal for raw bytes: each invalid UTF-8 byte becomes \ufffd. */
export function goBytesString(b: Uint8Array, flavour: GoFlavour = "goccy"): string {
  let out = '"';
  let runStart = 0;
  const flush = (end: number) => {
    if (end > runStart) out += Buffer.from(b.buffer, b.byteOffset + runStart, end - runStart).toString("utf8");
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      const rep = asciiEscape(c, flavour);
      if (rep !== null) {
        flush(i);
        out += rep;
        runStart = i + 1;
      }
      i++;
      continue;
    }
    const len = goUtf8SeqLen(b, i);
    if (len === 0) {
      flush(i);
      out += "\\ufffd";
      runStart = i + 1;
      i++;
    } else if (len === 3 && c === 0xe2 && b[i + 1] === 0x80 && (b[i + 2] === 0xa8 || b[i + 2] === 0xa9)) {
      flush(i);
      out += b[i + 2] === 0xa8 ? "\\u2028" : "\\u2029";
      i += 3;
      runStart = i;
    } else i += len;
  }
  flush(i);
  return out + '"';
}

function scalar(v: GoValue, flavour: GoFlavour): string {
  if (typeof v === "string") return goString(v, flavour);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`Go encoder: only integers are supported, got ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  return "null";
}

/** Compact Go JSON (no whitespace). */
export function goCompact(v: GoValue, flavour: GoFlavour = "goccy"): string {
  if (Array.isArray(v)) return "[" + v.map((x) => goCompact(x, flavour)).join(",") + "]";
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(goString(k, flavour) + ":" + goCompact(x, flavour));
    return "{" + parts.join(",") + "}";
  }
  return scalar(v, flavour);
}

/**
 * Go `json.MarshalIndent(v, prefix, indent)`: one member per line, `"key": value`,
 * empty containers as `{}` / `[]`, the prefix starting every line but the first.
 */
export function goMarshalIndent(v: GoValue, prefix: string, indent: string, flavour: GoFlavour = "goccy"): string {
  const parts: string[] = [];
  const walk = (x: GoValue, level: number) => {
    if (Array.isArray(x) || x instanceof Map) {
      const size = Array.isArray(x) ? x.length : x.size;
      const [open, close] = Array.isArray(x) ? ["[", "]"] : ["{", "}"];
      if (size === 0) {
        parts.push(open + close);
        return;
      }
      const inner = "\n" + prefix + indent.repeat(level + 1);
      parts.push(open);
      let first = true;
      const items: Iterable<[string | null, GoValue]> = Array.isArray(x)
        ? x.map((e) => [null, e] as [null, GoValue])
        : x.entries();
      for (const [k, e] of items) {
        parts.push(first ? inner : "," + inner);
        first = false;
        if (k !== null) parts.push(goString(k, flavour) + ": ");
        walk(e, level + 1);
      }
      parts.push("\n" + prefix + indent.repeat(level) + close);
      return;
    }
    parts.push(scalar(x, flavour));
  };
  walk(v, 0);
  return parts.join("");
}

// ---- compact encoders for the tree part (dump-json.md §5); member order and omitempty are fixed ----

export function encodeAttr(a: Attr): string {
  let s = '{"inode":' + a.inode;
  if (a.flags) s += ',"flags":' + a.flags;
  s += ',"type":"' + a.type + '","mode":' + a.mode + ',"uid":' + a.uid + ',"gid":' + a.gid;
  s += ',"atime":' + a.atime + ',"mtime":' + a.mtime + ',"ctime":' + a.ctime;
  if (a.atimensec) s += ',"atimensec":' + a.atimensec;
  if (a.mtimensec) s += ',"mtimensec":' + a.mtimensec;
  if (a.ctimensec) s += ',"ctimensec":' + a.ctimensec;
  s += ',"nlink":' + a.nlink + ',"length":' + a.length;
  if (a.rdev) s += ',"rdev":' + a.rdev;
  if (a.tier) s += ',"tier":' + a.tier;
  return s + "}";
}

/** Xattr names are JSON-encoded only; values are %-escaped first (dump-json.md §5). */
export function encodeXattrs(xattrs: readonly Xattr[]): string {
  return (
    "[" +
    xattrs.map((x) => '{"name":' + goBytesString(x.name) + ',"value":' + goString(escapeName(x.value)) + "}").join(",") +
    "]"
  );
}

function aclEntries(list: AclRule["users"]): string {
  if (list.length === 0) return "null";
  return "[" + list.map((e) => '{"id":' + e.id + ',"perm":' + e.perm + "}").join(",") + "]";
}

export function encodeAcl(r: AclRule): string {
  return (
    '{"owner":' + r.owner + ',"group":' + r.group + ',"other":' + r.other + ',"mask":' + r.mask +
    ',"users":' + aclEntries(r.users) + ',"groups":' + aclEntries(r.groups) + "}"
  );
}

export function encodeChunk(c: Chunk): string {
  let s = '{"index":' + c.index + ',"slices":[';
  for (let i = 0; i < c.slices.length; i++) {
    const sl = c.slices[i];
    if (i) s += ",";
    s += '{"id":' + sl.id;
    if (sl.pos) s += ',"pos":' + sl.pos;
    s += ',"size":' + sl.size;
    if (sl.off) s += ',"off":' + sl.off;
    s += ',"len":' + sl.len + "}";
  }
  return s + "]}";
}
