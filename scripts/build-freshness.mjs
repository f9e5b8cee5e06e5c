// Whether `npm start` must rebuild: the production build (.next) is missing, older than a
// source file it is built from, or was built at another git commit (a `git pull` that kept
// file times, a checkout of another branch). Plain ESM so start.mjs runs it before tsx.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
