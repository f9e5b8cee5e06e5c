import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { SETTING_FIELDS, SettingSchema, type SettingFieldKind } from "./setting";

/** The zod type each JSON kind of SETTING_FIELDS decodes to. */
const ZOD_TYPE: Record<SettingFieldKind, string> = { string: "string", int: "number", int64: "bigint", bool: "boolean", tiers: "record" };

/** A member's base zod type under its optional/nullable wrappers, and whether it may be absent. */
function describeMember(t: z.ZodType): { type: string; optional: boolean } {
  const optional = t.safeParse(undefined).success;
  let inner = t as z.ZodType & { unwrap?: () => z.ZodType };
  while (inner.def.type === "optional" || inner.def.type === "nullable") inner = inner.unwrap!();
  return { type: inner.def.type, optional };
}

describe("SettingSchema agrees with SETTING_FIELDS", () => {
  const shape = SettingSchema.shape as Record<string, z.ZodType>;

  it("has the same members in the same order", () => {
    expect(Object.keys(shape)).toEqual(SETTING_FIELDS.map((f) => f.name));
  });

  it.each(SETTING_FIELDS.map((f) => [f.name, f] as const))("%s: the kind's type, required unless omitempty", (name, f) => {
    const m = describeMember(shape[name]);
    expect(m.type).toBe(ZOD_TYPE[f.kind]);
    // Tiers is written even when empty but absent from formats before 1.4, so it may be missing.
    expect(m.optional).toBe(f.omitEmpty || f.kind === "tiers");
  });
});
