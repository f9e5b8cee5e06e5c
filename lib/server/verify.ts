// Verify as a job: a backup read from the volume's storage and checked by the structural
// verifier `load` runs before it commits (lib/dump/verify.ts, the binary check for binary
// backups), exactly as `jfsmeta verify` checks it, nothing written anywhere. The outcome is
// kept per backup object (./records) for the "verified / failed / never verified" marks; a
// failed verify is an alert (./alerts). The schedule (./scheduler) verifies each volume's
// newest backup, as Proxmox Backup Server's verify jobs do.
import type { Readable } from "node:stream";
import { detectDumpFormat } from "../dump/input";
import { verifyDump } from "../dump/verify";
import { formatBytes } from "../jfs/format";
import { errorKind, errorMessage, JfsError } from "../jfs/errors";
import { sendOnce } from "./alerts";
import { checkBackupKey } from "./backups";
import { audit } from "./db";
import { startJob } from "./jobs";
import { recordVerify } from "./records";
import { openBackupPlain, type KeyInput } from "./tasks";
import type { VolumeRecord } from "./volumes";

export interface VerifyOutcome {
  inodes: number;
  entries: number;
  /** Plain (decompressed, decrypted) bytes read. */
  bytes: number;
  format: "json" | "binary";
}

/** Check a plain dump stream (JSON or binary, as its first bytes say). Rejects with the first problem. */
export async function verifyPlainDump(plain: Readable): Promise<VerifyOutcome> {
  const detected = await detectDumpFormat(plain);
  if (detected.format === "binary") {
    const { readBinaryDump } = await import("../dump/binary/reader");
    const { BinaryStructureCheck, checkingVisitor } = await import("../dump/binary/check");
    const check = new BinaryStructureCheck();
    const footer = await readBinaryDump(detected.input, checkingVisitor(check));
    check.finish();
    return { inodes: check.counts.inodes, entries: check.counts.entries, bytes: footer.bytes, format: "binary" };
  }
  const r = await verifyDump(detected.input);
  const c = r.counts;
  return { inodes: c.directories + c.files + c.symlinks + c.others, entries: c.entries, bytes: r.bytes, format: "json" };
}

/**
 * Start a verify job of `backup`. `done` settles when the job has ended (the schedule runs
 * one at a time). A backup the verifier refuses fails the job and is marked failed; an error
 * that is not the backup's (storage unreachable, a key missing, a cancel) leaves its mark alone.
 */
export async function startVerify(
  v: VolumeRecord,
  backup: string,
  actor: string,
  opts: { scheduled?: boolean; rsa?: KeyInput } = {},
): Promise<{ id: string; done: Promise<void> }> {
  checkBackupKey(backup);
  await audit(actor, "verify", v.name, `${backup}${opts.scheduled ? " (scheduled)" : ""}`);
  let settle: () => void = () => undefined;
  const done = new Promise<void>((r) => (settle = r));
  const id = await startJob(
    { kind: "verify", title: `verify ${v.name} ${backup}${opts.scheduled ? " (scheduled)" : ""}`, volumeId: v.id, params: { backup, scheduled: !!opts.scheduled } },
    async (ctx) => {
      try {
        let size = 0;
        let read = 0;
        const { input, size: stored, encrypted } = await openBackupPlain(v, backup, opts.rsa, (n) => {
          read = n;
          if (size) ctx.progress(Math.min(read, size), size, "verifying");
        });
        size = stored;
        ctx.log(`reading ${backup} (${formatBytes(size)}${encrypted ? ", encrypted" : ""})`);
        ctx.progress(Math.min(read, size), size, "verifying");
        const onAbort = () => input.destroy(new JfsError("interrupted", "cancelled"));
        ctx.signal.addEventListener("abort", onAbort);
        let outcome: VerifyOutcome;
        try {
          outcome = await verifyPlainDump(input);
        } catch (err) {
          if (ctx.signal.aborted || errorKind(err) !== "corrupt-input") throw err;
          const problem = errorMessage(err);
          await recordVerify(v.id, backup, { ok: false, detail: problem, jobId: ctx.id });
          await sendOnce({
            kind: "verify-failed",
            key: `verify-failed:${v.id}:${backup}`,
            volume: v.name,
            volumeId: v.id,
            backup,
            title: `${v.name}: backup ${backup} failed verification`,
            detail: problem,
            at: new Date().toISOString(),
          });
          throw new JfsError("corrupt-input", `${backup} failed verification: ${problem}`, { cause: err });
        } finally {
          ctx.signal.removeEventListener("abort", onAbort);
        }
        const detail = `${outcome.entries.toLocaleString("en-US")} entries, ${outcome.inodes.toLocaleString("en-US")} inodes, ${formatBytes(outcome.bytes)} of ${outcome.format} read`;
        await recordVerify(v.id, backup, { ok: true, detail, jobId: ctx.id, inodes: outcome.inodes });
        ctx.progress(size, size, "verified");
        ctx.log(`OK: ${detail}`);
        return { backup, ok: true, ...outcome };
      } finally {
        settle();
      }
    },
  );
  return { id, done };
}
