// The CLI's progress line (cli/common.ts Progress): redrawn in place on a terminal, so it must
// stay one line: a text wider than the terminal is cut, since a wrapped line is not cleared by
// the next redraw (a long "waiting for ..." reason on an 80-column terminal).
import { afterEach, describe, expect, it, vi } from "vitest";
import { Progress } from "../cli/common";

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
