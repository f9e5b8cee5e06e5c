import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { getJobView } from "../../../../../lib/server/jobview";
import { routeAuthError } from "../../../../../lib/server/session";
import { attachmentDisposition, jobFile } from "../../../../../lib/server/tasks";

export const dynamic = "force-dynamic";

/** The file a finished dump/export job produced, offered under the name the job chose. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const { id } = await ctx.params;
  const job = await getJobView(id);
  const name = job?.state === "succeeded" && typeof job.result?.download === "string" ? job.result.download : null;
  const file = name ? jobFile(id, name) : null;
  if (!name || !file) return Response.json({ error: "this job has no finished download" }, { status: 404 });
  const st = await stat(file).catch(() => null); // swept by the jobs cleanup: answered 410 below
  if (!st) return Response.json({ error: "the download file is gone (data/jobs was cleaned)" }, { status: 410 });
  const filename = typeof job?.result?.filename === "string" ? job.result.filename : name;
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
    headers: {
      "content-type": name.endsWith(".gz") ? "application/gzip" : name.endsWith(".bin") ? "application/octet-stream" : "application/json",
      "content-length": String(st.size),
      "content-disposition": attachmentDisposition(filename),
      "cache-control": "no-store",
    },
  });
}
