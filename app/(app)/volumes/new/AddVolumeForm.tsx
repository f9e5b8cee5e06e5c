"use client";
import { useActionState, useState } from "react";
import { addVolumeAction } from "../../../../lib/server/actions/volumes";

type Field = "metaUrl" | "name" | "backupInterval" | "bucket" | "endpoint" | "accessKey" | "secretKey";

export function AddVolumeForm() {
  const [state, action, pending] = useActionState(addVolumeAction, undefined);
  // Controlled fields: React resets uncontrolled ones after every form action, which would
  // empty the form after "Test connection".
  const [values, setValues] = useState<Record<Field, string>>({
    metaUrl: "",
    name: "",
    backupInterval: "1h",
    bucket: "",
    endpoint: "",
    accessKey: "",
    secretKey: "",
  });
  const bind = (k: Field) => ({
    name: k,
    value: values[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [k]: e.target.value })),
  });
  return (
    <form action={action} className="card max-w-2xl space-y-4 p-5">
      <div>
        <label className="label" htmlFor="metaUrl">
          META-URL
        </label>
        <input id="metaUrl" {...bind("metaUrl")} className="input font-mono" placeholder="redis://:password@host:6379/1" required aria-describedby="metaUrl-help" />
        <p className="mt-1 text-xs text-slate-600" id="metaUrl-help">
          redis://, rediss://, unix://, sqlite3://, mysql://, postgres://, etcd:// — as given to <code>juicefs mount</code>, Redis Sentinel
          (<code>redis://:pw@MASTER,sentinel1:26379,sentinel2/1</code>) and Cluster (<code>redis://:pw@node1:7000,node2:7001/1</code>) too.
          The password is kept on the server and never shown again.
        </p>
      </div>
      <div className="grid grid-cols-2 gap-4">
        <div>
          <label className="label" htmlFor="name">
            Display name (optional)
          </label>
          <input id="name" {...bind("name")} className="input" placeholder="the volume's own name" />
        </div>
        <div>
          <label className="label" htmlFor="backupInterval">
            Clients' --backup-meta
          </label>
          <input id="backupInterval" {...bind("backupInterval")} className="input" />
        </div>
      </div>
      <details className="rounded-md border border-slate-200 p-3">
        <summary className="cursor-pointer text-sm font-medium">Storage overrides (when the dashboard reaches the bucket differently)</summary>
        <div className="mt-3 grid grid-cols-2 gap-3">
          <label className="block">
            <span className="label">Bucket</span>
            <input {...bind("bucket")} className="input" placeholder="bucket URL or path" />
          </label>
          <label className="block">
            <span className="label">Endpoint</span>
            <input {...bind("endpoint")} className="input" placeholder="https://s3.example.com" />
          </label>
          <label className="block">
            <span className="label">Access key</span>
            <input {...bind("accessKey")} className="input" autoComplete="off" />
          </label>
          <label className="block">
            <span className="label">Secret key</span>
            <input {...bind("secretKey")} type="password" className="input" autoComplete="off" />
          </label>
        </div>
      </details>
      {state?.error && (
        <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {state.error}
        </p>
      )}
      {state?.tested && (
        // Connected only when both parts answer; otherwise the part that failed says why.
        <ul
          role={state.tested.storage.ok ? "status" : "alert"}
          className={`space-y-1 rounded-md border px-3 py-2 text-sm ${state.tested.storage.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-rose-200 bg-rose-50 text-rose-900"}`}
          data-testid={state.tested.storage.ok ? "probe-ok" : "probe-failed"}
        >
          <li data-testid="probe-meta" data-ok="true">
            <span aria-hidden>✔ </span>
            <b>Metadata engine: connected</b> — volume <b>{state.tested.setting.name}</b>, {Number(state.tested.usedInodes).toLocaleString("en-US")} inodes
            {state.tested.setting.encrypted ? ", encrypted" : ""}.
          </li>
          <li data-testid="probe-storage" data-ok={state.tested.storage.ok}>
            <span aria-hidden>{state.tested.storage.ok ? "✔ " : "✘ "}</span>
            <b>
              Object storage ({state.tested.setting.storage}): {state.tested.storage.ok ? "reachable" : "failed"}
            </b>{" "}
            — {state.tested.storage.message}
            {!state.tested.storage.ok && (
              <div className="mt-1">Backups cannot be listed or made until this works: fix the bucket or its credentials, or set the storage overrides above.</div>
            )}
          </li>
        </ul>
      )}
      <div className="flex gap-2">
        <button className="btn" name="intent" value="test" disabled={pending}>
          Test connection
        </button>
        <button className="btn-primary" name="intent" value="add" disabled={pending}>
          {pending ? "Connecting…" : "Test and add"}
        </button>
      </div>
    </form>
  );
}
