// META-URL helpers shared by every engine: hiding the password, and the password JuiceFS
// takes from the environment when the URL has none.
import { readFileSync } from "node:fs";
import { JfsError, wrapError } from "../jfs/errors";

/** Index of the '@' that ends the user part (the last one before the query), or -1. */
function userinfoEnd(rest: string): number {
  // The address may hold '/' (unix sockets: `unix(/run/x.sock)`) and the password '@',
  // so take the last '@' before the query string, as JuiceFS does.
  const q = rest.indexOf("?");
  return (q >= 0 ? rest.slice(0, q) : rest).lastIndexOf("@");
}

/** A META-URL after its `scheme://`, cut into its parts (splitAuthority). */
export interface UrlParts {
  /** What follows the user part and precedes the query: hosts, then the path. */
  address: string;
  /** After the first '?', without it ("" when none). */
  query: string;
  /** %-decoded; undefined when the URL has no user part ("" when it has an empty one). */
  username?: string;
  /** %-decoded; undefined when the user part has no ':'. */
  password?: string;
}

/**
 * Split `[user[:password]@]address[?query]` (the META-URL after `scheme://`) as JuiceFS does: the
 * query goes first, then the user part ends at the last '@', so a password may hold '@'. An
 * invalid %-escape is a usage error naming `engine` and the part.
 */
export function splitAuthority(rest: string, engine: string): UrlParts {
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) return { address: rest, query };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  const decode = (text: string, part: string) => {
    try {
      return decodeURIComponent(text);
    } catch (err) {
      throw new JfsError("usage", `invalid %-escape in the ${part} of the ${engine} META-URL: percent-encode special characters`, { cause: err });
    }
  };
  return {
    address: rest.slice(at + 1),
    query,
    username: decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, "user name"),
    password: colon >= 0 ? decode(userinfo.slice(colon + 1), "password") : undefined,
  };
}

/** The META-URL with its password replaced by `****`: safe to show and log. */
export function redactUrl(url: string): string {
  const i = url.indexOf("://");
  const head = i >= 0 ? url.slice(0, i + 3) : "";
  const rest = i >= 0 ? url.slice(i + 3) : url;
  const at = userinfoEnd(rest);
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return url;
  return `${head}${userinfo.slice(0, colon)}:****${rest.slice(at)}`;
}

/**
 * Free text (an error message, a log line) with the password of every `scheme://user:pass@`
 * in it replaced by `****`. Unlike redactUrl it does not parse one URL: it finds them in text.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z0-9+]+:\/\/[^:@/\s]*):([^@\s]*)@/gi, "$1:****@");
}

/**
 * The password for a META-URL that has none: the first of `vars` set in `env`, else the
 * trimmed content of the file named by META_PASSWORD_FILE (JuiceFS's order).
 */
export function passwordFromEnv(env: Record<string, string | undefined>, vars: readonly string[]): string | undefined {
  for (const name of vars) if (env[name]) return env[name];
  const file = env.META_PASSWORD_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    throw wrapError(`cannot read META_PASSWORD_FILE ${file}`, err);
  }
}
