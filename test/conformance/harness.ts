// Shared pieces of the conformance suite: engines on private servers, both CLIs as processes,
// and the seeded synthetic volumes that together use every feature of the dump.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { JsonDumpWriter } from "../../lib/dump/writer";
import { writeSyntheticDump, type SyntheticOptions } from "../../lib/synth/volume";
import { freePort } from "../support/redis-server";
import { runProcess, startGateway, type Gateway, type RunOptions, type RunResult } from "../support/juicefs";
import { prng } from "../../lib/synth/prng";

export { ENGINE_KINDS as KINDS, startEngine, type EngineTarget } from "../support/engine-targets";

const CLI = path.resolve(import.meta.dirname, "..", "..", "bin", "jfsmeta.mjs");

/** `jfsmeta ARGS…` as a user runs it; rejects on a non-zero exit, with its stderr. */
export async function jfsmeta(args: string[], opts: RunOptions & { allowFailure?: boolean } = {}): Promise<RunResult> {
  const r = await runProcess(process.execPath, [CLI, ...args], opts);
  if (r.code !== 0 && !opts.allowFailure) throw new Error(`jfsmeta ${args.join(" ")} exited with ${r.code}:\n${r.stderr.slice(-4000)}`);
  return r;
}

/** `jfsmeta ARGS…` left running (e.g. `backup --watch`): its stdout lines as they come; the caller ends it. */
export function spawnJfsmeta(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: string[]; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => {
    const parts = (partial + b.toString()).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-8000)));
  return { child, lines, stderr: () => err };
}

/** A synthetic volume of the suite: a name for the test title and the generator's options. */
export interface Volume {
  name: string;
  opts: SyntheticOptions;
}

/**
 * The suite's volumes. Together they use every feature of the dump: hard links (within and across
 * directories), symlinks, xattrs (some not UTF-8), ACLs, directory/user/group quotas, directory
 * stats, Trash, DelFiles, special files, %XX names, files of two chunks with several slices each
 * and one of 9,000 chunks (lib/synth); one has ChangeLog on, one TrashDays 0 (with a Trash still
 * holding entries).
 */
export const VOLUMES: Volume[] = [
  // 9,000 chunks: one inode's data longer than the staged walk's read blocks (table-tree.ts).
  { name: "every feature", opts: { files: 400, seed: 11, name: "everything", manyChunks: 9000 } },
  { name: "ChangeLog on", opts: { files: 150, seed: 12, name: "changelog", setting: { ChangeLog: true } } },
  { name: "TrashDays 0", opts: { files: 150, seed: 13, name: "notrash", setting: { TrashDays: 0 } } },
];

/** Writes a synthetic volume's dump to `file`. */
export async function writeVolume(file: string, opts: SyntheticOptions): Promise<string> {
  const out = createWriteStream(file);
  await writeSyntheticDump(new JsonDumpWriter(out), opts);
  out.end();
  await finished(out);
  return file;
}

// --- a JuiceFS volume as its S3 clients see it, through `juicefs gateway` ----------------------

/** An AWS SDK client of a running gateway and the gateway's one bucket (the volume). */
export async function gatewayBucket(gw: Gateway): Promise<{ s3: S3Client; bucket: string }> {
  const s3 = new S3Client({ endpoint: gw.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: gw.accessKey, secretAccessKey: gw.secretKey } });
  const bucket = (await s3.send(new ListBucketsCommand({}))).Buckets?.[0]?.Name;
  if (!bucket) {
    s3.destroy();
    throw new Error("the gateway lists no bucket");
  }
  return { s3, bucket };
}

/** Puts `count` seeded files (a few directories, sizes up to 20 KB, one %-named) through a gateway; their keys. */
export async function putFiles(gw: Gateway, count: number, seed: number): Promise<string[]> {
  const { s3, bucket } = await gatewayBucket(gw);
  const rnd = prng(seed);
  const keys: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const key = `${["docs", "docs/deep", "100% done", "名前"][i % 4]}/file-${i}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(Math.floor(rnd() * 20_000), i % 251) }));
      keys.push(key);
    }
  } finally {
    s3.destroy();
  }
  return keys;
}

/** What S3 clients see of a volume: every object listed (key, size, time) and a HEAD (stat) of each of `stat`. */
export interface GatewayView {
  listed: string[];
  stat: string[];
}

/** The view of a running gateway. */
export async function viewThrough(gw: Gateway, stat: string[]): Promise<GatewayView> {
  const { s3, bucket } = await gatewayBucket(gw);
  try {
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) listed.push(`${o.Key} ${o.Size} ${o.LastModified?.toISOString()}`);
      token = page.NextContinuationToken;
    } while (token);
    const heads: string[] = [];
    for (const key of stat) {
      const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      heads.push(`${key} ${h.ContentLength} ${h.LastModified?.toISOString()}`);
    }
    return { listed, stat: heads };
  } finally {
    s3.destroy();
  }
}

/** The view of the volume in `metaUrl` through a gateway started for it (no automatic backups) and stopped after. */
export async function viewVolume(metaUrl: string, stat: string[], env: Record<string, string> = {}): Promise<GatewayView> {
  const gw = await startGateway(metaUrl, await freePort(), { args: ["--backup-meta", "0"], env });
  try {
    return await viewThrough(gw, stat);
  } finally {
    await gw.stop();
  }
}
