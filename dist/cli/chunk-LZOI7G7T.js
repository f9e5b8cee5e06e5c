import {
  TRASH_INODE
} from "./chunk-Z33CHFVJ.js";

// lib/engines/trash.ts
function newTrashAttr(now, wholeSeconds) {
  const ms = now.getTime();
  const sec = BigInt(Math.floor(ms / 1e3));
  const nsec = wholeSeconds ? 0 : ms % 1e3 * 1e6;
  return {
    inode: TRASH_INODE,
    flags: 0,
    type: "directory",
    mode: 365,
    uid: 0,
    gid: 0,
    atime: sec,
    mtime: sec,
    ctime: sec,
    atimensec: nsec,
    mtimensec: nsec,
    ctimensec: nsec,
    nlink: 2,
    length: 4096n,
    rdev: 0,
    tier: 0
  };
}

export {
  newTrashAttr
};
