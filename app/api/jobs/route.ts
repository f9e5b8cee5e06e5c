import { listJobViews } from "../../../lib/server/jobview";
import { routeAuthError } from "../../../lib/server/session";

export const dynamic = "force-dynamic";

export async function GET() {
  const denied = await routeAuthError();
  if (denied) return denied;
  return Response.json(await listJobViews({ take: 200 }), { headers: { "cache-control": "no-store" } });
}
