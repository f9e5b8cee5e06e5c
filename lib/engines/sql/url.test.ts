import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/temp-dir";
import { parseSqlUrl, redactSqlUrl } from "./url";

describe("SQL META-URLs", () => {
  it("reads sqlite3 paths, JuiceFS's defaults and the table prefix", () => {
    expect(parseSqlUrl("sqlite3://my-jfs.db", {})).toMatchObject({ dialect: "sqlite3", path: "my-jfs.db", journalMode: "WAL", busyTimeoutMs: 5000, prefix: "jfs_" });
    expect(parseSqlUrl("sqlite3:///abs/x.db?_journal=DELETE&_timeout=100&table_prefix=v1", {})).toMatchObject({
      path: "/abs/x.db",
      journalMode: "DELETE",
      busyTimeoutMs: 100,
      prefix: "jfs_v1_",
    });
  });

  it("refuses a table prefix that is not a plain identifier", () => {
    expect(() => parseSqlUrl("sqlite3://x.db?table_prefix=a;drop", {})).toThrow(/table_prefix/);
  });

  it("reads go-sql-driver DSNs for mysql: tcp, bare host, unix socket, default address", () => {
    expect(parseSqlUrl("mysql://user:pass@(db.example:3307)/jfs", {})).toMatchObject({
      dialect: "mysql", host: "db.example", port: 3307, user: "user", password: "pass", database: "jfs",
    });
    expect(parseSqlUrl("mysql://u:p@tcp(h)/d", {})).toMatchObject({ host: "h", port: 3306 });
    expect(parseSqlUrl("mysql://u@unix(/run/mysqld/mysqld.sock)/d", {})).toMatchObject({ socketPath: "/run/mysqld/mysqld.sock", user: "u", database: "d" });
    expect(parseSqlUrl("mysql://u:p@/d", {})).toMatchObject({ host: "127.0.0.1", port: 3306 });
  });

  it("takes the password up to the last '@' and URL-decodes it", () => {
    expect(parseSqlUrl("mysql://u:p@ss%21@(h:1)/d", {})).toMatchObject({ user: "u", password: "p@ss!", host: "h", port: 1 });
  });

  it("uses META_PASSWORD or META_PASSWORD_FILE when the URL has none", () => {
    expect(parseSqlUrl("mysql://u@(h:1)/d", { META_PASSWORD: "secret" })).toMatchObject({ password: "secret" });
    const dir = tempDir("jfsmeta-pw-");
    writeFileSync(path.join(dir, "pw"), "  filed\n");
    expect(parseSqlUrl("postgres://u@h:5432/d", { META_PASSWORD_FILE: path.join(dir, "pw") })).toMatchObject({ password: "filed" });
    expect(parseSqlUrl("postgres://u:inurl@h/d", { META_PASSWORD: "env" })).toMatchObject({ password: "inurl" });
  });

  it("reads postgres URLs: sslmode, unix socket host, single-schema search_path", () => {
    expect(parseSqlUrl("postgres://u:p@h:5433/jfs?sslmode=disable", {})).toMatchObject({ host: "h", port: 5433, database: "jfs", ssl: false });
    expect(parseSqlUrl("postgres://u:p@h/jfs?sslmode=require", {})).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(parseSqlUrl("postgres://u@/jfs?host=/var/run/postgresql", {})).toMatchObject({ host: "/var/run/postgresql", database: "jfs" });
    expect(parseSqlUrl("postgres://u@h/jfs?search_path=s1&table_prefix=v", {})).toMatchObject({ schema: "s1", prefix: "jfs_v_", options: {} });
    expect(() => parseSqlUrl("postgres://u@h/jfs?search_path=a,b", {})).toThrow(/exactly one schema/);
  });

  it("never shows the password", () => {
    expect(redactSqlUrl("mysql://u:p@ss@(h:3306)/d")).toBe("mysql://u:****@(h:3306)/d");
    expect(redactSqlUrl("postgres://u:secret@h:5432/d?sslmode=disable")).toBe("postgres://u:****@h:5432/d?sslmode=disable");
    expect(redactSqlUrl("mysql://u@unix(/s.sock)/d")).toBe("mysql://u@unix(/s.sock)/d");
    expect(redactSqlUrl("sqlite3:///a/b.db")).toBe("sqlite3:///a/b.db");
    const t = parseSqlUrl("postgres://u:secret@h:5432/d", {});
    expect(t.redacted).not.toContain("secret");
    expect(t.label).toBe("postgres://u:****@h:5432/d");
  });
});

describe("opening an SQL engine", () => {
  it("fails at open with the fix named and the password hidden", async () => {
    const { openSqlEngine } = await import("./index");
    const err = await openSqlEngine("postgres://u:s3cret-pw@127.0.0.1:1/db?sslmode=disable").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/cannot reach postgres:\/\/u:\*\*\*\*@127\.0\.0\.1:1\/db .*check the host, port/);
    expect((err as Error).message).not.toContain("s3cret-pw");
  });
});
