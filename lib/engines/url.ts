// META-URL helpers shared by every engine: hiding the password, and the password JuiceFS
// takes from the environment when the URL has none.
import { readFileSync } from "node:fs";
import { wrapError } from "../jfs/errors";

/** Index of the '@' that ends the user part (the last one before the query), or -1. */
function userinfoEnd(rest: string): number {
  // The address may hold '/' (unix sockets: `unix(/run/x.sock)`) and the password '@',
  // so take the last '@' before the query string, as JuiceFS does.
  const q = rest.indexOf("?");
  return (q >= 0 ? rest.slice(0, q) : rest).lastIndexOf("@");
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
