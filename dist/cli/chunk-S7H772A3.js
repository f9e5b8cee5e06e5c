import {
  redactUrl
} from "./chunk-HSLINTMN.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// cli/common.ts
import { parseArgs } from "node:util";
var CliError = class extends JfsError {
  constructor(message, kind = "usage", options) {
    super(kind, message, options);
  }
};
function parseCli(args, options, help) {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(help);
    return null;
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${err.message}

${help}`, "usage", { cause: err });
  }
}
function metaUrlAndFile(verb, positionals, help) {
  if (positionals.length < 1 || positionals.length > 2) throw new CliError(`expected META-URL and an optional FILE

${help}`);
  const [url, file] = positionals;
  process.title = `jfsmeta ${verb} ${redactUrl(url)}`;
  return [url, file];
}
var Progress = class {
  last = 0;
  enabled;
  constructor(quiet) {
    this.enabled = !quiet && !!process.stderr.isTTY;
  }
  update(text, force = false) {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    process.stderr.write(`\r\x1B[K${text}`);
  }
  done(text) {
    if (this.enabled) process.stderr.write(`\r\x1B[K`);
    process.stderr.write(`${text}
`);
  }
};

export {
  CliError,
  parseCli,
  metaUrlAndFile,
  Progress
};
