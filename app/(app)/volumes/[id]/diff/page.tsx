import Link from "next/link";
import { notFound } from "next/navigation";
import { DiffView } from "../../../../../components/DiffView";
import { IndexGate } from "../../../../../components/IndexGate";
import { requireSession } from "../../../../../lib/server/session";
import { backupIndexed } from "../../../../../lib/server/tasks";
import { getVolume, volumeView } from "../../../../../lib/server/volumes";

export const dynamic = "force-dynamic";
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `Diff · ${decodeURIComponent(id)}` };
}

type Search = { a?: string; b?: string; subdir?: string };

const label = (side: string) => (side === "live" ? "live metadata engine" : side);

export default async function DiffPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  await requireSession();
  const { id } = await params;
  const { a, b, subdir } = await searchParams;
  const rec = await getVolume(id);
  if (!rec) notFound();
  const v = await volumeView(rec);
  // Newest first, as the backups table.
  const keys = (v.backups ?? [])
    .filter((x) => x.kind !== "other")
    .sort((x, y) => (y.time ?? "").localeCompare(x.time ?? ""))
    .map((x) => x.key);
  const missing = [a, b].filter((s): s is string => !!s && s !== "live" && !backupIndexed(rec, s));
  const options = (name: string, value: string | undefined) => (
    <select id={`diff-${name}`} name={name} className="input font-mono text-xs" defaultValue={value ?? (name === "b" ? "live" : keys[0])}>
      <option value="live">live metadata engine</option>
      {keys.map((k) => (
        <option key={k} value={k}>
          {k}
        </option>
      ))}
    </select>
  );
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">
        Diff <Link href={`/volumes/${v.id}`} className="text-sky-700 hover:underline">{v.name}</Link>
      </h1>
      <p className="text-sm text-slate-500">
        What differs between two backups, or a backup and the live engine: per directory, the entries added (in B only), removed (in A
        only) and changed (size, mode, owner, group, link count, xattrs, symlink target, inode), with totals of entries and bytes. Times
        are not compared. Backups are read from their tree index; the same diff on the command line: <code>jfsmeta diff A B</code>.
      </p>
      <form className="card flex flex-wrap items-end gap-3 p-3" method="get" data-testid="diff-form">
        <div>
          <label className="label" htmlFor="diff-a">
            A (before)
          </label>
          {options("a", a)}
        </div>
        <div>
          <label className="label" htmlFor="diff-b">
            B (after)
          </label>
          {options("b", b)}
        </div>
        <div>
          <label className="label" htmlFor="diff-subdir">
            Only this directory (optional)
          </label>
          <input id="diff-subdir" name="subdir" className="input font-mono text-xs" placeholder="projects/a" defaultValue={subdir ?? ""} />
        </div>
        <button className="btn-primary" type="submit">
          Compare
        </button>
      </form>
      {a && b ? (
        missing.length ? (
          <div className="space-y-3">
            {missing.map((k) => (
              <div key={k} className="space-y-1">
                <h2 className="text-sm font-semibold">
                  Backup <span className="font-mono">{k}</span> must be indexed first
                </h2>
                <IndexGate volumeId={v.id} backup={k} />
              </div>
            ))}
          </div>
        ) : (
          <DiffView key={`${a}\n${b}\n${subdir ?? ""}`} volumeId={v.id} a={a} b={b} subdir={subdir || undefined} labelA={label(a)} labelB={label(b)} />
        )
      ) : (
        <p className="text-sm text-slate-500">Pick A and B, then Compare.</p>
      )}
    </div>
  );
}
