// The Redis metadata engine (single node, standalone; key layout of redis-schema.md §1).
// ioredis serves the occasional commands; the bulk paths (batch reads, load writes) go
// through the lean RESP connection of ./resp.
import { createHash } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { AclRule, Chunk, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry, Xattr } from "../../jfs/types";
import { CHUNK_SIZE, TYPE_CODE } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../dump/setting-json";
import type { EmptinessCheck, LoadSink, MetaEngine, StoredNode } from "../engine";
import { redactUrl } from "../open";
import { decodeAcl, decodeAttr, decodeEntry, decodeQuota, decodeSlice } from "./codec";
import { explainRedisError } from "./errors";
import { parseRedisUrl } from "./url";
import { RedisLoadSink } from "./sink";
import { CommandBuffer, RespConnection, RespError, type Reply } from "./resp";

/** Chunks of one file fetched inside the batch script; the rest go through pipelines. */
const SCRIPT_MAX_CHUNKS = 64;
const CHUNK_PIPELINE = 300;
/** Directories up to this many entries come with their batch; bigger ones are scanned. */
const SCRIPT_MAX_DIR = 1000;
/** Prefetched listings kept for readDir; beyond this the oldest are dropped (re-read later). */
const MAX_PREFETCHED_DIRS = 4096;
const PREFETCH_TTL_MS = 30_000;

// One round trip per batch of entries: attr, xattrs, chunk lists (up to a cap), symlink
// target and the entries of small directories, chosen by the stored type (the entry's type
// when the attr is missing). Prefetching listings saves a round trip per directory.
const READ_BATCH_LUA = `
local maxc = tonumber(ARGV[1])
local maxd = tonumber(ARGV[2])
local out = {}
local CH = 67108864
for i = 3, #ARGV, 2 do
  local ino = ARGV[i]
  local t = tonumber(ARGV[i + 1])
  local a = redis.call('GET', 'i' .. ino)
  local x = redis.call('HGETALL', 'x' .. ino)
  local s = false
  local chunks = {}
  if a and #a >= 3 then t = math.floor(string.byte(a, 2) / 16) end
  if t == 1 then
    local len = 0
    if a and #a >= 59 then
      for k = 52, 59 do len = len * 256 + string.byte(a, k) end
    end
    local n = math.ceil(len / CH)
    if n > maxc then n = maxc end
    for idx = 0, n - 1 do
      local l = redis.call('LRANGE', 'c' .. ino .. '_' .. idx, 0, -1)
      if #l > 0 then
        chunks[#chunks + 1] = idx
        chunks[#chunks + 1] = l
      end
    end
  elseif t == 3 then
    s = redis.call('GET', 's' .. ino)
  end
  local d = false
  if t == 2 and redis.call('HLEN', 'd' .. ino) <= maxd then
    d = redis.call('HGETALL', 'd' .. ino)
  end
  out[#out + 1] = a
  out[#out + 1] = x
  out[#out + 1] = s
  out[#out + 1] = chunks
  out[#out + 1] = d
end
return out
`;

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

const READ_BATCH_SHA = createHash("sha1").update(READ_BATCH_LUA).digest("hex");

export class RedisEngine implements MetaEngine {
  readonly kind = "redis" as const;
  private aclCache: Map<number, AclRule> | null = null;
  private bulkConn: Promise<RespConnection> | null = null;
  /** Directory listings that came with a readNodes batch, raw [name, value, ...]. */
  private prefetchedDirs = new Map<bigint, { at: number; raw: Buffer[] }>();

