"use client";
// Backup → target → preflight → load with live progress → result → re-set the storage secret.
import Link from "next/link";
import { useMemo, useState, useTransition } from "react";
import { preflightAction, setSecretAction, startRestoreAction } from "../lib/server/actions/jobs";
import type { PreflightCheck } from "../lib/server/tasks";
import { formatUtc, type JobView } from "../lib/ui/views";
import { formatBytes } from "../lib/jfs/format";
import { JobProgress } from "./JobProgress";

export type RestoreVolumeOption = {
  id: string;
  name: string;
  encrypted: boolean;
  /** Newest first; `label` says its age, size and fate (lib/ui/views backupOptionLabel). */
  backups: { key: string; time: string | null; size: number; encrypted: boolean | null; label: string }[];
};

export function RestoreWizard({
  volumes,
  initialVolume,
  initialBackup,
  sqliteTemplate,
}: {
  volumes: RestoreVolumeOption[];
  initialVolume: string | null;
  initialBackup: string | null;
  sqliteTemplate: string;
}) {
  const [volumeId, setVolumeId] = useState(initialVolume ?? "");
  const vol = volumes.find((v) => v.id === volumeId);
  const [backup, setBackup] = useState(initialBackup ?? vol?.backups[0]?.key ?? "");
  // A link naming a backup the volume does not list is said so, never swapped for the newest.
  const missingBackup = !!backup && !!vol && !vol.backups.some((x) => x.key === backup);
  const [mode, setMode] = useState<"sqlite" | "url">("sqlite");
  const defaultSqlite = useMemo(() => sqliteTemplate.replace("{volume}", vol?.name ?? "volume"), [sqliteTemplate, vol?.name]);
  const [sqliteUrl, setSqliteUrl] = useState(defaultSqlite);
  const [url, setUrl] = useState("");
  const [pem, setPem] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [checks, setChecks] = useState<PreflightCheck[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const b = vol?.backups.find((x) => x.key === backup);
  const target = mode === "sqlite" ? sqliteUrl : url;
  const request = () => ({ volumeId, backup, target, key: pem ? { pem, passphrase } : undefined });

  // Each attempt starts clean: no checks, error or job of the one before stays on screen.
  const reset = () => {
    setError(null);
    setChecks(null);
    setJobId(null);
  };
  const preflight = () =>
    start(async () => {
      reset();
      const r = await preflightAction(request());
      setChecks(r.checks ?? null);
      if (r.error) setError(r.error);
    });
  const restore = () =>
    start(async () => {
      reset();
      const pf = await preflightAction(request());
      setChecks(pf.checks ?? null);
      if (pf.error) return setError(pf.error);
      // A failed preflight still goes to the server, which refuses it again and records the
      // refusal in the audit log.
      const r = await startRestoreAction(request());
      if (pf.checks?.some((c) => !c.ok)) return setError("Preflight failed: nothing was written. Fix the red items above.");
      if (r.error) setError(r.error);
      else setJobId(r.jobId!);
    });

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="card space-y-4 p-4">
        <div>
          <div className="label">1 · Backup</div>
          <div className="grid gap-2">
            <select
              className="input"
              value={volumeId}
              onChange={(e) => {
                setVolumeId(e.target.value);
                const nv = volumes.find((v) => v.id === e.target.value);
                setBackup(nv?.backups[0]?.key ?? "");
                setSqliteUrl(sqliteTemplate.replace("{volume}", nv?.name ?? "volume"));
              }}
              aria-label="Volume"
            >
              {volumes.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
            <select className="input font-mono text-xs" value={backup} onChange={(e) => setBackup(e.target.value)} aria-label="Backup" data-testid="backup-select">
              {missingBackup && (
                <option value={backup} disabled>
                  {backup} (does not exist)
                </option>
              )}
              {vol?.backups.map((x) => (
                <option key={x.key} value={x.key}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
          {missingBackup && (
            <p role="alert" className="mt-1 text-sm text-rose-700" data-testid="missing-backup">
              Backup {backup} does not exist in {vol?.name}&apos;s meta/ (deleted by retention, or a mistyped link): choose one from the list.
            </p>
          )}
          {b && (
            <p className="mt-1 text-xs text-slate-500">
              {formatUtc(b.time)} · {formatBytes(b.size)}
              {b.encrypted ? " · encrypted" : ""}
            </p>
          )}
        </div>
        <div>
          <div className="label">2 · Target (must be empty)</div>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" checked={mode === "sqlite"} onChange={() => setMode("sqlite")} /> a new SQLite database
          </label>
          {mode === "sqlite" && <input className="input mt-1 font-mono text-xs" value={sqliteUrl} onChange={(e) => setSqliteUrl(e.target.value)} aria-label="SQLite target" />}
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input type="radio" checked={mode === "url"} onChange={() => setMode("url")} /> another META-URL
          </label>
          {mode === "url" && (
            <input className="input mt-1 font-mono text-xs" placeholder="redis://:pass@host:6379/2, mysql://…, postgres://…, etcd://…" value={url} onChange={(e) => setUrl(e.target.value)} aria-label="Target META-URL" data-testid="target-url" />
          )}
        </div>
        {(b?.encrypted || vol?.encrypted) && (
          <div>
            <div className="label">Key for the encrypted backup</div>
            <textarea className="input h-24 font-mono text-xs" aria-label="RSA private key (PEM)" placeholder="-----BEGIN RSA PRIVATE KEY-----" value={pem} onChange={(e) => setPem(e.target.value)} />
            <input className="input mt-1" type="password" aria-label="Key passphrase" placeholder="passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
            <p className="mt-1 text-xs text-slate-500">Used in memory for this restore only; never stored or logged.</p>
          </div>
        )}
        <div className="flex gap-2">
          <button className="btn" onClick={preflight} disabled={pending || !b || !target}>
            Check only
          </button>
          <button className="btn-primary" onClick={restore} disabled={pending || !b || !target} data-testid="restore-button">
            Restore
          </button>
        </div>
      </div>
      <div className="space-y-3">
        {pending && (
          <p className="card p-4 text-sm text-slate-600" role="status" data-testid="preflight-pending">
            Checking the backup and the target…
          </p>
        )}
        {checks && !pending && (
          <ul className="card space-y-1 p-4 text-sm" data-testid="preflight">
            <li className="label">3 · Preflight</li>
            {checks.map((c) => (
              <li key={c.id} className="flex gap-2" data-ok={c.ok}>
                <span className={c.ok ? "text-emerald-700" : "text-rose-700"}>{c.ok ? "✔" : "✘"}</span>
                <span>
                  <b>{c.label}</b> — <span className="text-slate-600">{c.detail}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
        {error && !pending && (
          <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="restore-error">
            {error}
          </p>
        )}
        {jobId && (
          <div className="card p-4">
            <div className="label">4 · Load</div>
            <JobProgress jobId={jobId}>{(job) => (job.state === "succeeded" ? <RestoreResult job={job} /> : null)}</JobProgress>
          </div>
        )}
      </div>
    </div>
  );
}

function RestoreResult({ job }: { job: JobView }) {
  const r = job.result ?? {};
  const n = (k: string) => Number(r[k] ?? 0).toLocaleString("en-US");
  return (
    <div className="space-y-3" data-testid="restore-result">
      <p className="text-sm text-emerald-800">
        Restored volume <b>{String(r.volume ?? "")}</b> into <span className="font-mono text-xs">{String(r.target ?? "")}</span>.
      </p>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt className="label">Entries</dt>
          <dd>{n("entries")}</dd>
        </div>
        <div>
          <dt className="label">Inodes</dt>
          <dd>{n("usedInodes")}</dd>
        </div>
        <div>
          <dt className="label">Used space</dt>
          <dd>{formatBytes(Number(r.usedSpace ?? 0))}</dd>
        </div>
        <div>
          <dt className="label">Files</dt>
          <dd>{n("files")}</dd>
        </div>
        <div>
          <dt className="label">Directories</dt>
          <dd>{n("dirs")}</dd>
        </div>
        <div>
          <dt className="label">In trash</dt>
          <dd>{n("trashEntries")}</dd>
        </div>
      </dl>
      {Array.isArray(r.warnings) && r.warnings.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-amber-800">
          {(r.warnings as string[]).map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {r.secretRemoved ? <SecretForm jobId={job.id} needsUrl={!!r.targetHasPassword} /> : <p className="text-sm">The storage credentials came with the dump: the volume can be mounted.</p>}
      <p className="text-xs text-slate-500">
        Next: mount it with <code>juicefs mount</code> and check a few files, or add it here as a volume to watch its backups.{" "}
        <Link href="/volumes/new" className="text-sky-700 underline">
          Add as a volume
        </Link>
      </p>
    </div>
  );
}

function SecretForm({ jobId, needsUrl }: { jobId: string; needsUrl: boolean }) {
  const [secretKey, setSecretKey] = useState("");
  const [accessKey, setAccessKey] = useState("");
  const [target, setTarget] = useState("");
  const [msg, setMsg] = useState<{ ok?: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3" data-testid="secret-form">
      <p className="text-sm text-amber-900">
        The dump had its storage secret key <b>removed</b> (dumped without --keep-secret-key): clients cannot read data until it is set
        again (like <code>juicefs config --secret-key</code>).
      </p>
      {needsUrl && (
        <label className="block">
          <span className="label">Target META-URL (with its password)</span>
          <input className="input font-mono text-xs" value={target} onChange={(e) => setTarget(e.target.value)} autoComplete="off" />
        </label>
      )}
      <div className="grid grid-cols-2 gap-2">
        <label className="block">
          <span className="label">Access key</span>
          <input className="input" placeholder="unchanged if empty" value={accessKey} onChange={(e) => setAccessKey(e.target.value)} autoComplete="off" />
        </label>
        <label className="block">
          <span className="label">Secret key</span>
          <input className="input" type="password" value={secretKey} onChange={(e) => setSecretKey(e.target.value)} autoComplete="off" />
        </label>
      </div>
      <button
        className="btn-primary"
        disabled={pending || !secretKey}
        onClick={() =>
          start(async () => {
            const r = await setSecretAction({ jobId, secretKey, accessKey: accessKey || undefined, target: target || undefined });
            setMsg(r.ok ? { ok: true, text: "Secret key stored in the restored volume's setting." } : { text: r.error ?? "failed" });
            if (r.ok) setSecretKey("");
          })
        }
      >
        Set the secret key
      </button>
      {msg && <p className={`text-sm ${msg.ok ? "text-emerald-700" : "text-rose-700"}`}>{msg.text}</p>}
    </div>
  );
}
