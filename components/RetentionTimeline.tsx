"use client";
// The retention timeline: every backup on an age axis that is piecewise linear per JuiceFS
// retention band (≤2 days, daily, weekly, 30-day, past 2 years), so hourly backups and
// year-old ones are both readable. Bar height = size, colour = fate under the policy.
// Drawn at the width it is shown (1 SVG unit = 1 CSS pixel), so its text stays readable on a
// phone; labels that do not fit shorten or move to the legend under it. From the keyboard the
// bars are a listbox: Tab reaches the selected one, arrows move to older/newer backups.
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import type { BackupRow } from "../lib/ui/views";
import { backupFateText, formatUtc } from "../lib/ui/views";
import { formatBytes, formatDuration } from "../lib/jfs/format";
import { DAILY_UNTIL_DAYS, MAX_AGE_DAYS, MAX_AGE_YEARS, RECENT_DAYS, WEEKLY_UNTIL_DAYS, windowEdges } from "../lib/storage/retention-windows";

const DAY = 86_400_000;
/** Band edges in days (JuiceFS's retention windows), the share of the width each band gets, and a label for narrow widths. */
const BANDS = [
  { from: 0, to: RECENT_DAYS, share: 0.3, label: `≤ ${RECENT_DAYS} days: all kept`, short: "all kept" },
  { from: RECENT_DAYS, to: DAILY_UNTIL_DAYS, share: 0.24, label: `${RECENT_DAYS}–${DAILY_UNTIL_DAYS} d: oldest per day`, short: "daily" },
  { from: DAILY_UNTIL_DAYS, to: WEEKLY_UNTIL_DAYS, share: 0.2, label: `${DAILY_UNTIL_DAYS}–${WEEKLY_UNTIL_DAYS} d: oldest per week`, short: "weekly" },
  { from: WEEKLY_UNTIL_DAYS, to: MAX_AGE_DAYS, share: 0.2, label: `${WEEKLY_UNTIL_DAYS} d–${MAX_AGE_YEARS} y: oldest per 30 days`, short: "30-day" },
  { from: MAX_AGE_DAYS, to: 1100, share: 0.06, label: `> ${MAX_AGE_YEARS} y: deleted`, short: "gone" },
];
/** The width drawn before the browser measures the real one (server render). */
const DEFAULT_W = 1100;
const MIN_W = 280;
const H = 182;
const PAD_L = 8;
const PAD_R = 8;
const PLOT_TOP = 26;
const PLOT_BOTTOM = 150;
/** Average advance of a character at 11px in the UI font, to decide whether a label fits. */
const CHAR_PX = 6.2;
const TICKS = [0, 1, RECENT_DAYS, 7, DAILY_UNTIL_DAYS, 30, WEEKLY_UNTIL_DAYS, 180, 365, MAX_AGE_DAYS];

