// Everything an engine stores, as plain comparable text: every Redis key with its value, every
// SQL row of every table, every etcd key under the volume's prefix (prefix removed) with its value. Values are printed in hex where they are bytes, so a difference shows.
import { Redis } from "ioredis";
import { openRedisEngine } from "../../lib/engines/redis";
import { openDriver } from "../../lib/engines/sql/driver";
import { parseSqlUrl } from "../../lib/engines/sql/url";
import { openEtcd } from "../../lib/engines/etcd";

/** Table (SQL) or key (Redis) → its rows or value, each rendered as one line, sorted. */
export type Stored = Record<string, string[]>;

const show = (v: unknown): string => {
  if (Buffer.isBuffer(v)) return `0x${v.toString("hex")}`;
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
};

export async function storedData(url: string): Promise<Stored> {
  if (url.startsWith("etcd://")) return storedEtcd(url);
  return /^rediss?:\/\//.test(url) ? storedRedis(url) : storedSql(url);
}

async function storedEtcd(url: string): Promise<Stored> {
  const engine = await openEtcd(url);
  try {
    const out: Stored = {};
    for await (const page of engine.kv.scan(Buffer.alloc(0), Buffer.from([0]))) {
      for (const kv of page) out[`key ${show(engine.kv.strip(kv.key))}`] = [show(kv.value)];
    }
    // Two empty prefixes would compare equal: a wrong prefix must not pass for conformance.
    if (Object.keys(out).length === 0) throw new Error(`conformance: nothing stored under ${url}`);
    return out;
  } finally {
    await engine.close();
  }
}

/**
 * Every key of the volume a Redis META-URL names (one server, Sentinel or Cluster), read from
 * the node that holds it; key names without the cluster's `{db}` prefix, so that two volumes of
 * one cluster compare.
 */
