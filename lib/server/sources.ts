// Open tree sources for the inspector, shared by requests: a live engine or a backup index
// stays open while someone pages through it and is closed after a few idle minutes.
import { existsSync } from "node:fs";
import { openEngine } from "../engines/open";
import { openIndexDiffSide, openIndexedBackup, openLiveDiffSide, openLiveSource, type DiffSide, type TreeSource } from "../inspect";
import { indexPathFor } from "./tasks";
import type { VolumeRecord } from "./volumes";
import { JfsError, logIgnored } from "../jfs/errors";

const IDLE_MS = 5 * 60_000;
const MAX_OPEN = 8;

type Slot = { source: Promise<TreeSource>; used: number };
const g = globalThis as unknown as { __jfsmetaSources?: Map<string, Slot> };
const open: Map<string, Slot> = (g.__jfsmetaSources ??= new Map());

async function closeSlot(key: string): Promise<void> {
  const s = open.get(key);
  open.delete(key);
  await s?.source.then((src) => src.close()).catch((err) => logIgnored(`closing the tree source ${key}`, err));
}

function sweep(): void {
  const now = Date.now();
  const byAge = [...open.entries()].sort((a, b) => a[1].used - b[1].used);
  byAge.forEach(([key, slot], i) => {
    if (now - slot.used > IDLE_MS || byAge.length - i > MAX_OPEN) void closeSlot(key);
  });
}

/** A backup the viewer was asked for is not indexed yet. */
export class SourceNotReadyError extends JfsError {
  constructor(message: string) {
    super("busy", message);
  }
}

export async function treeSource(v: VolumeRecord, backup: string | null): Promise<TreeSource> {
  sweep();
  const key = backup ? `backup:${v.id}:${backup}` : `live:${v.id}`;
  let slot = open.get(key);
  if (!slot) {
    const source = backup
      ? (async () => {
          const p = indexPathFor(v, backup);
          if (!existsSync(p)) throw new SourceNotReadyError(`backup ${backup} is not indexed yet: start "Open for inspection" first`);
          return openIndexedBackup(p);
        })()
      : openEngine(v.metaUrl).then((e) => openLiveSource(e));
    slot = { source, used: Date.now() };
    open.set(key, slot);
    source.catch(() => open.delete(key)); // the caller awaiting `source` reports the failure
  }
  slot.used = Date.now();
  return slot.source;
}

/**
 * One side of a diff, opened for that diff alone (the caller closes it): the volume's live
 * engine (`backup` null) or an indexed backup.
 */
export async function diffSide(v: VolumeRecord, backup: string | null): Promise<DiffSide> {
  if (!backup) return openLiveDiffSide(await openEngine(v.metaUrl));
  const p = indexPathFor(v, backup);
  if (!existsSync(p)) throw new SourceNotReadyError(`backup ${backup} is not indexed yet: open it for inspection first`);
  return openIndexDiffSide(p);
}
