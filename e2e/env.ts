// Shared settings of the e2e run: one server (built once) on a fixed port with a throwaway
// data directory and a known password.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3217);
/** The server's data dir, made afresh by the webServer command and removed by global-teardown.ts. */
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `jfsmeta-e2e-${E2E_PORT}`);
export const E2E_PASSWORD = process.env.E2E_PASSWORD ?? "e2e-Correct-Horse-9";
export const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
/**
 * Where the run's screenshots go: docs/screenshots/ (tracked, shown in the README) only when
 * E2E_REFRESH_SCREENSHOTS=1 asks to refresh them, else test-results/screenshots/, so a test
 * run leaves the checkout clean.
 */
export const SCREENSHOTS =
  process.env.E2E_REFRESH_SCREENSHOTS === "1" ? path.join(ROOT, "docs", "screenshots") : path.join(ROOT, "test-results", "screenshots");
/** The demo volume's live metadata engine. */
export const DEMO_META_URL = `sqlite3://${path.join(E2E_DATA_DIR, "demo", "meta.db")}`;
export const DEMO_META_DIR = path.join(E2E_DATA_DIR, "demo", "bucket", "demo", "meta");
/** The bearer token /metrics wants in the e2e run. */
export const E2E_METRICS_TOKEN = "e2e-metrics-token-7f3a";
