// The few etcd requests the engine makes, over etcd3's raw KV client (README: the client choice,
// measured): point and paged range reads at an optional revision, batched reads and writes in
// transactions, each retried while etcd is briefly unavailable (a member down, a leader election).
// The dump's bulk reads (page, readTxnPages, scan) go through etcd3's own connection pool (its
// choice of member, failover, circuit breakers, TLS and auth token) but decode the answer with
// range-codec.ts instead of etcd3's protobufjs objects (README: Performance, etcd).
import { castGrpcError, Etcd3, EtcdInvalidAuthTokenError, type IRangeRequest, type IRangeResponse, type IRequestOp, type ITxnRequest, type ITxnResponse } from "etcd3";
import type { QueryGate } from "../engine";
import { explainEtcdError, isBrokenCircuit, isTransientEtcdError } from "./errors";
import { decodeTxnSucceeded, type PutTxn } from "./put-txn";
import { decodeRangeResponse, decodeRangeTxnResponse, type Kv, type KvPage } from "./range-codec";

/** etcd's default --max-txn-ops: no transaction may hold more operations (JuiceFS batches by it). */
export const MAX_TXN_OPS = 128;
/** Keys the first page of a paged range returns. */
export const PAGE = 2048;
/**
 * Pages grow to this many keys (doubling from PAGE): etcd walks its index from a page's start
 * to the range's end on every page (to count the keys left), so a directory of n entries read
 * in pages of p costs the server n²/2p. Measured on the 300,000-entry directory of a 1M-file
 * volume: 14.4 s of etcd's CPU in pages of 2,048, 1.1 s in pages of 16,384.
 */
export const MAX_PAGE = 16_384;
/** How long a request keeps being retried while etcd has no leader or a member is gone. */
const RETRY_FOR_MS = 30_000;
/** One request's deadline: a hung member is left for another well before RETRY_FOR_MS. */
const CALL_DEADLINE_MS = 10_000;

/** etcd3's client with its connection pool in reach, for the reads EtcdKv decodes itself. */
export class EtcdClient extends Etcd3 {
  get connectionPool() {
    return this.pool;
  }
}

type CallOptions = { deadline: number };
type RawMethod = "Range" | "Txn";
/** The grpc-js service definition etcd3 builds its KV client from (its request encoders and paths). */
type KvService = Record<RawMethod, { path: string; requestSerialize: (req: unknown) => Buffer; requestDeserialize: (b: Buffer) => unknown }>;

export class EtcdKv {
  constructor(
    readonly client: EtcdClient,
    /** The client prefix: every key given and returned is relative to it. */
    readonly prefix: Buffer,
    /** Names etcd in messages. */
    readonly addr: string,
  ) {}

  /** Read at this revision when set (a dump's snapshot); at the latest otherwise. */
  revision: string | undefined;

  key(k: Buffer): Buffer {
    return Buffer.concat([this.prefix, k]);
  }

  /** A key as stored, without the client prefix. */
  strip(k: Buffer): Buffer {
    return k.subarray(this.prefix.length);
  }

