import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { golden } from "../../test/support/fixtures";
import { readDumpToTree } from "../../test/support/dump-tree";
import type { Attr, DumpNode } from "../jfs/types";
import { OutputFeed, YIELD_BYTES } from "./feed";
import { OUTPUT_BUFFER } from "./output";
import { JsonDumpWriter } from "./writer";
import { BinaryDumpWriter } from "./binary/writer";

/**
 * A stream like a file's: OUTPUT_BUFFER of highWaterMark, each write finished on the event
 * loop (as libuv's pool reports it). Records when each write began, in bytes handed over so far.
 */
function fileLike() {
  let handed = 0;
  const starts: number[] = [];
  let drains = 0;
  const stream = new Writable({
    highWaterMark: OUTPUT_BUFFER,
    writev(chunks, done) {
      starts.push(handed);
      setImmediate(done);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Buffer, ...rest: never[]) => {
    handed += chunk.length;
    return write(chunk, ...rest);
  }) as typeof stream.write;
  stream.on("drain", () => drains++);
  return { stream, starts, handed: () => handed, drains: () => drains };
}

const attr = (inode: bigint): Attr => ({
  inode, flags: 0, type: "regular", mode: 420, uid: 0, gid: 0, atime: 1n, mtime: 2n, ctime: 3n,
  atimensec: 0, mtimensec: 0, ctimensec: 0, nlink: 1, length: 0n, rdev: 0, tier: 0,
});
const leaf = (inode: bigint): DumpNode => ({ attr: attr(inode), xattrs: [], chunks: [] });

describe("OutputFeed", () => {
  it("takes a turn of the event loop every YIELD_BYTES, and waits for nothing else while the stream keeps up", async () => {
    const f = fileLike();
    const feed = new OutputFeed(f.stream);
    const piece = Buffer.alloc(64 << 10);
    let turns = 0;
    for (let n = 0; n < 8 * YIELD_BYTES; n += piece.length) {
      feed.write(piece);
      const wait = feed.pace();
      if (wait) {
        turns++;
        await wait;
      }
    }
    expect(turns).toBe(8);
    expect(f.drains()).toBe(0);
    // A write began at each turn, not only when the writer stopped at the end.
    expect(f.starts.length).toBeGreaterThanOrEqual(8);
  });

  it("waits for 'drain' when the stream holds its highWaterMark, and a stream error rejects that wait", async () => {
    const slow = new Writable({ highWaterMark: 1024, write: (_c, _e, done) => setTimeout(done, 5) });
    const feed = new OutputFeed(slow);
    feed.write(Buffer.alloc(4096));
    expect(feed.due).toBe(true);
    await feed.pace(); // drained: the write finished
    expect(slow.writableLength).toBe(0);

    const failing = new Writable({ highWaterMark: 1024, write: (_c, _e, done) => setTimeout(() => done(new Error("EIO: i/o error, write")), 1) });
    failing.on("error", () => {});
    const feed2 = new OutputFeed(failing);
    feed2.write(Buffer.alloc(4096));
    await expect(feed2.pace()).rejects.toThrow(/EIO/);

    // A write that fails at once: its error is the stream's before the 'error' event comes.
    const full = new Writable({ write: (_c, _e, done) => done(new Error("ENOSPC: no space left on device, write")) });
    full.on("error", () => {});
    const feed3 = new OutputFeed(full);
    feed3.write(Buffer.alloc(10));
    expect(feed3.due).toBe(true);
    await expect(feed3.drained()).rejects.toThrow(/ENOSPC/);
  });
});

/** A volume of `files` plain files written by `w` into a fileLike stream; what the stream saw. */
async function writeVolume(make: (out: NodeJS.WritableStream) => JsonDumpWriter | BinaryDumpWriter, files: number) {
  const f = fileLike();
  const w = make(f.stream);
  await w.header((await readDumpToTree(golden("metadata-sub.sample"))).header);
  await w.beginDir("FSTree", { ...leaf(1n), attr: { ...attr(1n), type: "directory", nlink: 2 } });
  for (let i = 0; i < files; i++) await w.leaf(Buffer.from(`f${i}`), leaf(BigInt(i + 2)));
  await w.endDir();
  const trash = 9223372036854775807n;
  await w.beginDir("Trash", { ...leaf(trash), attr: { ...attr(trash), type: "directory", nlink: 2 } });
  await w.endDir();
  await w.end();
  return f;
}

describe("OutputFeed after the stream drained unseen", () => {
  it("does not wait for a 'drain' the stream emitted while the writer awaited something else", async () => {
    const out = new Writable({ highWaterMark: 1024, write: (_c, _e, done) => setImmediate(done) });
    const feed = new OutputFeed(out);
    feed.write(Buffer.alloc(4096)); // the stream asks to wait…
    await new Promise((r) => setTimeout(r, 20)); // …and drains while the writer reads its engine
    expect(feed.due).toBe(false);
    expect(feed.pace()).toBeUndefined();
    expect(feed.drained()).toBeUndefined();
  });
});

describe("dump writers through the feed", () => {
  // Writes began all along: one at least every two turns' worth of output. Waiting for 'drain'
  // alone, a write began only each time the stream was full (OUTPUT_BUFFER).
  it("the JSON writer's output is written while it renders, not a buffer at a time after it stops", async () => {
    const f = await writeVolume((out) => new JsonDumpWriter(out), 40_000);
    expect(f.handed()).toBeGreaterThan(8 * YIELD_BYTES);
    expect(f.starts.length).toBeGreaterThanOrEqual(Math.floor(f.handed() / (2 * YIELD_BYTES)));
    expect(f.drains()).toBe(0);
  });

  it("the binary writer's output too", async () => {
    const f = await writeVolume((out) => new BinaryDumpWriter(out), 60_000);
    expect(f.handed()).toBeGreaterThan(4 * YIELD_BYTES);
    expect(f.starts.length).toBeGreaterThanOrEqual(Math.floor(f.handed() / (2 * YIELD_BYTES)));
    expect(f.drains()).toBe(0);
  });
});
