// The CLI's progress line (cli/common.ts Progress): redrawn in place on a terminal, so it must
// stay one line: a text wider than the terminal is cut, since a wrapped line is not cleared by
// the next redraw (a long "waiting for ..." reason on an 80-column terminal). What a dump's line
// says (cli/progress-meter.ts): the count, of about how many, the rate and the time left, each
// phase timed on its own.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Progress } from "../cli/common";
import { dumpProgressLine, loadProgressLine, PhaseMeter } from "../cli/progress-meter";

const stderr = process.stderr as NodeJS.WriteStream & { columns?: number; isTTY?: boolean };
const saved = { columns: stderr.columns, isTTY: stderr.isTTY };

afterEach(() => {
  vi.restoreAllMocks();
  Object.assign(stderr, saved);
});

function written(columns: number | undefined, text: string): string {
  Object.assign(stderr, { isTTY: true, columns });
  const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  new Progress(false).update(text, true);
  return String(write.mock.calls.at(-1)![0]);
}

describe("Progress", () => {
  it("cuts a line wider than the terminal to fit, and leaves a narrower one whole", () => {
    const long = `Dumped entries: 0 (${"waiting ".repeat(20)})`;
    expect(written(40, long)).toBe(`\r\x1b[K${long.slice(0, 38)}…`);
    expect(written(200, long)).toBe(`\r\x1b[K${long}`);
    expect(written(undefined, long)).toBe(`\r\x1b[K${long}`); // width unknown: as is
  });
});

describe("a dump's progress line", () => {
  it("says the count of about the volume's inodes, then its rate and the time left at that rate; a new phase is timed from its own start", () => {
    const meter = new PhaseMeter();
    const reading = { phase: "reading tables" as const, expected: 1_000_000 };
    expect(dumpProgressLine({ entries: 0, holdingBack: "waiting for Redis" }, meter, 0)).toBe("Dumped entries: 0 (waiting for Redis)");
    expect(dumpProgressLine({ entries: 100_000, ...reading }, meter, 1000)).toBe("Read inodes (the tables, before the tree is written): 100,000 of about 1,000,000");
    expect(dumpProgressLine({ entries: 300_000, ...reading }, meter, 2000)).toBe(
      "Read inodes (the tables, before the tree is written): 300,000 of about 1,000,000 · 200,000 entries/s · 3.5 s left",
    );
    // The walk counts the entries written from 0 again, at its own rate.
    expect(dumpProgressLine({ entries: 1000, expected: 1_000_000 }, meter, 5000)).toBe("Dumped entries: 1,000 of about 1,000,000");
    expect(dumpProgressLine({ entries: 101_000, expected: 1_000_000 }, meter, 6000)).toBe("Dumped entries: 101,000 of about 1,000,000 · 100,000 entries/s · 9.0 s left");
    // Past the estimate (hard links, the Trash): the rate alone. Without one (--subdir): no total.
    expect(dumpProgressLine({ entries: 1_001_000, expected: 1_000_000 }, meter, 15_000)).toBe("Dumped entries: 1,001,000 of about 1,000,000 · 100,000 entries/s");
    expect(dumpProgressLine({ entries: 5000 }, new PhaseMeter(), 0)).toBe("Dumped entries: 5,000");
  });
});

describe("a load's progress line", () => {
  it("says the entries of about the dump's inode counter, the bytes read, the rate and the time left", () => {
    const meter = new PhaseMeter();
    expect(loadProgressLine({ entries: 1024, bytes: 1 << 20 }, meter, 0)).toBe("Loaded entries: 1,024 (1 MiB read)");
    expect(loadProgressLine({ entries: 51_024, bytes: 20 << 20, expected: 101_024 }, meter, 1000)).toBe(
      "Loaded entries: 51,024 of about 101,024 (20 MiB read) · 50,000 entries/s · 1.0 s left",
    );
  });
});
