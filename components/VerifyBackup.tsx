"use client";
// "Verify": the structural check `load` runs, as a job on one backup; the page refreshes when
// it ends so the backup's mark (verified / failed) follows.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { verifyBackupAction } from "../lib/server/actions/jobs";
import { StartedJobStatus, useStartedJob } from "./JobProgress";

export function VerifyBackup({ volumeId, backup, encrypted }: { volumeId: string; backup: string; encrypted: boolean }) {
  const { jobId, setJobId, error, setError, pending, start, job } = useStartedJob();
  const router = useRouter();
  const state = job.data?.state;
  const [pem, setPem] = useState("");
  const [passphrase, setPassphrase] = useState("");
  useEffect(() => {
    if (state && state !== "running") router.refresh();
  }, [state, router]);
  return (
    <div className="space-y-2">
      {encrypted && (
        <div className="space-y-1 text-xs">
          <label className="block">
            <span className="label">RSA private key to verify with (PEM; used for this job only, never stored)</span>
            <textarea
              className="input h-20 font-mono text-xs"
              placeholder="-----BEGIN RSA PRIVATE KEY-----"
              value={pem}
              onChange={(e) => setPem(e.target.value)}
              data-testid="verify-key"
            />
          </label>
          <label className="block">
            <span className="label">Key passphrase</span>
            <input className="input" type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </label>
        </div>
      )}
      <button
        className="btn"
        disabled={pending || state === "running" || (encrypted && !pem.trim())}
        title={
          encrypted && !pem.trim()
            ? "An encrypted backup is verified with the volume's RSA private key: paste it above"
            : "Read the whole backup and check it as load does before it commits; nothing is written"
        }
        onClick={() =>
          start(async () => {
            setError(null);
            const r = await verifyBackupAction(volumeId, backup, encrypted ? { pem, passphrase: passphrase || undefined } : undefined);
            if (r.error) setError(r.error);
            else setJobId(r.jobId!);
          })
        }
      >
        Verify
      </button>
      <StartedJobStatus error={error} jobId={jobId} />
    </div>
  );
}
