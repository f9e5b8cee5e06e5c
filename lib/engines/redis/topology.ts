// Where the data of a volume lives in a Redis Sentinel or Redis Cluster deployment, and the
// ioredis client for each. The Redis engine (index.ts) is the same for every deployment: keys
// carry the `{db}` prefix in a cluster, and its lean connection (resp.ts) talks to the one data
// node that holds the volume: the master the sentinels name, or the master of the volume's
// slot (every key of a volume shares the `{db}` hash tag, so one slot, one master).
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { JfsError } from "../../jfs/errors";
import { networkErrorCode } from "../../jfs/network";
import { formatHostPort, type HostPort, type RedisTarget } from "./url";

/**
 * How long a read waits for a failover (a new master elected, the slot served again) before
 * the dump gives up with a clear error. Sentinel and Cluster elect in seconds by default
 * (down-after-milliseconds / cluster-node-timeout plus the election).
 */
export const FAILOVER_WAIT_MS = 60_000;

/** The wait for a failover: JFSMETA_FAILOVER_WAIT_MS when set (a whole number of ms), else FAILOVER_WAIT_MS. */
export function failoverWaitMs(env: Record<string, string | undefined> = process.env): number {
  const v = env.JFSMETA_FAILOVER_WAIT_MS;
  if (v === undefined || v === "") return FAILOVER_WAIT_MS;
  if (!/^\d+$/.test(v)) throw new JfsError("usage", `JFSMETA_FAILOVER_WAIT_MS="${v}" is not a whole number of milliseconds`);
  return Number(v);
}

/** Error replies that mean "this node no longer serves it, or not yet": re-resolve and retry. */
const FAILOVER_REPLY = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|LOADING|READONLY)\b/;

export function isFailoverReply(message: string): boolean {
  return FAILOVER_REPLY.test(message);
}

/** A failure a failover explains: the node went away, or it answered with a redirection. */
export function isFailoverError(err: unknown): boolean {
  if (err instanceof JfsError && err.kind === "unreachable") return true;
  if (networkErrorCode(err)) return true;
  const msg = (err as { message?: string })?.message ?? "";
  return isFailoverReply(msg) || /MaxRetriesPerRequest|Failed to refresh slots cache|None of startup nodes is available|All sentinels are unreachable/i.test(msg);
}

