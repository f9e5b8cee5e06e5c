// lib/dump/magic.ts
var MAGIC_BYTES = 4;
var GZIP_MAGIC = [31, 139];
var ZSTD_MAGIC = [40, 181, 47, 253];
function startsWith(head, magic) {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}
function sniffCompression(head) {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  return "none";
}
function looksLikeBinaryDump(head) {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1;
}
function sniffDump(head) {
  const compression = sniffCompression(head);
  if (compression !== "none") return compression;
  if (looksLikeBinaryDump(head)) return "binary";
  for (const b of head) {
    if (b === 32 || b === 10 || b === 13 || b === 9) continue;
    return b === 123 ? "json" : "unknown";
  }
  return "unknown";
}

export {
  MAGIC_BYTES,
  sniffCompression,
  looksLikeBinaryDump,
  sniffDump
};
