// Redis Sentinel and Redis Cluster, on private deployments started here (test/support/
// redis-ha-servers.ts): JuiceFS's TestLoadDump (metadata.sample back to its own bytes, --subdir,
// checkMeta's stored counters), the emptiness rule of each deployment, a failed load leaving
// the target empty, one automatic backup per interval among clients started together, and a
// master killed with -9 in the middle of a dump: the dump goes on on the new master and is
// whole, or stops with a clear error; never a dump that lacks entries.
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openRedisEngine, type RedisEngine } from "../../../lib/engines/redis";
import { dumpMeta } from "../../../lib/engines/dump";
import { JsonDumpWriter } from "../../../lib/dump/writer";
import { golden } from "../../support/fixtures";
import { tempDir } from "../../support/temp-dir";
import { dumpToBuffer, loadBuffer, syntheticDump } from "../../support/engine-io";
import { freePort } from "../../../lib/jfs/network";
import { replicasCaughtUp, startRedisCluster, startRedisSentinel, type RedisCluster, type RedisNode, type RedisSentinel } from "../../support/redis-ha-servers";

const CLI = path.resolve(__dirname, "..", "..", "..", "bin", "jfsmeta.mjs");
const exec = promisify(execFile);

interface Deployment {
  db(n: number): string;
  /** The master holding volume n now, and the port its replicas sync from. */
  masterOf(n: number): Promise<RedisNode>;
  stop(): Promise<void>;
}

async function sentinelDeployment(): Promise<Deployment> {
  const s: RedisSentinel = await startRedisSentinel();
  return {
    db: (n) => s.db(n),
    masterOf: async () => {
      const port = await s.currentMasterPort();
      return [s.master, s.replica].find((x) => x.port === port)!;
    },
    stop: () => s.stop(),
  };
}

async function clusterDeployment(): Promise<Deployment & { cluster: RedisCluster }> {
  // Replicas, so that a killed master has a successor.
  const cluster = await startRedisCluster({ replicasPerMaster: 1 });
  return { cluster, db: (n) => cluster.db(n), masterOf: (n) => cluster.masterOf(`{${n}}`), stop: () => cluster.stop() };
}

async function withEngine<T>(url: string, work: (e: RedisEngine) => Promise<T>): Promise<T> {
  const e = await openRedisEngine(url);
  try {
    return await work(e);
  } finally {
    await e.close();
  }
}

describe("a deployment that cannot be reached is named, with the fix", () => {
  it("sentinels that do not answer, a cluster whose nodes do not answer", async () => {
    const [a, b] = [await freePort(), await freePort()];
    await expect(openRedisEngine(`redis://:pw@mymaster,127.0.0.1:${a},127.0.0.1:${b}/1`)).rejects.toThrow(
      new RegExp(`no sentinel of redis://mymaster,127\\.0\\.0\\.1:${a},127\\.0\\.0\\.1:${b}/1 named the master "mymaster" \\(127\\.0\\.0\\.1:${a}: ECONNREFUSED.*check the sentinels' addresses`),
    );
    await expect(openRedisEngine(`redis://:pw@127.0.0.1:${a},127.0.0.1:${b}/1`)).rejects.toThrow(/no node of the Redis Cluster redis:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/1 answered .*ECONNREFUSED/);
  });
});

