// The Redis metadata engine (single node, standalone; key layout of docs/format/redis-keys.md §2).
// ioredis serves the occasional commands; the bulk paths (batch reads, load writes) go
// through the lean RESP connection of ./resp.
import os from "node:os";
import { Redis, type RedisOptions } from "ioredis";
import type { AclRule, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry, Xattr } from "../../jfs/types";
import { CHUNK_SIZE, MAX_FILE_SIZE, ROOT_INODE, TRASH_INODE } from "../../jfs/types";
import { newTrashAttr } from "../trash";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../jfs/setting-json";
import type { ConsistentRead, EmptinessCheck, LoadSink, MetaEngine, QueryGate, StoredNode } from "../engine";
import type { TableBatch } from "../../jfs/table-records";
import { scanRedisTables } from "./scan";
import { freezeReplica } from "./replica";
import { redactUrl } from "../url";
import { clearCommand, LoadClaimedError, newLoadOwner, parseLoadOwner, type ClearResult, type LoadClaim } from "../load-claim";
import { decodeAcl, decodeAttr, decodeEntry, decodeQuota, decodeSlice, encodeAttr } from "./codec";
import { explainRedisError } from "./errors";
import { parseRedisUrl } from "./url";
import { RedisLoadSink } from "./sink";
import { CLAIM_LUA, CLEAR_LOAD_LUA, LOAD_CLAIM_KEY, loadConnectionName } from "./claim";
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
  local l = redis.call('LRANGE', 'c' .. ARGV[1] .. '_' .. i, 0, -1)
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

export class RedisEngine implements MetaEngine {
  readonly kind = "redis" as const;
  private aclCache: Map<number, AclRule> | null = null;
  private bulkConn: Promise<RespConnection> | null = null;
  /** Directory listings that came with a readNodes batch, raw [name, value, ...]. */
  private prefetchedDirs = new Map<bigint, { at: number; raw: Buffer[] }>();
  /** Fields (name and value each) held in prefetchedDirs. */
  private prefetchedFields = 0;

  /** The live server's connections while a consistent read points these at a frozen replica. */
  private live: { client: Redis; bulkConn: Promise<RespConnection> | null; options: RedisOptions; end(): Promise<void> } | null = null;

  constructor(
    /** The connection reads use: the live server's, or a frozen replica's (beginConsistentRead). */
    public client: Redis,
    readonly redactedUrl: string,
    /** host:port/db, as JuiceFS names the database in messages. */
    readonly addr: string,
    private options: RedisOptions,
  ) {
    client.defineCommand("jfsCasXattr", { numberOfKeys: 1, lua: CAS_XATTR_LUA });
    client.defineCommand("jfsClearLoad", { numberOfKeys: 2, lua: CLEAR_LOAD_LUA });
  }

