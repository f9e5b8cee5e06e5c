// Vitest's global set-up (unit and conformance): the tests run the CLI as users do, from its
// bundle, so bring the bundle up to date with the sources first (a no-op when it is; ~1 s
// when a source changed). Without it, every spawned jfsmeta would fall back to tsx (~0.25 s
// more per process, and not what users run).
// @ts-expect-error -- plain ESM script without type declarations
import { buildCli } from "../../scripts/build-cli.mjs";

export default async function setup(): Promise<void> {
  await buildCli({ ifStale: true });
}
