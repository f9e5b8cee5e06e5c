import {
  checkVolumeStorage,
  decryptSetting,
  encryptSetting
} from "./chunk-3B24ZKOH.js";
import {
  JUICEFS_CLIENT_VERSION,
  clientVersionProblem,
  compareVersionText,
  parseVersion
} from "./chunk-MBCI7NWR.js";
import "./chunk-MRG4XAQF.js";
import "./chunk-6VX6LUXZ.js";
import {
  CliError,
  parseCli
} from "./chunk-S7H772A3.js";
import "./chunk-PWJI7R5M.js";
import {
  openEngine
} from "./chunk-XHMWZALV.js";
import "./chunk-WHTYQ7ZL.js";
import "./chunk-GFD4D3CU.js";
import "./chunk-NBLKMQM2.js";
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import "./chunk-ZFPZGAM2.js";
import {
  settingToGo
} from "./chunk-R7GPK5FI.js";
import {
  goMarshalIndent
} from "./chunk-FUB4GH24.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import {
  REMOVED_SECRET,
  effectiveTiers
} from "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import "./chunk-CPAUB6IY.js";

// cli/config.ts
import path from "node:path";
import { createInterface } from "node:readline/promises";

// lib/storage/credentials.ts
function applyCredentials(stored, change) {
  const encrypt = !!stored.KeyEncrypted || !!change.encrypt;
  const { setting } = decryptSetting(stored);
  const changed = [];
  if (change.accessKey !== void 0) {
    setting.AccessKey = change.accessKey;
    changed.push("AccessKey");
  }
  if (change.secretKey !== void 0) {
    setting.SecretKey = change.secretKey;
    changed.push("SecretKey");
  }
  if (change.sessionToken !== void 0) {
    setting.SessionToken = change.sessionToken;
    changed.push("SessionToken");
  }
  const stillRemoved = ["SecretKey", "SessionToken"].filter((f) => setting[f] === REMOVED_SECRET);
  return { setting: encrypt ? encryptSetting(setting) : setting, changed, stillRemoved };
}

// cli/config.ts
var HELP = `usage: jfsmeta config [options] META-URL

Show or change the volume's format, like 'juicefs config'. Without options it prints
the format (secrets removed). Loading a dump leaves the secret key as "removed":
--secret-key makes the setting whole again. Secrets stay encrypted when the volume
stores them so (KeyEncrypted), as JuiceFS keeps them.

storage (probed before saving: <volume>/juicefs_uuid must be this volume's, unless --force):
  --storage TYPE          object storage type (s3, file, \u2026)
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
var BOOLEANS = ["encrypt-secret", "check", "enable-acl", "dir-stats", "user-group-quota", "changelog", "yes", "force"];
function splitBooleans(args) {
  const bools = /* @__PURE__ */ new Map();
  const rest = [];
  for (const a of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const name = m?.[1];
    if (m && name && BOOLEANS.includes(name)) {
      const v = m[2];
      if (v !== void 0 && !/^(true|false|1|0)$/i.test(v)) throw new CliError(`--${name}=${v}: use true or false`);
      bools.set(name, v === void 0 || /^(true|1)$/i.test(v));
    } else if (a === "-y") bools.set("yes", true);
    else rest.push(a);
  }
  return { rest, bools };
}
function parseBytes(flag, text, unit = "G") {
  let s = text;
  let u = unit;
  const last = s.at(-1) ?? "";
  if (last < "0" || last > "9") {
    u = last;
    s = s.slice(0, -1);
  }
  const shifts = { B: 0, K: 10, M: 20, G: 30, T: 40, P: 50, E: 60 };
  const shift = shifts[u.toUpperCase()];
  const val = Number(s);
  if (s === "" || !Number.isFinite(val) || val < 0 || shift === void 0) throw new CliError(`invalid value "${text}" for --${flag}`);
  return BigInt(Math.floor(val * 2 ** shift));
}
function parseMbps(flag, text) {
  let s = text;
  let u = "M";
  const last = s.at(-1) ?? "";
  if (last < "0" || last > "9") {
    u = last.toUpperCase();
    s = s.slice(0, -1);
  }
  const factor = { M: 1, G: 1e3, T: 1e6, P: 1e9 };
  const val = Number(s);
  if (s === "" || !Number.isFinite(val) || val < 0 || factor[u] === void 0) throw new CliError(`invalid value "${text}" for --${flag}`);
  return BigInt(Math.floor(val * factor[u]));
}
function parseDurationSeconds(flag, text) {
  if (text === "0") return 0n;
  const units = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "\xB5s": 1e-6, ns: 1e-9 };
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
function mbps(v) {
  const n = Number(v ?? 0n);
  if (n < 1e3) return `${n.toFixed(1)} Mbps`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} Gbps`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} Tbps`;
  return `${(n / 1e9).toFixed(1)} Pbps`;
}
function printableFormat(s) {
  const shown = { ...s, Tiers: effectiveTiers(s) };
  for (const f of ["SecretKey", "SessionToken", "EncryptKey"]) if (shown[f]) shown[f] = REMOVED_SECRET;
  return goMarshalIndent(settingToGo(shown), "", "  ", "std");
}
async function confirm(question, yes) {
  process.stderr.write(`${question}
