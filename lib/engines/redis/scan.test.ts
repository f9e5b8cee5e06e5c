import { describe, expect, it } from "vitest";
import { decimal, decimalAt } from "./scan";
import { prngBelow } from "../../synth/prng";

/** The definition decimal() keeps: the whole string one optional minus and decimal digits, else 0. */
const definition = (s: string) => (/^-?\d+$/.test(s) ? BigInt(s) : 0n);

describe("decimal", () => {
  it("reads what the definition reads, 0n for anything else, at any place in a buffer", () => {
    const cases = ["", "-", "0", "-0", "7", "-12", "007", "123456789012345", "-999999999999999", "1234567890123456", "-98765432109876543210",
      "18446744073709551615", "+5", " 5", "5 ", "1e3", "12a", "--1", "0x10", "٣", "9".repeat(40)];
    for (const c of cases) {
      const b = Buffer.from(`xx${c}yy`, "latin1");
      expect(decimalAt(b, 2, 2 + Buffer.byteLength(c, "latin1")), JSON.stringify(c)).toBe(definition(Buffer.from(c, "latin1").toString("latin1")));
    }
    const below = prngBelow(5);
    const wrong: string[] = [];
    for (let t = 0; t < 20_000; t++) {
      const s = Array.from({ length: below(20) }, (_, i) => {
        const c = below(7 * 53 * 10);
        return i === 0 && c % 7 === 0 ? "-" : c % 53 === 0 ? "x" : String(c % 10);
      }).join("");
      if (decimal(Buffer.from(s, "latin1")) !== definition(s)) wrong.push(s);
    }
    expect(wrong).toEqual([]);
    expect(decimal(null)).toBe(0n);
  });
});
