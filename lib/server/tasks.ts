// The work behind the dashboard's buttons: dump, restore (with preflight), indexing a backup
// for inspection, exporting a directory as a --subdir dump, re-setting a storage secret.
// Each long one runs as a job (./jobs); secrets (META-URL passwords, RSA keys, passphrases)
// live only in memory and in the engines, never in a job's params, log or result.
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip, constants as zc } from "node:zlib";
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { ByteCounter, openDumpInput } from "../dump/input";
import { indexAnyDump } from "../inspect/index-any";
import { JsonDumpWriter } from "../dump/writer";
import { BinaryDumpWriter } from "../dump/binary/writer";
import { createDecryptStream, envelopeAlgo, loadRsaPrivateKey } from "../dump/envelope";
import { DumpOptionsSchema, dumpMeta } from "../engines/dump";
import { loadMeta } from "../engines/load";
import type { MetaEngine } from "../engines/engine";
import { engineKindOf, openEngine, redactUrl } from "../engines/open";
import { claimMessage } from "../engines/load-claim";
import { redactUrlsIn } from "../engines/url";
import { encryptSecret } from "../jfs/secrets";
import { REMOVED_SECRET, type Setting } from "../jfs/setting";
import { checkBackupKey, putBackup, volumeBackupStore } from "./backups";
import { BACKUP_PREFIX, statBackup } from "../storage/backups";
import { openStoredBackup, type KeySource } from "../storage/source";
import { getBytes } from "../storage/store";
import { backupStamp } from "../storage/retention";
import { dataPath, DATA_DIR_MODE, DATA_FILE_MODE } from "./config";
import { audit } from "./db";
import { backupCycleOptions, getBackupPolicy, recordMade } from "./records";
import { startJob, type JobContext } from "./jobs";
import { MetaUrlSchema, probeVolume, withEngine, type VolumeRecord } from "./volumes";
import { JfsError, logIgnored, wrapError } from "../jfs/errors";

// ---------------------------------------------------------------- helpers

/** A dump job's progress label: the staged walk reads the tables first, then writes the tree. */
function dumpProgressLabel(p: { holdingBack?: string; phase?: "reading tables" }): string {
  const label = p.phase === "reading tables" ? "reading tables" : "dumping";
  return p.holdingBack ? `${label} · ${p.holdingBack}` : label;
}

async function writeTo(file: string, gzip: boolean, body: (out: Writable) => Promise<void>): Promise<number> {
  const tmp = `${file}.tmp`;
  const sink = createWriteStream(tmp, { mode: DATA_FILE_MODE });
  const out: Writable = gzip ? createGzip({ level: zc.Z_BEST_SPEED }) : new PassThrough();
  out.pipe(sink);
  try {
    await body(out);
    out.end();
    await finished(sink);
  } catch (err) {
    out.destroy();
    sink.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, file);
  return (await stat(file)).size;
}

async function settingOf(v: VolumeRecord): Promise<Setting> {
  return (await probeVolume(v.metaUrl)).setting;
}

export const KeyInputSchema = z.object({
  pem: z.string().max(64 * 1024).optional(),
  passphrase: z.string().max(1024).optional(),
  algo: z.string().max(32).optional(),
});
export type KeyInput = z.infer<typeof KeyInputSchema>;

/** The key a user pasted, parsed only when the backup turns out to be encrypted. */
function pastedKey(rsa: KeyInput | undefined): KeySource | null {
  if (!rsa?.pem) return null;
  const { pem, passphrase } = rsa;
  return async () => {
    try {
      return loadRsaPrivateKey(pem, passphrase || undefined);
    } catch (err) {
      throw wrapError("the RSA key cannot be used", err);
    }
  };
}

/**
 * The plaintext JSON of a backup, opened as the CLI opens one (lib/storage/source): an
 * encrypted object is authenticated whole with the given RSA key before it is read (the
 * named algorithm, then the other), compressed ones are decompressed by magic bytes.
 * `onBytes` hears how much of the backup (as stored, less an envelope's few header bytes) was read.
 */
