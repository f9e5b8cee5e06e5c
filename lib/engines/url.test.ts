import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn } from "./url";

describe("redactUrl", () => {
  it("hides the password of one META-URL, '@' in the password included", () => {
    expect(redactUrl("redis://:secret@h:6379/1")).toBe("redis://:****@h:6379/1");
    expect(redactUrl("mysql://root:pa@ss@(h:3306)/jfs")).toBe("mysql://root:****@(h:3306)/jfs");
    expect(redactUrl("sqlite3:///tmp/a.db")).toBe("sqlite3:///tmp/a.db");
  });
});

describe("redactUrlsIn", () => {
  it("hides the password of every URL in free text and leaves the rest", () => {
    expect(redactUrlsIn("connect to postgres://u:pw@h:5432/d failed; tried redis://x:y@r:6379/1 too")).toBe(
      "connect to postgres://u:****@h:5432/d failed; tried redis://x:****@r:6379/1 too",
    );
    expect(redactUrlsIn("no password in redis://h:6379/1 or sqlite3:///a.db")).toBe("no password in redis://h:6379/1 or sqlite3:///a.db");
  });
});
