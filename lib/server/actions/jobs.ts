"use server";
// Server actions that start and steer jobs. Each checks the session, validates its input
// with zod, and returns { jobId } or { error } (errors already free of secrets).
import { z } from "zod";
import { cancelJob } from "../jobs";
import { requireSession } from "../session";
import {
  KeyInputSchema,
  preflightRestore,
  RestoreRequestSchema,
  setStorageSecret,
  startBackupNow,
  startDump,
  startExport,
  startIndex,
  startRestore,
  type PreflightCheck,
} from "../tasks";
import { getVolume } from "../volumes";
import { startVerify } from "../verify";
import { audit } from "../db";
import { redactUrl } from "../../engines/open";
import { JfsError } from "../../jfs/errors";
import { actionError } from "../errors";

export type StartResult = { jobId?: string; error?: string };

const Id = z.string().min(1).max(64);

async function volumeOr(id: unknown) {
  const v = await getVolume(Id.parse(id));
  if (!v) throw new JfsError("not-found", `no volume ${String(id)}`);
  return v;
}

async function guard(fn: () => Promise<string>): Promise<StartResult> {
  try {
    return { jobId: await fn() };
  } catch (err) {
    return actionError(err);
  }
}

export async function startDumpAction(volumeId: string, req: unknown): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => startDump(await volumeOr(volumeId), req, actor));
}

export async function backupNowAction(volumeId: string): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => startBackupNow(await volumeOr(volumeId), actor));
}

export async function verifyBackupAction(volumeId: string, backup: string, key?: unknown): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => {
    const rsa = key ? KeyInputSchema.parse(key) : undefined;
    return (await startVerify(await volumeOr(volumeId), z.string().max(255).parse(backup), actor, { rsa })).id;
  });
}

export async function startIndexAction(volumeId: string, backup: string, key?: unknown): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => startIndex(await volumeOr(volumeId), z.string().max(255).parse(backup), key ? KeyInputSchema.parse(key) : undefined, actor));
}

export async function startExportAction(volumeId: string, req: unknown): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => startExport(await volumeOr(volumeId), req, actor));
}

export async function preflightAction(req: unknown): Promise<{ checks?: PreflightCheck[]; error?: string }> {
  const { actor } = await requireSession();
  try {
    const r = RestoreRequestSchema.parse(req);
    const v = await volumeOr(r.volumeId);
    const checks = await preflightRestore(v, r);
    const failed = checks.filter((c) => !c.ok).map((c) => c.label);
    await audit(actor, "restore-check", v.name, `${r.backup} → ${redactUrl(r.target)}: ${failed.length ? `failed: ${failed.join(", ")}` : "passed"}`);
    return { checks };
  } catch (err) {
    return actionError(err);
  }
}

export async function startRestoreAction(req: unknown): Promise<StartResult> {
  const { actor } = await requireSession();
  return guard(async () => {
    const r = RestoreRequestSchema.parse(req);
    return startRestore(await volumeOr(r.volumeId), r, actor);
  });
}

export async function setSecretAction(req: unknown): Promise<{ ok?: true; error?: string }> {
  const { actor } = await requireSession();
  try {
    await setStorageSecret(req, actor);
    return { ok: true };
  } catch (err) {
    return err instanceof z.ZodError ? { error: "the secret key is required" } : actionError(err);
  }
}

export async function cancelJobAction(jobId: string): Promise<{ ok: boolean }> {
  await requireSession();
  return { ok: cancelJob(Id.parse(jobId)) };
}