  constructor(
    readonly client: Redis,
    readonly redactedUrl: string,
    /** host:port/db, as JuiceFS names the database in messages. */
    readonly addr: string,
    private readonly options: RedisOptions,
  ) {
    client.defineCommand("jfsCasXattr", { numberOfKeys: 1, lua: CAS_XATTR_LUA });
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
    if (this.bulkConn) {
      const conn = await this.bulkConn.catch(() => null);
      conn?.close();
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  async readSetting(): Promise<Setting | null> {
    const raw = await this.call(() => this.client.getBuffer("setting"));
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw new Error(`the volume format stored in Redis at ${this.addr} (key "setting") is not valid: ${(err as Error).message}`);
    }
  }

  async writeSetting(s: Setting): Promise<void> {
    await this.call(() => this.client.set("setting", encodeStoredSetting(s)));
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
    if (cached) this.prefetchedDirs.delete(inode);
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

  async readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    if (entries.length === 0) return [];
    const args: (string | number)[] = [READ_BATCH_SHA, 0, SCRIPT_MAX_CHUNKS, SCRIPT_MAX_DIR];
    for (const e of entries) args.push(e.inode.toString(), TYPE_CODE[e.type] ?? 0);
    let cmd = new CommandBuffer();
    cmd.add(["EVALSHA", ...args]);
    let [res] = await this.bulkCall(cmd);
    if (res instanceof RespError && res.message.startsWith("NOSCRIPT")) {
      cmd = new CommandBuffer();
      cmd.add(["EVAL", READ_BATCH_LUA, ...args.slice(1)]);
      [res] = await this.bulkCall(cmd);
    }
    if (res instanceof RespError) throw explainRedisError(res, this.addr);
    const reply = res as Reply[];
    const nodes: StoredNode[] = [];
    const more: { node: StoredNode; from: number; to: number }[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const rawAttr = reply[i * 5] as Buffer | null;
      const rawX = reply[i * 5 + 1] as Buffer[];
      const rawS = reply[i * 5 + 2] as Buffer | null;
      const rawC = reply[i * 5 + 3] as (number | Buffer[])[];
      const rawD = reply[i * 5 + 4] as Buffer[] | null;
      if (rawD) {
        if (this.prefetchedDirs.size >= MAX_PREFETCHED_DIRS) {
          this.prefetchedDirs.delete(this.prefetchedDirs.keys().next().value!);
        }
        this.prefetchedDirs.set(e.inode, { at: Date.now(), raw: rawD });
      }
      const stored = rawAttr ? decodeAttr(e.inode, rawAttr) : null;
      const xattrs: Xattr[] = pairs(rawX).map(([name, value]) => ({ name, value }));
      const chunks: Chunk[] = [];
      for (let k = 0; k + 1 < rawC.length; k += 2) {
        chunks.push({ index: Number(rawC[k]), slices: (rawC[k + 1] as Buffer[]).map(decodeSlice).filter((s) => s !== null) });
      }
      const node: StoredNode = { inode: e.inode, entryType: e.type, attr: stored?.attr ?? null, xattrs, chunks };
      if (rawS) node.symlink = rawS;
      if (stored) {
        node.accessAcl = await this.acl(stored.accessAcl);
        node.defaultAcl = await this.acl(stored.defaultAcl);
        if (stored.attr.type === "regular") {
          const n = (stored.attr.length + BigInt(CHUNK_SIZE) - 1n) / BigInt(CHUNK_SIZE);
          if (n > BigInt(SCRIPT_MAX_CHUNKS)) more.push({ node, from: SCRIPT_MAX_CHUNKS, to: Number(n) });
        }
      }
      nodes.push(node);
    }
    for (const m of more) await this.readMoreChunks(m.node, m.from, m.to);
    return nodes;
  }

  /** Chunks [from, to) of a big file, in pipelines of CHUNK_PIPELINE LRANGEs. */
  private async readMoreChunks(node: StoredNode, from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += CHUNK_PIPELINE) {
      const end = Math.min(to, start + CHUNK_PIPELINE);
      const pipe = this.client.pipeline();
      for (let idx = start; idx < end; idx++) pipe.lrangeBuffer(`c${node.inode}_${idx}`, 0, -1);
      const res = await this.call(() => pipe.exec());
      for (let idx = start; idx < end; idx++) {
        const [err, list] = res![idx - start];
        if (err) throw explainRedisError(err, this.addr);
        const l = list as Buffer[];
        if (l.length > 0) node.chunks.push({ index: idx, slices: l.map(decodeSlice).filter((s) => s !== null) });
      }
    }
  }

  async usage(): Promise<{ usedSpace: bigint; usedInodes: bigint }> {
    const [s, i] = await this.call(() => this.client.mget("usedSpace", "totalInodes"));
    return { usedSpace: toBigInt(s), usedInodes: toBigInt(i) };
  }

  async beginLoad(): Promise<LoadSink> {
    const check = await this.checkEmpty();
    if (!check.empty) throw new Error(check.reason);
    return new RedisLoadSink(this, await this.bulk());
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
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw explainRedisError(firstError ?? err, target.addr);
  }
  return engine;
}
