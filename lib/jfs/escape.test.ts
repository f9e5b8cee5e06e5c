import { describe, expect, it } from "vitest";
import { escapeName, findBadEscape, goUtf8SeqLen, unescapeName } from "./escape";
import { prng } from "../synth/prng";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("escapeName: the examples of JuiceFS's escaping (docs/format/dump-json.md §6)", () => {
  const rows: [string, Buffer, string][] = [
    ["spaces (v1.4+)", Buffer.from("file name with spaces"), "file%20name%20with%20spaces"],
    ["percent", Buffer.from("100%"), "100%25"],
    ["quote and backslash", Buffer.from('a"b\\c'), "a%22b%5Cc"],
    ["tab", Buffer.from("a\tb"), "a%09b"],
    ["invalid byte", hex("FF 41"), "%FFA"],
    ["2-byte UTF-8", hex("C3 A9"), "é"],
    ["GBK 果汁 (D6 AD is valid UTF-8)", hex("B9 FB D6 AD"), "%B9%FB\u05ad"],
    ["valid U+FFFD escaped whole (JuiceFS: lossy %EF)", hex("EF BF BD"), "%EF%BF%BD"],
    ["HTML characters stay in names", Buffer.from("a&b<c>"), "a&b<c>"],
  ];
  for (const [what, raw, written] of rows) {
    it(what, () => expect(escapeName(raw)).toBe(written));
  }

  it("keeps DEL, U+2028 and 4-byte UTF-8 raw", () => {
    expect(escapeName(Buffer.from("a\x7fb\u2028c😀"))).toBe("a\x7fb\u2028c😀");
  });

  it("escapes every control character and nothing printable in ASCII", () => {
    for (let c = 0; c < 0x80; c++) {
      const want = c <= 0x20 || c === 0x25 || c === 0x22 || c === 0x5c ? "%" + c.toString(16).toUpperCase().padStart(2, "0") : String.fromCharCode(c);
      expect(escapeName(Buffer.from([c]))).toBe(want);
    }
  });

  it("treats Go-invalid sequences byte by byte", () => {
    expect(escapeName(hex("C0 80"))).toBe("%C0%80"); // overlong
    expect(escapeName(hex("ED A0 80"))).toBe("%ED%A0%80"); // surrogate
    expect(escapeName(hex("F0 9F 98"))).toBe("%F0%9F%98"); // truncated 4-byte
    expect(escapeName(hex("F4 90 80 80"))).toBe("%F4%90%80%80"); // above U+10FFFF
    expect(escapeName(hex("E0 9F BF"))).toBe("%E0%9F%BF"); // overlong 3-byte
    expect(escapeName(hex("80 41"))).toBe("%80A"); // lone continuation
  });
});

describe("goUtf8SeqLen", () => {
  it("accepts exactly the ranges Go accepts", () => {
    expect(goUtf8SeqLen(hex("DF BF"), 0)).toBe(2);
    expect(goUtf8SeqLen(hex("E0 A0 80"), 0)).toBe(3);
    expect(goUtf8SeqLen(hex("ED 9F BF"), 0)).toBe(3);
    expect(goUtf8SeqLen(hex("F0 90 80 80"), 0)).toBe(4);
    expect(goUtf8SeqLen(hex("F4 8F BF BF"), 0)).toBe(4);
    expect(goUtf8SeqLen(hex("C1 BF"), 0)).toBe(0);
    expect(goUtf8SeqLen(hex("F5 80 80 80"), 0)).toBe(0);
  });
});

describe("unescapeName", () => {
  it("decodes only % followed by two uppercase hex digits", () => {
    expect(unescapeName("%41").toString()).toBe("A");
    expect(unescapeName("%4a").toString()).toBe("%4a");
    expect(unescapeName("abc%2").toString()).toBe("abc%2");
    expect(unescapeName("%%41").toString()).toBe("%A");
    expect(unescapeName("no escapes here").toString()).toBe("no escapes here");
  });

  it("reads raw spaces of pre-1.4 dumps", () => {
    expect(unescapeName("file name").toString()).toBe("file name");
  });

  it("returns a fresh buffer", () => {
    const src = Buffer.from("abc");
    const out = unescapeName(src);
    out[0] = 0x7a;
    expect(src.toString()).toBe("abc");
  });
});

describe("round trips", () => {
  const cases: [string, Buffer][] = [
    ["GBK 果汁数据 mixed with UTF-8", Buffer.concat([Buffer.from("GBK"), hex("B9FBD6ADCAFDBEDD"), Buffer.from("果汁")])],
    ["percent", Buffer.from("%%41%zz%")],
    ["quote, backslash", Buffer.from('"\\"\\')],
    ["spaces", Buffer.from("  a b  ")],
    ["control characters", Buffer.from(Array.from({ length: 32 }, (_, i) => i))],
    ["invalid UTF-8", hex("FF FE 80 C0 AF ED A0 80 F8")],
    ["4-byte UTF-8", Buffer.from("😀𝄞")],
  ];
  for (const [what, raw] of cases) {
    it(what, () => {
      const text = escapeName(raw);
      expect(Buffer.from(text, "utf8").toString("utf8")).toBe(text); // valid UTF-8
      // eslint-disable-next-line no-control-regex -- no control character may come out unescaped
      expect(text).not.toMatch(/[\u0000-\u0020"\\]/);
      expect(findBadEscape(text)).toBe(-1);
      expect(unescapeName(text).equals(raw)).toBe(true);
    });
  }

  it("random bytes survive, U+FFFD included", () => {
    const rnd = prng(7);
    for (let n = 0; n < 2000; n++) {
      const len = Math.floor(rnd() * 24);
      const raw = Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256)));
      if (n % 3 === 0) raw.set(hex("EFBFBD").subarray(0, Math.min(3, len)), 0);
      expect(unescapeName(escapeName(raw)).equals(raw)).toBe(true);
    }
  });
});

describe("findBadEscape", () => {
  it("finds a % without two uppercase hex digits", () => {
    expect(findBadEscape("ok%41")).toBe(-1);
    expect(findBadEscape("a%4a")).toBe(1);
    expect(findBadEscape("ab%")).toBe(2);
    expect(findBadEscape("%41%G0")).toBe(3);
    expect(findBadEscape(Buffer.from("x%2"))).toBe(1);
  });
});
