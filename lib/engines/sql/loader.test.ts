// The PostgreSQL load's writes overlap the parser: a COPY the server has finished is seen at the
// parser's next flush, and the next COPY starts then (loader.ts flush()), not only once the
// parser has buffered BUFFERED_ROWS and waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Attr } from "../../jfs/types";
import type { SqlSession } from "./driver";
import { COPY_ROWS, SqlLoadSink } from "./loader";
import { eachCopyRow } from "./pg-copy";
import { startTargets, type SqlTargets } from "../../../test/support/sql-targets";

const attr = (inode: number): Attr => ({
  inode: BigInt(inode), flags: 0, type: "regular", mode: 0o644, uid: 1, gid: 1,
  atime: 1n, mtime: 2n, ctime: 3n, atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 1, length: 0n, rdev: 0, tier: 0,
});

describe("SqlLoadSink on PostgreSQL", () => {
  let targets: SqlTargets;
  beforeAll(async () => {
    targets = await startTargets("postgres");
  });
  afterAll(() => targets?.stop());

  it("starts the next COPY at the flush after the server finished one, while the parser runs on", async () => {
    await targets.withEngine(async (engine) => {
      // A server that finishes each COPY at once (on the next turn of the event loop): the rows
      // each COPY carries are then what the parser had buffered when the last one was seen.
      const copied: number[] = [];
      const connect = engine.driver.connect.bind(engine.driver);
      engine.driver.connect = async () => {
        const s: SqlSession = await connect();
        return {
          ...s,
          release: () => s.release(),
          copyIn: async (sql: string, data: Buffer) => {
            const columns = /\(([^)]*)\) FROM STDIN/.exec(sql)![1].split(",").length;
            if (sql.includes(engine.t("node"))) copied.push(eachCopyRow(data, new Array(columns).fill(false), () => {}));
            await new Promise((r) => setImmediate(r));
          },
        };
      };
      const sink = await engine.beginLoad();
      try {
        // A parser that never waits on anything else (the dump already in memory), flushing
        // every 1,024 rows as the loads do.
        for (let i = 1; i <= 200_000; i++) {
          sink.node(attr(i + 1), 1n, { access: 0, default: 0 });
          if (i % 1024 === 0) await sink.flush();
        }
      } finally {
        await sink.abort();
      }
      expect(copied.length).toBeGreaterThan(10);
      // Without the turn, each COPY waited for BUFFERED_ROWS (20,000) rows.
      for (const rows of copied) expect(rows).toBeLessThan(COPY_ROWS + 2 * 1024);
    });
  });
});

describe("SqlLoadSink on MariaDB", () => {
  let targets: SqlTargets;
  beforeAll(async () => {
    targets = await startTargets("mysql");
  });
  afterAll(() => targets?.stop());

  it("two sessions holding only partial statements of several tables each do not wait on each other's empty writes", async () => {
    // Each session's tables 1,500 rows each (under the 2,000-row statement), 4,500 in all: past
    // what a session may hold while it writes (2 statements), with nothing a write would take.
    const side = SqlLoadSink.sideTables;
    SqlLoadSink.sideTables = new Set(["chunk_ref", "node", "xattr"]);
    try {
      await targets.withEngine(async (engine) => {
        const sink = await engine.beginLoad();
        try {
          for (let i = 1; i <= 1500; i++) {
            const inode = BigInt(i + 1);
            sink.node(attr(i + 1), 1n, { access: 0, default: 0 });
            sink.xattrs(inode, [{ name: Buffer.from("user.a"), value: Buffer.from("v") }]);
            sink.chunks(inode, [{ index: 0, slices: [{ id: inode, size: 4096, off: 0, len: 4096, pos: 0 }] }]);
            sink.newSlices?.([{ id: inode, size: 4096 }]);
            sink.edges(1n, [{ name: Buffer.from(`f${i}`), inode, type: "regular" }]);
            sink.symlink(inode + 100_000n, Buffer.from("t"));
          }
          // The first flush starts both sessions' (empty) writes; the second found both writing
          // and past the bound, and waited on them, and again after each, for ever.
          await sink.flush();
          const second = await Promise.race([sink.flush().then(() => "done"), new Promise((r) => setTimeout(() => r("stuck"), 5000))]);
          expect(second).toBe("done");
        } finally {
          await sink.abort();
        }
      });
    } finally {
      SqlLoadSink.sideTables = side;
    }
  }, 30_000);
});
