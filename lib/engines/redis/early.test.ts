// readAhead: a snapshot's chunks taken off the socket before anyone reads them, up to a limit,
// then handed over in order, once each, followed by the rest; errors and close reach the reader.
import { describe, expect, it } from "vitest";
import { readAhead } from "./early";
import type { RdbTransfer } from "./sync";

/** A transfer of `n` chunks of 100 bytes ("0", "1", … repeated), counting the chunks pulled from it. */
function fakeTransfer(n: number, opts: { gate?: () => Promise<void>; failAt?: number } = {}) {
  const state = { pulled: 0, closed: false };
  // As sync.ts's: ending the iteration, however it ends, closes the connection.
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (let i = 0; i < n; i++) {
        await opts.gate?.();
        state.pulled++;
        if (i === opts.failAt) throw new Error("connection reset");
        yield Buffer.alloc(100, String(i % 10));
      }
    } finally {
      t.close();
    }
  }
  const t: RdbTransfer = { eofMark: null, length: n * 100, startedAt: new Date(), chunks: chunks(), close: () => (state.closed = true) };
  return { t, state };
}

const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

async function readAll(t: RdbTransfer): Promise<string> {
  const parts: string[] = [];
  for await (const c of t.chunks) parts.push(c.toString("latin1", 0, 1));
  return parts.join("");
}

describe("readAhead", () => {
  it("takes chunks up to its limit before the first read, then hands them over in order, then the rest", async () => {
    const { t, state } = fakeTransfer(10);
    const ahead = readAhead(t, 300);
    await ticks();
    expect(state.pulled).toBe(3);
    expect(await readAll(ahead)).toBe("0123456789");
    expect(state.closed).toBe(true);
  });

  it("a chunk being fetched when the reader starts is read once, in its place", async () => {
    let open: () => void = () => {};
    const gate = () => new Promise<void>((r) => (open = r));
    const { t, state } = fakeTransfer(4, { gate });
    const ahead = readAhead(t, 1 << 20);
    await ticks();
    open(); // chunk 0 arrives
    await ticks();
    expect(state.pulled).toBe(1); // chunk 1 is being fetched
    const it = ahead.chunks[Symbol.asyncIterator]();
    const first = it.next();
    open();
    expect((await first).value!.toString("latin1", 0, 1)).toBe("0");
    const rest: string[] = [];
    for (;;) {
      const r = it.next();
      await ticks();
      open();
      const v = await r;
      if (v.done) break;
      rest.push(v.value.toString("latin1", 0, 1));
    }
    expect(rest.join("")).toBe("123");
  });

  it("a reader that stops early closes the transfer", async () => {
    const { t, state } = fakeTransfer(10);
    const ahead = readAhead(t, 300);
    await ticks();
    for await (const c of ahead.chunks) if (c[0] === 0x31) break;
    expect(state.closed).toBe(true);
  });

  it("a failure while taking chunks ahead reaches the reader after the chunks before it", async () => {
    const { t, state } = fakeTransfer(5, { failAt: 2 });
    const ahead = readAhead(t, 1 << 20);
    await ticks();
    const parts: string[] = [];
    await expect(
      (async () => {
        for await (const c of ahead.chunks) parts.push(c.toString("latin1", 0, 1));
      })(),
    ).rejects.toThrow(/connection reset/);
    expect(parts.join("")).toBe("01");
    expect(state.closed).toBe(true);
  });
});
