// Volumes with Shards > 1 (JuiceFS pkg/object/sharding.go): one store per shard, the Bucket
// formatted with the shard index, each key placed by FNV-1a-32 of its full key.
import type { Readable } from "node:stream";
import { StorageError, type ByteRange, type ObjectInfo, type ObjectStore } from "./store";

/** FNV-1a, 32 bits, over the key's UTF-8 bytes. */
export function fnv1a32(key: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Go's Sprintf(bucket, i) for the integer verbs shard buckets use: %d, %Nd, %0Nd. */
export function shardBucket(bucket: string, index: number): string {
  let used = false;
  const out = bucket.replace(/%(0?)(\d*)d/g, (_m, zero: string, width: string) => {
    used = true;
    return String(index).padStart(width ? Number(width) : 0, zero ? "0" : " ");
  });
  if (!used) throw new StorageError(`a sharded volume's Bucket must contain a %d verb for the shard index, got "${bucket}"`, "usage");
  return out;
}

export class ShardedStore implements ObjectStore {
  constructor(private readonly shards: ObjectStore[]) {
    if (shards.length < 2) throw new Error("ShardedStore needs at least two shards");
  }
  pick(key: string): ObjectStore {
    return this.shards[fnv1a32(key) % this.shards.length];
  }
  describe(): string {
    return `shards(${this.shards.length})/${this.shards[0].describe()}`;
  }
  async *listRaw(prefix: string): AsyncIterable<ObjectInfo> {
    for (const s of this.shards) yield* s.listRaw(prefix);
  }
  get(key: string, range?: ByteRange): Promise<Readable> {
    return this.pick(key).get(key, range);
  }
  head(key: string): Promise<ObjectInfo | null> {
    return this.pick(key).head(key);
  }
  put(key: string, body: Readable | Buffer, size?: number): Promise<void> {
    return this.pick(key).put(key, body, size);
  }
  delete(key: string): Promise<void> {
    return this.pick(key).delete(key);
  }
}
