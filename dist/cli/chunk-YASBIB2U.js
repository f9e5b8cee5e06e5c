// cli/storage-flags.ts
var STORAGE_FLAGS = {
  storage: { type: "string" },
  "storage-endpoint": { type: "string" },
  "access-key": { type: "string" },
  "secret-key": { type: "string" },
  "session-token": { type: "string" },
  bucket: { type: "string" }
};
var STORAGE_HELP = `storage overrides (the volume setting is used otherwise):
  --storage TYPE           treat the storage as file, s3 or minio (e.g. s3 for an
                           S3-compatible type jfsmeta does not know by name)
  --storage-endpoint URL   S3 endpoint, e.g. http://127.0.0.1:9000 (path style)
  --bucket URL|DIR         replace the volume's Bucket
  --access-key KEY         object storage access key
  --secret-key KEY         object storage secret key (or env JFSMETA_SECRET_KEY);
                           needed when the setting came from a dump ("removed")
  --session-token TOKEN    object storage session token
`;
function storageOverrides(values, env = process.env) {
  const str = (k) => typeof values[k] === "string" ? values[k] : void 0;
  return {
    storage: str("storage"),
    endpoint: str("storage-endpoint"),
    bucket: str("bucket"),
    accessKey: str("access-key"),
    secretKey: str("secret-key") ?? (env.JFSMETA_SECRET_KEY || void 0),
    sessionToken: str("session-token")
  };
}

export {
  STORAGE_FLAGS,
  STORAGE_HELP,
  storageOverrides
};
