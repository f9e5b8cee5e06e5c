import { getJobView } from "../../../../lib/server/jobview";
import { routeAuthError } from "../../../../lib/server/session";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const { id } = await ctx.params;
  const job = await getJobView(id);
  if (!job) return Response.json({ error: `no job ${id}` }, { status: 404 });
  return Response.json(job, { headers: { "cache-control": "no-store" } });
}
