// Opening a dump for writing, as `juicefs dump` does: stdout, or FILE.tmp renamed to FILE on
// success (so a failed dump never leaves a partial FILE), compressed by the name as JuiceFS
// does: gzip level 1 for `.gz`, zstd level 1 for `.zstd` (with a frame checksum, so a flipped
// byte in the file is caught when it is read back).
// Unlike JuiceFS, FILE.tmp is fsynced before the rename and its directory after it (durable.ts),
// and flushed to disk in the background as it grows (Writeback), so that last fsync is short.
import fs, { createWriteStream } from "node:fs";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { finished } from "node:stream/promises";
import type { Transform, Writable } from "node:stream";
import { constants, createGzip } from "node:zlib";
import { CompressStream } from "zstd-napi";
import type { Compression } from "./magic";

/** The compression JuiceFS applies for a dump file name. */
export function compressionForName(file: string): Compression {
  if (file.endsWith(".gz")) return "gzip";
  if (file.endsWith(".zstd")) return "zstd";
  return "none";
}

/** A compressing stream for `kind` as jfsmeta writes it (JuiceFS's levels: gzip 1, zstd 1). */
export function createCompressor(kind: "gzip" | "zstd"): Transform {
  return kind === "gzip" ? createGzip({ level: constants.Z_BEST_SPEED }) : new CompressStream({ compressionLevel: 1, checksumFlag: true });
}
import { renameDurably } from "./durable";
import { logIgnored } from "../jfs/errors";

/**
 * Bytes the output file stream holds before write() asks the writer to wait: several of the
 * writers' turns (feed.ts YIELD_BYTES), so that one write in flight and the next one queued do
 * not count as a backlog. At 1 MiB every other turn ended in a wait for 'drain'.
 */
export const OUTPUT_BUFFER = 4 << 20;

/** FILE.tmp is flushed to disk in the background each time this many more bytes are written. */
export const WRITEBACK_BYTES = 16 << 20;

/**
 * The disk writes of a file started while it is still being written: fdatasync on a descriptor
 * of its own (Linux flushes the file whatever descriptor asks), one at a time, in libuv's pool,
 * each time WRITEBACK_BYTES more have been written. Without it the kernel keeps the whole dump
 * dirty in memory (dirty_background_ratio is GBs), and the fsync before the rename wrote all of
 * it after the last byte: 70-80 ms of a 1M-file binary dump's 165 MB, when the dump is over.
 * A failure is kept and thrown by close(): the fsync after it may not see an error another
 * descriptor has already seen, and the promise is that the dump is on disk.
 */
class Writeback {
  private synced = 0;
  private running: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly fh: FileHandle,
    private readonly written: () => number,
  ) {}

  /** Start a flush if WRITEBACK_BYTES have been written since the last one began, and none runs. */
  poke(): void {
    const upTo = this.written();
    if (this.running || this.failure || upTo - this.synced < WRITEBACK_BYTES) return;
    this.synced = upTo;
    this.running = this.fh.datasync().then(
      () => {
        this.running = null;
      },
      (err: unknown) => {
        this.running = null;
        this.failure = err;
      },
    );
  }

  /** Wait for the flush that runs, close the descriptor; throws a flush's failure. */
  async close(): Promise<void> {
    await this.running;
    await this.fh.close();
    if (this.failure) throw this.failure;
  }
}

export interface DumpOutput {
  stream: Writable;
  /** Flushes, closes, syncs to disk and moves the file into place. */
  commit(): Promise<void>;
  /** Stops writing and removes the temporary file. */
  abort(): Promise<void>;
}

export async function openDumpOutput(file: string | undefined): Promise<DumpOutput> {
  if (file === undefined) {
    const stream = process.stdout;
    return {
      stream,
      commit: async () => {
        if (stream.writableNeedDrain) await new Promise((r) => stream.once("drain", r));
      },
      abort: async () => {},
    };
  }
  const tmp = file + ".tmp";
  // OUTPUT_BUFFER taken before the stream asks to wait (16 KiB by default): the file is written
  // while the dump makes more, and pieces waiting meanwhile go in one writev, not a write each.
  // Each finished write may start a background flush (Writeback): the writers seldom fill the
  // stream (feed.ts), so its 'drain' is no clock to go by.
  let writeback: Writeback | undefined;
  const afterWrite =
    <A extends unknown[]>(done: (err: NodeJS.ErrnoException | null, ...rest: A) => void) =>
    (err: NodeJS.ErrnoException | null, ...rest: A) => {
      done(err, ...rest);
      if (!err) writeback?.poke();
    };
  const fileStream = createWriteStream(tmp, {
    highWaterMark: OUTPUT_BUFFER,
    fs: {
      open: fs.open,
      close: fs.close,
      write: (fd: number, b: Buffer, offset: number, length: number, position: number | null, done: (err: NodeJS.ErrnoException | null, n: number, b: Buffer) => void) =>
        fs.write(fd, b, offset, length, position, afterWrite(done)),
      writev: (fd: number, bs: Buffer[], position: number | null, done: (err: NodeJS.ErrnoException | null, n: number, bs: Buffer[]) => void) => fs.writev(fd, bs, position, afterWrite(done)),
    },
  });
  await new Promise<void>((resolve, reject) => {
    fileStream.once("open", () => resolve());
    fileStream.once("error", reject);
  });
  let failure: Error | null = null;
  fileStream.on("error", (e) => (failure ??= e));
  try {
    writeback = new Writeback(await open(tmp, "r"), () => fileStream.bytesWritten);
  } catch (err) {
    fileStream.destroy();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  const flushes = writeback;
  const kind = compressionForName(file);
  const gzip = kind === "none" ? null : createCompressor(kind);
  if (gzip) {
    gzip.on("error", (e) => (failure ??= e));
    gzip.pipe(fileStream);
    fileStream.on("error", (e) => gzip.destroy(e)); // writes to gzip then fail too
  }
  const stream: Writable = gzip ?? fileStream;
  let settled = false;
  return {
    stream,
    async commit() {
      if (settled) throw new Error("dump output already committed or aborted");
      settled = true;
      try {
        stream.end();
        await finished(fileStream).finally(() => flushes.close());
        if (failure) throw failure;
        await renameDurably(tmp, file);
      } catch (err) {
        // Not written (a full disk, a failed flush or fsync): FILE.tmp goes too, as abort()
        // would remove it. Once renamed (only the directory's sync failed) there is no FILE.tmp.
        gzip?.destroy();
        fileStream.destroy();
        await unlink(tmp).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== "ENOENT") logIgnored(`removing ${tmp} after a failed commit`, e);
        });
        throw err;
      }
    },
    async abort() {
      if (settled) return;
      settled = true;
      gzip?.destroy();
      fileStream.destroy();
      await flushes.close().catch(() => {}); // the dump failed already: its error is the one told
      await unlink(tmp).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOENT") throw e;
      });
    },
  };
}
