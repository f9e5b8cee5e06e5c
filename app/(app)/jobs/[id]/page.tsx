import Link from "next/link";
import { notFound } from "next/navigation";
import { JobProgress } from "../../../../components/JobProgress";
import { getJobView } from "../../../../lib/server/jobview";
import { requireSession } from "../../../../lib/server/session";
import { formatUtc } from "../../../../lib/ui/views";

export const dynamic = "force-dynamic";
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return { title: `Job ${decodeURIComponent(id).slice(0, 8)}` };
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  await requireSession();
  const { id } = await params;
  const job = await getJobView(id);
  if (!job) notFound();
  return (
    <div className="space-y-3">
      <div className="text-sm">
        <Link href="/jobs" className="text-sky-700 hover:underline">
          ← Jobs
        </Link>
      </div>
      <h1 className="text-xl font-semibold">{job.title}</h1>
      <p className="text-sm text-slate-600">
        {job.kind} · created {formatUtc(job.createdAt)}
        {job.finishedAt && ` · finished ${formatUtc(job.finishedAt)}`}
        {job.volumeId && (
          <>
            {" · "}
            <Link className="text-sky-700 underline" href={`/volumes/${job.volumeId}`}>
              volume
            </Link>
          </>
        )}
      </p>
      <JobProgress jobId={job.id} showLog />
      <details className="card p-3 text-sm">
        <summary className="cursor-pointer font-medium">Parameters and result</summary>
        <pre className="mt-2 overflow-auto text-xs">{JSON.stringify({ params: job.params, result: job.result }, null, 2)}</pre>
      </details>
    </div>
  );
}
