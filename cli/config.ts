// jfsmeta config META-URL [flags]: `juicefs config` — without flags it prints the volume's
// format (secrets removed); with flags it changes the format as JuiceFS does: storage and
// credentials (probed before saving unless --force), trash days, capacity and inode quotas,
// bandwidth limits, ACL, directory statistics, change log, client version bounds. Whenever it
// saves with TrashDays > 0 it creates the Trash directory if it is missing, as JuiceFS does.
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { CliError, parseCli } from "./common";
import { openEngine, redactUrl } from "../lib/engines/open";
import { applyCredentials } from "../lib/storage/credentials";
import { checkVolumeStorage } from "../lib/storage/volume";
import { effectiveTiers, REMOVED_SECRET, type Setting } from "../lib/jfs/setting";
import { settingToGo } from "../lib/jfs/setting-json";
import { goMarshalIndent } from "../lib/jfs/json/gojson";
import { clientVersionProblem, compareVersionText, JUICEFS_CLIENT_VERSION, parseVersion } from "../lib/jfs/version";
import { formatBytes } from "../lib/jfs/format";

const HELP = `usage: jfsmeta config [options] META-URL

Show or change the volume's format, like 'juicefs config'. Without options it prints
the format (secrets removed). Loading a dump leaves the secret key as "removed":
--secret-key makes the setting whole again. Secrets stay encrypted when the volume
stores them so (KeyEncrypted), as JuiceFS keeps them.

storage (probed before saving: <volume>/juicefs_uuid must be this volume's, unless --force):
  --storage TYPE          object storage type (s3, file, …)
  --bucket URL            bucket URL (a path for file storage)
  --access-key KEY        access key
  --secret-key KEY        secret key (or env JFSMETA_SECRET_KEY)
  --session-token TOKEN   session token ('' to clear it)
  --storage-class CLASS   storage class of the default tier
  --encrypt-secret        store the secrets encrypted even if the setting has them in clear
  --upload-limit N        upload bandwidth limit in Mbps (or with a G/T/P suffix)
  --download-limit N      download bandwidth limit in Mbps
volume:
  --capacity N            space quota in GiB (or with a K/M/G/T/P/E suffix; 0 = none)
  --inodes N              inode quota (0 = none)
  --trash-days N          days deleted files stay in the Trash (0 = purged at once)
  --enable-acl            turn POSIX ACLs on (they cannot be turned off)
  --dir-stats[=false]     directory statistics (turning them off only)
  --user-group-quota[=false]  user and group quotas (turning them off only)
  --changelog[=false]     the metadata change log (max age 2h unless given)
  --changelog-max-age D   how long change-log lines are kept (e.g. 2h, 30m; 0 = no limit)
  --changelog-max-lines N how many change-log lines are kept (0 = no limit)
  --min-client-version V  oldest JuiceFS client allowed to mount (cannot be lowered)
  --max-client-version V  newest JuiceFS client allowed to mount
confirmation:
  --yes, -y               answer yes to every question (trash off, quota below usage,
                          client versions excluded)
  --force                 save without probing the storage or asking
  --check                 after saving, check the storage again (exit 1 if it fails)
  --help, -h              this help
`;

/** Boolean flags, which JuiceFS also takes as --flag=true / --flag=false. */
const BOOLEANS = ["encrypt-secret", "check", "enable-acl", "dir-stats", "user-group-quota", "changelog", "yes", "force"] as const;
type BoolFlag = (typeof BOOLEANS)[number];

/** Takes the boolean flags (with an optional =true/=false) out of `args`. */
function splitBooleans(args: string[]): { rest: string[]; bools: Map<BoolFlag, boolean> } {
  const bools = new Map<BoolFlag, boolean>();
  const rest: string[] = [];
  for (const a of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const name = m?.[1] as BoolFlag | undefined;
    if (m && name && (BOOLEANS as readonly string[]).includes(name)) {
      const v = m[2];
      if (v !== undefined && !/^(true|false|1|0)$/i.test(v)) throw new CliError(`--${name}=${v}: use true or false`);
      bools.set(name, v === undefined || /^(true|1)$/i.test(v));
    } else if (a === "-y") bools.set("yes", true);
    else rest.push(a);
  }
  return { rest, bools };
}

