// The login back-off: a pure state machine, so tests replay it with a clock of their own.
//
// The dashboard has one password and one owner, so the back-off is global, not per client
// address: behind a reverse proxy every client has the proxy's address, and X-Forwarded-For is
// whatever the client writes. The first FREE_FAILURES wrong passwords cost nothing (typos);
// after that each one closes the door for twice as long as the last, up to MAX_DELAY_MS.
// While the door is closed a login is refused without looking at the password, so an attacker
// gets at most one guess per MAX_DELAY_MS (288 a day, against 200 in 17 s without it), and the
// owner waits at most MAX_DELAY_MS after the guessing stops. A quiet hour forgets the
// failures; a right password forgets them at once. Restarting the server also resets it.

export const FREE_FAILURES = 5;
export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 5 * 60_000;
export const FORGET_AFTER_MS = 60 * 60_000;

export interface BackoffState {
  /** Wrong passwords counted since the last success or quiet hour. */
  readonly failures: number;
  /** Epoch ms of the last counted failure (0: none). */
  readonly lastFailure: number;
  /** Epoch ms before which a login is refused unchecked (0: open). */
  readonly closedUntil: number;
}

export const OPEN: BackoffState = { failures: 0, lastFailure: 0, closedUntil: 0 };

/**
 * The n-th wait (n ≥ 1) of a doubling back-off: first, 2×first, 4×first… capped at max. The
 * login's door and the webhook's retries (./alerts) both wait this way.
 */
export function doublingDelay(n: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.min(30, Math.max(0, n - 1)));
}

/** The wait imposed after the `failures`-th wrong password. */
export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return doublingDelay(failures - FREE_FAILURES, FIRST_DELAY_MS, MAX_DELAY_MS);
}

/** The state as of `now` (failures forgotten after a quiet hour). */
function current(s: BackoffState, now: number): BackoffState {
  return s.failures > 0 && now - s.lastFailure >= FORGET_AFTER_MS ? OPEN : s;
}

/** May a password be checked now? If not, how long until it may (ms, > 0). */
export function admission(s: BackoffState, now: number): { allowed: true } | { allowed: false; retryAfterMs: number } {
  const c = current(s, now);
  return now < c.closedUntil ? { allowed: false, retryAfterMs: c.closedUntil - now } : { allowed: true };
}

/** After a checked wrong password. */
export function failed(s: BackoffState, now: number): BackoffState {
  const failures = current(s, now).failures + 1;
  const delay = delayAfter(failures);
  return { failures, lastFailure: now, closedUntil: delay ? now + delay : 0 };
}

/** After a right password. */
export function succeeded(): BackoffState {
  return OPEN;
}
