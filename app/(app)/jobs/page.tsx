import { JobsTable } from "../../../components/JobsTable";
import { listJobViews } from "../../../lib/server/jobview";
import { requireSession } from "../../../lib/server/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Jobs" };

export default async function JobsPage() {
  await requireSession();
  const jobs = await listJobViews({ take: 200 });
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Jobs</h1>
      <p className="text-sm text-slate-500">Long work runs on the server; progress survives a page reload. Open a job for its log.</p>
      <JobsTable initial={jobs} />
    </div>
  );
}
