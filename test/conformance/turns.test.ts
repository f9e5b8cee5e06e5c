// Turn-taking (issue #14, item 5): a running `juicefs gateway --backup-meta` and `jfsmeta backup
// --watch` on one volume share one schedule through the `lastBackup` xattr of inode 1, so that
// between them there is exactly one backup per interval, whoever takes it.
//
// JuiceFS reads and then writes lastBackup (no compare-and-set, docs/format/backups.md §1.2):
// should jfsmeta's claim land in the instant between the gateway's read and write (well under a
// millisecond on a local Redis, against polls ~300 ms apart), both would back up in that
// interval and this test would fail. That race is JuiceFS's (two JuiceFS clients have it too);
// jfsmeta's side of it is atomic (docs/compatibility.md).
import { readdirSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { juicefs, juicefsBin, startGateway, type Gateway } from "../support/juicefs";
import { freePort } from "../support/redis-server";
import { tempDir } from "../support/temp-dir";
import { spawnJfsmeta, startEngine, type EngineTarget } from "./harness";
import { parseBackupTime } from "../../lib/storage/retention";

const tmp = tempDir("jfsmeta-conformance-turns-");
/** Short, to keep the test's time small; JuiceFS and jfsmeta take it with SKIP_BACKUP_META_CHECK. */
const INTERVAL_MS = 3000;
const env = { SKIP_BACKUP_META_CHECK: "true" };
let redis: EngineTarget;

beforeAll(async () => {
  juicefsBin();
  redis = await startEngine("redis");
});
afterAll(async () => {
  await redis?.stop();
});

async function waitFor(what: string, done: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("a running juicefs gateway and jfsmeta backup --watch take turns: one backup per interval between them", async () => {
  const url = await redis.fresh();
  const bucket = path.join(tmp, "bucket");
  await juicefs(["format", url, "turns", "--storage", "file", "--bucket", bucket]);
  const metaDir = path.join(bucket, "turns", "meta");
  const names = () => {
    try {
      return readdirSync(metaDir).filter((n) => /^dump-\d{4}-\d\d-\d\d-\d{6}\.json\.gz$/.test(n)).sort();
    } catch {
      return [];
    }
  };

  const interval = `${INTERVAL_MS / 1000}s`;
  const watch = spawnJfsmeta(["backup", url, "--watch", "--interval", interval, "--json", "--quiet"], env);
  const results = () => watch.lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as { status: string; reason?: string; name?: string; message?: string });
  const ours = () => results().flatMap((r) => (r.status === "done" ? [r.name!] : []));
  const exited = once(watch.child, "exit");
  let gw: Gateway | undefined;
  try {
    // jfsmeta alone takes the first interval (there is no lastBackup yet)…
    await waitFor("jfsmeta's first backup", () => ours().length === 1);
    // …and the gateway, started within it, must leave it to jfsmeta.
    gw = await startGateway(url, await freePort(), { args: ["--backup-meta", interval], env });
    // With jfsmeta paused, the gateway takes the next interval: its claim is what jfsmeta reads next.
    watch.child.kill("SIGSTOP");
    try {
      await waitFor("a backup by the gateway", () => names().some((n) => !ours().includes(n)));
    } finally {
      watch.child.kill("SIGCONT");
    }
    // Both running, each polling every interval/10, for a few more intervals.
    await new Promise((r) => setTimeout(r, 2.5 * INTERVAL_MS));
  } finally {
    watch.child.kill("SIGTERM");
    await exited;
    await gw?.stop();
  }

  const all = names();
  const mine = ours();
  const theirs = all.filter((n) => !mine.includes(n));
  const seen = `backups ${all.join(", ")}; jfsmeta's ${mine.join(", ")}; jfsmeta said:\n${watch.stderr()}`;
  expect(results().filter((r) => r.status === "failed"), seen).toEqual([]);
  for (const n of mine) expect(all, seen).toContain(n);
  expect(mine.length, seen).toBeGreaterThanOrEqual(1);
  expect(theirs.length, seen).toBeGreaterThanOrEqual(1);
  expect(all.length, seen).toBeGreaterThanOrEqual(4);
  // Exactly one per interval: never two within one, never an interval left out (a poll is
  // interval/10 away, and the gateway's backup after jfsmeta's pause may take a moment longer).
  const times = all.map((n) => parseBackupTime(n)!.getTime());
  for (let i = 1; i < times.length; i++) {
    const gap = times[i] - times[i - 1];
    expect(gap, `${all[i - 1]} → ${all[i]}: ${seen}`).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(gap, `${all[i - 1]} → ${all[i]}: ${seen}`).toBeLessThanOrEqual(2 * INTERVAL_MS + 2000);
  }
});