async function storedRedis(url: string): Promise<Stored> {
  const engine = await openRedisEngine(url);
  const prefix = engine.p;
  const node = await engine.dataNode().finally(() => engine.close());
  const redis = new Redis({ ...node, lazyConnect: true });
  await redis.connect();
  try {
    const out: Stored = {};
    let cursor = "0";
    const keys: Buffer[] = [];
    do {
      const [next, batch] = await redis.scanBuffer(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = String(next);
      keys.push(...batch);
    } while (cursor !== "0");
    for (const key of keys) {
      const type = await redis.type(key);
      const name = key.toString("latin1").slice(prefix.length);
      let lines: string[];
      if (type === "string") lines = [show(await redis.getBuffer(key))];
      else if (type === "hash") {
        const h = await redis.hgetallBuffer(key);
        lines = Object.entries(h).map(([f, v]) => `${show(Buffer.from(f, "latin1"))}=${show(v)}`);
      } else if (type === "set") lines = (await redis.smembersBuffer(key)).map(show);
      else if (type === "zset") {
        const z = await redis.zrangeBuffer(key, "0", "-1", "WITHSCORES");
        lines = [];
        for (let i = 0; i < z.length; i += 2) lines.push(`${show(z[i])}@${z[i + 1].toString()}`);
      } else if (type === "list") lines = (await redis.lrangeBuffer(key, 0, -1)).map(show).map((l, i) => `${i}:${l}`);
      else lines = [`<${type}>`];
      out[`${type} ${name}`] = lines.sort();
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

async function storedSql(url: string): Promise<Stored> {
  const target = parseSqlUrl(url);
  const driver = await openDriver(target);
  try {
    const tables =
      target.dialect === "sqlite3"
        ? (await driver.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map((r) => String(r.name))
        : target.dialect === "mysql"
          ? (await driver.all("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()")).map((r) => String(r.name))
          : (await driver.all("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")).map((r) => String(r.name));
    const out: Stored = {};
    for (const t of tables.sort()) {
      const rows = await driver.all(`SELECT * FROM ${t}`);
      out[t] = rows.map((r) => Object.keys(r).sort().map((k) => `${k}=${show(r[k])}`).join(" ")).sort();
    }
    return out;
  } finally {
    await driver.close();
  }
}

/**
 * What JuiceFS's load leaves to chance, made comparable (each rewrite names its reason):
 * - SQL `jfs_edge.id`: JuiceFS inserts a directory's edges in Go map order (DumpedEntry.Entries
 *   is a map), so the auto-increment ids fall at random within a directory. Dropped.
 * - The change log (Redis list `txnLog`, SQL `jfs_change_log`): each line's time is the moment it
 *   was written, and JuiceFS walks Go maps to set the dumped quotas and the rebuilt user/group
 *   usage, so the order within each of those groups is random. Kept: the operations, the order
 *   of their kinds (ACLs, directory / user / group quotas…), the numbering 1…n by position and
 *   times that never go backwards; the times themselves and the order within a kind are not.
 */
export function withoutChance(stored: Stored): Stored {
  const out: Stored = {};
  for (const [key, lines] of Object.entries(stored)) {
    if (key === "jfs_edge") out[key] = lines.map((l) => l.replace(/^id=\d+ /, "")).sort();
    else if (key === "list txnLog") out[key] = changelogFacts(lines.map((l) => {
      const [pos, hex] = [Number(l.slice(0, l.indexOf(":"))), l.slice(l.indexOf(":0x") + 3)];
      return { pos: pos + 1, entry: Buffer.from(hex, "hex").toString("utf8") };
    }));
    else if (key === "jfs_change_log") out[key] = changelogFacts(lines.map((l) => {
      const m = /^entry=("(?:[^"\\]|\\.)*") id=(\d+)$/.exec(l);
      if (!m) throw new Error(`conformance: unexpected jfs_change_log row ${l}`);
      return { pos: Number(m[2]), entry: JSON.parse(m[1]) as string };
    }));
    else out[key] = lines;
  }
  return out;
}

function changelogFacts(rows: { pos: number; entry: string }[]): string[] {
  rows.sort((a, b) => a.pos - b.pos);
  const facts: string[] = [];
  const kinds: string[] = [];
  let lastTime = 0;
  rows.forEach(({ pos, entry }, i) => {
    const m = /^(\d+\.\d{9})\|([A-Z]+)\(([^)]*)\)\|\(0,(\d+)\)$/.exec(entry);
    if (!m) {
      facts.push(`malformed line ${pos}: ${entry}`);
      return;
    }
    const time = Number(m[1]);
    if (time < lastTime) facts.push(`line ${pos} goes back in time`);
    lastTime = time;
    if (pos !== i + 1 || Number(m[4]) !== pos) facts.push(`line ${pos} at position ${i + 1} has txn id ${m[4]}`);
    kinds.push(m[2] === "SETQUOTA" ? `SETQUOTA(${m[3].split(",")[0]})` : m[2]);
    facts.push(`op ${m[2]}(${m[3]})`);
  });
  return [`kinds ${kinds.join(" ")}`, ...facts.sort()];
}

/**
 * A SQL database's schema as the catalogue tells it: SQLite's and MySQL's own DDL of every table
 * (what `.schema` and SHOW CREATE TABLE print, less MySQL's next AUTO_INCREMENT), PostgreSQL's columns, indexes (with their
 * definitions: columns, uniqueness) and constraints. Lines sorted; table → lines.
 */
export async function storedSchema(url: string): Promise<Stored> {
  const target = parseSqlUrl(url);
  const driver = await openDriver(target);
  try {
    const out: Stored = {};
    const add = (table: unknown, line: string) => (out[String(table)] ??= []).push(line);
    if (target.dialect === "sqlite3") {
      for (const r of await driver.all("SELECT type, name, tbl_name AS t, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")) add(r.t, `${r.type} ${r.name}: ${r.sql}`);
    } else if (target.dialect === "mysql") {
      const tables = await driver.all("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()");
      for (const { name } of tables) {
        const [row] = await driver.all(`SHOW CREATE TABLE \`${String(name)}\``);
        // The next auto-increment value is the counter's state, not the schema (the bulk
        // protocol reserves ids in blocks: it differs from JuiceFS's row-by-row inserts).
        add(name, String(row["Create Table"]).replace(/ AUTO_INCREMENT=\d+/, ""));
      }
    } else {
      const cols = await driver.all(
        "SELECT table_name AS t, ordinal_position AS n, column_name AS c, data_type AS ty, is_nullable AS nl, column_default AS d FROM information_schema.columns WHERE table_schema = current_schema()",
      );
      for (const r of cols) add(r.t, `column ${String(r.n)} ${r.c} ${r.ty}${r.nl === "NO" ? " not null" : ""}${r.d === null ? "" : ` default ${r.d}`}`);
      for (const r of await driver.all("SELECT tablename AS t, indexdef AS d FROM pg_indexes WHERE schemaname = current_schema()")) add(r.t, `index ${r.d}`);
      const cons = await driver.all(
        "SELECT c.conrelid::regclass::text AS t, c.conname AS n, pg_get_constraintdef(c.oid) AS d FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace",
      );
      for (const r of cons) add(r.t, `constraint ${r.n} ${r.d}`);
    }
    for (const lines of Object.values(out)) lines.sort();
    return out;
  } finally {
    await driver.close();
  }
}
