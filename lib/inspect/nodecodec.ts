// Compact binary form of a DumpNode for the backup index: the attr and the chunks in fixed
// layouts (~100 bytes for a typical file instead of ~300 with v8.serialize, which repeats
// every key), the rare parts (symlink, xattrs, ACLs) through v8. Values a dump could hold
// but the layout cannot (out-of-range numbers in a hand-made dump) fall back to v8 whole.
import v8 from "node:v8";
import { TYPE_CODE, typeFromCode, type Chunk, type DumpNode } from "../jfs/types";
import { JfsError } from "../jfs/errors";

const WHOLE_V8 = 0;
const COMPACT = 1;
const ATTR_BYTES = 73;
const HAS_CHUNKS = 1;
const HAS_REST = 2;

export function encodeNode(n: DumpNode): Buffer {
  try {
    return encodeCompact(n);
  } catch {
    // A value outside the compact layout's fields (u() throws on it): the whole node as V8 data.
    return Buffer.concat([Buffer.of(WHOLE_V8), v8.serialize(n)]);
  }
}

function encodeCompact(n: DumpNode): Buffer {
  const a = n.attr;
  const slices = n.chunks.reduce((k, c) => k + c.slices.length, 0);
  const hasRest = !!(n.symlink || n.xattrs.length || n.accessAcl || n.defaultAcl);
  const rest = hasRest ? v8.serialize({ symlink: n.symlink, xattrs: n.xattrs, accessAcl: n.accessAcl, defaultAcl: n.defaultAcl }) : null;
  const chunkBytes = n.chunks.length ? 4 + n.chunks.length * 8 + slices * 24 : 0;
  const b = Buffer.allocUnsafe(2 + ATTR_BYTES + chunkBytes + (rest?.length ?? 0));
  // A DataView: V8 inlines its 64-bit accessors, Buffer's BigInt writers are much slower.
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  b[0] = COMPACT;
  b[1] = (n.chunks.length ? HAS_CHUNKS : 0) | (rest ? HAS_REST : 0);
  u64(v, 2, a.inode);
  v.setUint8(10, u(a.flags, 0xff));
  v.setUint8(11, u(TYPE_CODE[a.type] ?? -1, 0xff));
  v.setUint16(12, u(a.mode, 0xffff));
  v.setUint32(14, u(a.uid, 0xffffffff));
  v.setUint32(18, u(a.gid, 0xffffffff));
  i64(v, 22, a.atime);
  i64(v, 30, a.mtime);
  i64(v, 38, a.ctime);
  v.setUint32(46, u(a.atimensec, 0xffffffff));
  v.setUint32(50, u(a.mtimensec, 0xffffffff));
  v.setUint32(54, u(a.ctimensec, 0xffffffff));
  v.setUint32(58, u(a.nlink, 0xffffffff));
  u64(v, 62, a.length);
  v.setUint32(70, u(a.rdev, 0xffffffff));
  v.setUint8(74, u(a.tier, 0xff));
  let o = 2 + ATTR_BYTES;
  if (n.chunks.length) {
    v.setUint32(o, n.chunks.length);
    o += 4;
    for (const c of n.chunks) {
      v.setUint32(o, u(c.index, 0xffffffff));
      v.setUint32(o + 4, c.slices.length);
      o += 8;
      for (const s of c.slices) {
        u64(v, o, s.id);
        v.setUint32(o + 8, u(s.pos, 0xffffffff));
        v.setUint32(o + 12, u(s.size, 0xffffffff));
        v.setUint32(o + 16, u(s.off, 0xffffffff));
        v.setUint32(o + 20, u(s.len, 0xffffffff));
        o += 24;
      }
    }
  }
  if (rest) rest.copy(b, o);
  return b;
}

/** A number that fits the field, or a throw (the caller then falls back to v8). */
function u(x: number, max: number): number {
  if (!Number.isInteger(x) || x < 0 || x > max) throw new RangeError(`${x} does not fit`);
  return x;
}
function u64(v: DataView, o: number, x: bigint): void {
  if (x < 0n || x > 0xffffffffffffffffn) throw new RangeError(`${x} does not fit`);
  v.setBigUint64(o, x);
}
function i64(v: DataView, o: number, x: bigint): void {
  if (x < -(1n << 63n) || x >= 1n << 63n) throw new RangeError(`${x} does not fit`);
  v.setBigInt64(o, x);
}

/**
 * `chunks: false` skips the chunks (left empty): the diff compares attributes, xattrs and
 * symlinks only, and building slice objects for every file was most of its decoding time.
 */
export function decodeNode(b: Buffer, opts: { chunks?: boolean } = {}): DumpNode {
  if (b[0] === WHOLE_V8) return v8.deserialize(b.subarray(1)) as DumpNode; // rare: whole
  if (b[0] !== COMPACT) throw new JfsError("corrupt-input", `backup index: unknown node encoding ${b[0]}: index the backup again`);
  const type = typeFromCode(b[11]);
  if (!type) throw new JfsError("corrupt-input", `backup index: bad type code ${b[11]}: index the backup again`);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const node: DumpNode = {
    attr: {
      inode: v.getBigUint64(2),
      flags: b[10],
      type,
      mode: v.getUint16(12),
      uid: v.getUint32(14),
      gid: v.getUint32(18),
      atime: v.getBigInt64(22),
      mtime: v.getBigInt64(30),
      ctime: v.getBigInt64(38),
      atimensec: v.getUint32(46),
      mtimensec: v.getUint32(50),
      ctimensec: v.getUint32(54),
      nlink: v.getUint32(58),
      length: v.getBigUint64(62),
      rdev: v.getUint32(70),
      tier: b[74],
    },
    xattrs: [],
    chunks: [],
  };
  let o = 2 + ATTR_BYTES;
  if (b[1] & HAS_CHUNKS && opts.chunks === false) {
    const count = v.getUint32(o);
    o += 4;
    for (let i = 0; i < count; i++) o += 8 + v.getUint32(o + 4) * 24;
  } else if (b[1] & HAS_CHUNKS) {
    const count = v.getUint32(o);
    o += 4;
    for (let i = 0; i < count; i++) {
      const chunk: Chunk = { index: v.getUint32(o), slices: [] };
      const slices = v.getUint32(o + 4);
      o += 8;
      for (let k = 0; k < slices; k++, o += 24) {
        chunk.slices.push({ id: v.getBigUint64(o), pos: v.getUint32(o + 8), size: v.getUint32(o + 12), off: v.getUint32(o + 16), len: v.getUint32(o + 20) });
      }
      node.chunks.push(chunk);
    }
  }
  if (b[1] & HAS_REST) {
    const rest = v8.deserialize(b.subarray(o)) as Pick<DumpNode, "symlink" | "xattrs" | "accessAcl" | "defaultAcl">;
    if (rest.symlink) node.symlink = rest.symlink;
    node.xattrs = rest.xattrs;
    if (rest.accessAcl) node.accessAcl = rest.accessAcl;
    if (rest.defaultAcl) node.defaultAcl = rest.defaultAcl;
  }
  return node;
}