export async function openBackupPlain(
  v: VolumeRecord,
  key: string,
  rsa: KeyInput | undefined,
  onBytes?: (n: number) => void,
): Promise<{ input: Readable; encrypted: boolean; size: number }> {
  const setting = await settingOf(v);
  const store = volumeBackupStore(setting, v.storage);
  await mkdir(dataPath("tmp"), { recursive: true });
  const source = await openStoredBackup(store, BACKUP_PREFIX + checkBackupKey(key), pastedKey(rsa), {
    algo: rsa?.algo || setting.EncryptAlgo || undefined,
    tmpDir: dataPath("tmp"),
    keyHint: "give the volume's RSA private key (PEM) and its passphrase",
  });
  const raw = onBytes ? source.stream.pipe(new ByteCounter(onBytes)) : source.stream;
  if (onBytes) source.stream.on("error", (err) => raw.destroy(err));
  return { input: await openDumpInput(raw), encrypted: source.decrypted, size: source.size };
}

// ---------------------------------------------------------------- dump

export const DumpRequestSchema = DumpOptionsSchema.extend({
  target: z.enum(["download", "meta"]),
  gzip: z.boolean().default(false),
  /** JuiceFS 1.3+'s binary format (downloads only: backups in meta/ are JSON, as JuiceFS's). */
  binary: z.boolean().default(false),
});
export type DumpRequest = z.infer<typeof DumpRequestSchema>;

export async function startDump(v: VolumeRecord, raw: unknown, actor: string): Promise<string> {
  const req = DumpRequestSchema.parse(raw);
  if (req.target === "meta" && req.subdir) throw new JfsError("usage", "a --subdir dump is not a backup of the volume: download it instead");
  if (req.binary && req.target === "meta") throw new JfsError("usage", "backups in meta/ are JSON, as JuiceFS writes them: download the binary dump instead");
  if (req.binary && req.subdir) throw new JfsError("usage", "a binary dump holds the whole volume: dump the subdirectory as JSON");
  const title = `dump ${v.name}${req.binary ? " --binary" : ""}${req.subdir ? ` --subdir ${req.subdir}` : ""}${req.target === "meta" ? " → meta/ (manual backup)" : " → download"}`;
  await audit(actor, "dump", v.name, JSON.stringify({ ...req }));
  return startJob({ kind: "dump", title, volumeId: v.id, params: { ...req } }, async (ctx) => {
    const started = new Date();
    const gzip = req.target === "meta" || req.gzip;
    // Manual backups get a name JuiceFS's cleanup ignores (length ≠ 30) but that sorts with
    // the automatic ones of the same second.
    // The local file's name is fixed (the job's directory is named by its id); the volume's
    // name, which the user typed, only goes into the name the browser is offered.
    const ext = req.binary ? "bin" : "json";
    const file = req.target === "meta" ? `dump-${backupStamp(started)}-manual.json.gz` : `dump.${ext}${gzip ? ".gz" : ""}`;
    const filename = `${v.name}-${backupStamp(started)}${req.subdir ? "-subdir" : ""}.${ext}${gzip ? ".gz" : ""}`;
    const local = path.join(ctx.dir, file);
    return withEngine(v.metaUrl, async (engine) => {
      const setting = await engine.readSetting();
      if (!setting) throw new JfsError("not-found", `${engine.redactedUrl} holds no volume`);
      if (req.target === "meta" && setting.EncryptKey) {
        throw new JfsError("unsupported", "manual backups of an encrypted volume need the volume's public key to encrypt them; download the dump instead");
      }
      const total = Number((await engine.usage()).usedInodes);
      ctx.progress(0, total, "dumping");
      let entries = 0;
      let snapshotAt: Date | null = null;
      const size = await writeTo(local, gzip, async (out) => {
        const writer = req.binary ? new BinaryDumpWriter(out) : new JsonDumpWriter(out);
        const result = await dumpMeta(engine, writer, {
          subdir: req.subdir || undefined,
          keepSecretKey: req.keepSecretKey,
          skipTrash: req.skipTrash,
          threads: req.threads,
          consistent: req.consistent,
          maxOps: req.maxOps,
          maxLatencyMs: req.maxLatencyMs,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p.entries, Math.max(total, p.entries), dumpProgressLabel(p)),
        });
        entries = result.entries;
        if (result.secretMasked) ctx.log('SecretKey/SessionToken written as "removed" (no --keep-secret-key)');
        if (result.snapshot) ctx.log(`consistent: every entry as of ${result.snapshot.takenAt.toISOString()}`);
        snapshotAt = result.snapshot?.takenAt ?? null;
      });
      ctx.log(`dumped ${entries} entries, ${size} bytes`);
      if (req.target === "meta") {
        ctx.progress(entries, entries, "uploading");
        await putBackup(setting, v.storage, file, local);
        await rm(local, { force: true });
        ctx.log(`uploaded as meta/${file}`);
        await recordMade(v.id, file, { consistent: snapshotAt !== null, snapshotAt });
        return { entries, bytes: size, backupKey: file };
      }
      ctx.progress(entries, entries, "ready to download");
      return { entries, bytes: size, download: file, filename };
    });
  });
}

