// Where `load` and `verify` read a dump from: a file, stdin, an object in storage (s3://,
// file://) or a backup named within a volume (--from-volume), decrypted when it is an
// encrypted backup. One home for the flags, their checks and the opening; the bytes returned
// still need openDumpInput (which sniffs gzip and refuses binary dumps).
import type { Readable } from "node:stream";
import { ENVELOPE_ALGOS } from "../lib/dump/envelope";
import { CliError } from "./common";
import { STORAGE_FLAGS, storageOverrides } from "./storage-flags";

export const SOURCE_FLAGS = {
  "encrypt-rsa-key": { type: "string" },
  "encrypt-algo": { type: "string" },
  "from-volume": { type: "string" },
  ...STORAGE_FLAGS,
} as const;

export const SOURCE_HELP = `  --encrypt-rsa-key PATH   private key (PEM) to decrypt an encrypted automatic backup;
                           a passphrase-protected key reads JFS_RSA_PASSPHRASE
  --encrypt-algo ALGO      aes256gcm-rsa (default) or chacha20-rsa
  --from-volume META-URL   BACKUP names a backup in this volume's object storage`;

/** A FILE argument that names an object in storage rather than a local file. */
function isStorageRef(file: string): boolean {
  return file.startsWith("s3://") || file.startsWith("file://");
}

/**
 * The dump `file` names (undefined: stdin), as a path or a stream of its (decrypted) bytes.
 * `verb` and `example` only shape the messages.
 */
export async function openDumpSource(
  file: string | undefined,
  values: Record<string, unknown>,
  example: string,
): Promise<string | Readable | undefined> {
  const algo = values["encrypt-algo"] as string | undefined;
  const keyPath = values["encrypt-rsa-key"] as string | undefined;
  // Without a key JuiceFS ignores --encrypt-algo (scripts pass it always): so does jfsmeta.
  if (keyPath && algo !== undefined && !(ENVELOPE_ALGOS as readonly string[]).includes(algo)) {
    throw new CliError(`unsupported --encrypt-algo "${algo}": use ${ENVELOPE_ALGOS.join(" or ")}`);
  }
  if (!file && process.stdin.isTTY) {
    throw new CliError(`no FILE given and stdin is a terminal: name the dump file, or pipe it in (${example})`);
  }
  const fromVolume = values["from-volume"] as string | undefined;
  if (fromVolume && !file) throw new CliError("--from-volume needs the backup's name (or 'latest') as FILE");
  if (file && (fromVolume || isStorageRef(file))) {
    const { openBackupSource } = await import("../lib/storage/source");
    const backup = await openBackupSource(file, { metaUrl: fromVolume, storage: storageOverrides(values), keyPath, algo });
    return backup.stream;
  }
  if (keyPath) {
    if (!file) throw new CliError("--encrypt-rsa-key needs a FILE: encrypted backups cannot be read from stdin");
    const { decryptEnvelopeFile } = await import("../lib/dump/envelope");
    return decryptEnvelopeFile(file, { keyPath, algo });
  }
  return file;
}

/**
 * Ends the reading of `source`, whether or not all of it was read. A command that stops early (a
 * refused dump, a signal) leaves a read pending on a pipe, and an open stdin keeps the process
 * alive for as long as whatever writes into it: `producer | jfsmeta load` printed "stopped by
 * SIGTERM" and then hung. A path has nothing open by then.
 */
export function closeDumpSource(source: string | Readable | undefined): void {
  if (source === undefined) process.stdin.destroy();
  else if (typeof source !== "string") source.destroy();
}
