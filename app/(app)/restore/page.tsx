import { mkdirSync } from "node:fs";
import { RestoreWizard, type RestoreVolumeOption } from "../../../components/RestoreWizard";
import { dataPath } from "../../../lib/server/config";
import { requireSession } from "../../../lib/server/session";
import { backupStamp } from "../../../lib/storage/retention";
import { listVolumes, volumeView } from "../../../lib/server/volumes";
import { backupOptionLabel } from "../../../lib/ui/views";

export const dynamic = "force-dynamic";
export const metadata = { title: "Restore" };

export default async function RestorePage({ searchParams }: { searchParams: Promise<{ volume?: string; backup?: string }> }) {
  await requireSession();
  const sp = await searchParams;
  const volumes = await listVolumes();
  const views = await Promise.all(volumes.map((v) => volumeView(v)));
  const options: RestoreVolumeOption[] = views.map((v) => ({
    id: v.id,
    name: v.name,
    encrypted: v.setting?.encrypted ?? false,
    backups: (v.backups ?? []).map((b) => ({
      key: b.key,
      time: b.time,
      size: b.size,
      encrypted: b.encrypted,
      label: backupOptionLabel(b, new Date(v.now).getTime()),
    })),
  }));
  const restoresDir = dataPath("restores");
  mkdirSync(restoresDir, { recursive: true });
  const when = backupStamp(new Date());
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Restore a backup</h1>
      <p className="max-w-3xl text-sm text-slate-500">
        Loads a backup into an <b>empty</b> metadata database, like <code>juicefs load</code>. Nothing existing is ever overwritten: a
        non-empty target is refused, and a failed or cancelled restore leaves the target empty again.
      </p>
      <RestoreWizard
        volumes={options}
        initialVolume={sp.volume ?? options[0]?.id ?? null}
        initialBackup={sp.backup ?? null}
        sqliteTemplate={`sqlite3://${restoresDir}/{volume}-${when}.db`}
      />
    </div>
  );
}
