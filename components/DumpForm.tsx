"use client";
// `jfsmeta dump` from the browser: the CLI's options, to a download or into meta/.
import { useState, useTransition } from "react";
import { startDumpAction } from "../lib/server/actions/jobs";
import { StartedJobStatus } from "./JobProgress";

/** The "gentle" box: the automatic backups' bound (DEFAULT_BACKUP_MAX_LATENCY_MS). */
const GENTLE_MAX_LATENCY_MS = 250;

export function DumpForm({ volumeId }: { volumeId: string }) {
  const [subdir, setSubdir] = useState("");
  const [keepSecretKey, setKeep] = useState(false);
  const [skipTrash, setSkipTrash] = useState(false);
  const [gzip, setGzip] = useState(false);
  const [binary, setBinary] = useState(false);
  const [consistent, setConsistent] = useState(false);
  const [gentle, setGentle] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const run = (target: "download" | "meta") =>
    start(async () => {
      setError(null);
      const r = await startDumpAction(volumeId, {
        subdir: subdir || undefined,
        keepSecretKey,
        skipTrash,
        gzip,
        binary,
        target,
        consistent,
        maxLatencyMs: gentle ? GENTLE_MAX_LATENCY_MS : undefined,
      });
      if (r.error) setError(r.error);
      else setJobId(r.jobId!);
    });
  return (
    <div className="space-y-3" data-testid="dump-form">
      <div className="grid grid-cols-[1fr_auto] gap-3">
        <div>
          <label className="label" htmlFor="subdir">
            --subdir
          </label>
          <input id="subdir" className="input font-mono" placeholder="/ (whole volume)" value={subdir} onChange={(e) => setSubdir(e.target.value)} />
        </div>
        <div className="flex flex-col justify-end gap-1 text-sm">
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" checked={keepSecretKey} onChange={(e) => setKeep(e.target.checked)} /> --keep-secret-key
          </label>
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" checked={skipTrash} onChange={(e) => setSkipTrash(e.target.checked)} /> --skip-trash
          </label>
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" checked={gzip} onChange={(e) => setGzip(e.target.checked)} /> gzip ({binary ? ".bin.gz" : ".json.gz"})
          </label>
          <label className="inline-flex items-center gap-2" title="JuiceFS 1.3+'s binary format: about a third of the JSON's size; the whole volume">
            <input type="checkbox" checked={binary} onChange={(e) => setBinary(e.target.checked)} data-testid="dump-binary" /> --binary
          </label>
        </div>
      </div>
      <div className="flex gap-2">
        <button className="btn-primary" disabled={pending} onClick={() => run("download")}>
          Dump to a download
        </button>
        <button className="btn" disabled={pending || !!subdir || binary} onClick={() => run("meta")} title="gzip JSON into <bucket>/<volume>/meta/">
          Dump into meta/ as a manual backup
        </button>
      </div>
      <div className="space-y-1 text-sm">
        <label className="inline-flex items-center gap-2">
          <input type="checkbox" checked={consistent} onChange={(e) => setConsistent(e.target.checked)} data-testid="dump-consistent" /> --consistent
        </label>
        <p className="text-xs text-slate-500">
          One moment of the whole volume even while clients write; on SQL it holds a snapshot open for the dump, on Redis it first copies the server into a private replica.
        </p>
        <label className="inline-flex items-center gap-2">
          <input type="checkbox" checked={gentle} onChange={(e) => setGentle(e.target.checked)} data-testid="dump-gentle" /> gentle (--max-latency {GENTLE_MAX_LATENCY_MS})
        </label>
        <p className="text-xs text-slate-500">Slows down, or pauses, while the database answers slowly, so clients keep their speed; the dump may take longer.</p>
      </div>
      {keepSecretKey && <p className="text-xs text-amber-700">The file will hold the storage secret key in clear: keep it safe.</p>}
      <StartedJobStatus error={error} jobId={jobId} />
    </div>
  );
}
