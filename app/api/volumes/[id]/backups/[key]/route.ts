import { Readable } from "node:stream";
import { backupSize, checkBackupKey, readBackup } from "../../../../../../lib/server/backups";
import { errorResponse } from "../../../../../../lib/server/errors";
import { routeAuthError } from "../../../../../../lib/server/session";
import { getVolume, probeVolume } from "../../../../../../lib/server/volumes";

export const dynamic = "force-dynamic";

/** A backup object exactly as stored (encrypted ones stay encrypted). */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string; key: string }> }) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const { id, key } = await ctx.params;
  const v = await getVolume(id);
  if (!v) return Response.json({ error: `no volume ${id}` }, { status: 404 });
  try {
    checkBackupKey(key);
    const { setting } = await probeVolume(v.metaUrl);
    const size = await backupSize(setting, v.storage, key);
    const body = await readBackup(setting, v.storage, key);
    return new Response(Readable.toWeb(body) as ReadableStream, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(size),
        "content-disposition": `attachment; filename="${key}"`,
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
