import {
  SOURCE_FLAGS,
  SOURCE_HELP,
  openDumpSource
} from "./chunk-AT6GBXYV.js";
import {
  STORAGE_HELP
} from "./chunk-YASBIB2U.js";
import "./chunk-MRG4XAQF.js";
import {
  EXIT_DIFFERENT
} from "./chunk-XZRBIH2T.js";
import {
  guardSignals
} from "./chunk-HQ4HO26Q.js";
import {
  CliError,
  Progress,
  parseCli
} from "./chunk-S7H772A3.js";
import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import {
  openDumpInput
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import {
  formatBytes
} from "./chunk-VIEEZCGY.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// cli/diff.ts
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
var HELP = `usage: jfsmeta diff [options] A B

Show what differs between two metadata trees: per directory, the entries added (+), removed
(-) and changed (~: size, mode, owner, group, link count, xattrs, symlink target, inode
number), then totals of entries and bytes on each side. An added or removed directory is one
line with the size of its sub-tree. Times are not compared.

A and B each name
  a META-URL               the live volume (redis://\u2026, mysql://\u2026, postgres://\u2026, sqlite3://\u2026)
  FILE                     a dump or backup file (JSON or binary, gzip/zstd, encrypted)
  s3://BUCKET/KEY | file:///PATH
                           a backup in object storage
  BACKUP | latest          a backup under the volume's meta/ (dump-2026-11-26-120000.json.gz,
                           or the newest): in --from-volume's storage, or, when the other
                           side is a META-URL, in that volume's

Backups are indexed into a temporary directory first (about as long as a load), then
compared with memory bounded by the depth of the tree, not its size.

exit status: 0 the trees are equal, 3 they differ (not 1 as diff(1): 1 is every
jfsmeta command's "failed", 2 a usage error, 75 a server that was unreachable or busy,
130 interrupted).

options:
  --subdir DIR             compare DIR (a path below the root, e.g. projects/a) on both sides
  --json                   one JSON object a line: {"kind":"dir"|"added"|"removed"|
                           "changed"|"progress",\u2026}, the last {"kind":"end","totals":\u2026}
  --tmp-dir DIR            where the temporary indexes go (default the OS temp directory)
  --quiet, -q              no progress on stderr
${SOURCE_HELP}
  --help, -h               this help

${STORAGE_HELP}
examples:
  jfsmeta diff dump-2026-11-25-120000.json.gz dump-2026-11-26-120000.json.gz
  jfsmeta diff latest redis://localhost:6379/1          # newest backup vs the live volume
  jfsmeta diff --from-volume redis://localhost:6379/1 dump-2026-11-25-120000.json.gz latest
  jfsmeta diff --json a.json b.json | jq 'select(.kind=="removed") | .entry.path'
`;
function isMetaUrl(arg) {
  const m = /^([a-z0-9+]+):\/\//i.exec(arg);
  return !!m && !["file", "s3"].includes(m[1].toLowerCase());
}
var n = (x) => x.toLocaleString("en-US");
var bytes = (s) => {
  const b = BigInt(s);
  return `${formatBytes(b < 0n ? -b : b)}`;
};
var countText = (c) => `${n(c.entries)} entr${c.entries === 1 ? "y" : "ies"}, ${bytes(c.bytes)}`;
function changeText(c) {
  if (c.field === "size") return `size ${bytes(c.from)} \u2192 ${bytes(c.to)}`;
  return `${c.field} ${c.from} \u2192 ${c.to}`;
}
function formatDiffEvent(e) {
  switch (e.kind) {
    case "dir":
      return `${e.path}${e.path.endsWith("/") ? "" : "/"}`;
    case "added":
    case "removed": {
      const name = e.entry.path.slice(e.entry.path.lastIndexOf("/") + 1);
      const what = e.subtree ? `${name}/  (directory, ${countText(e.subtree)} inside)` : e.entry.type === "regular" ? `${name}  (${bytes(e.entry.length)})` : `${name}  (${e.entry.type})`;
      return `  ${e.kind === "added" ? "+" : "-"} ${what}`;
    }
    case "changed": {
      const name = e.entry.path.slice(e.entry.path.lastIndexOf("/") + 1);
      return `  ~ ${name}${e.entry.type === "directory" ? "/" : ""}  ${e.changes.map(changeText).join("; ")}`;
    }
    default:
      return null;
  }
}
function formatTotals(t, nameA, nameB) {
  const delta = BigInt(t.changed.bytes);
  return [
    `A ${nameA}: ${countText(t.a)}`,
    `B ${nameB}: ${countText(t.b)}`,
    `added ${countText(t.added)}; removed ${countText(t.removed)}; changed ${n(t.changed.entries)} entr${t.changed.entries === 1 ? "y" : "ies"} (${delta < 0n ? "-" : "+"}${bytes(t.changed.bytes)}); ${n(t.directories)} directories compared`
  ].join("\n");
}
async function run(args) {
  const parsed = parseCli(
    args,
    { ...SOURCE_FLAGS, json: { type: "boolean" }, subdir: { type: "string" }, "tmp-dir": { type: "string" }, quiet: { type: "boolean", short: "q" } },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new CliError(`expected two things to compare, A and B

${HELP}`);
  const urls = positionals.filter(isMetaUrl);
  const fromVolume = values["from-volume"] ?? (urls.length === 1 ? urls[0] : void 0);
  const progress = new Progress(!!values.quiet);
  const guard = guardSignals("diff", () => `remove the temporary indexes under ${values["tmp-dir"] ?? tmpdir()}/jfsmeta-diff-*`);
  const work = await mkdtemp(path.join(values["tmp-dir"] ?? tmpdir(), "jfsmeta-diff-"));
  const opened = [];
  try {
    const { openEngine } = await import("./open-2HZMZ5MY.js");
    const { openLiveDiffSide } = await import("./live-4WKRHRTF.js");
    const { openIndexDiffSide } = await import("./backup-XMGPHPK2.js");
    const { indexAnyDump } = await import("./index-any-SOKLXW7K.js");
    const { diffTrees, diffIsEmpty } = await import("./diff-QXCR74KA.js");
    for (const [i, arg] of positionals.entries()) {
      const label = i === 0 ? "A" : "B";
      if (isMetaUrl(arg)) {
        opened.push({ side: openLiveDiffSide(await openEngine(arg)), name: redactUrl(arg) });
        continue;
      }
      const inVolume = values["from-volume"] ?? (fromVolume && !arg.includes("/") && !existsSync(arg) ? fromVolume : void 0);
      const source = await openDumpSource(arg, { ...values, "from-volume": inVolume }, "");
      const input = await openDumpInput(source);
      const idx = path.join(work, `${label}.idx`);
      const onAbort = () => input.destroy(new JfsError("interrupted", "stopped"));
      guard.signal.addEventListener("abort", onAbort);
      try {
        const info = await indexAnyDump(input, idx, {
          signal: guard.signal,
          onProgress: (p) => progress.update(`indexing ${label} (${arg}): ${n(p.entries)} entries`)
        });
        progress.update(`indexed ${label}: ${n(info.entries)} entries`, true);
      } finally {
        guard.signal.removeEventListener("abort", onAbort);
      }
      opened.push({ side: openIndexDiffSide(idx), name: arg });
    }
    const [a, b] = opened;
    const subdir = values.subdir;
    const topPath = subdir ? `/${subdir.split("/").filter(Boolean).join("/")}` : "/";
    let totals = null;
    let out = "";
    const flush = async () => {
      if (!out) return;
      const chunk = out;
      out = "";
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once("drain", r));
    };
    if (!values.json) out += `--- A ${a.name}
+++ B ${b.name}
`;
    for await (const e of diffTrees(a.side, await a.side.top(subdir), b.side, await b.side.top(subdir), { signal: guard.signal, topPath })) {
      if (e.kind === "end") totals = e.totals;
      if (e.kind === "progress") progress.update(`comparing: ${n(e.compared)} entries`);
      if (values.json) {
        if (e.kind !== "progress") out += JSON.stringify(e) + "\n";
      } else {
        const line = e.kind === "end" ? formatTotals(e.totals, a.name, b.name) : formatDiffEvent(e);
        if (line !== null) out += line + "\n";
      }
      if (out.length > 1 << 16) await flush();
    }
    await flush();
    if (!values.quiet && process.stderr.isTTY) progress.done("");
    return totals && diffIsEmpty(totals) ? 0 : EXIT_DIFFERENT;
  } catch (err) {
    if (guard.received) throw new JfsError("interrupted", `stopped by ${guard.received}`, { cause: err });
    throw err;
  } finally {
    for (const o of opened) await o.side.close().catch(() => void 0);
    await rm(work, { recursive: true, force: true });
    guard.release();
  }
}
export {
  formatDiffEvent,
  formatTotals,
  isMetaUrl,
  run
};
