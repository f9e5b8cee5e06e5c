// Object stores, in the spirit of JuiceFS's pkg/object: a small interface, one implementation
// per backend (file.ts, s3.ts), and wrappers (volume prefix). Listings are sorted here, by
// bytes as Go sorts strings, because some stores (R2, Storj) return pages unsorted.
import type { Readable } from "node:stream";
import { JfsError, type ErrorKind } from "../jfs/errors";

export interface ObjectInfo {
  /** Key relative to the store (after any prefix wrapper). */
  key: string;
  size: number;
  lastModified: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; omitted = to the end. */
  end?: number;
}

export interface ObjectStore {
  /** Where the store points, without secrets (e.g. `s3://bucket/myjfs/`). */
  describe(): string;
  /** Every object whose key starts with `prefix`, in any order; keys ending in "/" are skipped. */
  listRaw(prefix: string): AsyncIterable<ObjectInfo>;
  /** A stream of the object (or of a byte range of it). */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Store a file or stream. `size` when known lets small objects go in one PUT. */
  put(key: string, body: Readable | Buffer, size?: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A clear, actionable storage problem. */
export class StorageError extends JfsError {
  constructor(message: string, kind: ErrorKind, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Every object under `prefix`, sorted by key bytes (the listing JuiceFS v1.4 builds itself). */
export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.listRaw(prefix)) if (!o.key.endsWith("/")) out.push(o);
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

/** The whole object in memory: only for small objects (headers, tests). */
export async function getBytes(store: ObjectStore, key: string, range?: ByteRange): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(key, range)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Keys under a prefix, as JuiceFS's prefix wrapper: `<Name>/` for a volume. */
export class PrefixedStore implements ObjectStore {
  constructor(
    readonly inner: ObjectStore,
    readonly prefix: string,
  ) {}
  describe(): string {
    return this.inner.describe() + this.prefix;
  }
  async *listRaw(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const o of this.inner.listRaw(this.prefix + prefix)) {
      if (o.key.startsWith(this.prefix)) yield { ...o, key: o.key.slice(this.prefix.length) };
    }
  }
  get(key: string, range?: ByteRange) {
    return this.inner.get(this.prefix + key, range);
  }
  head(key: string) {
    return this.inner.head(this.prefix + key).then((o) => (o ? { ...o, key } : null));
  }
  put(key: string, body: Readable | Buffer, size?: number) {
    return this.inner.put(this.prefix + key, body, size);
  }
  delete(key: string) {
    return this.inner.delete(this.prefix + key);
  }
}
