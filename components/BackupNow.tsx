"use client";
// "Back up now": one automatic-backup cycle as a JuiceFS client runs it, then a page refresh.
import { backupNowAction } from "../lib/server/actions/jobs";
import { JobProgress, useStartedJob } from "./JobProgress";

export function BackupNow({ volumeId }: { volumeId: string }) {
  const { jobId, setJobId, error, setError, pending, start, job } = useStartedJob();
  return (
    <div className="space-y-2">
      <button
        className="btn"
        disabled={pending || job.data?.state === "running"}
        title="Dump the whole volume into meta/dump-YYYY-MM-DD-HHMMSS.json.gz (gzip, encrypted on encrypted volumes) and apply JuiceFS's cleanup, as a client with --backup-meta does"
        onClick={() =>
          start(async () => {
            setError(null);
            const r = await backupNowAction(volumeId);
            if (r.error) setError(r.error);
            else setJobId(r.jobId!);
          })
        }
      >
        Back up now
      </button>
      {error && <p className="text-sm text-rose-700">{error}</p>}
      {jobId && <JobProgress jobId={jobId} />}
    </div>
  );
}
