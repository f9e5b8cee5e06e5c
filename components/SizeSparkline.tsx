// Backup sizes over time, oldest left: a drop shows at a glance (csi-driver#1288).
import type { BackupRow } from "../lib/ui/views";
import { formatBytes } from "../lib/jfs/format";

export function SizeSparkline({ backups, width = 260, height = 36 }: { backups: BackupRow[]; width?: number; height?: number }) {
  const pts = backups
    .filter((b) => b.time && b.kind === "auto")
    .map((b) => ({ t: new Date(b.time!).getTime(), s: b.size }))
    .sort((a, b) => a.t - b.t);
  if (pts.length < 2) return null;
  const t0 = pts[0].t;
  const t1 = pts[pts.length - 1].t;
  const max = Math.max(...pts.map((p) => p.s));
  const x = (t: number) => 2 + ((t - t0) / Math.max(1, t1 - t0)) * (width - 4);
  const y = (s: number) => height - 2 - (s / max) * (height - 6);
  const d = pts.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.s).toFixed(1)}`).join(" ");
  const last = pts[pts.length - 1];
  return (
    <svg width={width} height={height} role="img" aria-label="Backup size over time">
      <title>{`backup size over ${Math.round((t1 - t0) / 86_400_000)} days, newest ${formatBytes(last.s)}, largest ${formatBytes(max)}`}</title>
      <path d={d} fill="none" stroke="#0369a1" strokeWidth={1.5} />
      <circle cx={x(last.t)} cy={y(last.s)} r={2.5} fill="#0369a1" />
    </svg>
  );
}
