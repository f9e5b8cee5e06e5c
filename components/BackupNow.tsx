"use client";
// "Back up now": one automatic-backup cycle as a JuiceFS client runs it, then a page refresh.
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { backupNowAction } from "../app/(app)/actions";
import { JobProgress, useJob } from "./JobProgress";

export function BackupNow({ volumeId }: { volumeId: string }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const job = useJob(jobId);
  useEffect(() => {
    if (job.data?.state === "succeeded") router.refresh();
  }, [job.data?.state, router]);
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
