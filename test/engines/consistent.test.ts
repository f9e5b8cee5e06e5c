// --consistent on every engine: a writer moves files between two directories, creates and
// deletes files and grows one while a dump runs. The race is made deterministic rather than
// left to timing: the engine is wrapped so that the dump's read of directory b waits until
// directory a has been read and the writer has finished. A consistent dump must show the
// volume as it was when the dump began; a plain dump shows each file where it was when its
// directory was read, so it shows one file twice and another not at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildBatch, MetaEngine, QueryGate } from "../../lib/engines/engine";
import type { DirEntry } from "../../lib/jfs/types";
import { openEngine } from "../../lib/engines/open";
import { SqlEngine } from "../../lib/engines/sql/engine";
import { EtcdEngine } from "../../lib/engines/etcd";
import { attrKey, entryKey } from "../../lib/engines/tkv/keys";
import { RedisEngine } from "../../lib/engines/redis";
import { decodeAttr, encodeAttr } from "../../lib/jfs/binary-values";
import { collect, readDumpToTree, type MemEntry } from "../support/dump-tree";
import { dumpToBuffer, loadBuffer } from "../support/engine-io";
import { ENGINE_KINDS, startEngine, type EngineTarget } from "../support/engine-targets";
import { dumpMeta, type DumpResult } from "../../lib/engines/dump";
import { JsonDumpWriter } from "../../lib/dump/writer";
import { BinaryDumpWriter } from "../../lib/dump/binary/writer";
import type { ColumnBatch, RecordEncoder, ScanBatch } from "../../lib/jfs/table-records";
import { finished } from "node:stream/promises";

const attr = (inode: number, type: string, extra = "") =>
  `{"inode":${inode},"type":"${type}","mode":${type === "directory" ? 493 : 420},"uid":0,"gid":0,"atime":1700000000,"mtime":1700000000,"ctime":1700000000,"nlink":${type === "directory" ? 2 : 1},"length":${extra || 0}}`;
const file = (inode: number, length = 0) => `{"attr":${attr(inode, "regular", String(length))}}`;

/** / { a: { f, x }, b: { g, h (100 bytes), gone } } */
const VOLUME = `{
  "Setting": {"Name":"consistent","UUID":"8b4c2b7e-7d0c-4a4e-9f43-2f1e7c0d0a11","Storage":"file","Bucket":"/tmp/consistent/","SecretKey":"removed","BlockSize":4096,"Compression":"none","TrashDays":0,"MetaVersion":1},
  "Counters": {"usedSpace":4096,"usedInodes":7,"nextInodes":20,"nextChunk":1,"nextSession":0,"nextTrash":0},
  "Sustained": [],
  "DelFiles": [],
  "FSTree": {"attr":${attr(1, "directory").replace('"nlink":2', '"nlink":4')},"entries":{
    "a": {"attr":${attr(2, "directory")},"entries":{"f":${file(10)},"x":${file(11)}}},
    "b": {"attr":${attr(3, "directory")},"entries":{"g":${file(12)},"gone":${file(14)},"h":${file(13, 100)}}}
  }}
}
`;

