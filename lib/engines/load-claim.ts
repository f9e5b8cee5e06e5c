// A load's claim on its target database: what makes two loads into one empty database
// exclusive, and what lets a later run tell a running load from one that was killed.
//
// Each engine claims atomically in beginLoad() and ties the claim to something the server ends
// when the loading process dies (a named Redis connection, a MariaDB GET_LOCK, a PostgreSQL
// advisory lock, SQLite's write lock), so "still running" is never guessed from a clock or a pid.
// Where a claim must outlive a crash to be found again (Redis keys, MariaDB's committed DDL), the
// engine also writes an owner record; this file is its one format and the messages built on it.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { z } from "zod";
import { JfsError } from "../jfs/errors";

/** Who claimed a database for a load: written by the loader, read back by anyone. */
export const LoadOwnerSchema = z.object({
  tool: z.literal("jfsmeta"),
  /** Unique per load: tells this load's claim from another's. */
  token: z.string().min(8),
  pid: z.number().int(),
  host: z.string(),
  /** ISO 8601, the loader's clock. */
  started: z.string(),
});
export type LoadOwner = z.infer<typeof LoadOwnerSchema>;

export function newLoadOwner(): LoadOwner {
  return { tool: "jfsmeta", token: randomUUID(), pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
}

/** The owner record stored by a load, or null when it is not one of ours (never throws). */
export function parseLoadOwner(raw: string | Buffer | null | undefined): LoadOwner | null {
  if (raw === null || raw === undefined) return null;
  try {
    const parsed = LoadOwnerSchema.safeParse(JSON.parse(raw.toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A claim found on a database. */
export interface LoadClaim {
  /** running: its process still holds the engine's lock; interrupted: the process is gone. */
  state: "running" | "interrupted";
  /** Null when the claim carries no readable owner record (PostgreSQL tells only a session). */
  owner: LoadOwner | null;
  /** Where the claim sits, e.g. `key "jfsmetaLoad"`, `table jfs_jfsmeta_load`. */
  where: string;
  /** What else the engine knows of the holder (a PostgreSQL session's client and start). */
  detail?: string;
}

/** What clearing an interrupted load removed. */
export interface ClearResult {
  /** Nothing was found to clear (the message says why). */
  cleared: boolean;
  message: string;
}

/** The one command that clears an interrupted load of `redactedUrl`. */
export function clearCommand(redactedUrl: string): string {
  return `jfsmeta load --clear-interrupted ${redactedUrl}`;
}

function ownerText(c: LoadClaim): string {
  const parts: string[] = [];
  if (c.owner) parts.push(`pid ${c.owner.pid} on ${c.owner.host}, started ${c.owner.started}`);
  if (c.detail) parts.push(c.detail);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/**
 * A load refused because of a claim: `busy` while the other load runs (try later), `refused`
 * when an interrupted load's leftovers must be cleared first.
 */
export class LoadClaimedError extends JfsError {
  constructor(
    readonly claim: LoadClaim,
    redactedUrl: string,
  ) {
    super(claim.state === "running" ? "busy" : "refused", claimMessage(claim, redactedUrl));
  }
}

export function claimMessage(c: LoadClaim, redactedUrl: string): string {
  if (c.state === "running") {
    return `another jfsmeta load into ${redactedUrl} is running${ownerText(c)}; only one load may run at a time: wait for it to finish, or stop it (Ctrl-C empties the database again)`;
  }
  return (
    `${redactedUrl} holds what an interrupted jfsmeta load left${ownerText(c)}, marked by ${c.where}; ` +
    `the process is gone and no volume was committed. Remove exactly what that load wrote with: ${clearCommand(redactedUrl)}`
  );
}
