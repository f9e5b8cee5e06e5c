// The SQL metadata engines (sqlite3://, mysql://, postgres://), as JuiceFS lays them out.
import type { MetaEngine } from "../engine";
import { openDriver } from "./driver";
import { SqlEngine } from "./engine";
import { parseSqlUrl, type UrlEnv } from "./url";

export { SqlEngine } from "./engine";
export { parseSqlUrl, redactSqlUrl } from "./url";

export async function openSqlEngine(url: string, env: UrlEnv = process.env): Promise<SqlEngine> {
  const target = parseSqlUrl(url, env);
  return new SqlEngine(target, await openDriver(target));
}

export async function openSql(url: string): Promise<MetaEngine> {
  return openSqlEngine(url);
}
