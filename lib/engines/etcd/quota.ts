// etcd's backend quota (--quota-backend-bytes): how much room a load has before etcd raises its
// NOSPACE alarm, which leaves the whole cluster refusing writes until an operator compacts,
// defragments and disarms it. The quota is not in etcd's API; every member publishes it in its
// metrics (etcd_server_quota_backend_bytes, etcd ≥ 3.4), read from the URL's first member that answers.
import { readFileSync } from "node:fs";
import https from "node:https";
import type { Etcd3 } from "etcd3";
import type { EtcdTarget } from "./url";

/** etcd's default quota (--quota-backend-bytes 0). */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;
/**
 * What an inode costs in etcd's backend at the least: 363 bytes measured for a synthetic volume
 * of 52,023 inodes (three keys each: attr, entry, one chunk) loaded into a fresh etcd 3.4.
 * A lower bound, so that a volume that would fit is never refused on the estimate.
 */
export const MIN_BYTES_PER_INODE = 300;
/**
 * What a written key costs in the backend beyond its bytes (revision index, KeyValue record,
 * B+tree pages): with it the estimate was 17.5 MB where etcd grew by 15.1 MB (124,562 keys).
 */
export const BYTES_PER_KEY = 80;
/**
 * What deleting a key costs: a tombstone revision, kept until compaction (deleting those
 * 124,562 keys grew the backend by 7.7 MB, 62 bytes each). A load keeps room to undo itself.
 */
export const DELETE_BYTES_PER_KEY = 64;
/** Keys an inode has at the least (attr, entry): the undo reserve of the preflight. */
export const MIN_KEYS_PER_INODE = 2;

export interface BackendRoom {
  /** Bytes of the backend database now (etcd checks the quota against this). */
  used: number;
  quota: number;
  /** Where `quota` comes from, for messages. */
  quotaFrom: string;
}

function metricsText(url: string, t: EtcdTarget): Promise<string> {
  if (url.startsWith("http:")) return fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => (r.ok ? r.text() : ""));
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        timeout: 3000,
        ca: t.tls?.cacert ? readFileSync(t.tls.cacert) : undefined,
        cert: t.tls?.cert ? readFileSync(t.tls.cert) : undefined,
        key: t.tls?.key ? readFileSync(t.tls.key) : undefined,
        servername: t.tls?.serverName,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve(res.statusCode === 200 ? body : ""));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** The quota from the members' metrics; JFSMETA_ETCD_QUOTA_BYTES overrides; etcd's default otherwise. */
export async function backendRoom(client: Etcd3, t: EtcdTarget, env: Record<string, string | undefined> = process.env): Promise<BackendRoom> {
  const status = await client.maintenance.status({});
  const used = Number(status.dbSize);
  const override = env.JFSMETA_ETCD_QUOTA_BYTES;
  if (override && /^\d+$/.test(override)) return { used, quota: Number(override), quotaFrom: "JFSMETA_ETCD_QUOTA_BYTES" };
  for (const endpoint of t.endpoints) {
    try {
      const m = /^etcd_server_quota_backend_bytes\s+(\S+)$/m.exec(await metricsText(`${endpoint}/metrics`, t));
      if (m && Number(m[1]) > 0) return { used, quota: Number(m[1]), quotaFrom: `--quota-backend-bytes of ${endpoint.replace(/^\w+:\/\//, "")}` };
    } catch {
      // metrics not reachable on this member (a proxy, a firewall): try the next, then assume the default
    }
  }
  return { used, quota: DEFAULT_QUOTA_BYTES, quotaFrom: "etcd's default, assumed: its metrics could not be read; set JFSMETA_ETCD_QUOTA_BYTES to the real --quota-backend-bytes" };
}
