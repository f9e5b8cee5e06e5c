import { describe, expect, it } from "vitest";
import type { Setting } from "./setting";
import { encodeStoredSetting, parseSetting, settingToGo } from "./setting-json";
import { goMarshalIndent } from "./json/gojson";
import { DumpFormatError } from "./json/format-error";

// What a default `juicefs format` stores (docs/format/redis-keys.md §4).
const STORED = `{
"Name": "myjfs",
"UUID": "6b5a2d62-1f0e-4b8a-9b0c-3f1c2d3e4f50",
"Storage": "file",
"Tiers": {
"0": {
"ID": 0,
"StorageClass": "",
"Tag": ""
}
},
"Bucket": "/var/jfs/",
"BlockSize": 4096,
"Compression": "none",
"EncryptAlgo": "aes256gcm-rsa",
"TrashDays": 1,
"MetaVersion": 1,
"MinClientVersion": "1.1.0-A",
"DirStats": true,
"EnableACL": false
}`;

describe("stored setting", () => {
  it("parses and re-encodes JuiceFS's stored form byte for byte", () => {
    const s = parseSetting(STORED);
    expect(s.Name).toBe("myjfs");
    expect(s.Tiers).toEqual({ "0": { ID: 0, StorageClass: "", Tag: "" } });
    expect(encodeStoredSetting(s)).toBe(STORED);
  });

  it("keeps 64-bit members exact", () => {
    const s = parseSetting(STORED.replace('"DirStats": true', '"Capacity": 18446744073709551615,\n"Inodes": 9007199254740993,\n"DirStats": true'));
    expect(s.Capacity).toBe(18446744073709551615n);
    expect(s.Inodes).toBe(9007199254740993n);
    expect(encodeStoredSetting(s)).toContain('"Capacity": 18446744073709551615,\n"Inodes": 9007199254740993,');
  });

  it("matches member names case-insensitively and drops unknown ones", () => {
    const s = parseSetting('{"name":"x","uuid":"u","STORAGE":"s3","bucket":"b","blocksize":4096,"trashdays":0,"enableacl":true,"Future":{"a":[1]}}');
    expect(s).toMatchObject({ Name: "x", UUID: "u", Storage: "s3", Bucket: "b", BlockSize: 4096, EnableACL: true });
    expect(s).not.toHaveProperty("Future");
  });

  it("fills missing always-present members with Go's zero values and Tiers with null", () => {
    const s = parseSetting('{"Name":"x"}');
    expect(s).toMatchObject({ Name: "x", UUID: "", Storage: "", Bucket: "", BlockSize: 0, TrashDays: 0, EnableACL: false, Tiers: null });
    expect(encodeStoredSetting(s)).toBe('{\n"Name": "x",\n"UUID": "",\n"Storage": "",\n"Tiers": null,\n"Bucket": "",\n"BlockSize": 0,\n"TrashDays": 0,\n"EnableACL": false\n}');
  });

  it("orders Tiers keys as Go does (as text)", () => {
    const tier = (id: number) => ({ ID: id, StorageClass: `c${id}`, Tag: "" });
    const s = { ...parseSetting(STORED), Tiers: { "2": tier(2), "10": tier(10), "1": tier(1) } } as Setting;
    const keys = [...(settingToGo(s).get("Tiers") as Map<string, unknown>).keys()];
    expect(keys).toEqual(["1", "10", "2"]);
  });

  it("uses \\b/\\f (std) in the stored form but \\u0008 (goccy) in dumps", () => {
    const s = { ...parseSetting(STORED), Name: "a\bb" };
    expect(encodeStoredSetting(s)).toContain('"Name": "a\\bb"');
    expect(goMarshalIndent(settingToGo(s), "", "  ")).toContain('"Name": "a\\u0008b"');
  });

  it("reports bad JSON and bad member types clearly", () => {
    expect(() => parseSetting("{")).toThrow(DumpFormatError);
    expect(() => parseSetting("{")).toThrow(/truncated/);
    expect(() => parseSetting('{"BlockSize": "4096"}')).toThrow(/Setting\.BlockSize/);
    expect(() => parseSetting('{"Tiers": {"256": {}}}')).toThrow(/out of range for uint8/);
    expect(() => parseSetting("null")).toThrow(/null/);
  });
});
