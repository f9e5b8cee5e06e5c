// Whether `npm start` must rebuild: the production build (.next) is missing, older than a
// source file it is built from, or was built at another git commit (a `git pull` that kept
// file times, a checkout of another branch). Plain ESM so start.mjs runs it before tsx.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the build is made of: the app's code and the files that configure the build. */
const SOURCE_DIRS = ["app", "components", "lib"];
const SOURCE_FILES = ["proxy.ts", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];
const STAMP = "jfsmeta-build.json";

function newestMtime(dir, skip) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, skip));
    else if (e.isFile() && !/\.test\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The checkout's commit, or null outside git. */
export function gitHead(root) {
  const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Why the build in `root`/.next is stale, or null when it is current. */
export function staleBuildReason(root, head = gitHead(root)) {
  const buildId = join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "no build yet";
  const builtAt = statSync(buildId).mtimeMs;
  const generated = join(root, "lib", "generated");
  let newest = 0;
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) newest = Math.max(newest, newestMtime(join(root, d), (p) => p === generated));
  for (const f of SOURCE_FILES) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  if (newest > builtAt) return "sources changed since the last build";
  let stamp = null;
  try {
    stamp = JSON.parse(readFileSync(join(root, ".next", STAMP), "utf8"));
  } catch {
    /* no stamp: a build this script did not record */
  }
  if (head && stamp?.head !== head) return stamp?.head ? `the checkout moved (${String(stamp.head).slice(0, 8)} → ${head.slice(0, 8)})` : "the build's commit is unknown";
  return null;
}

/** Record the commit a fresh build was made at. */
export function stampBuild(root, head = gitHead(root)) {
  writeFileSync(join(root, ".next", STAMP), JSON.stringify({ head, builtAt: new Date().toISOString() }) + "\n");
}

// The CLI's bundle (scripts/build-cli.mjs) is checked differently: the check runs at every
// `jfsmeta` start, so it cannot walk the tree or ask git (~10 ms). The build records the
// files esbuild read, each with its size and mtime; the bundle is current while every one is
// still there with the same size and mtime (as make and ccache judge; a copy that kept old
// times but changed a size or time still differs). One stat per file: ~1 ms for 124.

/** Where the CLI's builds go: under node_modules (git-ignored, gone with it). */
export const cliBuildRoot = (root) => join(root, "node_modules", ".cache", "jfsmeta-cli");

/**
 * The record of a checkout's current CLI build ({ dir, inputs: [path, size, mtimeMs][] }),
 * replaced by rename. One per checkout (by its real path): two checkouts that share
 * node_modules (a worktree whose node_modules links to another's) each keep their own bundle.
 * With one record for both, the checkout built last took it, and the other ran from source
 * (0.3-0.4 s more start-up and 30-40 MB more RSS): an A/B of two builds taken that way
 * measured that, not the change.
 */
export const cliBuildRecord = (root) => join(cliBuildRoot(root), `current-${createHash("sha256").update(realpathSync(root)).digest("hex").slice(0, 16)}.json`);

/** Each input's [path relative to root, size, mtimeMs]. */
export function statInputs(root, paths) {
  return paths.map((p) => {
    const s = statSync(join(root, p));
    return [p, s.size, s.mtimeMs];
  });
}

/** The CLI bundle's entry when it matches the sources: { entry, reason } (reason when entry is null). */
export function currentCliBuild(root) {
  let record;
  try {
    record = JSON.parse(readFileSync(cliBuildRecord(root), "utf8"));
  } catch {
    return { entry: null, reason: "no CLI build yet" };
  }
  if (typeof record?.dir !== "string" || !Array.isArray(record.inputs)) return { entry: null, reason: "unreadable CLI build record" };
  for (const [p, size, mtimeMs] of record.inputs) {
    let s;
    try {
      s = statSync(join(root, p));
    } catch {
      return { entry: null, reason: `${p} is gone since the CLI build` };
    }
    if (s.size !== size || s.mtimeMs !== mtimeMs) return { entry: null, reason: `${p} changed since the CLI build` };
  }
  const entry = join(cliBuildRoot(root), record.dir, "main.js");
  if (!existsSync(entry)) return { entry: null, reason: "the CLI build's files are gone" };
  return { entry, reason: null };
}
