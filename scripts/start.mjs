#!/usr/bin/env node
// `npm start`: generate the store client and build when missing or stale, prepare the data directory
// (password printed once, demo volume on a first start), then serve on 127.0.0.1:${PORT:-3000}
// unless HOST says otherwise.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stampBuild, staleBuildReason } from "./build-freshness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

function run(args, what) {
  const r = spawnSync(process.execPath, args, { stdio: "inherit", env: process.env });
  if (r.status !== 0) {
    console.error(`jfsmeta: ${what} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

// Generate the store client when missing or older than the schema (an upgrade added a model).
const client = join(root, "lib", "generated", "sqlite", "client.ts");
if (!existsSync(client) || statSync(client).mtimeMs < statSync(join(root, "prisma", "schema.prisma")).mtimeMs) {
  run([join(root, "scripts", "prisma-generate.mjs")], "prisma generate");
}
// Rebuild when the build is missing or stale (sources newer, another commit); JFSMETA_REBUILD=1
// forces it, =0 serves whatever build there is (the e2e run's E2E_SKIP_BUILD).
const stale = process.env.JFSMETA_REBUILD === "0" ? (existsSync(join(root, ".next", "BUILD_ID")) ? null : "no build yet") : staleBuildReason(root);
if (stale || process.env.JFSMETA_REBUILD === "1") {
  console.log(`jfsmeta: building the dashboard (${stale ?? "JFSMETA_REBUILD=1"}) …`);
  run([nextBin, "build"], "next build");
  stampBuild(root);
}

const { register } = await import("tsx/esm/api");
register();
const { bootstrap } = await import("../lib/server/bootstrap.ts");
await bootstrap({ demo: true, print: (line) => console.log(line) });

const host = process.env.HOST || "127.0.0.1";
const port = process.env.PORT || "3000";
console.log(`jfsmeta: dashboard on http://${host}:${port}/ (data in ${process.env.JFSMETA_DATA_DIR || "data/"})`);
const child = spawn(process.execPath, [nextBin, "start", "-H", host, "-p", port], { stdio: "inherit", env: process.env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