/** JuiceFS's ParseBytesStr: a number in `unit`, or with its own K/M/G/T/P/E (or B) suffix. */
export function parseBytes(flag: string, text: string, unit = "G"): bigint {
  let s = text;
  let u = unit;
  const last = s.at(-1) ?? "";
  if (last < "0" || last > "9") {
    u = last;
    s = s.slice(0, -1);
  }
  const shifts: Record<string, number> = { B: 0, K: 10, M: 20, G: 30, T: 40, P: 50, E: 60 };
  const shift = shifts[u.toUpperCase()];
  const val = Number(s);
  if (s === "" || !Number.isFinite(val) || val < 0 || shift === undefined) throw new CliError(`invalid value "${text}" for --${flag}`);
  return BigInt(Math.floor(val * 2 ** shift));
}

/** JuiceFS's ParseMbpsStr: Mbps, or with a G/T/P suffix. */
export function parseMbps(flag: string, text: string): bigint {
  let s = text;
  let u = "M";
  const last = s.at(-1) ?? "";
  if (last < "0" || last > "9") {
    u = last.toUpperCase();
    s = s.slice(0, -1);
  }
  const factor: Record<string, number> = { M: 1, G: 1e3, T: 1e6, P: 1e9 };
  const val = Number(s);
  if (s === "" || !Number.isFinite(val) || val < 0 || factor[u] === undefined) throw new CliError(`invalid value "${text}" for --${flag}`);
  return BigInt(Math.floor(val * factor[u]));
}

/** Go's time.ParseDuration, to whole seconds (h, m, s, ms, us, ns units; "0" alone). */
export function parseDurationSeconds(flag: string, text: string): bigint {
  if (text === "0") return 0n;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let pos = 0;
  const negative = text.startsWith("-");
  const body = negative || text.startsWith("+") ? text.slice(1) : text;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== body.length) throw new CliError(`invalid duration "${text}" for --${flag} (e.g. 2h, 90m, 3600s)`);
  if (negative) throw new CliError(`negative duration for --${flag}: ${text}`);
  return BigInt(Math.floor(total));
}

function mbps(v: bigint | undefined): string {
  const n = Number(v ?? 0n);
  if (n < 1e3) return `${n.toFixed(1)} Mbps`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} Gbps`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} Tbps`;
  return `${(n / 1e9).toFixed(1)} Pbps`;
}

/** The format as `juicefs config META-URL` prints it: indented JSON, secrets "removed". */
export function printableFormat(s: Setting): string {
  const shown: Setting = { ...s, Tiers: effectiveTiers(s) };
  for (const f of ["SecretKey", "SessionToken", "EncryptKey"] as const) if (shown[f]) shown[f] = REMOVED_SECRET;
  return goMarshalIndent(settingToGo(shown), "", "  ", "std");
}

async function confirm(question: string, yes: boolean): Promise<void> {
  process.stderr.write(`${question}\n`);
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError("Aborted: this change needs a confirmation; add --yes to give it", "refused");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question("Proceed? [y/N]: ");
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("Aborted.", "refused");
  } finally {
    rl.close();
  }
}

