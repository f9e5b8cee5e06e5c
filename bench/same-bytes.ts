// Comparing the bench's files by their bytes, streamed: reading both whole into the bench's
// process made its RSS 950 MB at 1M files (and over Node's 2 GiB limit at 5M), and Linux hands a
// parent's peak RSS down to the workers it then forks, so every later worker reported that
// figure as its own.
import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";

/** A file's SHA-256, read 1 MiB at a time. */
export async function fileDigest(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest("hex");
}

/** Whether two files hold the same bytes. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  return statSync(a).size === statSync(b).size && (await fileDigest(a)) === (await fileDigest(b));
}
