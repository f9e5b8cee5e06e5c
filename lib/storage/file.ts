// Storage `file`: the Bucket is a local directory; key K is the file Bucket + K.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, opendir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { renameDurably } from "../dump/durable";
import { StorageError, type ByteRange, type ObjectInfo, type ObjectStore } from "./store";
import { wrapError } from "../jfs/errors";

export class FileStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    if (!path.isAbsolute(root)) throw new StorageError(`file storage needs an absolute directory, got "${root}"`, "usage");
    this.root = root.endsWith("/") ? root : root + "/";
  }

  describe(): string {
    return `file://${this.root}`;
  }

  private pathOf(key: string): string {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(this.root) && p + "/" !== this.root) throw new StorageError(`key "${key}" leaves the storage directory`, "usage");
    return p;
  }

  async *listRaw(prefix: string): AsyncIterable<ObjectInfo> {
    // Start at the deepest directory the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf("/");
    const startDir = slash >= 0 ? prefix.slice(0, slash + 1) : "";
    try {
      await stat(this.root);
    } catch (err) {
      throw new StorageError(`the storage directory ${this.root} does not exist: create it or fix the volume's Bucket`, "not-found", { cause: err });
    }
    yield* this.walk(startDir, prefix);
  }

  private async *walk(rel: string, prefix: string): AsyncIterable<ObjectInfo> {
    let dir;
    try {
      dir = await opendir(path.join(this.root, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw err;
    }
    for await (const d of dir) {
      const key = rel + d.name;
      if (d.isDirectory()) {
        if ((key + "/").startsWith(prefix) || prefix.startsWith(key + "/")) yield* this.walk(key + "/", prefix);
      } else if (d.isFile() && key.startsWith(prefix)) {
        const st = await stat(path.join(this.root, key)).catch(() => null); // deleted since listed: not there
        if (st) yield { key, size: st.size, lastModified: st.mtime };
      }
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.pathOf(key);
    try {
      await stat(p);
    } catch (err) {
      throw new StorageError(`object ${key} not found in ${this.describe()}`, "not-found", { cause: err });
    }
    return createReadStream(p, range ? { start: range.start, end: range.end } : undefined);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const st = await stat(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ENOTDIR") return null; // not there: head's answer
      throw wrapError(`cannot read ${key} in ${this.describe()}`, err);
    });
    return st && st.isFile() ? { key, size: st.size, lastModified: st.mtime } : null;
  }

  async put(key: string, body: Readable | Buffer): Promise<void> {
    const p = this.pathOf(key);
    await mkdir(path.dirname(p), { recursive: true });
    // Write beside the target and rename, so a reader never sees half an object; synced first,
    // so that a crash never leaves a backup whose name is there and whose data is not.
    const tmp = `${p}.${process.pid}-${Date.now()}.tmp`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp, { mode: 0o600 }));
      await renameDurably(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
