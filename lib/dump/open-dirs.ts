// What a consumer of the dump reader keeps per directory while the directory is open: the one
// bookkeeping that load, the verifier and the backup index each wrote as a local `OpenDir` map.
import type { DirHandle } from "./types";

/**
 * State per open directory, keyed by the reader's DirHandle. Entries come post-order, so a
 * directory's children all arrive before the directory itself: its state is made at its
 * first child (`of`) and handed back and forgotten when its own entry arrives (`close`).
 * Memory follows the open path and its siblings, never the whole tree.
 */
export class OpenDirs<T> {
  private readonly open = new Map<number, T>();

  /** The state of the directory `handle`, made by `init` at its first child. */
  of<H extends Pick<DirHandle, "id">>(handle: H, init: (handle: H) => T): T {
    let state = this.open.get(handle.id);
    if (state === undefined) this.open.set(handle.id, (state = init(handle)));
    return state;
  }

  /** The directory's own entry arrived: its state (undefined when it had no child), forgotten. */
  close(handle: Pick<DirHandle, "id">): T | undefined {
    const state = this.open.get(handle.id);
    this.open.delete(handle.id);
    return state;
  }

  /** Directories with state: 0 once every tree has closed. */
  get size(): number {
    return this.open.size;
  }
}
