#!/usr/bin/env node
// The jfsmeta CLI: a thin shell over lib/, run from TypeScript source through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
