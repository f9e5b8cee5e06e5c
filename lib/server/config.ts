// Where jfsmeta keeps its own state. Everything lives under one data directory so that a
// test (or a second instance) can run beside another by pointing JFSMETA_DATA_DIR elsewhere.
import path from "node:path";

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.JFSMETA_DATA_DIR || "data");
}

export function dataPath(...parts: string[]): string {
  return path.join(/*turbopackIgnore: true*/ dataDir(), ...parts);
}

/** The app's own SQL files (prisma/sql), found from the project root. */
export function sqlDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.JFSMETA_SQL_DIR || path.join(process.cwd(), "prisma", "sql"));
}