  /**
   * A private replica of the server, synced and detached (replica.ts), serves every read until
   * end(): one moment of the volume, and none of the dump's reads on the live server. Needs
   * redis-server on this host. `parallel` is moot: one Redis connection pipelines the reads.
   */
  async beginConsistentRead(): Promise<ConsistentRead> {
    if (this.live) throw new JfsError("internal", "a consistent read is already open on this engine");
    const replica = await freezeReplica(this.options, { db: this.options.db ?? 0 });
    const frozen = new Redis({ ...replica.options, lazyConnect: true });
    frozen.on("error", () => {}); // told by the command that meets it
    try {
      await frozen.connect();
    } catch (err) {
      frozen.disconnect();
      await replica.stop();
      throw explainRedisError(err, this.addr);
    }
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

  /** The lean connection for batch reads and load writes (opened on first use). */
  bulk(): Promise<RespConnection> {
    this.bulkConn ??= RespConnection.connect(this.options).catch((err) => {
      this.bulkConn = null;
      throw explainRedisError(err, this.addr);
    });
    return this.bulkConn;
  }

  /** Send commands on the bulk connection; an error reply or a broken connection throws. */
  async bulkCall(cmds: CommandBuffer): Promise<Reply[]> {
    const conn = await this.bulk();
    let replies: Reply[];
    try {
      replies = await conn.send(cmds);
    } catch (err) {
      throw explainRedisError(err, this.addr);
    }
    return replies;
  }

  async close(): Promise<void> {
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

  async readSetting(): Promise<Setting | null> {
    const raw = await this.call(() => this.client.getBuffer("setting"));
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw wrapError(`the volume format stored in Redis at ${this.addr} (key "setting") is not valid`, err, "corrupt-input");
    }
  }

  async writeSetting(s: Setting): Promise<void> {
    await this.call(() => this.client.set("setting", encodeStoredSetting(s)));
  }

  async ensureTrashDir(now: Date): Promise<boolean> {
    const attr = newTrashAttr(now, true);
    const created = await this.call(() => this.client.setnx(`i${TRASH_INODE}`, encodeAttr(attr, ROOT_INODE)));
    return created === 1;
  }

  async checkEmpty(): Promise<EmptinessCheck> {
    const size = await this.call(() => this.client.dbsize());
    if (size > 0) return { empty: false, reason: `Database redis://${this.addr} is not empty` };
    return { empty: true };
  }

  async readCounters(): Promise<Counters> {
    const names = ["usedSpace", "totalInodes", "nextinode", "nextchunk", "nextsession", "nextTrash", "txnLastLog"];
    const v = await this.call(() => this.client.mget(...names));
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
    const sids = await this.call(() => this.client.zrange("allSessions", "0", "-1"));
    if (sids.length === 0) return [];
    const pipe = this.client.pipeline();
    for (const sid of sids) pipe.smembers(`session${sid}`);
    const res = await this.call(() => pipe.exec());
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
    const flat = await this.call(() => this.client.zrange("delfiles", "0", "-1", "WITHSCORES"));
    const out: DelFile[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parts = flat[i].split(":");
      if (parts.length !== 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) continue;
      out.push({ inode: BigInt(parts[0]), length: BigInt(parts[1]), expire: BigInt(Math.trunc(Number(flat[i + 1]))) });
    }
    return out;
  }

  async readQuotas(kind: QuotaKind): Promise<Map<bigint, QuotaLimit>> {
    const flat = (await this.call(() => this.client.callBuffer("HGETALL", QUOTA_KEYS[kind]))) as Buffer[];
    const out = new Map<bigint, QuotaLimit>();
    for (const [k, v] of pairs(flat)) {
      const q = decodeQuota(v);
      if (q) out.set(toBigInt(k), q);
    }
    return out;
  }

  async lookup(parent: bigint, name: Buffer): Promise<DirEntry | null> {
    const v = await this.call(() => this.client.hgetBuffer(`d${parent}`, name));
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
      do {
        const cmd = new CommandBuffer();
        cmd.add(["HSCAN", `d${inode}`, cursor, "COUNT", 10000]);
        const [reply] = await self.bulkCall(cmd);
        if (reply instanceof RespError) throw explainRedisError(reply, self.addr);
        const [next, flat] = reply as [Buffer, Buffer[]];
        cursor = next.toString();
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
      const flat = (await this.call(() => this.client.callBuffer("HGETALL", "acl"))) as Buffer[];
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
    for (const e of entries) {
      const ino = e.inode.toString();
      cmd.add(["GET", `i${ino}`]);
      cmd.add(["HGETALL", `x${ino}`]);
      if (e.type === "regular") cmd.add(["LRANGE", `c${ino}_0`, 0, -1]);
      else if (e.type === "symlink") cmd.add(["GET", `s${ino}`]);
      else if (e.type === "directory") cmd.add(["HSCAN", `d${ino}`, 0, "COUNT", BATCH_DIR_PAGE]);
    }
    const reply = await this.bulkCall(cmd);
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
          followUp.add(["LRANGE", `c${ino}_${idx}`, 0, -1]);
          fill.push((r) => addSlices(node, idx, r as Buffer[]));
        }
        if (n > BATCH_MAX_CHUNKS) big.push({ node, chunks: n });
      } else if (type === "symlink") {
        if (e.type === "symlink") {
          if (extra) node.symlink = extra as Buffer;
        } else {
          followUp.add(["GET", `s${ino}`]);
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
      const more = await this.bulkCall(followUp);
      more.forEach((r, i) => {
        if (r instanceof RespError) throw explainRedisError(r, this.addr);
        fill[i](r);
      });
    }
    for (const b of big) await this.readMoreChunks(b.node, BATCH_MAX_CHUNKS, b.chunks);
    return nodes;
  }

  /** One SCAN of the keyspace and pipelined raw reads (scan.ts). */
  scanTables(gate?: QueryGate): AsyncIterable<TableBatch> {
    return scanRedisTables(this, gate);
  }

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
      if (sparse) cmd.add(["EVAL", SPARSE_CHUNKS_LUA, 0, node.inode, start, end]);
      else for (let idx = start; idx < end; idx++) cmd.add(["LRANGE", `c${node.inode}_${idx}`, 0, -1]);
      const replies = await this.bulkCall(cmd);
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
    const [s, i] = await this.call(() => this.client.mget("usedSpace", "totalInodes"));
    return { usedSpace: toBigInt(s), usedInodes: toBigInt(i) };
  }

