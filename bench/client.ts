// The foreground client of `npm run bench -- --live-load`: a process of its own doing
// metadata operations at a steady rate (open loop: each starts on schedule, whatever the
// previous ones take) until SIGTERM, then printing one JSON line: [[startEpochMs, latencyMs], ...].
// The operations alternate a lookup of a name in the root directory and a write (an xattr
// compare-and-set on the root, which no dump compares), what a JuiceFS client does most.
//   tsx bench/client.ts META-URL OPS-PER-SECOND
import { openEngine } from "../lib/engines/open";

const [url, rateArg] = process.argv.slice(2);
const rate = Number(rateArg ?? 200);
const engine = await openEngine(url);
const names: Buffer[] = [];
for await (const batch of engine.readDir(1n).batches) {
  for (const e of batch) if (names.length < 1000) names.push(e.name);
}
if (!names.length) throw new Error("the volume's root directory is empty: nothing to look up");

const samples: [number, number][] = [];
const pending = new Set<Promise<void>>();
let stopping = false;
let i = 0;
/** The xattr's value as last written: each write replaces it (a failed compare is still a round trip, and rare). */
let last: Buffer | null = null;
const started = performance.now();
process.on("SIGTERM", () => (stopping = true));
process.stdout.write("ready\n");
while (!stopping) {
  const k = i++;
  const t0 = performance.now();
  const at = Date.now();
  const op =
    k % 2 === 0
      ? engine.lookup(1n, names[(k >> 1) % names.length])
      : (() => {
          const value = Buffer.from(String(k));
          return engine.compareAndSetXattr(1n, "user.jfsmeta-bench-client", last, value).then((ok) => void (ok && (last = value)));
        })();
  const p: Promise<void> = op.then(
    () => void samples.push([at, performance.now() - t0]),
    (err) => {
      console.error(`client operation failed: ${err instanceof Error ? err.message : err}`);
      process.exitCode = 1;
    },
  );
  pending.add(p);
  void p.finally(() => pending.delete(p));
  // The next operation's start on the schedule (i / rate s after the start), not after this one.
  const wait = started + (i * 1000) / rate - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await Promise.all(pending);
await engine.close();
process.stdout.write(JSON.stringify(samples) + "\n");
