// What crosses from the server to the browser when inspecting metadata: zod schemas and
// their types. Browser-safe (no Node imports): client components import this file, server
// code imports lib/inspect/index.ts. Every 64-bit quantity is a decimal string.
import { z } from "zod";
import { NODE_TYPES } from "../jfs/types";

export const NodeTypeSchema = z.enum(NODE_TYPES);

/** A decimal unsigned 64-bit integer (inode, length, slice id...). */
const U64 = z.string().regex(/^\d+$/);
/** A decimal signed 64-bit integer (times, quota limits). */
const I64 = z.string().regex(/^-?\d+$/);

/** One row of the tree viewer. */
export const TreeItemSchema = z.object({
  /** Set for directories: the id to pass to children(); opaque. */
  dirId: z.string().optional(),
  /** The name for display: raw bytes read as UTF-8, invalid bytes shown as U+FFFD. */
  name: z.string(),
  /** The name exactly as a dump writes it (%XX-escaped); pass it back to entry(). */
  rawName: z.string(),
  inode: U64,
  type: NodeTypeSchema,
  /** File size in bytes (0 for everything that is not a regular file). */
  length: U64,
  /** Lower 12 bits of st_mode. */
  mode: z.number().int(),
  /** ISO 8601, UTC, with nanoseconds. */
  mtime: z.string(),
  nlink: z.number().int(),
  /** Directories: true when it may have entries (exact for backups, "is a directory" live). */
  hasChildren: z.boolean(),
  /** Number of entries, when known without reading them (backups). */
  childCount: z.number().int().optional(),
});
export type TreeItem = z.infer<typeof TreeItemSchema>;

export const ChildrenPageSchema = z.object({
  /** Entries in the directory (matching the filter, if any). */
  total: z.number().int(),
  offset: z.number().int(),
  items: z.array(TreeItemSchema),
});
export type ChildrenPage = z.infer<typeof ChildrenPageSchema>;

export const MAX_PAGE = 1000;

/** Validate a page request coming from the browser before handing it to a TreeSource. */
export const ChildrenQuerySchema = z.object({
  dirId: z.string().min(1).max(64),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(200),
  /** Case-insensitive substring of the display name. */
  filter: z.string().max(255).optional(),
});
export type ChildrenQuery = z.infer<typeof ChildrenQuerySchema>;

export const EntryQuerySchema = z.object({
  /** null / missing: a tree root ("FSTree" or "Trash"). */
  dirId: z.string().min(1).max(64).nullable().optional(),
  /** The escaped name (TreeItem.rawName). */
  name: z.string().min(1).max(4 * 255),
});
export type EntryQuery = z.infer<typeof EntryQuerySchema>;

export const TimeSchema = z.object({
  /** ISO 8601 UTC with nanoseconds, e.g. 2021-06-15T08:43:30.959224111Z */
  iso: z.string(),
  seconds: I64,
  nsec: z.number().int(),
});

export const AclEntryViewSchema = z.object({ id: z.number().int(), perm: z.string() });
export const AclViewSchema = z.object({
  owner: z.string(),
  group: z.string(),
  other: z.string(),
  mask: z.string(),
  users: z.array(AclEntryViewSchema),
  groups: z.array(AclEntryViewSchema),
});
export type AclView = z.infer<typeof AclViewSchema>;

/** Everything about one entry, in words, plus its dump JSON. */
export const EntryDetailSchema = z.object({
  name: z.string(),
  rawName: z.string(),
  inode: U64,
  type: NodeTypeSchema,
  /** "regular file", "directory", "symbolic link", ... */
  typeLabel: z.string(),
  mode: z.number().int(),
  /** ls -l style with the type letter and suid/sgid/sticky: "drwxr-xr-x", "-rwsr-xr-T". */
  modeString: z.string(),
  /** Octal with 4 digits: "0755". */
  modeOctal: z.string(),
  uid: z.number().int(),
  gid: z.number().int(),
  size: z.object({ bytes: U64, human: z.string() }),
  atime: TimeSchema,
  mtime: TimeSchema,
  ctime: TimeSchema,
  nlink: z.number().int(),
  flags: z.number().int(),
  /** "immutable", "append-only", "hidden", "system", "archive", "skip-trash", or "0x80". */
  flagNames: z.array(z.string()),
  tier: z.number().int(),
  /** Device nodes only. */
  rdev: z.object({ raw: z.number().int(), major: z.number().int(), minor: z.number().int() }).optional(),
  /** Symlinks: the target for display and exactly as dumped. */
  symlink: z.object({ display: z.string(), raw: z.string() }).optional(),
  xattrs: z.array(z.object({ name: z.string(), value: z.string(), rawValue: z.string() })),
  accessAcl: AclViewSchema.optional(),
  defaultAcl: AclViewSchema.optional(),
  chunkCount: z.number().int(),
  sliceCount: z.number().int(),
  /** Directories in a backup: number of entries. */
  childCount: z.number().int().optional(),
  /**
   * The entry exactly as a dump writes it (attr, symlink, xattrs, posix_acl_access,
   * posix_acl_default, chunks), member order kept; integers beyond 2^53 are strings.
   */
  json: z.record(z.string(), z.unknown()),
  /** The same entry as the dump's own compact text (64-bit integers bare, as written). */
  jsonText: z.string(),
});
export type EntryDetail = z.infer<typeof EntryDetailSchema>;

const QuotaMapSchema = z.record(z.string(), z.object({ maxSpace: I64, maxInodes: I64 }));

