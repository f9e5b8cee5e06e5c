// Builds the CLI's bundle, which bin/jfsmeta.mjs runs instead of the sources through tsx while
// it matches them (scripts/build-freshness.mjs, currentCliBuild).
//   node scripts/build-cli.mjs            build
//   node scripts/build-cli.mjs --if-stale build only when the current one no longer matches
// Run by `npm install` (postinstall), the test runs (test/support/global-setup.ts) and the bench.
//
// Why: through tsx, every command pays ~0.45 s of start-up (its loader resolving and
// transforming ~120 modules); the bundle starts in ~0.2 s (`jfsmeta verify metadata.sample`:
// 0.45 → 0.20 s wall, 0.45 → 0.13 s CPU), a quarter of a Redis binary dump of a million files.
// It is split at the CLI's lazy imports (a chunk per command): one flat file evaluates every
// module at start and was no faster than tsx (0.51 s).
//
// Each build goes into a directory of its own and becomes current by renaming one small file,
// so a CLI starting meanwhile (tests run in parallel) sees the old build or the new one, never
// half of either. Older builds are removed a day after they were made: a CLI still running
// from one (`jfsmeta backup` runs for days) has loaded what it needs by then, as the engines
// and commands are imported when they are first opened, at its start.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliBuildRecord, cliBuildRoot, currentCliBuild, statInputs } from "./build-freshness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Build (or with `ifStale`, only when the current build no longer matches). */
export async function buildCli({ ifStale = false } = {}) {
  if (ifStale && currentCliBuild(root).entry) return { built: false };
  const { build } = await import("esbuild");
  const buildRoot = cliBuildRoot(root);
  mkdirSync(buildRoot, { recursive: true });
  const startedMs = Date.now();
  const dir = `build-${startedMs}-${process.pid}`;
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["cli/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external", // node_modules are resolved at run time, as under tsx
    splitting: true,
    outdir: join(buildRoot, dir),
    metafile: true,
    logLevel: "warning",
  });
  const inputs = statInputs(root, Object.keys(result.metafile.inputs));
  const edited = inputs.find(([, , mtimeMs]) => mtimeMs >= startedMs);
  if (edited) throw new Error(`${edited[0]} changed while the CLI was being built; run the build again`);
  const tmp = `${cliBuildRecord(root)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ dir, inputs }));
  renameSync(tmp, cliBuildRecord(root));
  for (const old of readdirSync(buildRoot)) {
    if (!old.startsWith("build-") || old === dir) continue;
    const path = join(buildRoot, old);
    if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  return { built: true, inputs: inputs.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const r = await buildCli({ ifStale: process.argv.includes("--if-stale") });
    if (r.built) console.error(`build-cli: built the CLI bundle from ${r.inputs} sources`);
  } catch (err) {
    // Not fatal (npm install runs this): without a current bundle the CLI runs from source.
    console.error(`build-cli: could not build the CLI bundle, so jfsmeta runs from source (slower start): ${err instanceof Error ? err.message : err}`);
  }
}
