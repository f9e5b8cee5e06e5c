// The Redis metadata engine (single node, standalone; key layout of docs/format/redis-keys.md §2).
// ioredis serves the occasional commands; the bulk paths (batch reads, load writes) go
// through the lean RESP connection of ./resp.
import os from "node:os";
import { Redis, type Cluster, type RedisOptions } from "ioredis";
import type { AclRule, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry, Xattr } from "../../jfs/types";
import { CHUNK_SIZE, MAX_FILE_SIZE, ROOT_INODE, TRASH_INODE } from "../../jfs/types";
import { newTrashAttr } from "../trash";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../jfs/setting-json";
import type { ConsistentRead, EmptinessCheck, EngineKind, LoadSink, MetaEngine, QueryGate, StoredNode } from "../engine";
import type { RecordEncoder, ScanBatch, TableBatch } from "../../jfs/table-records";
import { scanRedisTables } from "./scan";
import { rdbTables } from "./rdb-tables";
import type { RdbTransfer, SyncOptions } from "./sync";
import { resolveRedisTarget, snapshotOrNull, snapshotShare, type EarlySnapshot } from "./early";
import { freezeReplica } from "./replica";
import { redactUrl } from "../url";
import { clearCommand, LoadClaimedError, newLoadOwner, parseLoadOwner, type ClearResult, type LoadClaim } from "../load-claim";
import { decodeAcl, decodeAttr, decodeEntry, decodeQuota, decodeSlice, encodeAttr } from "./codec";
import { explainRedisError } from "./errors";
import { keyPrefix, type RedisMode, type RedisTarget } from "./url";
import { ClusterMap, failoverWaitMs, isFailoverError, isFailoverReply, newClient, sentinelMaster } from "./topology";
import { RedisLoadSink } from "./sink";
import { CLAIM_LUA, CLAIM_PREFIX_LUA, CLEAR_LOAD_LUA, CLEAR_PREFIX_PAGE_LUA, LOAD_CLAIM_KEY, loadConnectionName } from "./claim";
import { CommandBuffer, RespConnection, RespError, type Reply } from "./resp";
import { JfsError, wrapError } from "../../jfs/errors";

/** Chunks of one file read with its batch; a bigger file's others follow in pipelines. */
const BATCH_MAX_CHUNKS = 64;
/** LRANGEs per pipeline when a big file's chunks are read index by index. */
const CHUNK_PIPELINE = 1024;
/**
 * Beyond this many chunk indexes (256 GiB) a file is read by SPARSE_CHUNKS_LUA in windows of
 * SPARSE_WINDOW indexes: Redis has no index of a file's chunk keys, so a sparse file would
 * cost one LRANGE round trip per 64 MiB of its length (a 64 TiB file: a million), where the
 * script probes them inside Redis and returns only the chunks that exist. A window of 16,384
 * keeps each call to a few milliseconds of the server's time.
 */
const SPARSE_MIN_CHUNKS = 4096;
const SPARSE_WINDOW = 16384;
const SPARSE_CHUNKS_LUA = `
local out = {}
for i = tonumber(ARGV[2]), tonumber(ARGV[3]) - 1 do
  -- ARGV[4]: the key prefix ({db} in a cluster; KEYS[1] is one of the file's keys, for routing)
  local l = redis.call('LRANGE', ARGV[4] .. 'c' .. ARGV[1] .. '_' .. i, 0, -1)
  if #l > 0 then out[#out + 1] = i; out[#out + 1] = l end
end
return out
`;
/** HSCAN COUNT of the first page read with a directory's batch (JuiceFS uses 1000 too). */
const BATCH_DIR_PAGE = 1000;
/**
 * Entries of the prefetched listings kept for readDir, all directories together; beyond this
 * the oldest listings are dropped (read again when needed). Bounded in entries, not in
 * directories: a tree of many directories of ~1000 entries would otherwise hold them all.
 */
const MAX_PREFETCHED_ENTRIES = 32768;
const PREFETCH_TTL_MS = 30_000;

