import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import type { VolumeView } from "../ui/views";

process.env.JFSMETA_DATA_DIR = tempDir("jfsmeta-alerts-");
process.env.JFSMETA_WEBHOOK_RETRY_MS = "10";
delete process.env.DATABASE_URL;

type Alerts = typeof import("./alerts");
let alerts: Alerts;
let db: typeof import("./db");

/** A webhook receiver answering with the statuses given in turn (then 200). */
function receiver(statuses: number[]) {
  const got: { headers: IncomingMessage["headers"]; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = statuses.shift() ?? 200;
      res.end("ok");
    });
  });
  const ready = new Promise<string>((r) => server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/token123`)));
  return { got, ready, close: () => new Promise((r) => server.close(r)) };
}

beforeAll(async () => {
  alerts = await import("./alerts");
  db = await import("./db");
});

const view = (over: Partial<VolumeView>): VolumeView =>
  ({
    id: "v1",
    name: "vol",
    now: "2026-12-06T08:00:00.000Z",
    backups: [],
    health: { level: "ok", newestAt: "2026-12-06T06:00:00.000Z", newestAgeSeconds: 7200, issues: [] },
    ...over,
  }) as VolumeView;

describe("alertsOf", () => {
  it("turns late, stale, skipped, shrunk and failed verifies into keyed alerts", () => {
    const v = view({
      health: {
        level: "critical",
        newestAt: "2026-12-06T06:00:00.000Z",
        newestAgeSeconds: 7200,
        issues: [
          { level: "warn", code: "late", title: "late", detail: "d" },
          { level: "critical", code: "skipped-too-many-inodes", title: "skipped", detail: "d" },
          { level: "critical", code: "listing-failed", title: "x", detail: "d" },
        ],
      },
      backups: [
        { key: "a", shrank: true, size: 10, verify: null },
        { key: "b", shrank: false, size: 10, verify: { state: "failed", at: null, detail: "bad", jobId: null } },
        { key: "c", shrank: false, size: 10, verify: { state: "ok", at: null, detail: "", jobId: null } },
      ] as VolumeView["backups"],
    });
    expect(alerts.alertsOf(v).map((a) => a.key)).toEqual(["late:v1:2026-12-06T06:00:00.000Z", "skipped:v1", "shrunk:v1:a", "verify-failed:v1:b"]);
    const stale = view({ health: { level: "critical", newestAt: "x", newestAgeSeconds: 1, issues: [{ level: "critical", code: "stale", title: "t", detail: "d" }] } });
    expect(alerts.alertsOf(stale).map((a) => a.kind)).toEqual(["late"]);
  });
});

describe("webhook delivery", () => {
  it("signs the body with the secret, retries 5xx, and records the delivery in the audit log", async () => {
    const r = receiver([500, 502]);
    const url = await r.ready;
    try {
      await alerts.saveWebhook({ url, secret: "s3cr3t" }, "tester");
      const store = await db.getDb();
      const row = await store.webhook.findUniqueOrThrow({ where: { id: "default" } });
      expect(row.secret).not.toContain("s3cr3t");
      expect(row.secret.startsWith("jfsmeta-sealed:")).toBe(true);
      expect(await alerts.getWebhook()).toMatchObject({ url, hasSecret: true });

      const res = await alerts.sendTest("tester");
      expect(res).toEqual({ ok: true, attempts: ["HTTP 500", "HTTP 502", "HTTP 200"] });
      expect(r.got).toHaveLength(3);
      for (const g of r.got) {
        const want = `sha256=${createHmac("sha256", "s3cr3t").update(g.body).digest("hex")}`;
        expect(g.headers["x-jfsmeta-signature-256"]).toBe(want);
        expect(g.headers["x-jfsmeta-event"]).toBe("test");
        expect(JSON.parse(g.body)).toMatchObject({ kind: "test", title: "jfsmeta test alert" });
      }
      const audit = await store.audit.findMany({ where: { action: "webhook" } });
      expect(audit.at(-1)!.detail).toMatch(/^delivered to http:\/\/127\.0\.0\.1:\d+\/… after 3 attempts: HTTP 500, HTTP 502, HTTP 200$/);
      // Neither the secret nor the hook's path (which often carries a token) is logged.
      const all = JSON.stringify(await store.audit.findMany());
      expect(all).not.toContain("s3cr3t");
      expect(all).not.toContain("token123");

      // A 4xx is the receiver's refusal: not retried.
      r.got.length = 0;
      const r2 = receiver([404]);
      await alerts.saveWebhook({ url: await r2.ready }, "tester");
      expect(await alerts.getWebhook()).toMatchObject({ hasSecret: true });
      expect(await alerts.sendTest("tester")).toEqual({ ok: false, attempts: ["HTTP 404"] });
      await r2.close();
      // Nobody listening: every attempt fails, the delivery is recorded as failed.
      const dead = await alerts.sendTest("tester");
      expect(dead.ok).toBe(false);
      expect(dead.attempts).toHaveLength(alerts.DELIVERY_ATTEMPTS);
      expect((await store.audit.findMany({ where: { action: "webhook" }, orderBy: { id: "desc" }, take: 1 }))[0].detail).toMatch(/^failed/);
    } finally {
      await r.close();
    }
  });

  it("announces a condition once, and again only after it cleared", async () => {
    const r = receiver([]);
    try {
      await alerts.saveWebhook({ url: await r.ready, clearSecret: true }, "tester");
      const late = alerts.alertsOf(view({ health: { level: "warn", newestAt: "n1", newestAgeSeconds: 1, issues: [{ level: "warn", code: "late", title: "t", detail: "d" }] } }));
      expect(await alerts.announce(late, ["v1"])).toHaveLength(1);
      expect(await alerts.announce(late, ["v1"])).toHaveLength(0);
      expect(r.got).toHaveLength(1);
      expect(r.got[0].headers["x-jfsmeta-signature-256"]).toBeUndefined();
      await alerts.announce([], ["v1"]);
      expect(await alerts.announce(late, ["v1"])).toHaveLength(1);
      expect(r.got.map((g) => JSON.parse(g.body).kind)).toEqual(["late", "late"]);
    } finally {
      await r.close();
    }
  });

  it("refuses a URL that is not http(s)", async () => {
    await expect(alerts.saveWebhook({ url: "file:///etc/passwd" }, "t")).rejects.toThrow(/http/);
  });
});

afterAll(async () => {
  const store = await db.getDb();
  await store.$disconnect();
});
