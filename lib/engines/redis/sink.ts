// Writes a load into Redis: plain pipelines flushed every ~1000 commands (or 128 KiB), at most two in
// flight (backpressure). The load's claim (LOAD_CLAIM_KEY) goes in one MULTI with the setting;
// abort() empties the database, which the claim found empty, while the claim is still this load's.
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting } from "../../jfs/setting-json";
import { changelogLines, type LoadChangelogOp } from "../../jfs/changelog";
import type { LoadSink } from "../engine";
import type { ChunkColumns, EdgeColumns, NodeColumns } from "../../jfs/table-records";
import { encodeAcl, encodeAttr, encodeEntry, encodeQuota, encodeSlice, ENTRY_BYTES, SLICE_BYTES, writeEntryAt } from "./codec";
import { explainRedisError } from "./errors";
import { LOAD_CLAIM_KEY } from "./claim";
import type { LoadOwner } from "../load-claim";
import { CommandBuffer, RespError, type RespConnection } from "./resp";

const FLUSH_AT = 1000;
/** Or this many bytes: a binary load's MSETs and HSETs carry 100 records each. */
const FLUSH_BYTES = 128 * 1024;
/** A pipeline's buffer: FLUSH_BYTES and the command that crosses it (100 records), not grown by copies. */
const PIPELINE_CAPACITY = FLUSH_BYTES + 32 * 1024;
const MAX_IN_FLIGHT = 2;
const FIELDS_PER_COMMAND = 100;

const QUOTA_KEYS: Record<QuotaKind, [string, string, string]> = {
  dir: ["dirQuota", "dirQuotaUsedSpace", "dirQuotaUsedInodes"],
  user: ["userQuota", "userQuotaUsedSpace", "userQuotaUsedInodes"],
  group: ["groupQuota", "groupQuotaUsedSpace", "groupQuotaUsedInodes"],
};

/** What the sink needs of the engine it loads into (RedisEngine; an interface, not an import of it). */
export interface RedisSinkTarget {
  /** host:port or socket path, for error messages. */
  readonly addr: string;
  /** Before every key name: `{db}` in a Redis Cluster, else "". */
  readonly p: string;
  /** Remove what the load of this claim wrote: -1 when the claim is not the owner's (anymore). */
  clearLoad(owner: string): Promise<number>;
}

export class RedisLoadSink implements LoadSink {
  private cmds = new CommandBuffer(PIPELINE_CAPACITY);
  private inFlight: Promise<void>[] = [];
  private failure: Error | null = null;
  /** Dir stats are gathered into multi-field HSETs. */
  private stats: (string | Buffer)[][] = [[], [], []];

  /** The key prefix (RedisSinkTarget.p). */
  private readonly P: string;

  constructor(
    private readonly engine: RedisSinkTarget,
    private readonly conn: RespConnection,
    private readonly owner: LoadOwner,
  ) {
    this.P = engine.p;
  }

  private cmd(...args: (string | Buffer | number | bigint)[]): void {
    this.cmds.add(args);
    this.sendIfFull();
  }

  private sendIfFull(): void {
    if (this.cmds.count >= FLUSH_AT || this.cmds.length >= FLUSH_BYTES) this.send();
  }

