// Jobs as the browser sees them.
import { getDb } from "./db";
import type { JobView } from "../ui/views";

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof getDb>>["job"]["findFirst"]>>;

function toView(j: NonNullable<Row>): JobView {
  return {
    id: j.id,
    kind: j.kind,
    state: j.state as JobView["state"],
    title: j.title,
    volumeId: j.volumeId,
    params: JSON.parse(j.paramsJson || "{}"),
    done: j.done,
    total: j.total,
    phase: j.phase,
    log: j.log,
    result: j.resultJson ? JSON.parse(j.resultJson) : null,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export async function getJobView(id: string): Promise<JobView | null> {
  const db = await getDb();
  const j = await db.job.findUnique({ where: { id } });
  return j ? toView(j) : null;
}

export async function listJobViews(opts: { volumeId?: string; take?: number } = {}): Promise<JobView[]> {
  const db = await getDb();
  const rows = await db.job.findMany({
    where: opts.volumeId ? { volumeId: opts.volumeId } : undefined,
    orderBy: { createdAt: "desc" },
    take: opts.take ?? 100,
  });
  return rows.map(toView);
}