/** What indexing a backup found: its header (secrets masked) and the size of its trees. */
export const BackupIndexInfoSchema = z.object({
  /** Version of the index file layout. */
  indexVersion: z.number().int(),
  /** Decompressed bytes read. */
  bytes: z.number(),
  entries: z.number().int(),
  directories: z.number().int(),
  /** Tree roots present: "FSTree", and "Trash" in whole-volume dumps. */
  trees: z.array(z.enum(["FSTree", "Trash"])),
  /** The dump's Setting with SecretKey / SessionToken masked; 64-bit values as strings. */
  setting: z.record(z.string(), z.unknown()),
  counters: z.record(z.string(), I64),
  quotas: z.object({ dir: QuotaMapSchema, user: QuotaMapSchema, group: QuotaMapSchema }),
  delFiles: z.number().int(),
  sustainedInodes: z.number().int(),
  changeLogEntries: z.number().int(),
  durationMs: z.number(),
});
export type BackupIndexInfo = z.infer<typeof BackupIndexInfoSchema>;

export const IndexProgressSchema = z.object({ bytes: z.number(), entries: z.number().int() });
export type IndexProgress = z.infer<typeof IndexProgressSchema>;

// ---- Diff (lib/inspect/diff.ts) and Find (lib/inspect/find.ts) ----

/** One side's entry in a diff: enough to show it, the rest is one click away in the tree viewer. */
export const DiffEntrySchema = z.object({
  /** Display path from the diffed directory ("/" is its top), decoded as UTF-8. */
  path: z.string(),
  /** The same path with every name %XX-escaped as a dump writes it. */
  rawPath: z.string(),
  inode: U64,
  type: NodeTypeSchema,
  /** Regular files: bytes; 0 otherwise. */
  length: U64,
});
export type DiffEntry = z.infer<typeof DiffEntrySchema>;

export const DIFF_FIELDS = ["type", "inode", "size", "mode", "owner", "group", "links", "xattrs", "symlink"] as const;
export const DiffChangeSchema = z.object({ field: z.enum(DIFF_FIELDS), from: z.string(), to: z.string() });
export type DiffChange = z.infer<typeof DiffChangeSchema>;

export const DiffCountSchema = z.object({ entries: z.number().int(), bytes: U64 });
export type DiffCount = z.infer<typeof DiffCountSchema>;

/** What a diff found in all: each side's size and what moved between them. */
export const DiffTotalsSchema = z.object({
  /** Entries and file bytes under the diffed directory on each side (a hard link counts per path). */
  a: DiffCountSchema,
  b: DiffCountSchema,
  /** Entries only in B / only in A, sub-trees included. */
  added: DiffCountSchema,
  removed: DiffCountSchema,
  /** Entries in both whose attributes differ; bytes: their sizes in B minus in A (signed). */
  changed: z.object({ entries: z.number().int(), bytes: I64 }),
  /** Directories whose entries were compared one by one. */
  directories: z.number().int(),
});
export type DiffTotals = z.infer<typeof DiffTotalsSchema>;

/**
 * The diff as a stream, directory by directory in pre-order: a "dir" event, then its entries
 * that differ (a directory's own entries come before those of its sub-directories). An added
 * or removed directory is one event with its sub-tree's size, not one per entry inside.
 */
export const DiffEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dir"), path: z.string(), rawPath: z.string() }),
  z.object({ kind: z.literal("added"), entry: DiffEntrySchema, subtree: DiffCountSchema.optional() }),
  z.object({ kind: z.literal("removed"), entry: DiffEntrySchema, subtree: DiffCountSchema.optional() }),
  /** `entry` is B's; `changes` says what A had. */
  z.object({ kind: z.literal("changed"), entry: DiffEntrySchema, changes: z.array(DiffChangeSchema) }),
  /** Entries compared so far (both sides), every few thousand. */
  z.object({ kind: z.literal("progress"), compared: z.number().int() }),
  z.object({ kind: z.literal("end"), totals: DiffTotalsSchema, durationMs: z.number() }),
  /** The diff stopped (streams only: the CLI throws instead). */
  z.object({ kind: z.literal("error"), message: z.string() }),
]);
export type DiffEvent = z.infer<typeof DiffEventSchema>;

/** One hit of Find: where it is, and the row the tree viewer would show. */
export const FindHitSchema = z.object({
  /** Display path ("/" is FSTree's root; the Trash's entries start with "Trash/"). */
  path: z.string(),
  rawPath: z.string(),
  /** The directory holding it (a dirId for the tree viewer); absent for a tree root. */
  parentDirId: z.string().optional(),
  item: TreeItemSchema,
});
export type FindHit = z.infer<typeof FindHitSchema>;

export const FindPageSchema = z.object({
  /** Hits in all (null when not counted: a live search stops at the page). */
  total: z.number().int().nullable(),
  offset: z.number().int(),
  hits: z.array(FindHitSchema),
  /** Entries looked at (live searches walk the tree). */
  scanned: z.number().int().optional(),
  /** A live search that stopped at its scan limit before the end of the tree. */
  truncated: z.boolean().optional(),
});
export type FindPage = z.infer<typeof FindPageSchema>;

export const FIND_BY = ["path", "name", "inode"] as const;
export const FindQuerySchema = z.object({
  by: z.enum(FIND_BY),
  /** path: "/a/b" (escaped names accepted); name: a glob (* ? [..]) or a substring, case-insensitive; inode: a number. */
  q: z.string().min(1).max(4096),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});
export type FindQuery = z.infer<typeof FindQuerySchema>;
