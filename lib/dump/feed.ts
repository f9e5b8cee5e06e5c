// How a dump writer hands its bytes to the output stream and when it waits.
//
// A writer renders synchronously: between two write() calls the event loop never runs, so the
// stream only learns that its write to the file finished when the writer stops. Waiting for
// 'drain' each time the stream's buffer filled therefore meant the file was written while the
// writer stood still, a whole buffer at a time: at 1M files, 438 waits of 1.4 ms each, 0.6 s of
// the JSON dump's main thread idle (`jfsmeta convert` binary to JSON, cli-timed). Instead the
// writer lets the event loop take a turn every YIELD_BYTES (the stream starts its next write,
// which then runs beside the rendering in libuv's pool), and waits for 'drain' only when the
// stream holds its highWaterMark: a real backlog, the disk or the pipe slower than the dump.
import { once } from "node:events";
import type { Writable } from "node:stream";
import { setImmediate as turn } from "node:timers/promises";

/** Bytes handed over between two turns of the event loop (well under output.ts's OUTPUT_BUFFER). */
export const YIELD_BYTES = 512 << 10;

/**
 * One per writer and stream. The writer calls write() for each piece and awaits pace() where
 * it may wait (after an entry): the stream's 'drain' if it asks to wait now, else a turn of the
 * event loop every YIELD_BYTES, else nothing. Whether the stream asks is its own state
 * (writableNeedDrain), not a flag kept from write(): a writer that awaits other things between
 * its writes (the tree walk's reads) lets the stream drain meanwhile, and a 'drain' already
 * emitted never comes again. A stream that failed (its write's error is set at once, the
 * 'error' event comes a tick later) rejects pace() and drained() with that error, as does a
 * failure during the drain's wait; the writer keeps its own error listener too.
 */
export class OutputFeed {
  private sinceTurn = 0;
  private readonly out: Writable;

  constructor(out: NodeJS.WritableStream) {
    this.out = out as Writable;
  }

  write(piece: Buffer): void {
    this.out.write(piece);
    this.sinceTurn += piece.length;
  }

  /** Whether pace() would wait or fail (it returns a promise exactly then). */
  get due(): boolean {
    return this.out.writableNeedDrain || this.sinceTurn >= YIELD_BYTES || !!this.out.errored;
  }

  pace(): Promise<unknown> | undefined {
    if (this.out.errored) return Promise.reject(this.out.errored);
    if (this.out.writableNeedDrain) {
      this.sinceTurn = 0;
      return once(this.out, "drain"); // rejects if the stream errors meanwhile
    }
    if (this.sinceTurn >= YIELD_BYTES) {
      this.sinceTurn = 0;
      return turn();
    }
    return undefined;
  }

  /** The wait before the end: the stream's 'drain' if it asks for one. */
  drained(): Promise<unknown> | undefined {
    this.sinceTurn = 0;
    if (this.out.errored) return Promise.reject(this.out.errored);
    return this.out.writableNeedDrain ? once(this.out, "drain") : undefined;
  }
}