const CAS_XATTR_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return 1
`;

const QUOTA_KEYS: Record<QuotaKind, string> = { dir: "dirQuota", user: "userQuota", group: "groupQuota" };

function toBigInt(v: Buffer | string | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  const s = v.toString();
  return /^-?\d+$/.test(s) ? BigInt(s) : 0n;
}

/** Pairs of a flat [field, value, field, value, ...] reply. */
function pairs(flat: Buffer[]): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** The engine kind each deployment is reported as. */
const KIND: Record<RedisMode, EngineKind> = { single: "redis", sentinel: "redis-sentinel", cluster: "redis-cluster" };

/** An ioredis client of any deployment: both kinds have the commands the engine uses. */
export type RedisClient = Redis | Cluster;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RedisEngine implements MetaEngine {
  readonly kind: EngineKind;
  /** Before every key name: `{db}` in a Redis Cluster (all of a volume in one slot), else "". */
  readonly p: string;
  private aclCache: Map<number, AclRule> | null = null;
  private bulkConn: Promise<RespConnection> | null = null;
  /** Bumped each time the lean connection is reopened after a failure (a failover): see readDir. */
  private epoch = 0;
  private readonly clusterMap: ClusterMap | null;
  /** How long reads wait for a failover (failoverWaitMs()). */
  readonly failoverWait: number;
  /** Directory listings that came with a readNodes batch, raw [name, value, ...]. */
  private prefetchedDirs = new Map<bigint, { at: number; raw: Buffer[] }>();
  /** Fields (name and value each) held in prefetchedDirs. */
  private prefetchedFields = 0;

  /** A snapshot asked for before the engine opened (early.ts), for the first scanTables(); else null. */
  early: EarlySnapshot | null = null;

  /** The live server's connections while a consistent read points these at a frozen replica. */
  private live: { client: RedisClient; bulkConn: Promise<RespConnection> | null; options: RedisOptions; end(): Promise<void> } | null = null;
  /** The data node's options: the URL's (single), or those of the master found (Sentinel, Cluster). */
  private options: RedisOptions;

  constructor(
    /** The connection reads use: the live deployment's, or a frozen replica's (beginConsistentRead). */
    public client: RedisClient,
    readonly redactedUrl: string,
    /** The parsed META-URL: its deployment, credentials and database. */
    readonly target: RedisTarget,
  ) {
    this.kind = KIND[target.mode];
    this.p = keyPrefix(target.mode, target.db);
    this.options = target.options;
    this.clusterMap = target.mode === "cluster" ? new ClusterMap(target, this.p) : null;
    this.failoverWait = failoverWaitMs();
    this.defineScripts(client);
  }

  /** host:port/db (Sentinel and Cluster: the URL's host list/db), as JuiceFS names the database in messages. */
  get addr(): string {
    return this.target.addr;
  }

  private defineScripts(client: RedisClient): void {
    client.defineCommand("jfsCasXattr", { numberOfKeys: 1, lua: CAS_XATTR_LUA });
    client.defineCommand("jfsClearLoad", { numberOfKeys: 2, lua: CLEAR_LOAD_LUA });
    client.defineCommand("jfsClearPrefixPage", { numberOfKeys: 2, lua: CLEAR_PREFIX_PAGE_LUA });
  }

  /** Failovers followed so far: the lean connection reopened on a new master (see bulkCall). */
  get failovers(): number {
    return this.epoch;
  }

  /** Whether the volume's keys are found by their prefix (a cluster) rather than as the whole database. */
  private get prefixed(): boolean {
    return this.p !== "";
  }

  /** Whether reads may wait for a failover and go on on the new master (not on a frozen replica). */
  private get survivesFailover(): boolean {
    return this.target.mode !== "single" && !this.live;
  }

  /**
   * A private replica of the server, synced and detached (replica.ts), serves every read until
   * end(): one moment of the volume, and none of the dump's reads on the live server. Needs
   * redis-server on this host. `parallel` is moot: one Redis connection pipelines the reads.
   * Sentinel: a replica of the master the sentinels name. Cluster: a replica of the master of
   * the volume's slot (a plain redis-server: the slot's keys, prefix and all, in its DB 0).
   */
  async beginConsistentRead(): Promise<ConsistentRead> {
    if (this.live) throw new JfsError("internal", "a consistent read is already open on this engine");
    const source = await this.nodeOptions();
    const replica = await freezeReplica(source, { db: source.db ?? 0 });
    const frozen = new Redis({ ...replica.options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 2 });
    frozen.on("error", () => {}); // told by the command that meets it
    try {
      await frozen.connect();
    } catch (err) {
      frozen.disconnect();
      await replica.stop();
      throw explainRedisError(err, this.addr);
    }
    this.defineScripts(frozen);
    let ended: Promise<void> | null = null;
    const end = () =>
      (ended ??= (async () => {
        const live = this.live!;
        const bulk = this.bulkConn;
        this.live = null;
        this.client = live.client;
        this.bulkConn = live.bulkConn;
        this.options = live.options;
        this.prefetchedDirs.clear();
        this.prefetchedFields = 0;
        frozen.disconnect();
        (await bulk?.catch(() => null))?.close();
        await replica.stop();
      })());
    this.live = { client: this.client, bulkConn: this.bulkConn, options: this.options, end };
    this.client = frozen;
    this.bulkConn = null;
    this.options = replica.options;
    this.prefetchedDirs.clear();
    this.prefetchedFields = 0;
    return { takenAt: replica.takenAt, connections: 1, end };
  }

  /** Run a Redis call and turn its failure into a clear one-line error. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw explainRedisError(err, this.addr);
    }
  }

  /**
   * call() for a read, which is safe to repeat: on Sentinel and Cluster a failure a failover
   * explains is retried until the new master serves it (this.failoverWait at most).
   */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.failoverWait;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!this.survivesFailover || !isFailoverError(err) || Date.now() > deadline) throw this.failoverError(err, deadline);
        await sleep(Math.min(100 * attempt, 1000));
      }
    }
  }

  /** A failure explained; one that outlasted the wait for a failover says so. */
  private failoverError(err: unknown, deadline: number): Error {
    const explained = explainRedisError(err, this.addr);
    if (!this.survivesFailover || !isFailoverError(err) || Date.now() <= deadline) return explained;
    const what = this.target.mode === "cluster" ? `the master of this volume's slot${this.clusterMap?.slotNumber != null ? ` (${this.clusterMap.slotNumber})` : ""}` : `the master "${this.target.sentinel?.name}"`;
    return new JfsError(
      "unreachable",
      `Redis ${this.target.mode === "cluster" ? "Cluster" : "Sentinel"} redis://${this.addr}: ${what} did not come back within ${this.failoverWait / 1000} s (${explained.message}): run it again once the deployment has a master (JFSMETA_FAILOVER_WAIT_MS sets the wait)`,
      { cause: err },
    );
  }

  /** Options reaching the data node: the URL's, the sentinels' master, or the master of the volume's slot. */
  private async nodeOptions(): Promise<RedisOptions> {
    if (this.live || this.target.mode === "single") return this.options;
    const at = this.target.mode === "sentinel" ? await sentinelMaster(this.target) : await this.clusterMap!.master();
    return { ...this.options, host: at.host, port: at.port };
  }

  /**
   * Options reaching the node that holds the volume now (the URL's server, the sentinels'
   * master, the master of the volume's slot), with its DB: for tools and tests that read the
   * keys themselves (with the prefix `p`).
   */
  dataNode(): Promise<RedisOptions> {
    return this.nodeOptions();
  }

  /** The lean connection for batch reads and load writes (opened on first use, on the data node). */
  bulk(): Promise<RespConnection> {
    this.bulkConn ??= (async () => {
      const options = await this.nodeOptions();
      const conn = await RespConnection.connect(options);
      if (this.survivesFailover) {
        // The sentinels (or a node's slot map) may still name a master that has just been
        // demoted: only a master may serve the volume.
        const role = new CommandBuffer();
        role.add(["ROLE"]);
        const [r] = await conn.send(role);
        if (Array.isArray(r) && String(r[0]) !== "master") {
          conn.close();
          throw new JfsError("unreachable", `${options.host}:${options.port} is not a master (yet)`);
        }
      }
      return conn;
    })().catch((err) => {
      this.bulkConn = null;
      throw explainRedisError(err, this.addr);
    });
    return this.bulkConn;
  }

  /**
   * Send commands on the bulk connection; a broken connection throws, error replies come back
   * in place. `idempotent` (reads): on Sentinel and Cluster, a broken connection or a failover's
   * reply (MOVED, ASK, CLUSTERDOWN, …) sends them again to the master found anew, until
   * this.failoverWait; `epoch` then moves on.
   */
  async bulkCall(cmds: CommandBuffer, opts: { idempotent?: boolean } = {}): Promise<Reply[]> {
    const n = cmds.count;
    const bytes = cmds.take();
    const retry = opts.idempotent === true && this.survivesFailover;
    const deadline = Date.now() + this.failoverWait;
    for (let attempt = 1; ; attempt++) {
      const pending = this.bulk();
      let failure: unknown;
      try {
        const replies = await (await pending).sendBytes(bytes, n);
        const moved = retry ? replies.find((r): r is RespError => r instanceof RespError && isFailoverReply(r.message)) : undefined;
        if (!moved) return replies;
        failure = moved;
      } catch (err) {
        if (!retry || !isFailoverError(err)) throw explainRedisError(err, this.addr);
        failure = err;
      }
      if (Date.now() > deadline) throw this.failoverError(failure, deadline);
      // Drop the connection (once, whoever of the parallel reads sees it first) and find the master again.
      if (this.bulkConn === pending) {
        this.bulkConn = null;
        this.epoch++;
        (await pending.catch(() => null))?.close();
      }
      await sleep(Math.min(100 * attempt, 1000));
    }
  }

  async close(): Promise<void> {
    this.early?.close();
    this.early = null;
    void this.asked?.then((t) => t?.close(), () => {});
    this.asked = null;
    await this.live?.end();
    if (this.bulkConn) {
      const conn = await this.bulkConn.catch(() => null); // never opened: its error was told where it was used
      conn?.close();
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect(); // QUIT fails on a connection already gone: drop it without goodbye
    }
  }

  /** The keys of the volume: DBSIZE, or in a cluster the keys with its prefix (SCAN on the slot's master). */
  async keyCount(limit = Infinity): Promise<number> {
    if (!this.prefixed) return this.read(() => this.client.dbsize());
    let n = 0;
    await this.scanPrefix((keys) => (n += keys.length) >= limit);
    return n;
  }

  /** The first key of the volume's prefix (a cluster), or null. */
  private async firstPrefixedKey(): Promise<string | null> {
    let first: string | null = null;
    await this.scanPrefix((keys) => {
      if (keys.length > 0) first = keys[0].toString("latin1");
      return first !== null;
    });
    return first;
  }

  /** SCAN the keys with the volume's prefix a page at a time, until `page` returns true or the scan ends. */
  private async scanPrefix(page: (keys: Buffer[]) => boolean): Promise<void> {
    let cursor = "0";
    do {
      const cmd = new CommandBuffer();
      cmd.add(["SCAN", cursor, "MATCH", `${this.p}*`, "COUNT", 10000]);
      const [reply] = await this.bulkCall(cmd, { idempotent: true });
      if (reply instanceof RespError) throw explainRedisError(reply, this.addr);
      const [next, keys] = reply as [Buffer, Buffer[]];
      if (page(keys)) return;
      cursor = next.toString();
    } while (cursor !== "0");
  }

  /**
   * Remove what the load that holds the claim `owner` wrote: -1 when the claim is not that
   * (anymore), 0 when a setting exists (only the claim goes), else the keys removed.
   */
  async clearLoad(owner: string | Buffer): Promise<number> {
    const claimKey = this.p + LOAD_CLAIM_KEY;
    const settingKey = `${this.p}setting`;
    type Scripts = { jfsClearLoad(...a: (string | Buffer)[]): Promise<number>; jfsClearPrefixPage(...a: (string | Buffer)[]): Promise<number | [string, number]> };
    const client = this.client as RedisClient & Scripts;
    if (!this.prefixed) return this.call(() => client.jfsClearLoad(claimKey, settingKey, owner));
    let removed = 0;
    let cursor = "0";
    for (;;) {
      const r = await this.call(() => client.jfsClearPrefixPage(claimKey, settingKey, owner, `${this.p}*`, cursor));
      if (typeof r === "number") return removed > 0 && r === -1 ? removed : r;
      cursor = String(r[0]);
      removed += Number(r[1]);
      if (cursor === "0") return removed;
    }
  }

  async readSetting(): Promise<Setting | null> {
    const raw = await this.read(() => this.client.getBuffer(`${this.p}setting`));
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw wrapError(`the volume format stored in Redis at ${this.addr} (key "setting") is not valid`, err, "corrupt-input");
    }
  }

  async writeSetting(s: Setting): Promise<void> {
    await this.call(() => this.client.set(`${this.p}setting`, encodeStoredSetting(s)));
  }

  async ensureTrashDir(now: Date): Promise<boolean> {
    const attr = newTrashAttr(now, true);
    const created = await this.call(() => this.client.setnx(`${this.p}i${TRASH_INODE}`, encodeAttr(attr, ROOT_INODE)));
    return created === 1;
  }

  async checkEmpty(): Promise<EmptinessCheck> {
    if (this.prefixed) {
      // JuiceFS's rule in a cluster: no key with the volume's prefix (other volumes may share the node).
      const key = await this.firstPrefixedKey();
      if (key !== null) return { empty: false, reason: `Database redis://${this.addr} is not empty: found key with same prefix: ${key}` };
      return { empty: true };
    }
    const size = await this.read(() => this.client.dbsize());
    if (size > 0) return { empty: false, reason: `Database redis://${this.addr} is not empty` };
    return { empty: true };
  }

  /**
   * Settles once the snapshot asked for (scanTables(), jsonDumpFromTables()) has begun (its framing came: the server has
   * forked) or was refused. SYNC is only a request: a server with repl-diskless-sync-delay (5 s
   * by default) forks that much later, and counters read meanwhile could be older than the
   * tables (a next-inode below a dumped inode, reused after a load).
   */
  private snapshotForked: Promise<void> | null = null;
  /** Asked for, not yet begun. */
  private snapshotPending = false;

  waitingFor(): string | null {
    return this.snapshotPending ? `waiting for Redis at ${this.addr} to begin its snapshot (repl-diskless-sync-delay, or a save in progress)` : null;
  }

  async readCounters(): Promise<Counters> {
    if (this.snapshotForked) await this.snapshotForked;
    const names = ["usedSpace", "totalInodes", "nextinode", "nextchunk", "nextsession", "nextTrash", "txnLastLog"];
    const v = await this.read(() => this.client.mget(...names.map((n) => this.p + n)));
    const c: Counters = {
      usedSpace: toBigInt(v[0]),
      usedInodes: toBigInt(v[1]),
      nextInodes: toBigInt(v[2]) + 1n,
      nextChunk: toBigInt(v[3]) + 1n,
      nextSession: toBigInt(v[4]),
      nextTrash: toBigInt(v[5]),
    };
    if (v[6] !== null) c.lastChangelog = toBigInt(v[6]);
    return c;
  }

  async readSustained(): Promise<SustainedEntry[]> {
    const sids = await this.read(() => this.client.zrange(`${this.p}allSessions`, "0", "-1"));
    if (sids.length === 0) return [];
    const res = await this.read(() => {
      const pipe = this.client.pipeline();
      for (const sid of sids) pipe.smembers(`${this.p}session${sid}`);
      return pipe.exec();
    });
    const out: SustainedEntry[] = [];
    sids.forEach((sid, i) => {
      const [err, members] = res![i];
      if (err) throw explainRedisError(err, this.addr);
      const inodes = (members as string[]).map((m) => toBigInt(m));
      if (inodes.length > 0) out.push({ sid: toBigInt(sid), inodes });
    });
    return out;
  }

  async readDelFiles(): Promise<DelFile[]> {
    const flat = await this.read(() => this.client.zrange(`${this.p}delfiles`, "0", "-1", "WITHSCORES"));
    const out: DelFile[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parts = flat[i].split(":");
      if (parts.length !== 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) continue;
      out.push({ inode: BigInt(parts[0]), length: BigInt(parts[1]), expire: BigInt(Math.trunc(Number(flat[i + 1]))) });
    }
    return out;
  }

  async readQuotas(kind: QuotaKind): Promise<Map<bigint, QuotaLimit>> {
    const flat = (await this.read(() => this.client.callBuffer("HGETALL", this.p + QUOTA_KEYS[kind]))) as Buffer[];
    const out = new Map<bigint, QuotaLimit>();
    for (const [k, v] of pairs(flat)) {
      const q = decodeQuota(v);
      if (q) out.set(toBigInt(k), q);
    }
    return out;
  }

  async lookup(parent: bigint, name: Buffer): Promise<DirEntry | null> {
    const v = await this.read(() => this.client.hgetBuffer(`${this.p}d${parent}`, name));
    return v ? decodeEntry(name, v) : null;
  }

  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> } {
    const self = this;
    // A listing read long ago (an abandoned walk) is not trusted: scan again.
    const cached = this.prefetchedDirs.get(inode);
    if (cached) this.dropPrefetched(inode, cached);
    const prefetched = cached && Date.now() - cached.at < PREFETCH_TTL_MS ? cached.raw : null;
    async function* batches(): AsyncGenerator<DirEntry[]> {
      if (prefetched) {
        const entries: DirEntry[] = [];
        for (let i = 0; i + 1 < prefetched.length; i += 2) entries.push(decodeEntry(prefetched[i], prefetched[i + 1]));
        if (entries.length > 0) yield entries;
        return;
      }
      let cursor = "0";
      const epoch = self.epoch;
      let pages = 0;
      do {
        const cmd = new CommandBuffer();
        cmd.add(["HSCAN", `${self.p}d${inode}`, cursor, "COUNT", 10000]);
        const [reply] = await self.bulkCall(cmd, { idempotent: true });
        if (reply instanceof RespError) throw explainRedisError(reply, self.addr);
        const [next, flat] = reply as [Buffer, Buffer[]];
        cursor = next.toString();
        pages++;
        // A scan's cursor means nothing to another server: a listing of several pages that a
        // failover moved to a new master cannot go on there, and is never passed off as whole.
        if (self.epoch !== epoch && (pages > 1 || cursor !== "0")) {
          throw new JfsError(
            "unreachable",
            `Redis ${self.target.mode === "cluster" ? "Cluster" : "Sentinel"} redis://${self.addr} failed over to a new master while directory inode ${inode} was being listed: a listing cannot be resumed on another server, so the read was stopped rather than give a partial directory; run it again`,
          );
        }
        const entries: DirEntry[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) entries.push(decodeEntry(flat[i], flat[i + 1]));
        if (entries.length > 0) yield entries;
      } while (cursor !== "0");
    }
    return { sorted: false, batches: batches() };
  }

  private keepPrefetched(inode: bigint, raw: Buffer[]): void {
    const old = this.prefetchedDirs.get(inode);
    if (old) this.dropPrefetched(inode, old);
    this.prefetchedDirs.set(inode, { at: Date.now(), raw });
    this.prefetchedFields += raw.length;
    for (const [oldest, listing] of this.prefetchedDirs) {
      if (this.prefetchedFields <= 2 * MAX_PREFETCHED_ENTRIES) break;
      this.dropPrefetched(oldest, listing);
    }
  }

  private dropPrefetched(inode: bigint, listing: { raw: Buffer[] }): void {
    this.prefetchedDirs.delete(inode);
    this.prefetchedFields -= listing.raw.length;
  }

  private async acl(id: number): Promise<AclRule | undefined> {
    if (id === 0) return undefined;
    if (!this.aclCache || !this.aclCache.has(id)) {
      const flat = (await this.read(() => this.client.callBuffer("HGETALL", `${this.p}acl`))) as Buffer[];
      const cache = new Map<number, AclRule>();
      for (const [k, v] of pairs(flat)) {
        const rule = decodeAcl(v);
        if (rule) cache.set(Number(k.toString()), rule);
      }
      this.aclCache = cache;
    }
    return this.aclCache.get(id);
  }

  /**
   * A batch in one pipeline, chosen by the entry's type as JuiceFS does: GET i, HGETALL x,
   * then LRANGE c_0 / GET s / HSCAN d (a complete first page is kept for readDir). What the
   * attr's type or length asks for beyond that (more chunks, a type that differs) follows
   * in one more pipeline. (A Lua script per batch was measured: ~3x the Redis CPU of plain
   * commands on the lean connection, and slower overall.)
   */
  async readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    if (entries.length === 0) return [];
    const cmd = new CommandBuffer();
    const P = this.p;
    for (const e of entries) {
      const ino = e.inode.toString();
      cmd.add(["GET", `${P}i${ino}`]);
      cmd.add(["HGETALL", `${P}x${ino}`]);
      if (e.type === "regular") cmd.add(["LRANGE", `${P}c${ino}_0`, 0, -1]);
      else if (e.type === "symlink") cmd.add(["GET", `${P}s${ino}`]);
      else if (e.type === "directory") cmd.add(["HSCAN", `${P}d${ino}`, 0, "COUNT", BATCH_DIR_PAGE]);
    }
    const reply = await this.bulkCall(cmd, { idempotent: true });
    for (const r of reply) if (r instanceof RespError) throw explainRedisError(r, this.addr);
    const nodes: StoredNode[] = [];
    const followUp = new CommandBuffer();
    const fill: ((r: Reply) => void)[] = [];
    const big: { node: StoredNode; chunks: number }[] = [];
    const addSlices = (node: StoredNode, index: number, list: Buffer[]) => {
      if (list.length > 0) node.chunks.push({ index, slices: list.map(decodeSlice).filter((x) => x !== null) });
    };
    let k = 0;
    for (const e of entries) {
      const rawAttr = reply[k++] as Buffer | null;
      const rawX = reply[k++] as Buffer[];
      const extra = e.type === "regular" || e.type === "symlink" || e.type === "directory" ? reply[k++] : null;
      const stored = rawAttr ? decodeAttr(e.inode, rawAttr) : null;
      const xattrs: Xattr[] = [];
      for (let i = 0; i + 1 < rawX.length; i += 2) xattrs.push({ name: rawX[i], value: rawX[i + 1] });
      const node: StoredNode = { inode: e.inode, entryType: e.type, attr: stored?.attr ?? null, xattrs, chunks: [] };
      const type = stored?.attr.type ?? e.type;
      const ino = e.inode.toString();
      if (type === "regular") {
        if (stored && stored.attr.length >= MAX_FILE_SIZE) {
          // Reading its chunks would walk 2^31+ indexes: refused as the load refuses it.
          throw new JfsError(
            "corrupt-input",
            `Redis at ${this.addr}: inode ${e.inode} has length ${stored.attr.length}, not below JuiceFS's maximum file size ${MAX_FILE_SIZE} (2^57): the metadata is damaged; fix that file's length (key i${e.inode}) before dumping`,
          );
        }
        const n = stored ? Number((stored.attr.length + BigInt(CHUNK_SIZE) - 1n) / BigInt(CHUNK_SIZE)) : 0;
        let from = 0;
        if (e.type === "regular") {
          if (n > 0) addSlices(node, 0, extra as Buffer[]);
          from = 1;
        }
        for (let idx = from; idx < Math.min(n, BATCH_MAX_CHUNKS); idx++) {
          followUp.add(["LRANGE", `${P}c${ino}_${idx}`, 0, -1]);
          fill.push((r) => addSlices(node, idx, r as Buffer[]));
        }
        if (n > BATCH_MAX_CHUNKS) big.push({ node, chunks: n });
      } else if (type === "symlink") {
        if (e.type === "symlink") {
          if (extra) node.symlink = extra as Buffer;
        } else {
          followUp.add(["GET", `${P}s${ino}`]);
          fill.push((r) => {
            if (r) node.symlink = r as Buffer;
          });
        }
      } else if (type === "directory" && e.type === "directory") {
        const [cursor, flat] = extra as [Buffer, Buffer[]];
        if (cursor.length === 1 && cursor[0] === 0x30) {
          this.keepPrefetched(e.inode, flat);
        }
      }
      if (stored) {
        if (stored.accessAcl) node.accessAcl = await this.acl(stored.accessAcl);
        if (stored.defaultAcl) node.defaultAcl = await this.acl(stored.defaultAcl);
      }
      nodes.push(node);
    }
    if (followUp.count > 0) {
      const more = await this.bulkCall(followUp, { idempotent: true });
      more.forEach((r, i) => {
        if (r instanceof RespError) throw explainRedisError(r, this.addr);
        fill[i](r);
      });
    }
    for (const b of big) await this.readMoreChunks(b.node, BATCH_MAX_CHUNKS, b.chunks);
    return nodes;
  }

  /**
   * The server's own snapshot, streamed over the replication protocol and read as it comes
   * (sync.ts, rdb-tables.ts): one moment of the volume at the speed of `redis-cli --rdb`. Where
   * the server will not send one (SYNC refused: ACL, a managed service; JFSMETA_REDIS_RDB=0),
   * one SCAN of the keyspace and pipelined raw reads (scan.ts), the reason in the debug log.
   */
  scanTables(gate?: QueryGate): AsyncIterable<TableBatch>;
  scanTables(gate: QueryGate | undefined, opts: { encoder: RecordEncoder; treeOnly?: boolean }): AsyncIterable<ScanBatch>;
  scanTables(gate?: QueryGate, opts?: { encoder: RecordEncoder; treeOnly?: boolean }): AsyncIterable<ScanBatch> {
    // The snapshot is asked for now, not at the first read: the dump calls this before it reads
    // the header (setting, counters), so the counters it writes are read after the fork, never
    // before it (a next-inode below an inode of the tables would be reused after a load).
    const started = this.asked ?? this.askForSnapshot(this.worthIf("binary"));
    this.asked = null;
    const batches = this.scanTablesFrom(started, gate, opts?.encoder, opts?.treeOnly);
    const end = batches.return.bind(batches);
    // Never iterated (the header read failed): the connection the snapshot came on is closed.
    batches.return = async (value) => {
      (await started.catch(() => null))?.close();
      return end(value);
    };
    return batches;
  }

  /**
   * The JSON dump orders the tree itself (table-tree.ts) when the flat scan reads the server's
   * snapshot, so this asks for it (scanTables() then reads it): not for a paced dump, nor for a
   * volume that is a small part of the server (early.ts snapshotShare). Measured at 1M files, the whole
   * CLI dump: staged over the snapshot 10.0-11.2 s against the tree walk's 12.8-12.9 s; over SCAN
   * (SYNC refused) the tree walk is the cheaper, 13.5 s against 15.8 s.
   */
  async jsonDumpFromTables(opts: { paced: boolean }): Promise<boolean> {
    // A paced dump spreads its reads as asked; the snapshot is one fork and one stream.
    if (process.env.JFSMETA_REDIS_RDB === "0" || opts.paced) return false;
    this.asked ??= this.askForSnapshot(this.worthIf("json"));
    const snapshot = await this.asked.catch(() => null);
    if (!snapshot) this.asked = null; // nothing for scanTables() to take: a later one asks anew
    return snapshot !== null;
  }

  /** The snapshot jsonDumpFromTables() asked for, until scanTables() takes it (or close() closes it). */
  private asked: Promise<RdbTransfer | null> | null = null;

  /**
   * Where the volume's database is a small part of the server, the snapshot (every database)
   * costs more than reading the volume by keys (early.ts snapshotShare). A cluster's volumes
   * share db 0, told apart by prefix only: no share to check.
   */
  private worthIf(purpose: "json" | "binary"): Pick<SyncOptions, "minShare"> {
    return { minShare: this.prefixed ? undefined : snapshotShare(this.target.db, purpose) };
  }

  /** requestSnapshot(), with waitingFor() and readCounters() told of it. */
  private askForSnapshot(opts: Pick<SyncOptions, "minShare"> = {}): Promise<RdbTransfer | null> {
    const started = this.requestSnapshot(opts);
    started.catch(() => {}); // told where it is awaited
    this.snapshotPending = true;
    const begun = () => {
      this.snapshotPending = false;
    };
    this.snapshotForked = started.then(begun, begun);
    return started;
  }

  /** The server's snapshot for scanTables, or null (with the reason in the debug log) where it will not send one. */
  private async requestSnapshot(opts: Pick<SyncOptions, "minShare">): Promise<RdbTransfer | null> {
    const early = this.early;
    this.early = null;
    // Not inside a consistent read: that one reads the frozen replica's snapshot, not the live server's.
    if (early && !this.live) return early.transfer;
    early?.close();
    return snapshotOrNull(await this.nodeOptions(), this.addr, opts);
  }

  /** With `encoder`, the snapshot's nodes, edges and chunks come written with it (rdb-tables.ts); the SCAN reader's as records. */
  private async *scanTablesFrom(started: Promise<RdbTransfer | null>, gate?: QueryGate, encoder?: RecordEncoder, treeOnly = false): AsyncGenerator<ScanBatch> {
    const transfer = await started;
    if (!transfer) {
      yield* scanRedisTables(this, gate);
      return;
    }
    this.lastSnapshotAt = transfer.startedAt;
    const db = this.prefixed ? 0 : (this.options.db ?? 0);
    yield* rdbTables({ addr: this.addr, p: this.p, db }, transfer, gate, encoder, { treeOnly });
  }

  /** When the last scanTables() read the server's snapshot, that moment (this host's clock); else null. */
  lastSnapshotAt: Date | null = null;

  /**
   * Chunks [from, to) of a big file on the lean connection: pipelines of CHUNK_PIPELINE LRANGEs,
   * or for a file of more than SPARSE_MIN_CHUNKS indexes, the sparse script's windows.
   */
  private async readMoreChunks(node: StoredNode, from: number, to: number): Promise<void> {
    const push = (index: number, list: Buffer[]) => {
      if (list.length > 0) node.chunks.push({ index, slices: list.map(decodeSlice).filter((s) => s !== null) });
    };
    const sparse = to > SPARSE_MIN_CHUNKS;
    const step = sparse ? SPARSE_WINDOW : CHUNK_PIPELINE;
    for (let start = from; start < to; start += step) {
      const end = Math.min(to, start + step);
      const cmd = new CommandBuffer();
      if (sparse) cmd.add(["EVAL", SPARSE_CHUNKS_LUA, 1, `${this.p}c${node.inode}_0`, node.inode, start, end, this.p]);
      else for (let idx = start; idx < end; idx++) cmd.add(["LRANGE", `${this.p}c${node.inode}_${idx}`, 0, -1]);
      const replies = await this.bulkCall(cmd, { idempotent: true });
      for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, this.addr);
      if (sparse) {
        const flat = replies[0] as Reply[];
        for (let i = 0; i + 1 < flat.length; i += 2) push(flat[i] as number, flat[i + 1] as Buffer[]);
      } else {
        replies.forEach((r, i) => push(start + i, r as Buffer[]));
      }
    }
  }

  async usage(): Promise<{ usedSpace: bigint; usedInodes: bigint }> {
    const [s, i] = await this.read(() => this.client.mget(`${this.p}usedSpace`, `${this.p}totalInodes`));
    return { usedSpace: toBigInt(s), usedInodes: toBigInt(i) };
  }

  async beginLoad(): Promise<LoadSink> {
    const owner = newLoadOwner();
    const conn = await this.bulk();
    const cmd = new CommandBuffer();
    cmd.add(["CLIENT", "SETNAME", loadConnectionName(owner)]);
    if (this.prefixed) cmd.add(["EVAL", CLAIM_PREFIX_LUA, 1, this.p + LOAD_CLAIM_KEY, JSON.stringify(owner), `${this.p}*`]);
    else cmd.add(["EVAL", CLAIM_LUA, 1, LOAD_CLAIM_KEY, JSON.stringify(owner)]);
    const replies = await this.bulkCall(cmd);
    for (const r of replies) if (r instanceof RespError) throw explainRedisError(r, this.addr);
    if (replies[1] !== 1) {
      const claim = await this.findLoadClaim();
      if (claim) throw new LoadClaimedError(claim, this.redactedUrl);
      const check = await this.checkEmpty();
      throw check.empty ? new JfsError("busy", `Database redis://${this.addr} changed while the load claimed it: retry`) : new JfsError("refused", check.reason);
    }
    return new RedisLoadSink(this, conn, owner);
  }

  /**
   * CLIENT LIST of the data node (the loading connection's name shows there while it runs):
   * in a cluster, of the slot's master, where the load's lean connection writes.
   */
  private async clientList(): Promise<string> {
    if (!this.prefixed) return String(await this.client.call("CLIENT", "LIST"));
    const cmd = new CommandBuffer();
    cmd.add(["CLIENT", "LIST"]);
    const [r] = await this.bulkCall(cmd, { idempotent: true });
    if (r instanceof RespError) throw r;
    return String(r);
  }

  async findLoadClaim(): Promise<LoadClaim | null> {
    const raw = await this.read(() => this.client.getBuffer(this.p + LOAD_CLAIM_KEY));
    const owner = parseLoadOwner(raw);
    if (!owner) return null;
    const where = `key "${this.p}${LOAD_CLAIM_KEY}" in redis://${this.addr}`;
    let clients: string;
    try {
      clients = await this.clientList();
    } catch (err) {
      // A server that refuses CLIENT LIST (ACL): a claim from this host is judged by its pid.
      if (owner.host === os.hostname()) return { state: pidAlive(owner.pid) ? "running" : "interrupted", owner, where };
      return { state: "running", owner, where, detail: `cannot tell whether it still runs: CLIENT LIST was refused (${(err as Error).message})` };
    }
    const name = `name=${loadConnectionName(owner)} `;
    return { state: clients.includes(name) ? "running" : "interrupted", owner, where };
  }

  async clearInterruptedLoad(): Promise<ClearResult> {
    const url = this.redactedUrl;
    const claim = await this.findLoadClaim();
    if (!claim) {
      const setting = await this.readSetting();
      if (setting) return { cleared: false, message: `${url} holds volume "${setting.Name}" and no interrupted load: nothing was removed` };
      const size = await this.keyCount();
      if (size === 0) return { cleared: false, message: `${url} is empty: there is nothing to clear` };
      throw new JfsError(
        "refused",
        `${url} holds ${size} keys but no jfsmeta load claim (key "${this.p}${LOAD_CLAIM_KEY}"): they were not written by an interrupted jfsmeta load, so nothing was removed; check what they are before emptying the database yourself`,
      );
    }
    if (claim.state === "running") throw new LoadClaimedError(claim, url);
    const raw = await this.call(() => this.client.getBuffer(this.p + LOAD_CLAIM_KEY));
    const n = raw ? await this.clearLoad(raw) : -1;
    const who = claim.owner ? ` (pid ${claim.owner.pid} on ${claim.owner.host}, started ${claim.owner.started})` : "";
    if (n < 0) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
    if (n === 0) {
      return { cleared: true, message: `${url} holds a volume setting: only the stale claim of a load${who} was removed, no volume data was touched` };
    }
    return { cleared: true, message: `removed the ${n} keys an interrupted load${who} had written: ${url} is empty again` };
  }

  async getXattr(inode: bigint, name: string): Promise<Buffer | null> {
    return this.read(() => this.client.hgetBuffer(`${this.p}x${inode}`, name));
  }

  async compareAndSetXattr(inode: bigint, name: string, expected: Buffer | null, value: Buffer): Promise<boolean> {
    const client = this.client as RedisClient & { jfsCasXattr(...args: (string | Buffer)[]): Promise<number> };
    const r = await this.call(() => client.jfsCasXattr(`${this.p}x${inode}`, name, expected ? "1" : "0", expected ?? Buffer.alloc(0), value));
    return r === 1;
  }
}

