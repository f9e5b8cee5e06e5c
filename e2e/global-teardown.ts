// After the run: remove the server's data dir (demo volume, SQLite store, restores, the tests'
// scratch dirs). The webServer command makes it afresh for the next run. A server kept for
// reuse (E2E_REUSE=1) keeps its data dir.
import { rmSync } from "node:fs";
import { E2E_DATA_DIR } from "./env";

export default function globalTeardown(): void {
  if (process.env.E2E_REUSE === "1") return;
  rmSync(E2E_DATA_DIR, { recursive: true, force: true });
}
