// The etcd metadata engine: JuiceFS's transactional-KV layout (../tkv/keys.ts) under the client
// prefix of the META-URL (url.ts), through etcd3's KV client (kv.ts).
//
// Every dump reads one revision (dumpsAlwaysConsistent): paged ranges at a fixed revision are a
// snapshot etcd gives for free, where JuiceFS's etcd dump reads the live store.
import type { Etcd3, IRangeRequest } from "etcd3";
import type { AclRule, Counters, DelFile, DirEntry, NodeType, QuotaKind, QuotaLimit, SustainedEntry, Xattr } from "../../jfs/types";
import { ROOT_INODE, TRASH_INODE } from "../../jfs/types";
import { decodeAcl, decodeAttr, decodeSlice, encodeAttr, SLICE_BYTES } from "../../jfs/binary-values";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting, parseSetting } from "../../jfs/setting-json";
import { JfsError, wrapError } from "../../jfs/errors";
import type { ChildBatch, ConsistentRead, EmptinessCheck, LoadSink, MetaEngine, QueryGate, StoredNode } from "../engine";
import type { RecordEncoder, ScanBatch, TableBatch } from "../../jfs/table-records";
import { scanEtcdTables } from "./scan";
import { clearCommand, LoadClaimedError, newLoadOwner, parseLoadOwner, type ClearResult, type LoadClaim } from "../load-claim";
import { newTrashAttr } from "../trash";
import { redactUrl } from "../url";
import {
  attrKey, counterKey, decodeCounter, decodeEntry, decodeQuota, entriesPrefix, entryKey, inodePrefix, nextKey,
  parseDelFileKey, parseQuotaKey, parseSustainedKey, QUOTA_PREFIX, SETTING_KEY, xattrKey,
} from "../tkv/keys";
import { EtcdClient, EtcdKv, MAX_TXN_OPS, PAGE } from "./kv";
import type { Kv, KvPage } from "./range-codec";
import { TurnBatcher } from "./turn-batcher";
import { etcdClientOptions, parseEtcdUrl, type EtcdTarget } from "./url";
import { EtcdLoadSink, LOAD_ALIVE_KEY, LOAD_CLAIM_KEY, LOAD_LEASE_TTL } from "./sink";
import { explainEtcdError } from "./errors";
import { backendRoom } from "./quota";
import { readListedNodes } from "../read-ahead";

/** Keys of one inode a readNodes range returns before the rest is read page by page. */
const NODE_RANGE_LIMIT = 256;
/** Entries a directory's first listing page holds (readDirNodes); a bigger one goes on by pages. */
const FIRST_PAGE = MAX_TXN_OPS;
/** Node batches of a big directory read ahead once the walk is in it. */
const NODE_READ_AHEAD = 8;
/**
 * Transactions of node reads, and of first listing pages, out at once (turn-batcher.ts): what
 * is asked meanwhile fills the next ones. Measured on a 100,000-file dump (2 shared cores): 1–2
 * and 1 sent 2,400–2,700 requests where 4 and 2 or 8 and 4 sent as many for more CPU, and the
 * walk a request per listing and per batch 7,250.
 */
const NODE_TXNS = 2;
const LISTING_TXNS = 1;
const ungated: QueryGate = (query) => query();
/** How long opening waits for an etcd that does not answer. */
const OPEN_RETRY_MS = 5000;
const COUNTERS = ["usedSpace", "totalInodes", "nextInode", "nextChunk", "nextSession", "nextTrash"] as const;

export class EtcdEngine implements MetaEngine {
  readonly kind = "etcd" as const;
  readonly consistentReadIsCheap = true;
  readonly dumpsAlwaysConsistent = true;
  /** Answers take a network round trip each: read well ahead. */
  readonly dumpReadAhead = { dirs: 64, entries: 16384 };
  /**
   * A JSON dump of the whole volume reads the flat scan and orders the tree itself
   * (table-tree.ts): etcd pays per range operation, and the walk needs one for each inode. At 1M
   * files (README, Performance): 36.6 s wall, 30.5 s CPU, 246 MB, against the tree walk's 230 s,
   * 56 s of our CPU and 99 s of etcd's.
   */
  jsonDumpFromTables(): boolean {
    return true;
  }
  private aclCache: Map<number, AclRule> | null = null;
  private readonly nodeReads = new TurnBatcher<{ inode: bigint; type: NodeType }, StoredNode>(MAX_TXN_OPS, NODE_TXNS, (part) => this.readNodeTxn(part));

