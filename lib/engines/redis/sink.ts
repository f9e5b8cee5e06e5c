// Writes a load into Redis: plain pipelines flushed every ~1000 commands, at most two in
// flight (backpressure). abort() empties the database, which load verified was empty.
import type { ChainableCommander } from "ioredis";
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting } from "../../dump/setting-json";
import type { LoadSink } from "../engine";
import { encodeAcl, encodeAttr, encodeEntry, encodeQuota, encodeSlice, SLICE_BYTES } from "./codec";
import { explainRedisError } from "./errors";
import type { RedisEngine } from "./index";

const FLUSH_AT = 1000;
const MAX_IN_FLIGHT = 2;
const FIELDS_PER_COMMAND = 100;

const QUOTA_KEYS: Record<QuotaKind, [string, string, string]> = {
  dir: ["dirQuota", "dirQuotaUsedSpace", "dirQuotaUsedInodes"],
  user: ["userQuota", "userQuotaUsedSpace", "userQuotaUsedInodes"],
  group: ["groupQuota", "groupQuotaUsedSpace", "groupQuotaUsedInodes"],
};

export class RedisLoadSink implements LoadSink {
  private pipe: ChainableCommander;
  private queued = 0;
  private inFlight: Promise<void>[] = [];
  private failure: Error | null = null;
  /** Dir stats are gathered into multi-field HSETs. */
  private stats: (string | Buffer)[][] = [[], [], []];

  constructor(private readonly engine: RedisEngine) {
    this.pipe = engine.client.pipeline();
  }

  private queue(n = 1): void {
    this.queued += n;
    if (this.queued >= FLUSH_AT) this.send();
  }

