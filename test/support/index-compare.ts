// Two backup indexes compared as the tree viewer and the diff see them, for the tests of the
// ways an index is built (lib/inspect/binary-index.test.ts, test/conformance/inspect-binary.test.ts).
import v8 from "node:v8";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { openIndexDiffSide, openIndexedBackup } from "../../lib/inspect/backup";
import { diffIsEmpty, diffTrees } from "../../lib/inspect/diff";
import { decodeNode } from "../../lib/inspect/nodecodec";
import type { DiffEvent } from "../../lib/inspect/schemas";
import type { TreeSource } from "../../lib/inspect/source";

/** Everything an index holds: every row in id order, the header, the summary (what differs by nature left out). */
export function indexContents(indexPath: string) {
  const db = new Database(indexPath, { readonly: true });
  try {
    // Nodes compared decoded: the rare parts (symlink, xattrs, ACLs) are V8-serialized, whose
    // bytes for a number depend on how V8 happened to hold it (small integer or double).
    const rows = (db.prepare("SELECT * FROM entries ORDER BY id").all() as { node: Buffer }[]).map((r) => ({ ...r, node: decodeNode(r.node) }));
    const meta = new Map((db.prepare("SELECT key, value FROM meta").all() as { key: string; value: Buffer }[]).map((r) => [r.key, r.value]));
    const info = JSON.parse(meta.get("info")!.toString()) as Record<string, unknown>;
    delete info.durationMs;
    delete info.bytes; // bytes read: of the JSON or of the binary dump
    return { rows, header: v8.deserialize(meta.get("header")!) as unknown, info };
  } finally {
    db.close();
  }
}

/** Every page of every directory, every entry's details, through the tree viewer's interface. */
export async function browseIndex(src: TreeSource): Promise<unknown[]> {
  const seen: unknown[] = [];
  const roots = await src.roots();
  seen.push(roots);
  const dirs = roots.filter((r) => r.dirId).map((r) => r.dirId!);
  for (const r of roots) seen.push(await src.entry(null, r.rawName));
  while (dirs.length) {
    const id = dirs.pop()!;
    for (let offset = 0; ; offset += 7) {
      const page = await src.children(id, offset, 7);
      seen.push(page);
      for (const item of page.items) {
        seen.push(await src.entry(id, item.rawName));
        if (item.dirId) dirs.push(item.dirId);
      }
      if (offset + 7 >= page.total) break;
    }
    seen.push(await src.children(id, 0, 100, "a"));
  }
  for (const q of ["*.txt", "a", "link", "ü"]) seen.push(await src.find({ by: "name", q, offset: 0, limit: 50 }));
  for (const q of ["2", "3", "16", "20"]) seen.push(await src.find({ by: "inode", q, offset: 0, limit: 50 }));
  return seen;
}

async function diffEvents(a: string, b: string): Promise<DiffEvent[]> {
  const sa = openIndexDiffSide(a);
  const sb = openIndexDiffSide(b);
  try {
    const events: DiffEvent[] = [];
    for await (const e of diffTrees(sa, await sa.top(undefined), sb, await sb.top(undefined))) events.push(e);
    return events;
  } finally {
    await sa.close();
    await sb.close();
  }
}

/**
 * The two indexes are one: every row (nodes decoded), the header and summary, every page,
 * filter, detail and find through the tree viewer's interface, and a diff without a change.
 */
export async function expectSameIndexes(expectedIdx: string, actualIdx: string): Promise<void> {
  const a = indexContents(expectedIdx);
  const b = indexContents(actualIdx);
  expect(b.rows.length).toBe(a.rows.length);
  for (let i = 0; i < a.rows.length; i++) expect(b.rows[i], `row ${i + 1}`).toEqual(a.rows[i]);
  expect(b.header).toEqual(a.header);
  expect(b.info).toEqual(a.info);
  const [sa, sb] = [openIndexedBackup(expectedIdx), openIndexedBackup(actualIdx)];
  try {
    expect(await browseIndex(sb)).toEqual(await browseIndex(sa));
  } finally {
    await sa.close();
    await sb.close();
  }
  const events = await diffEvents(expectedIdx, actualIdx);
  const end = events.at(-1);
  expect(end?.kind).toBe("end");
  expect(end?.kind === "end" && diffIsEmpty(end.totals)).toBe(true);
  expect(events.filter((e) => e.kind !== "end" && e.kind !== "progress" && e.kind !== "dir")).toEqual([]);
}
