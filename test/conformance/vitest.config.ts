// The conformance suite (npm run test:conformance): jfsmeta side by side with the real JuiceFS
// (test/support/juicefs.ts). Its own config because it needs the juicefs binary and runs longer.
import { defineConfig } from "vitest/config";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");

export default defineConfig({
  root,
  test: {
    include: ["test/conformance/**/*.test.ts"],
    globalSetup: [path.join(root, "test", "support", "global-setup.ts")],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
