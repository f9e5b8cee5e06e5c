// What a load promises to keep of a dump, as comparable facts: the fuzzer's definition of
// "loaded faithfully". A mutated dump that loads is not a failure in itself (flipping a digit
// of an mtime makes another valid dump, and no verifier can know the intent); it is a failure
// when the volume that comes back differs from what that dump says, or is not a valid volume.
//
// The facts are what JuiceFS's load semantics keep (docs/format/dump-json.md §10), keyed by path:
// - every entry's inode (the FSTree root is 1), type, flags, mode, uid, gid, times with
//   nanoseconds, rdev, tier; a regular file's length; a symlink's target; xattrs (by name);
//   ACLs; chunks that hold slices, below the file's last chunk (dumps write only those);
// - the Setting (Tiers as JuiceFS fills them; a member at its zero value counts as absent), directory quota limits, user/group quota limits
//   other than the tracking entries a load adds (-1/-1), DelFiles.
// Recomputed or dropped by every load, so left out: nlink, the lengths of non-files, Counters,
// Sustained, ChangeLog, quota usage, the Trash root's own attributes (a dump without a Trash
// comes back with a default one).
import { CHUNK_SIZE, ROOT_INODE, type DumpNode } from "../lib/jfs/types";
import { effectiveTiers } from "../lib/jfs/setting";
import { readDumpToTree, type MemEntry } from "../test/support/dump-tree";

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : Buffer.isBuffer(x) ? x.toString("hex") : x));

function nodeFacts(n: DumpNode, inode: bigint): string {
  const a = n.attr;
  const lastChunk = a.type === "regular" ? (a.length + BigInt(CHUNK_SIZE) - 1n) / BigInt(CHUNK_SIZE) : 0n;
  return json({
    inode,
    type: a.type,
    flags: a.flags,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    times: [a.atime, a.atimensec, a.mtime, a.mtimensec, a.ctime, a.ctimensec],
    rdev: a.rdev,
    tier: a.tier,
    length: a.type === "regular" ? a.length : 0n,
    symlink: a.type === "symlink" && n.symlink?.length ? n.symlink.toString("hex") : null,
    xattrs: [...n.xattrs].sort((x, y) => Buffer.compare(x.name, y.name)).map((x) => [x.name.toString("hex"), x.value.toString("hex")]),
    acl: [n.accessAcl ?? null, n.defaultAcl ?? null],
    chunks: n.chunks
      .filter((c) => c.slices.length > 0 && BigInt(c.index) < lastChunk)
      .sort((x, y) => x.index - y.index)
      .map((c) => [c.index, c.slices.map((s) => [s.id, s.pos, s.size, s.off, s.len])]),
  });
}

const isZero = (v: unknown) => v === undefined || v === null || v === "" || v === 0 || v === 0n || v === false;

/** The facts of a dump that a load keeps, one line per fact, sorted. */
export async function dumpFacts(bytes: Buffer): Promise<string[]> {
  const d = await readDumpToTree(bytes);
  const out: string[] = [];
  const h = d.header;
  // A member at its zero value and an absent one are the same to Go (and JuiceFS omits some).
  const setting = Object.fromEntries(Object.entries({ ...h.setting, Tiers: effectiveTiers(h.setting) }).filter(([, v]) => !isZero(v)));
  out.push(`Setting ${json(setting)}`);
  const quotas = (name: string, m: typeof h.quotas, dropTracking: boolean) => {
    for (const [k, q] of m ?? []) if (!(dropTracking && q.maxSpace === -1n && q.maxInodes === -1n)) out.push(`${name} ${k} ${json(q)}`);
  };
  quotas("Quotas", h.quotas, false);
  quotas("UserQuotas", h.userQuotas, true);
  quotas("GroupQuotas", h.groupQuotas, true);
  for (const f of h.delFiles) out.push(`DelFile ${json(f)}`);
  const walk = (e: MemEntry, path: string, inode: bigint, keepSelf: boolean) => {
    if (keepSelf) out.push(`${path} ${nodeFacts(e.node, inode)}`);
    for (const c of e.children ?? []) walk(c, `${path}/${c.name.toString("hex")}`, c.node.attr.inode, true);
  };
  for (const t of d.trees) walk(t.root, t.tree, t.tree === "FSTree" ? ROOT_INODE : t.root.node.attr.inode, t.tree === "FSTree");
  return out.sort();
}

/** The facts in `a` but not `b` and in `b` but not `a` (at most `max` of each). */
export function factDiff(a: string[], b: string[], max = 3): { missing: string[]; extra: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { missing: a.filter((x) => !sb.has(x)).slice(0, max), extra: b.filter((x) => !sa.has(x)).slice(0, max) };
}
