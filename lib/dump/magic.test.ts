import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { looksLikeBinaryDump, sniffCompression, sniffDump } from "./magic";

describe("sniffDump", () => {
  it("tells every encoding a dump or backup may have by its first bytes", () => {
    expect(sniffDump(gzipSync("{}"))).toBe("gzip");
    expect(sniffDump(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe("zstd");
    expect(sniffDump(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]))).toBe("binary");
    expect(sniffDump(Buffer.from('{\n  "Setting"'))).toBe("json");
    expect(sniffDump(Buffer.from(' \r\n\t{"Setting"'))).toBe("json");
    expect(sniffDump(Buffer.from("garbage!"))).toBe("unknown");
    expect(sniffDump(Buffer.alloc(0))).toBe("unknown");
  });
  it("needs the whole magic: a cut zstd or binary head is not taken for one", () => {
    expect(sniffDump(Buffer.from([0x28, 0xb5, 0x2f]))).toBe("unknown");
    expect(sniffCompression(Buffer.from([0x1f]))).toBe("none");
    expect(looksLikeBinaryDump(Buffer.from([0, 0, 0]))).toBe(false);
  });
});
