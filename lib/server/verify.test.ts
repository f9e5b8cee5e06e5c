import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/fixtures";
import { tempDir } from "../../test/support/temp-dir";
import { BinaryDumpWriter } from "../dump/binary/writer";
import { convertDump } from "../engines/convert";
import { errorKind } from "../jfs/errors";
import { verifyPlainDump } from "./verify";

process.env.JFSMETA_DATA_DIR = tempDir("jfsmeta-verify-");

describe("verifyPlainDump (the verify job's check)", () => {
  it("passes JuiceFS's golden dump, and the same volume as a binary dump, with the same inode count", async () => {
    const json = await verifyPlainDump(Readable.from([golden("metadata.sample")]));
    expect(json).toMatchObject({ format: "json", bytes: golden("metadata.sample").length });
    expect(json.inodes).toBeGreaterThan(10);
    const bin = new PassThrough();
    const chunks: Buffer[] = [];
    bin.on("data", (c: Buffer) => chunks.push(c));
    await convertDump(Readable.from([golden("metadata.sample")]), new BinaryDumpWriter(bin), { workDir: tempDir("jfsmeta-verify-bin-") });
    bin.end();
    const binary = await verifyPlainDump(Readable.from([Buffer.concat(chunks)]));
    expect(binary.format).toBe("binary");
    expect(binary.inodes).toBe(json.inodes);
  });

  it("refuses a cut-short dump as corrupt input (what marks a backup failed), naming where it stopped", async () => {
    const whole = golden("metadata.sample");
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const err = await verifyPlainDump(Readable.from([cut])).catch((e: unknown) => e);
    expect(errorKind(err)).toBe("corrupt-input");
    expect(String(err)).toMatch(/byte \d+/);
  });
});
