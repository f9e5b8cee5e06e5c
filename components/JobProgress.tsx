"use client";
// Live state of one job, polled from /api/jobs/<id> (the job runs on the server, so a reload
// or another tab shows the same progress).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, useSyncExternalStore, useTransition } from "react";
import { cancelJobAction } from "../lib/server/actions/jobs";
import { jobRateLine, jobStatusLine, type JobView } from "../lib/ui/views";
import { formatBytes } from "../lib/jfs/format";

/**
 * A job this component starts: its id once started, its live state, an error from starting
 * it, and a transition for the start; the page refreshes when the job succeeds.
 */
export function useStartedJob() {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const job = useJob(jobId);
  useEffect(() => {
    if (job.data?.state === "succeeded") router.refresh();
  }, [job.data?.state, router]);
  return { jobId, setJobId, error, setError, pending, start, job };
}

/** Under a form that starts a job: why the start failed, or the started job's progress. */
export function StartedJobStatus({ error, jobId }: { error: string | null; jobId: string | null }) {
  return (
    <>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {jobId && <JobProgress jobId={jobId} />}
    </>
  );
}

export function useJob(jobId: string | null) {
  return useQuery({
    queryKey: ["job", jobId],
    enabled: !!jobId,
    queryFn: async (): Promise<JobView> => {
      const r = await fetch(`/api/jobs/${jobId}`, { cache: "no-store" });
      if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error ?? `HTTP ${r.status}`);
      return r.json();
    },
    refetchInterval: (q) => (q.state.data && q.state.data.state !== "running" ? false : 700),
  });
}

const STATE_CLS: Record<JobView["state"], string> = {
  running: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-rose-100 text-rose-800",
  cancelled: "bg-slate-200 text-slate-700",
  interrupted: "bg-amber-100 text-amber-900",
};

export function JobState({ state }: { state: JobView["state"] }) {
  return (
    <span data-testid="job-state" className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATE_CLS[state]}`}>
      {state}
    </span>
  );
}

const BAR_CLS: Record<JobView["state"], string> = {
  running: "bg-sky-600 transition-all",
  succeeded: "bg-emerald-600",
  failed: "bg-rose-600",
  cancelled: "bg-slate-500",
  interrupted: "bg-amber-500",
};

export function ProgressBar({ done, total, state }: { done: number; total: number; state: JobView["state"] }) {
  // A succeeded job is whole; one that ended otherwise keeps where it stopped.
  const pct = state === "succeeded" ? 100 : total > 0 ? Math.min(100, (done / total) * 100) : state === "running" ? 5 : 0;
  return (
    <div className="h-2 w-full overflow-hidden rounded bg-slate-200">
      <div className={`h-full ${BAR_CLS[state]}`} style={{ width: `${pct}%` }} />
    </div>
  );
}

function subscribeSeconds(tick: () => void): () => void {
  const t = setInterval(tick, 1000);
  return () => clearInterval(t);
}

/** The time to the second, ticking; null on the server (so a rate is never rendered twice differently). */
function useNow(): number | null {
  return useSyncExternalStore(
    subscribeSeconds,
    () => Math.floor(Date.now() / 1000) * 1000,
    () => null,
  );
}

/** Rate and time left of a job ("12,000 entries/s · 8.0 s left"), as Backrest shows them. */
export function JobRate({ job }: { job: JobView }) {
  const now = useNow();
  const line = now === null ? "" : jobRateLine(job, now);
  if (!line) return null;
  return (
    <span className="text-xs tabular-nums text-slate-600" data-testid="job-rate">
      {line}
    </span>
  );
}

export function JobProgress({ jobId, showLog = false, children }: { jobId: string; showLog?: boolean; children?: (job: JobView) => React.ReactNode }) {
  const { data: job, error } = useJob(jobId);
  if (error) return <p className="text-sm text-rose-700">{(error as Error).message}</p>;
  if (!job) return <p className="text-sm text-slate-500">Starting…</p>;
  const running = job.state === "running";
  const download = typeof job.result?.download === "string" ? job.result.download : null;
  const filename = typeof job.result?.filename === "string" ? job.result.filename : download;
  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="job-progress" data-state={job.state}>
      <div className="flex items-center gap-2 text-sm">
        <JobState state={job.state} />
        <Link href={`/jobs/${job.id}`} className="truncate font-medium hover:underline">
          {job.title}
        </Link>
        {running && (
          <button className="btn ml-auto py-0.5 text-xs" onClick={() => void cancelJobAction(job.id)}>
            Cancel
          </button>
        )}
      </div>
      <ProgressBar done={job.done} total={job.total} state={job.state} />
      <div className="flex flex-wrap justify-between gap-2 text-xs text-slate-600">
        <span data-testid="job-status">{jobStatusLine(job)}</span>
        <JobRate job={job} />
      </div>
      {job.error && (
        <p role="alert" className="rounded border border-rose-200 bg-rose-50 px-2 py-1 text-sm text-rose-800">
          {job.error}
        </p>
      )}
      {download && job.state === "succeeded" && (
        <a className="btn-primary" href={`/api/jobs/${job.id}/download`} download data-testid="job-download">
          ⬇ Download {filename} ({formatBytes(Number(job.result?.bytes ?? 0))})
        </a>
      )}
      {children?.(job)}
      {showLog && <pre className="max-h-64 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100">{job.log || "(no log yet)"}</pre>}
    </div>
  );
}