  /** The first page of each directory's listing, up to MAX_TXN_OPS directories a transaction. */
  private readonly firstPages = new TurnBatcher<bigint, KvPage>(MAX_TXN_OPS, LISTING_TXNS, (dirs) =>
    this.kv.readTxnPages(dirs.map((d) => this.kv.rangeRequest(entriesPrefix(d), nextKey(entriesPrefix(d)), FIRST_PAGE))),
  );


  constructor(
    readonly kv: EtcdKv,
    readonly redactedUrl: string,
    readonly target: EtcdTarget,
  ) {}

  get client(): Etcd3 {
    return this.kv.client;
  }

  /** etcd://hosts/path as JuiceFS names the database in messages (no password). */
  get name(): string {
    return `etcd://${this.target.addr}`;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /** Every later read is at the current revision until end(): one moment of the volume. */
  async beginConsistentRead(): Promise<ConsistentRead> {
    if (this.kv.revision) throw new JfsError("internal", "a consistent read is already open on this engine");
    const r = await this.kv.range(this.kv.rangeRequest(SETTING_KEY));
    const takenAt = new Date();
    this.kv.revision = r.header.revision;
    this.aclCache = null;
    let ended = false;
    return {
      takenAt,
      connections: 1,
      end: async () => {
        if (ended) return;
        ended = true;
        this.kv.revision = undefined;
        this.aclCache = null;
      },
    };
  }

  /** The revision reads are pinned at (a dump's), or undefined. */
  get readRevision(): string | undefined {
    return this.kv.revision;
  }

  private refuseWriteInSnapshot(): void {
    if (this.kv.revision) throw new JfsError("internal", "write attempted while a consistent read is open");
  }

  async readSetting(): Promise<Setting | null> {
    const raw = await this.kv.get(SETTING_KEY);
    if (!raw) return null;
    try {
      return parseSetting(raw.toString("utf8"));
    } catch (err) {
      throw wrapError(`the volume format stored in ${this.name} (key "setting") is not valid`, err, "corrupt-input");
    }
  }

  async writeSetting(s: Setting): Promise<void> {
    this.refuseWriteInSnapshot();
    await this.kv.txn({ success: [this.kv.put(SETTING_KEY, Buffer.from(encodeStoredSetting(s)))] });
  }

  async ensureTrashDir(now: Date): Promise<boolean> {
    this.refuseWriteInSnapshot();
    const key = this.kv.key(attrKey(TRASH_INODE));
    const r = await this.kv.txn({
      compare: [{ key, target: "Version", result: "Equal", version: 0 }],
      success: [{ request_put: { key, value: encodeAttr(newTrashAttr(now, true), ROOT_INODE) } }],
    });
    return r.succeeded;
  }

  async checkEmpty(): Promise<EmptinessCheck> {
    const r = await this.kv.range({ ...this.kv.rangeRequest(Buffer.alloc(0), Buffer.from([0]), 1), keys_only: true });
    if (r.kvs.length === 0) return { empty: true };
    const setting = await this.readSetting().catch(() => null);
    return { empty: false, ...(setting ? { volume: setting.Name } : {}), reason: `Database ${this.name} is not empty` };
  }

  async readCounters(): Promise<Counters> {
    const v = await this.kv.gets(COUNTERS.map((n) => counterKey(n)));
    return {
      usedSpace: decodeCounter(v[0]),
      usedInodes: decodeCounter(v[1]),
      nextInodes: decodeCounter(v[2]),
      nextChunk: decodeCounter(v[3]),
      nextSession: decodeCounter(v[4]),
      nextTrash: decodeCounter(v[5]),
    };
  }

  async readSustained(): Promise<SustainedEntry[]> {
    const bySid = new Map<bigint, bigint[]>();
    const p = Buffer.from("SS");
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const s = parseSustainedKey(this.kv.strip(kv.key));
        if (!s) continue;
        const list = bySid.get(s.sid) ?? [];
        list.push(s.inode);
        bySid.set(s.sid, list);
      }
    }
    return [...bySid].map(([sid, inodes]) => ({ sid, inodes }));
  }

  async readDelFiles(): Promise<DelFile[]> {
    const out: DelFile[] = [];
    const p = Buffer.from("D");
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const d = parseDelFileKey(this.kv.strip(kv.key), kv.value);
        if (d) out.push(d);
      }
    }
    return out;
  }

  async readQuotas(kind: QuotaKind): Promise<Map<bigint, QuotaLimit>> {
    const out = new Map<bigint, QuotaLimit>();
    const p = QUOTA_PREFIX[kind];
    for await (const page of this.kv.scan(p, nextKey(p))) {
      for (const kv of page) {
        const id = parseQuotaKey(kind, this.kv.strip(kv.key));
        const q = decodeQuota(kv.value);
        if (id !== null && q) out.set(id, { maxSpace: q.maxSpace, maxInodes: q.maxInodes });
      }
    }
    return out;
  }

  async lookup(parent: bigint, name: Buffer): Promise<DirEntry | null> {
    const v = await this.kv.get(entryKey(parent, name));
    return v ? decodeEntry(name, v) : null;
  }

  readDir(inode: bigint): { sorted: boolean; batches: AsyncIterable<DirEntry[]> } {
    const kv = this.kv;
    const start = entriesPrefix(inode);
    const skip = kv.prefix.length + start.length;
    async function* batches(): AsyncGenerator<DirEntry[]> {
      for await (const page of kv.scan(start, nextKey(start))) yield page.map((e) => decodeEntry(e.key.subarray(skip), e.value));
    }
    return { sorted: true, batches: batches() };
  }

  private async acl(id: number): Promise<AclRule | undefined> {
    if (id === 0) return undefined;
    if (!this.aclCache || !this.aclCache.has(id)) {
      const cache = new Map<number, AclRule>();
      const p = Buffer.from("R");
      for await (const page of this.kv.scan(p, nextKey(p))) {
        for (const kv of page) {
          const k = this.kv.strip(kv.key);
          const rule = k.length === 5 ? decodeAcl(kv.value) : null;
          if (rule) cache.set(k.readUInt32BE(1), rule);
        }
      }
      this.aclCache = cache;
    }
    return this.aclCache.get(id);
  }

  /**
   * An inode's keys are contiguous (`A` ino …), so one range per inode reads them all: attr,
   * chunks, symlink, xattrs (and hard-link parents). A directory's range starts at `I`, past its
   * entries. The ranges of every readNodes of one event-loop turn share read-only transactions
   * of MAX_TXN_OPS (turn-batcher.ts); a range cut short by its limit (a file of many chunks) is
   * read on in pages.
   */
  readNodes(entries: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    return this.nodeReads.add(entries, ungated);
  }

  /** At most MAX_TXN_OPS nodes: one read-only transaction, and pages for what it cut short. */
  private async readNodeTxn(part: { inode: bigint; type: NodeType }[]): Promise<StoredNode[]> {
    const nodes: StoredNode[] = [];
    const res = await this.kv.readTxnPages(part.map((e) => this.nodeRange(e.inode, e.type === "directory")));
    for (const [k, e] of part.entries()) {
      const kvs = res[k].kvs;
      if (res[k].more) await this.kv.rest(kvs, nextKey(inodePrefix(e.inode)));
      let node = await this.toNode(e.inode, e.type, kvs);
      // An entry that says directory for an inode whose attr says file: its chunks were skipped.
      if (e.type === "directory" && node.attr && node.attr.type !== "directory") {
        const all = await this.kv.page(this.nodeRange(e.inode, false, 0));
        node = await this.toNode(e.inode, e.type, all.kvs);
      }
      nodes.push(node);
    }
    return nodes;
  }

  /**
   * A directory's children with their nodes, in name order (etcd lists by key). The dump opens a
   * batch's sub-directories together: their first listing pages share transactions, and so do
   * the node reads of all their children (turn-batcher.ts), where a listing and a transaction a
   * directory cost a request each per directory. A directory bigger than its first page goes on
   * by listing pages, its nodes read in batches of MAX_TXN_OPS, a few ahead once the walk is in it.
   */
  readDirNodes(inode: bigint, gate: QueryGate = ungated): AsyncIterable<ChildBatch> {
    const self = this;
    const kv = this.kv;
    const start = entriesPrefix(inode);
    const skip = kv.prefix.length + start.length;
    const entry = (e: Kv) => decodeEntry(e.key.subarray(skip), e.value);
    async function* pages(): AsyncGenerator<ChildBatch> {
      const [first] = await self.firstPages.add([inode], gate);
      const last = first.kvs[first.kvs.length - 1];
      // A page that says `more` is never the end: the rest is listed on from its last key.
      const listing = first.more && last ? kv.scan(Buffer.concat([kv.strip(last.key), Buffer.from([0])]), nextKey(start), PAGE, gate) : null;
      const pagesOfEntries = listing && (async function* () {
        for await (const page of listing) yield page.map(entry);
      })();
      yield* readListedNodes(first.kvs.map(entry), pagesOfEntries, MAX_TXN_OPS, NODE_READ_AHEAD, (part) => self.nodeReads.add(part, gate));
    }
    return pages();
  }

  private nodeRange(inode: bigint, dir: boolean, limit = NODE_RANGE_LIMIT): IRangeRequest {
    const p = inodePrefix(inode);
    const start = dir ? attrKey(inode) : p;
    return this.kv.rangeRequest(start, nextKey(p), limit || undefined);
  }

  private async toNode(inode: bigint, entryType: NodeType, kvs: Kv[]): Promise<StoredNode> {
    const node: StoredNode = { inode, entryType, attr: null, xattrs: [], chunks: [] };
    const skip = this.kv.prefix.length + 9;
    let accessAcl = 0;
    let defaultAcl = 0;
    for (const kv of kvs) {
      const tag = kv.key[skip];
      const rest = kv.key.subarray(skip + 1);
      if (tag === 0x49) {
        const stored = decodeAttr(inode, kv.value);
        if (stored) {
          node.attr = stored.attr;
          accessAcl = stored.accessAcl;
          defaultAcl = stored.defaultAcl;
        }
      } else if (tag === 0x43 && rest.length === 4) {
        const slices = [];
        for (let off = 0; off + SLICE_BYTES <= kv.value.length; off += SLICE_BYTES) {
          const s = decodeSlice(kv.value.subarray(off, off + SLICE_BYTES));
          if (s) slices.push(s);
        }
        // JuiceFS reads a value that is not whole records as no slices ("corrupt slices").
        if (kv.value.length % SLICE_BYTES === 0 && slices.length > 0) node.chunks.push({ index: rest.readUInt32BE(0), slices });
      } else if (tag === 0x53 && rest.length === 0) {
        node.symlink = kv.value;
      } else if (tag === 0x58) {
        node.xattrs.push({ name: Buffer.from(rest), value: kv.value } satisfies Xattr);
      }
    }
    if (accessAcl) node.accessAcl = await this.acl(accessAcl);
    if (defaultAcl) node.defaultAcl = await this.acl(defaultAcl);
    return node;
  }

  /**
   * One pass over the prefix at the dump's revision: the binary dump's records as stored; with
   * `encoder`, nodes, edges and chunks written with it (scan.ts).
   */
  scanTables(gate?: QueryGate): AsyncIterable<TableBatch>;
  scanTables(gate: QueryGate | undefined, opts: { encoder: RecordEncoder }): AsyncIterable<ScanBatch>;
  scanTables(gate?: QueryGate, opts?: { encoder: RecordEncoder }): AsyncIterable<ScanBatch> {
    return scanEtcdTables(this.kv, gate, opts?.encoder);
  }

  async usage(): Promise<{ usedSpace: bigint; usedInodes: bigint }> {
    const [s, i] = await this.kv.gets([counterKey("usedSpace"), counterKey("totalInodes")]);
    return { usedSpace: decodeCounter(s), usedInodes: decodeCounter(i) };
  }

  // --- load ---

  async beginLoad(): Promise<LoadSink> {
    this.refuseWriteInSnapshot();
    const owner = newLoadOwner();
    const lease = this.client.lease(LOAD_LEASE_TTL, { autoKeepAlive: true });
    lease.on("lost", () => {}); // told by the next write, which the claim check refuses
    let leaseId: string;
    try {
      leaseId = await this.kv.call(() => lease.grant());
    } catch (err) {
      await lease.revoke().catch(() => {});
      throw err;
    }
    const all = this.kv.key(Buffer.alloc(0));
    // Claimed only while no key at all is under the prefix: the emptiness check and the claim at once.
    const r = await this.kv
      .txn(
        {
          compare: [{ key: all, range_end: this.kv.endOfPrefix(), target: "Version", result: "Equal", version: 0 }],
          success: [
            this.kv.put(LOAD_CLAIM_KEY, Buffer.from(JSON.stringify(owner))),
            { request_put: { key: this.kv.key(LOAD_ALIVE_KEY), value: Buffer.from(owner.token), lease: leaseId } },
          ],
        },
        false,
      )
      .catch(async (err) => {
        await lease.revoke().catch(() => {});
        throw err;
      });
    if (!r.succeeded) {
      await lease.revoke().catch(() => {});
      const claim = await this.findLoadClaim();
      if (claim) throw new LoadClaimedError(claim, this.redactedUrl);
      const check = await this.checkEmpty();
      throw check.empty ? new JfsError("busy", `${this.name} changed while the load claimed it: retry`) : new JfsError("refused", check.reason);
    }
    return new EtcdLoadSink(this.kv, owner, lease, () => this.kv.call(() => backendRoom(this.client, this.target)));
  }

  async findLoadClaim(): Promise<LoadClaim | null> {
    const [raw, alive] = await this.kv.gets([LOAD_CLAIM_KEY, LOAD_ALIVE_KEY]);
    const owner = parseLoadOwner(raw);
    if (!owner) return null;
    const where = `key "${LOAD_CLAIM_KEY}" under ${this.name}`;
    // The alive key's lease is kept by the loading process: it expires a few seconds after it dies.
    return { state: alive && alive.toString() === owner.token ? "running" : "interrupted", owner, where };
  }

  async clearInterruptedLoad(): Promise<ClearResult> {
    this.refuseWriteInSnapshot();
    const url = this.redactedUrl;
    const claim = await this.findLoadClaim();
    if (!claim) {
      const setting = await this.readSetting();
      if (setting) return { cleared: false, message: `${url} holds volume "${setting.Name}" and no interrupted load: nothing was removed` };
      const n = await this.countKeys();
      if (n === 0) return { cleared: false, message: `${url} is empty: there is nothing to clear` };
      throw new JfsError(
        "refused",
        `${url} holds ${n} keys under its prefix but no jfsmeta load claim (key "${LOAD_CLAIM_KEY}"): they were not written by an interrupted jfsmeta load, so nothing was removed; check what they are before deleting them yourself`,
      );
    }
    if (claim.state === "running") throw new LoadClaimedError(claim, url);
    const raw = await this.kv.get(LOAD_CLAIM_KEY);
    const who = claim.owner ? ` (pid ${claim.owner.pid} on ${claim.owner.host}, started ${claim.owner.started})` : "";
    const claimKey = this.kv.key(LOAD_CLAIM_KEY);
    const sameClaim = { key: claimKey, target: "Value" as const, result: "Equal" as const, value: raw! };
    const setting = await this.kv.get(SETTING_KEY);
    if (setting) {
      const r = await this.kv.txn({ compare: [sameClaim], success: [{ request_delete_range: { key: claimKey } }] });
      if (!r.succeeded) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
      return { cleared: true, message: `${url} holds a volume setting: only the stale claim of a load${who} was removed, no volume data was touched` };
    }
    const r = await this.kv.txn({
      compare: [sameClaim, { key: this.kv.key(SETTING_KEY), target: "Version", result: "Equal", version: 0 }],
      success: [{ request_delete_range: { key: this.kv.key(Buffer.alloc(0)), range_end: this.kv.endOfPrefix() } }],
    });
    if (!r.succeeded) throw new JfsError("busy", `the load claim in ${url} changed while it was being cleared: run ${clearCommand(url)} again`);
    const n = r.responses[0].response_delete_range.deleted;
    return { cleared: true, message: `removed the ${n} keys an interrupted load${who} had written: ${url} is empty again` };
  }

  /** Keys under the prefix. */
  async countKeys(): Promise<number> {
    const r = await this.kv.range({ ...this.kv.rangeRequest(Buffer.alloc(0), Buffer.from([0])), count_only: true });
    return Number(r.count);
  }

  // --- the automatic-backup lock ---

  async getXattr(inode: bigint, name: string): Promise<Buffer | null> {
    return this.kv.get(xattrKey(inode, Buffer.from(name)));
  }

  /** One etcd transaction: compare the value (or its absence), then put. */
  async compareAndSetXattr(inode: bigint, name: string, expected: Buffer | null, value: Buffer): Promise<boolean> {
    this.refuseWriteInSnapshot();
    const key = this.kv.key(xattrKey(inode, Buffer.from(name)));
    const r = await this.kv.txn(
      {
        compare: [expected ? { key, target: "Value", result: "Equal", value: expected } : { key, target: "Version", result: "Equal", version: 0 }],
        success: [{ request_put: { key, value } }],
      },
      false,
    );
    return r.succeeded;
  }
}

/** Connect to the etcd named by a META-URL and check that it answers. */
export async function openEtcd(url: string): Promise<EtcdEngine> {
  const target = parseEtcdUrl(url);
  const client = new EtcdClient(etcdClientOptions(target));
  const engine = new EtcdEngine(new EtcdKv(client, target.prefix, target.addr), redactUrl(url), target);
  try {
    // A wrong host or port is told in seconds; a member lost later is waited for longer (kv.ts).
    await engine.kv.call((o) => client.kv.range(engine.kv.rangeRequest(SETTING_KEY), o), true, OPEN_RETRY_MS);
  } catch (err) {
    client.close();
    throw explainEtcdError(err, target.addr);
  }
  return engine;
}
