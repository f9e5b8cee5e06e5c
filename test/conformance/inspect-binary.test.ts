// The tree viewer's index of JuiceFS's own binary dump (issue #11): built straight from the
// segments of `juicefs dump --binary` (written by parallel workers, in no fixed order), it is
// the index of `juicefs dump`'s JSON of the same volume, row for row and page for page.
import { createReadStream, readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { indexBackup } from "../../lib/inspect/backup";
import { indexBinaryBackup } from "../../lib/inspect/binary-index";
import { goldenPath } from "../support/fixtures";
import { expectSameIndexes } from "../support/index-compare";
import { juicefs, juicefsBin } from "../support/juicefs";
import { tempDir } from "../support/temp-dir";
import { VOLUMES, writeVolume } from "./harness";

const tmp = tempDir("jfsmeta-conformance-inspect-binary-");

/** JuiceFS's binary dump masks the EncryptKey unless --keep-secret-key; its JSON dump keeps it. */
const withoutEncryptKey = (json: Buffer) => Buffer.from(json.toString("latin1").replace(/("EncryptKey": )"[^"]*"/, '$1"removed"'), "latin1");

describe("index of juicefs dump --binary", () => {
  for (const [name, input] of [
    ["metadata.sample", async () => goldenPath("metadata.sample")],
    [VOLUMES[0].name, async () => writeVolume(path.join(tmp, "synthetic.json"), VOLUMES[0].opts)],
  ] as const) {
    it(`${name}: the index of its JSON dump, row for row, with no diff`, async () => {
      juicefsBin();
      const meta = `sqlite3://${path.join(tmp, `${name}.db`)}`;
      await juicefs(["load", meta, await input()]);
      const bin = path.join(tmp, `${name}.bin`);
      const json = path.join(tmp, `${name}.json`);
      await juicefs(["dump", meta, bin, "--binary"]);
      await juicefs(["dump", meta, json]);
      const binIdx = path.join(tmp, `${name}.bin.idx`);
      const jsonIdx = path.join(tmp, `${name}.json.idx`);
      const fromBinary = await indexBinaryBackup(createReadStream(bin), binIdx);
      const fromJson = await indexBackup(Readable.from([withoutEncryptKey(readFileSync(json))]), jsonIdx);
      expect(fromBinary.entries).toBe(fromJson.entries);
      await expectSameIndexes(jsonIdx, binIdx);
    });
  }
});
