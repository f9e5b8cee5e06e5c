import { WebhookForm } from "../../../components/WebhookForm";
import { getWebhook } from "../../../lib/server/alerts";
import { getDb } from "../../../lib/server/db";
import { requireSession } from "../../../lib/server/session";
import { formatUtc } from "../../../lib/ui/views";

export const dynamic = "force-dynamic";
export const metadata = { title: "Alerts" };

export default async function AlertsPage() {
  await requireSession();
  const hook = await getWebhook();
  const db = await getDb();
  const deliveries = await db.audit.findMany({ where: { action: "webhook" }, orderBy: { id: "desc" }, take: 50 });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Alerts</h1>
      <section className="card space-y-3 p-4">
        <h2 className="text-lg font-semibold">Webhook</h2>
        <p className="text-sm text-slate-600">
          Called with a JSON body when a volume&apos;s newest backup is <b>late</b>, automatic backups are <b>skipped</b> (over 1,000,000
          inodes at an interval of 1 h or less), a backup <b>shrunk</b> to under half of the ones before it, or a backup <b>fails to verify</b>.
          Each condition is sent once, and again only after it cleared. Failed deliveries (no answer, HTTP 5xx or 429) are retried
          three times with doubling waits; every delivery is in the audit log.
        </p>
        <WebhookForm url={hook?.url ?? ""} hasSecret={!!hook?.hasSecret} />
      </section>
      <section className="card p-4">
        <h2 className="mb-2 text-lg font-semibold">Deliveries</h2>
        {deliveries.length === 0 ? (
          <p className="text-sm text-slate-500">None yet.</p>
        ) : (
          <table className="w-full text-sm" data-testid="deliveries-table">
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th className="th">When (UTC)</th>
                <th className="th">Alert</th>
                <th className="th">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} className="border-b border-slate-100">
                  <td className="td whitespace-nowrap">{formatUtc(d.at.toISOString())}</td>
                  <td className="td font-mono text-xs">{d.target}</td>
                  <td className={`td text-xs ${d.detail.startsWith("delivered") ? "text-emerald-800" : "text-rose-700"}`}>{d.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
