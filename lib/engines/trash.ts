// The Trash directory's inode as JuiceFS's format and config create it (pkg/meta doInit).
import type { Attr } from "../jfs/types";
import { TRASH_INODE } from "../jfs/types";

/**
 * Attributes of a new Trash directory made at `now`. `wholeSeconds`: JuiceFS's Redis engine
 * stamps it with Unix seconds only; its SQL engine with the full nanosecond time.
 */
export function newTrashAttr(now: Date, wholeSeconds: boolean): Attr {
  const ms = now.getTime();
  const sec = BigInt(Math.floor(ms / 1000));
  const nsec = wholeSeconds ? 0 : (ms % 1000) * 1_000_000;
  return {
    inode: TRASH_INODE, flags: 0, type: "directory", mode: 0o555, uid: 0, gid: 0,
    atime: sec, mtime: sec, ctime: sec, atimensec: nsec, mtimensec: nsec, ctimensec: nsec,
    nlink: 2, length: 4096n, rdev: 0, tier: 0,
  };
}
