// Errors a person can act on (issue #9 §3): each case runs `jfsmeta` as a user does and checks
// that it ends (no hang), with a plain one-line message naming the problem, and no raw driver
// text. Servers are private (test/support).
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "./support/fixtures";
import { tempDir } from "./support/temp-dir";
import { startRedisServer, type RedisServer } from "./support/redis-server";
import { rawClient } from "./engines/redis/helpers";
import { startMariadb, type MariadbServer } from "./support/mariadb-server";
import { startPostgres, type PostgresServer } from "./support/postgres-server";

const BIN = path.resolve(__dirname, "..", "bin", "jfsmeta.mjs");
/** Long enough for a loaded machine; a hang is what exceeds it. */
const HANG_MS = 30_000;

interface Run {
  code: number | null;
  stderr: string;
  hung: boolean;
}

function jfsmeta(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    const err: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, HANG_MS);
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: Buffer.concat(err).toString(), hung });
    });
  });
}

/** One line on stderr, no stack trace, no driver's raw words. */
function expectPlain(r: Run) {
  expect(r.hung).toBe(false);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Please report|Unknown RESP/);
}

describe("Redis", () => {
  let server: RedisServer;
  let httpServer: http.Server;
  let httpPort: number;
  beforeAll(async () => {
    server = await startRedisServer();
    httpServer = http.createServer((_q, a) => a.end("hello")).listen(0, "127.0.0.1");
    await new Promise((r) => httpServer.once("listening", r));
    httpPort = (httpServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    httpServer?.close();
    await server?.stop();
  });

  it.each(["dump", "load"])("%s with a password to a server that has none: the advice, then exit 1", async (verb) => {
    const url = `redis://:pw@127.0.0.1:${server.port}/3`;
    const r = await jfsmeta(verb === "dump" ? ["dump", url] : ["load", url, goldenPath("metadata.sample")]);
    expectPlain(r);
    expect(r.stderr).toMatch(/has no password set, but one was given: remove it/);
    expect(r.code).toBe(1);
  });

  it.each(["dump", "load"])("%s against an HTTP port: not a Redis server, check the port", async (verb) => {
    const url = `redis://127.0.0.1:${httpPort}/1`;
    const r = await jfsmeta(verb === "dump" ? ["dump", url] : ["load", url, goldenPath("metadata.sample")]);
    expectPlain(r);
    expect(r.stderr).toContain(`127.0.0.1:${httpPort}/1 is not a Redis server (it answered "HTTP/1.1 400`);
    expect(r.code).toBe(2);
  });

  it("a binary dump with a wrong option or a FILE in a missing directory fails before it asks the server for its snapshot (no fork for a typo)", async () => {
    const url = `redis://127.0.0.1:${server.port}/4`;
    const syncs = async () => {
      const c = rawClient(url);
      try {
        return Number(/sync_full:(\d+)/.exec(await c.info("stats"))![1]);
      } finally {
        c.disconnect();
      }
    };
    const before = await syncs();
    const badOption = await jfsmeta(["dump", url, path.join(tempDir("jfsmeta-cli-"), "out.bin"), "--binary", "--max-ops", "0"]);
    expectPlain(badOption);
    expect(badOption.stderr).toMatch(/invalid option: maxOps: must be positive/);
    const noDir = await jfsmeta(["dump", url, path.join(tempDir("jfsmeta-cli-"), "missing", "out.bin"), "--binary"]);
    expect(noDir.code).not.toBe(0);
    expect(noDir.stderr).toMatch(/missing/);
    expect(await syncs()).toBe(before);
  });
});

describe("SQL servers: a wrong password or a missing database is said as such, not as a timeout", () => {
  let maria: MariadbServer;
  let pg: PostgresServer;
  beforeAll(async () => {
    [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
    await maria.sql("FLUSH PRIVILEGES"); // the test server starts without grant tables: turn password checks on
    await maria.sql("CREATE USER 'jfs'@'%' IDENTIFIED BY 'right-pw'");
    await maria.sql("GRANT ALL ON *.* TO 'jfs'@'%'");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([maria?.stop(), pg?.stop()]);
  });
  const run = (verb: string, url: string) => jfsmeta(verb === "dump" ? ["dump", url] : ["load", url, goldenPath("metadata.sample")]);

  it.each(["dump", "load"])("MariaDB, %s: wrong password", async (verb) => {
    const r = await run(verb, `mysql://jfs:wrong-pw@(127.0.0.1:${maria.port})/mysql`);
    expectPlain(r);
    expect(r.stderr).toMatch(/rejected the credentials: check the user and password/);
    expect(r.stderr).not.toContain("cannot reach");
    expect(r.code).toBe(1);
  });

  it.each(["dump", "load"])("MariaDB, %s: the database does not exist", async (verb) => {
    const r = await run(verb, maria.url("no_such_db"));
    expectPlain(r);
    expect(r.stderr).toMatch(/the database does not exist: create it first/);
    expect(r.code).toBe(1);
  });

  it.each(["sqlite3", "mysql", "postgres"])("%s: a slice id beyond int64 is refused with its JSON path, not the driver's range error", async (dialect) => {
    const dir = tempDir("jfsmeta-range-");
    const file = path.join(dir, "dump.json");
    writeFileSync(file, golden("metadata.sample").toString().replace(/"slices":\[\{"id":\d+/, '"slices":[{"id":9223372036854775808'));
    const db = dialect === "mysql" ? await maria.createDatabase() : dialect === "postgres" ? await pg.createDatabase() : null;
    try {
      const r = await jfsmeta(["load", db ? db.url : `sqlite3://${path.join(dir, "t.db")}`, file]);
      expectPlain(r);
      expect(r.stderr).toMatch(/slice id 9223372036854775808 leaves no room for the counter nextChunk \(int64\) at FSTree\.entries\[.*\]\.chunks\[0\]\.slices\[0\] \(byte \d+\)/);
      expect(r.stderr).not.toMatch(/bound string|out of range for type bigint/);
      expect(r.code).toBe(1);
    } finally {
      await db?.drop();
    }
  });

  it("PostgreSQL: the database does not exist", async () => {
    const r = await run("dump", pg.url("no_such_db"));
    expectPlain(r);
    expect(r.stderr).toMatch(/the database does not exist: create it first/);
    expect(r.code).toBe(1);
  });
});

describe("deeply nested input", () => {
  // Issue #9 saw "Maximum call stack size exceeded" for 50,000 nested arrays: the reader now
  // refuses a value of the wrong shape where it starts, before any nesting is walked.
  const DEPTH = 50_000;
  const cases: [string, string, RegExp][] = [
    ["arrays as the Setting", `{"Setting":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}}`, /expected an object, found an array at \.?Setting \(byte \d+\)/],
    ["arrays as the whole dump", `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`, /a JuiceFS dump is a JSON object, found an array at top level \(byte 0\)/],
    ["objects as a Setting member", `{"Setting":{"Name":${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}}}`, /expected a string, found an object at Setting\.Name \(byte \d+\)/],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}: load and verify refuse it in one plain line`, async () => {
      const dir = tempDir("jfsmeta-nest-");
      const file = path.join(dir, "dump.json");
      writeFileSync(file, text);
      for (const args of [["load", `sqlite3://${path.join(dir, "t.db")}`, file], ["verify", file]]) {
        const r = await jfsmeta(args);
        expectPlain(r);
        expect(r.stderr).toMatch(message);
        expect(r.code).toBe(1);
      }
    });
  }
});
