import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/engines/load-claim.ts
import { randomUUID } from "node:crypto";
import os from "node:os";
import { z } from "zod";
var LoadOwnerSchema = z.object({
  tool: z.literal("jfsmeta"),
  /** Unique per load: tells this load's claim from another's. */
  token: z.string().min(8),
  pid: z.number().int(),
  host: z.string(),
  /** ISO 8601, the loader's clock. */
  started: z.string()
});
function newLoadOwner() {
  return { tool: "jfsmeta", token: randomUUID(), pid: process.pid, host: os.hostname(), started: (/* @__PURE__ */ new Date()).toISOString() };
}
function parseLoadOwner(raw) {
  if (raw === null || raw === void 0) return null;
  try {
    const parsed = LoadOwnerSchema.safeParse(JSON.parse(raw.toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
function clearCommand(redactedUrl) {
  return `jfsmeta load --clear-interrupted ${redactedUrl}`;
}
function ownerText(c) {
  const parts = [];
  if (c.owner) parts.push(`pid ${c.owner.pid} on ${c.owner.host}, started ${c.owner.started}`);
  if (c.detail) parts.push(c.detail);
  return parts.length ? ` (${parts.join("; ")})` : "";
}
var LoadClaimedError = class extends JfsError {
  constructor(claim, redactedUrl) {
    super(claim.state === "running" ? "busy" : "refused", claimMessage(claim, redactedUrl));
    this.claim = claim;
  }
  claim;
};
function claimMessage(c, redactedUrl) {
  if (c.state === "running") {
    return `another jfsmeta load into ${redactedUrl} is running${ownerText(c)}; only one load may run at a time: wait for it to finish, or stop it (Ctrl-C empties the database again)`;
  }
  return `${redactedUrl} holds what an interrupted jfsmeta load left${ownerText(c)}, marked by ${c.where}; the process is gone and no volume was committed. Remove exactly what that load wrote with: ${clearCommand(redactedUrl)}`;
}

export {
  newLoadOwner,
  parseLoadOwner,
  clearCommand,
  LoadClaimedError
};
