// jfsmeta config META-URL --secret-key S: re-set the storage credentials after a load, stored as
// JuiceFS stores them (encrypted with the UUID-derived key when KeyEncrypted is set).
import { CliError, parseCli } from "./common";
import { openEngine, redactUrl } from "../lib/engines/open";
import { applyCredentials } from "../lib/storage/credentials";
import { checkVolumeStorage } from "../lib/storage/volume";

const HELP = `usage: jfsmeta config [options] META-URL

Change the object storage credentials stored in the volume setting, like
'juicefs config --secret-key'. Loading a dump leaves the secret key as "removed";
this makes the setting whole again. Secrets are stored encrypted when the volume
stores them so (KeyEncrypted), as JuiceFS does.

options:
  --secret-key KEY      new secret key (or env JFSMETA_SECRET_KEY)
  --access-key KEY      new access key
  --session-token TOKEN new session token ('' to clear it)
  --encrypt-secret      store the secrets encrypted even if the setting has them in clear
  --check               then check the storage with them: read <volume>/juicefs_uuid
                        and compare it with the volume's UUID (exit 1 if it fails)
  --help, -h            this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCli(
    args,
    {
      "secret-key": { type: "string" },
      "access-key": { type: "string" },
      "session-token": { type: "string" },
      "encrypt-secret": { type: "boolean" },
      check: { type: "boolean" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL\n\n${HELP}`);
  const secretKey = values["secret-key"] ?? (process.env.JFSMETA_SECRET_KEY || undefined);
  if (secretKey === undefined && values["access-key"] === undefined && values["session-token"] === undefined && !values["encrypt-secret"]) {
    throw new CliError(`nothing to change: give --secret-key, --access-key, --session-token or --encrypt-secret\n\n${HELP}`);
  }
  const [url] = positionals;
  process.title = `jfsmeta config ${redactUrl(url)}`;
  const engine = await openEngine(url);
  try {
    const setting = await engine.readSetting();
    if (!setting) throw new CliError(`no JuiceFS volume in ${redactUrl(url)}: the database holds no setting`, "not-found");
    const { setting: updated, changed, stillRemoved } = applyCredentials(setting, {
      secretKey,
      accessKey: values["access-key"],
      sessionToken: values["session-token"],
      encrypt: !!values["encrypt-secret"],
    });
    await engine.writeSetting(updated);
    process.stderr.write(`updated ${changed.join(", ") || "secret storage"} of volume ${setting.Name}${updated.KeyEncrypted ? " (stored encrypted)" : ""}\n`);
    for (const f of stillRemoved) process.stderr.write(`warning: ${f} is still "removed"; set it with --${f === "SessionToken" ? "session-token" : "secret-key"}\n`);
    if (values.check) {
      const check = await checkVolumeStorage(updated);
      process.stderr.write(`${check.ok ? "ok" : "storage check failed"}: ${check.message}\n`);
      return check.ok ? 0 : 1;
    }
    return 0;
  } finally {
    await engine.close();
  }
}
