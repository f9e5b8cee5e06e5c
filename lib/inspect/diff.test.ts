import { describe, expect, it } from "vitest";
import { escapeName } from "../jfs/escape";
import type { NodeType } from "../jfs/types";
import { prng } from "../synth/prng";
import { compareNodes, diffIsEmpty, diffTrees, mergeByName, type DiffNode, type DiffSide } from "./diff";
import type { DiffEvent, DiffTotals } from "./schemas";

/** A tree in memory: a node, and children by raw name (hex keys keep byte order apart from JS string order). */
interface T {
  node: Omit<DiffNode, "name" | "dir">;
  children?: Map<string, T>;
}

const hex = (b: Buffer) => b.toString("hex");
const unhex = (h: string) => Buffer.from(h, "hex");

/** A side over an in-memory tree: directory handles are hex paths; batches of random sizes. */
function memorySide(root: T, seed: number): DiffSide & { live: number; maxOpen: number } {
  const rnd = prng(seed);
  const find = (handle: string): T => handle.split("/").filter(Boolean).reduce((t, h) => t.children!.get(h)!, root);
  const side = {
    maxOpen: 0,
    live: 0,
    async top() {
      return "";
    },
    async *children(handle: string, dirsOnly: boolean) {
      side.live++;
      side.maxOpen = Math.max(side.maxOpen, side.live);
      try {
        const keys = [...find(handle).children!.keys()].sort((x, y) => Buffer.compare(unhex(x), unhex(y)));
        let batch: DiffNode[] = [];
        for (const k of keys) {
          const t = find(handle).children!.get(k)!;
          if (dirsOnly && !t.children) continue;
          batch.push({ ...t.node, name: unhex(k), ...(t.children ? { dir: `${handle}/${k}` } : {}) });
          if (batch.length >= 1 + Math.floor(rnd() * 4)) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
      } finally {
        side.live--;
      }
    },
    async close() {},
  };
  return side;
}

const NAMES = ["a", "b", "B", "a b", "é", "z", "日本", "\xff", "%", "10", "9"].map((s) => Buffer.from(s, s === "\xff" ? "latin1" : "utf8"));

function randomNode(rnd: () => number, type: NodeType, inode: bigint): T["node"] {
  return {
    inode,
    type,
    length: type === "regular" ? BigInt(Math.floor(rnd() * 5000)) : 0n,
    mode: [0o644, 0o755, 0o600][Math.floor(rnd() * 3)],
    uid: Math.floor(rnd() * 3),
    gid: Math.floor(rnd() * 3),
    nlink: type === "directory" ? 2 : 1 + Math.floor(rnd() * 2),
    xattrs: rnd() < 0.2 ? [{ name: Buffer.from("user.k"), value: Buffer.from(String(Math.floor(rnd() * 3))) }] : [],
    ...(type === "symlink" ? { symlink: Buffer.from(rnd() < 0.5 ? "target" : "other") } : {}),
  };
}

function randomTree(rnd: () => number, depth: number, next: { inode: bigint }): T {
  const t: T = { node: randomNode(rnd, "directory", next.inode++), children: new Map() };
  const n = Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const name = NAMES[Math.floor(rnd() * NAMES.length)];
    if (depth > 0 && rnd() < 0.35) t.children!.set(hex(name), randomTree(rnd, depth - 1, next));
    else t.children!.set(hex(name), { node: randomNode(rnd, rnd() < 0.8 ? "regular" : "symlink", next.inode++) });
  }
  return t;
}

const clone = (t: T): T => ({
  node: { ...t.node, xattrs: [...t.node.xattrs] },
  ...(t.children ? { children: new Map([...t.children].map(([k, v]) => [k, clone(v)])) } : {}),
});

/** B from A: some entries removed, added, changed in one attribute, or replaced by another type. */
function mutate(a: T, rnd: () => number, next: { inode: bigint }): T {
  const b = clone(a);
  const visit = (t: T, depth: number) => {
    for (const [k, c] of [...t.children!]) {
      const r = rnd();
      if (r < 0.08) t.children!.delete(k);
      else if (r < 0.12) t.children!.set(k, c.children ? { node: randomNode(rnd, "regular", next.inode++) } : randomTree(rnd, 1, next));
      else if (r < 0.3) {
        const f = Math.floor(rnd() * 7);
        if (f === 0) c.node.length += c.node.type === "regular" ? 1n : 0n;
        if (f === 1) c.node.mode ^= 0o020;
        if (f === 2) c.node.uid += 1;
        if (f === 3) c.node.gid += 1;
        if (f === 4) c.node.nlink += 1;
        if (f === 5) c.node.xattrs = [{ name: Buffer.from("user.k"), value: Buffer.from("changed") }];
        if (f === 6) c.node.inode = next.inode++;
      }
      if (c.children && t.children!.get(k) === c) visit(c, depth + 1);
    }
    if (rnd() < 0.2) {
      const name = NAMES[Math.floor(rnd() * NAMES.length)];
      if (!t.children!.has(hex(name))) t.children!.set(hex(name), rnd() < 0.5 ? randomTree(rnd, 2, next) : { node: randomNode(rnd, "regular", next.inode++) });
    }
  };
  visit(b, 0);
  return b;
}

