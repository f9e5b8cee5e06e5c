// The mutation fuzzer (fuzz/) with a fixed seed on every engine: each corrupt case (JSON, gzip,
// or binary: truncated segments, bad footers, wrong lengths, flipped bytes, dropped segments)
// is refused with one line naming a JSON path or byte offset (a binary dump's segment), no stack trace, no raw database error and an
// empty target; nothing hangs; every case that loads comes back, dumped, as a valid volume
// holding what the dump said. Redis behind Sentinel and Redis Cluster run a sample of the same
// cases (40 each, a different stretch of the 200 on each). `npm run fuzz -- --count 5000 --engine E`
// runs the long version.
import { describe, expect, it } from "vitest";
import { ENGINES, HA_ENGINES } from "./support/engine-target";
import { runFuzz, serversInMemory, type CaseResult } from "../fuzz/run";

const SEED = 20261206;
const CASES = 200;
/** Cases of the sample each HA engine runs: its servers cost more to start and to load into. */
const HA_CASES = 40;

serversInMemory();

const show = (f: CaseResult) => `#${f.n} ${f.kind} (${f.detail}) → ${f.outcome}: ${f.message}`;

describe("fuzzing load with corrupt dumps", () => {
  for (const engine of ENGINES) {
    it(`${engine}: ${CASES} cases, seed ${SEED}`, { timeout: 600_000 }, async () => {
      const report = await runFuzz({ engine, count: CASES, seed: SEED, timeoutMs: 60_000 });
      expect(report.failures.map(show)).toEqual([]);
      expect(report.count).toBe(CASES);
      // Not vacuous: most cases are refused, some load (true hard links, legal odd names…).
      expect(report.outcomes.refused).toBeGreaterThan(CASES / 2);
      expect(report.outcomes.accepted).toBeGreaterThan(0);
      for (const family of ["truncate", "bit-flip", "duplicate-member", "inode-collision", "same-name", "bad-name", "gzip-truncated"])
        expect(Object.keys(report.byKind)).toContain(family);
      // Damaged binary dumps: refused (with the segment and byte offset) and the target left empty.
      for (const family of ["binary-truncated-segment", "binary-bad-footer", "binary-wrong-length", "binary-flipped-byte", "binary-dropped-segment"]) {
        expect(Object.keys(report.byKind)).toContain(family);
        expect(report.byKind[family].refused, family).toBeGreaterThan(0);
      }
    });
  }

  for (const [k, engine] of HA_ENGINES.entries()) {
    const first = k * 100;
    it(`${engine}: cases ${first}–${first + HA_CASES - 1} of seed ${SEED}`, { timeout: 600_000 }, async () => {
      const report = await runFuzz({ engine, count: HA_CASES, first, seed: SEED, timeoutMs: 60_000 });
      expect(report.failures.map(show)).toEqual([]);
      expect(report.count).toBe(HA_CASES);
      expect(report.outcomes.refused).toBeGreaterThan(HA_CASES / 2);
      expect(report.outcomes.accepted).toBeGreaterThan(0);
    });
  }
});
