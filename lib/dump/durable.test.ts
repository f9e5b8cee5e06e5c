// A dump or a file-backend backup counts as written only once it is on disk: FILE.tmp synced,
// renamed, then its directory synced, in that order. The file system calls are recorded by a
// pass-through mock (a crash cannot be simulated here; the order of the calls is the contract).
// A big dump is flushed in the background as it is written, and a failed flush fails the commit.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../test/support/temp-dir";

const calls: string[] = [];
/** Set to make the mock's background flushes (datasync) fail with it. */
let datasyncFailure: Error | null = null;

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof real.open = async (file, ...rest) => {
    const fh = await real.open(file, ...rest);
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      calls.push(`sync ${String(file)}`);
      return sync();
    };
    const datasync = fh.datasync.bind(fh);
    fh.datasync = async () => {
      calls.push(`datasync ${String(file)}`);
      if (datasyncFailure) throw datasyncFailure;
      return datasync();
    };
    return fh;
  };
  const rename: typeof real.rename = async (from, to) => {
    calls.push(`rename ${String(from)} -> ${String(to)}`);
    return real.rename(from, to);
  };
  return { ...real, default: { ...real, open, rename }, open, rename };
});

const { openDumpOutput, WRITEBACK_BYTES } = await import("./output");
const { FileStore } = await import("../storage/file");

beforeEach(() => {
  calls.length = 0;
  datasyncFailure = null;
});

/** `bytes` written in 1 MiB pieces, waiting when the stream asks to (as the dump's writers do). */
async function writeMiB(stream: NodeJS.WritableStream, bytes: number): Promise<void> {
  const piece = Buffer.alloc(1 << 20, 0x61);
  for (let n = 0; n < bytes; n += piece.length) {
    if (!stream.write(piece)) await new Promise((r) => stream.once("drain", r));
  }
}

describe("durable writes", () => {
  it("a dump file: FILE.tmp synced, renamed to FILE, then the directory synced", async () => {
    const dir = tempDir("jfsmeta-durable-");
    const file = path.join(dir, "dump.json");
    const out = await openDumpOutput(file);
    out.stream.write("{}\n");
    await out.commit();
    expect(calls).toEqual([`sync ${file}.tmp`, `rename ${file}.tmp -> ${file}`, `sync ${dir}`]);
    expect(readFileSync(file, "utf8")).toBe("{}\n");
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it("a big dump file is flushed in the background as it is written, then synced, renamed and its directory synced", async () => {
    const dir = tempDir("jfsmeta-durable-");
    const file = path.join(dir, "dump.bin");
    const out = await openDumpOutput(file);
    await writeMiB(out.stream, 3 * WRITEBACK_BYTES);
    await out.commit();
    const flushes = calls.filter((c) => c === `datasync ${file}.tmp`).length;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(calls.slice(flushes)).toEqual([`sync ${file}.tmp`, `rename ${file}.tmp -> ${file}`, `sync ${dir}`]);
  });

  it("a dump written as the writers feed it (never filling the stream) is flushed in the background too", async () => {
    const dir = tempDir("jfsmeta-durable-");
    const file = path.join(dir, "dump.json");
    const out = await openDumpOutput(file);
    const piece = Buffer.alloc(256 << 10, 0x61);
    for (let n = 0; n < 3 * WRITEBACK_BYTES; n += piece.length) {
      expect(out.stream.write(piece)).toBe(true);
      await new Promise((r) => setImmediate(r)); // the writers' turn of the event loop (feed.ts)
      while (out.stream.writableLength > 2 * piece.length) await new Promise((r) => setTimeout(r, 1));
    }
    await out.commit();
    const flushes = calls.filter((c) => c === `datasync ${file}.tmp`).length;
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(calls.slice(flushes)).toEqual([`sync ${file}.tmp`, `rename ${file}.tmp -> ${file}`, `sync ${dir}`]);
  });

  it("a background flush that fails fails the commit: no FILE, and the error is told (the final fsync may not see it again)", async () => {
    const dir = tempDir("jfsmeta-durable-");
    const file = path.join(dir, "dump.bin");
    const out = await openDumpOutput(file);
    datasyncFailure = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    await writeMiB(out.stream, 3 * WRITEBACK_BYTES);
    await expect(out.commit()).rejects.toThrow(/EIO/);
    expect(calls.some((c) => c.startsWith("rename"))).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false); // removed, as a failed dump's is
    await out.abort(); // what the CLI does after a failed commit: nothing left to do
  });

  it("an object in the file storage backend: the same order", async () => {
    const dir = tempDir("jfsmeta-durable-");
    const store = new FileStore(dir);
    await store.put("vol/meta/dump-2026-01-01-000000.json.gz", Readable.from([Buffer.from("backup")]));
    const final = path.join(dir, "vol/meta/dump-2026-01-01-000000.json.gz");
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatch(new RegExp(`^sync ${final}\\.\\d+-\\d+\\.tmp$`));
    expect(calls[1]).toMatch(new RegExp(`^rename ${final}\\.\\d+-\\d+\\.tmp -> ${final}$`));
    expect(calls[2]).toBe(`sync ${path.dirname(final)}`);
    expect(readFileSync(final, "utf8")).toBe("backup");
  });
});
