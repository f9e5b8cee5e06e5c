// The few etcd requests the engine makes, over etcd3's raw KV client (README: the client choice,
// measured): point and paged range reads at an optional revision, batched reads and writes in
// transactions, each retried while etcd is briefly unavailable (a member down, a leader election).
import type { Etcd3, IKeyValue, IRangeRequest, IRangeResponse, IRequestOp, ITxnRequest, ITxnResponse } from "etcd3";
import { explainEtcdError, isBrokenCircuit, isTransientEtcdError } from "./errors";

/** etcd's default --max-txn-ops: no transaction may hold more operations (JuiceFS batches by it). */
export const MAX_TXN_OPS = 128;
/** Keys a paged range returns at a time. */
export const PAGE = 2048;
/** How long a request keeps being retried while etcd has no leader or a member is gone. */
const RETRY_FOR_MS = 30_000;
/** One request's deadline: a hung member is left for another well before RETRY_FOR_MS. */
const CALL_DEADLINE_MS = 10_000;

export class EtcdKv {
  constructor(
    readonly client: Etcd3,
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

  async get(k: Buffer): Promise<Buffer | null> {
    const r = await this.range(this.rangeRequest(k));
    return r.kvs.length ? r.kvs[0].value : null;
  }

  /** Values of several keys at once (one transaction, at the same revision), in the order asked. */
  async gets(keys: Buffer[]): Promise<(Buffer | null)[]> {
    const out: (Buffer | null)[] = [];
    for (let i = 0; i < keys.length; i += MAX_TXN_OPS) {
      const part = keys.slice(i, i + MAX_TXN_OPS);
      const res = await this.readTxn(part.map((k) => this.rangeRequest(k)));
      for (const r of res) out.push(r.kvs.length ? r.kvs[0].value : null);
    }
    return out;
  }

  /** Several range reads in one read-only transaction (at most MAX_TXN_OPS). */
  async readTxn(reqs: IRangeRequest[]): Promise<IRangeResponse[]> {
    if (reqs.length === 0) return [];
    const res = await this.txn({ success: reqs.map((r) => ({ request_range: r })) });
    return res.responses.map((r) => r.response_range);
  }

  async txn(req: ITxnRequest, retry = true): Promise<ITxnResponse> {
    return this.call((o) => this.client.kv.txn(req, o), retry);
  }

  /** Every key in [start, end) in byte order, a page at a time (at the read revision, if set). */
  async *scan(start: Buffer, end: Buffer, page = PAGE): AsyncGenerator<IKeyValue[]> {
    let from = start;
    for (;;) {
      const r = await this.range(this.rangeRequest(from, end, page));
      if (r.kvs.length) yield r.kvs;
      if (!r.more || r.kvs.length === 0) return;
      from = Buffer.concat([this.strip(r.kvs[r.kvs.length - 1].key), Buffer.from([0])]);
    }
  }

  /** The rest of a range after a page that said `more`, appended to `into`. */
  async rest(into: IKeyValue[], end: Buffer): Promise<void> {
    const last = this.strip(into[into.length - 1].key);
    for await (const page of this.scan(Buffer.concat([last, Buffer.from([0])]), end)) into.push(...page);
  }

  put(k: Buffer, v: Buffer): IRequestOp {
    return { request_put: { key: this.key(k), value: v } };
  }
}
