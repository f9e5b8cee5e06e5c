import { describe, expect, it } from "vitest";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import { DumpInputError, openDumpInput } from "./input";
import { sniffCompression } from "./magic";
import { openDumpOutput } from "./output";
import { readDumpToTree, writeTree } from "../../test/support/dump-tree";
import { JsonDumpWriter } from "./writer";
import { emitTree } from "../../test/support/dump-tree";

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

  it("refuses zstd with instructions", async () => {
    const f = path.join(dir, "x.json.zstd");
    await writeFile(f, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]));
    await expect(openDumpInput(f)).rejects.toThrow(/zstd -d/);
  });

  it("refuses a binary dump, plain or gzipped, by its first segment header", async () => {
    const bin = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5]), Buffer.from("xxxxx")]);
    await expect(readAllBytes(await openDumpInput(Readable.from([bin])))).rejects.toThrow(/binary dump/);
    await expect(readAllBytes(await openDumpInput(Readable.from([gzipSync(bin)])))).rejects.toThrow(/binary dump/);
  });

  for (const gz of [false, true]) {
    it(`closes its source when the reader stops early${gz ? " (gzip)" : ""}`, async () => {
      // Incompressible filler, so that the gzip body is large too.
      let x = 1;
      const filler = Buffer.from(Array.from({ length: 1 << 20 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24)));
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

  it("refuses .zstd output clearly", async () => {
    await expect(openDumpOutput(path.join(dir, "x.json.zstd"))).rejects.toThrow(/zstd is not supported yet/);
  });

  it("surfaces a write error (directory missing)", async () => {
    await expect(openDumpOutput(path.join(dir, "missing", "x.json"))).rejects.toThrow(/ENOENT/);
  });
});
