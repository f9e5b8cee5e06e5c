// Opening a dump for reading: a file, stdin or a stream, decompressed by its magic bytes.
// JuiceFS decides by the file suffix (and never decompresses stdin); sniffing the bytes makes
// `dump.json.gz` renamed to `dump.json`, or gzip or zstd piped through stdin, just work.
import { createReadStream } from "node:fs";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { DecompressStream } from "zstd-napi";
import { looksLikeBinaryDump, MAGIC_BYTES, sniffCompression } from "./magic";
import { JfsError } from "../jfs/errors";

/** Thrown for corrupt or truncated compressed input. */
export class DumpInputError extends JfsError {
  constructor(message: string, kind: "corrupt-input" | "unsupported" = "corrupt-input", options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/**
 * The decompressed bytes of head + rest. gzip is Node's zlib; zstd is zstd-napi (libzstd's
 * streaming API), chosen over fzstd by measurement (see the README). Both fail at the end of
 * a cut-short stream, so a truncated backup never passes for a short dump. Errors of the
 * input itself (a file read, a lost connection) are passed on as they are.
 */
async function* decompressed(
  kind: "gzip" | "zstd",
  head: Buffer,
  rest: AsyncIterator<Buffer>,
  name: string,
): AsyncGenerator<Buffer> {
  const decoder: Transform = kind === "gzip" ? createGunzip() : new DecompressStream();
  let fed = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of plain(head, rest)) {
      fed += chunk.length;
      yield chunk;
    }
  }
  const source = Readable.from(counted(), { objectMode: false });
  let sourceFailure: unknown = null;
  source.on("error", (e) => {
    sourceFailure = e;
    decoder.destroy(e);
  });
  source.pipe(decoder);
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } catch (e) {
    if (e === sourceFailure) throw e;
    // zlib counts the compressed bytes it took in; for zstd, those handed to it bound the place.
    const at = (decoder as { bytesWritten?: number }).bytesWritten ?? fed;
    throw new DumpInputError(
      `${name}: ${kind} data is truncated or corrupt at compressed byte ${at} (${(e as Error).message}); the backup is incomplete`,
      "corrupt-input",
      { cause: e },
    );
  } finally {
    source.destroy();
  }
}

/** The peeked head, then the rest; stopping early closes the underlying input. */
async function* plain(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    if (head.length) yield head;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}

/** Reads the first `n` bytes (fewer if the input is shorter) and what is left, as Buffers. */
async function peek(input: AsyncIterable<Buffer | string>, n: number): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const rest: AsyncIterator<Buffer> = {
    next: async () => {
      const r = await it.next();
      return r.done ? r : { done: false, value: typeof r.value === "string" ? Buffer.from(r.value) : r.value };
    },
    return: async () => (it.return ? ((await it.return()) as IteratorResult<Buffer>) : { done: true, value: undefined }),
  };
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = await rest.next();
    if (r.done) break;
    parts.push(r.value);
    size += r.value.length;
  }
  return { head: Buffer.concat(parts), rest };
}

/**
 * Opens a dump: `source` is a path, undefined for stdin, or a stream. gzip (1f 8b) and zstd
 * (28 b5 2f fd) are decompressed, whatever the name says. JSON and binary dumps both pass;
 * detectDumpFormat tells them apart. A truncated gzip or zstd stream raises DumpInputError
 * when its end is reached, never a silently short dump.
 */
export async function openDumpInput(source: string | undefined | NodeJS.ReadableStream): Promise<Readable> {
  const name = typeof source === "string" ? source : source === undefined ? "stdin" : "the input";
  // 1 MiB reads: a 64 KiB default made a 1M-file dump 7,400 reads through the stream layers.
  const stream: NodeJS.ReadableStream = typeof source === "string" ? createReadStream(source, { highWaterMark: 1 << 20 }) : (source ?? process.stdin);
  const { head, rest } = await peek(stream as AsyncIterable<Buffer | string>, MAGIC_BYTES);
  const compression = sniffCompression(head);
  const bytes = compression === "none" ? plain(head, rest) : decompressed(compression, head, rest, name);
  return Readable.from(bytes, { objectMode: false });
}

export type DumpFormat = "json" | "binary";

/**
 * Tells a JSON dump from a binary one by its first (decompressed) bytes, without consuming
 * anything: the returned stream yields every byte, the peeked ones first. JuiceFS needs
 * `--binary` to be told, and crashes when told wrong.
 */
export async function detectDumpFormat(input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream): Promise<{ format: DumpFormat; input: Readable }> {
  const { head, rest } = await peek(input as AsyncIterable<Buffer | string>, MAGIC_BYTES);
  return { format: looksLikeBinaryDump(head) ? "binary" : "json", input: Readable.from(plain(head, rest), { objectMode: false }) };
}

/**
 * A pass-through that counts the bytes flowing through it, for the progress of an input whose
 * size is known; `onBytes` (optional) hears the running total after each chunk.
 */
export class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
}
