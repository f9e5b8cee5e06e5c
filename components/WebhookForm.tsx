"use client";
// The alert webhook: URL, an optional signing secret (write-only: stored sealed, never shown
// again), Save, Send test, Remove.
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { removeWebhookAction, saveWebhookAction, sendTestAction } from "../lib/server/actions/alerts";

export function WebhookForm({ url, hasSecret }: { url: string; hasSecret: boolean }) {
  const [v, setV] = useState({ url, secret: "" });
  const [clearSecret, setClear] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const configured = url !== "";
  return (
    <div className="space-y-3" data-testid="webhook-form">
      <div className="grid gap-3 md:grid-cols-2">
        <div>
          <label className="label" htmlFor="webhook-url">
            Webhook URL
          </label>
          <input
            id="webhook-url"
            className="input font-mono"
            type="url"
            placeholder="https://hooks.example.com/jfsmeta"
            value={v.url}
            onChange={(e) => setV((x) => ({ ...x, url: e.target.value }))}
            autoComplete="off"
          />
        </div>
        <div>
          <label className="label" htmlFor="webhook-secret">
            Signing secret (optional)
          </label>
          <input
            id="webhook-secret"
            className="input font-mono"
            type="password"
            placeholder={hasSecret ? "(set; stored sealed — type to replace)" : "none: deliveries are unsigned"}
            value={v.secret}
            onChange={(e) => setV((x) => ({ ...x, secret: e.target.value }))}
            autoComplete="new-password"
            aria-describedby="webhook-secret-help"
          />
          <p id="webhook-secret-help" className="mt-1 text-xs text-slate-500">
            Never shown again. Each delivery carries <code>X-Jfsmeta-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</code>.
          </p>
          {hasSecret && (
            <label className="mt-1 inline-flex items-center gap-2 text-xs">
              <input type="checkbox" checked={clearSecret} onChange={(e) => setClear(e.target.checked)} /> remove the secret (send unsigned)
            </label>
          )}
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button
          className="btn-primary"
          disabled={pending}
          onClick={() =>
            start(async () => {
              const r = await saveWebhookAction({ url: v.url, secret: v.secret || undefined, clearSecret });
              setMsg(r.ok ? { ok: true, text: "Saved." } : { ok: false, text: r.error ?? "failed" });
              if (r.ok) {
                setV((x) => ({ ...x, secret: "" }));
                setClear(false);
                router.refresh();
              }
            })
          }
        >
          Save
        </button>
        <button
          className="btn"
          disabled={pending || !configured}
          title={configured ? "POST a test alert to the saved URL now" : "save a URL first"}
          onClick={() =>
            start(async () => {
              setMsg({ ok: true, text: "Sending…" });
              const r = await sendTestAction();
              setMsg(
                r.error
                  ? { ok: false, text: r.error }
                  : { ok: !!r.ok, text: `${r.ok ? "Delivered" : "Not delivered"} (${r.attempts?.length} attempt${r.attempts?.length === 1 ? "" : "s"}: ${r.attempts?.join(", ")})` },
              );
              router.refresh();
            })
          }
        >
          Send test
        </button>
        {configured && (
          <button
            className="btn text-rose-700"
            disabled={pending}
            onClick={() =>
              start(async () => {
                const r = await removeWebhookAction();
                setMsg(r.ok ? { ok: true, text: "Removed." } : { ok: false, text: r.error ?? "failed" });
                if (r.ok) {
                  setV({ url: "", secret: "" });
                  router.refresh();
                }
              })
            }
          >
            Remove
          </button>
        )}
        {msg && (
          <span role="status" className={`text-sm ${msg.ok ? "text-emerald-700" : "text-rose-700"}`} data-testid="webhook-message">
            {msg.text}
          </span>
        )}
      </div>
    </div>
  );
}