/** Whether a process of this host exists (signal 0 tests without sending). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Connect to the Redis named by a META-URL and check that it answers. */
export async function openRedis(url: string, early?: EarlySnapshot | null): Promise<MetaEngine> {
  return openRedisEngine(url, early);
}

/**
 * `early`: the snapshot requestSnapshotEarly asked for with this URL, which the engine's first
 * scanTables() reads; closed with the engine if none does, or here if the open fails.
 */
export async function openRedisEngine(url: string, early?: EarlySnapshot | null): Promise<RedisEngine> {
  let target: RedisTarget;
  try {
    target = early?.target ?? (await resolveRedisTarget(url));
  } catch (err) {
    early?.close();
    throw err;
  }
  const client = newClient(target, failoverWaitMs());
  // Without a listener ioredis prints connection errors itself; the first one is the cause
  // worth reporting (a later "Connection is closed" is only its consequence).
  let firstError: Error | null = null;
  client.on("error", (err: Error) => {
    firstError ??= err;
  });
  const engine = new RedisEngine(client, redactUrl(url.includes("://") ? url : `redis://${url}`), target);
  engine.early = early ?? null;
  try {
    // The lean connection first: AUTH, SELECT and a PING tell a wrong password, a bad DB
    // number or a port that is not Redis (an HTTP server answers "HTTP/1.1 400") at once.
    // (Sentinel and Cluster: the sentinels or the cluster are asked for the master first.)
    const ping = new CommandBuffer();
    ping.add(["PING"]);
    const [pong] = await engine.bulkCall(ping);
    if (pong instanceof RespError) throw explainRedisError(pong, target.addr);
  } catch (err) {
    await engine.close().catch(() => {}); // the error to tell is the one above
    throw err;
  }
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    await engine.close().catch(() => {}); // the error to tell is the connect failure
    throw explainRedisError(firstError ?? err, target.addr);
  }
  return engine;
}

