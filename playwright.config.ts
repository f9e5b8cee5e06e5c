// End-to-end tests of the dashboard with Debian's Chromium (no browser download here).
// One production build, one server with a throwaway data directory; tests run in order.
import { defineConfig } from "@playwright/test";
import { E2E_DATA_DIR, E2E_METRICS_TOKEN, E2E_PASSWORD, E2E_PORT } from "./e2e/env";

export default defineConfig({
  testDir: "e2e",
  // Removes the data dir the webServer command makes (the server is idle by then).
  globalTeardown: "./e2e/global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    // A fresh data directory every run, so the demo volume is made from scratch.
    command: `rm -rf "${E2E_DATA_DIR}" && node scripts/start.mjs`,
    url: `http://127.0.0.1:${E2E_PORT}/login`,
    timeout: 300_000,
    reuseExistingServer: process.env.E2E_REUSE === "1",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(E2E_PORT),
      HOST: "127.0.0.1",
      JFSMETA_DATA_DIR: E2E_DATA_DIR,
      JFSMETA_PASSWORD: E2E_PASSWORD,
      JFSMETA_REBUILD: process.env.E2E_SKIP_BUILD === "1" ? "0" : "1",
      NEXT_TELEMETRY_DISABLED: "1",
      // Keep the demo's listing still while tests count its backups.
      JFSMETA_DEMO_BACKUPS: "0",
      JFSMETA_METRICS_TOKEN: E2E_METRICS_TOKEN,
      // Alerts are checked every few seconds so the webhook test sees them (default 5m);
      // the first scheduled verify runs 5 s after start, as in production.
      JFSMETA_ALERT_EVERY: "4s",
      JFSMETA_WEBHOOK_RETRY_MS: "300",
    },
  },
});
