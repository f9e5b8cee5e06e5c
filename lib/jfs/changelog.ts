// The metadata change log (Setting.ChangeLog, v1.4+) as JuiceFS's load writes it on Redis and
// SQL: one line per operation, `<unix sec>.<9-digit nsec>|OP(args)|(<sid>,<txn id>)`. A load
// runs without a session (sid 0) and numbers its operations 1, 2, … in the order written.
import type { QuotaKind, QuotaLimit } from "./types";

/** What a load records, in this order (docs/format/redis-keys.md §2 `txnLog`, docs/format/sql-tables.md §1 `change_log`). */
export type LoadChangelogOp =
  | { op: "LOADDUMPEDACLS"; maxId: number }
  | {
      op: "SETQUOTA";
      kind: QuotaKind;
      key: bigint;
      /** The limits the load asked to set (-1 = keep): what Redis records. */
      requested: QuotaLimit;
      /** The limits stored after the call: what SQL records. */
      stored: QuotaLimit;
    };

const QUOTA_TYPE: Record<QuotaKind, number> = { dir: 0, user: 1, group: 2 };

/** `OP(args)` of one operation; `limits` picks the engine's view of a SETQUOTA. */
export function changelogOpText(op: LoadChangelogOp, limits: "requested" | "stored"): string {
  if (op.op === "LOADDUMPEDACLS") return `LOADDUMPEDACLS(${op.maxId})`;
  const l = op[limits];
  return `SETQUOTA(${QUOTA_TYPE[op.kind]},${op.key},${l.maxSpace},${l.maxInodes})`;
}

/**
 * A clock for change-log lines: Unix nanoseconds that never go backwards and never repeat
 * within one process, so lines written together keep their order when sorted by time.
 */
export function changelogClock(): () => bigint {
  const wallAtStart = BigInt(Date.now()) * 1_000_000n;
  const monoAtStart = process.hrtime.bigint();
  let last = 0n;
  return () => {
    let ns = wallAtStart + (process.hrtime.bigint() - monoAtStart);
    if (ns <= last) ns = last + 1n;
    last = ns;
    return ns;
  };
}

/** One change-log line: `<sec>.<nsec>|<op>|(0,<txn>)` (a load has no session). */
export function changelogLine(ns: bigint, opText: string, txn: number): string {
  const sec = ns / 1_000_000_000n;
  const nsec = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${sec}.${nsec}|${opText}|(0,${txn})`;
}

/** The lines of a load's operations, numbered from 1, timed now. */
export function changelogLines(ops: LoadChangelogOp[], limits: "requested" | "stored", clock = changelogClock()): string[] {
  return ops.map((op, i) => changelogLine(clock(), changelogOpText(op, limits), i + 1));
}
