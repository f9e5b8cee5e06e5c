// Prometheus scrape endpoint: `Authorization: Bearer $JFSMETA_METRICS_TOKEN` (lib/server/metrics.ts).
import { errorResponse } from "../../lib/server/errors";
import { bearerOk, collectMetrics, renderMetrics } from "../../lib/server/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const token = process.env.JFSMETA_METRICS_TOKEN;
  if (!token) {
    return Response.json({ error: "metrics are off: start jfsmeta with JFSMETA_METRICS_TOKEN set, and scrape with that bearer token" }, { status: 404 });
  }
  if (!bearerOk(req.headers.get("authorization"), token)) {
    return Response.json(
      { error: "send Authorization: Bearer <JFSMETA_METRICS_TOKEN>" },
      { status: 401, headers: { "www-authenticate": 'Bearer realm="jfsmeta metrics"' } },
    );
  }
  try {
    const { body, contentType } = await renderMetrics(await collectMetrics());
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
