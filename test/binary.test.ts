// Binary dumps on every engine: a binary dump of one engine loads into another and gives the
// same JSON dump back (metadata.sample and a synthetic volume); damaged binary dumps are
// refused and leave the target empty; the CLI writes .bin/.gz/.zstd and tells them by content.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden, goldenPath } from "./support/fixtures";
import { ENGINE_KINDS, startEngine, type EngineTarget } from "./support/engine-targets";
import { collect } from "./support/dump-tree";
import { dumpToBuffer, loadBuffer, syntheticDump } from "./support/engine-io";
import { tempDir } from "./support/temp-dir";
import { openEngine } from "../lib/engines/open";
import { dumpMeta } from "../lib/engines/dump";
import { BinaryDumpWriter } from "../lib/dump/binary/writer";
import type { EngineKind, MetaEngine } from "../lib/engines/engine";

const CLI = path.resolve(__dirname, "..", "bin", "jfsmeta.mjs");
const run = promisify(execFile);
const dir = tempDir("jfsmeta-binary-e2e-");
const targets = new Map<EngineKind, EngineTarget>();

async function withEngine<T>(url: string, work: (engine: MetaEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(url);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

async function binaryDump(url: string): Promise<Buffer> {
  return withEngine(url, async (engine) => {
    const out = collect();
    await dumpMeta(engine, new BinaryDumpWriter(out.stream));
    out.stream.end();
    await finished(out.stream);
    return out.bytes();
  });
}

const fresh = (kind: EngineKind) => targets.get(kind)!.fresh();
const next = (kind: EngineKind) => ENGINE_KINDS[(ENGINE_KINDS.indexOf(kind) + 1) % ENGINE_KINDS.length];

beforeAll(async () => {
  for (const kind of ENGINE_KINDS) targets.set(kind, await startEngine(kind));
}, 180_000);

afterAll(async () => {
  for (const t of targets.values()) await t.stop();
});

describe("metadata.sample through a binary dump", () => {
  const loaded = new Map<EngineKind, string>();
  beforeAll(async () => {
    for (const kind of ENGINE_KINDS) {
      const url = await fresh(kind);
      await withEngine(url, (e) => loadBuffer(e, golden("metadata.sample")));
      loaded.set(kind, url);
    }
  }, 180_000);

  for (const from of ENGINE_KINDS) {
    it(`${from} binary dump → ${next(from)}: its JSON dump is metadata.sample's bytes`, async () => {
      const bin = await binaryDump(loaded.get(from)!);
      const target = await fresh(next(from));
      const result = await withEngine(target, (e) => loadBuffer(e, bin));
      expect(result.format).toBe("binary");
      expect((await withEngine(target, (e) => dumpToBuffer(e))).equals(golden("metadata.sample"))).toBe(true);
    }, 120_000);
  }
});

describe("a synthetic volume of 10,000 files through binary dumps", () => {
  let source: Buffer;
  const loaded = new Map<EngineKind, string>();
  beforeAll(async () => {
    source = await syntheticDump({ files: 10_000, seed: 11 });
    for (const kind of ENGINE_KINDS) {
      const url = await fresh(kind);
      await withEngine(url, (e) => loadBuffer(e, source));
      loaded.set(kind, url);
    }
  }, 300_000);

  for (const from of ENGINE_KINDS) {
    it(`${from} → ${next(from)}`, async () => {
      const bin = await binaryDump(loaded.get(from)!);
      expect(bin.length).toBeLessThan(source.length / 2);
      const target = await fresh(next(from));
      await withEngine(target, (e) => loadBuffer(e, bin));
      expect((await withEngine(target, (e) => dumpToBuffer(e))).equals(source)).toBe(true);
    }, 300_000);
  }
});

describe("damaged binary dumps are refused and leave the target empty", () => {
  let good: Buffer;
  const damaged: [string, Buffer][] = [];
  beforeAll(async () => {
    const url = await fresh("sqlite3");
    await withEngine(url, (e) => loadBuffer(e, golden("metadata.sample")));
    good = await binaryDump(url);
    const eos = good.lastIndexOf(Buffer.from([0, 0x74, 0x70, 0x83]));
    const nodeAt = good.indexOf(Buffer.from([0, 0, 0, 3, 0, 0, 0, 0]));
    const badLength = Buffer.from(good);
    badLength.writeBigUInt64BE(badLength.readBigUInt64BE(nodeAt + 4) - 3n, nodeAt + 4);
    const flipped = Buffer.from(good);
    flipped[eos + 6] ^= 0x01;
    const flippedType = Buffer.from(good);
    flippedType[nodeAt + 3] = 0x33;
    damaged.push(
      ["truncated inside a segment", good.subarray(0, nodeAt + 40)],
      ["truncated before the footer", good.subarray(0, eos)],
      ["a wrong segment length", badLength],
      ["a flipped byte in the footer", flipped],
      ["a flipped segment type", flippedType],
      ["footer length that lies", Buffer.concat([good.subarray(0, good.length - 8), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9])])],
    );
  }, 120_000);

  for (const kind of ENGINE_KINDS) {
    it(`on ${kind}`, async () => {
      const url = await fresh(kind);
      await withEngine(url, async (engine) => {
        for (const [what, bytes] of damaged) {
          await expect(loadBuffer(engine, bytes), what).rejects.toThrow(/nothing was kept.*byte \d+|nothing was kept.*invalid binary dump/);
          expect(await engine.checkEmpty(), what).toEqual({ empty: true });
        }
        // The same database then takes the good dump.
        await loadBuffer(engine, good);
        expect((await dumpToBuffer(engine)).equals(golden("metadata.sample"))).toBe(true);
      });
    }, 180_000);
  }
});

