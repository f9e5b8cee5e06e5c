"use client";
// Backups of a volume: the retention timeline, the table, and a side panel for the selected
// backup with its fate and actions (inspect, download, restore).
import Link from "next/link";
import { useState } from "react";
import type { BackupRow } from "../lib/ui/views";
import { backupFateText, formatUtc } from "../lib/ui/views";
import { formatBytes, formatDuration } from "../lib/jfs/format";
import { FATE_STYLE, RetentionTimeline, fateClass, verifyLabel } from "./RetentionTimeline";
import { VerifyBackup } from "./VerifyBackup";

/** The table's verify cell: ✓ verified, ✗ failed, – never. */
function VerifyMark({ b }: { b: BackupRow }) {
  const state = b.verify?.state ?? "never";
  const cls = state === "ok" ? "text-emerald-700" : state === "failed" ? "font-semibold text-rose-700" : "text-slate-600";
  return (
    <span className={cls} title={verifyLabel(b)} data-testid="backup-verify" data-verify={state}>
      {state === "ok" ? "✓ verified" : state === "failed" ? "✗ failed" : "never verified"}
    </span>
  );
}

/** How the dump was taken, for backups jfsmeta made (clients' backups: unknown). */
function consistencyText(b: BackupRow): string {
  if (b.consistent === null) return "unknown (not made by jfsmeta)";
  return b.consistent ? `consistent, as of ${formatUtc(b.snapshotAt)}` : "not consistent (read while the volume changed)";
}

/** The backup just before `b` in time (what a shrunk backup is diffed against), if any. */
export function predecessorOf(b: BackupRow, backups: BackupRow[]): BackupRow | null {
  if (!b.time) return null;
  let best: BackupRow | null = null;
  for (const x of backups) {
    if (x.time && x.time < b.time && x.kind !== "other" && (!best || x.time > best.time!)) best = x;
  }
  return best;
}

