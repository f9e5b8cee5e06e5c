// A three-member etcd cluster on loopback: a dump through the META-URL's three hosts while its
// leader is killed (kill -9) part-way either finishes with every entry (the same bytes as a dump
// taken before) or fails with a clear error and writes no file: never a dump that lacks entries.
// A load that loses the leader likewise ends whole or with its prefix emptied.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEtcd, type EtcdEngine } from "../../../lib/engines/etcd";
import { dumpToBuffer, loadBuffer, syntheticDump } from "../../support/engine-io";
import { startEtcdServer, type EtcdServer } from "../../support/etcd-server";
import { tempDir } from "../../support/temp-dir";

const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "jfsmeta.mjs");
const tmp = tempDir("jfsmeta-etcd-cluster-");
let cluster: EtcdServer;
let engine: EtcdEngine;
let before: Buffer;
let source: Buffer;

beforeAll(async () => {
  cluster = await startEtcdServer({ members: 3 });
  engine = await openEtcd(cluster.url("vol"));
  source = await syntheticDump({ files: 20_000, seed: 21 });
  await loadBuffer(engine, source);
  before = await dumpToBuffer(engine);
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await cluster?.stop();
});

/** The member of `c` that leads now (by its own status). */
async function leaderIndex(c: EtcdServer = cluster): Promise<number> {
  const probe = await openEtcd(c.url("vol"));
  const s = await probe.client.maintenance.status({}).finally(() => probe.close());
  for (const [i, m] of c.members.entries()) {
    const other = await openEtcd(`etcd://127.0.0.1:${m.clientPort}/vol`);
    try {
      const own = await other.client.maintenance.status({});
      if (own.header.member_id === s.leader) return i;
    } finally {
      await other.close();
    }
  }
  throw new Error("no member says it leads");
}

describe("etcd cluster: kill -9 of the leader mid-dump", () => {
  it("gives the whole dump (retried on the other members) or a clear error and no file", async () => {
    const out = path.join(tmp, "dump.json");
    const leader = await leaderIndex();
    const child = spawn(process.execPath, [BIN, "dump", cluster.url("vol"), out, "--threads", "4"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Mid-dump: the output has begun but is far from whole.
    const deadline = Date.now() + 60_000;
    while (!(existsSync(`${out}.tmp`) && statSync(`${out}.tmp`).size > 1000)) {
      if (Date.now() > deadline) throw new Error(`the dump did not begin: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(statSync(`${out}.tmp`).size).toBeLessThan(before.length);
    await cluster.kill(leader);
    const code = await done;
    if (code === 0) {
      expect(readFileSync(out).equals(before), "the dump that finished is the whole volume").toBe(true);
    } else {
      expect(stderr).toMatch(/etcd at .*(cannot reach|leader)|lost the connection/i);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.tmp`)).toBe(false);
    }
  }, 120_000);
});

describe("etcd cluster: kill -9 of the leader mid-load", () => {
  // A cluster of its own: the one above has lost a member, and a second loss would leave no quorum.
  let other: EtcdServer;
  beforeAll(async () => {
    other = await startEtcdServer({ members: 3 });
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
  });

  it("the load ends whole (the same volume dumped back) or fails and leaves its prefix empty", async () => {
    const file = path.join(tmp, "source.json");
    writeFileSync(file, source);
    const leader = await leaderIndex(other);
    const target = await openEtcd(other.url("loaded"));
    try {
      const child = spawn(process.execPath, [BIN, "load", other.url("loaded"), file, "--quiet"], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while ((await target.countKeys()) < 5000) {
        if (Date.now() > deadline) throw new Error(`the load did not begin: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.kill(leader);
      const code = await done;
      if (code === 0) {
        expect((await dumpToBuffer(target)).equals(before), "the load that finished is the whole volume").toBe(true);
      } else {
        expect(stderr).toMatch(/nothing was kept|emptied|empty again/i);
        expect(await target.countKeys()).toBe(0);
      }
    } finally {
      await target.close();
    }
  }, 120_000);
});
