"use client";
// How the dashboard's backups of this volume ("Back up now") dump it: consistent or live, and
// how gently. Each choice with its trade-off in one sentence.
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { saveBackupPolicyAction } from "../lib/server/actions/volumes";
import { SaveRow, type SaveMessage } from "./SaveRow";

export type PolicyView = { consistent: "auto" | "on" | "off"; maxOps: number | null; maxLatencyMs: number | null };

export function BackupPolicyForm({ volumeId, policy }: { volumeId: string; policy: PolicyView }) {
  const [consistent, setConsistent] = useState(policy.consistent);
  const [maxOps, setMaxOps] = useState(policy.maxOps?.toString() ?? "");
  const [maxLatency, setMaxLatency] = useState(policy.maxLatencyMs?.toString() ?? "");
  const [msg, setMsg] = useState<SaveMessage | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const num = (s: string) => (s.trim() === "" ? null : Number(s));
  return (
    <details className="card p-4" data-testid="backup-policy">
      <summary className="cursor-pointer text-sm font-semibold">Backup settings (consistent and gentle dumps)</summary>
      <div className="mt-3 grid gap-4 md:grid-cols-3">
        <div>
          <label className="label" htmlFor="policy-consistent">
            Consistent (--consistent)
          </label>
          <select id="policy-consistent" className="input" value={consistent} onChange={(e) => setConsistent(e.target.value as PolicyView["consistent"])}>
            <option value="auto">where cheap (SQL, SQLite; not Redis)</option>
            <option value="on">always</option>
            <option value="off">never (read live, as JuiceFS clients do)</option>
          </select>
          <p className="mt-1 text-xs text-slate-500">
            A consistent backup is one moment of the whole volume even while clients write, at the cost of a snapshot held open on SQL or a private copy of the server first on Redis.
          </p>
        </div>
        <div>
          <label className="label" htmlFor="policy-max-ops">
            --max-ops (queries a second)
          </label>
          <input id="policy-max-ops" className="input" inputMode="numeric" placeholder="no limit" value={maxOps} onChange={(e) => setMaxOps(e.target.value)} />
          <p className="mt-1 text-xs text-slate-500">Caps the load the backup puts on the metadata engine, so the backup takes at least inodes ÷ this many seconds.</p>
        </div>
        <div>
          <label className="label" htmlFor="policy-max-latency">
            --max-latency (ms)
          </label>
          <input id="policy-max-latency" className="input" inputMode="numeric" placeholder="250 (0: no bound)" value={maxLatency} onChange={(e) => setMaxLatency(e.target.value)} />
          <p className="mt-1 text-xs text-slate-500">Slows down, or pauses, while the engine answers slower than this, so clients keep their speed and the backup may take longer.</p>
        </div>
      </div>
      <SaveRow
        pending={pending}
        msg={msg}
        onSave={() =>
          start(async () => {
            const r = await saveBackupPolicyAction(volumeId, { consistent, maxOps: num(maxOps), maxLatencyMs: num(maxLatency) });
            setMsg(r.ok ? { ok: true, text: "Saved: the next backup dumps this way." } : { ok: false, text: r.error ?? "failed" });
            if (r.ok) router.refresh();
          })
        }
      />
    </details>
  );
}
