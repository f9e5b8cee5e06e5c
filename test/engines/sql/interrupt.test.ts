// SQL servers that go away during a dump or a load: one clear error naming the database (its
// password redacted), never a hang or a crash.
import { execFileSync } from "node:child_process";
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

  it.runIf(dialect === "postgres")("its session ended by the server while the tables are read (pg_terminate_backend): the dump fails as a lost connection", async () => {
    const targets = await startTargets(dialect);
    const db = await targets.fresh();
    const engine = await openSqlEngine(db.url);
    try {
      // Rows enough that the node table's COPY is still being sent at the first progress (10,000
      // nodes): more than the socket buffers and the blocks read ahead hold.
      await loadMeta(engine, Readable.from([await syntheticDump({ files: 150_000, seed: 6 })]));
      const out = new PassThrough();
      out.resume();
      let ended = 0;
      const p = dumpMeta(engine, new JsonDumpWriter(out), {
        onProgress: (pr) => {
          if (pr.phase !== "reading tables" || ended) return;
          // Synchronously, so that the scan's COPY is still in flight: the server sends its
          // FATAL 57P01 and closes the session while we are not reading it. Which of the two
          // pg reports first (the FATAL, or the socket's end) is a race.
          const port = new URL(db.url).port;
          const sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND pid <> pg_backend_pid()";
          ended = Number(execFileSync("psql", ["-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres", "-Atc", sql]).toString());
        },
      });
      await expect(p).rejects.toThrow(/lost the connection to postgres:\/\/.* after 0 entries \(the tables were being read\) \((57P01|Connection terminated unexpectedly)\)/);
      // The COPYs in flight: nodes, chunks and edges read at once (scan.ts inInodeOrder).
      expect(ended).toBeGreaterThanOrEqual(1);
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
