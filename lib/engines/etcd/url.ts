// etcd META-URLs as JuiceFS reads them (pkg/meta/tkv_etcd.go; spec §2.5):
//   etcd://[user:pass@]h1:2379,h2:2379/<path>?cacert=&cert=&key=&server-name=&insecure-skip-verify=1
// The volume lives under the client prefix: the URL's (decoded) path with its leading "/", then
// 0xFD; no path gives "\xFD" alone.
import { readFileSync } from "node:fs";
import type { IOptions } from "etcd3";
import { JfsError, wrapError } from "../../jfs/errors";
import { PREFIX_END } from "../tkv/keys";
import { splitAuthority } from "../url";

export interface EtcdTarget {
  /** "http(s)://host:port" for each member of the URL, in its order. */
  endpoints: string[];
  /** host1:port,host2:port/path: how messages name the volume's place (no password). */
  addr: string;
  /** The client prefix every key of the volume starts with. */
  prefix: Buffer;
  username?: string;
  password?: string;
  tls?: { cacert?: string; cert?: string; key?: string; serverName?: string };
}

const KNOWN = new Set(["cacert", "cert", "key", "server-name", "insecure-skip-verify"]);

export function parseEtcdUrl(url: string): EtcdTarget {
  const m = /^etcd:\/\/(.*)$/i.exec(url);
  if (!m) throw new JfsError("usage", "invalid etcd META-URL: expected etcd://[user:password@]host:port[,host:port…]/<name>");
  const { address: rest, query, username, password } = splitAuthority(m[1], "etcd");
  const slash = rest.indexOf("/");
  const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
  let path: string;
  try {
    path = slash >= 0 ? decodeURIComponent(rest.slice(slash)) : "";
  } catch {
    throw new JfsError("usage", `invalid %-escape in the path of the etcd META-URL`);
  }
  const hosts = hostPart.split(",").filter((h) => h !== "");
  if (hosts.length === 0) throw new JfsError("usage", "the etcd META-URL names no host: expected etcd://host:port[,host:port…]/<name>");
  for (const h of hosts) {
    // JuiceFS turns a host without a port into ":2379" (this machine, whatever the host): ask for it.
    if (!/^(\[[0-9a-f:.]+\]|[^:[\]]+):\d{1,5}$/i.test(h)) {
      throw new JfsError("usage", `etcd host "${h}" in the META-URL needs a port (e.g. ${h.replace(/:.*$/, "")}:2379): JuiceFS does not fill it in correctly either`);
    }
  }
  const params = new URLSearchParams(query);
  for (const k of params.keys()) {
    if (!KNOWN.has(k)) throw new JfsError("usage", `unknown etcd META-URL option "${k}": jfsmeta knows ${[...KNOWN].join(", ")}`);
  }
  const get = (k: string) => params.get(k) || undefined;
  const tlsAsked = ["cacert", "cert", "key", "server-name"].some((k) => get(k));
  if (params.has("insecure-skip-verify") && ["1", "true"].includes(params.get("insecure-skip-verify")!.toLowerCase())) {
    throw new JfsError(
      "unsupported",
      "insecure-skip-verify=1: jfsmeta always verifies the etcd server's certificate (its gRPC client cannot skip it); give cacert=<CA file> instead, and server-name=<name in the certificate> when it differs from the host",
    );
  }
  if ((get("cert") && !get("key")) || (get("key") && !get("cert"))) {
    throw new JfsError("usage", "the etcd META-URL gives cert= without key= (or key= without cert=): a client certificate needs both");
  }
  const scheme = tlsAsked ? "https" : "http";
  return {
    endpoints: hosts.map((h) => `${scheme}://${h}`),
    addr: `${hosts.join(",")}${path}`,
    prefix: Buffer.concat([Buffer.from(path, "utf8"), Buffer.from([PREFIX_END])]),
    username,
    password,
    tls: tlsAsked ? { cacert: get("cacert"), cert: get("cert"), key: get("key"), serverName: get("server-name") } : undefined,
  };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw wrapError(`cannot read the etcd ${what} file ${file} named in the META-URL`, err, "usage");
  }
}

/** math.MaxInt32, the Go client's default limit of an answer's size. */
const MAX_ANSWER_BYTES = 2 ** 31 - 1;

/** The etcd3 client options of a target (TLS files read here, so a missing one is named at once). */
export function etcdClientOptions(t: EtcdTarget): IOptions {
  // Answers as large as etcd sends, as etcd's Go client takes them (MaxCallRecvMsgSize): grpc-js
  // stops at 4 MiB, which a page of long names or a transaction of files of many chunks can pass.
  const opts: IOptions = { hosts: t.endpoints, dialTimeout: 10_000, grpcOptions: { "grpc.max_receive_message_length": MAX_ANSWER_BYTES } };
  if (t.username !== undefined) opts.auth = { username: t.username, password: t.password ?? "" };
  if (t.tls) {
    const ca = t.tls.cacert ? readPem(t.tls.cacert, "CA (cacert=)") : undefined;
    opts.credentials = {
      // grpc-js uses the system roots when none is given.
      rootCertificate: ca as Buffer,
      privateKey: t.tls.key ? readPem(t.tls.key, "client key (key=)") : undefined,
      certChain: t.tls.cert ? readPem(t.tls.cert, "client certificate (cert=)") : undefined,
    };
    if (t.tls.serverName) opts.grpcOptions = { ...opts.grpcOptions, "grpc.ssl_target_name_override": t.tls.serverName, "grpc.default_authority": t.tls.serverName };
  }
  return opts;
}
