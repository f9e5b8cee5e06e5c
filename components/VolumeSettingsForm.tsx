"use client";
// The dashboard's own settings of a volume: the clients' backup interval (for health and the
// retention forecast) and storage overrides (e.g. a secret key the setting lost to a dump).
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { updateVolumeAction } from "../lib/server/actions/volumes";
import { SaveRow, type SaveMessage } from "./SaveRow";

export function VolumeSettingsForm({
  volumeId,
  interval,
  storage,
}: {
  volumeId: string;
  interval: string;
  storage: { bucket?: string; endpoint?: string; accessKey?: string; hasSecretKey: boolean };
}) {
  const [v, setV] = useState({ backupInterval: interval, bucket: storage.bucket ?? "", endpoint: storage.endpoint ?? "", accessKey: storage.accessKey ?? "", secretKey: "" });
  const [msg, setMsg] = useState<SaveMessage | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const field = (k: keyof typeof v, label: string, type = "text", placeholder = "") => (
    <label className="block text-sm">
      <span className="label">{label}</span>
      <input className="input" type={type} placeholder={placeholder} value={v[k]} onChange={(e) => setV((x) => ({ ...x, [k]: e.target.value }))} autoComplete="off" />
    </label>
  );
  const opt = (s: string) => (s.trim() === "" ? undefined : s);
  return (
    <details className="card p-4" data-testid="volume-settings">
      <summary className="cursor-pointer text-sm font-semibold">Dashboard settings for this volume (interval, storage overrides)</summary>
      <div className="mt-3 grid gap-3 md:grid-cols-5">
        {field("backupInterval", "Clients' --backup-meta")}
        {field("bucket", "Bucket override", "text", "from the setting")}
        {field("endpoint", "Endpoint override", "text", "https://s3.example.com")}
        {field("accessKey", "Access key override")}
        {field("secretKey", "Secret key override", "password", storage.hasSecretKey ? "(kept; type to replace)" : "")}
      </div>
      <SaveRow
        pending={pending}
        msg={msg}
        onSave={() =>
          start(async () => {
            const r = await updateVolumeAction(volumeId, {
              backupInterval: v.backupInterval,
              storage: { bucket: opt(v.bucket), endpoint: opt(v.endpoint), accessKey: opt(v.accessKey), secretKey: opt(v.secretKey) },
            });
            setMsg(r.ok ? { ok: true, text: "Saved." } : { ok: false, text: r.error ?? "failed" });
            if (r.ok) {
              setV((x) => ({ ...x, secretKey: "" }));
              router.refresh();
            }
          })
        }
      />
    </details>
  );
}
