#!/usr/bin/env node
// Fetches JuiceFS's golden dumps (Apache-2.0) at the commit our compatibility tests were written
// against, into fixtures/juicefs/ (git-ignored: they are JuiceFS's files, not ours).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const COMMIT = "a6a0299bdfb7f6c51261e735c1e9ca955960925b";
const FILES = ["metadata.sample", "metadata-sub.sample"];
const dir = path.resolve(import.meta.dirname, "..", "fixtures", "juicefs");
mkdirSync(dir, { recursive: true });
for (const name of FILES) {
  const url = `https://raw.githubusercontent.com/juicedata/juicefs/${COMMIT}/pkg/meta/${name}`;
  const res = await fetch(url);
  if (!res.ok) {
    console.error(`download ${url}: HTTP ${res.status}`);
    process.exit(1);
  }
  writeFileSync(path.join(dir, name), Buffer.from(await res.arrayBuffer()));
  console.log(`fixtures/juicefs/${name}`);
}
