import Link from "next/link";
import type { Health, HealthLevel } from "../lib/ui/views";
import { formatUtc } from "../lib/ui/views";
import { formatDuration } from "../lib/jfs/format";

const LEVEL: Record<HealthLevel, { cls: string; label: string }> = {
  ok: { cls: "bg-emerald-100 text-emerald-800 border-emerald-300", label: "healthy" },
  warn: { cls: "bg-amber-100 text-amber-900 border-amber-300", label: "attention" },
  critical: { cls: "bg-rose-100 text-rose-800 border-rose-300", label: "at risk" },
  unknown: { cls: "bg-slate-100 text-slate-700 border-slate-300", label: "unknown" },
};

export function HealthBadge({ level }: { level: HealthLevel }) {
  const l = LEVEL[level];
  return <span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-semibold ${l.cls}`}>{l.label}</span>;
}

export function NewestBackup({ health, intervalSeconds }: { health: Health; intervalSeconds: number }) {
  if (health.newestAgeSeconds == null) return <span className="text-slate-500">no backup</span>;
  const ratio = intervalSeconds > 0 ? health.newestAgeSeconds / intervalSeconds : 0;
  const cls = ratio > 3 ? "text-rose-700" : ratio > 1.5 ? "text-amber-700" : "text-emerald-700";
  return (
    <span title={formatUtc(health.newestAt)}>
      <span className={`font-semibold ${cls}`}>{formatDuration(health.newestAgeSeconds * 1000)} ago</span>
      {intervalSeconds > 0 && <span className="text-slate-500"> · expected every {formatDuration(intervalSeconds * 1000)}</span>}
    </span>
  );
}

/** `volumeId` turns a shrunk backup's issue into a link to its diff. */
export function HealthIssues({ health, volumeId }: { health: Health; volumeId?: string }) {
  if (!health.issues.length) return null;
  return (
    <ul className="space-y-2" data-testid="health-issues" aria-label="Backup health issues">
      {health.issues.map((i) => (
        <li
          key={i.code}
          className={`rounded-md border px-3 py-2 ${i.level === "critical" ? "border-rose-300 bg-rose-50 text-rose-900" : "border-amber-300 bg-amber-50 text-amber-900"}`}
        >
          <div className="font-semibold">
            {i.level === "critical" ? "⚠ " : ""}
            {i.title}
          </div>
          <div className="text-sm">{i.detail}</div>
          {i.diff && volumeId && (
            <Link
              className="text-sm font-semibold underline"
              href={`/volumes/${volumeId}/diff?a=${encodeURIComponent(i.diff.a)}&b=${encodeURIComponent(i.diff.b)}`}
              data-testid="health-diff"
            >
              See what it lost: diff against the backup before it
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}
