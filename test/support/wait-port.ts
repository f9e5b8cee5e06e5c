// Waiting for a private test server to listen: one home for the Redis, Redis HA and etcd starters.
import net from "node:net";
import type { ChildProcess } from "node:child_process";

/** Resolves once 127.0.0.1:port accepts a connection; rejects if `proc` exits first or time runs out. */
export function waitForPort(port: number, proc: ChildProcess, timeoutMs = 10_000, name = "server"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`${name} on port ${port} exited with code ${proc.exitCode}`));
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`${name} did not listen on port ${port} in time`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}
