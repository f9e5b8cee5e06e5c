import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script without type declarations
import { cliBuildRecord, cliBuildRoot, currentCliBuild, stampBuild, staleBuildReason, statInputs } from "../../scripts/build-freshness.mjs";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function checkout(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "jfsmeta-fresh-"));
  dirs.push(root);
  mkdirSync(path.join(root, "lib", "generated"), { recursive: true });
  mkdirSync(path.join(root, "app"));
  mkdirSync(path.join(root, ".next"));
  const old = new Date("2026-01-01T00:00:00Z");
  for (const f of ["lib/a.ts", "app/page.tsx", "package.json"]) {
    writeFileSync(path.join(root, f), "x");
    utimesSync(path.join(root, f), old, old);
  }
  return root;
}

describe("npm start's build freshness", () => {
  it("builds when missing, when a source is newer, and when the commit changed", () => {
    const root = checkout();
    expect(staleBuildReason(root, "aaaa")).toBe("no build yet");
    writeFileSync(path.join(root, ".next", "BUILD_ID"), "id");
    stampBuild(root, "aaaa");
    expect(staleBuildReason(root, "aaaa")).toBeNull();
    expect(staleBuildReason(root, "bbbb")).toMatch(/checkout moved/);
    // A test file or generated code does not make the build stale; app code does.
    const later = new Date(Date.now() + 60_000);
    writeFileSync(path.join(root, "lib", "a.test.ts"), "t");
    utimesSync(path.join(root, "lib", "a.test.ts"), later, later);
    writeFileSync(path.join(root, "lib", "generated", "client.ts"), "g");
    utimesSync(path.join(root, "lib", "generated", "client.ts"), later, later);
    expect(staleBuildReason(root, "aaaa")).toBeNull();
    utimesSync(path.join(root, "app", "page.tsx"), later, later);
    expect(staleBuildReason(root, "aaaa")).toBe("sources changed since the last build");
  });

  it("a build no stamp recorded is rebuilt once inside git", () => {
    const root = checkout();
    writeFileSync(path.join(root, ".next", "BUILD_ID"), "id");
    expect(staleBuildReason(root, "aaaa")).toBe("the build's commit is unknown");
    expect(staleBuildReason(root, null)).toBeNull();
  });
});

describe("the CLI bundle's freshness", () => {
  /** A checkout with a CLI build recorded over lib/a.ts and app/page.tsx. */
  function built(): string {
    const root = checkout();
    mkdirSync(path.join(cliBuildRoot(root), "build-1"), { recursive: true });
    writeFileSync(path.join(cliBuildRoot(root), "build-1", "main.js"), "");
    writeFileSync(cliBuildRecord(root), JSON.stringify({ dir: "build-1", inputs: statInputs(root, ["lib/a.ts", "app/page.tsx"]) }));
    return root;
  }

  it("runs the bundle only while every input has the size and time it was built from", () => {
    expect(currentCliBuild(checkout())).toEqual({ entry: null, reason: "no CLI build yet" });
    const root = built();
    expect(currentCliBuild(root)).toEqual({ entry: path.join(cliBuildRoot(root), "build-1", "main.js"), reason: null });
    // Edited in place with the same size: only the time differs.
    writeFileSync(path.join(root, "lib", "a.ts"), "y");
    expect(currentCliBuild(root)).toEqual({ entry: null, reason: "lib/a.ts changed since the CLI build" });
    // Same time again but another size (a copy that kept the old times).
    const old = new Date("2026-01-01T00:00:00Z");
    writeFileSync(path.join(root, "lib", "a.ts"), "yy");
    utimesSync(path.join(root, "lib", "a.ts"), old, old);
    expect(currentCliBuild(root).reason).toBe("lib/a.ts changed since the CLI build");
    writeFileSync(path.join(root, "lib", "a.ts"), "x");
    utimesSync(path.join(root, "lib", "a.ts"), old, old);
    expect(currentCliBuild(root).entry).not.toBeNull();
    rmSync(path.join(root, "app", "page.tsx"));
    expect(currentCliBuild(root).reason).toBe("app/page.tsx is gone since the CLI build");
  });

  it("two checkouts sharing node_modules (a worktree's link) each run their own bundle, whichever was built last", () => {
    const a = built();
    const b = checkout();
    symlinkSync(path.join(a, "node_modules"), path.join(b, "node_modules"));
    writeFileSync(path.join(b, "lib", "a.ts"), "another build's source");
    expect(currentCliBuild(b)).toEqual({ entry: null, reason: "no CLI build yet" });
    mkdirSync(path.join(cliBuildRoot(b), "build-2"));
    writeFileSync(path.join(cliBuildRoot(b), "build-2", "main.js"), "");
    writeFileSync(cliBuildRecord(b), JSON.stringify({ dir: "build-2", inputs: statInputs(b, ["lib/a.ts", "app/page.tsx"]) }));
    expect(currentCliBuild(b).entry).toBe(path.join(cliBuildRoot(b), "build-2", "main.js"));
    expect(currentCliBuild(a).entry).toBe(path.join(cliBuildRoot(a), "build-1", "main.js"));
  });

  it("a build whose files are gone, or an unreadable record, sends the CLI back to the sources", () => {
    const root = built();
    rmSync(path.join(cliBuildRoot(root), "build-1"), { recursive: true });
    expect(currentCliBuild(root).reason).toBe("the CLI build's files are gone");
    writeFileSync(cliBuildRecord(root), "{");
    expect(currentCliBuild(root).reason).toBe("no CLI build yet");
    writeFileSync(cliBuildRecord(root), "{}");
    expect(currentCliBuild(root).reason).toBe("unreadable CLI build record");
  });

  it("jfsmeta runs this checkout's bundle (built by the tests' global set-up), and the sources when told", () => {
    const bin = path.resolve(__dirname, "..", "..", "bin", "jfsmeta.mjs");
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [bin, "verify", "--help"], { env: { ...process.env, JFSMETA_DEBUG: "1", ...env }, encoding: "utf8" });
    const bundled = run({});
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.stderr).toMatch(/^jfsmeta: running \S*node_modules\/\.cache\/jfsmeta-cli\/build-[^/]+\/main\.js$/m);
    const source = run({ JFSMETA_FROM_SOURCE: "1" });
    expect(source.status, source.stderr).toBe(0);
    expect(source.stderr).toMatch(/^jfsmeta: running from source \(JFSMETA_FROM_SOURCE is set\)$/m);
    expect(source.stdout).toBe(bundled.stdout);
  });
});
