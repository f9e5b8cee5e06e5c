import { describe, expect, it } from "vitest";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import { compress as zstdCompress, decompress as zstdDecompress } from "zstd-napi";
import { detectDumpFormat, DumpInputError, openDumpInput } from "./input";
import { sniffCompression } from "./magic";
import { openDumpOutput, OUTPUT_BUFFER } from "./output";
import { readDumpToTree, writeTree } from "../../test/support/dump-tree";
import { JsonDumpWriter } from "./writer";
import { emitTree } from "../../test/support/dump-tree";
import { prng, randomBytes } from "../synth/prng";

const dir = tempDir("jfsmeta-io-");

async function readAllBytes(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe("openDumpInput", () => {
  const sample = golden("metadata.sample");

  it("sniffs gzip and zstd magic", () => {
    expect(sniffCompression(Buffer.from([0x1f, 0x8b, 8]))).toBe("gzip");
    expect(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe("zstd");
    expect(sniffCompression(Buffer.from("{"))).toBe("none");
  });

  it("reads a plain file as it is", async () => {
    const f = path.join(dir, "plain.json");
    await writeFile(f, sample);
    expect((await readAllBytes(await openDumpInput(f))).equals(sample)).toBe(true);
  });

  it("decompresses gzip by its magic, whatever the file is called", async () => {
    const f = path.join(dir, "really-gzip.json");
    await writeFile(f, gzipSync(sample));
    expect((await readAllBytes(await openDumpInput(f))).equals(sample)).toBe(true);
  });

  it("decompresses a gzip stream that arrives one byte at a time", async () => {
    const gz = gzipSync(sample);
    const bytes = Array.from(gz, (b) => Buffer.from([b]));
    const tree = await readDumpToTree(await openDumpInput(Readable.from(bytes)));
    expect((await writeTree(tree)).equals(sample)).toBe(true);
  });

  it("fails on truncated gzip instead of returning a short dump", async () => {
    const gz = gzipSync(sample);
    const f = path.join(dir, "cut.json.gz");
    await writeFile(f, gz.subarray(0, gz.length - 20));
    await expect(readAllBytes(await openDumpInput(f))).rejects.toThrow(DumpInputError);
    await expect(readAllBytes(await openDumpInput(f))).rejects.toThrow(/truncated or corrupt/);
  });

  it("decompresses zstd by its magic, from a file with any name and from a stream a byte at a time", async () => {
    const z = zstdCompress(sample);
    const f = path.join(dir, "zstd-named.json");
    await writeFile(f, z);
    expect((await readAllBytes(await openDumpInput(f))).equals(sample)).toBe(true);
    const bytes = Array.from(z, (b) => Buffer.from([b]));
    expect((await readAllBytes(await openDumpInput(Readable.from(bytes)))).equals(sample)).toBe(true);
  });

  it("reads zstd written by the zstd tool (several frames, as zstd --rsyncable and cat make)", async () => {
    const z = Buffer.concat([zstdCompress(sample.subarray(0, 1000)), zstdCompress(sample.subarray(1000))]);
    expect((await readAllBytes(await openDumpInput(Readable.from([z])))).equals(sample)).toBe(true);
  });

  it("fails on truncated zstd instead of returning a short dump", async () => {
    const z = zstdCompress(sample);
    await expect(readAllBytes(await openDumpInput(Readable.from([z.subarray(0, z.length - 7)])))).rejects.toThrow(DumpInputError);
    await expect(readAllBytes(await openDumpInput(Readable.from([z.subarray(0, z.length - 7)])))).rejects.toThrow(/zstd data is truncated or corrupt/);
  });

  it("passes a binary dump, plain or compressed, and detectDumpFormat tells it from JSON", async () => {
    const bin = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5]), Buffer.from("xxxxx")]);
    for (const wrapped of [bin, gzipSync(bin), zstdCompress(bin)]) {
      const d = await detectDumpFormat(await openDumpInput(Readable.from([wrapped])));
      expect(d.format).toBe("binary");
      expect((await readAllBytes(d.input)).equals(bin)).toBe(true);
    }
    const j = await detectDumpFormat(Readable.from(Array.from(sample.subarray(0, 10), (b) => Buffer.from([b]))));
    expect(j.format).toBe("json");
    expect((await readAllBytes(j.input)).equals(sample.subarray(0, 10))).toBe(true);
  });

  for (const gz of [false, true]) {
    it(`closes its source when the reader stops early${gz ? " (gzip)" : ""}`, async () => {
      // Incompressible filler, so that the gzip body is large too.
      const filler = randomBytes(prng(1), 1 << 20);
      const plainBody = Buffer.concat([sample, filler]);
      const body = gz ? gzipSync(plainBody) : plainBody;
      let sent = 0;
      const source = new Readable({
        read() {
          this.push(sent < body.length ? body.subarray(sent, (sent += 4096)) : null);
        },
      });
      const input = await openDumpInput(source);
      for await (const chunk of input) {
        void chunk;
        break;
      }
      // Without the clean-up the source is never closed and this waits until the test times out.
      if (!source.destroyed) await new Promise((r) => source.once("close", r));
      expect(source.destroyed).toBe(true);
      expect(sent).toBeLessThan(body.length);
    });
  }

  it("passes an empty input through (the reader reports it)", async () => {
    expect((await readAllBytes(await openDumpInput(Readable.from([])))).length).toBe(0);
  });
});

