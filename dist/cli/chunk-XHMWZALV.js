import {
  isRedisKind
} from "./chunk-WHTYQ7ZL.js";
import {
  hostListMode
} from "./chunk-GFD4D3CU.js";
import {
  parseEtcdUrl
} from "./chunk-NBLKMQM2.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/engines/open.ts
function engineKindOf(url) {
  const m = /^([a-z0-9+]+):\/\//i.exec(url);
  const scheme = m ? m[1].toLowerCase() : "redis";
  switch (scheme) {
    case "redis":
    case "rediss": {
      const rest = (m ? url.slice(m[0].length) : url).split("?")[0];
      const mode = hostListMode(rest.slice(rest.lastIndexOf("@") + 1).split("/")[0]);
      return mode === "sentinel" ? "redis-sentinel" : mode === "cluster" ? "redis-cluster" : "redis";
    }
    case "unix":
      return "redis";
    case "sqlite3":
      return "sqlite3";
    case "mysql":
      return "mysql";
    case "postgres":
    case "postgresql":
      return "postgres";
    case "etcd":
      return "etcd";
    default:
      throw new JfsError(
        "usage",
        `unsupported META-URL scheme "${scheme}://": jfsmeta speaks redis://, rediss:// (one server, Sentinel or Cluster), unix://, sqlite3://, mysql://, postgres:// and etcd://`
      );
  }
}
function checkMetaUrl(url) {
  const kind = engineKindOf(url);
  if (kind === "etcd") parseEtcdUrl(url);
  return kind;
}
async function openEngine(url) {
  const kind = engineKindOf(url);
  if (isRedisKind(kind)) {
    const { openRedis } = await import("./redis-NLEN6ZJD.js");
    return openRedis(url);
  }
  if (kind === "etcd") {
    const { openEtcd } = await import("./etcd-RUF4GSMB.js");
    return openEtcd(url);
  }
  const { openSql } = await import("./sql-KBFFXH45.js");
  return openSql(url);
}

export {
  engineKindOf,
  checkMetaUrl,
  openEngine
};
