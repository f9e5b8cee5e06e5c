// How jfsmeta writes sizes, durations and validation failures for people: one set of rules
// for the CLI, the dashboard and the inspector. Pure and browser-safe (no Node APIs).
import type { z } from "zod";

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/**
 * A byte count in binary units, three significant digits at most: 1023 → "1023 B",
 * 1536 → "1.5 KiB", 104857600 → "100 MiB". Not a finite number → "–".
 */
export function formatBytes(bytes: number | bigint): string {
  if (typeof bytes === "number" && !Number.isFinite(bytes)) return "–";
  if (bytes < 1024 && bytes > -1024) return `${bytes} B`;
  let v = Number(bytes);
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, "");
  return `${text} ${BYTE_UNITS[u]}`;
}

/**
 * A duration (ms) as a short age or interval: "45s", "20m", "1h", "1.5h", "36h", "3d",
 * "12d". Seconds up to 90 s, minutes up to 90 min (whole hours excepted), hours up to two
 * days, then days; one decimal below 10 units, a trailing ".0" dropped. Negative → "0s".
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400 && s % 3600 !== 0) return `${Math.round(s / 60)}m`;
  // Number(...) drops a trailing ".0": "1h", "1.5h", "3d".
  if (s < 48 * 3600) return `${Number((s / 3600).toFixed(s < 36000 ? 1 : 0))}h`;
  return `${Number((s / 86400).toFixed(s < 864000 ? 1 : 0))}d`;
}

/** A zod failure in one line: `path: message` per issue (message alone at the root), "; "-joined. */
export function formatIssues(error: Pick<z.ZodError, "issues">, labels: Readonly<Record<string, string>> = {}): string {
  return error.issues
    .map((i) => {
      if (!i.path.length) return i.message;
      const key = i.path.map(String).join(".");
      // A form names its fields as the person sees them, not by their member names.
      return `${labels[key] ?? key}: ${i.message}`;
    })
    .join("; ");
}