describe("openDumpOutput", () => {
  const sample = golden("metadata.sample");

  it("writes FILE.tmp and renames it on commit", async () => {
    const f = path.join(dir, "out.json");
    const out = await openDumpOutput(f);
    expect((await readdir(dir)).includes("out.json.tmp")).toBe(true);
    await emitTree(await readDumpToTree(sample), new JsonDumpWriter(out.stream));
    await out.commit();
    expect((await readFile(f)).equals(sample)).toBe(true);
    expect((await readdir(dir)).includes("out.json.tmp")).toBe(false);
  });

  it("takes a megabyte before it asks the writer to wait (writes overlap the dump's work)", async () => {
    const f = path.join(dir, "buffered.json");
    const out = await openDumpOutput(f);
    expect(out.stream.writableHighWaterMark).toBe(OUTPUT_BUFFER);
    expect(out.stream.write(Buffer.alloc(OUTPUT_BUFFER >> 1))).toBe(true);
    await out.abort();
  });

  it("gzips .gz output", async () => {
    const f = path.join(dir, "out.json.gz");
    const out = await openDumpOutput(f);
    await emitTree(await readDumpToTree(sample), new JsonDumpWriter(out.stream));
    await out.commit();
    const gz = await readFile(f);
    expect(sniffCompression(gz)).toBe("gzip");
    expect(gunzipSync(gz).equals(sample)).toBe(true);
  });

  it("abort leaves neither FILE nor FILE.tmp", async () => {
    const f = path.join(dir, "aborted.json.gz");
    const out = await openDumpOutput(f);
    out.stream.write("{ partial");
    await out.abort();
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith("aborted"))).toEqual([]);
  });

  it("zstd-compresses .zstd output, with a checksum that catches a flipped byte", async () => {
    const f = path.join(dir, "out.json.zstd");
    const out = await openDumpOutput(f);
    await emitTree(await readDumpToTree(sample), new JsonDumpWriter(out.stream));
    await out.commit();
    const z = await readFile(f);
    expect(sniffCompression(z)).toBe("zstd");
    expect(zstdDecompress(z).equals(sample)).toBe(true);
    expect((await readAllBytes(await openDumpInput(f))).equals(sample)).toBe(true);
    const flipped = Buffer.from(z);
    flipped[Math.floor(z.length / 2)] ^= 0x40;
    await expect(readAllBytes(await openDumpInput(Readable.from([flipped])))).rejects.toThrow(/zstd data is truncated or corrupt/);
  });

  it("surfaces a write error (directory missing)", async () => {
    await expect(openDumpOutput(path.join(dir, "missing", "x.json"))).rejects.toThrow(/ENOENT/);
  });
});
