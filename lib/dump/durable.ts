// Making a written file durable before it counts as written: a dump or a backup that a power cut
// can turn into an empty or truncated file under its final name would be a backup in name only.
// rename() alone orders nothing on disk (ext4 and XFS may persist the rename before the data).
import { open, rename } from "node:fs/promises";
import path from "node:path";

/** fsync a file's data and metadata, by path (Linux flushes the file whatever fd asks). */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory, so that a rename or create inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems (and platforms) cannot sync a directory: the rename is all there is.
    if ((err as NodeJS.ErrnoException).code !== "EINVAL" && (err as NodeJS.ErrnoException).code !== "EISDIR") throw err;
  } finally {
    await fh.close();
  }
}

/** Move a completely written `tmp` to `final` so that after a crash `final` is whole or absent. */
export async function renameDurably(tmp: string, final: string): Promise<void> {
  await fsyncFile(tmp);
  await rename(tmp, final);
  await fsyncDir(path.dirname(path.resolve(final)));
}
