// The volume format (Setting) as JSON: the dump header's `Setting` member, the value engines
// store under `setting`, and a BigInt-safe parser for both. Driven by SETTING_FIELDS.
import { formatIssues } from "./format";
import { SETTING_FIELDS, SettingSchema, type Setting, type SettingFieldKind, type Tier } from "./setting";
import { goMarshalIndent, type GoObject, type GoValue } from "./json/gojson";
import { bool, decodeDocument, intNum, intSchema, mapOf, record, str, uint8, type Schema, type Where } from "./json/decode";
import { DumpFormatError } from "./json/format-error";

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "" || v === 0 || v === 0n || v === false;
}

function tiersToGo(tiers: Record<string, Tier> | null | undefined): GoValue {
  if (!tiers) return null;
  const out: GoObject = new Map();
  // Go sorts map keys by their decimal text.
  for (const k of Object.keys(tiers).sort()) {
    const t = tiers[k];
    out.set(k, new Map<string, GoValue>([["ID", t.ID], ["StorageClass", t.StorageClass], ["Tag", t.Tag]]));
  }
  return out;
}

/**
 * The Setting as an ordered Go value (member order and omitempty of SETTING_FIELDS).
 * It writes what it is given: a dump should pass effectiveTiers() in `Tiers`, as JuiceFS
 * fills the default tier when it reads a format without one.
 */
export function settingToGo(s: Setting): GoObject {
  const out: GoObject = new Map();
  const values = s as unknown as Record<string, unknown>;
  for (const f of SETTING_FIELDS) {
    const v = values[f.name];
    if (f.kind === "tiers") {
      out.set(f.name, tiersToGo(v as Setting["Tiers"]));
      continue;
    }
    if (f.omitEmpty && isEmpty(v)) continue;
    out.set(f.name, v === undefined ? zeroOf(f.kind) : (v as GoValue));
  }
  return out;
}

function zeroOf(kind: SettingFieldKind): GoValue {
  switch (kind) {
    case "string":
      return "";
    case "int":
      return 0;
    case "int64":
      return 0n;
    case "bool":
      return false;
    case "tiers":
      return null;
  }
}

/** What engines store under `setting`: Go stdlib MarshalIndent(format, "", ""). */
export function encodeStoredSetting(s: Setting): string {
  return goMarshalIndent(settingToGo(s), "", "", "std");
}

/** Capacity and Inodes are uint64, the limits int64; one kind covers both ranges. */
const int64OrUint64 = intSchema(-(1n << 63n), (1n << 64n) - 1n, false, "64-bit integer");

const tierDecoder = record({ ID: intNum, StorageClass: str, Tag: str }, (o) => ({
  ID: (o.ID as number | undefined) ?? 0,
  StorageClass: (o.StorageClass as string | undefined) ?? "",
  Tag: (o.Tag as string | undefined) ?? "",
}));

function fieldDecoder(kind: SettingFieldKind): Schema {
  switch (kind) {
    case "string":
      return str;
    case "int":
      return intNum;
    case "int64":
      return int64OrUint64;
    case "bool":
      return bool;
    case "tiers":
      return mapOf(uint8, tierDecoder);
  }
}

function buildSetting(o: Record<string, unknown>, at: Where): Setting {
  const values: Record<string, unknown> = {};
  for (const f of SETTING_FIELDS) {
    let v = o[f.name];
    if (f.kind === "tiers") {
      // A missing or null map stays null (Go's nil); readers use effectiveTiers().
      v = v instanceof Map ? Object.fromEntries([...v].map(([k, t]) => [String(k), t])) : null;
    } else if (v === undefined && !f.omitEmpty) v = zeroOf(f.kind); // Go leaves a missing member at zero
    if (v !== undefined) values[f.name] = v;
  }
  const r = SettingSchema.safeParse(values);
  if (!r.success) throw new DumpFormatError(`invalid Setting: ${formatIssues(r.error)}`, at.path, at.offset);
  return r.data;
}

/**
 * Decoder for a Setting object inside any JSON document. Like Go's decoder it matches member
 * names case-insensitively and drops unknown members (as JuiceFS's load does).
 */
export const settingDecoder: Schema = record(
  Object.fromEntries(SETTING_FIELDS.map((f) => [f.name, fieldDecoder(f.kind)])),
  buildSetting,
);

/** Parses a stored or dumped Setting; integers stay exact (bigint). Throws DumpFormatError. */
export function parseSetting(json: string | Buffer): Setting {
  const v = decodeDocument(json, settingDecoder, "Setting");
  if (v === undefined) throw new DumpFormatError("the setting is null, expected a JSON object", "Setting", 0);
  return v as Setting;
}
