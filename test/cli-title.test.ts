// The CLI's arguments are visible to every local user (`ps`, /proc/PID/cmdline) for as long as
// the process keeps them: a META-URL's password must be masked before anything slow runs.
// The test runs `jfsmeta dump` against a "server" that accepts the connection and never
// answers: once the CLI connects, its start-up (tsx, the CLI's modules) is over, and `ps`
// must show the masked title. Samples taken from the spawn on say how long the password was
// visible (printed, not asserted: timing is not a test).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = path.resolve(__dirname, "..", "bin", "jfsmeta.mjs");
const PASSWORD = "ps-visible-secret-9f3a";

function psArgs(pid: number): string {
  return spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();
}

describe("jfsmeta's process title", () => {
  it("masks the META-URL password and secret options before the CLI loads", async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => void sockets.push(s));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const started = Date.now();
    // `config` connects before it changes anything, and takes a secret option.
    const child = spawn(process.execPath, [BIN, "config", `redis://:${PASSWORD}@127.0.0.1:${port}/1`, "--secret-key", "sk-visible-7"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c));
    let exited = false;
    child.on("exit", () => (exited = true));
    try {
      let lastSeen = -1;
      let samples = 0;
      let seenConnected = false;
      void once(server, "connection").then(() => (seenConnected = true));
      while (!seenConnected) {
        if (exited) throw new Error(`the CLI exited before connecting: ${stderr}`);
        const args = psArgs(child.pid!);
        samples++;
        if (args.includes(PASSWORD)) lastSeen = Date.now() - started;
        await new Promise((r) => setTimeout(r, 5));
      }
      const args = psArgs(child.pid!);
      expect(args).toContain(`jfsmeta config redis://:****@127.0.0.1:${port}/1`);
      expect(args).not.toContain(PASSWORD);
      expect(args).not.toContain("sk-visible-7");
      console.log(`password visible in ps for ${lastSeen < 0 ? "no sample" : `≤ ${lastSeen} ms`} (${samples} samples until the CLI connected after ${Date.now() - started} ms)`);
    } finally {
      child.kill("SIGKILL");
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
