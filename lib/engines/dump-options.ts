// The options of a dump (`juicefs dump`'s flags) as the CLI and the dashboard take them: zod
// alone, so that the CLI can check them before anything else loads or is asked of the engine.
import { z } from "zod";

export const DEFAULT_THREADS = 10;
/** More would open that many concurrent reads and read-ahead listings on the database. */
export const MAX_THREADS = 64;
/**
 * --threads: a whole number up to MAX_THREADS; 0 or less means 1, as JuiceFS resets it
 * ("Invalid threads number …, reset to 1").
 */
export const ThreadsSchema = z.preprocess(
  (v) => (typeof v === "number" && v <= 0 ? 1 : v),
  z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .max(MAX_THREADS, { error: `must be at most ${MAX_THREADS}` }),
);

/** The options of a dump as the CLI and the dashboard take them (`juicefs dump`'s flags). */
export const DumpOptionsSchema = z.object({
  /** Dump only this directory ("d1", "/a/b"); it must exist. */
  subdir: z.string().trim().max(4096).optional(),
  /** Keep the object storage secret key and session token (else "removed"). */
  keepSecretKey: z.boolean().default(false),
  skipTrash: z.boolean().default(false),
  /** Query concurrency: engine reads in flight at once (JuiceFS --threads). */
  threads: ThreadsSchema.default(DEFAULT_THREADS),
  /** Read one moment of the database (engine.beginConsistentRead); refused where unavailable. */
  consistent: z.boolean().default(false),
  /** Gentle dump: engine queries a second, at most (pace.ts). */
  maxOps: z.number({ error: "must be a number" }).int({ error: "must be a whole number" }).positive({ error: "must be positive" }).optional(),
  /** Gentle dump: slow down, or pause, while the engine answers slower than this many ms. */
  maxLatencyMs: z.number({ error: "must be a number" }).positive({ error: "must be positive" }).optional(),
});
