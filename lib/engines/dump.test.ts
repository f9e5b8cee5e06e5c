// The shared walk against an in-memory engine: output rules, ordering, and a failing engine
// that must make dumpMeta reject promptly and stop reading (JuiceFS's dump_test.go).
import { readdirSync, readlinkSync } from "node:fs";
import { PassThrough } from "node:stream";
import { tempDir } from "../../test/support/temp-dir";
import { describe, expect, it } from "vitest";
import type { Attr, DirEntry, NodeType } from "../jfs/types";
import { TRASH_INODE } from "../jfs/types";
import type { Setting } from "../jfs/setting";
import { JsonDumpWriter } from "../dump/writer";
import { BinaryDumpWriter } from "../dump/binary/writer";
import type { MetaEngine, StoredNode } from "./engine";
import { DumpOptionsSchema, dumpMeta, dumpVersionCheck, MAX_THREADS, toDumpNode } from "./dump";
import { formatIssues } from "../jfs/format";
import { NameTable } from "./nametable";

const setting: Setting = { Name: "t", UUID: "u", Storage: "file", Bucket: "/b/", BlockSize: 4096, TrashDays: 1, EnableACL: false, SecretKey: "sk", MetaVersion: 1 };

function attr(inode: bigint, type: NodeType, length = 0n): Attr {
  return { inode, flags: 0, type, mode: 0o644, uid: 0, gid: 0, atime: 1n, mtime: 1n, ctime: 1n, atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 1, length, rdev: 0, tier: 0 };
}

/** A tiny in-memory volume; `failAfter` makes readNodes fail after that many calls. */
function memEngine(dirs: Map<bigint, DirEntry[]>, nodes: Map<bigint, StoredNode>, failAfter = Infinity) {
  let calls = 0;
  let inFlight = 0;
  let afterFailure = 0;
  let failed = false;
  const engine = {
    kind: "sqlite3",
    redactedUrl: "mem://",
    readSetting: async () => setting,
    readCounters: async () => ({ usedSpace: 0n, usedInodes: 0n, nextInodes: 2n, nextChunk: 1n, nextSession: 0n, nextTrash: 0n }),
    readSustained: async () => [],
    readDelFiles: async () => [],
    readQuotas: async () => new Map(),
    lookup: async (p: bigint, name: Buffer) => dirs.get(p)?.find((e) => e.name.equals(name)) ?? null,
    readDir: (ino: bigint) => ({
      sorted: false,
      batches: (async function* () {
        const list = dirs.get(ino) ?? [];
        if (list.length) yield list;
      })(),
    }),
    readNodes: async (items: { inode: bigint; type: NodeType }[]) => {
      if (failed) afterFailure++;
      inFlight++;
      try {
        await new Promise((r) => setTimeout(r, 1));
        if (++calls > failAfter) {
          failed = true;
          throw new Error("engine broke");
        }
        return items.map((i) => nodes.get(i.inode) ?? { inode: i.inode, entryType: i.type, attr: null, xattrs: [], chunks: [] });
      } finally {
        inFlight--;
      }
    },
  } as unknown as MetaEngine;
  return { engine, stats: () => ({ calls, inFlight, afterFailure }) };
}

async function dump(engine: MetaEngine, opts = {}) {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (c: Buffer) => parts.push(c));
  await dumpMeta(engine, new JsonDumpWriter(out), opts);
  return Buffer.concat(parts).toString("utf8");
}

describe("output rules", () => {
  it("missing attr: zeros with the entry's type, nlink 1 (2 for dirs); length only for files", () => {
    expect(toDumpNode({ inode: 7n, entryType: "directory", attr: null, xattrs: [], chunks: [] }).attr).toMatchObject({ inode: 7n, type: "directory", nlink: 2, mode: 0, length: 0n });
    expect(toDumpNode({ inode: 8n, entryType: "fifo", attr: null, xattrs: [], chunks: [] }).attr.nlink).toBe(1);
    expect(toDumpNode({ inode: 9n, entryType: "symlink", attr: attr(9n, "symlink", 3n), symlink: Buffer.from("a/b"), xattrs: [], chunks: [] }).attr.length).toBe(0n);
  });

  it("chunks below ceil(length / 64 MiB) only, ascending; none for empty files; xattrs by name bytes", () => {
    const s = { id: 1n, pos: 0, size: 1, off: 0, len: 1 };
    const n = toDumpNode({
      inode: 2n, entryType: "regular", attr: attr(2n, "regular", (64n << 20n) + 1n),
      xattrs: [{ name: Buffer.from("b"), value: Buffer.from("") }, { name: Buffer.from("a"), value: Buffer.from("") }],
      chunks: [{ index: 2, slices: [s] }, { index: 1, slices: [s] }, { index: 0, slices: [s] }],
    });
    expect(n.chunks.map((c) => c.index)).toEqual([0, 1]);
    expect(n.xattrs.map((x) => x.name.toString())).toEqual(["a", "b"]);
    expect(toDumpNode({ inode: 3n, entryType: "regular", attr: attr(3n, "regular", 0n), xattrs: [], chunks: [{ index: 0, slices: [s] }] }).chunks).toEqual([]);
  });

  it("name table sorts by raw bytes (a space before '!', shorter prefix first)", () => {
    const t = new NameTable();
    const names = ["b", "a b", "a!", "a", "\xff", "ab", "abcdefgh", "abcdefg"].map((s) => Buffer.from(s, "latin1"));
    names.forEach((n, i) => t.add(n, BigInt(i + 2), "regular"));
    const order = Array.from(t.sortedOrder(false), (i) => t.name(i).toString("latin1"));
    expect(order).toEqual(["a", "a b", "a!", "ab", "abcdefg", "abcdefgh", "b", "\xff"]);
    // an entry listed twice by an unsorted scan is written once
    t.add(Buffer.from("ab"), 99n, "regular");
    expect(Array.from(t.sortedOrder(false), (i) => t.name(i).toString("latin1"))).toEqual(order);
  });

  it("refuses MetaVersion above 1", () => {
    expect(() => dumpVersionCheck({ ...setting, MetaVersion: 2 })).toThrow(/MetaVersion 2/);
  });

  it("writes Trash with zeroed attr when the trash inode has none; masks the secret", async () => {
    const { engine } = memEngine(new Map(), new Map([[1n, { inode: 1n, entryType: "directory" as NodeType, attr: { ...attr(1n, "directory"), nlink: 2 }, xattrs: [], chunks: [] }]]));
    const text = await dump(engine);
    expect(text).toContain(`"Trash": {\n    "attr": {"inode":${TRASH_INODE},"type":"directory","mode":0,"uid":0,"gid":0,"atime":0,"mtime":0,"ctime":0,"nlink":2,"length":0},\n    "entries": {\n    }\n  }\n}\n`);
    expect(text).toContain('"SecretKey": "removed"');
    expect(await dump(engine, { skipTrash: true })).not.toContain('"Trash"');
    expect(await dump(engine, { keepSecretKey: true })).toContain('"SecretKey": "sk"');
  });
});

