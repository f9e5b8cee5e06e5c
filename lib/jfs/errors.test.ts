import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EXIT_CODES, exitCodeOf } from "../../cli/exit-codes";
import { errorResponse, httpStatusOf } from "../server/errors";
import { DumpFormatError } from "./json/format-error";
import { ERROR_KINDS, errorKind, JfsError } from "./errors";

describe("JfsError", () => {
  it("carries a kind, the standard cause, and its subclass's name", () => {
    const low = new Error("ECONNREFUSED 127.0.0.1:6379");
    const e = new JfsError("unreachable", "cannot reach Redis", { cause: low });
    expect(e.kind).toBe("unreachable");
    expect(e.cause).toBe(low);
    expect(e.name).toBe("JfsError");
    const d = new DumpFormatError("bad", "FSTree", 12);
    expect([d.name, d.kind, d instanceof JfsError]).toEqual(["DumpFormatError", "corrupt-input", true]);
  });

  it("anything else is internal", () => {
    expect(errorKind(new Error("x"))).toBe("internal");
    expect(errorKind("a string")).toBe("internal");
    expect(errorKind(undefined)).toBe("internal");
  });
});

describe("kind → exit code and HTTP status", () => {
  it("the CLI: usage 2, retryable 75, interrupted 130, the rest 1 as JuiceFS", () => {
    expect(ERROR_KINDS.map((k) => [k, EXIT_CODES[k]])).toEqual([
      ["usage", 2], ["not-found", 1], ["refused", 1], ["corrupt-input", 1], ["unreachable", 75],
      ["auth", 1], ["busy", 75], ["interrupted", 130], ["unsupported", 1], ["internal", 1],
    ]);
    expect(exitCodeOf(new Error("bug"))).toBe(1);
    expect(exitCodeOf(new JfsError("usage", "--bogus"))).toBe(2);
  });

  it("the dashboard: one status per kind, zod failures 400, a body with message and kind", async () => {
    expect(ERROR_KINDS.map((k) => httpStatusOf(new JfsError(k, k)))).toEqual([400, 404, 409, 422, 502, 403, 409, 503, 501, 500]);
    expect(httpStatusOf(z.object({ a: z.string() }).safeParse({}).error)).toBe(400);
    const r = errorResponse(new JfsError("not-found", "no backup x"));
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "no backup x", kind: "not-found" });
  });
});
