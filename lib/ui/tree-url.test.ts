import { describe, expect, it } from "vitest";
import { escapeName, unescapeName } from "../jfs/escape";
import { displayNameOf, parseTreeLocation, treeQuery } from "./tree-url";

describe("the tree inspector's place in the URL", () => {
  it("round-trips raw names with %, spaces, + and non-UTF-8 bytes through the query string", () => {
    const names = [escapeName(Buffer.from("empty dir")), escapeName(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe])), "a+b&c=d", "100%25 done", "果汁"];
    const q = treeQuery("backup=dump-2026-01-01-000000.json.gz", { root: "Trash", names });
    expect(q).toContain("backup=dump-2026-01-01-000000.json.gz");
    expect(q).toContain("path=/empty%2520dir/");
    expect(parseTreeLocation(new URLSearchParams(q.slice(1)))).toEqual({ root: "Trash", names });
    expect(treeQuery("path=/x&root=Trash", { root: null, names: [] })).toBe("");
  });

  it("shows a raw name as the server does (lib/jfs/escape, bytes read as UTF-8)", () => {
    for (const bytes of [Buffer.from("empty dir"), Buffer.from([0x62, 0xff, 0xfe]), Buffer.from("100% done"), Buffer.from("b9fbd6adcafdbedd", "hex"), Buffer.from("%zz")]) {
      const raw = escapeName(bytes);
      expect(displayNameOf(raw)).toBe(unescapeName(raw).toString("utf8"));
    }
    expect(displayNameOf("50%zz")).toBe("50%zz");
  });
});
