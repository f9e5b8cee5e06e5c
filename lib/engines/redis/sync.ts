// The server's own snapshot over the replication protocol, as `redis-cli --rdb` takes it: a raw
// connection says it wants only the RDB (REPLCONF rdb-only, Redis ≥ 7.0) and can take it
// diskless (REPLCONF capa eof), then SYNC. The server forks, and its child streams one moment of
// the whole server; the bytes come out here as they arrive, with the socket's backpressure
// (the reader keeps pace, nothing is buffered whole). Framing: `$<len>` then len bytes (the
// server wrote a file first), or `$EOF:<40-byte mark>` then the RDB then the mark again
// (diskless); newlines before either are the server's keep-alives while it prepares.
//
// A server may refuse: ACL without +sync/+replconf (NOPERM), managed services that rename or
// remove SYNC, a replica whose master is down. That is a SyncRefused, told before any byte of
// the RDB: the caller reads by commands instead. A failure after the first byte is an error.
import net from "node:net";
import tls from "node:tls";
import type { RedisOptions } from "ioredis";
import { JfsError } from "../../jfs/errors";
import { CommandBuffer } from "./resp";

/** The server will not send its snapshot to this connection (the reason is the server's). */
export class SyncRefused extends JfsError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super("refused", reason, options);
  }
}

/** A snapshot being received: its framing and the bytes of the RDB, chunk by chunk. */
export interface RdbTransfer {
  /** The 40-byte end mark of a diskless transfer (the RDB then ends by its own EOF), or null. */
  readonly eofMark: Buffer | null;
  /** The RDB's length when the server sent a file (`$<len>`), else null. */
  readonly length: number | null;
  /** When the server began sending (this host's clock): the snapshot is of a moment just before. */
  readonly startedAt: Date;
  /** The RDB's bytes (and, diskless, the end mark after them). Ending the iteration closes the connection. */
  readonly chunks: AsyncIterable<Buffer>;
  close(): void;
}

/** How long the server may prepare (fork, write a file, wait repl-diskless-sync-delay) before the first byte. */
const START_TIMEOUT_MS = 10 * 60_000;

function connect(o: RedisOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    const done = () => {
      socket.off("error", reject);
      resolve(socket);
    };
    if (o.path) socket = net.connect({ path: o.path }, done);
    else if (o.tls) socket = tls.connect({ host: o.host, port: o.port, ...(o.tls as tls.ConnectionOptions) }, done);
    else socket = net.connect({ host: o.host ?? "localhost", port: o.port ?? 6379 }, done);
    socket.once("error", reject);
  });
}

export interface SyncOptions {
  timeoutMs?: number;
  onSyncSent?: () => void;
  /** Aborted before the server's answer: the connection is closed at once. */
  signal?: AbortSignal;
  /**
   * Awaited just before SYNC is written (after the handshake's round trips, which it overlaps):
   * false means the snapshot is not wanted after all, and no SYNC goes out (no fork).
   */
  beforeSync?: Promise<boolean>;
  /**
   * Only where database `db` holds at least `share` of the server's keys (INFO keyspace, asked
   * with the handshake), on a server of `fromKeys` keys or more: a snapshot carries every
   * database, and a caller with another way to read a smaller one says when that way is the
   * cheaper. Else SyncRefused, before SYNC (no fork). Not checked where INFO is refused.
   */
  minShare?: SnapshotShare;
}

/** SyncOptions.minShare: database `db` must hold `share` of the server's keys, once the server holds `fromKeys` or more. */
export interface SnapshotShare {
  db: number;
  share: number;
  fromKeys: number;
}

/** Keys per database of an INFO keyspace reply ("db1:keys=2063367,expires=0,…"). */
function keyspaceKeys(info: string): Map<number, number> {
  const keys = new Map<number, number>();
  for (const m of info.matchAll(/^db(\d+):keys=(\d+)/gm)) keys.set(Number(m[1]), Number(m[2]));
  return keys;
}

/**
 * Ask the server at `o` for its snapshot. Resolves once the server has answered SYNC with the
 * transfer's framing; rejects with SyncRefused when it will not send one, or when `signal`
 * aborts before that (the connection closed at once: a server may wait long before it forks).
 */