/** A short-lived, non-retrying ioredis connection to one node, for one question. */
async function ask<T>(at: HostPort, options: RedisOptions, question: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({
    host: at.host,
    port: at.port,
    username: options.username,
    password: options.password,
    tls: options.tls,
    lazyConnect: true,
    connectTimeout: Math.min(options.connectTimeout ?? 10_000, 3000),
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The first error is the cause (ECONNREFUSED…); connect() itself only says the connection closed.
  let first: Error | null = null;
  c.on("error", (err: Error) => (first ??= err));
  try {
    try {
      await c.connect();
    } catch (err) {
      throw first ?? err;
    }
    return await question(c);
  } finally {
    c.disconnect();
  }
}

/** The address of the master the sentinels name now (SENTINEL get-master-addr-by-name, first that answers). */
export async function sentinelMaster(target: RedisTarget): Promise<HostPort> {
  const s = target.sentinel!;
  const failures: string[] = [];
  for (const at of s.sentinels) {
    try {
      const addr = await ask(at, { password: s.password, tls: target.options.tls }, (c) =>
        c.call("SENTINEL", "get-master-addr-by-name", s.name) as Promise<string[] | null>,
      );
      if (addr && addr.length === 2) return { host: addr[0], port: Number(addr[1]) };
      failures.push(`${formatHostPort(at)} knows no master named "${s.name}"`);
    } catch (err) {
      const msg = (err as Error).message;
      if (/NOAUTH|WRONGPASS|invalid password/i.test(msg)) {
        throw new JfsError("auth", `the sentinel at ${formatHostPort(at)} requires a password: set SENTINEL_PASSWORD (the META-URL's password is the master's)`, { cause: err });
      }
      failures.push(`${formatHostPort(at)}: ${networkErrorCode(err) ?? msg}`);
    }
  }
  throw new JfsError("unreachable", `no sentinel of redis://${target.addr} named the master "${s.name}" (${failures.join("; ")}): check the sentinels' addresses and the master name in the META-URL`);
}

/** A cluster's view of itself: the slot of a volume's prefix and the master serving it. */
export class ClusterMap {
  private slot: number | null = null;
  /** Every node address seen (the URL's, then CLUSTER SLOTS'): where to ask next time. */
  private known: HostPort[];

  constructor(
    private readonly target: RedisTarget,
    private readonly prefix: string,
  ) {
    this.known = [...(target.clusterNodes ?? [])];
  }

  /** The master serving the volume's slot now, asked of the first node that answers. */
  async master(): Promise<HostPort> {
    const failures: string[] = [];
    for (const at of [...this.known]) {
      try {
        return await ask(at, this.target.options, async (c) => {
          this.slot ??= Number(await c.call("CLUSTER", "KEYSLOT", this.prefix));
          const slots = (await c.call("CLUSTER", "SLOTS")) as [number, number, ...[string, number, ...unknown[]][]][];
          for (const [, , ...nodes] of slots) {
            for (const [host, port] of nodes) {
              if (!this.known.some((k) => k.host === host && k.port === Number(port))) this.known.push({ host, port: Number(port) });
            }
          }
          const range = slots.find(([from, to]) => this.slot! >= from && this.slot! <= to);
          if (!range) throw new JfsError("unreachable", `no master serves slot ${this.slot} (of the key prefix ${this.prefix}) yet`);
          const [host, port] = range[2];
          return { host: host || at.host, port: Number(port) };
        });
      } catch (err) {
        if (err instanceof JfsError && err.kind === "unreachable") throw err;
        const msg = (err as Error).message;
        if (/NOAUTH|WRONGPASS|invalid password|NOPERM/i.test(msg)) throw err;
        if (/cluster support disabled/i.test(msg)) {
          throw new JfsError("usage", `${formatHostPort(at)} is not a Redis Cluster node (cluster support disabled): list cluster nodes in the META-URL, or name a Sentinel deployment as MASTERNAME,SENTINEL:port`, { cause: err });
        }
        failures.push(`${formatHostPort(at)}: ${networkErrorCode(err) ?? msg}`);
      }
    }
    throw new JfsError("unreachable", `no node of the Redis Cluster redis://${this.target.addr} answered (${failures.join("; ")}): check the addresses in the META-URL and that the cluster is up`);
  }

  /** The volume's slot, once master() has asked. */
  get slotNumber(): number | null {
    return this.slot;
  }
}

/** The ioredis client for a deployment: one node, the sentinels' master, or the cluster. */
export function newClient(target: RedisTarget, waitMs = FAILOVER_WAIT_MS): Redis | Cluster {
  const o = target.options;
  if (target.mode === "sentinel") {
    const s = target.sentinel!;
    return new Redis({
      ...o,
      sentinels: s.sentinels,
      name: s.name,
      sentinelPassword: s.password,
      enableTLSForSentinelMode: !!o.tls,
      sentinelTLS: o.tls,
      // Through a failover: reconnect (asking the sentinels again) for up to ~waitMs.
      retryStrategy: (times) => (times * 250 > waitMs ? null : 250),
      sentinelRetryStrategy: (times) => (times > 3 ? null : 200),
      maxRetriesPerRequest: Math.ceil(waitMs / 250),
    });
  }
  if (target.mode === "cluster") {
    const options: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: true,
      enableReadyCheck: true,
      maxRedirections: 32,
      retryDelayOnFailover: 250,
      retryDelayOnClusterDown: 250,
      retryDelayOnTryAgain: 250,
      slotsRefreshTimeout: 3000,
      clusterRetryStrategy: (times) => (times * 250 > waitMs ? null : 250),
      redisOptions: {
        username: o.username,
        password: o.password,
        tls: o.tls,
        connectTimeout: o.connectTimeout,
        commandTimeout: o.commandTimeout,
        maxRetriesPerRequest: 2,
      },
    };
    return new Cluster(target.clusterNodes!, options);
  }
  return new Redis(o);
}
