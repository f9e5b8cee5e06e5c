import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["lib/**/*.test.ts", "cli/**/*.test.ts", "test/**/*.test.ts", "app/**/*.test.ts"],
    // The conformance suite has its own config and script (npm run test:conformance).
    exclude: [...configDefaults.exclude, "test/conformance/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start private database servers; two cores do not like many at once.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
