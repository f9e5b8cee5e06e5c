// `jfsmeta diff` as a user runs it: two dump files, a dump against the volume it was loaded
// into, --json, --subdir, and the exit status (0 equal, 3 different, errors as every verb).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { golden } from "./support/fixtures";
import { tempDir } from "./support/temp-dir";
import { openEngine } from "../lib/engines/open";
import { loadBuffer } from "./support/engine-io";
import { DiffEventSchema } from "../lib/inspect/schemas";
import { jfsmetaText } from "./support/jfsmeta-cli";


const jfsmeta = (args: string[]) => jfsmetaText(args);

const SAMPLE = golden("metadata.sample");
// B: f1's xattr k changed, symlink sd pointing elsewhere, d1/f11 gone.
const CHANGED = Buffer.from(
  SAMPLE.toString()
    .replace('"xattrs": [{"name":"k","value":"v"}]', '"xattrs": [{"name":"k","value":"w"}]')
    .replace('"symlink": "d"', '"symlink": "d1"'),
);
const tmp = tempDir("jfsmeta-cli-diff-");
const file = (name: string, data: Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, data);
  return p;
};

describe("jfsmeta diff", () => {
  let a: string;
  let b: string;
  let url: string;
  beforeAll(async () => {
    a = file("a.json", SAMPLE);
    b = file("b.json.gz", gzipSync(CHANGED));
    url = `sqlite3://${path.join(tmp, "meta.db")}`;
    const engine = await openEngine(url);
    try {
      await loadBuffer(engine, SAMPLE);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it("lists what changed per directory, with totals, and exits 3", async () => {
    const r = await jfsmeta(["diff", "-q", a, b]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 5)).toEqual([`--- A ${a}`, `+++ B ${b}`, "/", "  ~ f1  xattrs k=v → k=w", "  ~ sd  symlink d → d1"]);
    expect(lines.at(-1)).toMatch(/^added 0 entries, 0 B; removed 0 entries, 0 B; changed 2 entries \(\+0 B\); \d+ directories compared$/);
  });

  it("says equal with exit 0: a dump and the volume it was loaded into, a sub-directory", async () => {
    const live = await jfsmeta(["diff", "-q", a, url]);
    expect(live.stderr).toBe("");
    expect(live.code).toBe(0);
    expect(live.stdout).toContain("added 0 entries, 0 B; removed 0 entries, 0 B; changed 0 entries");
    expect((await jfsmeta(["diff", "-q", "--subdir", "d1", a, b])).code).toBe(0);
  });

  it("writes one JSON event a line with --json", async () => {
    const r = await jfsmeta(["diff", "-q", "--json", url, b]);
    expect(r.code).toBe(3);
    const events = r.stdout.trimEnd().split("\n").map((l) => DiffEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => e.kind)).toEqual(["dir", "changed", "changed", "end"]);
    expect(events[1]).toMatchObject({ entry: { path: "/f1", inode: "2" }, changes: [{ field: "xattrs", from: "k=v", to: "k=w" }] });
  });

  it("keeps the error codes of every verb: 2 for usage, 1 for a directory that is not there", async () => {
    const usage = await jfsmeta(["diff", a]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("expected two things to compare");
    const subdir = await jfsmeta(["diff", "--subdir", "nope", a, b]);
    expect(subdir.code).toBe(1);
    expect(subdir.stderr).toContain("no directory /nope in this backup");
  });
});
