// Errors a person can act on (issue #9 §3): each case runs `jfsmeta` as a user does and checks
// that it ends (no hang), with a plain one-line message naming the problem, and no raw driver
// text. Servers are private (test/support).
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goldenPath } from "./support/fixtures";
import { startRedisServer, type RedisServer } from "./support/redis-server";

const BIN = path.resolve(__dirname, "..", "bin", "jfsmeta.mjs");
/** Long enough for a loaded machine; a hang is what exceeds it. */
const HANG_MS = 30_000;

interface Run {
  code: number | null;
  stderr: string;
  hung: boolean;
}

function jfsmeta(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    const err: Buffer[] = [];
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, HANG_MS);
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: Buffer.concat(err).toString(), hung });
    });
  });
}

/** One line on stderr, no stack trace, no driver's raw words. */
function expectPlain(r: Run) {
  expect(r.hung).toBe(false);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Please report|Unknown RESP/);
}

describe("Redis", () => {
  let server: RedisServer;
  let httpServer: http.Server;
  let httpPort: number;
  beforeAll(async () => {
    server = await startRedisServer();
    httpServer = http.createServer((_q, a) => a.end("hello")).listen(0, "127.0.0.1");
    await new Promise((r) => httpServer.once("listening", r));
    httpPort = (httpServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    httpServer?.close();
    await server?.stop();
  });

  it.each(["dump", "load"])("%s with a password to a server that has none: the advice, then exit 1", async (verb) => {
    const url = `redis://:pw@127.0.0.1:${server.port}/3`;
    const r = await jfsmeta(verb === "dump" ? ["dump", url] : ["load", url, goldenPath("metadata.sample")]);
    expectPlain(r);
    expect(r.stderr).toMatch(/has no password set, but one was given: remove it/);
    expect(r.code).toBe(1);
  });

  it.each(["dump", "load"])("%s against an HTTP port: not a Redis server, check the port", async (verb) => {
    const url = `redis://127.0.0.1:${httpPort}/1`;
    const r = await jfsmeta(verb === "dump" ? ["dump", url] : ["load", url, goldenPath("metadata.sample")]);
    expectPlain(r);
    expect(r.stderr).toContain(`127.0.0.1:${httpPort}/1 is not a Redis server (it answered "HTTP/1.1 400`);
    expect(r.code).toBe(2);
  });
});