  private send(): void {
    if (this.queued === 0) return;
    const pipe = this.pipe;
    this.pipe = this.engine.client.pipeline();
    this.queued = 0;
    const p = pipe.exec().then(
      (res) => {
        for (const [err] of res ?? []) {
          if (err) throw err;
        }
      },
    ).catch((err) => {
      this.failure ??= explainRedisError(err, this.engine.addr);
    });
    const tracked = p.finally(() => {
      this.inFlight = this.inFlight.filter((x) => x !== tracked);
    });
    this.inFlight.push(tracked);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  node(attr: Attr, parent: bigint, aclIds: { access: number; default: number }): void {
    this.pipe.set(`i${attr.inode}`, encodeAttr(attr, parent, aclIds.access, aclIds.default));
    this.queue();
  }

  edges(parent: bigint, entries: DirEntry[]): void {
    for (let i = 0; i < entries.length; i += FIELDS_PER_COMMAND) {
      const args: Buffer[] = [];
      for (const e of entries.slice(i, i + FIELDS_PER_COMMAND)) args.push(e.name, encodeEntry(e.type, e.inode));
      this.pipe.hset(`d${parent}`, ...args);
      this.queue();
    }
  }

  chunks(inode: bigint, chunks: Chunk[]): void {
    for (const c of chunks) {
      for (let i = 0; i < c.slices.length; i += FIELDS_PER_COMMAND) {
        const part = c.slices.slice(i, i + FIELDS_PER_COMMAND);
        const recs = part.map((s) => encodeSlice(s, Buffer.alloc(SLICE_BYTES)));
        this.pipe.rpush(`c${inode}_${c.index}`, ...recs);
        this.queue();
      }
    }
  }

  symlink(inode: bigint, target: Buffer): void {
    this.pipe.set(`s${inode}`, target);
    this.queue();
  }

  xattrs(inode: bigint, xattrs: Xattr[]): void {
    if (xattrs.length === 0) return;
    const args: Buffer[] = [];
    for (const x of xattrs) args.push(x.name, x.value);
    this.pipe.hset(`x${inode}`, ...args);
    this.queue();
  }

  dirStats(inode: bigint, s: { dataLength: bigint; usedSpace: bigint; usedInodes: bigint }): void {
    const ino = inode.toString();
    this.stats[0].push(ino, s.dataLength.toString());
    this.stats[1].push(ino, s.usedSpace.toString());
    this.stats[2].push(ino, s.usedInodes.toString());
    if (this.stats[0].length >= FIELDS_PER_COMMAND * 2) this.sendStats();
  }

  private sendStats(): void {
    if (this.stats[0].length === 0) return;
    this.pipe.hset("dirDataLength", ...this.stats[0]);
    this.pipe.hset("dirUsedSpace", ...this.stats[1]);
    this.pipe.hset("dirUsedInodes", ...this.stats[2]);
    this.stats = [[], [], []];
    this.queue(3);
  }

  hardLink(inode: bigint, nlink: number, parents: Map<bigint, number>): void {
    // Patch nlink (bytes 47-50) and zero the parent (63-70) of the attr already queued.
    const n = Buffer.alloc(4);
    n.writeUInt32BE(nlink >>> 0);
    this.pipe.setrange(`i${inode}`, 47, n);
    this.pipe.setrange(`i${inode}`, 63, Buffer.alloc(8));
    const args: string[] = [];
    for (const [p, count] of parents) args.push(p.toString(), count.toString());
    if (args.length > 0) this.pipe.hset(`p${inode}`, ...args);
    this.queue(3);
  }

  aclRules(rules: Map<number, AclRule>): void {
    if (rules.size === 0) return;
    const args: (string | Buffer)[] = [];
    let max = 0;
    for (const [id, rule] of rules) {
      args.push(String(id), encodeAcl(rule));
      max = Math.max(max, id);
    }
    this.pipe.hset("acl", ...args);
    this.pipe.set("aclMaxId", String(max));
    this.queue(2);
  }

  sliceRefs(refs: { id: bigint; size: number; count: number }[]): void {
    for (let i = 0; i < refs.length; i += FIELDS_PER_COMMAND) {
      const args: string[] = [];
      for (const r of refs.slice(i, i + FIELDS_PER_COMMAND)) args.push(`k${r.id}_${r.size}`, String(r.count - 1));
      this.pipe.hset("sliceRef", ...args);
      this.queue();
    }
  }

  delFiles(files: DelFile[]): void {
    for (let i = 0; i < files.length; i += FIELDS_PER_COMMAND) {
      const args: string[] = [];
      for (const f of files.slice(i, i + FIELDS_PER_COMMAND)) args.push(f.expire.toString(), `${f.inode}:${f.length}`);
      this.pipe.zadd("delfiles", ...args);
      this.queue();
    }
  }

  quotas(kind: QuotaKind, quotas: Map<bigint, QuotaLimit & QuotaUsage>): void {
    const [limitKey, spaceKey, inodesKey] = QUOTA_KEYS[kind];
    for (const [key, q] of quotas) {
      const k = key.toString();
      this.pipe.hset(limitKey, k, encodeQuota(q));
      this.pipe.hset(spaceKey, k, q.usedSpace.toString());
      this.pipe.hset(inodesKey, k, q.usedInodes.toString());
      this.queue(3);
    }
  }

  counters(c: Counters): void {
    const minus1 = (v: bigint) => (v > 0n ? v - 1n : 0n).toString();
    this.pipe.mset(
      "usedSpace", c.usedSpace.toString(),
      "totalInodes", c.usedInodes.toString(),
      "nextinode", minus1(c.nextInodes),
      "nextchunk", minus1(c.nextChunk),
      "nextsession", c.nextSession.toString(),
      "nextTrash", c.nextTrash.toString(),
    );
    this.queue();
  }

  setting(s: Setting): void {
    this.sendStats();
    this.pipe.set("setting", encodeStoredSetting(s));
    this.queue();
  }

  async flush(): Promise<void> {
    this.check();
    while (this.inFlight.length >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    this.check();
  }

  async commit(): Promise<void> {
    this.sendStats();
    this.send();
    await Promise.all(this.inFlight);
    this.check();
  }

  async abort(): Promise<void> {
    this.pipe = this.engine.client.pipeline();
    this.queued = 0;
    await Promise.allSettled(this.inFlight);
    // load checked that this database was empty before writing anything.
    await this.engine.call(() => this.engine.client.flushdb());
  }
}
