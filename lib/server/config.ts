// Where jfsmeta keeps its own state. Everything lives under one data directory so that a
// test (or a second instance) can run beside another by pointing JFSMETA_DATA_DIR elsewhere.
// The directory is private to its owner: 0700, its files 0600 (it holds the store, the
// password hash, the key that seals stored secrets, dumps of whole volumes).
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { JfsError } from "../jfs/errors";

/** Mode of the data directory and every directory under it. */
export const DATA_DIR_MODE = 0o700;
/** Mode of every file under the data directory. */
export const DATA_FILE_MODE = 0o600;

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.JFSMETA_DATA_DIR || "data");
}

/** A path inside the data directory, or an error (never a path outside it). */
export class DataPathError extends JfsError {
  constructor(parts: string[]) {
    super("usage", `refused a file name that leaves the data directory: ${JSON.stringify(parts)}`);
  }
}

/**
 * The one way to name a file under data/. Each part is one path segment: a part with a
 * separator, NUL, `.` or `..`, or that is empty, is refused, and the joined path is checked to
 * stay inside the data directory. Callers name files from ids (uuids, validated backup keys),
 * never from what a user typed; this check is the backstop when someone forgets.
 */
export function dataPath(...parts: string[]): string {
  const root = dataDir();
  for (const p of parts) {
    if (typeof p !== "string" || p === "" || p === "." || p === ".." || /[/\\\0]/.test(p)) throw new DataPathError(parts);
  }
  const full = path.join(/*turbopackIgnore: true*/ root, ...parts);
  const rel = path.relative(root, full);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw new DataPathError(parts);
  return full;
}

/**
 * Make the data directory private: create it 0700, then tighten what an older version left
 * (0755 directories, 0644 files: the store, demo files, job outputs) to 0700/0600. Symlinks
 * are not followed. Also sets the process umask so every file made later is private too.
 */
export function secureDataDir(): { tightened: number } {
  process.umask(0o077);
  const root = dataDir();
  mkdirSync(root, { recursive: true, mode: DATA_DIR_MODE });
  let tightened = 0;
  const walk = (p: string) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    const want = st.isDirectory() ? DATA_DIR_MODE : DATA_FILE_MODE;
    if ((st.mode & 0o777) !== want) {
      chmodSync(p, want);
      tightened++;
    }
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return { tightened };
}

/** The app's own SQL files (prisma/sql), found from the project root. */
export function sqlDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.JFSMETA_SQL_DIR || path.join(process.cwd(), "prisma", "sql"));
}
