import Link from "next/link";
import { notFound } from "next/navigation";
import { BackupNow } from "../../../../components/BackupNow";
import { ConfirmSubmit } from "../../../../components/ConfirmSubmit";
import { BackupsPanel } from "../../../../components/BackupsPanel";
import { DumpForm } from "../../../../components/DumpForm";
import { HealthBadge, HealthIssues, NewestBackup } from "../../../../components/Health";
import { VolumeSettingsForm } from "../../../../components/VolumeSettingsForm";
import { BackupPolicyForm } from "../../../../components/BackupPolicyForm";
import { getBackupPolicy } from "../../../../lib/server/records";
import { requireSession } from "../../../../lib/server/session";
import { formatBytes, formatDuration } from "../../../../lib/jfs/format";
import { getVolume, volumeView } from "../../../../lib/server/volumes";
import { removeVolumeAction } from "../../../../lib/server/actions/volumes";

export const dynamic = "force-dynamic";
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `${decodeURIComponent(id)} · volume` };
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="label">{label}</dt>
      <dd className="break-all">{children}</dd>
    </div>
  );
}

export default async function VolumePage({ params }: { params: Promise<{ id: string }> }) {
  await requireSession();
  const { id } = await params;
  const rec = await getVolume(id);
  if (!rec) notFound();
  const v = await volumeView(rec);
  const policy = await getBackupPolicy(rec.id);
  const s = v.setting;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{v.name}</h1>
        <HealthBadge level={v.health.level} />
        {v.demo && <span className="rounded bg-violet-100 px-1.5 text-xs text-violet-800">demo</span>}
        <span className="font-mono text-xs text-slate-500">{v.redactedUrl}</span>
        <div className="ml-auto flex gap-2">
          <Link className="btn" href={`/volumes/${v.id}/inspect`}>
            Inspect live tree
          </Link>
          <Link className="btn" href={`/restore?volume=${v.id}`}>
            Restore…
          </Link>
          <form action={removeVolumeAction}>
            <input type="hidden" name="id" value={v.id} />
            <ConfirmSubmit
              className="btn text-rose-700"
              title="Forget this volume (nothing is deleted in the volume or its bucket)"
              message={`Stop watching ${v.name}? Its metadata and backups are not touched.`}
            >
              Remove
            </ConfirmSubmit>
          </form>
        </div>
      </div>
      <HealthIssues health={v.health} volumeId={v.id} />
      <div className="grid gap-4 lg:grid-cols-3">
        <section className="card p-4 lg:col-span-2">
          <h2 className="mb-3 text-sm font-semibold">Setting</h2>
          {v.settingError ? (
            <p className="text-rose-700">{v.settingError}</p>
          ) : (
            s && (
              <dl className="grid grid-cols-3 gap-3 text-sm" data-testid="setting">
                <Field label="Name">{s.name}</Field>
                <Field label="UUID">
                  <span className="font-mono text-xs">{s.uuid}</span>
                </Field>
                <Field label="Engine">{v.engine}</Field>
                <Field label="Storage">{s.storage}</Field>
                <Field label="Bucket">
                  <span className="font-mono text-xs">{s.bucket}</span>
                </Field>
                <Field label="Trash days">{s.trashDays}</Field>
                <Field label="Block size">{s.blockSizeKiB} KiB</Field>
                <Field label="Compression">{s.compression}</Field>
                <Field label="Encryption">{s.encrypted ? `yes (${s.encryptAlgo})` : "no"}</Field>
                <Field label="Secret key">
                  {s.secretRemoved ? (
                    <span className="font-semibold text-rose-700">removed — set it before mounting</span>
                  ) : s.hasSecretKey ? (
                    "set (hidden)"
                  ) : (
                    "none"
                  )}
                </Field>
                <Field label="ACL">{s.enableACL ? "enabled" : "off"}</Field>
                <Field label="Meta version">{s.metaVersion}</Field>
              </dl>
            )
          )}
        </section>
        <section className="card p-4">
          <h2 className="mb-3 text-sm font-semibold">Usage & backups</h2>
          <dl className="grid grid-cols-2 gap-3 text-sm">
            <Field label="Used space">{v.usage ? formatBytes(Number(v.usage.usedSpace)) : "–"}</Field>
            <Field label="Inodes">{v.usage ? Number(v.usage.usedInodes).toLocaleString("en-US") : "–"}</Field>
            <Field label="Backup interval">{formatDuration(v.intervalSeconds * 1000)}</Field>
            <Field label="Backups">{v.backups?.length ?? "–"}</Field>
            <div className="col-span-2">
              <dt className="label">Newest backup</dt>
              <dd>
                <NewestBackup health={v.health} intervalSeconds={v.intervalSeconds} />
              </dd>
            </div>
            <div className="col-span-2">
              <dt className="label">Location</dt>
              <dd className="break-all font-mono text-xs">{v.backupLocation ?? "–"}</dd>
            </div>
          </dl>
        </section>
      </div>
      <section className="space-y-2">
        <div className="flex items-start justify-between gap-4">
          <h2 className="text-lg font-semibold">Backups</h2>
          <BackupNow volumeId={v.id} />
        </div>
        {v.backupsError && <p className="text-rose-700">{v.backupsError}</p>}
        {v.backups && v.backups.length > 0 && <BackupsPanel volumeId={v.id} backups={v.backups} now={v.now} />}
        {v.backups && v.backups.length === 0 && <p className="card p-4 text-slate-600">No objects in meta/ yet.</p>}
      </section>
      <BackupPolicyForm volumeId={v.id} policy={policy} />
      <VolumeSettingsForm
        volumeId={v.id}
        interval={formatDuration(v.intervalSeconds * 1000)}
        storage={{ bucket: rec.storage.bucket, endpoint: rec.storage.endpoint, accessKey: rec.storage.accessKey, hasSecretKey: !!rec.storage.secretKey }}
      />
      <section className="card p-4">
        <h2 className="mb-2 text-lg font-semibold">Dump</h2>
        <p className="mb-3 text-sm text-slate-500">
          Same bytes as <code>jfsmeta dump</code> / <code>juicefs dump</code> with these options.
        </p>
        <DumpForm volumeId={v.id} />
      </section>
    </div>
  );
}
