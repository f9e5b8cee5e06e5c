// PgCopyOut: the CopyData payload of a COPY TO as blocks, from the protocol's bytes however the
// socket cuts them; the rest handed back to node-postgres; the same bytes as pg-copy-streams'
// copy-to on a real server, the server's error raised and the connection usable after it.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { PgCopyOut } from "./pg-copy-out";
import { startPostgres, type PostgresServer } from "../../../test/support/postgres-server";

/** A backend message: its code, a length that counts itself, its payload. */
const msg = (code: string, payload: Buffer | string = Buffer.alloc(0)) => {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/**
 * PgCopyOut on a fake connection fed `bytes` in pieces of `cut` bytes: the blocks it gives,
 * the bytes handed back to the fake pg data listener, and the query sent.
 */
async function feed(bytes: Buffer, cut: number, blockBytes: number, end: (q: PgCopyOut) => void = (q) => q.handleReadyForQuery()) {
  const stream = new PassThrough();
  const handedBack: Buffer[] = [];
  const sent: string[] = [];
  const q = new PgCopyOut("COPY (SELECT 1) TO STDOUT (FORMAT binary)", blockBytes);
  stream.on("data", (chunk: Buffer) => {
    handedBack.push(chunk);
    // pg parses what it is handed back; here, seeing a whole message is the end of the query.
    if (Buffer.concat(handedBack).length >= 5) end(q);
  });
  q.submit({ stream, query: (text) => sent.push(text) });
  // A piece a turn of the event loop: read() would otherwise take the pieces written so far as one.
  const writing = (async () => {
    for (let at = 0; at < bytes.length; at += cut) {
      stream.write(bytes.subarray(at, at + cut));
      await new Promise((r) => setImmediate(r));
    }
    stream.end();
  })();
  // As pg does when its socket ends under a query.
  stream.on("end", () => q.handleError(new Error("Connection terminated unexpectedly")));
  const blocks: Buffer[] = [];
  let error: Error | null = null;
  try {
    for await (const b of q.blocks()) blocks.push(Buffer.from(b));
  } catch (err) {
    error = err as Error;
  }
  await writing;
  return { blocks, handedBack: Buffer.concat(handedBack), sent, error };
}

describe("PgCopyOut on the protocol's bytes", () => {
  const rows = Array.from({ length: 40 }, (_, i) => Buffer.from(`row ${i} `.repeat(1 + (i % 5))));
  const payload = Buffer.concat(rows);
  const after = Buffer.concat([msg("C", "COPY 40\0"), msg("Z", "I")]);
  const stream = Buffer.concat([
    msg("H", Buffer.from([1, 0, 0])),
    ...rows.slice(0, 20).map((r) => msg("d", r)),
    msg("N", "a notice inside the COPY\0"),
    ...rows.slice(20).map((r) => msg("d", r)),
    msg("c"),
    after,
  ]);

  it.each([1, 2, 3, 4, 5, 6, 7, 13, 64, 100_000])("gives the rows' bytes in blocks and hands back what follows CopyDone, the socket cut every %d bytes", async (cut) => {
    const { blocks, handedBack, sent, error } = await feed(stream, cut, 17);
    expect(error).toBeNull();
    expect(sent).toEqual(["COPY (SELECT 1) TO STDOUT (FORMAT binary)"]);
    expect(blocks.slice(0, -1).every((b) => b.length === 17)).toBe(true);
    expect(Buffer.concat(blocks).equals(payload)).toBe(true);
    expect(handedBack.equals(after)).toBe(true);
  });

  it.each([1, 3, 5, 64])("hands an ErrorResponse back to pg whole (cut every %d bytes) and raises pg's error", async (cut) => {
    const error = Buffer.concat([msg("E", "SERROR\0C22012\0Mdivision by zero\0\0"), msg("Z", "I")]);
    const bytes = Buffer.concat([msg("H", Buffer.from([1, 0, 0])), msg("d", "abc"), error]);
    const { handedBack, error: failed } = await feed(bytes, cut, 1024, (q) => q.handleError(new Error("division by zero")));
    expect(failed?.message).toBe("division by zero");
    // What pg gets back starts at the error's code byte.
    expect(handedBack.equals(error)).toBe(true);
  });

  it("refuses a message whose length is shorter than the length itself, and reads no further", async () => {
    const bad = Buffer.concat([msg("d", "abc"), Buffer.from([0x64, 0, 0, 0, 2]), msg("d", "def"), msg("c")]);
    const { error, handedBack } = await feed(bad, 64, 1024);
    expect(error?.message).toMatch(/COPY stream is malformed: a message 'd' of length 2/);
    expect(handedBack.length).toBe(0);
  });

  it("refuses a connection whose socket pg does not listen to in the usual way", () => {
    const s = new PassThrough();
    expect(() => new PgCopyOut("x", 16).submit({ stream: s, query: () => {} })).toThrow(/data listeners/);
  });
});

describe("PgCopyOut on a PostgreSQL server", () => {
  let server: PostgresServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ connectionString: server.url("postgres") });
    await client.connect();
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  const sql = "COPY (SELECT x, repeat('n', x % 300)::bytea, x::float8 / 3 FROM generate_series(1, 200000) x ORDER BY x) TO STDOUT (FORMAT binary)";

  it("gives copy-to's bytes, in blocks of the size asked, and the connection takes the next query", async () => {
    const expected: Buffer[] = [];
    for await (const c of client.query(copyTo(sql))) expected.push(c as Buffer);
    const q = new PgCopyOut(sql, 100_000);
    void client.query(q as unknown as pg.Submittable);
    const blocks: Buffer[] = [];
    for await (const b of q.blocks()) blocks.push(b);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.slice(0, -1).every((b) => b.length === 100_000)).toBe(true);
    expect(Buffer.concat(blocks).equals(Buffer.concat(expected))).toBe(true);
    expect(q.rowCount).toBe(200_000);
    expect((await client.query("SELECT 41 + 1 AS n")).rows).toEqual([{ n: 42 }]);
  });

  it("raises the server's error met mid-stream, after rows came, and the connection takes the next query", async () => {
    const q = new PgCopyOut("COPY (SELECT 1 / (100000 - x) FROM generate_series(1, 200000) x) TO STDOUT (FORMAT binary)", 4096);
    void client.query(q as unknown as pg.Submittable);
    let bytes = 0;
    await expect(
      (async () => {
        for await (const b of q.blocks()) bytes += b.length;
      })(),
    ).rejects.toThrow("division by zero");
    expect(bytes).toBeGreaterThan(0);
    expect((await client.query("SELECT 6 * 7 AS n")).rows).toEqual([{ n: 42 }]);
  });

  it("raises the loss of the connection mid-stream", async () => {
    const other = new pg.Client({ connectionString: server.url("postgres") });
    await other.connect();
    other.on("error", () => {});
    const pid = (await other.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    const q = new PgCopyOut("COPY (SELECT x, pg_sleep(CASE WHEN x = 50000 THEN 5 ELSE 0 END) FROM generate_series(1, 100000) x) TO STDOUT (FORMAT binary)", 4096);
    void other.query(q as unknown as pg.Submittable);
    const read = (async () => {
      for await (const b of q.blocks()) void b;
    })();
    await new Promise((r) => setTimeout(r, 500));
    await client.query("SELECT pg_terminate_backend($1)", [pid]);
    await expect(read).rejects.toThrow();
  });
});