/** The names a job's download file can have inside its directory (data/jobs/<job id>/). */
const DOWNLOAD_FILES = new Set(["dump.json", "dump.json.gz", "dump.bin", "dump.bin.gz", "export.json"]);

/** The finished download file of a job, or null for a reference no job of this version made. */
export function jobFile(jobId: string, name: string): string | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(jobId) || !DOWNLOAD_FILES.has(name)) return null;
  return dataPath("jobs", jobId, name);
}

/**
 * The Content-Disposition of a download offered as `filename` (which may hold anything a user
 * typed into a volume's name): an ASCII fallback with everything but [A-Za-z0-9._-] replaced,
 * and the exact name percent-encoded (RFC 6266 / 5987). Browsers strip directories themselves.
 */
export function attachmentDisposition(filename: string): string {
  const base = filename.replace(/^.*[/\\]/, "").replace(/^\.+$/, "") || "download";
  const ascii = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

// ---------------------------------------------------------------- automatic backup

/**
 * One automatic-backup cycle exactly as a JuiceFS client runs it (lastBackup xattr taken with
 * compare-and-set, the >1M-inode rule, dump-YYYY-MM-DD-HHMMSS.json.gz, cleanup afterwards).
 * `force` backs up now whatever lastBackup says (the "Back up now" button).
 */
export async function runAutoBackup(v: VolumeRecord, opts: { force: boolean; ctx?: JobContext }) {
  const { runBackupCycle } = await import("../storage/autobackup");
  const policy = backupCycleOptions(await getBackupPolicy(v.id));
  const r = await withEngine(v.metaUrl, async (engine) => {
    // The inodes to dump, so the job shows a percentage and time left.
    const total = opts.ctx ? Number((await engine.usage()).usedInodes) : 0;
    let entries = 0;
    return runBackupCycle(engine, {
      ...policy,
      intervalMs: (v.backupInterval > 0 ? v.backupInterval : 3600) * 1000,
      storage: v.storage,
      force: opts.force,
      tmpDir: dataPath("tmp"),
      onProgress: (p) => {
        entries = p.entries ?? entries;
        opts.ctx?.progress(entries, Math.max(total, entries), p.phase === "dump" ? "dumping" : p.phase);
      },
    });
  });
  if (r.status === "done" && r.name) await recordMade(v.id, r.name, { consistent: !!r.snapshotAt, snapshotAt: r.snapshotAt ?? null });
  return r;
}

export async function startBackupNow(v: VolumeRecord, actor: string): Promise<string> {
  await audit(actor, "backup-now", v.name);
  return startJob({ kind: "backup", title: `automatic backup of ${v.name} (now)`, volumeId: v.id }, async (ctx) => {
    await mkdir(dataPath("tmp"), { recursive: true, mode: DATA_DIR_MODE });
    const r = await runAutoBackup(v, { force: true, ctx });
    if (r.status === "failed") throw new Error(r.message ?? r.reason ?? "backup failed");
    ctx.log(`uploaded ${r.location ?? r.name} (${r.size} bytes, ${r.entries} entries)`);
    ctx.log(r.snapshotAt ? `consistent: every entry as of ${r.snapshotAt.toISOString()}` : "not consistent: read from the live database as it changed");
    if (r.cleanup?.deleted.length) ctx.log(`cleanup deleted ${r.cleanup.deleted.join(", ")}`);
    for (const e of r.cleanup?.errors ?? []) ctx.log(`cleanup: ${e}`);
    return { backupKey: r.name, bytes: r.size, entries: r.entries, deleted: r.cleanup?.deleted ?? [] };
  });
}

// ---------------------------------------------------------------- restore

export interface PreflightCheck {
  id: "url" | "reachable" | "empty" | "backup" | "key";
  ok: boolean;
  label: string;
  detail: string;
}

export const RestoreRequestSchema = z.object({
  volumeId: z.string().min(1).max(64),
  backup: z.string().min(1).max(255),
  target: MetaUrlSchema,
  key: KeyInputSchema.optional(),
});
export type RestoreRequest = z.infer<typeof RestoreRequestSchema>;

/** Everything a restore needs, checked without writing anything. */
export async function preflightRestore(v: VolumeRecord, req: RestoreRequest): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const target = redactUrl(req.target);
  checks.push({ id: "url", ok: true, label: "Target META-URL", detail: `${engineKindOf(req.target)} · ${target}` });
  let engine: MetaEngine | null = null;
  try {
    engine = await openEngine(req.target);
    const claim = await engine.findLoadClaim();
    const empty = await engine.checkEmpty();
    checks.push({ id: "reachable", ok: true, label: "Reachable and ready", detail: `connected to ${target}` });
    checks.push(
      claim
        ? {
            id: "empty",
            ok: false,
            label: claim.state === "running" ? "A load is running into the target" : "The target holds an interrupted load",
            detail: claimMessage(claim, target),
          }
        : empty.empty
        ? { id: "empty", ok: true, label: "Target is empty", detail: "nothing will be overwritten" }
        : {
            id: "empty",
            ok: false,
            label: "Target is not empty",
            // Engines' reasons already name the fix; add the volume only where they do not.
            detail:
              `${empty.reason}${empty.volume && !empty.reason.includes(`"${empty.volume}"`) ? ` (volume "${empty.volume}")` : ""}.` +
              (/empty database/.test(empty.reason) ? "" : " A restore only goes into an empty database: pick a new database or empty this one first."),
          },
    );
  } catch (err) {
    checks.push({ id: "reachable", ok: false, label: "Target not reachable", detail: redactUrlsIn((err as Error).message) });
  } finally {
    await engine?.close().catch((err) => logIgnored("closing the target after its check", err));
  }
  try {
    const setting = await settingOf(v);
    const b = await statBackup(volumeBackupStore(setting, v.storage), checkBackupKey(req.backup));
    if (!b) {
      checks.push({ id: "backup", ok: false, label: "Backup missing", detail: `${req.backup} is not in meta/ any more` });
    } else {
      checks.push({ id: "backup", ok: true, label: "Backup found", detail: `${req.backup}, ${b.size.toLocaleString("en-US")} bytes` });
      if (b.kind === "encrypted") {
        let ok = false;
        let detail = "encrypted backup: paste the volume's RSA private key (PEM) and its passphrase";
        if (req.key?.pem) {
          try {
            const keyObj = loadRsaPrivateKey(req.key.pem, req.key.passphrase || undefined);
            const head = await getBytes(volumeBackupStore(setting, v.storage), b.key, { start: 0, end: Math.min(b.size, 4096) - 1 });
            await unwrapsEnvelope(head, keyObj, req.key.algo || setting.EncryptAlgo || undefined);
            ok = true;
            detail = "encrypted backup: the RSA key unwraps its data key (the whole backup is authenticated before loading)";
          } catch (err) {
            detail = `encrypted backup: ${(err as Error).message}`;
          }
        }
        checks.push({ id: "key", ok, label: ok ? "Key ready" : "Key needed", detail });
      }
    }
  } catch (err) {
    checks.push({ id: "backup", ok: false, label: "Backups cannot be read", detail: (err as Error).message });
  }
  return checks;
}

