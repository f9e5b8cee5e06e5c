import { getDb } from "../../../lib/server/db";
import { requireSession } from "../../../lib/server/session";
import { formatUtc } from "../../../lib/ui/views";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit log" };

export default async function AuditPage() {
  await requireSession();
  const db = await getDb();
  const rows = await db.audit.findMany({ orderBy: { id: "desc" }, take: 500 });
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Audit log</h1>
      <p className="text-sm text-slate-500">Who ran what (newest first). Secrets are never recorded.</p>
      <div className="card overflow-hidden">
        <table className="w-full text-sm" data-testid="audit-table">
          <thead className="border-b border-slate-200 bg-slate-50">
            <tr>
              <th className="th">When (UTC)</th>
              <th className="th">Who</th>
              <th className="th">Action</th>
              <th className="th">Target</th>
              <th className="th">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b border-slate-100">
                <td className="td whitespace-nowrap">{formatUtc(r.at.toISOString())}</td>
                <td className="td">{r.actor}</td>
                <td className="td">{r.action}</td>
                <td className="td font-mono text-xs">{r.target}</td>
                <td className="td break-all font-mono text-xs text-slate-600">{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
