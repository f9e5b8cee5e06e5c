// lib/jfs/escape.ts
var HEX = "0123456789ABCDEF";
function goUtf8SeqLen(b, i) {
  const c = b[i];
  if (c < 128) return 1;
  const n = b.length;
  if (c < 194) return 0;
  if (c < 224) return i + 1 < n && (b[i + 1] & 192) === 128 ? 2 : 0;
  if (c < 240) {
    if (i + 2 >= n) return 0;
    const c1 = b[i + 1];
    const lo = c === 224 ? 160 : 128;
    const hi = c === 237 ? 159 : 191;
    if (c1 < lo || c1 > hi) return 0;
    return (b[i + 2] & 192) === 128 ? 3 : 0;
  }
  if (c < 245) {
    if (i + 3 >= n) return 0;
    const c1 = b[i + 1];
    const lo = c === 240 ? 144 : 128;
    const hi = c === 244 ? 143 : 191;
    if (c1 < lo || c1 > hi) return 0;
    return (b[i + 2] & 192) === 128 && (b[i + 3] & 192) === 128 ? 4 : 0;
  }
  return 0;
}
function needsEscapeAscii(c) {
  return c <= 32 || c === 37 || c === 34 || c === 92;
}
function escapeName(raw) {
  const n = raw.length;
  let i = 0;
  for (; i < n; i++) {
    const c = raw[i];
    if (c >= 128 || needsEscapeAscii(c)) break;
  }
  if (i === n) return Buffer.from(raw.buffer, raw.byteOffset, n).toString("latin1");
  const out = [];
  for (let k = 0; k < i; k++) out.push(raw[k]);
  const pushEscape = (c) => out.push(37, HEX.charCodeAt(c >> 4), HEX.charCodeAt(c & 15));
  while (i < n) {
    const c = raw[i];
    if (c < 128) {
      if (needsEscapeAscii(c)) pushEscape(c);
      else out.push(c);
      i++;
      continue;
    }
    const len = goUtf8SeqLen(raw, i);
    if (len === 0) {
      pushEscape(c);
      i++;
    } else if (len === 3 && c === 239 && raw[i + 1] === 191 && raw[i + 2] === 189) {
      pushEscape(239);
      pushEscape(191);
      pushEscape(189);
      i += 3;
    } else {
      for (let k = 0; k < len; k++) out.push(raw[i + k]);
      i += len;
    }
  }
  return Buffer.from(out).toString("utf8");
}
function hexVal(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 65 + 10;
  return -1;
}
function asBytes(text) {
  return typeof text === "string" ? Buffer.from(text, "utf8") : Buffer.from(text.buffer, text.byteOffset, text.length);
}
function unescapeName(text) {
  const b = asBytes(text);
  const first = b.indexOf(37);
  if (first < 0) return Buffer.from(b);
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out, 0, 0, first);
  let o = first;
  let i = first;
  while (i < b.length) {
    const c = b[i];
    if (c === 37 && i + 2 < b.length) {
      const h = hexVal(b[i + 1]);
      const l = hexVal(b[i + 2]);
      if (h >= 0 && l >= 0) {
        out[o++] = h << 4 | l;
        i += 3;
        continue;
      }
    }
    out[o++] = c;
    i++;
  }
  return out.subarray(0, o);
}
function findBadEscape(text) {
  if (typeof text === "string") {
    for (let i = text.indexOf("%"); i >= 0; i = text.indexOf("%", i + 1)) {
      if (i + 2 >= text.length || hexVal(text.charCodeAt(i + 1)) < 0 || hexVal(text.charCodeAt(i + 2)) < 0) return i;
      i += 2;
    }
    return -1;
  }
  for (let i = text.indexOf(37); i >= 0; i = text.indexOf(37, i + 1)) {
    if (i + 2 >= text.length || hexVal(text[i + 1]) < 0 || hexVal(text[i + 2]) < 0) return i;
    i += 2;
  }
  return -1;
}

// lib/jfs/json/gojson.ts
var HEXL = "0123456789abcdef";
function controlEscape(c, flavour) {
  switch (c) {
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 8:
      if (flavour === "std") return "\\b";
      break;
    case 12:
      if (flavour === "std") return "\\f";
      break;
  }
  return "\\u00" + HEXL[c >> 4] + HEXL[c & 15];
}
function asciiEscape(c, flavour) {
  if (c < 32) return controlEscape(c, flavour);
  switch (c) {
    case 34:
      return '\\"';
    case 92:
      return "\\\\";
    case 60:
      return "\\u003c";
    case 62:
      return "\\u003e";
    case 38:
      return "\\u0026";
  }
  return null;
}
var NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;
function goString(s, flavour = "goccy") {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep = null;
    if (c < 128) rep = asciiEscape(c, flavour);
    else if (c === 8232) rep = "\\u2028";
    else if (c === 8233) rep = "\\u2029";
    else if (c >= 55296 && c <= 56319) {
      const d = s.charCodeAt(i + 1);
      if (d >= 56320 && d <= 57343) {
        i++;
        continue;
      }
      rep = "\\ufffd";
    } else if (c >= 56320 && c <= 57343) rep = "\\ufffd";
    if (rep !== null) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}
function goBytesString(b, flavour = "goccy") {
  let out = '"';
  let runStart = 0;
  const flush = (end) => {
    if (end > runStart) out += Buffer.from(b.buffer, b.byteOffset + runStart, end - runStart).toString("utf8");
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 128) {
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
    } else if (len === 3 && c === 226 && b[i + 1] === 128 && (b[i + 2] === 168 || b[i + 2] === 169)) {
      flush(i);
      out += b[i + 2] === 168 ? "\\u2028" : "\\u2029";
      i += 3;
      runStart = i;
    } else i += len;
  }
  flush(i);
  return out + '"';
}
function scalar(v, flavour) {
  if (typeof v === "string") return goString(v, flavour);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`Go encoder: only integers are supported, got ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  return "null";
}
function goMarshalIndent(v, prefix, indent, flavour = "goccy") {
  const parts = [];
  const walk = (x, level) => {
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
      const items = Array.isArray(x) ? x.map((e) => [null, e]) : x.entries();
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
function encodeAttr(a) {
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
function encodeXattrs(xattrs) {
  return "[" + xattrs.map((x) => '{"name":' + goBytesString(x.name) + ',"value":' + goString(escapeName(x.value)) + "}").join(",") + "]";
}
function aclEntries(list) {
  if (list.length === 0) return "null";
  return "[" + list.map((e) => '{"id":' + e.id + ',"perm":' + e.perm + "}").join(",") + "]";
}
function encodeAcl(r) {
  return '{"owner":' + r.owner + ',"group":' + r.group + ',"other":' + r.other + ',"mask":' + r.mask + ',"users":' + aclEntries(r.users) + ',"groups":' + aclEntries(r.groups) + "}";
}
function encodeChunk(c) {
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

export {
  escapeName,
  unescapeName,
  findBadEscape,
  goMarshalIndent,
  encodeAttr,
  encodeXattrs,
  encodeAcl,
  encodeChunk
};
