// The SQL metadata engines (sqlite3://, mysql://, postgres://), as JuiceFS lays them out.
import type { MetaEngine } from "../engine";
import { openDriver } from "./driver";
import { SqlEngine } from "./engine";
import { explainConnectError } from "./errors";
import { parseSqlUrl, type UrlEnv } from "./url";

export { SqlEngine } from "./engine";
export { parseSqlUrl, redactSqlUrl } from "./url";

export async function openSqlEngine(url: string, env: UrlEnv = process.env): Promise<SqlEngine> {
  const target = parseSqlUrl(url, env);
  const driver = await openDriver(target);
  if (driver.dialect !== "sqlite3") {
    // Fail at open, as JuiceFS does (it pings), with an error that says what to fix.
    try {
      await driver.ping();
    } catch (err) {
      await driver.close().catch(() => {}); // a driver that never connected: its error is the one to tell
      throw explainConnectError(err, target.label);
    }
  }
  return new SqlEngine(target, driver);
}

export async function openSql(url: string): Promise<MetaEngine> {
  return openSqlEngine(url);
}
