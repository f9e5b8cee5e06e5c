// Open a metadata engine by its META-URL, as JuiceFS names them.
import type { EngineKind, MetaEngine } from "./engine";
import { JfsError } from "../jfs/errors";

/** The engine a META-URL names; a URL without a scheme is Redis, as in JuiceFS. */
export function engineKindOf(url: string): EngineKind {
  const m = /^([a-z0-9+]+):\/\//i.exec(url);
  const scheme = m ? m[1].toLowerCase() : "redis";
  switch (scheme) {
    case "redis":
    case "rediss":
    case "unix":
      return "redis";
    case "sqlite3":
      return "sqlite3";
    case "mysql":
      return "mysql";
    case "postgres":
    case "postgresql":
      return "postgres";
    default:
      throw new JfsError(
        "usage",
        `unsupported META-URL scheme "${scheme}://": jfsmeta speaks redis://, rediss://, unix://, sqlite3://, mysql:// and postgres://`,
      );
  }
}

export { redactUrl } from "./url";

export async function openEngine(url: string): Promise<MetaEngine> {
  const kind = engineKindOf(url);
  if (kind === "redis") {
    const { openRedis } = await import("./redis");
    return openRedis(url);
  }
  const { openSql } = await import("./sql");
  return openSql(url);
}
