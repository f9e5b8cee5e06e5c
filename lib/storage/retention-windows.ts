// The windows of JuiceFS's backup retention (pkg/vfs/backup.go `rotate`), as numbers: the one
// source for lib/storage/retention.ts, which replays cleanups, and for the dashboard's
// timeline, which draws them. Pure and browser-safe.

/** Every backup at most this many days old is kept. */
export const RECENT_DAYS = 2;

/** JuiceFS v1.4 deletes backups older than this many calendar years (v1.3 keeps them). */
export const MAX_AGE_YEARS = 2;

/** MAX_AGE_YEARS in days, for drawing only: cleanups count calendar years. */
export const MAX_AGE_DAYS = 731;

/**
 * The width in days of the window that starts `span` days back: 1 while the window starts
 * under 14 days, 7 while under 60, then 30.
 */
export function windowStep(span: number): number {
  return span < 14 ? 1 : span < 60 ? 7 : 30;
}

/** The window edges in days a cleanup walks back from now, after RECENT_DAYS: 3, …, 14, 21, …, 63, 93, … up to maxDays. */
export function windowEdges(maxDays: number): number[] {
  const edges: number[] = [];
  for (let span = RECENT_DAYS + windowStep(RECENT_DAYS); span <= maxDays; span += windowStep(span)) edges.push(span);
  return edges;
}

/** Where the daily windows end (14 days) and the weekly ones (63 days: the first edge past 60). */
export const DAILY_UNTIL_DAYS = windowEdges(60).find((d) => windowStep(d) === 7)!;
export const WEEKLY_UNTIL_DAYS = windowEdges(365).find((d) => windowStep(d) === 30)!;
