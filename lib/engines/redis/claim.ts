// The Redis side of a load's claim (../load-claim.ts): its key, the connection name that says it
// runs, and the two scripts that take and release it atomically.
import type { LoadOwner } from "../load-claim";

/**
 * A load's claim (load-claim.ts): this key holds the owner record from the claim until the
 * setting is written, in one MULTI with it. No JuiceFS key starts with "jfsmeta", and a key in
 * the database makes JuiceFS's own load refuse it (DBSIZE > 0), so the claim guards against it
 * too. In a Redis Cluster the key takes the volume's "{db}" prefix like every other key.
 */
export const LOAD_CLAIM_KEY = "jfsmetaLoad";
/**
 * The loading connection's name while it runs: the server drops it with the connection, so
 * CLIENT LIST tells a running load from a killed one without trusting a clock or a pid.
 */
export const loadConnectionName = (o: LoadOwner) => `jfsmeta-load-${o.token}`;

/** Claim an empty database: the emptiness check and the claim in one atomic step. */
export const CLAIM_LUA = `
if redis.call('DBSIZE') ~= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

/**
 * Empty a database that holds only what one load wrote: its claim (KEYS[1]) must still hold
 * exactly ARGV[1] (-1 otherwise), and with a setting (KEYS[2]) present nothing but the claim goes
 * (0). Else the number of keys removed. Atomic, so nothing written meanwhile is lost unseen.
 */
export const CLEAR_LOAD_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
local n = redis.call('DBSIZE')
redis.call('FLUSHDB')
return n
`;

/**
 * CLAIM_LUA for a Redis Cluster, where a volume is its keys with the `{db}` prefix (ARGV[2] is
 * `{db}*`), not a database: no such key, as JuiceFS's load checks it (SCAN MATCH), then the
 * claim. The script runs on the master of the prefix's slot, whose keyspace SCAN walks.
 */
export const CLAIM_PREFIX_LUA = `
local cursor = '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', 10000)
  if #r[2] > 0 then return 0 end
  cursor = r[1]
until cursor == '0'
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

/**
 * CLEAR_LOAD_LUA for a Redis Cluster, one SCAN page (cursor ARGV[3]) of the prefix's keys
 * (ARGV[2]) at a time, so that a big volume's removal never blocks the node for long: -1 when
 * the claim is not ARGV[1], 0 when a setting exists (only the claim goes), else
 * {next cursor, keys removed}; on the last page the claim goes too, and is counted.
 */
export const CLEAR_PREFIX_PAGE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
local r = redis.call('SCAN', ARGV[3], 'MATCH', ARGV[2], 'COUNT', 1000)
local n = 0
for _, k in ipairs(r[2]) do
  if k ~= KEYS[1] then
    redis.call('DEL', k)
    n = n + 1
  end
end
if r[1] == '0' then
  redis.call('DEL', KEYS[1])
  n = n + 1
end
return {r[1], n}
`;
