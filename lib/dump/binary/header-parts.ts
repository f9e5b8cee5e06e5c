// The parts of a binary dump's header that are not the format and counters segments: the
// sessions' sustained inodes, the delayed file deletions, the quotas and (on request) the
// changelog, gathered as the reader streams them. The routes that rebuild a dump's header
// from a binary dump without an engine (convert's binary → JSON, the tree viewer's binary
// index) take them from here; what each makes of them (sorting, which quotas it keeps) is its own.
import type { ChangeLogEntry, DelFile, QuotaKind, QuotaLimit, SustainedEntry } from "../../jfs/types";
import type { BinaryDumpVisitor } from "./reader";

const byBigintKey = ([a]: [bigint, unknown], [b]: [bigint, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

export class BinaryHeaderParts {
  /** Session id → its sustained inodes, in dump order (one session may span several segments). */
  readonly sustained = new Map<bigint, bigint[]>();
  delFiles: DelFile[] = [];
  /** Per kind, key → limit (the usage the dump also holds is not kept); a later record of a key wins. */
  readonly quotas: Record<QuotaKind, Map<bigint, QuotaLimit>> = { dir: new Map(), user: new Map(), group: new Map() };
  /** The changelog's entries when asked for and the dump has any; null otherwise. */
  changeLog: ChangeLogEntry[] | null = null;

  /** `changeLog`: keep the changelog too (off: it is skipped, not held in memory). */
  constructor(private readonly opts: { changeLog?: boolean } = {}) {}

  /** The reader callbacks that fill these parts, to spread into a visitor. */
  visitor(): Pick<BinaryDumpVisitor, "sustained" | "delFiles" | "quotas" | "changeLog"> {
    return {
      sustained: (list) => {
        for (const s of list) {
          const inodes = this.sustained.get(s.sid);
          if (inodes) inodes.push(...s.inodes);
          else this.sustained.set(s.sid, [...s.inodes]);
        }
      },
      delFiles: (list) => void (this.delFiles = this.delFiles.concat(list)),
      quotas: (kind, list) => {
        for (const q of list) this.quotas[kind].set(q.key, { maxSpace: q.quota.maxSpace, maxInodes: q.quota.maxInodes });
      },
      ...(this.opts.changeLog ? { changeLog: (list: ChangeLogEntry[]) => void (this.changeLog = (this.changeLog ?? []).concat(list)) } : {}),
    };
  }

  /** The sustained inodes by ascending session id, as an engine's dump lists them. */
  sustainedBySession(): SustainedEntry[] {
    return [...this.sustained].sort(byBigintKey).map(([sid, inodes]) => ({ sid, inodes }));
  }

  /** One kind's quotas by ascending key, as an engine's dump lists them. */
  quotasByKey(kind: QuotaKind): Map<bigint, QuotaLimit> {
    return new Map([...this.quotas[kind]].sort(byBigintKey));
  }
}
