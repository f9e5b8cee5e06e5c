// A diff of two backups of a volume, or a backup and its live engine, streamed as NDJSON (one
// DiffEvent a line) while the two trees are walked: the first directories arrive at once, the
// totals last. The walk follows the reader (a pull per chunk), so a slow browser holds the
// server back instead of filling its memory; a closed connection stops the walk.
import { z } from "zod";
import { formatIssues } from "../../../lib/jfs/format";
import { diffTrees, type DiffSide } from "../../../lib/inspect";
import { errorMessage } from "../../../lib/jfs/errors";
import { checkBackupKey } from "../../../lib/server/backups";
import { errorResponse } from "../../../lib/server/errors";
import { routeAuthError } from "../../../lib/server/session";
import { diffSide } from "../../../lib/server/sources";
import { getVolume } from "../../../lib/server/volumes";

export const dynamic = "force-dynamic";

/** "live", or a backup's name under meta/. */
const SideSchema = z.string().min(1).max(255).refine((s) => s === "live" || /^[A-Za-z0-9._-]+$/.test(s), "must be live or a backup name");

const DiffQuerySchema = z.object({
  volume: z.string().min(1).max(64),
  a: SideSchema,
  b: SideSchema,
  /** A directory below the root to compare on both sides. */
  subdir: z.string().max(4096).optional(),
});

/** Events sent per chunk at most: one pull of the stream. */
const EVENTS_PER_CHUNK = 256;

export async function GET(req: Request) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const parsed = DiffQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return Response.json({ error: formatIssues(parsed.error) }, { status: 400 });
  const q = parsed.data;
  const v = await getVolume(q.volume);
  if (!v) return Response.json({ error: `no volume ${q.volume}` }, { status: 404 });
  const sides: DiffSide[] = [];
  let events: AsyncGenerator<unknown>;
  try {
    for (const s of [q.a, q.b]) sides.push(await diffSide(v, s === "live" ? null : checkBackupKey(s)));
    const subdir = q.subdir?.trim() || undefined;
    const topPath = subdir ? `/${subdir.split("/").filter(Boolean).join("/")}` : "/";
    // Resolving the tops here makes a missing --subdir a 404, not a broken stream.
    const [ta, tb] = [await sides[0].top(subdir), await sides[1].top(subdir)];
    events = diffTrees(sides[0], ta, sides[1], tb, { signal: req.signal, topPath, progressEvery: 20_000 });
  } catch (err) {
    await Promise.all(sides.map((s) => s.close().catch(() => undefined)));
    return errorResponse(err);
  }
  const enc = new TextEncoder();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await events.return(undefined).catch(() => undefined);
    await Promise.all(sides.map((s) => s.close().catch(() => undefined)));
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = "";
      try {
        for (let i = 0; i < EVENTS_PER_CHUNK; i++) {
          const r = await events.next();
          if (r.done) {
            if (text) controller.enqueue(enc.encode(text));
            controller.close();
            await close();
            return;
          }
          text += JSON.stringify(r.value) + "\n";
          // Progress is worth sending at once (a sparse diff may walk long before its first change).
          if ((r.value as { kind: string }).kind === "progress" || text.length > 32_768) break;
        }
      } catch (err) {
        // A browser that left has cancelled the stream already: nothing to tell it.
        if (!closed) {
          controller.enqueue(enc.encode(text + JSON.stringify({ kind: "error", message: errorMessage(err) }) + "\n"));
          controller.close();
        }
        await close();
        return;
      }
      if (!closed) controller.enqueue(enc.encode(text));
    },
    cancel: close,
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
}