  private send(): void {
    if (this.cmds.count === 0) return;
    const p = this.conn.send(this.cmds).then((replies) => {
      for (const r of replies) {
        if (r instanceof RespError) throw r;
        if (Array.isArray(r)) for (const x of r) if (x instanceof RespError) throw x; // EXEC's replies
      }
    }).catch((err) => {
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

  node(attr: Attr, parent: bigint, aclIds: { access: number; default: number }, stored?: Buffer): void {
    this.cmd("SET", `${this.P}i${attr.inode}`, stored ?? encodeAttr(attr, parent, aclIds.access, aclIds.default));
  }

  edges(parent: bigint, entries: DirEntry[]): void {
    for (let i = 0; i < entries.length; i += FIELDS_PER_COMMAND) {
      const args: Buffer[] = [];
      for (const e of entries.slice(i, i + FIELDS_PER_COMMAND)) args.push(e.name, encodeEntry(e.type, e.inode));
      this.cmd("HSET", `${this.P}d${parent}`, ...args);
    }
  }

  chunks(inode: bigint, chunks: Chunk[], stored?: Buffer[]): void {
    chunks.forEach((c, k) => {
      const raw = stored?.[k];
      for (let i = 0; i < c.slices.length; i += FIELDS_PER_COMMAND) {
        const end = Math.min(c.slices.length, i + FIELDS_PER_COMMAND);
        const key = `${this.P}c${inode}_${c.index}`;
        if (!raw) {
          this.cmd("RPUSH", key, ...c.slices.slice(i, end).map((s) => encodeSlice(s)));
          continue;
        }
        // The dump's slice records as they are, each an argument (no view of each).
        this.cmds.begin(2 + end - i);
        this.cmds.arg("RPUSH");
        this.cmds.arg(key);
        for (let j = i; j < end; j++) this.cmds.bytes(raw, j * SLICE_BYTES, (j + 1) * SLICE_BYTES);
        this.sendIfFull();
      }
    });
  }

  // A binary load's columns (LoadSink.storedNodes): arguments written from the dump's bytes and
  // numbers, nothing made per record. Attrs go in MSETs of 100 keys, which cost redis-server a
  // fifth less CPU than as many SETs (1M keys: 1.11 against 1.41 s); the bytes are the same.

  storedNodes(c: NodeColumns, from: number, to: number): void {
    const cmds = this.cmds;
    const key = `${this.P}i`;
    for (let i = from; i < to; i += FIELDS_PER_COMMAND) {
      const end = Math.min(to, i + FIELDS_PER_COMMAND);
      cmds.begin(1 + 2 * (end - i));
      cmds.arg("MSET");
      for (let j = i; j < end; j++) {
        cmds.numberedArg(key, c.inode[j]);
        cmds.bytes(c.bytes, c.start[j], c.end[j]);
      }
      this.sendIfFull();
    }
  }

  storedEdges(c: EdgeColumns, from: number, to: number): void {
    const cmds = this.cmds;
    const key = `${this.P}d`;
    for (let i = from; i < to; i += FIELDS_PER_COMMAND) {
      const end = Math.min(to, i + FIELDS_PER_COMMAND);
      cmds.begin(2 + 2 * (end - i));
      cmds.arg("HSET");
      cmds.numberedArg(key, c.parent[from]);
      for (let j = i; j < end; j++) {
        cmds.bytes(c.bytes, c.start[j], c.end[j]);
        const at = cmds.slot(ENTRY_BYTES); // first: it may grow the buffer
        writeEntryAt(cmds.buffer, at, c.type[j], c.inode[j]);
      }
      this.sendIfFull();
    }
  }

  storedChunks(c: ChunkColumns, from: number, to: number): void {
    const cmds = this.cmds;
    const key = `${this.P}c`;
    for (let k = from; k < to; k++) {
      const first = c.start[k];
      const last = c.end[k];
      for (let i = first; i < last; i += FIELDS_PER_COMMAND * SLICE_BYTES) {
        const end = Math.min(last, i + FIELDS_PER_COMMAND * SLICE_BYTES);
        cmds.begin(2 + (end - i) / SLICE_BYTES);
        cmds.arg("RPUSH");
        cmds.numberedArg(key, c.inode[k], c.index[k]);
        for (let j = i; j < end; j += SLICE_BYTES) cmds.bytes(c.bytes, j, j + SLICE_BYTES);
        this.sendIfFull();
      }
    }
  }

  symlink(inode: bigint, target: Buffer): void {
    this.cmd("SET", `${this.P}s${inode}`, target);
  }

  xattrs(inode: bigint, xattrs: Xattr[]): void {
    if (xattrs.length === 0) return;
    const args: Buffer[] = [];
    for (const x of xattrs) args.push(x.name, x.value);
    this.cmd("HSET", `${this.P}x${inode}`, ...args);
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
    const [data, space, inodes] = this.stats;
    this.stats = [[], [], []];
    this.cmd("HSET", `${this.P}dirDataLength`, ...data);
    this.cmd("HSET", `${this.P}dirUsedSpace`, ...space);
    this.cmd("HSET", `${this.P}dirUsedInodes`, ...inodes);
  }

  hardLink(inode: bigint, nlink: number, parents: Map<bigint, number>): void {
    // Patch nlink (bytes 47-50) and zero the parent (63-70) of the attr already queued.
    const n = Buffer.alloc(4);
    n.writeUInt32BE(nlink >>> 0);
    this.cmd("SETRANGE", `${this.P}i${inode}`, 47, n);
    this.cmd("SETRANGE", `${this.P}i${inode}`, 63, Buffer.alloc(8));
    const args: string[] = [];
    for (const [p, count] of parents) args.push(p.toString(), count.toString());
    if (args.length > 0) this.cmd("HSET", `${this.P}p${inode}`, ...args);
  }

  aclRules(rules: Map<number, AclRule>): void {
    if (rules.size === 0) return;
    const args: (string | Buffer)[] = [];
    let max = 0;
    for (const [id, rule] of rules) {
      args.push(String(id), encodeAcl(rule));
      max = Math.max(max, id);
    }
    this.cmd("HSET", `${this.P}acl`, ...args);
    this.cmd("SET", `${this.P}aclMaxId`, String(max));
  }

  sliceRefs(refs: { id: bigint; size: number; count: number }[]): void {
    for (let i = 0; i < refs.length; i += FIELDS_PER_COMMAND) {
      const args: string[] = [];
      for (const r of refs.slice(i, i + FIELDS_PER_COMMAND)) args.push(`k${r.id}_${r.size}`, String(r.count - 1));
      this.cmd("HSET", `${this.P}sliceRef`, ...args);
    }
  }

  delFiles(files: DelFile[]): void {
    for (let i = 0; i < files.length; i += FIELDS_PER_COMMAND) {
      const args: string[] = [];
      for (const f of files.slice(i, i + FIELDS_PER_COMMAND)) args.push(f.expire.toString(), `${f.inode}:${f.length}`);
      this.cmd("ZADD", `${this.P}delfiles`, ...args);
    }
  }

  quotas(kind: QuotaKind, quotas: Map<bigint, QuotaLimit & QuotaUsage>): void {
    const [limitKey, spaceKey, inodesKey] = QUOTA_KEYS[kind];
    for (const [key, q] of quotas) {
      const k = key.toString();
      this.cmd("HSET", this.P + limitKey, k, encodeQuota(q));
      this.cmd("HSET", this.P + spaceKey, k, q.usedSpace.toString());
      this.cmd("HSET", this.P + inodesKey, k, q.usedInodes.toString());
    }
  }

  changelog(ops: LoadChangelogOp[]): void {
    if (ops.length === 0) return;
    // JuiceFS's Redis engine records the limits a SETQUOTA asked for (-1 = unchanged).
    this.cmd("RPUSH", `${this.P}txnLog`, ...changelogLines(ops, "requested"));
    this.cmd("SET", `${this.P}txnLastLog`, String(ops.length));
  }

  counters(c: Counters): void {
    const minus1 = (v: bigint) => (v > 0n ? v - 1n : 0n).toString();
    const P = this.P;
    this.cmd(
      "MSET",
      `${P}usedSpace`, c.usedSpace.toString(),
      `${P}totalInodes`, c.usedInodes.toString(),
      `${P}nextinode`, minus1(c.nextInodes),
      `${P}nextchunk`, minus1(c.nextChunk),
      `${P}nextsession`, c.nextSession.toString(),
      `${P}nextTrash`, c.nextTrash.toString(),
    );
  }

  setting(s: Setting): void {
    this.sendStats();
    // The volume appears and the claim goes at once: never a setting with a claim, or neither.
    this.cmd("MULTI");
    this.cmd("SET", `${this.P}setting`, encodeStoredSetting(s));
    this.cmd("DEL", this.P + LOAD_CLAIM_KEY);
    this.cmd("EXEC");
  }

  async flush(): Promise<void> {
    this.check();
    while (this.inFlight.length >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    await this.conn.drained();
    this.check();
  }

  async commit(): Promise<void> {
    this.sendStats();
    this.send();
    await Promise.all(this.inFlight);
    this.check();
  }

  async abort(): Promise<void> {
    this.cmds = new CommandBuffer(PIPELINE_CAPACITY);
    await Promise.allSettled(this.inFlight);
    // The claim found this database empty: while it is still ours, everything in it is ours.
    const removed = await this.engine.clearLoad(JSON.stringify(this.owner));
    if (removed === -1) {
      throw new Error(`the load claim (key "${LOAD_CLAIM_KEY}") no longer names this load, so nothing was removed`);
    }
  }
}
