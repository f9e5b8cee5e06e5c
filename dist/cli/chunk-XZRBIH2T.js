import {
  errorKind
} from "./chunk-CPAUB6IY.js";

// cli/exit-codes.ts
var EXIT_CODES = {
  usage: 2,
  "not-found": 1,
  refused: 1,
  "corrupt-input": 1,
  unreachable: 75,
  auth: 1,
  busy: 75,
  interrupted: 130,
  unsupported: 1,
  internal: 1
};
function exitCodeOf(err) {
  return EXIT_CODES[errorKind(err)];
}
var EXIT_DIFFERENT = 3;

export {
  exitCodeOf,
  EXIT_DIFFERENT
};