/** Resolves when `key` unwraps the data key in an envelope's header (no need for the whole object). */
function unwrapsEnvelope(head: Buffer, key: KeyObject, algo: string | undefined): Promise<void> {
  const t = createDecryptStream(key, envelopeAlgo(algo));
  return new Promise<void>((resolve, reject) => {
    t.on("error", reject);
    t.on("data", () => undefined);
    t.write(head, (err) => (err ? reject(err) : resolve()));
  }).finally(() => t.destroy());
}

/** Full target URLs of restores run by this process, for the "set the secret" step. */
const restoreTargets = new Map<string, string>();

export async function startRestore(v: VolumeRecord, raw: unknown, actor: string): Promise<string> {
  const req = RestoreRequestSchema.parse(raw);
  const checks = await preflightRestore(v, req);
  const failed = checks.filter((c) => !c.ok);
  const target = redactUrl(req.target);
  if (failed.length) {
    const why = failed.map((c) => `${c.label}: ${c.detail}`).join("; ");
    await audit(actor, "restore-refused", v.name, `${req.backup} → ${target}: ${why}`);
    throw new JfsError("refused", why);
  }
  await audit(actor, "restore", v.name, `${req.backup} → ${target}`);
  const id = await startJob(
    { kind: "restore", title: `restore ${v.name} ${req.backup} → ${target}`, volumeId: v.id, params: { backup: req.backup, target } },
    async (ctx) => runRestore(v, req, ctx),
  );
  restoreTargets.set(id, req.target);
  return id;
}

