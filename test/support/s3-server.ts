// A private s3rver (pure-Node S3 emulator) on a free loopback port, in a temp dir, run as a child
// process: s3rver's ListObjectsV2 continuation tokens use DES, which Node 20 (OpenSSL 3) only
// has with --openssl-legacy-provider.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface S3TestServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

const RUNNER = `
const S3rver = require("s3rver");
const [dir, buckets] = [process.argv[1], JSON.parse(process.argv[2])];
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir,
  configureBuckets: buckets.map((name) => ({ name })) });
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + "\\n"),
  (err) => { process.stderr.write(String(err)); process.exit(1); });
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

/** Start s3rver with the given buckets; its credentials are S3RVER / S3RVER. */
export async function startS3Server(buckets: string[] = []): Promise<S3TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "jfsmeta-s3rver-"));
  const root = path.resolve(__dirname, "..", "..");
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", "-e", RUNNER, dir, JSON.stringify(buckets)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Never leave the server behind if the test process ends without stop().
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(JSON.parse(line).port as number);
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: "S3RVER",
    secretKey: "S3RVER",
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
