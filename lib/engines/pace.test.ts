// The gentle dump's pacing rules, on an injected clock: no wall time is measured here.
import { describe, expect, it } from "vitest";
import { MAX_BACKOFF_MS, MIN_BACKOFF_MS, Pacer, describeHold } from "./pace";

/** A clock the test moves; `run` plays queries one after another, each waiting what it is told. */
function harness(limits: ConstructorParameters<typeof Pacer>[0]) {
  let t = 0;
  const pacer = new Pacer(limits, () => t);
  return {
    pacer,
    advance: (ms: number) => (t += ms),
    /** Start one query (waiting as told), let it take `tookMs`; returns the wait. */
    query(tookMs: number): number {
      const wait = pacer.beforeQuery();
      t += wait + tookMs;
      pacer.afterQuery(tookMs);
      return wait;
    },
    get now() {
      return t;
    },
  };
}

describe("Pacer", () => {
  it("without limits never delays", () => {
    const h = harness({});
    expect(h.pacer.active).toBe(false);
    for (let i = 0; i < 100; i++) expect(h.query(500)).toBe(0);
  });

  it("--max-ops N: a second's burst, then N queries a second, whatever the concurrency", () => {
    const h = harness({ maxOps: 10 });
    // Ten queries reserved at once pass; the next ten are spaced 100 ms apart.
    const waits = Array.from({ length: 20 }, () => h.pacer.beforeQuery());
    expect(waits.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(waits.slice(10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(h.pacer.holdingBack).toEqual({ reason: "max-ops", rate: 10 });
    // Over a long run the rate is the bound: 1000 instant queries take 100 s of clock.
    const g = harness({ maxOps: 10 });
    for (let i = 0; i < 1000; i++) g.query(0);
    expect(g.now).toBeGreaterThanOrEqual(99_000);
    expect(g.now).toBeLessThanOrEqual(100_000);
  });

  it("--max-ops: an idle pause does not bank more than one second of queries", () => {
    const h = harness({ maxOps: 5 });
    for (let i = 0; i < 5; i++) h.pacer.beforeQuery();
    h.advance(60_000);
    const waits = Array.from({ length: 6 }, () => h.pacer.beforeQuery());
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits[5]).toBe(200);
  });

  it("--max-latency: slows down while the engine is slow, backing off up to a pause, then catches up", () => {
    const h = harness({ maxLatencyMs: 50 });
    for (let i = 0; i < 10; i++) expect(h.query(20)).toBe(0); // fast engine: full speed
    // The engine becomes busy: the smoothed response time crosses the bound, waits double.
    const busy = Array.from({ length: 20 }, () => h.query(300));
    const first = busy.findIndex((w) => w > 0);
    expect(first).toBeGreaterThan(0); // smoothed: one slow answer is not "busy"
    expect(busy[first]).toBe(MIN_BACKOFF_MS);
    for (let i = first + 1; i < busy.length; i++) expect(busy[i]).toBe(Math.min(MAX_BACKOFF_MS, busy[i - 1] * 2));
    expect(busy.at(-1)).toBe(MAX_BACKOFF_MS); // all but paused: one probe every 2 s
    expect(describeHold(h.pacer.holdingBack!)).toMatch(/engine answers in \d+ ms, over --max-latency 50 ms/);
    // The engine recovers: waits halve, then stop altogether.
    const calm = Array.from({ length: 40 }, () => h.query(5));
    expect(calm.at(-1)).toBe(0);
    expect(h.pacer.holdingBack).toBeNull();
    for (let i = 1; i < calm.length; i++) expect(calm[i]).toBeLessThanOrEqual(Math.max(calm[i - 1], MAX_BACKOFF_MS));
  });

  it("--max-latency with several threads: a window that starts at one, grows while calm, halves once per response time when busy", () => {
    let t = 0;
    const pacer = new Pacer({ maxLatencyMs: 40 }, () => t, 8);
    expect(pacer.window).toBe(1);
    // Answers well within the bound (under 3/4 of it): about one more query per response time.
    const grown: number[] = [];
    for (let i = 0; i < 40; i++) {
      t += 10;
      pacer.afterQuery(10);
      grown.push(pacer.window);
    }
    expect(grown[0]).toBe(2);
    for (let i = 1; i < grown.length; i++) expect(grown[i] - grown[i - 1]).toBeGreaterThanOrEqual(0);
    expect(grown.at(-1)).toBe(8);
    // Answers between 3/4 of the bound and the bound: the window holds.
    for (let i = 0; i < 20; i++) pacer.afterQuery(35);
    expect(pacer.window).toBe(8);
    // Busy: halved, but not again by answers that come within one response time of the halving.
    for (let i = 0; i < 30; i++) pacer.afterQuery(100);
    expect(pacer.window).toBe(4);
    t += 200;
    pacer.afterQuery(100);
    expect(pacer.window).toBe(2);
    t += 200;
    pacer.afterQuery(100);
    expect(pacer.window).toBe(1);
    // At one query out, still busy: the back-off of one thread begins.
    expect(pacer.beforeQuery()).toBe(0);
    pacer.afterQuery(100);
    expect(pacer.beforeQuery()).toBe(MIN_BACKOFF_MS);
    // Without --max-latency the window is all the threads, always.
    const plain = new Pacer({ maxOps: 100 }, () => t, 8);
    plain.afterQuery(10_000);
    expect(plain.window).toBe(8);
  });

  it("both limits: the longer wait applies", () => {
    const h = harness({ maxOps: 1000, maxLatencyMs: 10 });
    for (let i = 0; i < 30; i++) h.query(100);
    expect(h.query(100)).toBe(MAX_BACKOFF_MS);
    expect(h.pacer.holdingBack?.reason).toBe("max-latency");
  });

  it("refuses limits that are not positive", () => {
    expect(() => new Pacer({ maxOps: 0 }, () => 0)).toThrow(RangeError);
    expect(() => new Pacer({ maxLatencyMs: -1 }, () => 0)).toThrow(RangeError);
  });
});

describe("the dump's gentle options", () => {
  it("are whole positive queries a second and a positive latency bound", async () => {
    const { DumpOptionsSchema } = await import("./dump");
    const { formatIssues } = await import("../jfs/format");
    expect(DumpOptionsSchema.parse({ maxOps: 200, maxLatencyMs: 20 })).toMatchObject({ maxOps: 200, maxLatencyMs: 20 });
    expect(formatIssues(DumpOptionsSchema.safeParse({ maxOps: 0 }).error!)).toBe("maxOps: must be positive");
    expect(formatIssues(DumpOptionsSchema.safeParse({ maxOps: 2.5 }).error!)).toBe("maxOps: must be a whole number");
    expect(formatIssues(DumpOptionsSchema.safeParse({ maxLatencyMs: Number("x") }).error!)).toMatch(/^maxLatencyMs: must be/);
  });
});