async function runRestore(v: VolumeRecord, req: RestoreRequest, ctx: JobContext) {
  let rawBytes = 0;
  const { input, size, encrypted } = await openBackupPlain(v, req.backup, req.key, (n) => {
    rawBytes = n;
  });
  ctx.log(`reading ${req.backup} (${size} bytes${encrypted ? ", encrypted" : ""})`);
  return withEngine(req.target, async (engine) => {
    ctx.progress(0, size, "loading");
    const result = await loadMeta(engine, input, {
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(Math.min(rawBytes, size), size, `loading · ${p.entries.toLocaleString("en-US")} entries`),
    });
    const setting = await engine.readSetting();
    const usage = await engine.usage();
    const secretRemoved = setting?.SecretKey === REMOVED_SECRET || setting?.SessionToken === REMOVED_SECRET;
    ctx.progress(size, size, "done");
    ctx.log(`loaded: ${usage.usedInodes} inodes, ${usage.usedSpace} bytes used`);
    if (secretRemoved) ctx.log('the dump had its storage secret removed: set it again before mounting');
    return {
      ...(result as object),
      volume: setting?.Name ?? null,
      usedInodes: usage.usedInodes.toString(),
      usedSpace: usage.usedSpace.toString(),
      secretRemoved,
      target: redactUrl(req.target),
      targetHasPassword: redactUrl(req.target) !== req.target,
    };
  });
}

export const SetSecretSchema = z.object({
  jobId: z.string().min(1).max(64),
  /** Needed when the restore target had a password and this process no longer holds it. */
  target: z.string().max(4096).optional(),
  accessKey: z.string().max(1024).optional(),
  secretKey: z.string().min(1).max(1024),
  sessionToken: z.string().max(4096).optional(),
});

/** `juicefs config --secret-key` for a restored volume: stored as JuiceFS stores it. */
export async function setStorageSecret(raw: unknown, actor: string): Promise<void> {
  const req = SetSecretSchema.parse(raw);
  const url = restoreTargets.get(req.jobId) ?? req.target;
  if (!url) throw new JfsError("usage", "the restore target's META-URL is needed again (the server restarted since the restore): enter it");
  await withEngine(url, async (engine) => {
    const s = await engine.readSetting();
    if (!s) throw new JfsError("not-found", `${engine.redactedUrl} holds no volume`);
    const put = (plain: string) => (s.KeyEncrypted ? encryptSecret(plain, s.UUID) : plain);
    const next: Setting = { ...s, SecretKey: put(req.secretKey) };
    if (req.accessKey) next.AccessKey = req.accessKey;
    if (req.sessionToken) next.SessionToken = put(req.sessionToken);
    else if (s.SessionToken === REMOVED_SECRET) next.SessionToken = "";
    await engine.writeSetting(next);
  });
  await audit(actor, "set-secret", redactUrl(url), "storage secret re-set after restore");
}

