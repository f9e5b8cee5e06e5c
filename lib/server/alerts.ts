// Alerts out of the browser: the dashboard's webhook, called when a volume's newest backup is
// late, automatic backups are skipped (> 1M inodes at ≤ 1 h), a backup shrank, or a backup
// fails its verify. What is wrong comes from the same health verdict the pages show
// (./health via volumeView); each condition is announced once (AlertSent) until it clears.
//
// A delivery is a POST of a JSON body. With a secret, the header X-Jfsmeta-Signature-256 is
// `sha256=` + hex HMAC-SHA256 of the exact body bytes under the secret (as GitHub signs its
// webhooks): the receiver recomputes it over the raw body and compares in constant time.
// Network errors, 5xx and 429 are retried with doubling waits; every delivery, with each
// attempt's outcome, goes into the audit log. The secret is sealed (./secretbox) and never
// shown again.
import { createHmac, randomUUID } from "node:crypto";
import { z } from "zod";
import { audit, getDb } from "./db";
import { doublingDelay } from "./backoff";
import { seal, unseal } from "./secretbox";
import type { VolumeView } from "../ui/views";
import { errorMessage, JfsError, logIgnored } from "../jfs/errors";

export const ALERT_KINDS = ["late", "skipped", "shrunk", "verify-failed"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What a webhook receives (the body's JSON). */
export interface AlertEvent {
  /** "test" for the "Send test" button. */
  kind: AlertKind | "test";
  volume: string | null;
  volumeId: string | null;
  /** The backup the alert is about, when there is one. */
  backup: string | null;
  title: string;
  detail: string;
  at: string;
}

/** An alert with the key that says "the same condition" across checks. */
export interface ActiveAlert extends AlertEvent {
  kind: AlertKind;
  key: string;
}

export const SIGNATURE_HEADER = "X-Jfsmeta-Signature-256";
const WEBHOOK_ID = "default";
const WHERE = `Webhook.secret:${WEBHOOK_ID}`;
/** Attempts per delivery, and the first wait between them (doubling, at most 1 min). */
export const DELIVERY_ATTEMPTS = 4;
const FIRST_RETRY_MS = Number(process.env.JFSMETA_WEBHOOK_RETRY_MS ?? 2000);
const ATTEMPT_TIMEOUT_MS = 10_000;

/** `sha256=<hex>`: HMAC-SHA256 of the body bytes under the secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * The alerts a volume's page shows, as events with their dedup keys. Pure: the page's health
 * verdict and backup rows in, alerts out. Late and stale are one kind ("late"), keyed by the
 * newest backup (a new backup that is late again is a new alert); skipped is keyed by the
 * volume; shrunk and verify-failed by the backup.
 */
export function alertsOf(v: VolumeView): ActiveAlert[] {
  const out: ActiveAlert[] = [];
  const base = { volume: v.name, volumeId: v.id, at: v.now };
  for (const i of v.health.issues) {
    if (i.code === "late" || i.code === "stale") {
      out.push({ ...base, kind: "late", key: `late:${v.id}:${v.health.newestAt}`, backup: null, title: `${v.name}: ${i.title}`, detail: i.detail });
    } else if (i.code === "skipped-too-many-inodes") {
      out.push({ ...base, kind: "skipped", key: `skipped:${v.id}`, backup: null, title: `${v.name}: ${i.title}`, detail: i.detail });
    }
  }
  for (const b of v.backups ?? []) {
    if (b.shrank) {
      out.push({
        ...base,
        kind: "shrunk",
        key: `shrunk:${v.id}:${b.key}`,
        backup: b.key,
        title: `${v.name}: backup ${b.key} shrank to under half of the backups before it`,
        detail: `${b.size.toLocaleString("en-US")} bytes. A sudden drop usually means the metadata engine lost data: inspect it before trusting it.`,
      });
    }
    if (b.verify?.state === "failed") {
      out.push({
        ...base,
        kind: "verify-failed",
        key: `verify-failed:${v.id}:${b.key}`,
        backup: b.key,
        title: `${v.name}: backup ${b.key} failed verification`,
        detail: b.verify.detail,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- configuration

export const WebhookInputSchema = z.object({
  url: z
    .string()
    .trim()
    .max(2048)
    .refine((u) => {
      try {
        return ["http:", "https:"].includes(new URL(u).protocol);
      } catch {
        return false;
      }
    }, "must be an http:// or https:// URL"),
  /** Blank keeps the stored secret. */
  secret: z.string().max(1024).optional(),
  /** Drop the stored secret (deliveries unsigned). */
  clearSecret: z.boolean().optional(),
});

export interface WebhookView {
  url: string;
  hasSecret: boolean;
  updatedAt: string;
}

/** The URL as the audit log shows it: origin only (hook URLs often carry a token in the path). */
export function urlForLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}/…`;
  } catch {
    return "(invalid URL)";
  }
}

export async function getWebhook(): Promise<WebhookView | null> {
  const db = await getDb();
  const w = await db.webhook.findUnique({ where: { id: WEBHOOK_ID } });
  return w ? { url: w.url, hasSecret: w.secret !== "", updatedAt: w.updatedAt.toISOString() } : null;
}

export async function saveWebhook(raw: unknown, actor: string): Promise<void> {
  const input = WebhookInputSchema.parse(raw);
  const db = await getDb();
  const old = await db.webhook.findUnique({ where: { id: WEBHOOK_ID } });
  const secret = input.clearSecret ? "" : input.secret ? seal(input.secret, WHERE) : (old?.secret ?? "");
  const data = { url: input.url, secret, updatedAt: new Date() };
  await db.webhook.upsert({ where: { id: WEBHOOK_ID }, create: { id: WEBHOOK_ID, ...data }, update: data });
  await audit(actor, "webhook-set", urlForLog(input.url), secret ? "signed (secret stored sealed)" : "unsigned (no secret)");
}

export async function removeWebhook(actor: string): Promise<void> {
  const db = await getDb();
  await db.webhook.deleteMany({ where: { id: WEBHOOK_ID } });
  await audit(actor, "webhook-remove", "webhook");
}

// ---------------------------------------------------------------- delivery

export interface DeliveryResult {
  ok: boolean;
  /** Each attempt: "HTTP 500", "connection refused"… */
  attempts: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref?.());

/**
 * POST `event` to the webhook, retrying network errors, 5xx and 429; one audit entry for the
 * delivery. Resolves (never rejects) with what happened; null when no webhook is set.
 */
export async function deliver(event: AlertEvent, actor = "system"): Promise<DeliveryResult | null> {
  const db = await getDb();
  const w = await db.webhook.findUnique({ where: { id: WEBHOOK_ID } });
  if (!w) return null;
  const body = JSON.stringify({ ...event, delivery: randomUUID() });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "jfsmeta-webhook/1",
    "x-jfsmeta-event": event.kind,
  };
  let secretError: string | null = null;
  try {
    if (w.secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(body, unseal(w.secret, WHERE));
  } catch (err) {
    secretError = errorMessage(err);
  }
  const attempts: string[] = [];
  let ok = false;
  if (secretError) attempts.push(`not sent: ${secretError}`);
  for (let n = 1; !secretError && n <= DELIVERY_ATTEMPTS; n++) {
    let retry = true;
    try {
      const r = await fetch(w.url, { method: "POST", body, headers, redirect: "manual", signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      await r.body?.cancel().catch(() => undefined);
      attempts.push(`HTTP ${r.status}`);
      ok = r.status >= 200 && r.status < 300;
      retry = r.status >= 500 || r.status === 429;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      attempts.push(cause?.code ?? cause?.message ?? errorMessage(err));
    }
    if (ok || !retry) break;
    if (n < DELIVERY_ATTEMPTS) await sleep(doublingDelay(n, FIRST_RETRY_MS, 60_000));
  }
  const target = `${event.kind}${event.volume ? ` ${event.volume}` : ""}${event.backup ? ` ${event.backup}` : ""}`;
  const detail = `${ok ? "delivered" : "failed"} to ${urlForLog(w.url)} after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"}: ${attempts.join(", ")}`;
  await audit(actor, "webhook", target, detail).catch((err) => logIgnored("recording a webhook delivery", err));
  return { ok, attempts };
}

/** The "Send test" button: a delivery of kind "test", with its outcome. */
export async function sendTest(actor: string): Promise<DeliveryResult> {
  const r = await deliver(
    { kind: "test", volume: null, volumeId: null, backup: null, title: "jfsmeta test alert", detail: "Sent by the dashboard's Send test button.", at: new Date().toISOString() },
    actor,
  );
  if (!r) throw new JfsError("usage", "no webhook is set: save a URL first");
  return r;
}

/**
 * Announce the alerts not yet announced, and forget the announced ones that cleared (so they
 * are announced again if they come back). `checked` names the volumes evaluated: alerts of
 * other volumes are left alone.
 */
export async function announce(active: ActiveAlert[], checked: string[]): Promise<ActiveAlert[]> {
  const db = await getDb();
  const sent = await db.alertSent.findMany({ where: { volumeId: { in: checked } } });
  const known = new Set(sent.map((s) => s.key));
  const keys = new Set(active.map((a) => a.key));
  const cleared = sent.filter((s) => !keys.has(s.key)).map((s) => s.key);
  if (cleared.length) await db.alertSent.deleteMany({ where: { key: { in: cleared } } });
  const fresh = active.filter((a) => !known.has(a.key));
  if (!fresh.length || !(await getWebhook())) return [];
  for (const a of fresh) await sendOnce(a);
  return fresh;
}

/** Deliver an alert unless its key was announced already (claimed first, so two checks at once send it once). */
export async function sendOnce(a: ActiveAlert): Promise<boolean> {
  const db = await getDb();
  if (!(await getWebhook())) return false;
  const claimed = await db.alertSent
    .create({ data: { key: a.key, kind: a.kind, volumeId: a.volumeId ?? "" } })
    .then(() => true)
    .catch(() => false);
  if (!claimed) return false;
  await deliver({ kind: a.kind, volume: a.volume, volumeId: a.volumeId, backup: a.backup, title: a.title, detail: a.detail, at: a.at });
  return true;
}
