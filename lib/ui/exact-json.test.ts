import { describe, expect, it } from "vitest";
import { DumpInteger, parseJsonBig } from "./exact-json";

describe("parseJsonBig", () => {
  it("hands integers beyond 2^53 to the caller as their digits, and parses the rest as JSON.parse does", () => {
    const text = '{"inode":9223372032828243969,"n":-9007199254740993,"safe":9007199254740991,"s":"12345678901234567890\\"9","f":1.5e3,"a":[1,true,null,{}],"u":"\\u00e9"}';
    const v = parseJsonBig(text, (d) => new DumpInteger(d)) as Record<string, unknown>;
    expect(v.inode).toBeInstanceOf(DumpInteger);
    expect(String(v.inode)).toBe("9223372032828243969");
    expect(String(v.n)).toBe("-9007199254740993");
    expect(v.safe).toBe(9007199254740991);
    expect({ ...v, inode: 0, n: 0 }).toEqual({ ...(JSON.parse(text) as object), inode: 0, n: 0 });
    expect(Object.keys(v)).toEqual(["inode", "n", "safe", "s", "f", "a", "u"]);
  });

  it("keeps a member named __proto__ as data", () => {
    const v = parseJsonBig('{"__proto__":{"x":1}}', (d) => d) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });

  it("rejects what JSON.parse rejects", () => {
    for (const bad of ["", "{", '{"a":}', "[1,]", "01", '"x', "{} x", "tru"]) expect(() => parseJsonBig(bad, (d) => d), bad).toThrow(SyntaxError);
  });
});
