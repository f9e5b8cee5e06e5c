// The CLI's one mapping from an error's kind to the process exit code.
//
// JuiceFS exits 1 on every failure and scripts written for it test for non-zero, so every kind a
// person must fix by hand keeps 1. Three kinds tell a script something it can act on without
// reading the message: 2 (wrong invocation, as every Unix tool), 75 (EX_TEMPFAIL from
// sysexits.h: a server was unreachable or busy, try again later) and 130 (stopped by a signal,
// as a shell reports SIGINT).
import { errorKind, type ErrorKind } from "../lib/jfs/errors";

export const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  "not-found": 1,
  refused: 1,
  "corrupt-input": 1,
  unreachable: 75,
  auth: 1,
  busy: 75,
  interrupted: 130,
  unsupported: 1,
  internal: 1,
};

export function exitCodeOf(err: unknown): number {
  return EXIT_CODES[errorKind(err)];
}

/**
 * `jfsmeta diff`: the trees differ. diff(1) says so with 1, but 1 is every failure here, so a
 * script could not tell "different" from "could not compare": 3, which no error kind uses.
 */
export const EXIT_DIFFERENT = 3;
