// A private, throwaway etcd (Debian's etcd-server) for tests and benchmarks: one member or a
// cluster of three on loopback free ports, each with its data dir in a private temp dir (on
// /dev/shm when serversInMemory() moved TMPDIR there). Never point tests at a shared etcd.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { freePort } from "../../lib/jfs/network";
import { ServerLifetime, startWithRetry } from "./stale-dirs";
import { waitForPort } from "./wait-port";
import { Etcd3, Range } from "etcd3";

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  /** The running process, or null after kill(). */
  proc: ChildProcess | null;
}

export interface EtcdServer {
  /** "127.0.0.1:p1,127.0.0.1:p2,…": the META-URL's host list. */
  hosts: string;
  members: EtcdMember[];
  /** etcd://<hosts>/<name>: a volume under its own prefix; every name is empty until loaded. */
  url(name: string): string;
  /** A fresh name's URL (jfs1, jfs2, …). */
  fresh(): string;
  /** SIGKILL one member (kill -9), leaving the others running. */
  kill(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface EtcdServerOptions {
  /** 1 (default) or 3. */
  members?: 1 | 3;
  /** --quota-backend-bytes (etcd's default, 0, means 2 GiB). */
  quotaBytes?: number;
  /** --max-txn-ops (etcd's default: 128). */
  maxTxnOps?: number;
  /** --auth-token-ttl in seconds: how long an idle simple auth token lives (etcd's default: 300). */
  authTokenTtl?: number;
  /** Serve clients over TLS with this certificate, and require client certificates signed by `ca`. */
  tls?: { cert: string; key: string; ca: string };
}

/** Until the cluster has a leader and takes writes: a put through the v3 HTTP gateway answers. */
async function waitWritable(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v3/kv/put`, {
        method: "POST",
        body: JSON.stringify({ key: Buffer.from("\xff-ready").toString("base64"), value: "" }),
        signal: AbortSignal.timeout(2000),
      });
      if (res.ok) {
        await fetch(`http://127.0.0.1:${port}/v3/kv/deleterange`, { method: "POST", body: JSON.stringify({ key: Buffer.from("\xff-ready").toString("base64") }) });
        return;
      }
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`etcd on port ${port} elected no leader in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Turn authentication on: a root user, and `user` with `password` whose role may read and write
 * only the keys under `prefix` (a volume's "/name\xfd").
 */
export async function enableEtcdAuth(server: EtcdServer, user: string, password: string, prefix: Buffer): Promise<void> {
  const admin = new Etcd3({ hosts: `http://${server.hosts}` });
  try {
    await admin.user("root").create("root-secret");
    await admin.user("root").addRole("root");
    await admin.role(`${user}-vol`).create();
    await admin.role(`${user}-vol`).grant({ permission: "Readwrite", range: Range.prefix(prefix) });
    await admin.user(user).create(password);
    await admin.user(user).addRole(`${user}-vol`);
    await admin.auth.authEnable();
  } finally {
    admin.close();
  }
}

export function startEtcdServer(opts: EtcdServerOptions = {}): Promise<EtcdServer> {
  return startWithRetry(() => startEtcdOnce(opts));
}

async function startEtcdOnce(opts: EtcdServerOptions): Promise<EtcdServer> {
  const n = opts.members ?? 1;
  const lives: ServerLifetime[] = [];
  const members: EtcdMember[] = [];
  for (let i = 0; i < n; i++) members.push({ name: `m${i}`, clientPort: await freePort(), peerPort: await freePort(), proc: null });
  const cluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(",");
  const token = `jfsmeta-${process.pid}-${Date.now()}`;
  const scheme = opts.tls ? "https" : "http";
  try {
    for (const m of members) {
      const life = new ServerLifetime("jfsmeta-etcd-", "SIGKILL");
      lives.push(life);
      const data = path.join(life.dir, "data");
      mkdirSync(data);
      const proc = spawn(
        "etcd",
        [
          "--name", m.name,
          "--data-dir", data,
          "--listen-client-urls", `${scheme}://127.0.0.1:${m.clientPort}`,
          "--advertise-client-urls", `${scheme}://127.0.0.1:${m.clientPort}`,
          ...(opts.tls ? ["--cert-file", opts.tls.cert, "--key-file", opts.tls.key, "--trusted-ca-file", opts.tls.ca, "--client-cert-auth"] : []),
          "--listen-peer-urls", `http://127.0.0.1:${m.peerPort}`,
          "--initial-advertise-peer-urls", `http://127.0.0.1:${m.peerPort}`,
          "--initial-cluster", cluster,
          "--initial-cluster-token", token,
          "--initial-cluster-state", "new",
          "--quota-backend-bytes", String(opts.quotaBytes ?? 0),
          "--max-txn-ops", String(opts.maxTxnOps ?? 128),
          ...(opts.authTokenTtl ? ["--auth-token-ttl", String(opts.authTokenTtl)] : []),
          "--logger", "zap",
          "--log-outputs", path.join(life.dir, "etcd.log"),
        ],
        { stdio: "ignore" },
      );
      life.proc = proc;
      m.proc = proc;
    }
    for (const m of members) await waitForPort(m.clientPort, m.proc!, 15_000, "etcd");
    // Over TLS the HTTP gateway needs a client certificate: the suite's own first request waits instead.
    if (!opts.tls) await waitWritable(members[0].clientPort, 20_000);
  } catch (err) {
    for (const l of lives) l.killNow();
    throw err;
  }
  const hosts = members.map((m) => `127.0.0.1:${m.clientPort}`).join(",");
  let next = 0;
  const url = (name: string) => `etcd://${hosts}/${name}`;
  return {
    hosts,
    members,
    url,
    fresh: () => url(`jfs${++next}`),
    async kill(index) {
      const m = members[index];
      const p = m.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      await exited;
      m.proc = null;
    },
    async stop() {
      for (const l of lives) await l.stop();
    },
  };
}
