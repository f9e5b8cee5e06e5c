// npm run fuzz -- --count N --engine E[,E...]|all [--seed S] [--first N] [--keep DIR] [--verbose]
// (E: redis, redis-sentinel, redis-cluster, sqlite3, mysql, postgres, etcd; all is every one)
// A seeded mutation fuzzer of the dump reader and loader (fuzz/run.ts says what it checks).
// Prints a table of outcomes by mutation kind and each failure with its case number; exits 1
// when any case failed. Replay one case with --seed S --first N --count 1.
import { parseArgs } from "node:util";
import type { EngineKind } from "../lib/engines/engine";
import { ENGINES, HA_ENGINES } from "../test/support/engine-target";
import { FAILURES, OUTCOMES, runFuzz, serversInMemory } from "./run";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "200" },
    engine: { type: "string", default: "sqlite3" },
    seed: { type: "string", default: "1" },
    first: { type: "string", default: "0" },
    keep: { type: "string" },
    timeout: { type: "string", default: "30" },
    verbose: { type: "boolean", short: "v" },
  },
});

const known = [...ENGINES, ...HA_ENGINES];
const engines = values.engine === "all" ? known : values.engine!.split(",");
for (const e of engines) if (!known.includes(e as EngineKind)) throw new Error(`unknown --engine ${e}: use ${known.join(", ")} or all`);

serversInMemory();
let failed = false;
for (const engine of engines as EngineKind[]) {
  let done = 0;
  const report = await runFuzz({
    engine,
    count: Number(values.count),
    seed: Number(values.seed),
    first: Number(values.first),
    timeoutMs: Number(values.timeout) * 1000,
    keepDir: values.keep,
    onCase: (r) => {
      done++;
      if (values.verbose || FAILURES.includes(r.outcome)) console.log(`#${r.n} ${r.kind} (${r.detail}) → ${r.outcome}: ${r.message}`);
      else if (done % 100 === 0) process.stderr.write(`${engine}: ${done} cases\n`);
    },
  });
  console.log(`\n${engine}: ${report.count} cases, seed ${report.seed}, ${report.seconds.toFixed(0)} s`);
  for (const o of OUTCOMES) console.log(`  ${o.padEnd(22)} ${report.outcomes[o]}`);
  console.log("  by mutation:");
  for (const [kind, byOutcome] of Object.entries(report.byKind).sort()) {
    console.log(`    ${kind.padEnd(26)} ${Object.entries(byOutcome).map(([o, n]) => `${o} ${n}`).join(", ")}`);
  }
  if (report.failures.length) failed = true;
}
process.exitCode = failed ? 1 : 0;