/** x for an age in days in a drawing `w` wide; age 0 (now) on the right. */
function xOfAge(days: number, w: number): number {
  const inner = w - PAD_L - PAD_R;
  let offset = 0;
  for (const b of BANDS) {
    if (days <= b.to || b === BANDS[BANDS.length - 1]) {
      const t = Math.min(1, Math.max(0, (days - b.from) / (b.to - b.from)));
      return w - PAD_R - (offset + t * b.share) * inner;
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

/** Fills that are also text colours: each has ≥ 4.5:1 against white and ≥ 3:1 against the bands (WCAG 1.4.3, 1.4.11). */
export const FATE_STYLE: Record<FateClass, { fill: string; label: string }> = {
  keep: { fill: "#047857", label: "kept (long term)" },
  expires: { fill: "#b45309", label: "deleted within 7 days" },
  next: { fill: "#b91c1c", label: "deleted by the next cleanup" },
  ignored: { fill: "#64748b", label: "not a backup name: never rotated" },
};

/** "verified 2026-12-06 08:00 UTC", "failed verify: …", "never verified". */
export function verifyLabel(b: Pick<BackupRow, "verify">): string {
  if (!b.verify) return "never verified";
  return b.verify.state === "ok" ? `verified ${formatUtc(b.verify.at)}` : `failed verify ${formatUtc(b.verify.at)}: ${b.verify.detail}`;
}

/** The width of the element, measured (and followed) in the browser. */
function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(DEFAULT_W);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(MIN_W, Math.round(el.getBoundingClientRect().width)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
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
  const [boxRef, W] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const [tipHidden, setTipHidden] = useState(false);
  const barRefs = useRef(new Map<string, SVGRectElement>());
  const maxSize = useMemo(() => Math.max(1, ...backups.map((b) => b.size)), [backups]);
  // Oldest first: the order the bars stand in from left to right, and the keyboard's order.
  const bars = backups
    .filter((b) => b.time)
    .map((b) => {
      const ageDays = (nowMs - new Date(b.time!).getTime()) / DAY;
      const h = 6 + ((PLOT_BOTTOM - PLOT_TOP - 6) * b.size) / maxSize;
      return { b, x: xOfAge(ageDays, W), h, cls: fateClass(b, nowMs), ageDays };
    })
    .sort((a, b) => b.ageDays - a.ageDays);
  // Window edges JuiceFS rolls from `now`: daily to 14 d, weekly to 63 d, then every 30 d.
  const edges = windowEdges(MAX_AGE_DAYS);
  const bandRects = BANDS.map((b, i) => {
    const x1 = xOfAge(b.to, W);
    const x2 = xOfAge(b.from, W);
    const room = x2 - x1 - 4;
    const text = b.label.length * CHAR_PX <= room ? b.label : b.short.length * CHAR_PX <= room ? b.short : "";
    return { ...b, x1, x2, i, text };
  });
  const shortened = bandRects.some((r) => r.text !== r.label);
  // Tick labels that would touch the one before them (narrow widths) are left out.
  const ticks: { d: number; x: number; text: string }[] = [];
  for (const d of TICKS) {
    const text = d === 0 ? "now" : d < 365 ? `${d}d` : `${(d / 365).toFixed(0)}y`;
    const x = xOfAge(d, W);
    const prev = ticks[ticks.length - 1];
    if (!prev || prev.x - x >= (prev.text.length + text.length) * 3.2 + 6) ticks.push({ d, x, text });
  }
  // Bars thin out on narrow screens so hourly backups stay apart.
  const barW = Math.max(2, Math.min(5, W / 220));
  const activeKey = bars.some((x) => x.b.key === selected) ? selected : (bars[bars.length - 1]?.b.key ?? null);
  const ringed = bars.find((x) => x.b.key === (focused ?? hover));
  const shown = tipHidden ? undefined : bars.find((x) => x.b.key === (hover ?? focused));
  const move = (ev: React.KeyboardEvent, index: number) => {
    const step: Record<string, number> = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1, PageUp: -10, PageDown: 10 };
    let next: number | null = null;
    if (ev.key in step) next = Math.min(bars.length - 1, Math.max(0, index + step[ev.key]));
    else if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = bars.length - 1;
    else if (ev.key === "Enter" || ev.key === " ") next = index;
    // The details box can be dismissed without moving focus (WCAG 1.4.13).
    else if (ev.key === "Escape") setTipHidden(true);
    if (next === null) return;
    setTipHidden(false);
    ev.preventDefault();
    const key = bars[next].b.key;
    onSelect(key);
    barRefs.current.get(key)?.focus();
  };
  const label = (b: BackupRow, ageDays: number) =>
    `${b.key}, ${formatDuration(ageDays * DAY)} old, ${formatBytes(b.size)}, ${backupFateText(b)}${b.kind === "auto" ? "" : `, ${b.kind} dump`}${b.shrank ? ", shrank sharply" : ""}, ${verifyLabel(b)}`;
  return (
    <div ref={boxRef} className="relative" data-testid="retention-timeline">
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} className="block max-w-full select-none" aria-labelledby="timeline-caption">
        {bandRects.map((r) => (
          <g key={r.label} aria-hidden>
            <rect x={r.x1} y={PLOT_TOP - 4} width={r.x2 - r.x1} height={PLOT_BOTTOM - PLOT_TOP + 4} fill={r.i % 2 ? "#f1f5f9" : "#f8fafc"} />
            {r.text && (
              <text x={(r.x1 + r.x2) / 2} y={14} textAnchor="middle" fontSize={11} fill="#475569" data-testid="timeline-band-label">
                {r.text}
              </text>
            )}
          </g>
        ))}
        <g aria-hidden>
          {edges.map((d) => (
            <line key={d} x1={xOfAge(d, W)} x2={xOfAge(d, W)} y1={PLOT_TOP} y2={PLOT_BOTTOM} stroke="#cbd5e1" strokeDasharray="2 3" />
          ))}
          <line x1={PAD_L} x2={W - PAD_R} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM} stroke="#94a3b8" />
          {ticks.map(({ d, x, text }) => (
            <g key={d}>
              <line x1={x} x2={x} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM + 4} stroke="#64748b" />
              <text x={x} y={PLOT_BOTTOM + 22} textAnchor="middle" fontSize={10} fill="#475569" data-testid="timeline-tick">
                {text}
              </text>
            </g>
          ))}
        </g>
        <g aria-hidden>
          {bars.map(({ b, x }) => (
            <circle
              key={`verify-${b.key}`}
              data-testid="timeline-verify"
              data-key={b.key}
              data-verify={b.verify?.state ?? "never"}
              cx={x}
              cy={PLOT_BOTTOM + 6}
              r={Math.min(2.5, barW / 2 + 0.3)}
              fill={b.verify?.state === "ok" ? "#059669" : b.verify?.state === "failed" ? "#dc2626" : "none"}
              stroke={b.verify ? "none" : "#64748b"}
              strokeWidth={1}
            >
              <title>{`${b.key}: ${verifyLabel(b)}`}</title>
            </circle>
          ))}
        </g>
        {ringed && (
          <rect aria-hidden x={ringed.x - 5} y={PLOT_TOP - 2} width={10} height={PLOT_BOTTOM - PLOT_TOP + 2} fill="none" stroke="#0369a1" strokeWidth={focused ? 2 : 1} rx={2} />
        )}
        <g role="listbox" aria-label="Backups by age, oldest first" aria-orientation="horizontal">
          {bars.map(({ b, x, h, cls, ageDays }, i) => (
            <rect
              key={b.key}
              ref={(el) => {
                if (el) barRefs.current.set(b.key, el);
                else barRefs.current.delete(b.key);
              }}
              role="option"
              aria-selected={selected === b.key}
              aria-label={label(b, ageDays)}
              tabIndex={b.key === activeKey ? 0 : -1}
              data-testid="timeline-bar"
              data-key={b.key}
              data-fate={cls}
              x={x - barW / 2}
              y={PLOT_BOTTOM - h}
              width={barW}
              height={h}
              rx={1}
              // Manual dumps are outlined (a lighter fill would lose the 3:1 contrast of a graphic).
              fill={b.kind === "auto" ? FATE_STYLE[cls].fill : "#ffffff"}
              stroke={selected === b.key ? "#0f172a" : b.kind === "auto" ? (hover === b.key ? "#334155" : "none") : FATE_STYLE[cls].fill}
              strokeWidth={selected === b.key ? 2 : 1.5}
              className="cursor-pointer outline-none"
              onMouseEnter={() => {
                setHover(b.key);
                setTipHidden(false);
              }}
              onMouseLeave={() => setHover((k) => (k === b.key ? null : k))}
              onFocus={() => setFocused(b.key)}
              onBlur={() => setFocused((k) => (k === b.key ? null : k))}
              onClick={() => onSelect(b.key)}
              onKeyDown={(ev) => move(ev, i)}
            >
              <title>{`${b.key}\n${formatBytes(b.size)} · ${b.reason}${b.deleteAt ? `\nwill be deleted ≈ ${formatUtc(b.deleteAt)}` : ""}`}</title>
            </rect>
          ))}
        </g>
        {bars
          .filter(({ b }) => b.shrank)
          .map(({ b, x, h }) => (
            <path key={`shrank-${b.key}`} aria-hidden data-testid="timeline-shrank" d={`M${x - 5},${PLOT_BOTTOM - h - 11} h10 l-5,8 z`} fill="#b91c1c">
              <title>{`${b.key} is much smaller than the backups before it: lost metadata?`}</title>
            </path>
          ))}
      </svg>
      {shown && (
        <div
          className="pointer-events-none absolute z-10 max-w-sm rounded-md border border-slate-300 bg-white px-2 py-1 text-xs shadow"
          style={{ left: `${Math.min(60, (shown.x / W) * 100)}%`, top: 4 }}
          data-testid="timeline-tooltip"
          aria-hidden
        >
          <div className="font-mono">{shown.b.key}</div>
          <div>
            {formatUtc(shown.b.time)} · {formatDuration(shown.ageDays * DAY)} ago · {formatBytes(shown.b.size)}
          </div>
          <div className="text-slate-600">{shown.b.reason}</div>
          <div className={shown.b.verify?.state === "failed" ? "text-rose-700" : "text-slate-600"}>{verifyLabel(shown.b)}</div>
          {shown.b.deleteAt && <div className="text-amber-800">deleted ≈ {formatUtc(shown.b.deleteAt)}</div>}
        </div>
      )}
      <p id="timeline-caption" className="mt-1 text-xs text-slate-600">
        Retention timeline: age, older to the left · bar height = size · as of {formatUtc(now)}
      </p>
      {shortened && (
        <ol className="mt-1 grid gap-x-4 text-xs text-slate-600 sm:grid-cols-2" aria-label="Retention bands, newest first" data-testid="timeline-bands">
          {BANDS.map((b) => (
            <li key={b.label}>
              <b>{b.short}</b>: {b.label}
            </li>
          ))}
        </ol>
      )}
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        {(Object.keys(FATE_STYLE) as FateClass[]).map((k) => (
          <span key={k} className="inline-flex items-center gap-1">
            <span className="inline-block h-3 w-3 rounded-sm" style={{ background: FATE_STYLE[k].fill }} /> {FATE_STYLE[k].label}
          </span>
        ))}
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-3 w-3 rounded-sm border-2 border-slate-500 bg-white" /> outlined = manual dump
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="text-rose-700">▼</span> shrank to under half of the backups before it
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-2 w-2 rounded-full bg-emerald-600" /> verified
          <span className="ml-2 inline-block h-2 w-2 rounded-full bg-rose-600" /> failed verify
          <span className="ml-2 inline-block h-2 w-2 rounded-full border border-slate-500" /> never verified
        </span>
      </div>
    </div>
  );
}