export async function run(args: string[]): Promise<number> {
  const { rest, bools } = splitBooleans(args);
  const parsed = parseCli(
    rest,
    {
      "secret-key": { type: "string" },
      "access-key": { type: "string" },
      "session-token": { type: "string" },
      storage: { type: "string" },
      bucket: { type: "string" },
      "storage-class": { type: "string" },
      "upload-limit": { type: "string" },
      "download-limit": { type: "string" },
      capacity: { type: "string" },
      inodes: { type: "string" },
      "trash-days": { type: "string" },
      "changelog-max-age": { type: "string" },
      "changelog-max-lines": { type: "string" },
      "min-client-version": { type: "string" },
      "max-client-version": { type: "string" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL\n\n${HELP}`);
  const secretKey = values["secret-key"] ?? (process.env.JFSMETA_SECRET_KEY || undefined);
  const [url] = positionals;
  process.title = `jfsmeta config ${redactUrl(url)}`;
  const engine = await openEngine(url);
  try {
    const stored = await engine.readSetting();
    if (!stored) throw new CliError(`no JuiceFS volume in ${redactUrl(url)}: the database holds no setting`, "not-found");
    const local = Object.keys(values).length + bools.size + (secretKey !== undefined && values["secret-key"] === undefined ? 1 : 0);
    if (local === 0) {
      process.stdout.write(printableFormat(stored) + "\n");
      return 0;
    }

    const { setting: fmt, stillRemoved } = applyCredentials(stored, {
      secretKey,
      accessKey: values["access-key"],
      sessionToken: values["session-token"],
      encrypt: !!bools.get("encrypt-secret"),
    });
    const msg: string[] = [];
    const line = (flag: string, from: unknown, to: unknown) => msg.push(`${flag.padStart(10)}: ${from} -> ${to}`);
    let storage = false;
    let quota = false;
    let trash = false;
    let clientVer = false;
    let requiredMin = "";
    const requireMin = (v: string) => {
      if (compareVersionText(requiredMin, v) < 0) requiredMin = v;
    };

    if (values.capacity !== undefined) {
      const v = parseBytes("capacity", values.capacity);
      if (v !== (fmt.Capacity ?? 0n)) {
        line("capacity", formatBytes(fmt.Capacity ?? 0n), formatBytes(v));
        fmt.Capacity = v;
        quota = true;
      }
    }
    if (values.inodes !== undefined) {
      if (!/^\d+$/.test(values.inodes)) throw new CliError(`invalid value "${values.inodes}" for --inodes`);
      const v = BigInt(values.inodes);
      if (v !== (fmt.Inodes ?? 0n)) {
        line("inodes", (fmt.Inodes ?? 0n).toLocaleString("en-US"), v.toLocaleString("en-US"));
        fmt.Inodes = v;
        quota = true;
      }
    }
    if (values.storage !== undefined && values.storage !== fmt.Storage) {
      line("storage", fmt.Storage, values.storage);
      fmt.Storage = values.storage;
      storage = true;
    }
    if (values.bucket !== undefined) {
      // JuiceFS makes a file bucket absolute, with a trailing slash.
      const bucket = fmt.Storage === "file" ? path.resolve(values.bucket) + "/" : values.bucket;
      if (bucket !== fmt.Bucket) {
        line("bucket", fmt.Bucket, bucket);
        fmt.Bucket = bucket;
        storage = true;
      }
    }
    if (values["access-key"] !== undefined && values["access-key"] !== stored.AccessKey) {
      line("access-key", stored.AccessKey ?? "", values["access-key"]);
      storage = true;
    }
    if (secretKey !== undefined) {
      msg.push(`${"secret-key".padStart(10)}: updated`);
      storage = true;
    }
    if (values["session-token"] !== undefined) {
      msg.push(`${"session-token".padStart(10)}: updated`);
      storage = true;
    }
    if (values["storage-class"] !== undefined) {
      const tiers = effectiveTiers(fmt);
      const t0 = tiers["0"] ?? { ID: 0, StorageClass: "", Tag: "" };
      if (values["storage-class"] !== t0.StorageClass) {
        line("storage-class", t0.StorageClass, values["storage-class"]);
        fmt.Tiers = { ...tiers, "0": { ...t0, StorageClass: values["storage-class"] } };
        storage = true;
      }
    }
    for (const flag of ["upload-limit", "download-limit"] as const) {
      const text = values[flag];
      if (text === undefined) continue;
      const field = flag === "upload-limit" ? "UploadLimit" : "DownloadLimit";
      const v = parseMbps(flag, text);
      if (v !== (fmt[field] ?? 0n)) {
        line(flag, mbps(fmt[field]), mbps(v));
        fmt[field] = v;
      }
    }
    if (values["trash-days"] !== undefined) {
      if (!/^-?\d+$/.test(values["trash-days"])) throw new CliError(`invalid value "${values["trash-days"]}" for --trash-days`);
      const v = Number(values["trash-days"]);
      if (v !== fmt.TrashDays) {
        if (v < 0) throw new CliError(`Invalid trash days: ${v}`);
        line("trash-days", fmt.TrashDays, v);
        fmt.TrashDays = v;
        trash = true;
      }
    }
    const flipBool = (flag: BoolFlag, field: "DirStats" | "UserGroupQuota") => {
      const v = bools.get(flag);
      if (v === undefined || v === !!fmt[field]) return;
      if (v) {
        // JuiceFS drops the stale statistics (and rescans user/group usage) when one is turned
        // on; jfsmeta cannot do that yet, and stale numbers would be worse than none.
        throw new CliError(`jfsmeta config cannot turn on --${flag} (JuiceFS drops the outdated statistics and rebuilds them): use 'juicefs config --${flag}'`, "unsupported");
      }
      line(flag, !!fmt[field], v);
      fmt[field] = v;
    };
    flipBool("dir-stats", "DirStats");
    flipBool("user-group-quota", "UserGroupQuota");
    const changelog = bools.get("changelog");
    if (changelog !== undefined && changelog !== !!fmt.ChangeLog) {
      line("changelog", !!fmt.ChangeLog, changelog);
      fmt.ChangeLog = changelog;
      if (changelog && !fmt.ChangeLogMaxAge && values["changelog-max-age"] === undefined) {
        fmt.ChangeLogMaxAge = 7200n;
        msg.push(`${"changelog-max-age".padStart(10)}: 0s -> 2h0m0s (default)`);
      }
    }
    if (values["changelog-max-age"] !== undefined) {
      const v = parseDurationSeconds("changelog-max-age", values["changelog-max-age"]);
      if (v !== (fmt.ChangeLogMaxAge ?? 0n)) {
        line("changelog-max-age", `${fmt.ChangeLogMaxAge ?? 0n}s`, `${v}s`);
        fmt.ChangeLogMaxAge = v;
      }
    }
    if (values["changelog-max-lines"] !== undefined) {
      if (!/^-?\d+$/.test(values["changelog-max-lines"])) throw new CliError(`invalid value "${values["changelog-max-lines"]}" for --changelog-max-lines`);
      const v = BigInt(values["changelog-max-lines"]);
      if (v < 0n) throw new CliError(`negative value for changelog-max-lines: ${v}`);
      if (v !== (fmt.ChangeLogMaxLines ?? 0n)) {
        line("changelog-max-lines", fmt.ChangeLogMaxLines ?? 0n, v);
        fmt.ChangeLogMaxLines = v;
      }
    }
    const minV = values["min-client-version"];
    if (minV !== undefined && minV !== (fmt.MinClientVersion ?? "")) {
      if (!parseVersion(minV)) throw new CliError(`Invalid version string: ${minV}`);
      if (compareVersionText(minV, fmt.MinClientVersion) < 0) throw new CliError(`cannot lower min-client-version from ${fmt.MinClientVersion} to ${minV}`);
      requireMin(minV);
    }
    const maxV = values["max-client-version"];
    if (maxV !== undefined && maxV !== (fmt.MaxClientVersion ?? "")) {
      if (!parseVersion(maxV)) throw new CliError(`Invalid version string: ${maxV}`);
      msg.push(`max-client-version: ${fmt.MaxClientVersion ?? ""} -> ${maxV}`);
      fmt.MaxClientVersion = maxV;
      clientVer = true;
    }
    const acl = bools.get("enable-acl");
    if (acl !== undefined && acl !== fmt.EnableACL) {
      if (!acl) throw new CliError("cannot disable acl");
      msg.push(`enable-acl: ${fmt.EnableACL} -> true`);
      fmt.EnableACL = true;
      requireMin("1.2.0-A");
    }
    if (compareVersionText(fmt.MinClientVersion, requiredMin) < 0) {
      msg.push(`min-client-version: ${fmt.MinClientVersion ?? ""} -> ${requiredMin}`);
      fmt.MinClientVersion = requiredMin;
      clientVer = true;
    }
    if (bools.get("encrypt-secret") && !stored.KeyEncrypted) msg.push(`${"encrypt-secret".padStart(10)}: false -> true`);

    if (msg.length === 0) {
      process.stdout.write("Nothing changed.\n");
      return 0;
    }

    const yes = !!bools.get("yes");
    if (!bools.get("force")) {
      if (storage) {
        const check = await checkVolumeStorage(fmt);
        if (!check.ok) throw new CliError(`storage check failed, nothing saved: ${check.message} (add --force to save anyway)`, "refused");
      }
      if (quota) {
        const used = await engine.usage();
        if ((fmt.Capacity && used.usedSpace >= fmt.Capacity) || (fmt.Inodes && used.usedInodes >= fmt.Inodes)) {
          await confirm(`warning: the new quota is too small (used / quota): ${used.usedSpace} / ${fmt.Capacity ?? 0n} bytes, ${used.usedInodes} / ${fmt.Inodes ?? 0n} inodes`, yes);
        }
      }
      if (trash && fmt.TrashDays === 0) await confirm("warning: the current trash will be emptied and future removed files will be purged immediately", yes);
      if (clientVer) {
        const problem = clientVersionProblem(fmt);
        if (problem) await confirm(`warning: JuiceFS ${JUICEFS_CLIENT_VERSION} clients will be rejected after this change (${problem})`, yes);
      }
    }

    await engine.writeSetting(fmt);
    if (fmt.TrashDays > 0 && (await engine.ensureTrashDir(new Date()))) {
      process.stderr.write("created the Trash directory, which was missing (JuiceFS clients need it to unlink and rmdir)\n");
    }
    process.stdout.write(msg.join("\n") + "\n");
    for (const f of stillRemoved) process.stderr.write(`warning: ${f} is still "removed"; set it with --${f === "SessionToken" ? "session-token" : "secret-key"}\n`);
    if (bools.get("check")) {
      const check = await checkVolumeStorage(fmt);
      process.stderr.write(`${check.ok ? "ok" : "storage check failed"}: ${check.message}\n`);
      return check.ok ? 0 : 1;
    }
    return 0;
  } finally {
    await engine.close();
  }
}
