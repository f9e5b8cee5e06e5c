// What the CLI's progress lines say besides a count: the rate and, where the total is known,
// the time left, said as the dashboard's jobs say them (lib/ui/views.ts rateOf, formatRate).
// Loaded by the commands once they run (not at start-up: the dump sends SYNC before).
import { formatBytes } from "../lib/jfs/format";
import { formatRate, rateOf } from "../lib/ui/views";

/** A count that starts again at each phase: the rate is the phase's own, from its first report. */
export class PhaseMeter {
  private phase: string | undefined = undefined;
  private started = false;
  private since = 0;
  private base = 0;

  /** The rate (and time left, with `total`) of `done` in `phase`; "" until there is a rate. */
  rate(phase: string | undefined, done: number, total: number | undefined, now = Date.now()): string {
    if (!this.started || phase !== this.phase) {
      this.started = true;
      this.phase = phase;
      this.since = now;
      this.base = done;
    }
    const r = rateOf(done - this.base, total === undefined ? null : total - this.base, now - this.since);
    return r ? formatRate(r, "entries") : "";
  }
}

/** "911,000 of about 1,048,870", `between`, then " · 95,000 entries/s · 1.4 s left" once there is a rate. */
function counted(done: number, expected: number | undefined, between: string, meter: PhaseMeter, phase: string | undefined, now: number): string {
  const of = expected ? ` of about ${expected.toLocaleString("en-US")}` : "";
  const rate = done > 0 ? meter.rate(phase, done, expected, now) : "";
  return `${done.toLocaleString("en-US")}${of}${between}${rate ? ` · ${rate}` : ""}`;
}

/** "Dumped entries: 911,000 of about 1,048,870 · 95,000 entries/s · 1.4 s left", and why a gentle dump waits. */
export function dumpProgressLine(p: { entries: number; holdingBack?: string; phase?: "reading tables"; expected?: number }, meter: PhaseMeter, now = Date.now()): string {
  const what = p.phase === "reading tables" ? "Read inodes (the tables, before the tree is written)" : "Dumped entries";
  return `${what}: ${counted(p.entries, p.expected, "", meter, p.phase, now)}${p.holdingBack ? ` (${p.holdingBack})` : ""}`;
}

/** "Loaded entries: 78,848 of about 104,173 (35 MiB read) · 62,761 entries/s · 404 ms left". */
export function loadProgressLine(p: { entries: number; bytes: number; expected?: number }, meter: PhaseMeter, now = Date.now()): string {
  return `Loaded entries: ${counted(p.entries, p.expected, ` (${formatBytes(p.bytes)} read)`, meter, undefined, now)}`;
}