// ---- the model: flatten both trees to path → node, then set arithmetic ----

type Flat = Map<string, T>; // key: escaped path segments joined by "/"

function flatten(t: T, prefix = "", out: Flat = new Map()): Flat {
  for (const [k, c] of t.children!) {
    const p = `${prefix}/${escapeName(unhex(k))}`;
    out.set(p, c);
    if (c.children) flatten(c, p, out);
  }
  return out;
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/"));

/** Plainly: what differs, field by field, ignoring what the diff ignores. */
function modelDiffers(x: T["node"], y: T["node"]): boolean {
  const view = (n: T["node"]) =>
    JSON.stringify([
      String(n.inode),
      n.type === "regular" ? String(n.length) : "",
      n.mode,
      n.uid,
      n.gid,
      n.type === "directory" ? 0 : n.nlink,
      n.xattrs.map((z) => `${hex(z.name)}=${hex(z.value)}`).sort(),
      n.symlink ? hex(n.symlink) : "",
    ]);
  return view(x) !== view(y);
}

function model(a: T, b: T): { events: string[]; totals: DiffTotals } {
  const fa = flatten(a);
  const fb = flatten(b);
  const bothDirs = (p: string) => p === "" || (!!fa.get(p)?.children && !!fb.get(p)?.children);
  const under = (f: Flat, p: string) => [...f].filter(([q]) => q.startsWith(p + "/")).map(([, t]) => t);
  const sum = (ts: T[]) => ts.reduce((s, t) => s + t.node.length, 0n);
  const events: string[] = [];
  let added = { entries: 0, bytes: 0n };
  let removed = { entries: 0, bytes: 0n };
  let changed = 0;
  let changedBytes = 0n;
  for (const [p, x] of fa) {
    if (!bothDirs(parentOf(p))) continue;
    const y = fb.get(p);
    if (y && y.node.type === x.node.type) {
      if (modelDiffers(x.node, y.node)) {
        events.push(`changed ${p}`);
        changed++;
        changedBytes += y.node.length - x.node.length;
      }
    } else {
      const sub = x.children ? under(fa, p) : null;
      events.push(`removed ${p}${sub ? ` ${sub.length}/${sum(sub)}` : ""}`);
      removed = { entries: removed.entries + 1 + (sub?.length ?? 0), bytes: removed.bytes + x.node.length + sum(sub ?? []) };
    }
  }
  for (const [p, y] of fb) {
    if (!bothDirs(parentOf(p))) continue;
    const x = fa.get(p);
    if (x && x.node.type === y.node.type) continue;
    const sub = y.children ? under(fb, p) : null;
    events.push(`added ${p}${sub ? ` ${sub.length}/${sum(sub)}` : ""}`);
    added = { entries: added.entries + 1 + (sub?.length ?? 0), bytes: added.bytes + y.node.length + sum(sub ?? []) };
  }
  const total = (f: Flat) => ({ entries: f.size, bytes: String(sum([...f.values()])) });
  const directories = 1 + [...fa.keys()].filter((p) => bothDirs(p)).length;
  return {
    events: events.sort(),
    totals: {
      a: total(fa),
      b: total(fb),
      added: { entries: added.entries, bytes: String(added.bytes) },
      removed: { entries: removed.entries, bytes: String(removed.bytes) },
      changed: { entries: changed, bytes: String(changedBytes) },
      directories,
    },
  };
}

async function run(a: T, b: T, seed = 1, opts = {}) {
  const events: DiffEvent[] = [];
  const sa = memorySide(a, seed);
  const sb = memorySide(b, seed + 1);
  for await (const e of diffTrees(sa, "", sb, "", { topPath: "", ...opts })) events.push(e);
  return { events, sa, sb };
}

/** Entry events in the model's words; and checks that each directory's events come together. */
function summarize(events: DiffEvent[]): { lines: string[]; totals: DiffTotals } {
  const lines: string[] = [];
  const seenDirs = new Set<string>();
  let current: string | null = null;
  for (const e of events) {
    if (e.kind === "dir") {
      expect(seenDirs.has(e.rawPath), `directory ${e.rawPath} announced twice`).toBe(false);
      seenDirs.add(e.rawPath);
      current = e.rawPath;
    } else if (e.kind === "added" || e.kind === "removed" || e.kind === "changed") {
      expect(parentOf(e.entry.rawPath)).toBe(current);
      const sub = e.kind !== "changed" && e.subtree ? ` ${e.subtree.entries}/${e.subtree.bytes}` : "";
      lines.push(`${e.kind} ${e.entry.rawPath}${sub}`);
    }
  }
  const end = events.at(-1)!;
  if (end.kind !== "end") throw new Error("no end event");
  return { lines: lines.sort(), totals: end.totals };
}

describe("diffTrees", () => {
  it("agrees with a path-set model on random trees and their mutations", async () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = prng(seed);
      const next = { inode: 1n };
      const a = randomTree(rnd, 4, next);
      const b = mutate(a, rnd, next);
      const { events, sa, sb } = await run(a, b, seed);
      const got = summarize(events);
      const want = model(a, b);
      expect(got.lines, `seed ${seed}`).toEqual(want.events);
      expect(got.totals, `seed ${seed}`).toEqual(want.totals);
      expect(diffIsEmpty(got.totals)).toBe(want.events.length === 0);
      // Every listing was closed.
      expect([sa.live, sb.live]).toEqual([0, 0]);
    }
  });

  it("finds nothing between a tree and its copy, and everything against an empty tree", async () => {
    const rnd = prng(7);
    const a = randomTree(rnd, 5, { inode: 1n });
    const same = summarize((await run(a, clone(a))).events);
    expect(same.lines).toEqual([]);
    expect(diffIsEmpty(same.totals)).toBe(true);
    const empty: T = { node: a.node, children: new Map() };
    const gone = summarize((await run(a, empty)).events);
    expect(gone.totals.removed.entries).toBe(flatten(a).size);
    expect(gone.lines.every((l) => l.startsWith("removed "))).toBe(true);
  });

  it("holds one listing per level on each side, however wide the tree", async () => {
    const wide: T = { node: randomNode(prng(1), "directory", 1n), children: new Map() };
    for (let i = 0; i < 2000; i++) wide.children!.set(hex(Buffer.from(`f${String(i).padStart(5, "0")}`)), { node: randomNode(prng(i), "regular", BigInt(i + 2)) });
    const b = clone(wide);
    b.children!.delete(hex(Buffer.from("f01000")));
    const { events, sa } = await run(wide, b);
    expect(summarize(events).lines).toEqual(["removed /f01000"]);
    expect(sa.maxOpen).toBeLessThanOrEqual(2);
    expect(events.filter((e) => e.kind === "progress").length).toBe(0);
    const withProgress = (await run(wide, b, 1, { progressEvery: 500 })).events.filter((e) => e.kind === "progress");
    expect(withProgress.length).toBeGreaterThanOrEqual(7);
  });

  it("descends into a directory of more sub-directories than it keeps (listing them again)", async () => {
    const rnd = prng(11);
    const next = { inode: 1n };
    const a: T = { node: randomNode(rnd, "directory", next.inode++), children: new Map() };
    for (let i = 0; i < 1100; i++) a.children!.set(hex(Buffer.from(`d${i}`)), randomTree(rnd, 1, next));
    const b = mutate(a, rnd, next);
    const got = summarize((await run(a, b)).events);
    const want = model(a, b);
    expect(got.lines).toEqual(want.events);
    expect(got.totals).toEqual(want.totals);
    expect(got.totals.directories).toBeGreaterThan(1024);
  });

  it("stops when its signal is aborted", async () => {
    const a = randomTree(prng(3), 5, { inode: 1n });
    const ctl = new AbortController();
    ctl.abort();
    await expect(run(a, clone(a), 1, { signal: ctl.signal })).rejects.toMatchObject({ kind: "interrupted" });
  });
});

