// The Redis side of a load's claim (../load-claim.ts): its key, the connection name that says it
// runs, and the two scripts that take and release it atomically.
import type { LoadOwner } from "../load-claim";

/**
 * A load's claim (load-claim.ts): this key holds the owner record from the claim until the
 * setting is written, in one MULTI with it. No JuiceFS key starts with "jfsmeta", and a key in
 * the database makes JuiceFS's own load refuse it (DBSIZE > 0), so the claim guards against it
 * too. (Cluster META-URLs, whose keys take a "{db}" prefix, are refused by parseRedisUrl.)
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
