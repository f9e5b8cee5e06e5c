// Long work (dump, restore, indexing a backup) runs as a server-side job: started by a
// server action, its progress, log and result are persisted in the store so a page reload
// (or another browser) sees the same state; cancel goes through an AbortController.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { redactUrl } from "../engines/open";
import { redactUrlsIn } from "../engines/url";
import { dataPath, DATA_DIR_MODE } from "./config";
import { getDb } from "./db";
import { JfsError, logIgnored } from "../jfs/errors";

export type JobKind = "dump" | "restore" | "export" | "index" | "backup" | "verify";
export type JobState = "running" | "succeeded" | "failed" | "cancelled" | "interrupted";

export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  /** A private directory for the job's files (downloads). */
  readonly dir: string;
  progress(done: number, total: number, phase?: string): void;
  log(line: string): void;
}

const LOG_LIMIT = 64 * 1024;
const FLUSH_MS = 400;

type Registry = { controllers: Map<string, AbortController>; recovered: boolean };
const g = globalThis as unknown as { __jfsmetaJobs?: Registry };
const registry: Registry = (g.__jfsmetaJobs ??= { controllers: new Map(), recovered: false });

/** Secrets must not reach a log: passwords in URLs and key=value secrets are masked. */
export function redactLine(line: string): string {
  return redactUrlsIn(redactUrl(line)).replace(/((?:secret|password|passphrase|token)[a-z_-]*["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1****");
}

/** Jobs that were running when the process stopped can never finish: say so. */
export async function recoverInterruptedJobs(): Promise<void> {
  if (registry.recovered) return;
  registry.recovered = true;
  const db = await getDb();
  await db.job.updateMany({
    where: { state: "running" },
    data: { state: "interrupted", error: "the server stopped while this job was running", finishedAt: new Date() },
  });
}

/** Job files (downloads) are kept this long; the job's record and log stay. */
export const JOB_FILES_TTL_MS = 7 * 24 * 3600 * 1000;

/** Delete job directories older than the TTL (start-up housekeeping). */
export async function pruneJobFiles(now = Date.now()): Promise<string[]> {
  const root = dataPath("jobs");
  const removed: string[] = [];
  // No jobs directory yet means nothing to sweep; an entry gone meanwhile was swept by another.
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    const st = await stat(dir).catch(() => null);
    if (st?.isDirectory() && now - st.mtimeMs > JOB_FILES_TTL_MS && !registry.controllers.has(name)) {
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

export async function startJob(
  spec: { kind: JobKind; title: string; volumeId?: string | null; params?: Record<string, unknown> },
  run: (ctx: JobContext) => Promise<unknown>,
): Promise<string> {
  await recoverInterruptedJobs();
  const db = await getDb();
  const id = randomUUID();
  const dir = dataPath("jobs", id);
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  await db.job.create({
    data: {
      id,
      kind: spec.kind,
      state: "running",
      title: spec.title,
      volumeId: spec.volumeId ?? null,
      paramsJson: JSON.stringify(spec.params ?? {}),
      startedAt: new Date(),
    },
  });
  const controller = new AbortController();
  registry.controllers.set(id, controller);

  let log = "";
  let progress = { done: 0, total: 0, phase: "starting" };
  let dirty = false;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (!dirty) return writing;
    dirty = false;
    const data = { done: progress.done, total: progress.total, phase: progress.phase, log };
    writing = writing.then(() => db.job.update({ where: { id }, data }).catch((err) => logIgnored(`saving job ${id}'s progress`, err)));
    return writing;
  };
  const timer = setInterval(flush, FLUSH_MS);
  const ctx: JobContext = {
    id,
    signal: controller.signal,
    dir,
    progress(done, total, phase) {
      progress = { done, total, phase: phase ?? progress.phase };
      dirty = true;
    },
    log(line) {
      const stamped = `${new Date().toISOString().slice(11, 19)} ${redactLine(line)}\n`;
      log = (log + stamped).slice(-LOG_LIMIT);
      dirty = true;
    },
  };

  void (async () => {
    let state: JobState = "succeeded";
    let result: unknown = null;
    let error: string | null = null;
    try {
      ctx.log(`started: ${redactLine(spec.title)}`);
      result = await run(ctx);
      ctx.log("finished");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      state = controller.signal.aborted ? "cancelled" : "failed";
      error = redactLine(controller.signal.aborted ? `cancelled: ${message}` : message);
      ctx.log(`${state}: ${error}`);
    } finally {
      clearInterval(timer);
      registry.controllers.delete(id);
      dirty = true;
      await flush();
      await db.job
        .update({
          where: { id },
          data: {
            state,
            error,
            resultJson: result == null ? null : JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
            finishedAt: new Date(),
          },
        })
        .catch((err) => logIgnored(`saving job ${id}'s outcome (${state})`, err));
    }
  })();
  return id;
}

export function cancelJob(id: string): boolean {
  const c = registry.controllers.get(id);
  if (!c) return false;
  c.abort(new JfsError("interrupted", "cancelled by the operator"));
  return true;
}

export function isJobLive(id: string): boolean {
  return registry.controllers.has(id);
}
