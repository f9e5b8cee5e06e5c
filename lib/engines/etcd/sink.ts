// Writes a load into etcd as JuiceFS does: transactions of at most 128 puts (etcd's
// --max-txn-ops), several in flight. etcd has no transaction as big as a volume, so the load is
// made all-or-nothing by its claim instead: the claim was taken only while nothing was under the
// prefix, every write is conditional on it, the setting goes in with the claim's removal, and
// abort() deletes the whole prefix (all of it this load's) while the claim is still this load's.
import type { Lease } from "etcd3";
import type { AclRule, Attr, Chunk, Counters, DelFile, DirEntry, QuotaKind, QuotaLimit, QuotaUsage, Xattr } from "../../jfs/types";
import type { Setting } from "../../jfs/setting";
import { encodeStoredSetting } from "../../jfs/setting-json";
import { attrBytes, encodeAcl, encodeSlice, SLICE_BYTES, writeAttrAt } from "../../jfs/binary-values";
import type { ChunkColumns, EdgeColumns, NodeColumns } from "../../jfs/table-records";
import { TYPE_CODE } from "../../jfs/types";
import { JfsError } from "../../jfs/errors";
import type { LoadSink } from "../engine";
import type { LoadOwner } from "../load-claim";
import {
  aclKey, ATTR_TAG, attrKey, CHUNK_TAG, counterKey, delFileKey, dirStatKey, encodeCounter, encodeDelFileTime, encodeDirStat,
  encodeQuota, ENTRY_BYTES, ENTRY_TAG, INODE_KEY_BYTES, parentKey, quotaKey, SETTING_KEY, sliceRefKey, symlinkKey, writeEntryValueAt, writeInodeKeyAt, xattrKey,
} from "../tkv/keys";
import { MAX_TXN_OPS, type EtcdKv } from "./kv";
import { PutTxn } from "./put-txn";
import { BYTES_PER_KEY, DELETE_BYTES_PER_KEY, MIN_BYTES_PER_INODE, MIN_KEYS_PER_INODE, type BackendRoom } from "./quota";
import { formatBytes } from "../../jfs/format";

/** The share of the quota a load may fill: it stops short of NOSPACE, which locks the cluster's writes. */
const QUOTA_MARGIN = 0.95;

/**
 * A load's claim (load-claim.ts): the owner record, from the claim until the setting is written
 * in one transaction with its removal. No JuiceFS key starts with "jfsmeta", and any key under
 * the prefix makes JuiceFS's own load refuse it, so the claim guards against that too.
 */
export const LOAD_CLAIM_KEY = Buffer.from("jfsmetaLoad");
/**
 * Holds the claim's token under a lease the loading process keeps alive: etcd removes it
 * LOAD_LEASE_TTL seconds after that process dies, which tells a running load from a killed one.
 */
export const LOAD_ALIVE_KEY = Buffer.from("jfsmetaLoadAlive");
export const LOAD_LEASE_TTL = 5;

/**
 * Transactions in flight at once. A member persists every proposal waiting at its turn with one
 * WAL fsync, so more in flight means fewer fsyncs: with transactions of 128 puts (24,458 at 1M
 * files) 8 in flight took 77 s with 8,858 fsyncs, 64 took 59 s. The nested transactions of
 * put-txn.ts hold 1,024 puts (about 3,100 at 1M), so 8 in flight have about as many puts waiting
 * at etcd as 64 of 128 did, and the client's peak RSS stays near 220 MB.
 */
const MAX_IN_FLIGHT = 8;
/** etcd refuses requests over 1.5 MiB (--max-request-bytes): a batch is cut before 1 MiB. */
const MAX_TXN_BYTES = 1 << 20;

export class EtcdLoadSink implements LoadSink {
  private txn: PutTxn | null = null;
  private bytes = 0;
  private inFlight = new Set<Promise<void>>();
  private failure: Error | null = null;
  private links: { inode: bigint; nlink: number }[] = [];
  private pendingSetting: Setting | null = null;
  private readonly claimValue: Buffer;
  /** Every write waits for this: the quota preflight, once the dump's header has been read. */
  private gate: Promise<unknown> = Promise.resolve();
  private room: BackendRoom | null = null;
  /** Estimated backend bytes this load has sent, and what deleting them again would add. */
  private written = 0;

