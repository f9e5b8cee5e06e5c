// The same dump loaded by the real JuiceFS and by jfsmeta, on every engine (issue #14, items
// 1–3): dumped again by each, the same bytes; stored, the same data; crossed, the same bytes;
// and JuiceFS's own checks find nothing wrong with what jfsmeta loaded.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { juicefs, juicefsBin } from "../support/juicefs";
import { tempDir } from "../support/temp-dir";
import { jfsmeta, KINDS, startEngine, VOLUMES, writeVolume, type EngineTarget } from "./harness";
import { storedData, storedSchema, withoutChance } from "./stored";

const tmp = tempDir("jfsmeta-conformance-");

/**
 * Lines JuiceFS prints about the moment, not about the volume: timings, pings, the test server's
 * setup, and go-redis's own log of how it found the Sentinel master (which sentinel answered first).
 */
const NOISE = [/Meta address:/, /latency to database is too high/, /Ping redis latency/, /AOF is not enabled/, /^\[xorm\] \[info\]/, /^redis: \S+ \S+ sentinel\.go:\d+: sentinel: /];

/** What JuiceFS says, without times, pids and source locations, and without noise. */
const said = (text: string) =>
  text
    .split("\n")
    .map((l) => l.replace(/^\S+ \S+ juicefs\[\d+\] /, "").replace(/ \[\S+@\S+:\d+\]$/, ""))
    .filter((l) => l && !NOISE.some((n) => n.test(l)));

describe.each(KINDS)("%s", (kind) => {
  let engine: EngineTarget;
  beforeAll(async () => {
    juicefsBin(); // fails first, with the install command, when the oracle is missing
    engine = await startEngine(kind);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  describe.each(VOLUMES)("$name", (volume) => {
    const file = (what: string) => path.join(tmp, `${kind}-${volume.opts.name}-${what}.json`);
    let input: Buffer;
    /** Loaded by JuiceFS, and by jfsmeta. */
    let theirs: string;
    let ours: string;
    const dumps = new Map<string, Buffer>();
    /** `<loader>-<dumper>`: each database dumped by each tool, once. */
    const dumped = async (loader: "juicefs" | "jfsmeta", dumper: "juicefs" | "jfsmeta") => {
      const name = `${loader}-${dumper}`;
      if (!dumps.has(name)) {
        const url = loader === "juicefs" ? theirs : ours;
        if (dumper === "juicefs") await juicefs(["dump", url, file(name)]);
        else await jfsmeta(["dump", url, file(name), "--quiet"]);
        dumps.set(name, readFileSync(file(name)));
      }
      return dumps.get(name)!;
    };

    beforeAll(async () => {
      input = readFileSync(await writeVolume(file("input"), volume.opts));
      [theirs, ours] = [await engine.fresh(), await engine.fresh()];
      await juicefs(["load", theirs, file("input")]);
      await jfsmeta(["load", ours, file("input"), "--quiet"]);
    });

    it("1. juicefs load → juicefs dump and jfsmeta load → jfsmeta dump give the same bytes", async () => {
      const [j, m] = [await dumped("juicefs", "juicefs"), await dumped("jfsmeta", "jfsmeta")];
      expect(m.toString("latin1")).toBe(j.toString("latin1"));
    });

    it("2. both databases hold the same data (every key and value / every row), but for what JuiceFS leaves to chance", async () => {
      const [j, m] = [withoutChance(await storedData(theirs)), withoutChance(await storedData(ours))];
      expect(m).toEqual(j);
    });

    it("2. SQL: both databases have the same schema (columns, indexes with their columns and uniqueness, constraints)", async () => {
      // jfsmeta builds PostgreSQL's secondary indexes after the rows (loader.ts): in the end they
      // must be JuiceFS's, name for name.
      if (!["sqlite3", "mysql", "postgres"].includes(kind)) return;
      const [j, m] = [await storedSchema(theirs), await storedSchema(ours)];
      expect(Object.keys(j).length).toBeGreaterThan(20);
      expect(m).toEqual(j);
    });

    it("3. crossed: juicefs dumps what jfsmeta loaded and jfsmeta dumps what juicefs loaded, to the same bytes", async () => {
      const reference = await dumped("juicefs", "juicefs");
      expect((await dumped("jfsmeta", "juicefs")).toString("latin1")).toBe(reference.toString("latin1"));
      expect((await dumped("juicefs", "jfsmeta")).toString("latin1")).toBe(reference.toString("latin1"));
      // The synthetic input is what JuiceFS dumps (with ChangeLog on, less the load's lastChangelog).
      if (!volume.opts.setting?.ChangeLog) expect(reference.toString("latin1")).toBe(input.toString("latin1"));
    });

    it("3. juicefs quota check and status find on what jfsmeta loaded what they find on what juicefs loaded", async () => {
      const checks = [["quota", "check"], ["quota", "check", "--path", "/", "--strict"], ["quota", "check", "--path", "/projects", "--strict"], ["status", "--more"]];
      for (const args of checks) {
        const [j, m] = [await juicefs([...args, theirs]), await juicefs([...args, ours])];
        const seen = (r: typeof m) => ({ args, out: said(r.stdout.toString()), log: said(r.stderr) });
        expect(seen(m)).toEqual(seen(j));
        expect(said(m.stderr).join("\n")).not.toMatch(/inconsistent|<WARNING>|<ERROR>|<FATAL>/);
      }
    });
  });
});