/** The writer, in the engine's own storage: f a→b, g b→a, new file "n" in a, "gone" deleted, h grown to 5000 bytes. */
async function mutate(kind: string, url: string): Promise<void> {
  const engine = await openEngine(url);
  try {
    if (engine instanceof SqlEngine) {
      const t = (b: string) => engine.t(b);
      const q = (c: string) => engine.names.q(c);
      const d = engine.driver;
      const name = (s: string) => Buffer.from(s);
      await d.run(`UPDATE ${t("edge")} SET ${q("parent")} = 3 WHERE ${q("parent")} = 2 AND ${q("name")} = ?`, [name("f")]);
      await d.run(`UPDATE ${t("edge")} SET ${q("parent")} = 2 WHERE ${q("parent")} = 3 AND ${q("name")} = ?`, [name("g")]);
      await d.run(`INSERT INTO ${t("edge")} (${q("parent")}, ${q("name")}, ${q("inode")}, ${q("type")}) VALUES (2, ?, 15, 1)`, [name("n")]);
      await d.run(`DELETE FROM ${t("edge")} WHERE ${q("parent")} = 3 AND ${q("name")} = ?`, [name("gone")]);
      await d.run(`UPDATE ${t("node")} SET ${q("length")} = 5000 WHERE ${q("inode")} = 13`);
      return;
    }
    if (engine instanceof EtcdEngine) {
      const kv = engine.kv;
      const get = async (k: Buffer) => (await kv.get(k))!;
      const f = await get(entryKey(2n, Buffer.from("f")));
      const g = await get(entryKey(3n, Buffer.from("g")));
      const del = (k: Buffer) => ({ request_delete_range: { key: kv.key(k) } });
      await kv.txn({
        success: [
          del(entryKey(2n, Buffer.from("f"))), kv.put(entryKey(3n, Buffer.from("f")), f),
          del(entryKey(3n, Buffer.from("g"))), kv.put(entryKey(2n, Buffer.from("g")), g),
          del(entryKey(3n, Buffer.from("gone"))), kv.put(entryKey(2n, Buffer.from("n")), g),
        ],
      });
      const h = decodeAttr(13n, await get(attrKey(13n)))!;
      await kv.txn({ success: [kv.put(attrKey(13n), encodeAttr({ ...h.attr, length: 5000n }, h.parent, h.accessAcl, h.defaultAcl))] });
      return;
    }
    if (!(engine instanceof RedisEngine)) throw new Error(`no writer for ${kind}`);
    // Through the engine's own client (any deployment), its keys with the engine's prefix.
    const r = engine.client;
    const k = (name: string) => engine.p + name;
    const f = await r.hgetBuffer(k("d2"), "f");
    const g = await r.hgetBuffer(k("d3"), "g");
    await r.multi().hdel(k("d2"), "f").hset(k("d3"), "f", f!).hdel(k("d3"), "g").hset(k("d2"), "g", g!).hdel(k("d3"), "gone").exec();
    // A new entry pointing at an existing file's attributes is enough for the listing.
    await r.hset(k("d2"), "n", g!);
    const h = decodeAttr(13n, (await r.getBuffer(k("i13")))!)!;
    await r.set(k("i13"), encodeAttr({ ...h.attr, length: 5000n }, h.parent, h.accessAcl, h.defaultAcl));
  } finally {
    await engine.close();
  }
}

