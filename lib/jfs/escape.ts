// JuiceFS's %XX escaping of entry names, symlink targets and xattr values in JSON dumps
// (docs/format/dump-json.md §6). Works on raw bytes: names are byte strings, not text.

const HEX = "0123456789ABCDEF";

/**
 * Length of the UTF-8 sequence at `i` as Go's `for range` decodes it, or 0 when the byte
 * there starts no valid sequence (Go then yields RuneError with width 1).
 * Hand-written because TextDecoder's replacement rules differ from Go's.
 */
export function goUtf8SeqLen(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const n = b.length;
  if (c < 0xc2) return 0; // continuation byte, or overlong C0/C1
  if (c < 0xe0) return i + 1 < n && (b[i + 1] & 0xc0) === 0x80 ? 2 : 0;
  if (c < 0xf0) {
    if (i + 2 >= n) return 0;
    const c1 = b[i + 1];
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf; // ED A0..BF would be a surrogate
    if (c1 < lo || c1 > hi) return 0;
    return (b[i + 2] & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c < 0xf5) {
    if (i + 3 >= n) return 0;
    const c1 = b[i + 1];
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return 0;
    return (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

function needsEscapeAscii(c: number): boolean {
  return c <= 0x20 || c === 0x25 /* % */ || c === 0x22 /* " */ || c === 0x5c /* \ */;
}

/**
 * Escape raw bytes the way `juicefs dump` (v1.4+) does. The result is valid UTF-8 and holds
 * no `"`, `\` or control characters, so it can sit between JSON quotes as it is.
 * One deliberate difference (docs/compatibility.md): JuiceFS writes a valid U+FFFD (EF BF BD)
 * as `%EF` and loses its other two bytes; we write `%EF%BF%BD`, which every JuiceFS version
 * unescapes back to the same three bytes, so such names survive a dump.
 */
export function escapeName(raw: Uint8Array): string {
  const n = raw.length;
  // Fast path: printable ASCII without specials is returned as it is.
  let i = 0;
  for (; i < n; i++) {
    const c = raw[i];
    if (c >= 0x80 || needsEscapeAscii(c)) break;
  }
  if (i === n) return Buffer.from(raw.buffer, raw.byteOffset, n).toString("latin1");

  const out: number[] = [];
  for (let k = 0; k < i; k++) out.push(raw[k]);
  const pushEscape = (c: number) => out.push(0x25, HEX.charCodeAt(c >> 4), HEX.charCodeAt(c & 15));
  while (i < n) {
    const c = raw[i];
    if (c < 0x80) {
      if (needsEscapeAscii(c)) pushEscape(c);
      else out.push(c);
      i++;
      continue;
    }
    const len = goUtf8SeqLen(raw, i);
    if (len === 0) {
      pushEscape(c);
      i++;
    } else if (len === 3 && c === 0xef && raw[i + 1] === 0xbf && raw[i + 2] === 0xbd) {
      pushEscape(0xef); // U+FFFD: escaped whole, where JuiceFS keeps only %EF
      pushEscape(0xbf);
      pushEscape(0xbd);
      i += 3;
    } else {
      for (let k = 0; k < len; k++) out.push(raw[i + k]);
      i += len;
    }
  }
  return Buffer.from(out).toString("utf8");
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1; // lowercase hex is not an escape in JuiceFS
}

function asBytes(text: string | Uint8Array): Buffer {
  return typeof text === "string" ? Buffer.from(text, "utf8") : Buffer.from(text.buffer, text.byteOffset, text.length);
}

/**
 * Decode `%XX` (uppercase hex only) back to bytes; any other `%` stays literal, as in
 * JuiceFS. Always returns a fresh Buffer.
 */
export function unescapeName(text: string | Uint8Array): Buffer {
  const b = asBytes(text);
  const first = b.indexOf(0x25);
  if (first < 0) return Buffer.from(b);
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out, 0, 0, first);
  let o = first;
  let i = first;
  while (i < b.length) {
    const c = b[i];
    if (c === 0x25 && i + 2 < b.length) {
      const h = hexVal(b[i + 1]);
      const l = hexVal(b[i + 2]);
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 3;
        continue;
      }
    }
    out[o++] = c;
    i++;
  }
  return out.subarray(0, o);
}

/**
 * Index of the first `%` not followed by two uppercase hex digits, or -1. A v1.0+ dump never
 * contains one; JuiceFS keeps it literal, jfsmeta's reader reports the dump as malformed.
 * The index counts UTF-16 units for a string and bytes for a buffer.
 */
export function findBadEscape(text: string | Uint8Array): number {
  if (typeof text === "string") {
    for (let i = text.indexOf("%"); i >= 0; i = text.indexOf("%", i + 1)) {
      if (i + 2 >= text.length || hexVal(text.charCodeAt(i + 1)) < 0 || hexVal(text.charCodeAt(i + 2)) < 0) return i;
      i += 2;
    }
    return -1;
  }
  for (let i = text.indexOf(0x25); i >= 0; i = text.indexOf(0x25, i + 1)) {
    if (i + 2 >= text.length || hexVal(text[i + 1]) < 0 || hexVal(text[i + 2]) < 0) return i;
    i += 2;
  }
  return -1;
}
