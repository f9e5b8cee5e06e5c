"use client";
// The retention timeline: every backup on an age axis that is piecewise linear per JuiceFS
// retention band (≤2 days, daily, weekly, 30-day, past 2 years), so hourly backups and
// year-old ones are both readable. Bar height = size, colour = fate under the policy.
import { useMemo, useState } from "react";
import type { BackupRow } from "../lib/ui/views";
import { formatUtc } from "../lib/ui/views";
import { formatBytes, formatDuration } from "../lib/jfs/format";
import { DAILY_UNTIL_DAYS, MAX_AGE_DAYS, MAX_AGE_YEARS, RECENT_DAYS, WEEKLY_UNTIL_DAYS, windowEdges } from "../lib/storage/retention-windows";

const DAY = 86_400_000;
/** Band edges in days (JuiceFS's retention windows) and the share of the width each band gets. */
const BANDS = [
  { from: 0, to: RECENT_DAYS, share: 0.3, label: `≤ ${RECENT_DAYS} days: all kept` },
  { from: RECENT_DAYS, to: DAILY_UNTIL_DAYS, share: 0.24, label: `${RECENT_DAYS}–${DAILY_UNTIL_DAYS} d: oldest per day` },
  { from: DAILY_UNTIL_DAYS, to: WEEKLY_UNTIL_DAYS, share: 0.2, label: `${DAILY_UNTIL_DAYS}–${WEEKLY_UNTIL_DAYS} d: oldest per week` },
  { from: WEEKLY_UNTIL_DAYS, to: MAX_AGE_DAYS, share: 0.2, label: `${WEEKLY_UNTIL_DAYS} d–${MAX_AGE_YEARS} y: oldest per 30 days` },
  { from: MAX_AGE_DAYS, to: 1100, share: 0.06, label: `> ${MAX_AGE_YEARS} y: deleted` },
];
const W = 1100;
const H = 190;
const PAD_L = 8;
const PAD_R = 8;
const PLOT_TOP = 26;
const PLOT_BOTTOM = 150;

/** x for an age in days; age 0 (now) on the right. */
function xOfAge(days: number): number {
  const inner = W - PAD_L - PAD_R;
  let offset = 0;
  for (const b of BANDS) {
    if (days <= b.to || b === BANDS[BANDS.length - 1]) {
      const t = Math.min(1, Math.max(0, (days - b.from) / (b.to - b.from)));
      return W - PAD_R - (offset + t * b.share) * inner;
    }
    offset += b.share;
  }
  return PAD_L;
}

export type FateClass = "keep" | "expires" | "next" | "ignored";

export function fateClass(b: BackupRow, nowMs: number): FateClass {
  if (b.fate === "ignored") return "ignored";
  if (b.fate === "deleted") return "next";
  if (b.deleteAt && new Date(b.deleteAt).getTime() - nowMs < 7 * DAY) return "expires";
  return "keep";
}

export const FATE_STYLE: Record<FateClass, { fill: string; label: string }> = {
  keep: { fill: "#059669", label: "kept (long term)" },
  expires: { fill: "#d97706", label: "deleted within 7 days" },
  next: { fill: "#dc2626", label: "deleted by the next cleanup" },
  ignored: { fill: "#64748b", label: "not a backup name: never rotated" },
};

/** "verified 2026-12-06 08:00 UTC", "failed verify: …", "never verified". */
export function verifyLabel(b: Pick<BackupRow, "verify">): string {
  if (!b.verify) return "never verified";
  return b.verify.state === "ok" ? `verified ${formatUtc(b.verify.at)}` : `failed verify ${formatUtc(b.verify.at)}: ${b.verify.detail}`;
}

