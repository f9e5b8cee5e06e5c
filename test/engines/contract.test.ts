// The MetaEngine contract (lib/engines/engine.ts), member by member, on every engine: one suite,
// one row per engine (ENGINE_KINDS in test/support/engine-targets.ts). A new engine joins by
// adding its row there. The volume is JuiceFS's own metadata.sample; what each method must
// answer is read from that dump (or is one of checkMeta's facts about it), never from an engine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetaEngine, StoredNode } from "../../lib/engines/engine";
import { openEngine } from "../../lib/engines/open";
import { redactUrl } from "../../lib/engines/url";
import { ROOT_INODE, TRASH_INODE, type Attr, type DirEntry, type DumpNode, type QuotaLimit } from "../../lib/jfs/types";
import { readDumpToTree, type MemDump, type MemEntry } from "../support/dump-tree";
import { loadBuffer } from "../support/engine-io";
import { ENGINE_KINDS, startEngine, type EngineTarget } from "../support/engine-targets";
import { golden } from "../support/fixtures";

const hex = (b: Buffer) => b.toString("hex");
const byName = (a: { name: Buffer }, b: { name: Buffer }) => Buffer.compare(a.name, b.name);

/** Every directory of the dump (both trees) with its children. */
function directories(dump: MemDump): MemEntry[] {
  const out: MemEntry[] = [];
  const visit = (e: MemEntry) => {
    if (!e.children) return;
    out.push(e);
    e.children.forEach(visit);
  };
  for (const t of dump.trees) visit(t.root);
  return out;
}

/** What the contract promises of a stored node, in a form both sides can be compared in. */
function facts(inode: bigint, attr: Attr | null, n: Pick<DumpNode, "symlink" | "xattrs" | "accessAcl" | "defaultAcl" | "chunks">) {
  const chunkLimit = attr && attr.type === "regular" ? Number((attr.length + (1n << 26n) - 1n) >> 26n) : 0;
  return {
    inode,
    type: attr?.type,
    mode: attr?.mode,
    uid: attr?.uid,
    gid: attr?.gid,
    length: attr?.type === "regular" ? attr.length : undefined,
    mtime: attr?.mtime,
    symlink: n.symlink ? hex(n.symlink) : undefined,
    xattrs: [...n.xattrs].sort(byName).map((x) => [hex(x.name), hex(x.value)]),
    accessAcl: n.accessAcl,
    defaultAcl: n.defaultAcl,
    // "Stored chunks with index < ceil(length / 64 MiB); others may be omitted."
    chunks: n.chunks.filter((c) => c.index < chunkLimit && c.slices.length > 0),
  };
}

const normAcl = <T extends { users: unknown[] | null; groups: unknown[] | null } | undefined>(a: T) =>
  a && { ...a, users: a.users ?? [], groups: a.groups ?? [] };

