import Link from "next/link";
import { notFound } from "next/navigation";
import { FindPanel } from "../../../../../components/FindPanel";
import { IndexGate } from "../../../../../components/IndexGate";
import { TreeInspector } from "../../../../../components/TreeInspector";
import { requireSession } from "../../../../../lib/server/session";
import { backupIndexed } from "../../../../../lib/server/tasks";
import { getVolume } from "../../../../../lib/server/volumes";

export const dynamic = "force-dynamic";
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `Inspect ${decodeURIComponent(id)}` };
}

export default async function InspectPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ backup?: string }> }) {
  await requireSession();
  const { id } = await params;
  const { backup } = await searchParams;
  const v = await getVolume(id);
  if (!v) notFound();
  const indexed = backup ? backupIndexed(v, backup) : true;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">
          Inspect <Link href={`/volumes/${v.id}`} className="text-sky-700 underline">{v.name}</Link>
        </h1>
        <span className="rounded bg-slate-100 px-2 py-0.5 text-sm" data-testid="inspect-source">
          {backup ? (
            <>
              backup <span className="font-mono">{backup}</span>
            </>
          ) : (
            "live metadata engine"
          )}
        </span>
        {backup && (
          <Link className="text-sm text-sky-700 underline" href={`/volumes/${v.id}/inspect`}>
            switch to the live engine
          </Link>
        )}
        {backup && (
          <Link className="text-sm text-sky-700 hover:underline" href={`/volumes/${v.id}/diff?a=${encodeURIComponent(backup)}&b=live`}>
            diff with the live engine
          </Link>
        )}
      </div>
      <p className="text-sm text-slate-500">
        Double-click or “open ›” enters a directory; click selects an entry. Names are shown decoded; tick “raw %XX form” for the bytes
        exactly as a dump writes them.
      </p>
      {backup && !indexed ? (
        <IndexGate volumeId={v.id} backup={backup} />
      ) : (
        <>
          <FindPanel volumeId={v.id} backup={backup ?? null} />
          <TreeInspector volumeId={v.id} backup={backup ?? null} volumeName={v.name} />
        </>
      )}
    </div>
  );
}