describe("the flat scan's pace", () => {
  it("is told to the engine: unpaced (it may read whole tables) unless --max-ops or --max-latency is given", async () => {
    for (const [opts, paced] of [[{}, false], [{ maxOps: 100 }, true], [{ maxLatencyMs: 50 }, true]] as const) {
      const { engine } = memEngine(new Map(), new Map());
      const seen: unknown[] = [];
      const scanning = Object.assign(Object.create(engine) as MetaEngine, {
        scanTables: (_gate: unknown, o?: { paced?: boolean }) => {
          seen.push(o?.paced);
          return (async function* () {})();
        },
      });
      await dumpMeta(scanning, new BinaryDumpWriter(new PassThrough().resume()), opts).catch(() => {});
      expect(seen, JSON.stringify(opts)).toEqual([paced]);
    }
  });
});

describe("a failing engine", () => {
  it("rejects cleanly and stops its workers, 50 times over", async () => {
    const dirs = new Map<bigint, DirEntry[]>();
    const list: DirEntry[] = [];
    for (let i = 0; i < 3000; i++) list.push({ name: Buffer.from(`f${i}`), inode: BigInt(i + 10), type: "regular" });
    dirs.set(1n, list);
    for (let round = 0; round < 50; round++) {
      const { engine, stats } = memEngine(dirs, new Map(), 3);
      await expect(dump(engine, { threads: 4 })).rejects.toThrow("engine broke");
      await new Promise((r) => setTimeout(r, 5));
      const s = stats();
      expect(s.inFlight).toBe(0);
      // Reads queued behind the failure are not sent to the broken engine.
      expect(s.calls).toBeLessThan(3 + 1 + 4 + 1);
    }
  });
});

describe("a directory sorted in spilled runs", () => {
  it("a walk that fails or is cancelled in it closes its temporary file", async () => {
    const tmp = tempDir("jfsmeta-dump-spill-");
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const openUnderTmp = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(tmp);
        } catch {
          return false;
        }
      }).length;
    try {
      const dirs = new Map<bigint, DirEntry[]>();
      const list: DirEntry[] = [];
      for (let i = 0; i < 3000; i++) list.push({ name: Buffer.from(`f${i}`), inode: BigInt(i + 10), type: "regular" });
      dirs.set(1n, list);
      const failing = memEngine(dirs, new Map(), 5);
      await expect(dump(failing.engine, { threads: 2, sortMemory: 4096 })).rejects.toThrow("engine broke");
      expect(openUnderTmp()).toBe(0);
      const ctl = new AbortController();
      let held = 0;
      const onProgress = () => {
        held = Math.max(held, openUnderTmp());
        ctl.abort();
      };
      await expect(dump(memEngine(dirs, new Map()).engine, { threads: 2, sortMemory: 4096, signal: ctl.signal, onProgress })).rejects.toThrow(/cancelled/);
      expect(held).toBe(1); // the spill happened, and the file was open until the cancel
      expect(openUnderTmp()).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });
});

describe("DumpOptionsSchema", () => {
  it("takes --threads as JuiceFS does (0 or less means 1) up to MAX_THREADS, and defaults the rest", () => {
    expect(DumpOptionsSchema.parse({})).toEqual({ consistent: false, keepSecretKey: false, skipTrash: false, threads: 10 });
    expect(DumpOptionsSchema.parse({ threads: 0 }).threads).toBe(1);
    expect(DumpOptionsSchema.parse({ threads: -3 }).threads).toBe(1);
    expect(DumpOptionsSchema.parse({ threads: MAX_THREADS }).threads).toBe(MAX_THREADS);
    expect(formatIssues(DumpOptionsSchema.safeParse({ threads: MAX_THREADS + 1 }).error!)).toBe(`threads: must be at most ${MAX_THREADS}`);
    expect(formatIssues(DumpOptionsSchema.safeParse({ threads: Number("x") }).error!)).toMatch(/^threads: must be/);
    expect(formatIssues(DumpOptionsSchema.safeParse({ threads: 2.5 }).error!)).toBe("threads: must be a whole number");
    expect(DumpOptionsSchema.parse({ subdir: " /a/b " }).subdir).toBe("/a/b");
  });
  it("is what dumpMeta checks too", async () => {
    await expect(dumpMeta({} as never, {} as never, { threads: 1.5 })).rejects.toThrow(/whole number/);
  });
});
