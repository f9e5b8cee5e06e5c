// Storage `s3` (and `minio`): the bucket URL rules of JuiceFS's pkg/object/s3.go / minio.go, and
// an ObjectStore over @aws-sdk/client-s3. Uploads of 10 MiB or more use multipart with parts
// of what was given (ciphertext stays ciphertext: no bypass as in docs/format/backups.md §1.5).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import { networkErrorCode } from "../jfs/network";
import { StorageError, type ByteRange, type ObjectInfo, type ObjectStore } from "./store";
import { logIgnored } from "../jfs/errors";

export interface S3Location {
  bucket: string;
  region: string;
  /** Custom endpoint (scheme://host[:port]); undefined = AWS for the region. */
  endpoint?: string;
  forcePathStyle: boolean;
  tls: boolean;
  /** `?tls-insecure-skip-verify=true` in the Bucket URL: do not verify the server certificate. */
  insecure?: boolean;
}

type Env = Record<string, string | undefined>;

function truthy(v: string | undefined): boolean {
  return !!v && v !== "0" && v.toLowerCase() !== "false";
}

function fallbackRegion(env: Env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
}

/** AWS region from a host like s3.us-east-2.amazonaws.com or s3-external-1.amazonaws.com. */
function awsRegionOf(host: string): string {
  let h = host.replace(/^s3[-.]/, "").replace(/^dualstack\./, "");
  if (h.startsWith("amazonaws.com")) return "us-east-1";
  h = h.split(".")[0];
  return h === "external-1" ? "us-east-1" : h;
}

/** Region hints in non-AWS endpoints (Oracle, OVH); undefined = fall back. */
function otherRegionOf(endpointHost: string): string | undefined {
  let m = /compat\.objectstorage\.([^.]+)\.oraclecloud\.com$/.exec(endpointHost) ?? /\.([^.]+)\.oci\.customer-oci\.com$/.exec(endpointHost);
  if (m) return m[1];
  m = /^s3\.([^.]+)\..*cloud\.ovh\.net$/.exec(endpointHost);
  return m ? m[1] : undefined;
}

/** Where a JuiceFS `Bucket` of Storage s3 points (docs/format/backups.md §7.2). */
export function parseS3Bucket(bucketUrl: string, env: Env = process.env): S3Location {
  const loc = parseS3BucketRules(bucketUrl, env);
  const q = /[?&]tls-insecure-skip-verify=([^&]*)/.exec(bucketUrl);
  return q && /^(1|t|true)$/i.test(q[1]) ? { ...loc, insecure: true } : loc;
}

function parseS3BucketRules(bucketUrl: string, env: Env): S3Location {
  let raw = bucketUrl.trim();
  if (!raw.includes("://")) {
    raw = raw.replace(/^\/+|\/+$/g, "");
    raw = (raw.includes(".") && !raw.endsWith(".amazonaws.com") ? "http://" : "https://") + raw;
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new StorageError(`bucket URL "${bucketUrl}" cannot be parsed; expected e.g. https://mybucket.s3.us-east-1.amazonaws.com or http://host:9000/mybucket`, "usage", { cause: err });
  }
  const tls = u.protocol === "https:";
  const scheme = tls ? "https" : "http";
  const host = u.host; // with port
  const hostname = u.hostname;
  const segments = u.pathname.split("/").filter(Boolean);
  const vhost = truthy(env.JFS_S3_VHOST_STYLE);
  if (segments.length > 0) {
    const bucket = decodeURIComponent(segments[0]);
    if (hostname.includes(".amazonaws.com")) return { bucket, region: awsRegionOf(hostname), forcePathStyle: false, tls };
    return { bucket, region: otherRegionOf(hostname) ?? fallbackRegion(env), endpoint: `${scheme}://${host}`, forcePathStyle: !vhost, tls };
  }
  if (!hostname.includes(".")) return { bucket: hostname, region: fallbackRegion(env), forcePathStyle: false, tls };
  if (hostname.includes(".amazonaws.com")) {
    if (hostname.includes(".vpce.amazonaws.com")) {
      const dot = host.indexOf(".");
      const rest = host.slice(dot + 1);
      const m = /\.([a-z0-9-]+)\.vpce\.amazonaws\.com/.exec(hostname);
      return { bucket: host.slice(0, dot), region: m ? m[1] : fallbackRegion(env), endpoint: `${scheme}://${rest}`, forcePathStyle: !vhost, tls };
    }
    const i = hostname.indexOf(".s3");
    if (i < 0) throw new StorageError(`bucket URL "${bucketUrl}": no ".s3" in the AWS host name`, "usage");
    return { bucket: hostname.slice(0, i), region: awsRegionOf(hostname.slice(i + 1)), forcePathStyle: false, tls };
  }
  const dot = host.indexOf(".");
  const endpointHost = host.slice(dot + 1);
  const oracleVhost = /\.vhcompat\.objectstorage\./.test(endpointHost);
  return {
    bucket: host.slice(0, dot),
    region: otherRegionOf(endpointHost.replace(/:\d+$/, "")) ?? fallbackRegion(env),
    endpoint: `${scheme}://${endpointHost}`,
    forcePathStyle: !(vhost || oracleVhost),
    tls,
  };
}