  /** Run an etcd request, again while etcd is briefly unavailable; other failures explained. */
  async call<T>(fn: (opts: { deadline: number }) => Promise<T>, retry = true, retryForMs = RETRY_FOR_MS): Promise<T> {
    const until = Date.now() + retryForMs;
    // etcd3's circuit breaker answers for a member that failed three times in a row: the
    // member's own last error is the one worth telling.
    let cause: unknown = null;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return await fn({ deadline: Date.now() + CALL_DEADLINE_MS });
      } catch (err) {
        const broken = isBrokenCircuit(err);
        if (!broken) cause = err;
        if (!retry || !(broken || isTransientEtcdError(err)) || Date.now() + wait > until) throw explainEtcdError(cause ?? err, this.addr);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  rangeRequest(start: Buffer, end?: Buffer, limit?: number): IRangeRequest {
    const r: IRangeRequest = { key: this.key(start) };
    if (end) r.range_end = end.length === 1 && end[0] === 0 ? this.endOfPrefix() : this.key(end);
    if (limit) r.limit = limit;
    // At a pinned revision a member's local copy is the snapshot: no round to the leader needed.
    // A member not yet at that revision answers "future revision", which is retried.
    if (this.revision) {
      r.revision = this.revision;
      r.serializable = true;
    }
    return r;
  }

  /** The end of the whole prefix's range. */
  endOfPrefix(): Buffer {
    const b = Buffer.from(this.prefix);
    b[b.length - 1]++; // the prefix ends with 0xFD: no carry
    return b;
  }

  async range(req: IRangeRequest): Promise<IRangeResponse> {
    return this.call((o) => this.client.kv.range(req, o));
  }

  /**
   * One KV request of etcd3's, sent on its pool's connection to a member, its answer decoded by
   * `decode`. An expired auth token is left to etcd3's own call, which renews it for the next.
   */
  private raw<T>(method: RawMethod, req: IRangeRequest | ITxnRequest | Buffer, decode: (b: Buffer) => T, o: CallOptions, viaLibrary: () => Promise<T>): Promise<T> {
    return this.client.connectionPool
      .withConnection("KV", ({ client, metadata }) => {
        const m = (client.constructor as unknown as { service: KvService }).service[method];
        // A request already encoded (put-txn.ts) goes as it is.
        const serialize: (req: unknown) => Buffer = Buffer.isBuffer(req) ? (b) => b as Buffer : m.requestSerialize;
        return new Promise<T>((resolve, reject) => {
          client.makeUnaryRequest<unknown, T>(m.path, serialize, decode, req, metadata, o, (err, res) => (err ? reject(castGrpcError(err)) : resolve(res as T)));
        });
      })
      .catch((err: unknown) => {
        if (err instanceof EtcdInvalidAuthTokenError) return viaLibrary();
        throw err;
      });
  }

  /** One page of a range: its keys and values and whether there are more (range-codec.ts). */
  async page(req: IRangeRequest): Promise<KvPage> {
    return this.call((o) => this.raw("Range", req, decodeRangeResponse, o, () => this.client.kv.range(req, o)));
  }

  /** Several ranges in one read-only transaction (at most MAX_TXN_OPS), as pages (range-codec.ts). */
  async readTxnPages(reqs: IRangeRequest[]): Promise<KvPage[]> {
    if (reqs.length === 0) return [];
    const txn: ITxnRequest = { success: reqs.map((r) => ({ request_range: r })) };
    return this.call((o) =>
      this.raw("Txn", txn, decodeRangeTxnResponse, o, async () => (await this.client.kv.txn(txn, o)).responses.map((r) => r.response_range)),
    );
  }

  /** A load's transaction of puts, encoded by put-txn.ts; only whether its compare held is read back. */
  async putTxn(t: PutTxn): Promise<{ succeeded: boolean }> {
    const req = t.encoded();
    // The rare request through etcd3 (an expired token): the bytes decoded by its own codec.
    const viaLibrary = async (o: CallOptions) => {
      const txn = await this.client.connectionPool.withConnection("KV", ({ client }) => (client.constructor as unknown as { service: KvService }).service.Txn);
      return this.client.kv.txn(txn.requestDeserialize(req) as ITxnRequest, o);
    };
    return this.call((o) => this.raw("Txn", req, decodeTxnSucceeded, o, () => viaLibrary(o)));
  }

  async get(k: Buffer): Promise<Buffer | null> {
    const r = await this.range(this.rangeRequest(k));
    return r.kvs.length ? r.kvs[0].value : null;
  }

  /** Values of several keys at once (one transaction, at the same revision), in the order asked. */
  async gets(keys: Buffer[]): Promise<(Buffer | null)[]> {
    const out: (Buffer | null)[] = [];
    for (let i = 0; i < keys.length; i += MAX_TXN_OPS) {
      const part = keys.slice(i, i + MAX_TXN_OPS);
      const res = await this.readTxnPages(part.map((k) => this.rangeRequest(k)));
      for (const r of res) out.push(r.kvs.length ? r.kvs[0].value : null);
    }
    return out;
  }

  async txn(req: ITxnRequest, retry = true): Promise<ITxnResponse> {
    return this.call((o) => this.client.kv.txn(req, o), retry);
  }

  /** Every key in [start, end) in byte order, a page at a time (at the read revision, if set); pages grow to MAX_PAGE. */
  async *scan(start: Buffer, end: Buffer, page = PAGE, gate: QueryGate = (q) => q()): AsyncGenerator<Kv[]> {
    let from = start;
    for (let size = page; ; size = Math.min(size * 2, Math.max(page, MAX_PAGE))) {
      const req = this.rangeRequest(from, end, size);
      const r = await gate(() => this.page(req));
      if (r.kvs.length) yield r.kvs;
      if (!r.more || r.kvs.length === 0) return;
      from = Buffer.concat([this.strip(r.kvs[r.kvs.length - 1].key), Buffer.from([0])]);
    }
  }

  /** The rest of a range after a page that said `more`, appended to `into`. */
  async rest(into: Kv[], end: Buffer): Promise<void> {
    const last = this.strip(into[into.length - 1].key);
    for await (const page of this.scan(Buffer.concat([last, Buffer.from([0])]), end)) into.push(...page);
  }

  put(k: Buffer, v: Buffer): IRequestOp {
    return { request_put: { key: this.key(k), value: v } };
  }
}