/** The engine, with its read of directory 3 (b) held until directory 2 (a) was read and `between` ran. */
function raced(engine: MetaEngine, between: () => Promise<void>): MetaEngine {
  let aRead!: () => void;
  const aDone = new Promise<void>((r) => (aRead = r));
  let mutated: Promise<void> | null = null;
  const afterA = () => (mutated ??= aDone.then(between));
  return new Proxy(engine, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === "readDirNodes" && typeof v === "function") {
        return (inode: bigint, gate?: QueryGate): AsyncIterable<ChildBatch> => ({
          async *[Symbol.asyncIterator]() {
            if (inode === 3n) await afterA();
            yield* (v as MetaEngine["readDirNodes"])!.call(target, inode, gate);
            if (inode === 2n) aRead();
          },
        });
      }
      if (prop === "readDir" && typeof v === "function") {
        return (inode: bigint) => {
          const inner = () => (v as MetaEngine["readDir"]).call(target, inode);
          return {
            sorted: inner().sorted,
            batches: {
              async *[Symbol.asyncIterator]() {
                if (inode === 3n) await afterA();
                const { batches } = inner();
                yield* batches as AsyncIterable<DirEntry[]>;
                if (inode === 2n) aRead();
              },
            },
          };
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** inode → the paths it appears at, and file lengths by inode. */
function census(root: MemEntry): { where: Map<bigint, string[]>; length: Map<bigint, bigint> } {
  const where = new Map<bigint, string[]>();
  const length = new Map<bigint, bigint>();
  const visit = (e: MemEntry, p: string) => {
    const ino = e.node.attr.inode;
    where.set(ino, [...(where.get(ino) ?? []), p]);
    if (e.node.attr.type === "regular") length.set(ino, e.node.attr.length);
    for (const c of e.children ?? []) visit(c, `${p}/${c.name.toString()}`);
  };
  visit(root, "");
  return { where, length };
}

async function dumpRaced(url: string, kind: string, consistent: boolean): Promise<{ result: DumpResult; tree: MemEntry }> {
  const engine = await openEngine(url);
  try {
    const out = collect();
    // The race hooks the tree walk's reads of a and b: the walk through the engine, whatever
    // the engine's default (the staged walk's race is the flat scan's, below).
    const hatch = process.env.JFSMETA_STAGED_WALK;
    process.env.JFSMETA_STAGED_WALK = "0";
    let result: DumpResult;
    try {
      result = await dumpMeta(raced(engine, () => mutate(kind, url)), new JsonDumpWriter(out.stream), { consistent, threads: 4 });
    } finally {
      if (hatch === undefined) delete process.env.JFSMETA_STAGED_WALK;
      else process.env.JFSMETA_STAGED_WALK = hatch;
    }
    out.stream.end();
    await finished(out.stream);
    const dump = await readDumpToTree(out.bytes());
    return { result, tree: dump.trees[0].root };
  } finally {
    await engine.close();
  }
}

describe.each(ENGINE_KINDS)("%s: --consistent under a writer", (kind) => {
  let target: EngineTarget;
  const fresh = async () => {
    const url = await target.fresh();
    const engine = await openEngine(url);
    try {
      await loadBuffer(engine, VOLUME);
    } finally {
      await engine.close();
    }
    return url;
  };

  beforeAll(async () => {
    target = await startEngine(kind);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it("without --consistent the dump mixes moments: a file twice, a file missing", async () => {
    const url = await fresh();
    const { tree, result } = await dumpRaced(url, kind, false);
    const { where } = census(tree);
    if (kind === "etcd") {
      // etcd dumps read one revision whether asked or not (dumpsAlwaysConsistent).
      expect(where.get(10n)).toEqual(["/a/f"]);
      expect(where.get(12n)).toEqual(["/b/g"]);
      expect(result.snapshot?.takenAt).toBeInstanceOf(Date);
      return;
    }
    expect(where.get(10n)).toEqual(["/a/f", "/b/f"]); // read in a before the move, in b after
    expect(where.get(12n)).toBeUndefined(); // gone from b when b was read, not in a when a was
    expect(result.snapshot).toBeUndefined();
  });

  it("with --consistent the dump is the volume as it was when the dump began", async () => {
    const url = await fresh();
    const before = census((await readDumpToTree(await dumpToBuffer(await openEngineClosing(url)))).trees[0].root);
    const { tree, result } = await dumpRaced(url, kind, true);
    const { where, length } = census(tree);
    expect(where).toEqual(before.where);
    expect(where.get(10n)).toEqual(["/a/f"]);
    expect(where.get(12n)).toEqual(["/b/g"]);
    expect(where.get(14n)).toEqual(["/b/gone"]);
    expect(where.has(15n)).toBe(false);
    expect(length.get(13n)).toBe(100n);
    expect(result.snapshot?.takenAt).toBeInstanceOf(Date);
    expect(result.snapshot!.connections).toBeGreaterThanOrEqual(1);
    if (kind === "postgres") expect(result.snapshot!.connections).toBe(4); // the parallel reads share the snapshot
    // The writer did land: a dump after the consistent one sees it.
    const after = census((await readDumpToTree(await dumpToBuffer(await openEngineClosing(url)))).trees[0].root);
    expect(after.where.get(10n)).toEqual(["/b/f"]);
    expect(after.length.get(13n)).toBe(5000n);
  });
});

/**
 * The engine, with the writer run as soon as its flat scan (records, columns for the staged
 * walk, or records written with the binary writer's encoder) has yielded its first batch.
 */
function racedScan(engine: MetaEngine, between: () => Promise<void>): MetaEngine {
  return new Proxy(engine, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if ((prop === "scanTables" || prop === "scanTableColumns") && typeof v === "function") {
        return (gate?: QueryGate, opts?: { encoder: RecordEncoder }): AsyncIterable<ScanBatch | ColumnBatch> => ({
          async *[Symbol.asyncIterator]() {
            let first = true;
            for await (const b of (v as (g?: QueryGate, o?: { encoder: RecordEncoder }) => AsyncIterable<ScanBatch | ColumnBatch>).call(target, gate, opts)) {
              yield b;
              if (first) await between();
              first = false;
            }
          },
        });
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe.each(ENGINE_KINDS)("%s: a consistent binary dump (flat table scan) under a writer", (kind) => {
  let target: EngineTarget;
  beforeAll(async () => {
    target = await startEngine(kind);
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  it("reads every table inside the snapshot: loaded back, it is the volume as it was when the dump began", async () => {
    const url = await target.fresh();
    const src = await openEngineClosing(url);
    await loadBuffer(src, VOLUME);
    const before = await dumpToBuffer(src);
    let mutated = false;
    const out = collect();
    const result = await dumpMeta(racedScan(src, async () => {
      await mutate(kind, url);
      mutated = true;
    }), new BinaryDumpWriter(out.stream), { consistent: true, threads: 4 });
    out.stream.end();
    await finished(out.stream);
    expect(mutated).toBe(true);
    expect(result.snapshot?.takenAt).toBeInstanceOf(Date);
    const copy = await openEngineClosing(await target.fresh());
    await loadBuffer(copy, out.bytes());
    expect((await dumpToBuffer(copy)).toString()).toBe(before.toString());
    // The writer did land.
    expect(census((await readDumpToTree(await dumpToBuffer(src))).trees[0].root).where.get(10n)).toEqual(["/b/f"]);
  });

  it("a consistent JSON dump through the staged walk (the same scan) is the volume as it was when the dump began", async () => {
    const url = await target.fresh();
    const src = await openEngineClosing(url);
    await loadBuffer(src, VOLUME);
    const before = await dumpToBuffer(src);
    let mutated = false;
    const out = collect();
    const hatch = process.env.JFSMETA_STAGED_WALK;
    process.env.JFSMETA_STAGED_WALK = "1";
    try {
      await dumpMeta(racedScan(src, async () => {
        await mutate(kind, url);
        mutated = true;
      }), new JsonDumpWriter(out.stream), { consistent: true, threads: 4 });
    } finally {
      if (hatch === undefined) delete process.env.JFSMETA_STAGED_WALK;
      else process.env.JFSMETA_STAGED_WALK = hatch;
    }
    out.stream.end();
    await finished(out.stream);
    expect(mutated).toBe(true);
    expect(out.bytes().toString()).toBe(before.toString());
  });
});

const opened: MetaEngine[] = [];
/** An engine closed after the suite (dumpToBuffer does not close it). */
async function openEngineClosing(url: string): Promise<MetaEngine> {
  const e = await openEngine(url);
  opened.push(e);
  return e;
}
afterAll(async () => {
  for (const e of opened) await e.close().catch(() => {});
});

describe("Redis --consistent without redis-server on this host", () => {
  it("says what is missing and how to fix it, and leaves no temp dir behind", async () => {
    const { freezeReplica } = await import("../../lib/engines/redis/replica");
    const { readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith("jfsmeta-replica-")).length;
    const err = await freezeReplica({ host: "127.0.0.1", port: 1 }, { db: 0, bin: "/nonexistent/redis-server" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "unsupported" });
    expect(String((err as Error).message)).toMatch(/needs redis-server on this host.*install it.*or dump without --consistent/);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith("jfsmeta-replica-")).length).toBe(before);
  });
});
