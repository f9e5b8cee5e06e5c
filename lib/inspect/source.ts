// The one interface the tree viewer pages through, whatever holds the metadata.
import { MAX_PAGE, type ChildrenPage, type EntryDetail, type FindPage, type FindQuery, type TreeItem } from "./schemas";
import { JfsError } from "../jfs/errors";

export interface TreeSource {
  readonly kind: "live" | "backup";
  /** The tree roots: FSTree, then Trash when the source has one. */
  roots(): Promise<TreeItem[]>;
  /** FSTree's root directory. */
  root(): Promise<TreeItem>;
  /**
   * One page of a directory's entries in raw-name byte order (dump order).
   * `filter`: case-insensitive substring of the display name; `total` counts the matches.
   */
  children(dirId: string, offset: number, limit: number, filter?: string): Promise<ChildrenPage>;
  /**
   * One entry in full. `dirId` null means a tree root, named "FSTree" or "Trash";
   * `name` is the escaped form (TreeItem.rawName).
   */
  entry(dirId: string | null, name: string): Promise<EntryDetail>;
  /**
   * One page of the entries found by path (below FSTree's root), by name pattern (a glob, or
   * a substring; case-insensitive) or by inode number (every path of a hard link).
   */
  find(q: FindQuery): Promise<FindPage>;
  close(): Promise<void>;
}

/** A directory or entry the caller named does not exist (HTTP 404). */
export class InspectNotFoundError extends JfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("not-found", message, options);
  }
}

/** A request that cannot be served as asked (HTTP 400). */
export class InspectRequestError extends JfsError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** Offsets and limits as every source accepts them. */
export function checkPage(offset: number, limit: number): void {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InspectRequestError(`bad page (offset ${offset}, limit ${limit}): offset must be an integer ≥ 0 and limit 1…${MAX_PAGE}`);
  }
}