const diffHref = (volumeId: string, a: string, b: string) => `/volumes/${volumeId}/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

export function BackupsPanel({ volumeId, backups, now }: { volumeId: string; backups: BackupRow[]; now: string }) {
  const [selected, setSelected] = useState<string | null>(backups[0]?.key ?? null);
  const nowMs = new Date(now).getTime();
  const sel = backups.find((b) => b.key === selected) ?? null;
  const selPrev = sel ? predecessorOf(sel, backups) : null;
  return (
    <div className="space-y-3">
      <div className="card p-3">
          <h3 className="mb-1 text-sm font-semibold">Retention timeline</h3>
          <p className="mb-2 text-xs text-slate-500">
            Each bar is a backup, placed by age in the windows JuiceFS&apos;s cleanup keeps (oldest per window), coloured by its fate
            if backups go on every interval. Click a bar, or Tab to the bars and move with the arrow keys, for details.
          </p>
          <RetentionTimeline backups={backups} now={now} selected={selected} onSelect={setSelected} />
      </div>
      <div className="grid items-start gap-3 xl:grid-cols-[minmax(0,1fr)_340px]">
        <aside className="card p-3 text-sm xl:order-2" data-testid="backup-detail" aria-label="Selected backup">
          {sel ? (
            <div className="space-y-2">
              <div className="break-all font-mono text-xs">{sel.key}</div>
              <dl className="grid grid-cols-[90px_1fr] gap-x-2 gap-y-1">
                <dt className="text-slate-500">Time</dt>
                <dd>{formatUtc(sel.time)}</dd>
                <dt className="text-slate-500">Age</dt>
                <dd>{sel.time ? formatDuration(nowMs - new Date(sel.time).getTime()) : "–"}</dd>
                <dt className="text-slate-500">Size</dt>
                <dd>{formatBytes(sel.size)}</dd>
                <dt className="text-slate-500">Kind</dt>
                <dd>
                  {sel.kind} · {sel.format}
                </dd>
                <dt className="text-slate-500">Fate</dt>
                <dd>
                  <span className="font-semibold" style={{ color: FATE_STYLE[fateClass(sel, nowMs)].fill }}>
                    {FATE_STYLE[fateClass(sel, nowMs)].label}
                  </span>
                </dd>
                <dt className="text-slate-500">Verify</dt>
                <dd data-testid="detail-verify" className={sel.verify?.state === "failed" ? "text-rose-700" : undefined}>
                  <VerifyMark b={sel} />
                  {sel.verify && <div className="text-xs text-slate-600">{formatUtc(sel.verify.at)} · {sel.verify.detail}</div>}
                </dd>
                <dt className="text-slate-500">Dump</dt>
                <dd data-testid="detail-consistent">{consistencyText(sel)}</dd>
                {sel.inodes != null && (
                  <>
                    <dt className="text-slate-500">Inodes</dt>
                    <dd>{sel.inodes.toLocaleString("en-US")}</dd>
                  </>
                )}
                <dt className="text-slate-500">Why</dt>
                <dd>{sel.reason}</dd>
                <dt className="text-slate-500">Goes</dt>
                <dd>
                  {sel.deleteAt ? (
                    <>
                      ≈ {formatUtc(sel.deleteAt)}
                      <div className="text-xs text-slate-500">{sel.deleteReason}</div>
                    </>
                  ) : sel.fate === "ignored" ? (
                    "never by the automatic cleanup"
                  ) : (
                    "not within the next two years"
                  )}
                </dd>
              </dl>
              <VerifyBackup key={sel.key} volumeId={volumeId} backup={sel.key} encrypted={sel.encrypted} />
              <div className="flex flex-wrap gap-2 pt-1">
                <Link className="btn" href={`/volumes/${volumeId}/inspect?backup=${encodeURIComponent(sel.key)}`}>
                  Inspect
                </Link>
                <a className="btn" href={`/api/volumes/${volumeId}/backups/${encodeURIComponent(sel.key)}`} download>
                  Download
                </a>
                {selPrev && (
                  <Link className="btn" href={diffHref(volumeId, selPrev.key, sel.key)} title={`Diff against ${selPrev.key}, the backup before it`}>
                    {sel.shrank ? "Why did it shrink?" : "Diff with previous"}
                  </Link>
                )}
                <Link className="btn" href={diffHref(volumeId, sel.key, "live")}>
                  Diff with live
                </Link>
                <Link className="btn-primary" href={`/restore?volume=${volumeId}&backup=${encodeURIComponent(sel.key)}`}>
                  Restore…
                </Link>
              </div>
            </div>
          ) : (
            <p className="text-slate-500">Select a backup.</p>
          )}
        </aside>
      <div className="card max-h-[560px] overflow-auto xl:order-1">
        <table className="w-full text-sm" data-testid="backups-table">
          <thead className="sticky top-0 border-b border-slate-200 bg-slate-50">
            <tr>
              <th className="th">Backup</th>
              <th className="th">Time (UTC)</th>
              <th className="th">Age</th>
              <th className="th text-right">Size</th>
              <th className="th">Kind</th>
              <th className="th">Verify</th>
              <th className="th">Retention</th>
              <th className="th">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => {
              const cls = fateClass(b, nowMs);
              return (
                <tr
                  key={b.key}
                  className={`cursor-pointer border-b border-slate-100 ${selected === b.key ? "bg-sky-50" : "hover:bg-slate-50"}`}
                  onClick={() => setSelected(b.key)}
                  data-testid="backup-row"
                >
                  <td className="td whitespace-nowrap font-mono text-xs">
                    {/* The row is clickable for the mouse; this button makes it so for the keyboard and screen readers. */}
                    <button
                      type="button"
                      className="rounded text-left hover:underline"
                      aria-pressed={selected === b.key}
                      onClick={(ev) => {
                        ev.stopPropagation();
                        setSelected(b.key);
                      }}
                      data-testid="backup-select"
                    >
                      {b.key}
                    </button>
                  </td>
                  <td className="td whitespace-nowrap">{formatUtc(b.time)}</td>
                  <td className="td whitespace-nowrap">{b.time ? formatDuration(nowMs - new Date(b.time).getTime()) : "–"}</td>
                  <td className={`td whitespace-nowrap text-right tabular-nums ${b.shrank ? "font-semibold text-rose-700" : ""}`} title={b.shrank ? "much smaller than the backups before it" : undefined}>
                    {b.shrank && "▼ "}
                    {formatBytes(b.size)}
                  </td>
                  <td className="td whitespace-nowrap">
                    {b.kind} · {b.encrypted ? <span className="font-semibold text-violet-700">encrypted</span> : b.format}
                  </td>
                  <td className="td whitespace-nowrap text-xs">
                    <VerifyMark b={b} />
                    {b.consistent && (
                      <span className="ml-1 rounded bg-sky-100 px-1 text-sky-800" title={`consistent dump, every entry as of ${formatUtc(b.snapshotAt)}`} data-testid="backup-consistent">
                        consistent
                      </span>
                    )}
                  </td>
                  <td className="td whitespace-nowrap text-xs">
                    <span aria-hidden className="mr-1 inline-block h-2 w-2 rounded-full" style={{ background: FATE_STYLE[cls].fill }} />
                    {backupFateText(b, nowMs)}
                  </td>
                  <td className="td whitespace-nowrap text-xs">
                    {b.shrank && predecessorOf(b, backups) && (
                      <>
                        <Link
                          className="font-semibold text-rose-700 underline"
                          href={diffHref(volumeId, predecessorOf(b, backups)!.key, b.key)}
                          data-testid="why-shrank"
                        >
                          why did it shrink?
                        </Link>{" "}
                        ·{" "}
                      </>
                    )}
                    <Link className="text-sky-700 underline" aria-label={`inspect ${b.key}`} href={`/volumes/${volumeId}/inspect?backup=${encodeURIComponent(b.key)}`}>
                      inspect
                    </Link>{" "}
                    ·{" "}
                    <a className="text-sky-700 underline" aria-label={`download ${b.key}`} href={`/api/volumes/${volumeId}/backups/${encodeURIComponent(b.key)}`} download>
                      download
                    </a>{" "}
                    ·{" "}
                    <Link className="text-sky-700 underline" aria-label={`restore ${b.key}`} href={`/restore?volume=${volumeId}&backup=${encodeURIComponent(b.key)}`}>
                      restore
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      </div>
    </div>
  );
}
