// A degenerate synthetic volume: a chain of directories each holding the next ("d/d/d/…"),
// `depth` levels below the root, with one file at the bottom. The shape that finds work done
// per level of the open path (quadratic in depth) in the dump walk, the writer and the readers.
// Counters are what `juicefs load` recomputes, so load + dump gives the bytes back.
import { TRASH_INODE, type Attr, type NodeType } from "../jfs/types";
import type { DumpHeader, TreeName, TreeWriter } from "../dump/types";
import { resolve, settingFor } from "./volume";

export interface ChainOptions {
  /** Directories below the root, each inside the previous one. */
  depth: number;
  /** Volume name (default "chain"). */
  name?: string;
}

export async function writeChainDump(writer: TreeWriter, opts: ChainOptions): Promise<void> {
  const depth = opts.depth;
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`depth must be a non-negative integer, got ${depth}`);
  const t = 1_767_225_600n; // 2026-01-01T00:00:00Z, for determinism
  const attr = (inode: bigint, type: NodeType, nlink: number, length: bigint): Attr => ({
    inode, flags: 0, type, mode: type === "directory" ? 0o755 : 0o644, uid: 0, gid: 0,
    atime: t, mtime: t, ctime: t, atimensec: 0, mtimensec: 0, ctimensec: 0, nlink, length, rdev: 0, tier: 0,
  });
  // Inodes 2..depth+1 are the directories, depth+2 the file; each counts 4 KiB (empty length).
  const inodes = BigInt(depth + 1);
  const header: DumpHeader = {
    setting: settingFor(resolve({ files: 0, name: opts.name ?? "chain", setting: { TrashDays: 0 } })),
    counters: { usedSpace: inodes * 4096n, usedInodes: inodes, nextInodes: inodes + 2n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n },
    sustained: [],
    delFiles: [],
  };
  await writer.header(header);
  const name = Buffer.from("d");
  await writer.beginDir("FSTree" as TreeName, { attr: attr(1n, "directory", depth > 0 ? 3 : 2, 0n), xattrs: [], chunks: [] });
  for (let i = 0; i < depth; i++) {
    await writer.beginDir(name, { attr: attr(BigInt(i + 2), "directory", i + 1 < depth ? 3 : 2, 0n), xattrs: [], chunks: [] });
  }
  await writer.leaf(Buffer.from("f"), { attr: attr(inodes + 1n, "regular", 1, 0n), xattrs: [], chunks: [] });
  for (let i = 0; i < depth; i++) await writer.endDir();
  await writer.endDir();
  await writer.beginDir("Trash" as TreeName, { attr: { ...attr(TRASH_INODE, "directory", 2, 0n), mode: 0o555 }, xattrs: [], chunks: [] });
  await writer.endDir();
  await writer.end();
}
