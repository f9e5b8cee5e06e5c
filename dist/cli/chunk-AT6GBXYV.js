import {
  STORAGE_FLAGS,
  storageOverrides
} from "./chunk-YASBIB2U.js";
import {
  ENVELOPE_ALGOS
} from "./chunk-MRG4XAQF.js";
import {
  CliError
} from "./chunk-S7H772A3.js";

// cli/dump-source.ts
var SOURCE_FLAGS = {
  "encrypt-rsa-key": { type: "string" },
  "encrypt-algo": { type: "string" },
  "from-volume": { type: "string" },
  ...STORAGE_FLAGS
};
var SOURCE_HELP = `  --encrypt-rsa-key PATH   private key (PEM) to decrypt an encrypted automatic backup;
                           a passphrase-protected key reads JFS_RSA_PASSPHRASE
  --encrypt-algo ALGO      aes256gcm-rsa (default) or chacha20-rsa
  --from-volume META-URL   BACKUP names a backup in this volume's object storage`;
function isStorageRef(file) {
  return file.startsWith("s3://") || file.startsWith("file://");
}
async function openDumpSource(file, values, example) {
  const algo = values["encrypt-algo"];
  const keyPath = values["encrypt-rsa-key"];
  if (keyPath && algo !== void 0 && !ENVELOPE_ALGOS.includes(algo)) {
    throw new CliError(`unsupported --encrypt-algo "${algo}": use ${ENVELOPE_ALGOS.join(" or ")}`);
  }
  if (!file && process.stdin.isTTY) {
    throw new CliError(`no FILE given and stdin is a terminal: name the dump file, or pipe it in (${example})`);
  }
  const fromVolume = values["from-volume"];
  if (fromVolume && !file) throw new CliError("--from-volume needs the backup's name (or 'latest') as FILE");
  if (file && (fromVolume || isStorageRef(file))) {
    const { openBackupSource } = await import("./source-WWY4EFFR.js");
    const backup = await openBackupSource(file, { metaUrl: fromVolume, storage: storageOverrides(values), keyPath, algo });
    return backup.stream;
  }
  if (keyPath) {
    if (!file) throw new CliError("--encrypt-rsa-key needs a FILE: encrypted backups cannot be read from stdin");
    const { decryptEnvelopeFile } = await import("./envelope-N2IW57II.js");
    return decryptEnvelopeFile(file, { keyPath, algo });
  }
  return file;
}
function closeDumpSource(source) {
  if (source === void 0) process.stdin.destroy();
  else if (typeof source !== "string") source.destroy();
}

export {
  SOURCE_FLAGS,
  SOURCE_HELP,
  openDumpSource,
  closeDumpSource
};
