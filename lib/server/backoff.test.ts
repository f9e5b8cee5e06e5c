import { describe, expect, it } from "vitest";
import { admission, delayAfter, failed, FIRST_DELAY_MS, FORGET_AFTER_MS, FREE_FAILURES, MAX_DELAY_MS, OPEN, succeeded, type BackoffState } from "./backoff";

/** An attacker who retries the moment the door opens: how many guesses fit in `ms`? */
function guessesIn(ms: number): number {
  let s: BackoffState = OPEN;
  let now = 0;
  let guesses = 0;
  while (now < ms) {
    const door = admission(s, now);
    if (!door.allowed) {
      now += door.retryAfterMs;
      continue;
    }
    s = failed(s, now);
    guesses++;
  }
  return guesses;
}

describe("login back-off", () => {
  it("lets the first few typos through, then doubles the pause up to the cap", () => {
    expect(delayAfter(FREE_FAILURES)).toBe(0);
    expect(delayAfter(FREE_FAILURES + 1)).toBe(FIRST_DELAY_MS);
    expect(delayAfter(FREE_FAILURES + 2)).toBe(2 * FIRST_DELAY_MS);
    expect(delayAfter(FREE_FAILURES + 3)).toBe(4 * FIRST_DELAY_MS);
    expect(delayAfter(1000)).toBe(MAX_DELAY_MS);
  });

  it("refuses while closed without counting, and opens again at the announced time", () => {
    let s: BackoffState = OPEN;
    for (let i = 0; i <= FREE_FAILURES; i++) s = failed(s, 0);
    const door = admission(s, 10);
    expect(door).toEqual({ allowed: false, retryAfterMs: FIRST_DELAY_MS - 10 });
    // Refusals are not failures: the count is where the last checked password left it.
    expect(s.failures).toBe(FREE_FAILURES + 1);
    expect(admission(s, FIRST_DELAY_MS)).toEqual({ allowed: true });
    expect(succeeded()).toEqual(OPEN);
  });

  it("slows guessing to a crawl: a day of retries gets a few hundred guesses, not millions", () => {
    const day = 24 * 3600_000;
    const n = guessesIn(day);
    // FREE + ~9 doublings to reach the cap, then one guess per MAX_DELAY_MS.
    expect(n).toBeLessThanOrEqual(FREE_FAILURES + 10 + day / MAX_DELAY_MS);
    expect(n).toBeGreaterThan(day / MAX_DELAY_MS - 10);
    // 200 guesses (17 s without a back-off) now take most of a day.
    let s: BackoffState = OPEN;
    let now = 0;
    for (let i = 0; i < 200; i++) {
      const door = admission(s, now);
      if (!door.allowed) now += door.retryAfterMs;
      s = failed(s, now);
    }
    expect(now).toBeGreaterThan(12 * 3600_000);
  });

  it("never locks the owner out for longer than the cap, and forgets after a quiet hour", () => {
    let s: BackoffState = OPEN;
    for (let i = 0; i < 500; i++) s = failed(s, 0);
    const door = admission(s, 0);
    expect(door.allowed).toBe(false);
    expect(!door.allowed && door.retryAfterMs).toBe(MAX_DELAY_MS);
    expect(admission(s, MAX_DELAY_MS).allowed).toBe(true);
    // An hour without failures: the next typo is free again.
    const later = failed(s, FORGET_AFTER_MS);
    expect(later.failures).toBe(1);
    expect(admission(later, FORGET_AFTER_MS).allowed).toBe(true);
  });
});
