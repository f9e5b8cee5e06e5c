// Opening a dump for reading: a file, stdin or a stream, decompressed by its magic bytes.
// JuiceFS decides by the file suffix (and never decompresses stdin); sniffing the bytes makes
// `dump.json.gz` renamed to `dump.json`, or gzip piped through stdin, just work.
import { createReadStream } from "node:fs";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { looksLikeBinaryDump, MAGIC_BYTES, sniffCompression } from "./magic";
import { JfsError } from "../jfs/errors";

/** Thrown for compressed input this build cannot decode, and for corrupt compressed input. */
export class DumpInputError extends JfsError {
  constructor(message: string, kind: "corrupt-input" | "unsupported" = "corrupt-input", options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/** Hook for zstd input: Node 20 has no zstd decoder (zlib gains one in Node 22.15/23.8). */
function zstdDecoder(name: string): never {
  throw new DumpInputError(
    `${name} is zstd-compressed, which jfsmeta cannot read on Node ${process.versions.node}. ` +
      `Decompress it first (zstd -d -c ${name} > dump.json) or pipe it: zstd -dc ${name} | jfsmeta load META-URL`,
  );
}

async function* gunzipped(head: Buffer, rest: AsyncIterator<Buffer>, name: string): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const source = Readable.from(plain(head, rest), { objectMode: false });
  source.on("error", (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // zlib's own errors all carry a Z_… code (Z_BUF_ERROR for a truncated stream); others pass.
    if (err.code?.startsWith("Z_"))
      throw new DumpInputError(`${name}: gzip data is truncated or corrupt (${err.message}); the backup is incomplete`, "corrupt-input", { cause: err });
    throw e;
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

/** Passes the stream on, refusing a binary dump with a clear message at its first bytes. */
async function* jsonOnly(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (head !== null) {
      head = Buffer.concat([head, chunk]);
      if (head.length < MAGIC_BYTES) continue;
      if (looksLikeBinaryDump(head))
        throw new DumpInputError(`${name} is a JuiceFS binary dump (juicefs dump --binary); jfsmeta reads JSON dumps only`);
      yield head;
      head = null;
      continue;
    }
    yield chunk;
  }
  if (head?.length) yield head;
}

/**
 * Opens a dump: `source` is a path, undefined for stdin, or a stream. gzip (1f 8b) is
 * decompressed; zstd (28 b5 2f fd) is refused with instructions, and so is a binary dump.
 * A truncated gzip stream raises DumpInputError when its end is reached, never a silently
 * short dump.
 */
export async function openDumpInput(source: string | undefined | NodeJS.ReadableStream): Promise<Readable> {
  const name = typeof source === "string" ? source : source === undefined ? "stdin" : "the input";
  const stream: NodeJS.ReadableStream = typeof source === "string" ? createReadStream(source) : (source ?? process.stdin);
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const rest: AsyncIterator<Buffer> = {
    next: async () => {
      const r = await it.next();
      return r.done ? r : { done: false, value: typeof r.value === "string" ? Buffer.from(r.value) : r.value };
    },
    return: async () => (it.return ? ((await it.return()) as IteratorResult<Buffer>) : { done: true, value: undefined }),
  };
  // Read until the magic can be told (or the input ends).
  const parts: Buffer[] = [];
  let size = 0;
  while (size < MAGIC_BYTES) {
    const r = await rest.next();
    if (r.done) break;
    parts.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(parts);
  switch (sniffCompression(head)) {
    case "gzip":
      return Readable.from(jsonOnly(gunzipped(head, rest, name), name), { objectMode: false });
    case "zstd":
      await rest.return?.();
      return zstdDecoder(name);
    case "none":
      return Readable.from(jsonOnly(plain(head, rest), name), { objectMode: false });
  }
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
