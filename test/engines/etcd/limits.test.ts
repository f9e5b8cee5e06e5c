// etcd's request limits: a cluster run with a --max-txn-ops below the default refuses the load's
// transactions; the load then says so with the fix, and leaves nothing under the prefix.
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMeta } from "../../../lib/engines/load";
import { privateEtcd } from "../../support/etcd-volumes";
import { syntheticDump } from "../../support/engine-io";

const etcd = privateEtcd({ maxTxnOps: 32 });
let dump: Buffer;

beforeAll(async () => {
  dump = await syntheticDump({ files: 500, seed: 3 });
}, 60_000);

describe("etcd: --max-txn-ops below the default", () => {
  it("the load is refused naming the setting and its fix, and the prefix is left empty", async () => {
    const e = await etcd.fresh();
    const err = (await loadMeta(e, Readable.from([dump])).catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/etcd at .* refused a transaction as holding too many operations .*--max-txn-ops below etcd's default of 128.*restart it with --max-txn-ops 128 or more/);
    expect(await e.countKeys()).toBe(0);
  });
});
