// The error of every JSON document jfsmeta decodes (a dump, a stored volume setting): what is
// wrong, and where, as a JSON path and a byte offset. Named for the dump, its first and main
// user; lib/dump/types.ts re-exports it.

import { JfsError } from "../errors";

/** A problem in the input, with where it is. */
export class DumpFormatError extends JfsError {
  constructor(
    message: string,
    /** JSON path like `FSTree.entries["d1"].attr.inode` */
    readonly path: string,
    /** Byte offset in the (decompressed) input */
    readonly offset: number,
  ) {
    super("corrupt-input", `${message} at ${path || "top level"} (byte ${offset})`);
  }
}
