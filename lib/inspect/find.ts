// Find in a metadata tree: by path, by name pattern, or by inode number (a hard link is found
// under every path it has). The pure parts shared by the backup index (backup.ts, in SQL) and
// the live engine (live.ts, by a walk).
import { escapeName, unescapeName } from "../jfs/escape";
import { displayName } from "./describe";
import { InspectRequestError } from "./source";

/** Matching a name pattern: what the user typed, lowercased; names are display names, lowercased. */
export type NameMatcher = (lowerName: string) => boolean;

/**
 * A pattern with a wildcard (`*` any run, `?` one character, `[abc]`/`[a-z]`/`[!x]` a class) is
 * a glob over the whole name; one without is a substring. Case-insensitive, as the tree
 * viewer's filter.
 */
export function nameMatcher(pattern: string): NameMatcher {
  const p = pattern.toLowerCase();
  if (!/[*?[]/.test(p)) return (name) => name.includes(p);
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*") re += "[^]*";
    else if (c === "?") re += "[^]";
    else if (c === "[") {
      const end = p.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = p.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\][^]/g, "\\$&")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/\]]/g, "\\$&");
  }
  const rx = new RegExp(re + "$", "u");
  return (name) => rx.test(name);
}

/** An inode number as typed ("12345"), or a clear refusal. */
export function parseInodeQuery(q: string): bigint {
  const t = q.trim();
  if (!/^\d{1,20}$/.test(t) || BigInt(t) === 0n || BigInt(t) > 0xffffffffffffffffn) {
    throw new InspectRequestError(`"${q}" is not an inode number: give a whole number such as 1 or 4096`);
  }
  return BigInt(t);
}

/**
 * A path as typed, below FSTree's root, as raw names: "/a/b", "a/b/", with %XX escapes
 * accepted (so a name that is not UTF-8 can be named). "" and "/" are the root.
 */
export function pathNames(path: string): Buffer[] {
  return path
    .split("/")
    .filter((p) => p && p !== ".")
    .map((p) => unescapeName(p));
}

/** The displayed and escaped forms of a path from its raw names (under "/.trash" for the Trash tree). */
export function pathOf(names: Buffer[], tree: "FSTree" | "Trash" = "FSTree"): { path: string; rawPath: string } {
  const top = tree === "Trash" ? "/.trash" : "";
  return {
    path: top + "/" + names.map(displayName).join("/"),
    rawPath: top + "/" + names.map(escapeName).join("/"),
  };
}
