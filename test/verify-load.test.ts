// Issue #9's corrupt dumps, loaded into every engine: each is refused with the JSON path of
// the entry at fault, nothing is committed, and the database is empty afterwards. Before the
// verifier, all of these loaded with exit 0 (or, on SQL, failed with a raw UNIQUE error).
// Redis behind Sentinel and Redis Cluster take half the corrupt dumps each (between them, all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { golden } from "./support/fixtures";
import { ENGINES, HA_ENGINES, serversInMemory, startTarget, type EngineTarget } from "./support/engine-target";
import { Readable } from "node:stream";
import { dumpToBuffer, loadBuffer } from "./support/engine-io";
import { loadMeta } from "../lib/engines/load";
import { openEngine } from "../lib/engines/open";

serversInMemory();
const SAMPLE = golden("metadata.sample").toString("utf8");

/** The sample with `from` replaced (exactly once) by `to`. */
function mutate(from: string, to: string): string {
  const at = SAMPLE.indexOf(from);
  if (at < 0 || SAMPLE.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" is not in the sample exactly once`);
  return SAMPLE.slice(0, at) + to + SAMPLE.slice(at + from.length);
}

const F1 = '"f1": {\n        "attr": {"inode":2,';
const CASES: [string, string, RegExp][] = [
  ["directory d1's inode flipped to the root's", mutate('"inode":3,"type":"directory"', '"inode":1,"type":"directory"'), /inode 1 is the root's .* at FSTree\.entries\["d1"\]\.attr\.inode \(byte \d+\)/],
  ["a symlink's inode flipped to the root's", mutate('"inode":5,"type":"symlink"', '"inode":1,"type":"symlink"'), /inode 1 is the root's .* at FSTree\.entries\["s1"\]/],
  ["a repeated member: inode 34 becomes a hard link of inode 2", mutate('"inode":34,', '"inode":34,"inode":2,'), /duplicate member "inode" .*\.attr\.inode \(byte \d+\)/],
  ["two entries named f1 in one directory", mutate('      "l1": {', `      "f1": {"attr": {"inode":40,"type":"regular","mode":420,"uid":0,"gid":0,"atime":1,"mtime":1,"ctime":1,"nlink":1,"length":0}},\n      "l1": {`), /a second entry with this name in one directory at FSTree\.entries\["f1"\] \(byte \d+\)/],
  ["a file that reuses a directory's inode", mutate(F1, F1.replace("2,", "25,")), /inode 25 is a directory's/],
  ["a file inside the directory whose inode it takes", mutate('"inode":6,"type":"regular"', '"inode":3,"type":"regular"'), /cannot contain itself/],
  ["a hard-linked directory", mutate('"inode":3,"type":"directory"', '"inode":25,"type":"directory"'), /a directory appears exactly once/],
  ["an entry named ..", mutate('"sd": {', '"..": {'), /"\.\." cannot be an entry name at FSTree\.entries\["\.\."\]/],
  ["a name with a slash", mutate('"sd": {', '"a/b": {'), /contains "\/"/],
  ["inode 0", mutate(F1, F1.replace("2,", "0,")), /inode 0 is not a valid inode/],
  ["a trash inode inside FSTree", mutate(F1, F1.replace("2,", "9223372032828243970,")), /outside the Trash/],
  ["a length of 2^63", mutate('"length":24,', '"length":9223372036854775808,'), /maximum file size .*\.attr\.length/],
];

for (const kind of [...ENGINES, ...HA_ENGINES]) {
  const ha = HA_ENGINES.indexOf(kind);
  const cases = ha < 0 ? CASES : CASES.filter((_, i) => i % HA_ENGINES.length === ha);
  describe(`${kind}: a corrupt dump never loads`, () => {
    let target: EngineTarget;
    beforeAll(async () => {
      target = await startTarget(kind);
    });
    afterAll(async () => {
      await target?.stop();
    });

    for (const [what, text, message] of cases) {
      it(what, async () => {
        const url = await target.url();
        const engine = await openEngine(url);
        try {
          await expect(loadBuffer(engine, text)).rejects.toThrow(message);
          expect(await engine.checkEmpty()).toEqual({ empty: true });
          expect(await engine.readSetting()).toBeNull();
        } finally {
          await engine.close();
        }
      });
    }

    it("a hard link that changed while a live volume was dumped: refused, or with acceptChangedHardLinks loaded as its first occurrence", async () => {
      // l1 is a hard link of f1, read again after a chmod: JuiceFS's load keeps f1's attributes.
      const l1 = SAMPLE.indexOf('"l1": {');
      const mode = SAMPLE.indexOf('"mode":420', l1);
      const changed = SAMPLE.slice(0, mode) + '"mode":416' + SAMPLE.slice(mode + '"mode":420'.length);
      const url = await target.url();
      const engine = await openEngine(url);
      try {
        await expect(loadBuffer(engine, changed)).rejects.toThrow(/other attributes.*--accept-changed-hardlinks/);
        expect(await engine.checkEmpty()).toEqual({ empty: true });
        const result = await loadMeta(engine, Readable.from([Buffer.from(changed)]), { acceptChangedHardLinks: true });
        expect(result.warnings.join("\n")).toMatch(/the first occurrence is kept \(at FSTree\.entries\["l1"\]/);
        expect((await dumpToBuffer(engine)).toString("utf8")).toBe(SAMPLE);
      } finally {
        await engine.close();
        await target.wipe(); // the next case wants an empty database
      }
    });

    if (kind === "mysql" || kind === "postgres") {
      it("a uid the engine's signed column cannot hold is refused at its entry", async () => {
        const url = await target.url();
        const engine = await openEngine(url);
        try {
          await expect(loadBuffer(engine, mutate('"uid":501,"gid":20,"atime":1623746580', '"uid":4294967294,"gid":20,"atime":1623746580'))).rejects.toThrow(
            /uid 4294967294, which does not fit .*: at FSTree\.entries\["f1"\] \(byte \d+\)/,
          );
          expect(await engine.checkEmpty()).toEqual({ empty: true });
        } finally {
          await engine.close();
        }
      });
    }

    it("the sample itself still loads", async () => {
      const url = await target.url();
      const engine = await openEngine(url);
      try {
        const r = await loadBuffer(engine, SAMPLE);
        expect(r.inodes).toBe(16);
      } finally {
        await engine.close();
        await target.wipe();
      }
    });
  });
}
