// A stored inode as a dump shows it (dump-format.md §1.5 output rules).
import type { StoredNode } from "../engines/engine";
import { CHUNK_SIZE, type Attr, type DumpNode } from "../jfs/types";

export function storedToDumpNode(s: StoredNode): DumpNode {
  const attr: Attr = s.attr
    ? { ...s.attr, length: s.attr.type === "regular" ? s.attr.length : 0n }
    : {
        // Missing attributes: zeros except inode, the entry's type and nlink 1 (2 for directories).
        inode: s.inode,
        flags: 0,
        type: s.entryType,
        mode: 0,
        uid: 0,
        gid: 0,
        atime: 0n,
        mtime: 0n,
        ctime: 0n,
        atimensec: 0,
        mtimensec: 0,
        ctimensec: 0,
        nlink: s.entryType === "directory" ? 2 : 1,
        length: 0n,
        rdev: 0,
        tier: 0,
      };
  const chunkLimit = (attr.length + BigInt(CHUNK_SIZE) - 1n) / BigInt(CHUNK_SIZE);
  return {
    attr,
    symlink: s.symlink,
    xattrs: s.xattrs,
    accessAcl: s.accessAcl,
    defaultAcl: s.defaultAcl,
    chunks: attr.type === "regular" ? s.chunks.filter((c) => BigInt(c.index) < chunkLimit) : [],
  };
}
