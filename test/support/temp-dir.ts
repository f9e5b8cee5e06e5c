// The one way for unit tests to get a temp dir: each is removed by the test run that made it.
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, onTestFinished } from "vitest";

/**
 * A fresh, private dir under the OS temp dir, named `<prefix>` plus random characters (give a
 * prefix like "jfsmeta-auth-"). It is removed also when a test or hook fails.
 *
 * - Inside a test (or beforeEach): made at once, removed when that test finishes.
 * - At the top level of a test file or in a describe body: the name is fixed at once (so it can
 *   go into process.env before modules are imported), the dir is made by a beforeAll and removed
 *   by an afterAll of that file or block. A filtered run that skips all its tests runs neither,
 *   so it leaves nothing behind. Use the dir from hooks and tests, not at import time.
 * - Not inside beforeAll/afterAll: Vitest takes no new hooks while running those.
 */
export function tempDir(prefix: string): string {
  const dir = path.join(os.tmpdir(), prefix + randomBytes(6).toString("base64url"));
  const make = () => void mkdirSync(dir, { mode: 0o700 });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // "can only be called inside a test": we are collecting the file.
    beforeAll(make);
    afterAll(remove);
    return dir;
  }
  make();
  return dir;
}