export async function requestRdb(o: RedisOptions, opts: SyncOptions = {}): Promise<RdbTransfer> {
  let socket: net.Socket;
  try {
    socket = await connect(o);
  } catch (err) {
    throw new SyncRefused(`cannot open a connection for SYNC: ${(err as Error).message}`, { cause: err });
  }
  const iter = socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const close = () => socket.destroy();
  opts.signal?.addEventListener("abort", close, { once: true });
  const unwanted = () => new SyncRefused("the snapshot was no longer wanted");
  try {
    if (opts.signal?.aborted) throw unwanted();
    const cmds = new CommandBuffer();
    const steps: { what: string; required: boolean }[] = [];
    if (o.password) {
      cmds.add(o.username ? ["AUTH", o.username, o.password] : ["AUTH", o.password]);
      steps.push({ what: "AUTH", required: true });
    }
    cmds.add(["REPLCONF", "capa", "eof"]);
    steps.push({ what: "REPLCONF capa eof", required: true });
    // Redis < 7.0 does not know it (it would go on streaming writes after the RDB: ignored here).
    cmds.add(["REPLCONF", "rdb-only", "1"]);
    steps.push({ what: "REPLCONF rdb-only", required: false });
    if (opts.minShare) cmds.add(["INFO", "keyspace"]);
    socket.setNoDelay(true);
    socket.write(cmds.take());

    let data: Buffer = Buffer.alloc(0);
    const deadline = Date.now() + (opts.timeoutMs ?? START_TIMEOUT_MS);
    const more = async (): Promise<void> => {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SyncRefused(`the server sent no snapshot within ${Math.round((opts.timeoutMs ?? START_TIMEOUT_MS) / 1000)} s of SYNC`)), Math.max(0, left));
      });
      try {
        const r = await Promise.race([iter.next(), timeout]);
        if (r.done) throw new SyncRefused("the server closed the connection after SYNC without sending a snapshot");
        data = data.length ? Buffer.concat([data, r.value]) : r.value;
      } finally {
        clearTimeout(timer);
      }
    };
    /** One line without its CRLF; leading keep-alive newlines skipped. */
    const line = async (): Promise<string> => {
      for (;;) {
        let i = 0;
        while (i < data.length && data[i] === 0x0a) i++;
        if (i) data = data.subarray(i);
        const end = data.indexOf("\r\n");
        if (end >= 0) {
          const s = data.toString("latin1", 0, end);
          data = data.subarray(end + 2);
          return s;
        }
        if (data.length > 4096) throw new SyncRefused(`the server answered SYNC with something that is not a snapshot ("${data.toString("latin1", 0, 40)}…")`);
        await more();
      }
    };
    for (const step of steps) {
      const reply = await line();
      if (reply.startsWith("-") && step.required) throw new SyncRefused(`${step.what} was refused: ${reply.slice(1)}`);
    }
    if (opts.minShare) {
      const head = await line();
      if (/^\$\d+$/.test(head)) {
        const n = Number(head.slice(1)) + 2;
        while (data.length < n) await more();
        const keys = keyspaceKeys(data.toString("latin1", 0, n - 2));
        data = data.subarray(n);
        const { db, share, fromKeys } = opts.minShare;
        let total = 0;
        for (const k of keys.values()) total += k;
        const mine = keys.get(db) ?? 0;
        if (total >= fromKeys && mine < share * total) {
          throw new SyncRefused(`database ${db} holds ${mine} of the server's ${total} keys: a snapshot would carry the other databases too`);
        }
      }
    }
    if ((opts.beforeSync && !(await opts.beforeSync)) || opts.signal?.aborted) throw unwanted();
    // Only now: the server refuses SYNC on a connection with replies still pending.
    socket.write("SYNC\r\n");
    opts.onSyncSent?.();
    const head = await line();
    if (head.startsWith("-")) throw new SyncRefused(`SYNC was refused: ${head.slice(1)}`);
    let eofMark: Buffer | null = null;
    let length: number | null = null;
    if (head.startsWith("$EOF:") && head.length === 45) eofMark = Buffer.from(head.slice(5), "latin1");
    else if (/^\$\d+$/.test(head)) length = Number(head.slice(1));
    else throw new SyncRefused(`the server answered SYNC with "${head.slice(0, 60)}", not a snapshot`);
    const startedAt = new Date();
    const first = data;
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        let left = length ?? Infinity;
        let next: Buffer | null = first;
        for (;;) {
          if (next && next.length) {
            const take: Buffer = next.length > left ? next.subarray(0, left) : next;
            left -= take.length;
            yield take;
          }
          if (left <= 0) return;
          const r = await iter.next();
          if (r.done) return;
          next = r.value;
        }
      } finally {
        close();
      }
    }
    if (opts.signal?.aborted) throw unwanted();
    return { eofMark, length, startedAt, chunks: chunks(), close };
  } catch (err) {
    close();
    if (err instanceof SyncRefused) throw err;
    throw new SyncRefused(`the connection for SYNC failed: ${(err as Error).message}`, { cause: err });
  } finally {
    opts.signal?.removeEventListener("abort", close);
  }
}