describe("mergeByName", () => {
  const n = (s: string): DiffNode => ({ ...randomNode(prng(1), "regular", 2n), name: Buffer.from(s) });
  async function* batches(...bs: DiffNode[][]) {
    yield* bs;
  }
  it("pairs names in raw byte order", async () => {
    const out: string[] = [];
    for await (const [x, y] of mergeByName(batches([n("B"), n("a")], [n("c")]), batches([n("a"), n("b")]))) {
      out.push(`${x?.name ?? "-"}:${y?.name ?? "-"}`);
    }
    expect(out).toEqual(["B:-", "a:a", "-:b", "c:-"]);
  });
  it("refuses a listing out of order, naming the side", async () => {
    const it = mergeByName(batches([n("b"), n("a")]), batches([]));
    await expect((async () => {
      for await (const _ of it) void _;
    })()).rejects.toThrow(/side A listed "a" after "b"/);
  });
});

describe("compareNodes", () => {
  const base: DiffNode = { name: Buffer.from("f"), inode: 5n, type: "regular", length: 10n, mode: 0o644, uid: 1, gid: 2, nlink: 1, xattrs: [] };
  it("names each field that differs, with both values", () => {
    expect(compareNodes(base, { ...base })).toEqual([]);
    expect(compareNodes(base, { ...base, length: 20n, mode: 0o600, nlink: 2 })).toEqual([
      { field: "size", from: "10", to: "20" },
      { field: "mode", from: "0644", to: "0600" },
      { field: "links", from: "1", to: "2" },
    ]);
    const x = (k: string, v: string) => ({ name: Buffer.from(k), value: Buffer.from(v) });
    expect(compareNodes({ ...base, xattrs: [x("user.b", "1"), x("user.a", "1")] }, { ...base, xattrs: [x("user.a", "1"), x("user.b", "2"), x("user.c", "3")] })).toEqual([
      { field: "xattrs", from: "user.b=1", to: "user.b=2, user.c=3" },
    ]);
  });
  it("ignores a directory's link count (its sub-directories show already)", () => {
    const dir = { ...base, type: "directory" as const, length: 0n, nlink: 2 };
    expect(compareNodes(dir, { ...dir, nlink: 3 })).toEqual([]);
  });
});