  constructor(
    private readonly kv: EtcdKv,
    owner: LoadOwner,
    private readonly lease: Lease,
    measureRoom: () => Promise<BackendRoom>,
  ) {
    this.claimValue = Buffer.from(JSON.stringify(owner));
    // The room is measured once, whether or not the dump's header tells its size.
    this.gate = measureRoom().then((room) => {
      this.room = room;
    });
    this.gate.catch(() => {}); // told by the first write, which waits for it
  }

  /** Refuse, before the first write, a volume whose inodes alone cannot fit in etcd's quota. */
  expectVolume(v: { inodes: bigint }): void {
    this.gate = this.gate.then(() => {
      const room = this.room!;
      // The volume, and room to delete it again should the load fail (tombstones stay until compaction).
      const need = Number(v.inodes) * (MIN_BYTES_PER_INODE + MIN_KEYS_PER_INODE * DELETE_BYTES_PER_KEY);
      const free = room.quota * QUOTA_MARGIN - room.used;
      if (need > free) {
        throw new JfsError(
          "refused",
          `the dump holds ${v.inodes} inodes, at least ${formatBytes(need)} in etcd (${MIN_BYTES_PER_INODE} bytes an inode or more, and room to undo a failed load), but ${this.kv.addr} has ` +
            `${formatBytes(Math.max(0, free))} free: ${formatBytes(room.used)} used of its ${formatBytes(room.quota)} backend quota (${room.quotaFrom}), ` +
            `of which a load fills at most ${QUOTA_MARGIN * 100}%. Nothing was written. Restart etcd with a larger --quota-backend-bytes ` +
            `(at least ${formatBytes(Math.ceil((room.used + need) / QUOTA_MARGIN))}; etcd recommends at most 8 GiB), or load into another engine`,
        );
      }
    });
    this.gate.catch(() => {}); // told by the first write, which waits for it
  }

  /** Every write holds only while the claim is still this load's. */
  private claimHolds() {
    return { key: this.kv.key(LOAD_CLAIM_KEY), target: "Value" as const, result: "Equal" as const, value: this.claimValue };
  }

  /**
   * The open transaction with room made for a put: its key (after the prefix) goes at keyAt of
   * its buffer, its value at valueAt. A full transaction is sent first, its last put written by then.
   */
  private slot(keyLength: number, valueLength: number): PutTxn {
    if (this.txn && (this.txn.full || this.bytes >= MAX_TXN_BYTES)) this.send();
    const txn = (this.txn ??= new PutTxn(this.kv.prefix, { key: this.kv.key(LOAD_CLAIM_KEY), value: this.claimValue }));
    this.bytes += keyLength + valueLength + this.kv.prefix.length;
    txn.slot(keyLength, valueLength);
    return txn;
  }

  private put(k: Buffer, v: Buffer): void {
    const t = this.slot(k.length, v.length);
    t.buffer.set(k, t.keyAt);
    t.buffer.set(v, t.valueAt);
  }

