"use client";
// A backup must be read once into an on-disk index before its tree can be paged. This runs
// that as a job (with a key for encrypted backups) and reloads the page when done.
import { useState } from "react";
import { startIndexAction } from "../lib/server/actions/jobs";
import { JobProgress, useStartedJob } from "./JobProgress";

export function IndexGate({ volumeId, backup }: { volumeId: string; backup: string }) {
  const { jobId, setJobId, error, setError, pending, start, job } = useStartedJob();
  const [pem, setPem] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const go = () =>
    start(async () => {
      setError(null);
      const r = await startIndexAction(volumeId, backup, pem ? { pem, passphrase } : undefined);
      if (r.error) setError(r.error);
      else setJobId(r.jobId!);
    });
  return (
    <div className="card max-w-2xl space-y-3 p-4" data-testid="index-gate">
      <p className="text-sm">
        This backup is read once (streamed, decompressed and, if encrypted, decrypted) into a local index; then any directory pages
        instantly.
      </p>
      <details className="text-sm">
        <summary className="cursor-pointer">Encrypted backup? RSA private key</summary>
        <textarea className="input mt-2 h-28 font-mono text-xs" placeholder="-----BEGIN RSA PRIVATE KEY-----" value={pem} onChange={(e) => setPem(e.target.value)} />
        <input className="input mt-2" type="password" placeholder="passphrase (JFS_RSA_PASSPHRASE)" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </details>
      <button className="btn-primary" onClick={go} disabled={pending || (!!jobId && job.data?.state === "running")}>
        Open for inspection
      </button>
      {error && <p className="text-sm text-rose-700">{error}</p>}
      {jobId && <JobProgress jobId={jobId} />}
    </div>
  );
}
