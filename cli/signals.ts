// Ctrl-C, SIGTERM and SIGHUP during work that must clean up after itself (a load empties its
// target, a dump removes FILE.tmp): the first signal asks the work to stop through an
// AbortSignal; a second one exits at once, saying what may be left. Exit codes follow the shell's
// convention for a process ended by a signal: 128 + its number (130, 143, 129).

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof SIGNALS;

export interface SignalGuard {
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  /** The exit code for `received`. */
  readonly exitCode: number;
  /** Restore the default behaviour (call when the work is over, cleanup included). */
  release(): void;
}

/**
 * Guard the work that follows. `verb` names the command in messages; `leftBehind` says what a
 * second signal (which does not wait for the cleanup) may leave, and how to remove it.
 */
export function guardSignals(verb: string, leftBehind: () => string): SignalGuard {
  const controller = new AbortController();
  let received: StopSignal | null = null;
  const handler = (name: StopSignal) => {
    if (received) {
      process.stderr.write(`\njfsmeta ${verb}: ${name} again: exiting without cleaning up; ${leftBehind()}\n`);
      process.exit(128 + SIGNALS[name]);
    }
    received = name;
    process.stderr.write(`\njfsmeta ${verb}: ${name} received: stopping and cleaning up (send it again to exit at once)\n`);
    controller.abort(new Error(`stopped by ${name}`));
  };
  const listeners = (Object.keys(SIGNALS) as StopSignal[]).map((name) => {
    const fn = () => handler(name);
    process.on(name, fn);
    return [name, fn] as const;
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? 128 + SIGNALS[received] : 0;
    },
    release() {
      for (const [name, fn] of listeners) process.off(name, fn);
    },
  };
}