  private send(): void {
    const txn = this.txn;
    if (!txn) return;
    this.written += this.bytes + txn.count * (BYTES_PER_KEY + DELETE_BYTES_PER_KEY);
    const written = this.written;
    this.txn = null;
    this.bytes = 0;
    const p: Promise<void> = this.gate
      .then(() => {
        // The header's inode count is only an estimate: stop before etcd's NOSPACE alarm, not at it,
        // with room left to delete what was written (so the abort itself is never refused).
        const room = this.room;
        if (room && room.used + written > room.quota * QUOTA_MARGIN) {
          throw new JfsError(
            "refused",
            `the volume does not fit in ${this.kv.addr}'s backend quota: after about ${formatBytes(written)} written, the ${formatBytes(room.quota)} quota ` +
              `(${room.quotaFrom}; ${formatBytes(room.used)} were used before the load) would be nearly full. Restart etcd with a larger --quota-backend-bytes, or load into another engine`,
          );
        }
        return this.kv.putTxn(txn);
      })
      .then((r) => {
        if (!r.succeeded) throw new JfsError("busy", `the load's claim (key "${LOAD_CLAIM_KEY}") was removed while it was writing: another process cleared it`);
      })
      .catch((err: Error) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  // The bulk of a load (attrs, entries, chunks): keys and values written straight into the
  // transaction's buffer, no Buffer made for each.

  node(attr: Attr, parent: bigint, aclIds: { access: number; default: number }, stored?: Buffer): void {
    const t = this.slot(INODE_KEY_BYTES, stored ? stored.length : attrBytes(attr, aclIds.access, aclIds.default));
    writeInodeKeyAt(t.buffer, t.keyAt, attr.inode, ATTR_TAG);
    if (stored) t.buffer.set(stored, t.valueAt);
    else writeAttrAt(t.buffer, t.valueAt, attr, parent, aclIds.access, aclIds.default);
  }

  edges(parent: bigint, entries: DirEntry[]): void {
    for (const e of entries) {
      const t = this.slot(INODE_KEY_BYTES + e.name.length, ENTRY_BYTES);
      const b = t.buffer;
      writeInodeKeyAt(b, t.keyAt, parent, ENTRY_TAG);
      b.set(e.name, t.keyAt + INODE_KEY_BYTES);
      writeEntryValueAt(b, t.valueAt, TYPE_CODE[e.type], e.inode);
    }
  }

  chunks(inode: bigint, chunks: Chunk[], stored?: Buffer[]): void {
    chunks.forEach((c, k) => {
      if (c.slices.length === 0) return;
      const t = this.slot(INODE_KEY_BYTES + 4, c.slices.length * SLICE_BYTES);
      const b = t.buffer;
      writeInodeKeyAt(b, t.keyAt, inode, CHUNK_TAG);
      b.writeUInt32BE(c.index >>> 0, t.keyAt + INODE_KEY_BYTES);
      const raw = stored?.[k];
      if (raw) b.set(raw, t.valueAt);
      else c.slices.forEach((s, i) => encodeSlice(s, b, t.valueAt + i * SLICE_BYTES));
    });
  }

  // A binary load's columns (LoadSink.storedNodes…): the dump's bytes and numbers, no record objects.

  storedNodes(c: NodeColumns, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = this.slot(INODE_KEY_BYTES, c.end[i] - c.start[i]);
      writeInodeKeyAt(t.buffer, t.keyAt, c.inode[i], ATTR_TAG);
      c.bytes.copy(t.buffer, t.valueAt, c.start[i], c.end[i]);
    }
  }

  storedEdges(c: EdgeColumns, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = this.slot(INODE_KEY_BYTES + c.end[i] - c.start[i], ENTRY_BYTES);
      const b = t.buffer;
      writeInodeKeyAt(b, t.keyAt, c.parent[i], ENTRY_TAG);
      c.bytes.copy(b, t.keyAt + INODE_KEY_BYTES, c.start[i], c.end[i]);
      writeEntryValueAt(b, t.valueAt, c.type[i], c.inode[i]);
    }
  }