describe("the CLI", () => {
  it("dump --binary to .bin, .gz and .zstd; load tells each by content, from a file or stdin; --stat reads them all", async () => {
    const src = await fresh("sqlite3");
    await run(process.execPath, [CLI, "load", src, goldenPath("metadata.sample"), "--quiet"]);
    const stats: string[] = [];
    for (const name of ["m.bin", "m.bin.gz", "m.bin.zstd"]) {
      const file = path.join(dir, name);
      await run(process.execPath, [CLI, "dump", src, file, "--binary", "--quiet"]);
      const head = (await readFile(file)).subarray(0, 4);
      const want = name.endsWith(".gz") ? "1f8b" : name.endsWith(".zstd") ? "28b52ffd" : "00000001";
      expect(head.toString("hex").startsWith(want), name).toBe(true);
      stats.push((await run(process.execPath, [CLI, "load", file, "--binary", "--stat", "--offset", "-1"])).stdout);
      const target = await fresh("sqlite3");
      if (name.endsWith(".zstd")) {
        // From stdin, without --binary.
        await new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, [CLI, "load", target, "--quiet"], { stdio: ["pipe", "ignore", "pipe"] });
          let err = "";
          p.stderr.on("data", (d) => (err += d));
          p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(err))));
          readFile(file).then((b) => p.stdin.end(b), reject);
        });
      } else await run(process.execPath, [CLI, "load", target, file, "--quiet"]);
      const { stdout } = await run(process.execPath, [CLI, "dump", target, "--quiet"], { encoding: "buffer", maxBuffer: 1 << 24 });
      expect(stdout.equals(golden("metadata.sample")), name).toBe(true);
    }
    expect(stats[1]).toBe(stats[0]);
    expect(stats[2]).toBe(stats[0]);
    expect(stats[0]).toMatch(/^Backup Version: 1\n-{34}\nName {6}\| Num {7}\| Offset {4}\n-{34}\n/);
    await expect(run(process.execPath, [CLI, "dump", src, path.join(dir, "x.bin"), "--binary", "--subdir", "d1"])).rejects.toThrow(/--subdir cannot be used with --binary/);
    // --skip-trash is honoured (by the tree walk; the flat scan cannot tell what is inside the Trash).
    const nodes = async (extra: string[]) => {
      const file = path.join(dir, `t${extra.length}.bin`);
      await run(process.execPath, [CLI, "dump", src, file, "--binary", "--quiet", ...extra]);
      const { stdout } = await run(process.execPath, [CLI, "load", file, "--binary", "--stat"]);
      return Number(/^node\s*\|\s*(\d+)/m.exec(stdout)?.[1]);
    };
    const [all, skipped] = [await nodes([]), await nodes(["--skip-trash"])];
    expect(all).toBe(16);
    expect(skipped).toBeLessThan(all);
  }, 180_000);

  it("convert: JSON → binary.zstd → JSON.gz gives the same bytes; a damaged binary dump is refused and no OUT is left", async () => {
    const bin = path.join(dir, "c.bin.zstd");
    const json = path.join(dir, "c.json.gz");
    await run(process.execPath, [CLI, "convert", goldenPath("metadata.sample"), bin, "--quiet"]);
    expect((await readFile(bin)).subarray(0, 4).toString("hex")).toBe("28b52ffd");
    await run(process.execPath, [CLI, "convert", bin, json, "--quiet"]);
    const { stdout } = await run(process.execPath, [CLI, "convert", json, "-", "--quiet"], { encoding: "buffer", maxBuffer: 1 << 24 });
    expect(stdout.equals(golden("metadata.sample"))).toBe(true);
    const plain = path.join(dir, "c.bin");
    await run(process.execPath, [CLI, "convert", bin, plain, "--quiet"]);
    const cut = path.join(dir, "cut.bin");
    await writeFile(cut, (await readFile(plain)).subarray(0, 1000));
    const out = path.join(dir, "cut.json");
    await expect(run(process.execPath, [CLI, "convert", cut, out, "--quiet"])).rejects.toThrow(/truncated/);
    expect(existsSync(out) || existsSync(out + ".tmp")).toBe(false);
    // Within one format (a recompression) the dump is checked too: a damaged one is not archived.
    const cutOut = path.join(dir, "cut.bin.zstd");
    await expect(run(process.execPath, [CLI, "convert", cut, cutOut, "--quiet"])).rejects.toThrow(/truncated/);
    expect(existsSync(cutOut) || existsSync(cutOut + ".tmp")).toBe(false);
    const damagedJson = path.join(dir, "damaged.json");
    const sample = golden("metadata.sample");
    await writeFile(damagedJson, Buffer.concat([sample.subarray(0, sample.length >> 1), Buffer.from("}}}")]));
    const damagedOut = path.join(dir, "damaged.json.gz");
    await expect(run(process.execPath, [CLI, "convert", damagedJson, damagedOut, "--quiet"])).rejects.toThrow(/jfsmeta convert/);
    expect(existsSync(damagedOut) || existsSync(damagedOut + ".tmp")).toBe(false);
    // And an intact one comes through byte for byte (above: c.bin.zstd → c.bin, then here back).
    const again = path.join(dir, "again.bin");
    await run(process.execPath, [CLI, "convert", plain, path.join(dir, "again.bin.gz"), "--quiet"]);
    await run(process.execPath, [CLI, "convert", path.join(dir, "again.bin.gz"), again, "--quiet"]);
    expect((await readFile(again)).equals(await readFile(plain))).toBe(true);
    // verify checks a binary dump as the binary load does.
    const ok = await run(process.execPath, [CLI, "verify", bin]);
    expect(ok.stdout).toMatch(/OK, binary dump of 16 inodes verified/);
    const bad = await run(process.execPath, [CLI, "verify", cut]).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr).toMatch(/truncated .*segment at byte \d+/);
  }, 120_000);
});