// ---------------------------------------------------------------- inspect a backup

export function indexPathFor(v: VolumeRecord, key: string): string {
  return dataPath("index", v.id, `${checkBackupKey(key)}.idx`);
}

export function backupIndexed(v: VolumeRecord, key: string): boolean {
  return existsSync(indexPathFor(v, key));
}

export async function startIndex(v: VolumeRecord, key: string, rsa: KeyInput | undefined, actor: string): Promise<string> {
  checkBackupKey(key);
  await audit(actor, "index-backup", v.name, key);
  return startJob({ kind: "index", title: `index ${v.name} ${key} for inspection`, volumeId: v.id, params: { backup: key } }, async (ctx) => {
    const out = indexPathFor(v, key);
    await mkdir(path.dirname(out), { recursive: true, mode: DATA_DIR_MODE });
    let rawBytes = 0;
    const { input, size } = await openBackupPlain(v, key, rsa, (n) => {
      rawBytes = n;
    });
    ctx.progress(0, size, "indexing");
    const onAbort = () => input.destroy(new JfsError("interrupted", "cancelled"));
    ctx.signal.addEventListener("abort", onAbort);
    try {
      const info = await indexAnyDump(input, out, {
        onBinary: () => ctx.log("binary backup: its tables are staged beside the index, then walked into it"),
        onProgress: (p) => ctx.progress(Math.min(rawBytes, size), size, `indexing · ${p.entries.toLocaleString("en-US")} entries`),
      });
      ctx.log(`indexed ${info.entries} entries in ${info.directories} directories`);
      return { backup: key, entries: info.entries, directories: info.directories };
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
  });
}

// ---------------------------------------------------------------- export a directory

export const ExportRequestSchema = z.object({
  source: z.enum(["live", "backup"]),
  backup: z.string().max(255).optional(),
  /** Backup sources: the directory's id in the index. */
  dirId: z.string().max(64).optional(),
  /**
   * Live sources: the directory's inode (decimal), as the tree viewer's dirId. Not a path:
   * display names lose bytes that are not UTF-8, and Trash is not under the root.
   */
  inode: z.string().regex(/^[1-9]\d{0,19}$/, "must be an inode number").optional(),
  /** Live sources: the directory's path as shown, for the job's title only. */
  path: z.string().max(4096).optional(),
});

export async function startExport(v: VolumeRecord, raw: unknown, actor: string): Promise<string> {
  const req = ExportRequestSchema.parse(raw);
  if (req.source === "live" && !req.inode) throw new JfsError("usage", "export from the live engine needs the directory's inode");
  const label = req.source === "live" ? `live ${req.path ?? ""} (inode ${req.inode})` : `${req.backup} dir ${req.dirId}`;
  await audit(actor, "export-subdir", v.name, label);
  return startJob({ kind: "export", title: `export --subdir ${v.name} ${label}`, volumeId: v.id, params: { ...req } }, async (ctx) => {
    const name = "export.json";
    const filename = `${v.name}-subdir-${backupStamp(new Date())}.json`;
    const file = path.join(ctx.dir, name);
    if (req.source === "backup") {
      if (!req.backup || !req.dirId) throw new JfsError("usage", "export from a backup needs the backup and the directory id");
      const { exportSubdirFromBackup } = await import("../inspect");
      const size = await writeTo(file, false, (out) => exportSubdirFromBackup(indexPathFor(v, req.backup!), req.dirId!, out));
      ctx.progress(1, 1, "ready to download");
      return { bytes: size, download: name, filename };
    }
    let entries = 0;
    const size = await withEngine(v.metaUrl, async (engine) => {
      const total = Number((await engine.usage()).usedInodes);
      return writeTo(file, false, async (out) => {
        const r = await dumpMeta(engine, new JsonDumpWriter(out), {
          subdirInode: BigInt(req.inode!),
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p.entries, Math.max(total, p.entries), dumpProgressLabel(p)),
        });
        entries = r.entries;
      });
    });
    ctx.progress(entries, entries, "ready to download");
    return { entries, bytes: size, download: name, filename };
  });
}
