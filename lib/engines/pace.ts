// Gentle dumps (--max-ops, --max-latency): how long the dump's next query waits before it
// starts, from what the engine's recent answers took. Pure: the caller owns the clock and the
// sleeping (QueryLimiter in read-ahead.ts), so the rules are tested with an injected clock.
//
// - --max-ops N: a token bucket of N queries a second holding at most one second of tokens, so
//   that a dump held back (or paused) catches up at the rate, never in a burst above it.
// - --max-latency MS: the engine is busy while the smoothed response time of the dump's own
//   queries (EWMA) is above MS. The dump then first has fewer queries out at once: its window
//   of concurrent queries (all its threads at first) halves, at most once per response time,
//   down to one. A window alone is what keeps a foreground client's queue short: a back-off
//   that delays each of 10 threads lets them all start again together, and a client behind
//   those 10 queries waits for all of them (test/engines/gentle.test.ts measured p99 2.5x the
//   bound so). At one query out, each query waits a back-off that doubles while busy (up to
//   MAX_BACKOFF_MS: the dump all but pauses, one probe query at a time). Once the engine
//   answers within the bound again the back-off halves down to none, then, while it answers
//   within 3/4 of the bound (HEADROOM), the window grows by about one query per response time
//   (additive increase), back to all the threads. A gentle dump starts at a window of one.

/** Longest wait before one query while the engine is busy. */
export const MAX_BACKOFF_MS = 2000;
/** First wait once the engine is found busy. */
export const MIN_BACKOFF_MS = 10;
/**
 * The window grows only while the engine answers within this share of --max-latency: the
 * dump's answers around the bound would put others' (the p99 of a foreground client, which
 * waits behind the same queue) over it.
 */
const HEADROOM = 0.75;
/** Weight of the newest answer in the smoothed response time. */
const EWMA_WEIGHT = 0.2;

export interface PaceLimits {
  /** Queries a second, at most. */
  maxOps?: number;
  /** The engine's response time, in ms, above which the dump slows down. */
  maxLatencyMs?: number;
}

export type HoldingBack = { reason: "max-ops"; rate: number } | { reason: "max-latency"; latencyMs: number; boundMs: number };

export class Pacer {
  private tokens: number;
  private refilledAt: number;
  private smoothedMs: number | null = null;
  private backoffMs = 0;
  private lastHold: HoldingBack | null = null;
  /** Queries allowed out at once (fractional: it grows by 1/window a query); see `window`. */
  private windowSize: number;
  private shrunkAt = -Infinity;

  /** `concurrency`: the queries the caller has out at most (its threads), the window's top. */
  constructor(
    private readonly limits: PaceLimits,
    private readonly now: () => number,
    private readonly concurrency = 1,
  ) {
    if (limits.maxOps !== undefined && !(limits.maxOps > 0)) throw new RangeError("maxOps must be positive");
    if (limits.maxLatencyMs !== undefined && !(limits.maxLatencyMs > 0)) throw new RangeError("maxLatencyMs must be positive");
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError("concurrency must be a whole number from 1");
    this.tokens = limits.maxOps ?? 0;
    this.refilledAt = now();
    // A gentle dump starts with one query out and earns the rest: starting with all of them
    // queued at once would hold others up before the first answer could tell it to slow down.
    this.windowSize = limits.maxLatencyMs !== undefined ? 1 : concurrency;
  }

  /** How many queries may be out at once now: `concurrency` unless --max-latency found the engine busy. */
  get window(): number {
    return Math.floor(this.windowSize);
  }

  /** Whether any limit is set (a pacer without limits never delays). */
  get active(): boolean {
    return this.limits.maxOps !== undefined || this.limits.maxLatencyMs !== undefined;
  }

  /**
   * A query is about to start: the ms it must wait first (0: now). Reserves its place, so that
   * concurrent callers are spaced out rather than all let through by one token.
   */
  beforeQuery(): number {
    let wait = 0;
    this.lastHold = null;
    const rate = this.limits.maxOps;
    if (rate !== undefined) {
      const t = this.now();
      this.tokens = Math.min(rate, this.tokens + ((t - this.refilledAt) / 1000) * rate);
      this.refilledAt = t;
      this.tokens -= 1;
      if (this.tokens < 0) {
        wait = (-this.tokens / rate) * 1000;
        this.lastHold = { reason: "max-ops", rate };
      }
    }
    if (this.backoffMs > 0 && this.smoothedMs !== null && this.limits.maxLatencyMs !== undefined) {
      if (this.backoffMs > wait) {
        wait = this.backoffMs;
        this.lastHold = { reason: "max-latency", latencyMs: Math.round(this.smoothedMs), boundMs: this.limits.maxLatencyMs };
      }
    }
    return Math.ceil(wait);
  }

  /** A query finished after `ms`: adjust the back-off to the engine's response time. */
  afterQuery(ms: number): void {
    const bound = this.limits.maxLatencyMs;
    if (bound === undefined) return;
    this.smoothedMs = this.smoothedMs === null ? ms : this.smoothedMs + EWMA_WEIGHT * (ms - this.smoothedMs);
    if (this.smoothedMs > bound) {
      if (this.windowSize >= 2) {
        // Once per response time: the queries already out when it shrank answer slowly too.
        const t = this.now();
        if (t - this.shrunkAt >= this.smoothedMs) {
          this.windowSize = Math.max(1, Math.floor(this.windowSize / 2));
          this.shrunkAt = t;
        }
      } else this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.backoffMs * 2));
    } else if (this.backoffMs > 0) this.backoffMs = this.backoffMs <= MIN_BACKOFF_MS ? 0 : this.backoffMs / 2;
    else if (this.smoothedMs <= bound * HEADROOM) this.windowSize = Math.min(this.concurrency, this.windowSize + 1 / this.windowSize);
  }

  /** Why the last query was made to wait, or null when it was not. */
  get holdingBack(): HoldingBack | null {
    return this.lastHold;
  }
}

/** "holding back: …" for progress lines. */
export function describeHold(h: HoldingBack): string {
  return h.reason === "max-ops"
    ? `holding back to ${h.rate} queries/s (--max-ops)`
    : `holding back: the engine answers in ${h.latencyMs} ms, over --max-latency ${h.boundMs} ms`;
}
