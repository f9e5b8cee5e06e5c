// The dump's sort of one flat directory listed unsorted (as Redis lists it), alone: N names in a
// scrambled order, 10,000 a page, through sortListing (lib/engines/sorted-listing.ts) with the
// default budget (sorted runs spilled to a temporary file and merged) or all in memory, read
// back 100 at a time and checked in order. Run it under GNU time for CPU and peak RSS:
//   /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB" npx tsx bench/sort.ts [--names N] [--in-memory]
import { parseArgs } from "node:util";
import { sortListing } from "../lib/engines/sorted-listing";
import type { DirEntry } from "../lib/jfs/types";

const { values } = parseArgs({ options: { names: { type: "string", default: "3000000" }, "in-memory": { type: "boolean", default: false } } });
const n = Number(values.names);
if (!Number.isInteger(n) || n <= 0) throw new Error(`--names takes a count, not "${values.names}"`);
const width = Math.max(6, String(n).length);

/** The synthetic volume's flat-directory names (f0000000…) in a fixed scrambled order. */
async function* listing(): AsyncGenerator<DirEntry[]> {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  let step = 2654435761 % n || 1;
  while (gcd(step, n) !== 1) step++; // a permutation: every name once
  let batch: DirEntry[] = [];
  for (let k = 0, i = 0; k < n; k++, i = (i + step) % n) {
    batch.push({ name: Buffer.from(`f${String(i).padStart(width, "0")}`), inode: BigInt(i + 100), type: "regular" });
    if (batch.length === 10000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const t0 = performance.now();
const sorted = (await sortListing(listing(), { sorted: false, memory: values["in-memory"] ? Infinity : undefined }))!;
let count = 0;
let last: Buffer | null = null;
for (let part = await sorted.take(100); part.length; part = await sorted.take(100)) {
  for (const e of part) {
    if (last && Buffer.compare(last, e.name) >= 0) throw new Error("names out of order");
    last = e.name;
    count++;
  }
}
await sorted.close();
if (count !== n) throw new Error(`${count} names out of ${n}`);
console.log(`${n.toLocaleString("en-US")} names, ${sorted.runs ? `${sorted.runs} runs spilled and merged` : "sorted in memory"}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
