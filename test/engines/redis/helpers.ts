// Helpers for tests that load and dump through a private Redis.
import { Redis } from "ioredis";

export { dumpToBuffer, loadBuffer } from "../../support/engine-io";

/** A raw client on one DB of a private server, for reading keys. */
export function rawClient(url: string): Redis {
  const m = /^redis:\/\/(?::([^@]*)@)?([^:/]+):(\d+)(?:\/(\d+))?$/.exec(url);
  if (!m) throw new Error(`test helper: cannot parse ${url}`);
  const password = m[1] ? decodeURIComponent(m[1]) : undefined;
  return new Redis({ host: m[2], port: Number(m[3]), db: Number(m[4] ?? 0), password, lazyConnect: false });
}