`);
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
async function run(args) {
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
      "max-client-version": { type: "string" }
    },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one META-URL

${HELP}`);
  const secretKey = values["secret-key"] ?? (process.env.JFSMETA_SECRET_KEY || void 0);
  const [url] = positionals;
  process.title = `jfsmeta config ${redactUrl(url)}`;
  const engine = await openEngine(url);
  try {
    const stored = await engine.readSetting();
    if (!stored) throw new CliError(`no JuiceFS volume in ${redactUrl(url)}: the database holds no setting`, "not-found");
    const local = Object.keys(values).length + bools.size + (secretKey !== void 0 && values["secret-key"] === void 0 ? 1 : 0);
    if (local === 0) {
      process.stdout.write(printableFormat(stored) + "\n");
      return 0;
    }
    const { setting: fmt, stillRemoved } = applyCredentials(stored, {
      secretKey,
      accessKey: values["access-key"],
      sessionToken: values["session-token"],
      encrypt: !!bools.get("encrypt-secret")
    });
    const msg = [];
    const line = (flag, from, to) => msg.push(`${flag.padStart(10)}: ${from} -> ${to}`);
    let storage = false;
    let quota = false;
    let trash = false;
    let clientVer = false;
    let requiredMin = "";
    const requireMin = (v) => {
      if (compareVersionText(requiredMin, v) < 0) requiredMin = v;
    };
    if (values.capacity !== void 0) {
      const v = parseBytes("capacity", values.capacity);
      if (v !== (fmt.Capacity ?? 0n)) {
        line("capacity", formatBytes(fmt.Capacity ?? 0n), formatBytes(v));
        fmt.Capacity = v;
        quota = true;
      }
    }
    if (values.inodes !== void 0) {
      if (!/^\d+$/.test(values.inodes)) throw new CliError(`invalid value "${values.inodes}" for --inodes`);
      const v = BigInt(values.inodes);
      if (v !== (fmt.Inodes ?? 0n)) {
        line("inodes", (fmt.Inodes ?? 0n).toLocaleString("en-US"), v.toLocaleString("en-US"));
        fmt.Inodes = v;
        quota = true;
      }
    }
    if (values.storage !== void 0 && values.storage !== fmt.Storage) {
      line("storage", fmt.Storage, values.storage);
      fmt.Storage = values.storage;
      storage = true;
    }
    if (values.bucket !== void 0) {
      const bucket = fmt.Storage === "file" ? path.resolve(values.bucket) + "/" : values.bucket;
      if (bucket !== fmt.Bucket) {
        line("bucket", fmt.Bucket, bucket);
        fmt.Bucket = bucket;
        storage = true;
      }
    }
    if (values["access-key"] !== void 0 && values["access-key"] !== stored.AccessKey) {
      line("access-key", stored.AccessKey ?? "", values["access-key"]);
      storage = true;
    }
    if (secretKey !== void 0) {
      msg.push(`${"secret-key".padStart(10)}: updated`);
      storage = true;
    }
    if (values["session-token"] !== void 0) {
      msg.push(`${"session-token".padStart(10)}: updated`);
      storage = true;
    }
    if (values["storage-class"] !== void 0) {
      const tiers = effectiveTiers(fmt);
      const t0 = tiers["0"] ?? { ID: 0, StorageClass: "", Tag: "" };
      if (values["storage-class"] !== t0.StorageClass) {
        line("storage-class", t0.StorageClass, values["storage-class"]);
        fmt.Tiers = { ...tiers, "0": { ...t0, StorageClass: values["storage-class"] } };
        storage = true;
      }
    }
    for (const flag of ["upload-limit", "download-limit"]) {
      const text = values[flag];
      if (text === void 0) continue;
      const field = flag === "upload-limit" ? "UploadLimit" : "DownloadLimit";
      const v = parseMbps(flag, text);
      if (v !== (fmt[field] ?? 0n)) {
        line(flag, mbps(fmt[field]), mbps(v));
        fmt[field] = v;
      }
    }
    if (values["trash-days"] !== void 0) {
      if (!/^-?\d+$/.test(values["trash-days"])) throw new CliError(`invalid value "${values["trash-days"]}" for --trash-days`);
      const v = Number(values["trash-days"]);
      if (v !== fmt.TrashDays) {
        if (v < 0) throw new CliError(`Invalid trash days: ${v}`);
        line("trash-days", fmt.TrashDays, v);
        fmt.TrashDays = v;
        trash = true;
      }
    }
    const flipBool = (flag, field) => {
      const v = bools.get(flag);
      if (v === void 0 || v === !!fmt[field]) return;
      if (v) {
        throw new CliError(`jfsmeta config cannot turn on --${flag} (JuiceFS drops the outdated statistics and rebuilds them): use 'juicefs config --${flag}'`, "unsupported");
      }
      line(flag, !!fmt[field], v);
      fmt[field] = v;
    };
    flipBool("dir-stats", "DirStats");
    flipBool("user-group-quota", "UserGroupQuota");
    const changelog = bools.get("changelog");
    if (changelog !== void 0 && changelog !== !!fmt.ChangeLog) {
      line("changelog", !!fmt.ChangeLog, changelog);
      fmt.ChangeLog = changelog;
      if (changelog && !fmt.ChangeLogMaxAge && values["changelog-max-age"] === void 0) {
        fmt.ChangeLogMaxAge = 7200n;
        msg.push(`${"changelog-max-age".padStart(10)}: 0s -> 2h0m0s (default)`);
      }
    }
    if (values["changelog-max-age"] !== void 0) {
      const v = parseDurationSeconds("changelog-max-age", values["changelog-max-age"]);
      if (v !== (fmt.ChangeLogMaxAge ?? 0n)) {
        line("changelog-max-age", `${fmt.ChangeLogMaxAge ?? 0n}s`, `${v}s`);
        fmt.ChangeLogMaxAge = v;
      }
    }
    if (values["changelog-max-lines"] !== void 0) {
      if (!/^-?\d+$/.test(values["changelog-max-lines"])) throw new CliError(`invalid value "${values["changelog-max-lines"]}" for --changelog-max-lines`);
      const v = BigInt(values["changelog-max-lines"]);
      if (v < 0n) throw new CliError(`negative value for changelog-max-lines: ${v}`);
      if (v !== (fmt.ChangeLogMaxLines ?? 0n)) {
        line("changelog-max-lines", fmt.ChangeLogMaxLines ?? 0n, v);
        fmt.ChangeLogMaxLines = v;
      }
    }
    const minV = values["min-client-version"];
    if (minV !== void 0 && minV !== (fmt.MinClientVersion ?? "")) {
      if (!parseVersion(minV)) throw new CliError(`Invalid version string: ${minV}`);
      if (compareVersionText(minV, fmt.MinClientVersion) < 0) throw new CliError(`cannot lower min-client-version from ${fmt.MinClientVersion} to ${minV}`);
      requireMin(minV);
    }
    const maxV = values["max-client-version"];
    if (maxV !== void 0 && maxV !== (fmt.MaxClientVersion ?? "")) {
      if (!parseVersion(maxV)) throw new CliError(`Invalid version string: ${maxV}`);
      msg.push(`max-client-version: ${fmt.MaxClientVersion ?? ""} -> ${maxV}`);
      fmt.MaxClientVersion = maxV;
      clientVer = true;
    }
    const acl = bools.get("enable-acl");
    if (acl !== void 0 && acl !== fmt.EnableACL) {
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
        if (fmt.Capacity && used.usedSpace >= fmt.Capacity || fmt.Inodes && used.usedInodes >= fmt.Inodes) {
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
    if (fmt.TrashDays > 0 && await engine.ensureTrashDir(/* @__PURE__ */ new Date())) {
      process.stderr.write("created the Trash directory, which was missing (JuiceFS clients need it to unlink and rmdir)\n");
    }
    process.stdout.write(msg.join("\n") + "\n");
    for (const f of stillRemoved) process.stderr.write(`warning: ${f} is still "removed"; set it with --${f === "SessionToken" ? "session-token" : "secret-key"}
`);
    if (bools.get("check")) {
      const check = await checkVolumeStorage(fmt);
      process.stderr.write(`${check.ok ? "ok" : "storage check failed"}: ${check.message}
`);
      return check.ok ? 0 : 1;
    }
    return 0;
  } finally {
    await engine.close();
  }
}
export {
  parseBytes,
  parseDurationSeconds,
  parseMbps,
  printableFormat,
  run
};
