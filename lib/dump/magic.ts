// What a dump or backup is, told by its first bytes: the one place that knows the magic
// numbers. JuiceFS goes by the file suffix; the bytes do not lie when a file is renamed,
// piped, or an "encrypted" backup was uploaded in clear.

/** How many leading bytes every sniff here needs at most. */
export const MAGIC_BYTES = 4;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export type Compression = "none" | "gzip" | "zstd";

/** What a dump's bytes are before any decompression. */
export type DumpEncoding = "gzip" | "zstd" | "binary" | "json" | "unknown";

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

export function sniffCompression(head: Uint8Array): Compression {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  return "none";
}

/**
 * A JuiceFS binary dump (`juicefs dump --binary`) has no magic, but it starts with the
 * format segment: type 1 as a big-endian uint32. JSON never starts with a NUL byte.
 */
export function looksLikeBinaryDump(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1;
}

/** gzip, zstd, a binary dump, a JSON dump (first non-blank byte `{`), or none of these. */
export function sniffDump(head: Uint8Array): DumpEncoding {
  const compression = sniffCompression(head);
  if (compression !== "none") return compression;
  if (looksLikeBinaryDump(head)) return "binary";
  for (const b of head) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b ? "json" : "unknown";
  }
  return "unknown";
}
