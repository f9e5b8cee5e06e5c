// The live source on real engines loaded from the golden sample must show what the backup
// index of that sample shows: same rows in the same order, same entry JSON.
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server";
import { tempDir } from "../../test/support/temp-dir";
import type { MetaEngine } from "../engines/engine";
import { loadMeta } from "../engines/load";
import { openEngine } from "../engines/open";
import { indexBackup, openIndexedBackup } from "./backup";
import { openLiveSource } from "./live";
import type { TreeSource } from "./source";

interface Seen {
  path: string;
  row: Record<string, unknown>;
  json: Record<string, unknown>;
}

/** Every entry of every tree, depth first, as the viewer would page it (pages of 2). */
async function walk(src: TreeSource): Promise<Seen[]> {
  const seen: Seen[] = [];
  const strip = ({ dirId: _d, childCount: _c, hasChildren: _h, ...rest }: Record<string, unknown>) => rest;
  const visit = async (dirId: string, prefix: string): Promise<void> => {
    for (let offset = 0; ; offset += 2) {
      const page = await src.children(dirId, offset, 2);
      for (const item of page.items) {
        const p = `${prefix}/${item.rawName}`;
        seen.push({ path: p, row: strip(item), json: (await src.entry(dirId, item.rawName)).json });
        if (item.dirId) await visit(item.dirId, p);
      }
      if (offset + 2 >= page.total) break;
    }
  };
  for (const root of await src.roots()) {
    seen.push({ path: root.name, row: strip(root), json: (await src.entry(null, root.name)).json });
    await visit(root.dirId!, root.name);
  }
  return seen;
}

const tmp = tempDir("jfsmeta-inspect-live-");
let redis: RedisServer;
let expected: Seen[];

beforeAll(async () => {
  redis = await startRedisServer();
  const idx = path.join(tmp, "sample.idx");
  await indexBackup(Readable.from([golden("metadata.sample")]), idx);
  const backup = openIndexedBackup(idx);
  expected = await walk(backup);
  await backup.close();
});
afterAll(async () => {
  await redis?.stop();
});

const engines: [string, () => string][] = [
  ["redis", () => redis.db(3)],
  ["sqlite3", () => `sqlite3://${path.join(tmp, "meta.db")}`],
];

describe.each(engines)("live source on %s loaded from metadata.sample", (_kind, url) => {
  let engine: MetaEngine;
  let src: TreeSource;
  beforeAll(async () => {
    engine = await openEngine(url());
    await loadMeta(engine, Readable.from([golden("metadata.sample")]));
    src = openLiveSource(engine);
  });
  afterAll(async () => src?.close());

  it("shows the same tree, rows and entry JSON as the backup index", async () => {
    const seen = await walk(src);
    expect(seen.map((s) => s.path)).toEqual(expected.map((s) => s.path));
    expect(seen).toEqual(expected);
  });

  it("has the 9 root entries and d1's two, in dump order", async () => {
    const root = await src.root();
    const page = await src.children(root.dirId!, 0, 100);
    expect(page.items.map((i) => i.name).slice(1)).toEqual(["UTF8果汁数据科技有限公司文件", "UTF8果汁数据科技有限公司目录", "d", "d1", "f1", "l1", "s1", "sd"]);
    const d1 = page.items.find((i) => i.name === "d1")!;
    expect(d1.dirId).toBe("3");
    expect((await src.children("3", 0, 10)).items.map((i) => i.name)).toEqual(["big", "f11"]);
    const trash = (await src.roots())[1];
    expect(trash.inode).toBe("9223372032828243968");
    expect((await src.children(trash.dirId!, 0, 10)).items[0].inode).toBe("9223372032828243969");
  });
});