/** Storage `minio`: always path style, default http, bucket = first path segment. */
export function parseMinioBucket(bucketUrl: string, env: Env = process.env): S3Location {
  const raw = bucketUrl.includes("://") ? bucketUrl : `http://${bucketUrl}`;
  const u = new URL(raw);
  const segments = u.pathname.split("/").filter(Boolean);
  if (segments[0] === "minio") segments.shift();
  if (!segments[0]) throw new StorageError(`minio bucket URL "${bucketUrl}" names no bucket: expected http://host:9000/bucket`, "usage");
  const tls = u.protocol === "https:";
  return {
    bucket: decodeURIComponent(segments[0]),
    region: u.searchParams.get("region") || env.MINIO_REGION || "us-east-1",
    endpoint: `${tls ? "https" : "http"}://${u.host}`,
    forcePathStyle: true,
    tls,
  };
}

export interface S3Credentials {
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
}

/** Objects below this size go in one PUT, as JuiceFS's copier does (max(2 × 5 MiB, 10 MiB)). */
export const SINGLE_PUT_LIMIT = 10 * 1024 * 1024;
const MIN_PART = 5 * 1024 * 1024;

export class S3Store implements ObjectStore {
  private readonly client: S3Client;

  constructor(
    readonly location: S3Location,
    credentials: S3Credentials = {},
    private readonly partSize = 8 * 1024 * 1024,
  ) {
    const config: S3ClientConfig = {
      region: location.region,
      forcePathStyle: location.forcePathStyle,
      followRegionRedirects: true,
      // Emulators and many S3-compatibles reject the SDK's default CRC32 checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      requestHandler: {
        connectionTimeout: 5000,
        requestTimeout: 120_000,
        ...(location.insecure ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) } : {}),
      },
    };
    if (location.endpoint) config.endpoint = location.endpoint;
    if (credentials.accessKey === "anonymous") {
      config.signer = { sign: async (req) => req };
      config.credentials = { accessKeyId: "", secretAccessKey: "" };
    } else if (credentials.accessKey) {
      config.credentials = {
        accessKeyId: credentials.accessKey,
        secretAccessKey: credentials.secretKey ?? "",
        sessionToken: credentials.sessionToken || undefined,
      };
    }
    this.client = new S3Client(config);
  }

  /** s3://bucket/ on AWS, the endpoint URL + bucket elsewhere (never credentials). */
  describe(): string {
    const { endpoint, bucket } = this.location;
    return endpoint ? `${endpoint}/${bucket}/` : `s3://${bucket}/`;
  }

  private fail(err: unknown, what: string): never {
    throw s3Error(err, what, this.location);
  }

  async *listRaw(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        this.fail(err, `list ${prefix}`);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith("/")) continue;
        yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ""}` : undefined,
        }),
      );
      return r.Body as Readable;
    } catch (err) {
      this.fail(err, `get ${key}`);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: key }));
      return { key, size: r.ContentLength ?? 0, lastModified: r.LastModified ?? new Date(0) };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      this.fail(err, `head ${key}`);
    }
  }

  async put(key: string, body: Readable | Buffer, size?: number): Promise<void> {
    if (Buffer.isBuffer(body)) return this.putOnce(key, body);
    if (size !== undefined && size < SINGLE_PUT_LIMIT) return this.putOnce(key, await readAll(body));
    // Unknown or large size: read up to the limit; small streams still go in one PUT.
    const iter = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await readUpTo(iter, SINGLE_PUT_LIMIT);
    if (first.done) return this.putOnce(key, first.data);
    const partSize = Math.max(MIN_PART, this.partSize, size ? Math.ceil(size / 10_000) : 0);
    return this.putMultipart(key, first.data, iter, partSize);
  }

  private async putOnce(key: string, data: Buffer): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: data, ContentLength: data.length }));
    } catch (err) {
      this.fail(err, `put ${key}`);
    }
  }

  private async putMultipart(key: string, head: Buffer, rest: AsyncIterator<Buffer>, partSize: number): Promise<void> {
    const Bucket = this.location.bucket;
    let uploadId: string | undefined;
    try {
      uploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: key }))).UploadId;
      const parts: { ETag?: string; PartNumber: number }[] = [];
      let pending = head;
      let done = false;
      while (pending.length > 0 || !done) {
        while (!done && pending.length < partSize) {
          const more = await readUpTo(rest, partSize - pending.length);
          pending = pending.length ? Buffer.concat([pending, more.data]) : more.data;
          done = more.done;
        }
        const body = pending.subarray(0, partSize);
        pending = pending.subarray(body.length);
        if (body.length === 0) break;
        const PartNumber = parts.length + 1;
        const r = await this.client.send(new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }));
        parts.push({ ETag: r.ETag, PartNumber });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await rest.return?.().catch(() => undefined); // stop reading the source
      if (uploadId) {
        // Unaborted parts stay in the bucket (and are billed) until a lifecycle rule removes them.
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }))
          .catch((abortErr) => logIgnored(`aborting the multipart upload of ${key} (upload id ${uploadId})`, abortErr));
      }
      this.fail(err, `upload ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
    } catch (err) {
      this.fail(err, `delete ${key}`);
    }
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Read from an iterator until `limit` bytes (may overshoot by one chunk) or its end. */
async function readUpTo(it: AsyncIterator<Buffer>, limit: number): Promise<{ data: Buffer; done: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  while (n < limit) {
    const r = await it.next();
    if (r.done) return { data: Buffer.concat(chunks), done: true };
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    n += c.length;
  }
  return { data: Buffer.concat(chunks), done: false };
}

