// etcd's backend quota: a load that cannot fit is refused before it writes, with the numbers;
// one whose header understates it is stopped before etcd's NOSPACE alarm, and emptied again.
// Either way the cluster still takes writes afterwards.
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMeta } from "../../../lib/engines/load";
import { privateEtcd } from "../../support/etcd-volumes";
import { syntheticDump } from "../../support/engine-io";
import { backendRoom } from "../../../lib/engines/etcd/quota";

const QUOTA = 8 * 1024 * 1024;
const etcd = privateEtcd({ quotaBytes: QUOTA });
const fresh = () => etcd.fresh();
let dump: Buffer;

beforeAll(async () => {
  // 40,000 files: about 15 MiB in etcd, twice the quota.
  dump = await syntheticDump({ files: 40_000, seed: 5 });
}, 60_000);

describe("etcd: the backend quota", () => {
  it("is read from the members' metrics", async () => {
    const e = await fresh();
    const room = await backendRoom(e.client, e.target, {});
    expect(room.quota).toBe(QUOTA);
    expect(room.quotaFrom).toMatch(/--quota-backend-bytes of 127\.0\.0\.1:\d+/);
  });

  it("a dump too big for it is refused before anything is written, with the numbers", async () => {
    const e = await fresh();
    const err = (await loadMeta(e, Readable.from([dump])).catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/the dump holds \d+ inodes, at least [\d.]+ MiB in etcd .* free: .* used of its 8 MiB backend quota \(--quota-backend-bytes of .*Nothing was written/);
    expect(await e.countKeys()).toBe(0);
  });

  it("a header that understates the volume: stopped short of NOSPACE, the prefix emptied, etcd still writable", async () => {
    const e = await fresh();
    const lying = Buffer.from(dump.toString("utf8").replace(/"usedInodes": \d+/, '"usedInodes": 10'));
    const err = (await loadMeta(e, Readable.from([lying])).catch((x: unknown) => x)) as Error;
    expect(err.message).toMatch(/does not fit in .* backend quota: after about [\d.]+ MiB written/);
    expect(await e.countKeys()).toBe(0);
    const status = await e.client.maintenance.status({});
    expect(status.errors ?? []).toEqual([]);
    await e.writeSetting({ Name: "still-writable" } as never).catch((x: unknown) => {
      throw new Error(`etcd refused a write after the stopped load: ${(x as Error).message}`);
    });
  });
});