describe.each(ENGINE_KINDS)("%s: the MetaEngine contract", (kind) => {
  let target: EngineTarget;
  let url: string;
  let engine: MetaEngine;
  let dump: MemDump;
  let dirs: MemEntry[];

  beforeAll(async () => {
    target = await startEngine(kind);
    url = await target.fresh();
    engine = await openEngine(url);
    dump = await readDumpToTree(golden("metadata.sample"));
    dirs = directories(dump);
  });

  afterAll(async () => {
    await engine?.close();
    await target?.stop();
  });

  // The tests run in order: the first ones see the empty database, the load fills it.

  it("kind and redactedUrl", () => {
    expect(engine.kind).toBe(kind);
    expect(engine.redactedUrl).toBe(redactUrl(url));
  });

  it("an empty database: checkEmpty says so, readSetting is null", async () => {
    expect(await engine.checkEmpty()).toEqual({ empty: true });
    expect(await engine.readSetting()).toBeNull();
  });

  it("beginLoad: the shared loader fills the database through the sink; then it is no longer empty", async () => {
    const r = await loadBuffer(engine, golden("metadata.sample"));
    expect(r.entries).toBeGreaterThan(0);
    const check = await engine.checkEmpty();
    expect(check.empty).toBe(false);
    if (check.empty) return;
    expect(check.reason).not.toBe("");
    // Naming the volume is optional (Redis's rule, like JuiceFS's, looks at keys, not the setting).
    if (check.volume !== undefined) expect(check.volume).toBe("load-dump-test");
  });

  it("readSetting returns the format loaded; writeSetting replaces it", async () => {
    const stored = await engine.readSetting();
    expect(stored).toEqual(dump.header.setting);
    await engine.writeSetting({ ...stored!, TrashDays: 7 });
    expect((await engine.readSetting())!.TrashDays).toBe(7);
    await engine.writeSetting(stored!);
    expect(await engine.readSetting()).toEqual(dump.header.setting);
  });

  it("readCounters in dump semantics, and usage from them", async () => {
    // checkMeta's facts about metadata.sample.
    expect(await engine.readCounters()).toMatchObject({ usedSpace: 115392512n, usedInodes: 14n, nextInodes: 35n, nextChunk: 9n, nextSession: 0n, nextTrash: 1n });
    expect(await engine.usage()).toEqual({ usedSpace: 115392512n, usedInodes: 14n });
  });

  it("readSustained and readDelFiles", async () => {
    expect(await engine.readSustained()).toEqual(dump.header.sustained);
    expect(await engine.readDelFiles()).toEqual(dump.header.delFiles);
  });

  it("readQuotas: the limits of each kind", async () => {
    // An engine may also hold tracking-only quotas (-1, -1: no limit, usage counted), as
    // JuiceFS's Redis engine does for the uids and gids it meets; the dump leaves those out.
    const limits = (m: Map<bigint, QuotaLimit>) => new Map([...m].filter(([, q]) => !(q.maxSpace === -1n && q.maxInodes === -1n)));
    expect(limits(await engine.readQuotas("dir"))).toEqual(dump.header.quotas);
    expect(limits(await engine.readQuotas("user"))).toEqual(dump.header.userQuotas);
    expect(limits(await engine.readQuotas("group"))).toEqual(dump.header.groupQuotas);
  });

  it("readDir: every directory's entries, in byte order when it says sorted", async () => {
    expect(dirs.length).toBeGreaterThan(3);
    for (const d of dirs) {
      const got: DirEntry[] = [];
      const listing = engine.readDir(d.node.attr.inode);
      for await (const batch of listing.batches) got.push(...batch);
      if (listing.sorted) expect(got.map((e) => hex(e.name))).toEqual([...got].sort(byName).map((e) => hex(e.name)));
      const want = d.children!.map((c) => ({ name: hex(c.name), inode: c.node.attr.inode, type: c.node.attr.type }));
      expect(got.map((e) => ({ name: hex(e.name), inode: e.inode, type: e.type })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        want.sort((a, b) => a.name.localeCompare(b.name)),
      );
    }
  });

  it("lookup: each child by its raw name; null for a name that is not there", async () => {
    for (const d of dirs) {
      for (const c of d.children!) {
        expect(await engine.lookup(d.node.attr.inode, c.name)).toEqual({ name: c.name, inode: c.node.attr.inode, type: c.node.attr.type });
      }
      expect(await engine.lookup(d.node.attr.inode, Buffer.from("no such entry"))).toBeNull();
    }
  });

  it("readNodes: every node as the dump has it, in the order asked", async () => {
    const all: MemEntry[] = [];
    for (const d of dirs) all.push(...d.children!);
    // Hard links appear once per parent; ask for each inode once, in reverse order.
    const unique = [...new Map(all.map((e) => [e.node.attr.inode, e])).values()].reverse();
    const got = await engine.readNodes(unique.map((e) => ({ inode: e.node.attr.inode, type: e.node.attr.type })));
    expect(got.map((n) => n.inode)).toEqual(unique.map((e) => e.node.attr.inode));
    for (const [i, e] of unique.entries()) {
      const n: StoredNode = got[i];
      expect(n.entryType).toBe(e.node.attr.type);
      const want = facts(e.node.attr.inode, e.node.attr, e.node);
      const have = facts(n.inode, n.attr, n);
      expect({ ...have, accessAcl: normAcl(have.accessAcl), defaultAcl: normAcl(have.defaultAcl) }).toEqual({
        ...want,
        accessAcl: normAcl(want.accessAcl),
        defaultAcl: normAcl(want.defaultAcl),
      });
    }
  });

  it("readDirNodes, where offered: a directory's children with their nodes, in byte order", async () => {
    if (!engine.readDirNodes) return; // optional member: engines that cannot list sorted leave it out
    for (const d of dirs) {
      const names: Buffer[] = [];
      const nodes: StoredNode[] = [];
      for await (const page of engine.readDirNodes(d.node.attr.inode, (q) => q())) {
        expect(page.names).toHaveLength(page.nodes.length);
        names.push(...page.names);
        nodes.push(...page.nodes);
      }
      const want = [...d.children!].sort(byName);
      expect(names.map(hex)).toEqual(want.map((c) => hex(c.name)));
      expect(nodes.map((n) => n.inode)).toEqual(want.map((c) => c.node.attr.inode));
    }
  });

  it("dumpReadAhead, where given, allows at least one directory and one entry", () => {
    if (!engine.dumpReadAhead) return;
    expect(engine.dumpReadAhead.dirs).toBeGreaterThanOrEqual(1);
    expect(engine.dumpReadAhead.entries).toBeGreaterThanOrEqual(1);
  });

  it("the trash tree is stored under TRASH_INODE", async () => {
    const trash = dump.trees.find((t) => t.tree === "Trash");
    expect(trash?.root.node.attr.inode).toBe(TRASH_INODE);
    const [node] = await engine.readNodes([{ inode: TRASH_INODE, type: "directory" }]);
    expect(node.attr?.type).toBe("directory");
  });

  it("getXattr and compareAndSetXattr: one inode's xattr, set only if it still holds what is expected", async () => {
    const root = dump.trees[0].root;
    expect(root.node.attr.inode).toBe(ROOT_INODE);
    const stored = root.node.xattrs.find((x) => x.name.toString() === "lastBackup")!.value;
    expect(await engine.getXattr(ROOT_INODE, "lastBackup")).toEqual(stored);
    expect(await engine.getXattr(ROOT_INODE, "no-such-xattr")).toBeNull();
    expect(await engine.compareAndSetXattr(ROOT_INODE, "lastBackup", null, Buffer.from("t1"))).toBe(false);
    expect(await engine.compareAndSetXattr(ROOT_INODE, "lastBackup", Buffer.from("not it"), Buffer.from("t1"))).toBe(false);
    expect(await engine.compareAndSetXattr(ROOT_INODE, "lastBackup", stored, Buffer.from("t1"))).toBe(true);
    expect((await engine.getXattr(ROOT_INODE, "lastBackup"))?.toString()).toBe("t1");
    expect(await engine.compareAndSetXattr(ROOT_INODE, "fresh", null, Buffer.from("v"))).toBe(true);
    expect(await engine.compareAndSetXattr(ROOT_INODE, "fresh", null, Buffer.from("w"))).toBe(false);
    expect((await engine.getXattr(ROOT_INODE, "fresh"))?.toString()).toBe("v");
  });

  it("LoadSink.abort leaves the database empty, as it was found; close releases the engine", async () => {
    const other = await openEngine(await target.fresh());
    try {
      const sink = await other.beginLoad();
      const root = dump.trees[0].root;
      sink.node(root.node.attr, ROOT_INODE, { access: 0, default: 0 });
      sink.edges(ROOT_INODE, root.children!.slice(0, 2).map((c) => ({ name: c.name, inode: c.node.attr.inode, type: c.node.attr.type })));
      sink.counters(dump.header.counters);
      sink.setting(dump.header.setting);
      await sink.flush();
      await sink.abort();
      expect(await other.checkEmpty()).toEqual({ empty: true });
      expect(await other.readSetting()).toBeNull();
    } finally {
      await other.close();
    }
  });
});
