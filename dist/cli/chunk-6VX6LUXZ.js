// lib/dump/durable.ts
import { open, rename } from "node:fs/promises";
import path from "node:path";
async function fsyncFile(file) {
  const fh = await open(file, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
async function fsyncDir(dir) {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } catch (err) {
    if (err.code !== "EINVAL" && err.code !== "EISDIR") throw err;
  } finally {
    await fh.close();
  }
}
async function renameDurably(tmp, final) {
  await fsyncFile(tmp);
  await rename(tmp, final);
  await fsyncDir(path.dirname(path.resolve(final)));
}

export {
  renameDurably
};
