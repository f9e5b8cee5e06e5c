import {
  MAGIC_BYTES,
  looksLikeBinaryDump,
  sniffCompression
} from "./chunk-ZFPZGAM2.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/dump/input.ts
import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { DecompressStream } from "zstd-napi";
var DumpInputError = class extends JfsError {
  constructor(message, kind = "corrupt-input", options) {
    super(kind, message, options);
  }
};
async function* decompressed(kind, head, rest, name) {
  const decoder = kind === "gzip" ? createGunzip() : new DecompressStream();
  let fed = 0;
  async function* counted() {
    for await (const chunk of plain(head, rest)) {
      fed += chunk.length;
      yield chunk;
    }
  }
  const source = Readable.from(counted(), { objectMode: false });
  let sourceFailure = null;
  source.on("error", (e) => {
    sourceFailure = e;
    decoder.destroy(e);
  });
  source.pipe(decoder);
  try {
    for await (const chunk of decoder) yield chunk;
  } catch (e) {
    if (e === sourceFailure) throw e;
    const at = decoder.bytesWritten ?? fed;
    throw new DumpInputError(
      `${name}: ${kind} data is truncated or corrupt at compressed byte ${at} (${e.message}); the backup is incomplete`,
      "corrupt-input",
      { cause: e }
    );
  } finally {
    source.destroy();
  }
}
async function* plain(head, rest) {
  try {
    if (head.length) yield head;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}
async function peek(input, n) {
  const it = input[Symbol.asyncIterator]();
  const rest = {
    next: async () => {
      const r = await it.next();
      return r.done ? r : { done: false, value: typeof r.value === "string" ? Buffer.from(r.value) : r.value };
    },
    return: async () => it.return ? await it.return() : { done: true, value: void 0 }
  };
  const parts = [];
  let size = 0;
  while (size < n) {
    const r = await rest.next();
    if (r.done) break;
    parts.push(r.value);
    size += r.value.length;
  }
  return { head: Buffer.concat(parts), rest };
}
async function openDumpInput(source) {
  const name = typeof source === "string" ? source : source === void 0 ? "stdin" : "the input";
  const stream = typeof source === "string" ? createReadStream(source, { highWaterMark: 1 << 20 }) : source ?? process.stdin;
  const { head, rest } = await peek(stream, MAGIC_BYTES);
  const compression = sniffCompression(head);
  const bytes = compression === "none" ? plain(head, rest) : decompressed(compression, head, rest, name);
  return Readable.from(bytes, { objectMode: false });
}
async function detectDumpFormat(input) {
  const { head, rest } = await peek(input, MAGIC_BYTES);
  return { format: looksLikeBinaryDump(head) ? "binary" : "json", input: Readable.from(plain(head, rest), { objectMode: false }) };
}
var ByteCounter = class extends Transform {
  constructor(onBytes) {
    super();
    this.onBytes = onBytes;
  }
  onBytes;
  bytes = 0;
  _transform(chunk, _enc, cb) {
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }
};

export {
  DumpInputError,
  openDumpInput,
  detectDumpFormat,
  ByteCounter
};
