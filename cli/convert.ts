// jfsmeta convert IN OUT: a dump from one format or compression into another (JSON ↔ binary,
// none/gzip/zstd), so any dump can be read by jq or shrunk for archiving.
import path from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { CliError, parseCli, Progress } from "./common";
import { closeDumpSource, openDumpSource, SOURCE_FLAGS, SOURCE_HELP } from "./dump-source";
import { STORAGE_HELP } from "./storage-flags";
import { detectDumpFormat, openDumpInput, type DumpFormat } from "../lib/dump/input";
import { openDumpOutput } from "../lib/dump/output";
import { JsonDumpWriter } from "../lib/dump/writer";
import { BinaryDumpWriter } from "../lib/dump/binary/writer";
import { readBinaryDump } from "../lib/dump/binary/reader";
import { BinaryStructureCheck, checkingVisitor } from "../lib/dump/binary/check";
import { verifyDump } from "../lib/dump/verify";
import { logIgnored } from "../lib/jfs/errors";

const HELP = `usage: jfsmeta convert [options] IN OUT

Convert a metadata dump between JSON and JuiceFS's binary format, and between compressions.
IN is a file ('-' for stdin), s3://…, file://… or a backup name with --from-volume; its
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
  jfsmeta convert meta-dump.bin.zstd meta-dump.json          # binary → JSON, for jq
  jfsmeta convert dump-2026-11-26-120000.json.gz archive.bin.zstd
  jfsmeta convert meta-dump.json.gz meta-dump.json.zstd      # recompress only
`;

/**
 * `input`'s chunks, each written to `out` (waiting for it to drain) before it is handed on;
 * `rest()` copies what the reader of `chunks` left unread. The source is read through its own
 * iterator so that a reader that stops early does not end it.
 */
function copyWhileReading(input: AsyncIterable<Buffer>, out: Writable): { chunks: AsyncGenerator<Buffer>; rest: () => Promise<void> } {
  const source = input[Symbol.asyncIterator]();
  const next = async (): Promise<Buffer | null> => {
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
      while (await next());
    },
  };
}

function outputFormat(out: string, values: { binary?: boolean; json?: boolean }): DumpFormat {
  if (values.binary && values.json) throw new CliError("--binary and --json contradict each other");
  if (values.binary) return "binary";
  if (values.json) return "json";
  return /\.bin(\.|$)/.test(path.basename(out)) ? "binary" : "json";
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCli(
    args,
    { ...SOURCE_FLAGS, binary: { type: "boolean" }, json: { type: "boolean" }, "work-dir": { type: "string" }, quiet: { type: "boolean", short: "q" } },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new CliError(`expected IN and OUT\n\n${HELP}`);
  const [inArg, outArg] = positionals;
  const to = outputFormat(outArg, values);
  const source = await openDumpSource(inArg === "-" ? undefined : inArg, values, "jfsmeta convert - OUT < dump");
  const detected = await detectDumpFormat(await openDumpInput(source));
  const progress = new Progress(!!values.quiet);
  const output = await openDumpOutput(outArg === "-" ? undefined : outArg);
  const started = Date.now();
  let entries: number | null = null;
  try {
    if (detected.format === to) {
      // The bytes go through as they are, checked on the way as `jfsmeta verify` checks them: a
      // byte copy passed a damaged dump on to the archive without a word.
      const copy = copyWhileReading(detected.input, output.stream);
      if (to === "json") {
        // Changed hard links (JuiceFS writes such dumps) are kept as they are, with the warning.
        await verifyDump(copy.chunks, { acceptChangedHardLinks: true, onWarning: (w) => void process.stderr.write(`warning: ${w}\n`) });
      } else {
        const check = new BinaryStructureCheck();
        await readBinaryDump(copy.chunks, checkingVisitor(check));
        check.finish();
      }
      await copy.rest(); // whatever the check did not need to read is copied all the same
    } else {
      const { convertDump } = await import("../lib/engines/convert");
      const writer = to === "binary" ? new BinaryDumpWriter(output.stream) : new JsonDumpWriter(output.stream);
      const r = await convertDump(detected.input, writer, {
        workDir: values["work-dir"],
        onProgress: (stage, n) => progress.update(`${stage === "load" ? "Read" : "Written"} entries: ${n}`),
      });
      entries = r.entries;
    }
    await output.commit();
  } catch (err) {
    await output.abort().catch((e: unknown) => logIgnored("convert: removing the partial output", e));
    throw err;
  } finally {
    closeDumpSource(source);
  }
  if (!values.quiet) {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    progress.done(
      `converted "${inArg}" (${detected.format}) into "${outArg === "-" ? "STDOUT" : outArg}" (${to})${entries === null ? ", bytes recompressed" : `: ${entries} entries`} in ${secs}s`,
    );
  }
  return 0;
}