  async beginLoad(): Promise<LoadSink> {
    const owner = newLoadOwner();
    const conn = await this.bulk();
    const cmd = new CommandBuffer();
    cmd.add(["CLIENT", "SETNAME", loadConnectionName(owner)]);
    cmd.add(["EVAL", CLAIM_LUA, 1, LOAD_CLAIM_KEY, JSON.stringify(owner)]);
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

  async findLoadClaim(): Promise<LoadClaim | null> {
    const raw = await this.call(() => this.client.getBuffer(LOAD_CLAIM_KEY));
    const owner = parseLoadOwner(raw);
    if (!owner) return null;
    const where = `key "${LOAD_CLAIM_KEY}" in redis://${this.addr}`;
    let clients: string;
    try {
      clients = String(await this.client.call("CLIENT", "LIST"));
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
      const size = await this.call(() => this.client.dbsize());
      if (size === 0) return { cleared: false, message: `${url} is empty: there is nothing to clear` };
      throw new JfsError(
        "refused",
        `${url} holds ${size} keys but no jfsmeta load claim (key "${LOAD_CLAIM_KEY}"): they were not written by an interrupted jfsmeta load, so nothing was removed; check what they are before emptying the database yourself`,
      );
    }
    if (claim.state === "running") throw new LoadClaimedError(claim, url);
    const raw = await this.call(() => this.client.getBuffer(LOAD_CLAIM_KEY));
    const client = this.client as Redis & { jfsClearLoad(...args: (string | Buffer)[]): Promise<number> };
    const n = raw ? await this.call(() => client.jfsClearLoad(LOAD_CLAIM_KEY, "setting", raw)) : -1;
    const who = claim.owner ? ` (pid ${claim.owner.pid} on ${claim.owner.host}, started ${claim.owner.started})` : "";
    if (n < 0) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
    if (n === 0) {
      return { cleared: true, message: `${url} holds a volume setting: only the stale claim of a load${who} was removed, no volume data was touched` };
    }
    return { cleared: true, message: `removed the ${n} keys an interrupted load${who} had written: ${url} is empty again` };
  }

  async getXattr(inode: bigint, name: string): Promise<Buffer | null> {
    return this.call(() => this.client.hgetBuffer(`x${inode}`, name));
  }

  async compareAndSetXattr(inode: bigint, name: string, expected: Buffer | null, value: Buffer): Promise<boolean> {
    const client = this.client as Redis & { jfsCasXattr(...args: (string | Buffer)[]): Promise<number> };
    const r = await this.call(() => client.jfsCasXattr(`x${inode}`, name, expected ? "1" : "0", expected ?? Buffer.alloc(0), value));
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
export async function openRedis(url: string): Promise<MetaEngine> {
  return openRedisEngine(url);
}

export async function openRedisEngine(url: string): Promise<RedisEngine> {
  const target = parseRedisUrl(url);
  const client = new Redis(target.options);
  // Without a listener ioredis prints connection errors itself; the first one is the cause
  // worth reporting (a later "Connection is closed" is only its consequence).
  let firstError: Error | null = null;
  client.on("error", (err: Error) => {
    firstError ??= err;
  });
  const engine = new RedisEngine(client, redactUrl(url.includes("://") ? url : `redis://${url}`), target.addr, target.options);
  try {
    // The lean connection first: AUTH, SELECT and a PING tell a wrong password, a bad DB
    // number or a port that is not Redis (an HTTP server answers "HTTP/1.1 400") at once.
    const ping = new CommandBuffer();
    ping.add(["PING"]);
    await engine.bulkCall(ping);
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
