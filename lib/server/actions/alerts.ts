"use server";
// The alerts page's actions: set or remove the webhook, send a test delivery.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formatIssues } from "../../jfs/format";
import { removeWebhook, saveWebhook, sendTest } from "../alerts";
import { actionError } from "../errors";
import { requireSession } from "../session";

export async function saveWebhookAction(raw: unknown): Promise<{ ok?: true; error?: string }> {
  const { actor } = await requireSession();
  try {
    await saveWebhook(raw, actor);
  } catch (err) {
    if (err instanceof z.ZodError) return { error: formatIssues(err, { url: "Webhook URL", secret: "Secret" }) };
    return actionError(err);
  }
  revalidatePath("/alerts");
  return { ok: true };
}

export async function removeWebhookAction(): Promise<{ ok?: true; error?: string }> {
  const { actor } = await requireSession();
  try {
    await removeWebhook(actor);
  } catch (err) {
    return actionError(err);
  }
  revalidatePath("/alerts");
  return { ok: true };
}

export async function sendTestAction(): Promise<{ ok?: boolean; attempts?: string[]; error?: string }> {
  const { actor } = await requireSession();
  try {
    const r = await sendTest(actor);
    revalidatePath("/alerts");
    return r;
  } catch (err) {
    return actionError(err);
  }
}