  storedChunks(c: ChunkColumns, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = this.slot(INODE_KEY_BYTES + 4, c.end[i] - c.start[i]);
      const b = t.buffer;
      writeInodeKeyAt(b, t.keyAt, c.inode[i], CHUNK_TAG);
      b.writeUInt32BE(c.index[i] >>> 0, t.keyAt + INODE_KEY_BYTES);
      c.bytes.copy(b, t.valueAt, c.start[i], c.end[i]);
    }
  }

  symlink(inode: bigint, target: Buffer): void {
    this.put(symlinkKey(inode), target);
  }

  xattrs(inode: bigint, xattrs: Xattr[]): void {
    for (const x of xattrs) this.put(xattrKey(inode, x.name), x.value);
  }

  dirStats(inode: bigint, s: { dataLength: bigint; usedSpace: bigint; usedInodes: bigint }): void {
    this.put(dirStatKey(inode), encodeDirStat(s));
  }

  /** The attr's nlink and parent are patched at commit (it may have been sent long ago). */
  hardLink(inode: bigint, nlink: number, parents: Map<bigint, number>): void {
    this.links.push({ inode, nlink });
    for (const [p, count] of parents) this.put(parentKey(inode, p), encodeCounter(BigInt(count)));
  }

  aclRules(rules: Map<number, AclRule>): void {
    if (rules.size === 0) return;
    let max = 0;
    for (const [id, rule] of rules) {
      this.put(aclKey(id), encodeAcl(rule));
      max = Math.max(max, id);
    }
    this.put(counterKey("aclMaxId"), encodeCounter(BigInt(max)));
  }

  sliceRefs(refs: { id: bigint; size: number; count: number }[]): void {
    for (const r of refs) this.put(sliceRefKey(r.id, r.size), encodeCounter(BigInt(r.count - 1)));
  }

  delFiles(files: DelFile[]): void {
    for (const f of files) this.put(delFileKey(f.inode, f.length), encodeDelFileTime(f.expire));
  }

  quotas(kind: QuotaKind, quotas: Map<bigint, QuotaLimit & QuotaUsage>): void {
    for (const [id, q] of quotas) this.put(quotaKey(kind, id), encodeQuota(q));
  }

  /** JuiceFS's etcd transactions have no id, so its etcd volumes keep no change log: none is written. */
  changelog(): void {}

  counters(c: Counters): void {
    this.put(counterKey("usedSpace"), encodeCounter(c.usedSpace));
    this.put(counterKey("totalInodes"), encodeCounter(c.usedInodes));
    this.put(counterKey("nextInode"), encodeCounter(c.nextInodes));
    this.put(counterKey("nextChunk"), encodeCounter(c.nextChunk));
    this.put(counterKey("nextSession"), encodeCounter(c.nextSession));
    this.put(counterKey("nextTrash"), encodeCounter(c.nextTrash));
  }

  setting(s: Setting): void {
    this.pendingSetting = s;
  }

  async flush(): Promise<void> {
    this.check();
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    this.check();
  }

  private async drain(): Promise<void> {
    this.send();
    await Promise.all(this.inFlight);
    this.check();
  }

  async commit(): Promise<void> {
    await this.drain();
    // Hard links: nlink (bytes 47-50) = the number of links, parent (63-70) = 0, as JuiceFS patches them.
    for (let i = 0; i < this.links.length; i += MAX_TXN_OPS) {
      const part = this.links.slice(i, i + MAX_TXN_OPS);
      const attrs = await this.kv.gets(part.map((l) => attrKey(l.inode)));
      part.forEach((l, k) => {
        const a = attrs[k];
        if (!a || a.length < 71) throw new JfsError("internal", `hard-linked inode ${l.inode}: its attributes were not written`);
        const patched = Buffer.from(a);
        patched.writeUInt32BE(l.nlink >>> 0, 47);
        patched.fill(0, 63, 71);
        this.put(attrKey(l.inode), patched);
      });
      await this.flush();
    }
    await this.drain();
    if (!this.pendingSetting) throw new JfsError("internal", "load committed without a setting");
    // The volume appears and the claim goes at once: never a setting with a claim, or neither.
    const setting = Buffer.from(encodeStoredSetting(this.pendingSetting));
    const r = await this.kv.txn({
      compare: [this.claimHolds()],
      success: [
        this.kv.put(SETTING_KEY, setting),
        { request_delete_range: { key: this.kv.key(LOAD_CLAIM_KEY) } },
        { request_delete_range: { key: this.kv.key(LOAD_ALIVE_KEY) } },
      ],
    });
    if (!r.succeeded) {
      // A retry of a commit that went through (its answer lost with a member) finds the claim
      // gone and the setting this load wrote: that is success, not a lost claim.
      const [claim, stored] = await this.kv.gets([LOAD_CLAIM_KEY, SETTING_KEY]);
      if (!(claim === null && stored?.equals(setting))) {
        throw new JfsError("busy", `the load's claim (key "${LOAD_CLAIM_KEY}") was removed before the load could commit`);
      }
    }
    await this.lease.revoke().catch(() => {}); // its only key is gone; it expires anyway
  }

  async abort(): Promise<void> {
    this.txn = null;
    await Promise.allSettled(this.inFlight);
    // The claim found the prefix empty: while it is still ours, everything under it is ours.
    const r = await this.kv.txn({
      compare: [this.claimHolds()],
      success: [{ request_delete_range: { key: this.kv.key(Buffer.alloc(0)), range_end: this.kv.endOfPrefix() } }],
    });
    await this.lease.revoke().catch(() => {});
    if (!r.succeeded) throw new Error(`the load claim (key "${LOAD_CLAIM_KEY}") no longer names this load, so nothing was removed`);
  }
}
