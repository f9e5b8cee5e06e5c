// The first steps of opening a Redis volume, in a module light enough to run before the rest of
// jfsmeta loads: the META-URL resolved to its deployment (a lone host may be a Cluster node) and
// the server's snapshot asked for (sync.ts). No ioredis here: a binary dump sends SYNC from this
// module while the engine, the writer and their libraries load (openEngine's `prefetched`), so the
// server's child starts streaming ~0.3 s sooner (1M files: SYNC 0.32-0.41 s after exec, now 0.09-0.10 s).
import type { RedisOptions } from "ioredis";
import { logDebug } from "../../jfs/errors";
import { CommandBuffer, RespConnection, RespError } from "./resp";
import { requestRdb, SyncRefused, type RdbTransfer, type SnapshotShare, type SyncOptions } from "./sync";
import { parseRedisUrl, withMode, type RedisTarget } from "./url";

/**
 * The META-URL's deployment as the engine reads it: a single host that answers CLUSTER INFO as
 * a cluster node is a cluster (as JuiceFS tells it).
 */
export async function resolveRedisTarget(url: string): Promise<RedisTarget> {
  const target = parseRedisUrl(url);
  if (target.mode === "single" && !target.options.path && (await isClusterNode(target))) return withMode(target, "cluster");
  return target;
}

/**
 * Whether the one host of a META-URL is a Redis Cluster node: CLUSTER INFO answers
 * `cluster_state:…`, or refuses naming cluster mode. Asked before any SELECT (which a cluster
 * refuses); a server that fails otherwise is left to the usual checks.
 */
