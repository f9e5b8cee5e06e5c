// lib/dump/binary/header-parts.ts
var byBigintKey = ([a], [b]) => a < b ? -1 : a > b ? 1 : 0;
var BinaryHeaderParts = class {
  /** `changeLog`: keep the changelog too (off: it is skipped, not held in memory). */
  constructor(opts = {}) {
    this.opts = opts;
  }
  opts;
  /** Session id → its sustained inodes, in dump order (one session may span several segments). */
  sustained = /* @__PURE__ */ new Map();
  delFiles = [];
  /** Per kind, key → limit (the usage the dump also holds is not kept); a later record of a key wins. */
  quotas = { dir: /* @__PURE__ */ new Map(), user: /* @__PURE__ */ new Map(), group: /* @__PURE__ */ new Map() };
  /** The changelog's entries when asked for and the dump has any; null otherwise. */
  changeLog = null;
  /** The reader callbacks that fill these parts, to spread into a visitor. */
  visitor() {
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
      ...this.opts.changeLog ? { changeLog: (list) => void (this.changeLog = (this.changeLog ?? []).concat(list)) } : {}
    };
  }
  /** The sustained inodes by ascending session id, as an engine's dump lists them. */
  sustainedBySession() {
    return [...this.sustained].sort(byBigintKey).map(([sid, inodes]) => ({ sid, inodes }));
  }
  /** One kind's quotas by ascending key, as an engine's dump lists them. */
  quotasByKey(kind) {
    return new Map([...this.quotas[kind]].sort(byBigintKey));
  }
};

export {
  BinaryHeaderParts
};
