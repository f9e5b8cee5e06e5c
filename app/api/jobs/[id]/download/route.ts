import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { getJobView } from "../../../../../lib/server/jobview";
import { routeAuthError } from "../../../../../lib/server/session";
import { jobFile } from "../../../../../lib/server/tasks";

export const dynamic = "force-dynamic";

/** The file a finished dump/export job produced. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const { id } = await ctx.params;
  const job = await getJobView(id);
  const name = job?.result?.download;
  if (!job || job.state !== "succeeded" || typeof name !== "string") {
    return Response.json({ error: "this job has no finished download" }, { status: 404 });
  }
  const file = jobFile(id, name);
  const st = await stat(file).catch(() => null); // swept by the jobs cleanup: answered 410 below
  if (!st) return Response.json({ error: "the download file is gone (data/jobs was cleaned)" }, { status: 410 });
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
    headers: {
      "content-type": name.endsWith(".gz") ? "application/gzip" : "application/json",
      "content-length": String(st.size),
      "content-disposition": `attachment; filename="${name}"`,
    },
  });
}