async function isClusterNode(target: RedisTarget): Promise<boolean> {
  let probe: RespConnection;
  try {
    probe = await RespConnection.connect({ ...target.options, db: 0 });
  } catch {
    return false; // the engine's own connection tells why, in its words
  }
  try {
    const cmd = new CommandBuffer();
    cmd.add(["CLUSTER", "INFO"]);
    const [r] = await probe.send(cmd);
    if (r instanceof RespError) return /cluster mode/i.test(r.message);
    return Buffer.isBuffer(r) && r.toString("latin1").includes("cluster_state:");
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

/**
 * The snapshot of the server at `options` for a flat scan, or null where there is none to read
 * (SYNC refused: ACL, a managed service, a dead server; the volume a small part of the server
 * (`minShare`, unless JFSMETA_REDIS_RDB=1); JFSMETA_REDIS_RDB=0), the reason in the
 * debug log: the scan then reads by SCAN, and a dead server is told by the engine's own reads.
 */
export async function snapshotOrNull(options: RedisOptions, addr: string, opts: SyncOptions = {}): Promise<RdbTransfer | null> {
  if (process.env.JFSMETA_REDIS_RDB === "0") {
    logDebug("Redis: JFSMETA_REDIS_RDB=0: the dump reads the volume from the live server");
    return null;
  }
  // =1: the snapshot whatever the volume's share of the server (tests of the snapshot reader).
  if (process.env.JFSMETA_REDIS_RDB === "1") opts = { ...opts, minShare: undefined };
  try {
    return await requestRdb(options, opts);
  } catch (err) {
    if (!(err instanceof SyncRefused)) throw err;
    logDebug(`Redis at ${addr}: no snapshot over the replication protocol (${err.message}): the dump reads the volume from the live server`);
    return null;
  }
}

/**
 * The snapshot's chunks taken off the socket while nobody reads them yet, up to `limit` bytes:
 * jfsmeta loads its dump modules after SYNC (~0.2 s), and a socket nobody empties stops the
 * server's child once the kernel's buffers are full (2-3 MiB measured), for the rest of it. The
 * chunks gathered come first from the transfer returned, then the socket's; the gathering
 * stops at the first read of it (one reader at a time). Ending the iteration closes the
 * transfer, as the transfer's own chunks do.
 */
export function readAhead(t: RdbTransfer, limit: number): RdbTransfer {
  const it = t.chunks[Symbol.asyncIterator]();
  const gathered: Buffer[] = [];
  let bytes = 0;
  let taken = false;
  let pending: Promise<IteratorResult<Buffer>> | null = null;
  void (async () => {
    while (!taken && bytes < limit) {
      pending = it.next();
      const r = await pending.catch(() => null); // told to the reader, who awaits `pending` again
      if (!r || r.done || taken) return;
      pending = null;
      gathered.push(r.value);
      bytes += r.value.length;
    }
  })();
  // The reader's iterator: the chunks gathered, then one asked for before the read began (the
  // gathering stopped at it), then the socket's own iterator, called directly (no layer more a chunk).
  const reader: AsyncIterator<Buffer> = {
    next: async () => {
      taken = true;
      if (gathered.length) return { done: false, value: gathered.shift()! };
      const asked = pending;
      pending = null;
      reader.next = () => it.next();
      return asked ?? it.next();
    },
    return: async () => {
      taken = true;
      t.close();
      return { done: true, value: undefined };
    },
  };
  return { eofMark: t.eofMark, length: t.length, startedAt: t.startedAt, chunks: { [Symbol.asyncIterator]: () => reader }, close: () => t.close() };
}

/**
 * A JSON dump orders the tree from the snapshot only where the volume's database holds at least
 * this share of the server's keys; else it walks the tree by reads. The snapshot carries every
 * database: at 1M files alone on the server the staged walk took 9.2-10 s against the tree
 * walk's 12.9 s, of which ~4 s read the snapshot whatever the volume's share; a volume of 100k
 * files beside one of 1M took 7.3 s through the snapshot, the tree walk's time in proportion
 * about 1.3 s. The two meet near one half.
 */
const JSON_SNAPSHOT_MIN_SHARE = 0.5;

/**
 * A binary dump (or another flat scan) reads the snapshot where the volume's database holds at
 * least this share of the server's keys; else it SCANs the database. The snapshot costs about
 * 1.9 µs per key of the server, the SCAN reader 5.1 µs per key of the volume (1M files, 2.06M
 * keys: 10.6 s by SCAN, 4.4-5.6 s through the snapshot of a server of 2.27M keys; a 100k-file
 * volume beside it: 1.45 s by SCAN, 4.4-4.8 s through the snapshot).
 */
const BINARY_SNAPSHOT_MIN_SHARE = 0.35;

/** Below this many keys on the server its snapshot takes well under a tenth of a second: taken whatever the share. */
const SHARE_FROM_KEYS = 20_000;

/** When a snapshot of the server holding database `db` is worth reading, for a JSON dump's staged walk or a binary dump's flat scan. */
export function snapshotShare(db: number, purpose: "json" | "binary"): SnapshotShare {
  return { db, share: purpose === "json" ? JSON_SNAPSHOT_MIN_SHARE : BINARY_SNAPSHOT_MIN_SHARE, fromKeys: SHARE_FROM_KEYS };
}

/** Bytes readAhead gathers for a snapshot asked for early. */
const READ_AHEAD_BYTES = 16 << 20;

/** How long requestSnapshotEarly waits for SYNC to be sent before it lets the caller go on. */
const SYNC_SENT_WAIT_MS = 2000;

/** A snapshot asked for before the engine opened (openRedisEngine takes it over). */
export interface EarlySnapshot {
  readonly target: RedisTarget;
  /** The transfer, or null where the server sends none (snapshotOrNull). */
  readonly transfer: Promise<RdbTransfer | null>;
  /** Close the transfer's connection, at once, if no engine took it over. */
  close(): void;
}

/**
 * Ask the server of a single-server META-URL for its snapshot now, for a flat scan that will
 * follow (`purpose`: a JSON dump's or a binary dump's, each wanting it only as snapshotShare says); null for Sentinel and Cluster (whose data node the engine finds) and for a URL that
 * does not parse (the engine tells why). Never throws: every failure is the engine's to tell.
 * Resolves once SYNC is sent (or the server refused before it): what the caller loads next
 * then overlaps the server's fork and first bytes, not the handshake's round trips.
 */
export async function requestSnapshotEarly(url: string, opts: Pick<SyncOptions, "beforeSync"> & { purpose?: "json" | "binary" } = {}): Promise<EarlySnapshot | null> {
  let target: RedisTarget;
  try {
    target = await resolveRedisTarget(url);
  } catch {
    return null;
  }
  if (target.mode !== "single") return null;
  let sent!: () => void;
  const syncSent = new Promise<void>((resolve) => (sent = resolve));
  const unwanted = new AbortController();
  const minShare = snapshotShare(target.db, opts.purpose ?? "binary");
  const transfer = snapshotOrNull(target.options, target.addr, { onSyncSent: sent, signal: unwanted.signal, beforeSync: opts.beforeSync, minShare }).then((t) => t && readAhead(t, READ_AHEAD_BYTES));
  transfer.catch(() => {}); // told where the engine awaits it
  // Bounded: a server slow to answer REPLCONF must not hold back the engine's own, clearer, checks.
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, SYNC_SENT_WAIT_MS)));
  await Promise.race([syncSent, transfer.then(() => {}, () => {}), waited]);
  clearTimeout(timer);
  return {
    target,
    transfer,
    close: () => {
      unwanted.abort(); // still waiting for the server's answer (it may wait seconds before it forks)
      void transfer.then((t) => t?.close(), () => {});
    },
  };
}
