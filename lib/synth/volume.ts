// Synthetic volumes (work in progress: the signature is final, the generator is being written).
import type { TreeWriter } from "../dump/types";

export interface SyntheticOptions {
  files: number;
  seed?: number;
  name?: string;
  flatDirShare?: number;
  trash?: boolean;
  now?: Date;
}

export async function writeSyntheticDump(writer: TreeWriter, opts: SyntheticOptions): Promise<void> {
  void writer;
  void opts;
  throw new Error("writeSyntheticDump: not implemented yet");
}
