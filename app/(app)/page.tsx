import Link from "next/link";
import { HealthBadge, HealthIssues, NewestBackup } from "../../components/Health";
import { SizeSparkline } from "../../components/SizeSparkline";
import { requireSession } from "../../lib/server/session";
import { formatBytes } from "../../lib/jfs/format";
import { listVolumes, volumeView } from "../../lib/server/volumes";

export const dynamic = "force-dynamic";
export const metadata = { title: "Volumes" };

export default async function VolumesPage() {
  await requireSession();
  const volumes = await listVolumes();
  const views = await Promise.all(volumes.map((v) => volumeView(v)));
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <div>
          <h1 className="text-xl font-semibold">Volumes</h1>
          <p className="text-sm text-slate-500">Backup health of every JuiceFS volume this dashboard watches.</p>
        </div>
        <Link href="/volumes/new" className="btn-primary">
          + Add volume
        </Link>
      </div>
      {views.length === 0 && (
        <div className="card p-6 text-slate-600">
          No volumes yet. <Link href="/volumes/new" className="text-sky-700 underline">Add one by its META-URL</Link>.
        </div>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        {views.map((v) => (
          <Link key={v.id} href={`/volumes/${v.id}`} className="card block p-4 hover:border-sky-400" data-testid="volume-card">
            <div className="flex items-center gap-2">
              <h2 className="text-lg font-semibold">{v.name}</h2>
              {v.demo && <span className="rounded bg-violet-100 px-1.5 text-xs text-violet-800">demo</span>}
              <HealthBadge level={v.health.level} />
              <span className="ml-auto font-mono text-xs text-slate-600">{v.redactedUrl}</span>
            </div>
            {v.settingError ? (
              <p className="mt-2 text-sm text-rose-700">{v.settingError}</p>
            ) : (
              <dl className="mt-3 grid grid-cols-4 gap-2 text-sm">
                <div>
                  <dt className="label">Storage</dt>
                  <dd className="truncate" title={v.setting?.bucket}>
                    {v.setting?.storage}
                  </dd>
                </div>
                <div>
                  <dt className="label">Used</dt>
                  <dd>{v.usage ? formatBytes(Number(v.usage.usedSpace)) : "–"}</dd>
                </div>
                <div>
                  <dt className="label">Inodes</dt>
                  <dd>{v.usage ? Number(v.usage.usedInodes).toLocaleString("en-US") : "–"}</dd>
                </div>
                <div>
                  <dt className="label">Backups</dt>
                  <dd>{v.backups ? v.backups.length : "–"}</dd>
                </div>
                <div className="col-span-2">
                  <dt className="label">Newest backup (restore point)</dt>
                  <dd>
                    <NewestBackup health={v.health} intervalSeconds={v.intervalSeconds} />
                  </dd>
                </div>
                <div className="col-span-2">
                  <dt className="label">Backup size trend</dt>
                  <dd>{v.backups && <SizeSparkline backups={v.backups} />}</dd>
                </div>
              </dl>
            )}
            {!v.settingError && (
              <p className="mt-2 text-xs text-slate-600">
                {v.setting?.encrypted ? "encrypted volume · " : ""}trash {v.setting?.trashDays} d · {v.engine} · bucket{" "}
                <span className="font-mono">{v.setting?.bucket}</span>
              </p>
            )}
            <div className="mt-3">
              <HealthIssues health={v.health} />
            </div>
          </Link>
        ))}
      </div>
    </div>
  );
}