export function RetentionTimeline({
  backups,
  now,
  selected,
  onSelect,
}: {
  backups: BackupRow[];
  now: string;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const nowMs = new Date(now).getTime();
  const [hover, setHover] = useState<string | null>(null);
  const maxSize = useMemo(() => Math.max(1, ...backups.map((b) => b.size)), [backups]);
  const bars = backups
    .filter((b) => b.time)
    .map((b) => {
      const ageDays = (nowMs - new Date(b.time!).getTime()) / DAY;
      const h = 6 + ((PLOT_BOTTOM - PLOT_TOP - 6) * b.size) / maxSize;
      return { b, x: xOfAge(ageDays), h, cls: fateClass(b, nowMs), ageDays };
    });
  // Window edges JuiceFS rolls from `now`: daily to 14 d, weekly to 63 d, then every 30 d.
  const edges = windowEdges(MAX_AGE_DAYS);
  const bandRects = BANDS.map((b, i) => ({ ...b, x1: xOfAge(b.to), x2: xOfAge(b.from), i }));
  const hovered = bars.find((x) => x.b.key === hover);
  const ticks = [0, 1, RECENT_DAYS, 7, DAILY_UNTIL_DAYS, 30, WEEKLY_UNTIL_DAYS, 180, 365, MAX_AGE_DAYS];
  return (
    <div className="relative" data-testid="retention-timeline">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full select-none" role="img" aria-label="Retention timeline of the backups">
        {bandRects.map((r) => (
          <g key={r.label}>
            <rect x={r.x1} y={PLOT_TOP - 4} width={r.x2 - r.x1} height={PLOT_BOTTOM - PLOT_TOP + 4} fill={r.i % 2 ? "#f1f5f9" : "#f8fafc"} />
            <text x={(r.x1 + r.x2) / 2} y={14} textAnchor="middle" fontSize={11} fill="#475569">
              {r.label}
            </text>
          </g>
        ))}
        {edges.map((d) => (
          <line key={d} x1={xOfAge(d)} x2={xOfAge(d)} y1={PLOT_TOP} y2={PLOT_BOTTOM} stroke="#cbd5e1" strokeDasharray="2 3" />
        ))}
        <line x1={PAD_L} x2={W - PAD_R} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM} stroke="#94a3b8" />
        {ticks.map((d) => (
          <g key={d}>
            <line x1={xOfAge(d)} x2={xOfAge(d)} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM + 4} stroke="#64748b" />
            <text x={xOfAge(d)} y={PLOT_BOTTOM + 16} textAnchor="middle" fontSize={10} fill="#475569">
              {d === 0 ? "now" : d < 365 ? `${d}d` : `${(d / 365).toFixed(0)}y`}
            </text>
          </g>
        ))}
        <text x={W - PAD_R} y={H - 4} textAnchor="end" fontSize={10} fill="#64748b">
          age → older to the left · bar height = size · {formatUtc(now)}
        </text>
        {bars.map(({ b, x, h, cls }) => (
          <rect
            key={b.key}
            data-testid="timeline-bar"
            data-key={b.key}
            data-fate={cls}
            x={x - 2.5}
            y={PLOT_BOTTOM - h}
            width={5}
            height={h}
            rx={1}
            fill={FATE_STYLE[cls].fill}
            stroke={selected === b.key ? "#0f172a" : hover === b.key ? "#334155" : "none"}
            strokeWidth={selected === b.key ? 2 : 1}
            opacity={b.kind === "auto" ? 1 : 0.6}
            className="cursor-pointer"
            onMouseEnter={() => setHover(b.key)}
            onMouseLeave={() => setHover((k) => (k === b.key ? null : k))}
            onClick={() => onSelect(b.key)}
          >
            <title>{`${b.key}\n${formatBytes(b.size)} · ${b.reason}${b.deleteAt ? `\nwill be deleted ≈ ${formatUtc(b.deleteAt)}` : ""}`}</title>
          </rect>
        ))}
        {bars
          .filter(({ b }) => b.shrank)
          .map(({ b, x, h }) => (
            <path key={`shrank-${b.key}`} data-testid="timeline-shrank" d={`M${x - 5},${PLOT_BOTTOM - h - 11} h10 l-5,8 z`} fill="#dc2626">
              <title>{`${b.key} is much smaller than the backups before it: lost metadata?`}</title>
            </path>
          ))}
        {bars.map(({ b, x }) => (
          <circle
            key={`verify-${b.key}`}
            data-testid="timeline-verify"
            data-key={b.key}
            data-verify={b.verify?.state ?? "never"}
            cx={x}
            cy={PLOT_BOTTOM + 6}
            r={2.5}
            fill={b.verify?.state === "ok" ? "#059669" : b.verify?.state === "failed" ? "#dc2626" : "none"}
            stroke={b.verify ? "none" : "#94a3b8"}
            strokeWidth={1}
          >
            <title>{`${b.key}: ${verifyLabel(b)}`}</title>
          </circle>
        ))}
      </svg>
      {hovered && (
        <div
          className="pointer-events-none absolute z-10 max-w-sm rounded-md border border-slate-300 bg-white px-2 py-1 text-xs shadow"
          style={{ left: `${Math.min(75, (hovered.x / W) * 100)}%`, top: 4 }}
        >
          <div className="font-mono">{hovered.b.key}</div>
          <div>
            {formatUtc(hovered.b.time)} · {formatDuration(hovered.ageDays * DAY)} ago · {formatBytes(hovered.b.size)}
          </div>
          <div className="text-slate-600">{hovered.b.reason}</div>
          {hovered.b.deleteAt && <div className="text-amber-700">deleted ≈ {formatUtc(hovered.b.deleteAt)}</div>}
          <div className={hovered.b.verify?.state === "failed" ? "text-rose-700" : "text-slate-600"}>{verifyLabel(hovered.b)}</div>
        </div>
      )}
      <div className="mt-1 flex flex-wrap gap-4 text-xs text-slate-600">
        {(Object.keys(FATE_STYLE) as FateClass[]).map((k) => (
          <span key={k} className="inline-flex items-center gap-1">
            <span className="inline-block h-3 w-3 rounded-sm" style={{ background: FATE_STYLE[k].fill }} /> {FATE_STYLE[k].label}
          </span>
        ))}
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-3 w-3 rounded-sm bg-slate-400 opacity-60" /> faded = manual dump
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="text-rose-600">▼</span> shrank to under half of the backups before it
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-2 w-2 rounded-full bg-emerald-600" /> verified
          <span className="ml-2 inline-block h-2 w-2 rounded-full bg-rose-600" /> failed verify
          <span className="ml-2 inline-block h-2 w-2 rounded-full border border-slate-400" /> never verified
        </span>
      </div>
    </div>
  );
}
