import {
  displayName
} from "./chunk-YO3SMYIS.js";
import {
  escapeName,
  unescapeName
} from "./chunk-FUB4GH24.js";
import {
  NODE_TYPES
} from "./chunk-Z33CHFVJ.js";
import {
  JfsError
} from "./chunk-CPAUB6IY.js";

// lib/inspect/schemas.ts
import { z } from "zod";
var NodeTypeSchema = z.enum(NODE_TYPES);
var U64 = z.string().regex(/^\d+$/);
var I64 = z.string().regex(/^-?\d+$/);
var TreeItemSchema = z.object({
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
  childCount: z.number().int().optional()
});
var ChildrenPageSchema = z.object({
  /** Entries in the directory (matching the filter, if any). */
  total: z.number().int(),
  offset: z.number().int(),
  items: z.array(TreeItemSchema)
});
var MAX_PAGE = 1e3;
var ChildrenQuerySchema = z.object({
  dirId: z.string().min(1).max(64),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(200),
  /** Case-insensitive substring of the display name. */
  filter: z.string().max(255).optional()
});
var EntryQuerySchema = z.object({
  /** null / missing: a tree root ("FSTree" or "Trash"). */
  dirId: z.string().min(1).max(64).nullable().optional(),
  /** The escaped name (TreeItem.rawName). */
  name: z.string().min(1).max(4 * 255)
});
var TimeSchema = z.object({
  /** ISO 8601 UTC with nanoseconds, e.g. 2021-06-15T08:43:30.959224111Z */
  iso: z.string(),
  seconds: I64,
  nsec: z.number().int()
});
var AclEntryViewSchema = z.object({ id: z.number().int(), perm: z.string() });
var AclViewSchema = z.object({
  owner: z.string(),
  group: z.string(),
  other: z.string(),
  mask: z.string(),
  users: z.array(AclEntryViewSchema),
  groups: z.array(AclEntryViewSchema)
});
var EntryDetailSchema = z.object({
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
  jsonText: z.string()
});
var QuotaMapSchema = z.record(z.string(), z.object({ maxSpace: I64, maxInodes: I64 }));
var BackupIndexInfoSchema = z.object({
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
  durationMs: z.number()
});
var IndexProgressSchema = z.object({ bytes: z.number(), entries: z.number().int() });
var DiffEntrySchema = z.object({
  /** Display path from the diffed directory ("/" is its top), decoded as UTF-8. */
  path: z.string(),
  /** The same path with every name %XX-escaped as a dump writes it. */
  rawPath: z.string(),
  inode: U64,
  type: NodeTypeSchema,
  /** Regular files: bytes; 0 otherwise. */
  length: U64
});
var DIFF_FIELDS = ["type", "inode", "size", "mode", "owner", "group", "links", "xattrs", "symlink"];
var DiffChangeSchema = z.object({ field: z.enum(DIFF_FIELDS), from: z.string(), to: z.string() });
var DiffCountSchema = z.object({ entries: z.number().int(), bytes: U64 });
var DiffTotalsSchema = z.object({
  /** Entries and file bytes under the diffed directory on each side (a hard link counts per path). */
  a: DiffCountSchema,
  b: DiffCountSchema,
  /** Entries only in B / only in A, sub-trees included. */
  added: DiffCountSchema,
  removed: DiffCountSchema,
  /** Entries in both whose attributes differ; bytes: their sizes in B minus in A (signed). */
  changed: z.object({ entries: z.number().int(), bytes: I64 }),
  /** Directories whose entries were compared one by one. */
  directories: z.number().int()
});
var DiffEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dir"), path: z.string(), rawPath: z.string() }),
  z.object({ kind: z.literal("added"), entry: DiffEntrySchema, subtree: DiffCountSchema.optional() }),
  z.object({ kind: z.literal("removed"), entry: DiffEntrySchema, subtree: DiffCountSchema.optional() }),
  /** `entry` is B's; `changes` says what A had. */
  z.object({ kind: z.literal("changed"), entry: DiffEntrySchema, changes: z.array(DiffChangeSchema) }),
  /** Entries compared so far (both sides), every few thousand. */
  z.object({ kind: z.literal("progress"), compared: z.number().int() }),
  z.object({ kind: z.literal("end"), totals: DiffTotalsSchema, durationMs: z.number() }),
  /** The diff stopped (streams only: the CLI throws instead). */
  z.object({ kind: z.literal("error"), message: z.string() })
]);
var FindHitSchema = z.object({
  /** Display path ("/" is FSTree's root; the Trash's entries start with "Trash/"). */
  path: z.string(),
  rawPath: z.string(),
  /** The directory holding it (a dirId for the tree viewer); absent for a tree root. */
  parentDirId: z.string().optional(),
  item: TreeItemSchema
});
var FindPageSchema = z.object({
  /** Hits in all (null when not counted: a live search stops at the page). */
  total: z.number().int().nullable(),
  offset: z.number().int(),
  hits: z.array(FindHitSchema),
  /** Entries looked at (live searches walk the tree). */
  scanned: z.number().int().optional(),
  /** A live search that stopped at its scan limit before the end of the tree. */
  truncated: z.boolean().optional()
});
var FIND_BY = ["path", "name", "inode"];
var FindQuerySchema = z.object({
  by: z.enum(FIND_BY),
  /** path: "/a/b" (escaped names accepted); name: a glob (* ? [..]) or a substring, case-insensitive; inode: a number. */
  q: z.string().min(1).max(4096),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50)
});

// lib/inspect/source.ts
var InspectNotFoundError = class extends JfsError {
  constructor(message, options) {
    super("not-found", message, options);
  }
};
var InspectRequestError = class extends JfsError {
  constructor(message) {
    super("usage", message);
  }
};
function checkPage(offset, limit) {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InspectRequestError(`bad page (offset ${offset}, limit ${limit}): offset must be an integer \u2265 0 and limit 1\u2026${MAX_PAGE}`);
  }
}

// lib/inspect/find.ts
function nameMatcher(pattern) {
  const p = pattern.toLowerCase();
  if (!/[*?[]/.test(p)) return (name) => name.includes(p);
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*") re += "[^]*";
    else if (c === "?") re += "[^]";
    else if (c === "[") {
      const end = p.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = p.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\][^]/g, "\\$&")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/\]]/g, "\\$&");
  }
  const rx = new RegExp(re + "$", "u");
  return (name) => rx.test(name);
}
function parseInodeQuery(q) {
  const t = q.trim();
  if (!/^\d{1,20}$/.test(t) || BigInt(t) === 0n || BigInt(t) > 0xffffffffffffffffn) {
    throw new InspectRequestError(`"${q}" is not an inode number: give a whole number such as 1 or 4096`);
  }
  return BigInt(t);
}
function pathNames(path) {
  return path.split("/").filter((p) => p && p !== ".").map((p) => unescapeName(p));
}
function pathOf(names, tree = "FSTree") {
  const top = tree === "Trash" ? "/.trash" : "";
  return {
    path: top + "/" + names.map(displayName).join("/"),
    rawPath: top + "/" + names.map(escapeName).join("/")
  };
}

export {
  BackupIndexInfoSchema,
  InspectNotFoundError,
  InspectRequestError,
  checkPage,
  nameMatcher,
  parseInodeQuery,
  pathNames,
  pathOf
};
