import {
  SOURCE_FLAGS,
  SOURCE_HELP,
  closeDumpSource,
  openDumpSource
} from "./chunk-AT6GBXYV.js";
import {
  STORAGE_HELP
} from "./chunk-YASBIB2U.js";
import {
  verifyDump
} from "./chunk-XJ75VFCB.js";
import "./chunk-2HH2CB6Y.js";
import {
  BinaryStructureCheck,
  checkingVisitor
} from "./chunk-OQKBTTKU.js";
import "./chunk-MRG4XAQF.js";
import {
  BinaryDumpWriter,
  openDumpOutput
} from "./chunk-DAELPPGZ.js";
import {
  JsonDumpWriter
} from "./chunk-FY4XRHOE.js";
import "./chunk-2IUHHPSG.js";
import "./chunk-FSMRZZN3.js";
import "./chunk-6VX6LUXZ.js";
import {
  CliError,
  Progress,
  parseCli
} from "./chunk-S7H772A3.js";
import "./chunk-HSLINTMN.js";
import {
  detectDumpFormat,
  openDumpInput
} from "./chunk-RUXY4CKJ.js";
import "./chunk-ZFPZGAM2.js";
import {
  readBinaryDump
} from "./chunk-SRWFOR7S.js";
import "./chunk-T4KSQL2Z.js";
import "./chunk-DOIJPOW2.js";
import "./chunk-R7GPK5FI.js";
import "./chunk-FUB4GH24.js";
import "./chunk-VIEEZCGY.js";
import "./chunk-OHKNE627.js";
import "./chunk-GEL7VY43.js";
import "./chunk-Z33CHFVJ.js";
import {
  logIgnored
} from "./chunk-CPAUB6IY.js";

// cli/convert.ts
import path from "node:path";
import { once } from "node:events";
var HELP = `usage: jfsmeta convert [options] IN OUT

Convert a metadata dump between JSON and JuiceFS's binary format, and between compressions.
IN is a file ('-' for stdin), s3://\u2026, file://\u2026 or a backup name with --from-volume; its
format and compression are told by its content. OUT is a file ('-' for stdout), written as
OUT.tmp and renamed when complete, compressed by its name (.gz gzip, .zstd zstd).

The output format is binary when OUT's name holds ".bin" (or --binary), JSON otherwise (or
--json). Between formats the dump is loaded into a temporary SQLite database (in --work-dir,
default the system's temporary directory) and dumped again: every check of 'jfsmeta load'
applies, secrets stay as they are in IN, and the JSON written is byte for byte what
'juicefs dump' writes for that volume. Within one format only the compression changes; the
dump is checked on the way as 'jfsmeta verify' checks it, and a damaged one leaves no OUT.

options:
  --binary                 write the binary format
  --json                   write JSON
  --work-dir DIR           where the temporary database goes
${SOURCE_HELP}
  --quiet, -q              no progress or summary on stderr
  --help, -h               this help

${STORAGE_HELP}
examples:
  jfsmeta convert meta-dump.bin.zstd meta-dump.json          # binary \u2192 JSON, for jq
  jfsmeta convert dump-2026-11-26-120000.json.gz archive.bin.zstd
  jfsmeta convert meta-dump.json.gz meta-dump.json.zstd      # recompress only
`;
function copyWhileReading(input, out) {
  const source = input[Symbol.asyncIterator]();
  const next = async () => {
    const r = await source.next();
    if (r.done) return null;
    if (!out.write(r.value)) await once(out, "drain");
    return r.value;
  };
  return {
    chunks: (async function* () {
      for (let c = await next(); c; c = await next()) yield c;
    })(),
    rest: async () => {
      while (await next()) ;
    }
  };
}
function outputFormat(out, values) {
  if (values.binary && values.json) throw new CliError("--binary and --json contradict each other");
  if (values.binary) return "binary";
  if (values.json) return "json";
  return /\.bin(\.|$)/.test(path.basename(out)) ? "binary" : "json";
}
async function run(args) {
  const parsed = parseCli(
    args,
    { ...SOURCE_FLAGS, binary: { type: "boolean" }, json: { type: "boolean" }, "work-dir": { type: "string" }, quiet: { type: "boolean", short: "q" } },
    HELP
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new CliError(`expected IN and OUT

${HELP}`);
  const [inArg, outArg] = positionals;
  const to = outputFormat(outArg, values);
  const source = await openDumpSource(inArg === "-" ? void 0 : inArg, values, "jfsmeta convert - OUT < dump");
  const detected = await detectDumpFormat(await openDumpInput(source));
  const progress = new Progress(!!values.quiet);
  const output = await openDumpOutput(outArg === "-" ? void 0 : outArg);
  const started = Date.now();
  let entries = null;
  try {
    if (detected.format === to) {
      const copy = copyWhileReading(detected.input, output.stream);
      if (to === "json") {
        await verifyDump(copy.chunks, { acceptChangedHardLinks: true, onWarning: (w) => void process.stderr.write(`warning: ${w}
`) });
      } else {
        const check = new BinaryStructureCheck();
        await readBinaryDump(copy.chunks, checkingVisitor(check));
        check.finish();
      }
      await copy.rest();
    } else {
      const { convertDump } = await import("./convert-WNMENIZ2.js");
      const writer = to === "binary" ? new BinaryDumpWriter(output.stream) : new JsonDumpWriter(output.stream);
      const r = await convertDump(detected.input, writer, {
        workDir: values["work-dir"],
        onProgress: (stage, n) => progress.update(`${stage === "load" ? "Read" : "Written"} entries: ${n}`)
      });
      entries = r.entries;
    }
    await output.commit();
  } catch (err) {
    await output.abort().catch((e) => logIgnored("convert: removing the partial output", e));
    throw err;
  } finally {
    closeDumpSource(source);
  }
  if (!values.quiet) {
    const secs = ((Date.now() - started) / 1e3).toFixed(1);
    progress.done(
      `converted "${inArg}" (${detected.format}) into "${outArg === "-" ? "STDOUT" : outArg}" (${to})${entries === null ? ", bytes recompressed" : `: ${entries} entries`} in ${secs}s`
    );
  }
  return 0;
}
export {
  run
};
