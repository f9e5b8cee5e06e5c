// A test file's private etcd and the engines its tests open on it: the server started by a
// beforeAll, every engine closed and the server stopped by an afterAll (the golden, quota and
// backup tests each had a copy of this set-up). Call at the top level of a test file or in a
// describe body; use the members from hooks and tests.
import { afterAll, beforeAll } from "vitest";
import { openEtcd, type EtcdEngine } from "../../lib/engines/etcd";
import { startEtcdServer, type EtcdServer, type EtcdServerOptions } from "./etcd-server";

export interface PrivateEtcd {
  /** The running server (after the file's beforeAll). */
  readonly server: EtcdServer;
  /** An engine on `url`, closed after the file's tests. */
  open(url: string): Promise<EtcdEngine>;
  /** An engine on a fresh, empty prefix (jfs1, jfs2, …), closed after the file's tests. */
  fresh(): Promise<EtcdEngine>;
}

export function privateEtcd(opts: EtcdServerOptions = {}, startTimeoutMs = 60_000): PrivateEtcd {
  let server: EtcdServer | null = null;
  const engines: EtcdEngine[] = [];
  beforeAll(async () => {
    server = await startEtcdServer(opts);
  }, startTimeoutMs);
  afterAll(async () => {
    for (const e of engines.splice(0)) await e.close();
    await server?.stop();
    server = null;
  });
  const running = (): EtcdServer => {
    if (!server) throw new Error("privateEtcd: the server is used before the file's beforeAll or after its afterAll");
    return server;
  };
  const open = async (url: string) => {
    const e = await openEtcd(url);
    engines.push(e);
    return e;
  };
  return {
    get server() {
      return running();
    },
    open,
    fresh: () => open(running().fresh()),
  };
}
