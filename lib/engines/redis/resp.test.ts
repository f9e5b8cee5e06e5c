// The RESP parser must cope with replies split anywhere across socket reads.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CommandBuffer, RespConnection, RespError } from "./resp";

let server: net.Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A server that answers each received command batch with `reply`, one byte per write. */
async function tricklingServer(reply: Buffer): Promise<number> {
  server = net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.once("data", async () => {
      for (let i = 0; i < reply.length; i++) {
        sock.write(reply.subarray(i, i + 1));
        if (i % 7 === 0) await new Promise((r) => setImmediate(r));
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

describe("RespConnection", () => {
  it("parses nested, null, integer, error and binary replies delivered byte by byte", async () => {
    const bin = Buffer.from([0, 13, 10, 255]);
    const reply = Buffer.concat([
      Buffer.from("*3\r\n$4\r\n"), bin, Buffer.from("\r\n*2\r\n:-12\r\n$-1\r\n*0\r\n"),
      Buffer.from("+OK\r\n"),
      Buffer.from("-ERR wrong\r\n"),
      Buffer.from(":1234567\r\n"),
    ]);
    const port = await tricklingServer(reply);
    const conn = await RespConnection.connect({ host: "127.0.0.1", port });
    const cmds = new CommandBuffer();
    for (let i = 0; i < 4; i++) cmds.add(["PING"]);
    const replies = await conn.send(cmds);
    expect(replies[0]).toEqual([bin, [-12, null], []]);
    expect(replies[1]).toBe("OK");
    expect(replies[2]).toBeInstanceOf(RespError);
    expect((replies[2] as RespError).message).toBe("ERR wrong");
    expect(replies[3]).toBe(1234567);
    conn.close();
  });

  it("encodes commands as RESP arrays of bulk strings", () => {
    const c = new CommandBuffer();
    c.add(["SET", "k", Buffer.from([0, 1]), 12345, 7n, "é"]);
    expect(c.count).toBe(1);
    expect(c.take().toString("latin1")).toBe("*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\x00\x01\r\n$5\r\n12345\r\n$1\r\n7\r\n$2\r\n\xc3\xa9\r\n");
  });

  it("rejects pending commands when the connection drops", async () => {
    server = net.createServer((sock) => sock.once("data", () => sock.destroy()));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const conn = await RespConnection.connect({ host: "127.0.0.1", port: (server.address() as net.AddressInfo).port });
    const cmds = new CommandBuffer();
    cmds.add(["PING"]);
    await expect(conn.send(cmds)).rejects.toThrow(/closed|ECONNRESET/);
  });
});

describe("CommandBuffer", () => {
  it("a command given argument by argument (begin, arg, bytes of a range) is the bytes add() makes of it", () => {
    const value = Buffer.from([0, 13, 10, 255, ...Buffer.from("x".repeat(200))]);
    const a = new CommandBuffer();
    a.add(["RPUSH", "c12_0", value.subarray(1, 4), value.subarray(0, 204), 42n, "é"]);
    const b = new CommandBuffer();
    b.begin(6);
    b.arg("RPUSH");
    b.arg("c12_0");
    b.bytes(value, 1, 4);
    b.bytes(value, 0, 204);
    b.arg(42n);
    b.arg("é");
    expect(b.count).toBe(1);
    expect(b.take().toString("hex")).toBe(a.take().toString("hex"));
  });

  it("numbered arguments and slots are the bytes add() makes of the same strings and bytes", () => {
    const a = new CommandBuffer();
    const b = new CommandBuffer();
    for (const [n, m] of [[0, -1], [7, 0], [123456789, 42], [2 ** 53 - 1, 2 ** 32 - 1], [10, 10]]) {
      const entry = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      a.add(["HSET", m < 0 ? `{3}d${n}` : `{3}c${n}_${m}`, entry]);
      b.begin(3);
      b.arg("HSET");
      b.numberedArg(m < 0 ? "{3}d" : "{3}c", n, m);
      const at = b.slot(9);
      entry.copy(b.buffer, at);
    }
    // Past the first allocation: slots and numbered arguments grow the buffer as they need.
    for (let i = 0; i < 3000; i++) {
      a.add(["SET", `i${i}`, Buffer.alloc(9, i & 0xff)]);
      b.begin(3);
      b.arg("SET");
      b.numberedArg("i", i);
      b.buffer.fill(i & 0xff, b.slot(9), b.length - 2);
    }
    expect(b.length).toBeGreaterThan(16 * 1024);
    expect(b.take().toString("hex")).toBe(a.take().toString("hex"));
  });
});