describe.each(["redis-sentinel", "redis-cluster"] as const)("%s", (kind) => {
  let d: Deployment;
  let n = 0;
  const fresh = () => d.db(++n);

  beforeAll(async () => {
    d = kind === "redis-sentinel" ? await sentinelDeployment() : await clusterDeployment();
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it("metadata.sample loads and dumps back to its own bytes; --subdir d1 is metadata-sub.sample; the counters are checkMeta's", async () => {
    await withEngine(fresh(), async (e) => {
      expect(e.kind).toBe(kind);
      await loadBuffer(e, golden("metadata.sample"));
      expect((await dumpToBuffer(e, { threads: 10 })).equals(golden("metadata.sample"))).toBe(true);
      expect((await dumpToBuffer(e, { subdir: "d1" })).toString()).toBe(golden("metadata-sub.sample").toString());
      // What JuiceFS's checkMeta reads, as stored (Redis keeps nextinode/nextchunk one less).
      const names = ["usedSpace", "totalInodes", "nextinode", "nextchunk", "nextsession", "nextTrash"];
      expect(await e.client.mget(...names.map((x) => e.p + x))).toEqual(["115392512", "14", "34", "8", "0", "1"]);
      expect(await e.client.hgetall(`${e.p}p4`)).toEqual({ 1: "1", 3: "1" });
      expect(e.p).toBe(kind === "redis-cluster" ? `{${n}}` : "");
    });
  });

  it("a target that is not empty is refused, writing nothing (a cluster: only the volume's {db} prefix counts)", async () => {
    const url = fresh();
    await withEngine(url, async (e) => {
      await e.client.set(`${e.p}someone-else`, "1");
      await expect(loadBuffer(e, golden("metadata.sample"))).rejects.toThrow(/is not empty/);
      expect(await e.keyCount()).toBe(1);
      await e.client.del(`${e.p}someone-else`);
    });
    if (kind === "redis-cluster") {
      // Volume {n} on the same node as another volume, as JuiceFS allows: not in its way.
      const other = fresh();
      await withEngine(other, (e) => loadBuffer(e, golden("metadata.sample")));
      await withEngine(url, async (e) => {
        expect(await e.checkEmpty()).toEqual({ empty: true });
        await loadBuffer(e, golden("metadata.sample"));
        await expect(loadBuffer(e, golden("metadata.sample"))).rejects.toThrow(/is used by volume load-dump-test/);
      });
    }
  });

  if (kind === "redis-sentinel") {
    it("a master name the sentinels do not know is named, and the password never shown", async () => {
      const url = fresh().replace("jfsmaster,", "nosuchmaster,").replace("redis://", "redis://:s3cret@");
      const err = await openRedisEngine(url).catch((e: Error) => e);
      expect(String((err as Error).message)).toMatch(/knows no master named "nosuchmaster"/);
      expect(String((err as Error).message)).not.toContain("s3cret");
    });
  }

  it("a bad dump leaves the target empty", async () => {
    await withEngine(fresh(), async (e) => {
      const sample = golden("metadata.sample").toString();
      await expect(loadBuffer(e, sample.slice(0, 5000))).rejects.toThrow(/load failed, nothing was kept/);
      expect(await e.keyCount()).toBe(0);
      await expect(loadBuffer(e, sample.replace('"inode":2,', '"inode":"2",'))).rejects.toThrow(/attr\.inode/);
      expect(await e.keyCount()).toBe(0);
      expect(await e.findLoadClaim()).toBeNull();
    });
  });

  it("two `jfsmeta backup` runs started together elect one: one backup per interval", async () => {
    const url = fresh();
    const bucket = tempDir("jfsmeta-ha-backup-") + "/";
    await withEngine(url, async (e) => {
      await loadBuffer(e, golden("metadata.sample"));
      const s = (await e.readSetting())!;
      await e.writeSetting({ ...s, Storage: "file", Bucket: bucket, EncryptKey: "", KeyEncrypted: true });
    });
    const cli = () => exec(process.execPath, [CLI, "backup", "--json", url]).then((r) => JSON.parse(r.stdout.trim()) as { status: string });
    const results = await Promise.all([cli(), cli()]);
    expect(results.map((r) => r.status).sort()).toEqual(["done", "not-due"]);
  });

  if (kind === "redis-cluster") {
    it("a single host that is a cluster node is a cluster: its db is the key prefix", async () => {
      const { cluster } = d as Awaited<ReturnType<typeof clusterDeployment>>;
      const url = `redis://127.0.0.1:${cluster.nodes[1].port}/${++n}`;
      await withEngine(url, async (e) => {
        expect(e.kind).toBe("redis-cluster");
        await loadBuffer(e, golden("metadata.sample"));
        expect(await e.client.get(`{${n}}nextinode`)).toBe("34");
      });
      const dumped = await exec(process.execPath, [CLI, "dump", cluster.db(n), "--quiet"], { encoding: "buffer", maxBuffer: 1 << 26 });
      expect(dumped.stdout.equals(golden("metadata.sample"))).toBe(true);
    });
  }

  /**
   * The JSON dump walks the tree by reads in these tests: over the snapshot (the default) it has
   * read the whole volume before it writes a byte, so a server killed or a slot moved as the
   * output passes a third would not be met by any read.
   */
  const treeWalk = () => vi.stubEnv("JFSMETA_STAGED_WALK", "0");
  afterEach(() => void vi.unstubAllEnvs());

  /** Dump volume `url` in-process (the tree walk), killing `victim` once a third of `expected` bytes are out. */
  async function dumpKilling(url: string, victim: RedisNode, expected: number): Promise<{ bytes: Buffer; error: Error | null }> {
    treeWalk();
    return withEngine(url, async (e) => {
      const chunks: Buffer[] = [];
      let written = 0;
      let killed = false;
      const out = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          written += chunk.length;
          if (!killed && written > expected / 3) {
            killed = true;
            victim.kill();
          }
          cb();
        },
      });
      const error = await dumpMeta(e, new JsonDumpWriter(out), { threads: 4 }).then(
        () => null,
        (err: Error) => err,
      );
      expect(killed).toBe(true);
      return { bytes: Buffer.concat(chunks), error };
    });
  }

  let volume = "";
  let source: Buffer;

  if (kind === "redis-cluster") {
    it("the volume's slot moved to another master mid-dump (MOVED, ASK): the reads follow it, the dump is whole", async () => {
      const { cluster } = d as Awaited<ReturnType<typeof clusterDeployment>>;
      treeWalk();
      const moving = await syntheticDump({ files: 5_000, seed: 5 });
      const url = fresh();
      const key = `{${n}}`;
      await withEngine(url, (e) => loadBuffer(e, moving));
      const before = await cluster.masterOf(key);
      await withEngine(url, async (e) => {
        const chunks: Buffer[] = [];
        let written = 0;
        let moved: Promise<RedisNode> | null = null;
        const out = new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(chunk);
            written += chunk.length;
            // The dump waits here, its reads of the old owner done, while the slot moves.
            if (!moved && written > moving.length / 3) (moved = cluster.moveSlot(key)).then(() => cb(), cb);
            else cb();
          },
        });
        await dumpMeta(e, new JsonDumpWriter(out), { threads: 4 });
        expect(moved).not.toBeNull();
        expect((await moved!).port).not.toBe(before.port);
        expect(Buffer.concat(chunks).equals(moving)).toBe(true);
      });
      expect((await cluster.masterOf(key)).port).not.toBe(before.port);
    }, 120_000);
  }

  // These two last: they leave the deployment with a new master, then with none.
  it("kill -9 of the master mid-dump: the dump goes on on the new master and is whole, or stops with a clear error", async () => {
    source = await syntheticDump({ files: 20_000, seed: 3 });
    volume = fresh();
    await withEngine(volume, (e) => loadBuffer(e, source));
    const master = await d.masterOf(n);
    await replicasCaughtUp(master.port);
    const { bytes, error } = await dumpKilling(volume, master, source.length);
    if (error === null) {
      // It went on on the new master: the whole volume, byte for byte.
      expect(bytes.equals(source)).toBe(true);
      expect((await d.masterOf(n)).port).not.toBe(master.port);
    } else {
      expect(error.message).toMatch(/failed over to a new master|did not come back/);
    }
  }, 120_000);

  it("a master killed with no replica to succeed it: the dump stops after the wait, saying why", async () => {
    expect(volume).not.toBe("");
    const master = await d.masterOf(n);
    process.env.JFSMETA_FAILOVER_WAIT_MS = "1500";
    try {
      const { error } = await dumpKilling(volume, master, source.length);
      expect(error?.message).toMatch(/did not come back within 1\.5 s.*run it again once the deployment has a master/);
      expect(error).toMatchObject({ kind: "unreachable" });
    } finally {
      delete process.env.JFSMETA_FAILOVER_WAIT_MS;
    }
  }, 60_000);
});
