// A JSON parser that hands every integer too large for a double to the caller, as its digits.
// JSON.parse rounds 9223372032828243969 (a Trash inode) to 9223372032828244000, and the
// alternative of quoting it turns the dump's bare number into a string. Browser-safe.
// Own code: JSON.parse's reviver sees only the rounded value (the source-text access of
// TC39's json-parse-with-source is missing from Node 20), and no maintained library on npm
// both keeps member order and lets the caller choose what a big integer becomes.

/** Parse `text`; an integer outside ±(2^53 − 1) becomes `bigInteger(digits)`. */
export function parseJsonBig(text: string, bigInteger: (digits: string) => unknown): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const stringToken = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") return i++, obj;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a member name");
        const key = stringToken();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        // defineProperty: a member named __proto__ is data, not the object's prototype.
        Object.defineProperty(obj, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        const sep = text[i++];
        if (sep === "}") return obj;
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return arr;
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return stringToken();
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(i, i + 400));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    const tok = m[0];
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok === "null") return null;
    const n = Number(tok);
    if (!m[1] && !m[2] && !Number.isSafeInteger(n)) return bigInteger(tok);
    return n;
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

/**
 * An integer beyond 2^53 as the dump writes it: react-json-view shows a value of its
 * `bigNumber` class bare, by `toString()` (no quotes, no rounding).
 */
export class DumpInteger {
  readonly name = "DumpInteger";
  constructor(readonly digits: string) {}
  toString(): string {
    return this.digits;
  }
  toJSON(): string {
    return this.digits;
  }
}
