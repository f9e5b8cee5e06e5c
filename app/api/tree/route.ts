// Paged tree data for the inspector: roots, one page of a directory's children, one entry, or a
// page of what Find found.
import { z } from "zod";
import { formatIssues } from "../../../lib/jfs/format";
import { ChildrenQuerySchema, EntryQuerySchema, FindQuerySchema } from "../../../lib/inspect";
import { errorResponse } from "../../../lib/server/errors";
import { routeAuthError } from "../../../lib/server/session";
import { treeSource } from "../../../lib/server/sources";
import { getVolume } from "../../../lib/server/volumes";

export const dynamic = "force-dynamic";

const BaseSchema = z.object({
  volume: z.string().min(1).max(64),
  backup: z.string().max(255).optional(),
  op: z.enum(["roots", "children", "entry", "find"]),
});

export async function GET(req: Request) {
  const denied = await routeAuthError();
  if (denied) return denied;
  const q = Object.fromEntries(new URL(req.url).searchParams);
  const base = BaseSchema.safeParse(q);
  if (!base.success) return Response.json({ error: formatIssues(base.error) }, { status: 400 });
  const v = await getVolume(base.data.volume);
  if (!v) return Response.json({ error: `no volume ${base.data.volume}` }, { status: 404 });
  try {
    const src = await treeSource(v, base.data.backup || null);
    if (base.data.op === "roots") return Response.json({ roots: await src.roots() });
    if (base.data.op === "children") {
      const c = ChildrenQuerySchema.parse(q);
      return Response.json(await src.children(c.dirId, c.offset, c.limit, c.filter || undefined));
    }
    if (base.data.op === "find") return Response.json(await src.find(FindQuerySchema.parse(q)));
    const e = EntryQuerySchema.parse({ dirId: q.dirId || null, name: q.name });
    return Response.json(await src.entry(e.dirId ?? null, e.name));
  } catch (err) {
    return errorResponse(err);
  }
}
