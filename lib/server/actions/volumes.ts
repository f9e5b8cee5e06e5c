"use server";
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formatIssues } from "../../jfs/format";
import { requireSession } from "../session";
import { audit } from "../db";
import { saveBackupPolicy } from "../records";
import { addVolume, getVolume, removeVolume, testConnection, updateVolume, VOLUME_FIELD_LABELS, VolumeInputSchema, type ConnectionTest } from "../volumes";
import { actionError } from "../errors";

export type AddVolumeState = { error?: string; tested?: ConnectionTest };

function formInput(form: FormData) {
  const opt = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" && v.trim() !== "" ? v : undefined;
  };
  return {
    metaUrl: String(form.get("metaUrl") ?? ""),
    name: opt("name"),
    backupInterval: opt("backupInterval") ?? "1h",
    storage: { bucket: opt("bucket"), endpoint: opt("endpoint"), accessKey: opt("accessKey"), secretKey: opt("secretKey") },
  };
}

export async function addVolumeAction(_prev: AddVolumeState | undefined, form: FormData): Promise<AddVolumeState> {
  const { actor } = await requireSession();
  const raw = formInput(form);
  const parsed = VolumeInputSchema.safeParse(raw);
  if (!parsed.success) return { error: formatIssues(parsed.error, VOLUME_FIELD_LABELS) };
  let id: string;
  try {
    if (form.get("intent") === "test") {
      try {
        return { tested: await testConnection(parsed.data) };
      } catch (err) {
        // Say which part failed: here the metadata engine, so the storage was not reached.
        const failed = actionError(err);
        return { error: `Metadata engine: ${failed.error} (object storage not checked: its address is in the volume's setting)` };
      }
    }
    ({ id } = await addVolume(raw, actor));
  } catch (err) {
    return actionError(err);
  }
  revalidatePath("/");
  redirect(`/volumes/${id}`);
}

export async function removeVolumeAction(form: FormData): Promise<void> {
  const { actor } = await requireSession();
  const id = z.string().min(1).max(64).parse(form.get("id"));
  await removeVolume(id, actor);
  revalidatePath("/");
  redirect("/");
}

export async function updateVolumeAction(id: string, raw: unknown): Promise<{ ok?: true; error?: string }> {
  const { actor } = await requireSession();
  try {
    await updateVolume(z.string().min(1).max(64).parse(id), raw, actor);
  } catch (err) {
    if (err instanceof z.ZodError) return { error: formatIssues(err, VOLUME_FIELD_LABELS) };
    return actionError(err);
  }
  revalidatePath(`/volumes/${id}`);
  return { ok: true };
}

export async function saveBackupPolicyAction(id: string, raw: unknown): Promise<{ ok?: true; error?: string }> {
  const { actor } = await requireSession();
  try {
    const v = await getVolume(z.string().min(1).max(64).parse(id));
    if (!v) return { error: `no volume ${id}` };
    const p = await saveBackupPolicy(v.id, raw);
    await audit(actor, "backup-policy", v.name, JSON.stringify(p));
  } catch (err) {
    if (err instanceof z.ZodError) return { error: formatIssues(err, { consistent: "Consistent", maxOps: "--max-ops", maxLatencyMs: "--max-latency" }) };
    return actionError(err);
  }
  revalidatePath(`/volumes/${id}`);
  return { ok: true };
}
