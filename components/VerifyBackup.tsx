"use client";
// "Verify": the structural check `load` runs, as a job on one backup; the page refreshes when
// it ends so the backup's mark (verified / failed) follows.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { verifyBackupAction } from "../lib/server/actions/jobs";
import { JobProgress, useStartedJob } from "./JobProgress";

export function VerifyBackup({ volumeId, backup, encrypted }: { volumeId: string; backup: string; encrypted: boolean }) {
  const { jobId, setJobId, error, setError, pending, start, job } = useStartedJob();
  const router = useRouter();
  const state = job.data?.state;
  useEffect(() => {
    if (state && state !== "running") router.refresh();
  }, [state, router]);
  return (
    <div className="space-y-2">
      <button
        className="btn"
        disabled={pending || state === "running" || encrypted}
        title={
          encrypted
            ? "An encrypted backup needs the volume's RSA key: run jfsmeta verify BACKUP --from-volume … --encrypt-rsa-key KEY"
            : "Read the whole backup and check it as load does before it commits; nothing is written"
        }
        onClick={() =>
          start(async () => {
            setError(null);
            const r = await verifyBackupAction(volumeId, backup);
            if (r.error) setError(r.error);
            else setJobId(r.jobId!);
          })
        }
      >
        Verify
      </button>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {jobId && <JobProgress jobId={jobId} />}
    </div>
  );
}
