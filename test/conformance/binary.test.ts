// Binary dumps side by side with the real JuiceFS 1.4.2, on every engine (issue #11):
// juicefs's `dump --binary` (plain, .gz, .zstd) loads with jfsmeta and gives the same facts;
// jfsmeta's binary dump loads with `juicefs load --binary` and gives the same facts; and
// `load --binary --stat` prints what JuiceFS prints for the same file.
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { decompress as zstdDecompress } from "zstd-napi";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { juicefs, juicefsBin } from "../support/juicefs";
import { golden, goldenPath } from "../support/fixtures";
import { tempDir } from "../support/temp-dir";
import { jfsmeta, KINDS, startEngine, VOLUMES, writeVolume, type EngineTarget } from "./harness";

const tmp = tempDir("jfsmeta-conformance-binary-");

/**
 * JuiceFS's binary dump replaces the volume's EncryptKey with "removed" unless
 * --keep-secret-key (its JSON dump keeps it); jfsmeta keeps it, as in JSON (compatibility.md).
 */
const withoutEncryptKey = (json: Buffer) => json.toString("latin1").replace(/("EncryptKey": )"[^"]*"/, '$1"removed"');

describe.each(KINDS)("%s", (kind) => {
  let engine: EngineTarget;
  let source: string;
  beforeAll(async () => {
    juicefsBin(); // fails first, with the install command, when the oracle is missing
    engine = await startEngine(kind);
    source = await engine.fresh();
    await juicefs(["load", source, goldenPath("metadata.sample")]);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it("juicefs dump --binary (plain, .gz, .zstd) loads with jfsmeta: the same volume; --stat prints the same table", async () => {
    const plain = path.join(tmp, `${kind}-juicefs.bin`);
    const suffixes = ["", ".gz", ".zstd"];
    // --stat reads a file, not an engine: each engine's dumps are compared in one compression,
    // the next engine's in the next, so every run compares every compression (and every engine's
    // segment order), with a third of the 84 --stat processes of all of them on every engine.
    const statSuffix = suffixes[KINDS.indexOf(kind) % suffixes.length];
    for (const suffix of suffixes) {
      const file = plain + suffix;
      await juicefs(["dump", source, file, "--binary"]);
      const target = await engine.fresh();
      const loaded = await jfsmeta(["load", target, file]);
      expect(loaded.stderr).toMatch(/binary dump/);
      const out = path.join(tmp, `${kind}-from-juicefs${suffix}.json`);
      await jfsmeta(["dump", target, out, "--quiet"]);
      expect(readFileSync(out).toString("latin1"), suffix || "plain").toBe(withoutEncryptKey(golden("metadata.sample")));
      if (suffix !== statSuffix) continue;
      // JuiceFS's binary dumps are not reproducible (segment order), so each compressed file is
      // compared with JuiceFS's --stat of its own decompressed bytes.
      const unpacked = path.join(tmp, `${kind}-unpacked${suffix}.bin`);
      const raw = readFileSync(file);
      writeFileSync(unpacked, suffix === ".gz" ? gunzipSync(raw) : suffix === ".zstd" ? zstdDecompress(raw) : raw);
      const theirStat: string[] = [];
      for (const offset of [[], ["--offset", "-1"]]) {
        const ours = await jfsmeta(["load", file, "--binary", "--stat", ...offset]);
        theirStat.push((await juicefs(["load", unpacked, "--binary", "--stat", ...offset])).stdout.toString());
        expect(ours.stdout.toString(), `${suffix} ${offset.join(" ")}`).toBe(theirStat[offset.length ? 1 : 0]);
      }
    }
    // One segment at its offset: the same record values as JuiceFS shows (whitespace aside).
    const table = (await juicefs(["load", plain, "--binary", "--stat", "--offset", "-1"])).stdout.toString();
    const nodeAt = /node\s+\|\s+\d+\s+\|\s+\[(\d+)/.exec(table)![1];
    const norm = (s: string) => s.replace(/\s+/g, "");
    const theirs = (await juicefs(["load", plain, "--binary", "--stat", "--offset", nodeAt])).stdout.toString();
    const ours = (await jfsmeta(["load", plain, "--binary", "--stat", "--offset", nodeAt])).stdout.toString();
    expect(norm(ours)).toBe(norm(theirs));
  });

  it("jfsmeta dump --binary loads with juicefs load --binary: the same volume", async () => {
    const ours = await engine.fresh();
    await jfsmeta(["load", ours, goldenPath("metadata.sample"), "--quiet"]);
    for (const suffix of ["", ".gz", ".zstd"]) {
      const file = path.join(tmp, `${kind}-jfsmeta.bin${suffix}`);
      await jfsmeta(["dump", ours, file, "--binary", "--quiet"]);
      const target = await engine.fresh();
      await juicefs(["load", target, file, "--binary"]);
      const out = path.join(tmp, `${kind}-from-jfsmeta${suffix}.json`);
      await juicefs(["dump", target, out]);
      expect(readFileSync(out).toString("latin1"), suffix || "plain").toBe(golden("metadata.sample").toString("latin1"));
    }
  });

  it(`a synthetic volume (${VOLUMES[0].name}): juicefs's binary dump through jfsmeta gives juicefs's JSON dump`, async () => {
    const input = await writeVolume(path.join(tmp, `${kind}-synthetic.json`), VOLUMES[0].opts);
    const src = await engine.fresh();
    await juicefs(["load", src, input]);
    const bin = path.join(tmp, `${kind}-synthetic.bin.zstd`);
    await juicefs(["dump", src, bin, "--binary"]);
    const theirJson = path.join(tmp, `${kind}-synthetic-juicefs.json`);
    await juicefs(["dump", src, theirJson]);
    const target = await engine.fresh();
    await jfsmeta(["load", target, bin, "--quiet"]);
    const ourJson = path.join(tmp, `${kind}-synthetic-jfsmeta.json`);
    await jfsmeta(["dump", target, ourJson, "--quiet"]);
    expect(readFileSync(ourJson).toString("latin1")).toBe(withoutEncryptKey(readFileSync(theirJson)));
  });
});
