import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM script without type declarations
import { stampBuild, staleBuildReason } from "../../scripts/build-freshness.mjs";

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
