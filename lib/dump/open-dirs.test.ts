import { describe, expect, it } from "vitest";
import { OpenDirs } from "./open-dirs";

describe("OpenDirs", () => {
  it("makes a directory's state at its first child and hands it back once, when the directory closes", () => {
    const dirs = new OpenDirs<{ children: number }>();
    const a = { id: 1 };
    const b = { id: 2 };
    let made = 0;
    const init = () => (made++, { children: 0 });
    dirs.of(a, init).children++;
    dirs.of(b, init).children++;
    dirs.of(a, init).children++;
    expect(made).toBe(2);
    expect(dirs.size).toBe(2);
    expect(dirs.close(a)).toEqual({ children: 2 });
    expect(dirs.close(a)).toBeUndefined();
    expect(dirs.close({ id: 3 })).toBeUndefined(); // a directory without children
    expect(dirs.close(b)).toEqual({ children: 1 });
    expect(dirs.size).toBe(0);
  });
  it("passes init the handle, and an init that throws leaves nothing behind", () => {
    const dirs = new OpenDirs<bigint>();
    expect(dirs.of({ id: 7, inode: 42n }, (h) => h.inode!)).toBe(42n);
    expect(() => dirs.of({ id: 8 }, () => {
      throw new Error("attr first");
    })).toThrow("attr first");
    expect(dirs.size).toBe(1);
  });
});
