// SQL servers that go away during a dump or a load: one clear error naming the database (its
// password redacted), never a hang or a crash.
import { PassThrough, Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMeta } from "../../../lib/engines/load";
import { dumpMeta } from "../../../lib/engines/dump";
import { JsonDumpWriter } from "../../../lib/dump/writer";
import { syntheticDump } from "../../support/engine-io";
import { openSqlEngine } from "../../../lib/engines/sql";
import { startTargets } from "../../support/sql-targets";

let volume: Buffer;
beforeAll(async () => {
  // Big enough that the dump's read-ahead cannot hold it all when the server dies.
  volume = await syntheticDump({ files: 20000, seed: 5 });
});

/** The volume in 16 KiB pieces, so that a load takes many reads. */
const pieces = () =>
  Readable.from(
    (function* () {
      for (let i = 0; i < volume.length; i += 16384) yield volume.subarray(i, i + 16384);
    })(),
  );

describe.each(["mysql", "postgres"] as const)("%s going away", (dialect) => {
  it("during a dump: the dump fails, naming the database and how far it got", async () => {
    const targets = await startTargets(dialect);
    const db = await targets.fresh();
    const engine = await openSqlEngine(db.url);
    try {
      await loadMeta(engine, pieces());
      const out = new PassThrough();
      out.resume();
      let stopped: Promise<void> | null = null;
      const p = dumpMeta(engine, new JsonDumpWriter(out), {
        onProgress: (pr) => {
          if (pr.entries >= 1000 && !stopped) stopped = targets.stop();
        },
      });
      await expect(p).rejects.toThrow(new RegExp(`lost the connection to ${dialect}://.* after \\d+ entries`));
      await stopped;
    } finally {
      await engine.close().catch(() => {});
      await targets.stop();
    }
  });

  // PostgreSQL holds the whole load in one transaction, which the server discards; MySQL has
  // committed its DDL, so the tables stay until --clear-interrupted drops them.
  const loadFailure =
    dialect === "postgres"
      ? /load failed, nothing was kept .*lost the connection to postgres:\/\/.* after \d+ entries/
      : /load failed: lost the connection to mysql:\/\/.* after \d+ entries.*jfsmeta load --clear-interrupted mysql:\/\/.*/s;

  it("during a load: the load fails, saying what was lost and what is left", async () => {
    const targets = await startTargets(dialect);
    const db = await targets.fresh();
    const engine = await openSqlEngine(db.url);
    try {
      let stopped: Promise<void> | null = null;
      const p = loadMeta(engine, pieces(), {
        onProgress: (pr) => {
          if (pr.entries > 2000 && !stopped) stopped = targets.stop();
        },
      });
      await expect(p).rejects.toThrow(loadFailure);
      await stopped;
    } finally {
      await engine.close().catch(() => {});
      await targets.stop();
    }
  });
});
