// The tree inspector's place in the URL, so Back/Forward walk the tree and a directory can be
// bookmarked or shared: `?path=/misc/empty%2520dir` (each name in its dump form, %XX-escaped
// as JuiceFS writes it, then URL-encoded) and `&root=Trash` for a tree other than FSTree.
// Browser-safe: no Node imports.

/** Where the URL points: the tree root's raw name (null = the first, FSTree) and the raw names below it. */
export interface TreeLocation {
  root: string | null;
  names: string[];
}

export function parseTreeLocation(params: { get(name: string): string | null }): TreeLocation {
  const names = (params.get("path") ?? "").split("/").filter((n) => n !== "");
  return { root: params.get("root") || null, names };
}

/**
 * The query string for a location, keeping the other parameters (`backup=`). Names are
 * encoded one by one so the slashes between them stay readable.
 */
export function treeQuery(current: string, loc: TreeLocation): string {
  const q = new URLSearchParams(current);
  q.delete("path");
  q.delete("root");
  const parts = [q.toString()];
  if (loc.root) parts.push(`root=${encodeURIComponent(loc.root)}`);
  if (loc.names.length) parts.push(`path=/${loc.names.map(encodeURIComponent).join("/")}`);
  const s = parts.filter(Boolean).join("&");
  return s ? `?${s}` : "";
}

/**
 * The display form of a dump name: `%XX` (uppercase hex only, as lib/jfs/escape unescapeName
 * decodes) back to bytes, read as UTF-8 with U+FFFD for invalid bytes, as the server shows
 * names. Own code because unescapeName works on Node Buffers, which the browser lacks.
 */
export function displayNameOf(raw: string): string {
  if (!raw.includes("%")) return raw;
  const src = new TextEncoder().encode(raw);
  const out = new Uint8Array(src.length);
  const hex = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x41 + 10 : -1);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x25 && i + 2 < src.length && hex(src[i + 1]) >= 0 && hex(src[i + 2]) >= 0) {
      out[o++] = (hex(src[i + 1]) << 4) | hex(src[i + 2]);
      i += 2;
    } else out[o++] = src[i];
  }
  return new TextDecoder("utf-8").decode(out.subarray(0, o));
}
