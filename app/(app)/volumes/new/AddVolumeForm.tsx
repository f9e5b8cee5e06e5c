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
        <input id="metaUrl" {...bind("metaUrl")} className="input font-mono" placeholder="redis://:password@host:6379/1" required />
        <p className="mt-1 text-xs text-slate-500">
          redis://, rediss://, unix://, sqlite3://, mysql://, postgres://, etcd:// — as given to <code>juicefs mount</code>. The password is kept on
          the server and never shown again.
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
          <input {...bind("bucket")} className="input" placeholder="bucket URL or path" />
          <input {...bind("endpoint")} className="input" placeholder="endpoint" />
          <input {...bind("accessKey")} className="input" placeholder="access key" autoComplete="off" />
          <input {...bind("secretKey")} type="password" className="input" placeholder="secret key" autoComplete="off" />
        </div>
      </details>
      {state?.error && (
        <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {state.error}
        </p>
      )}
      {state?.tested && (
        <div className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="probe-ok">
          Connected: volume <b>{state.tested.name}</b> ({state.tested.storage} {state.tested.bucket}),{" "}
          {Number(state.tested.usedInodes).toLocaleString("en-US")} inodes{state.tested.encrypted ? ", encrypted" : ""}.
        </div>
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
