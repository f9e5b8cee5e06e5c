// Backup health of one volume, from facts the dashboard can see without a JuiceFS client:
// the object-storage listing, the volume's counters and the expected backup interval.
// Pure: no I/O, `now` passed in, so every rule is unit-tested.
import type { Health, HealthIssue, HealthLevel } from "../ui/views";
import { formatDuration } from "../jfs/format";

/** JuiceFS skips automatic backups when the interval is ≤ 1h and there are more inodes. */
export const SKIP_INODES = 1_000_000;
export const SKIP_INTERVAL_S = 3600;
/** A newest backup smaller than this share of the previous ones is an alarm (csi-driver#1288). */
export const SHRINK_RATIO = 0.5;

export interface HealthInput {
  now: Date;
  /** Expected --backup-meta of the clients, seconds (0 = automatic backups are off). */
  intervalSeconds: number;
  usedInodes: number | null;
  /** Automatic backups only, any order; `name` lets a shrunk one link to its diff. */
  backups: { time: Date; size: number; name?: string }[] | null;
  listingError?: string;
  /** Listed backups whose last verify failed (any kind), with the verifier's first problem. */
  failedVerifies?: { name: string; time: Date; detail: string }[];
}

// The verdict's shape is what the browser receives: it lives with the other view shapes.
export type { Health, HealthIssue, HealthLevel };

/**
 * The reference a backup's size is judged against: the median of the (up to 5) automatic
 * backups before it. Returns the reference when `size` is below SHRINK_RATIO of it, else null.
 */
export function shrankAgainst(size: number, previousNewestFirst: number[]): number | null {
  const previous = previousNewestFirst.slice(0, 5);
  if (previous.length === 0) return null;
  const reference = [...previous].sort((a, b) => a - b)[Math.floor(previous.length / 2)];
  return reference > 0 && size < reference * SHRINK_RATIO ? reference : null;
}

/** For each backup (any order), whether it shrank sharply against the ones before it. */
export function shrunkBackups<T extends { time: Date; size: number }>(backups: T[]): Set<T> {
  const sorted = [...backups].sort((a, b) => b.time.getTime() - a.time.getTime());
  const out = new Set<T>();
  sorted.forEach((b, i) => {
    if (shrankAgainst(b.size, sorted.slice(i + 1).map((x) => x.size)) !== null) out.add(b);
  });
  return out;
}

/** The diff that shows why sorted[i] (newest first) shrank: against the backup just before it. */
function diffAgainstPrevious(sorted: { name?: string }[], i: number): Pick<HealthIssue, "diff"> {
  const [b, a] = [sorted[i]?.name, sorted[i + 1]?.name];
  return a && b ? { diff: { a, b } } : {};
}

export function backupHealth(input: HealthInput): Health {
  const issues: HealthIssue[] = [];
  const interval = input.intervalSeconds;
  if (input.usedInodes != null && interval > 0 && interval <= SKIP_INTERVAL_S && input.usedInodes > SKIP_INODES) {
    issues.push({
      level: "critical",
      code: "skipped-too-many-inodes",
      title: "Automatic backups are being skipped",
      detail:
        `The volume has ${input.usedInodes.toLocaleString("en-US")} inodes (> 1,000,000) and the backup interval is ` +
        `${formatDuration(interval * 1000)} (≤ 1h): JuiceFS clients skip every automatic backup and only log a warning. ` +
        `Raise --backup-meta above 1h on the clients, or schedule dumps here.`,
    });
  }
  if (input.listingError) {
    issues.push({ level: "critical", code: "listing-failed", title: "Backups cannot be listed", detail: input.listingError });
    return { level: "critical", newestAt: null, newestAgeSeconds: null, issues };
  }
  const sorted = [...(input.backups ?? [])].sort((a, b) => b.time.getTime() - a.time.getTime());
  const newest = sorted[0];
  if (!newest) {
    if (input.backups) {
      issues.push({
        level: "critical",
        code: "no-backups",
        title: "No automatic backups",
        detail: "meta/ holds no dump-YYYY-MM-DD-HHMMSS.json.gz object: if the metadata engine is lost now, nothing can be restored.",
      });
    }
    return { level: input.backups ? "critical" : "unknown", newestAt: null, newestAgeSeconds: null, issues };
  }
  const age = (input.now.getTime() - newest.time.getTime()) / 1000;
  if (interval > 0) {
    // Clients check every interval/10 with jitter; a backup counts as late after 1.5 intervals.
    if (age > 3 * interval) {
      issues.push({
        level: "critical",
        code: "stale",
        title: `Newest backup is ${formatDuration(age * 1000)} old`,
        detail: `Expected one every ${formatDuration(interval * 1000)}. Check that a client with --backup-meta is mounted read-write and without --no-bgjob, and its logs.`,
      });
    } else if (age > 1.5 * interval) {
      issues.push({
        level: "warn",
        code: "late",
        title: `Newest backup is late (${formatDuration(age * 1000)} old)`,
        detail: `Expected one every ${formatDuration(interval * 1000)}.`,
      });
    }
  }
  const reference = shrankAgainst(
    newest.size,
    sorted.slice(1).map((b) => b.size),
  );
  if (reference !== null) {
    issues.push({
      level: "critical",
      code: "shrank",
      title: `Newest backup shrank to ${Math.round((newest.size / reference) * 100)}% of the previous ones`,
      detail:
        `${newest.size.toLocaleString("en-US")} bytes against a median of ${reference.toLocaleString("en-US")}. ` +
        "A sudden drop usually means the metadata engine lost data; keep the older backups and inspect the newest before trusting it.",
      ...diffAgainstPrevious(sorted, 0),
    });
  }
  else {
    // An older backup the timeline marks as shrunk: the card must not read "healthy" beside it.
    const earlier = [...shrunkBackups(sorted)].filter((b) => b !== newest).sort((a, b) => b.time.getTime() - a.time.getTime());
    if (earlier.length) {
      issues.push({
        level: "warn",
        code: "shrank",
        title: `${earlier.length === 1 ? "A backup" : `${earlier.length} backups`} shrank sharply (newest of them ${earlier[0].time.toISOString().slice(0, 16).replace("T", " ")} UTC)`,
        detail: "Backups after it are back to size, but metadata may have been lost and restored in between: inspect the shrunk backup before relying on it.",
        ...diffAgainstPrevious(sorted, sorted.indexOf(earlier[0])),
      });
    }
  }
  issues.push(...verifyIssues(input, newest));
  const level: HealthLevel = issues.some((i) => i.level === "critical") ? "critical" : issues.length ? "warn" : "ok";
  return { level, newestAt: newest.time.toISOString(), newestAgeSeconds: age, issues };
}

/**
 * A backup that failed its verify cannot be restored: critical when it is the newest (the one
 * a restore would pick), a warning for an older one (the newer ones remain).
 */
function verifyIssues(input: HealthInput, newest: { time: Date }): HealthIssue[] {
  const failed = [...(input.failedVerifies ?? [])].sort((a, b) => b.time.getTime() - a.time.getTime());
  if (!failed.length) return [];
  const first = failed[0];
  const isNewest = first.time.getTime() >= newest.time.getTime();
  return [
    {
      level: isNewest ? "critical" : "warn",
      code: "verify-failed",
      title: `${isNewest ? "The newest backup" : failed.length === 1 ? "A backup" : `${failed.length} backups`} failed verification (${first.name})`,
      detail: `${first.detail} — a load refuses it. Keep the older backups, and find out what damaged it (storage, an interrupted upload, a client's bug).`,
    },
  ];
}
