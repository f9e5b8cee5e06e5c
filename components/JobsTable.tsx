"use client";
// Job history; refreshes while any job runs.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { JobView } from "../lib/ui/views";
import { formatDuration, formatUtc, jobDuration, jobStatusLine } from "../lib/ui/views";
import { JobRate, JobState, ProgressBar } from "./JobProgress";

export function JobsTable({ initial }: { initial: JobView[] }) {
  const { data } = useQuery({
    queryKey: ["jobs"],
    initialData: initial,
    queryFn: async (): Promise<JobView[]> => (await fetch("/api/jobs", { cache: "no-store" })).json(),
    refetchInterval: (q) => (q.state.data?.some((j) => j.state === "running") ? 1000 : 10_000),
  });
  if (!data.length) return <p className="card p-4 text-slate-600">No jobs yet. Dumps, restores, exports and backup indexing show up here.</p>;
  return (
    <div className="card overflow-hidden">
      <table className="w-full text-sm" data-testid="jobs-table">
        <thead className="border-b border-slate-200 bg-slate-50">
          <tr>
            <th className="th">State</th>
            <th className="th">Kind</th>
            <th className="th">Job</th>
            <th className="th w-48">Progress</th>
            <th className="th">Started (UTC)</th>
            <th className="th">Took</th>
          </tr>
        </thead>
        <tbody>
          {data.map((j) => (
            <tr key={j.id} className="border-b border-slate-100 hover:bg-slate-50">
              <td className="td">
                <JobState state={j.state} />
              </td>
              <td className="td">{j.kind}</td>
              <td className="td">
                <Link href={`/jobs/${j.id}`} className="text-sky-700 hover:underline">
                  {j.title}
                </Link>
                {j.error && <div className="text-xs text-rose-700">{j.error}</div>}
              </td>
              <td className="td">
                <ProgressBar done={j.done} total={j.total} state={j.state} />
                <div className="text-xs text-slate-600" data-testid="job-status">
                  {jobStatusLine(j)}
                </div>
                <JobRate job={j} />
              </td>
              <td className="td whitespace-nowrap">{formatUtc(j.startedAt ?? j.createdAt)}</td>
              <td className="td whitespace-nowrap">
                {j.finishedAt ? formatDuration(jobDuration(j) ?? NaN) : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