/** An SDK error as a StorageError that names the problem and the fix. */
function s3Error(err: unknown, what: string, loc: S3Location): StorageError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const where = `${loc.endpoint ?? `AWS ${loc.region}`}, bucket ${loc.bucket}`;
  const status = e.$metadata?.httpStatusCode;
  const code = e.code ?? e.cause?.code ?? "";
  if (e.name === "NoSuchBucket") {
    return new StorageError(`bucket "${loc.bucket}" does not exist at ${loc.endpoint ?? `AWS ${loc.region}`} (${what}): create it or fix the volume's Bucket URL`, "not-found", { cause: err });
  }
  if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken"].includes(e.name ?? "") || status === 403) {
    return new StorageError(
      `storage rejected the credentials (${e.name ?? status}) for ${what} at ${where}: ` +
        "fix them with --access-key/--secret-key (or JFSMETA_SECRET_KEY), or store them with `jfsmeta config`",
      "auth",
      { cause: err },
    );
  }
  if (e.name === "NoSuchKey" || status === 404) return new StorageError(`object not found (${what}) at ${where}`, "not-found", { cause: err });
  // Besides a failed socket, the SDK's own request timeouts mean the endpoint does not answer.
  if (networkErrorCode(err) !== null || e.name === "TimeoutError" || /timed? ?out/i.test(e.message ?? "")) {
    return new StorageError(`cannot reach the storage endpoint ${loc.endpoint ?? `AWS ${loc.region}`} (${code || e.name}): check the Bucket URL or --storage-endpoint`, "unreachable", { cause: err });
  }
  return new StorageError(`storage error in ${what} at ${where}: ${e.name ?? ""} ${e.message ?? String(err)}`.trim(), status && status >= 500 ? "unreachable" : "internal", { cause: err });
}

