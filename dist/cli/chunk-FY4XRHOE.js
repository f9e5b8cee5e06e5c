import {
  settingToGo
} from "./chunk-R7GPK5FI.js";
import {
  encodeAcl,
  encodeAttr,
  encodeChunk,
  encodeXattrs,
  escapeName,
  goMarshalIndent
} from "./chunk-FUB4GH24.js";

// lib/dump/writer.ts
import { once } from "node:events";
var FLUSH_AT = 64 * 1024;
var CHUNK_BYTES = 1 << 20;
function countersToGo(c) {
  const m = /* @__PURE__ */ new Map([
    ["usedSpace", c.usedSpace],
    ["usedInodes", c.usedInodes],
    ["nextInodes", c.nextInodes],
    ["nextChunk", c.nextChunk],
    ["nextSession", c.nextSession],
    ["nextTrash", c.nextTrash]
  ]);
  if (c.nextCleanupSlices) m.set("nextCleanupSlices", c.nextCleanupSlices);
  if (c.lastChangelog) m.set("lastChangelog", c.lastChangelog);
  return m;
}
function quotasToGo(q) {
  const keys = [...q.keys()].map((k) => k.toString()).sort();
  const out = /* @__PURE__ */ new Map();
  for (const k of keys) {
    const l = q.get(BigInt(k));
    out.set(k, /* @__PURE__ */ new Map([["maxSpace", l.maxSpace], ["maxInodes", l.maxInodes]]));
  }
  return out;
}
function encodeHeader(h) {
  const top = /* @__PURE__ */ new Map();
  top.set("Setting", settingToGo(h.setting));
  top.set("Counters", countersToGo(h.counters));
  top.set("Sustained", h.sustained.map((s) => /* @__PURE__ */ new Map([["sid", s.sid], ["inodes", s.inodes]])));
  top.set(
    "DelFiles",
    h.delFiles.map((d) => /* @__PURE__ */ new Map([["inode", d.inode], ["length", d.length], ["expire", d.expire]]))
  );
  if (h.quotas?.size) top.set("Quotas", quotasToGo(h.quotas));
  if (h.userQuotas?.size) top.set("UserQuotas", quotasToGo(h.userQuotas));
  if (h.groupQuotas?.size) top.set("GroupQuotas", quotasToGo(h.groupQuotas));
  if (h.changeLog?.length)
    top.set("ChangeLog", h.changeLog.map((c) => /* @__PURE__ */ new Map([["version", c.version], ["entry", c.entry]])));
  const text = goMarshalIndent(top, "", "  ", "goccy");
  return text.slice(0, -2) + ",";
}
var INLINE_INDENT = 256;
var INDENTS = [];
function indent(spaces) {
  return INDENTS[spaces] ??= " ".repeat(spaces);
}
var JsonDumpWriter = class {
  constructor(out) {
    this.out = out;
    out.on("error", (e) => this.failure ??= e);
  }
  out;
  /**
   * The entry being rendered. It is encoded into `chunk` after every call, while it is a
   * small string: encoding a 64 KiB string built from thousands of concatenations meant
   * flattening that rope first, a tenth of the dump's CPU.
   */
  buf = "";
  chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** chunk[unwritten, used) is encoded but not yet handed to the stream. */
  unwritten = 0;
  used = 0;
  stack = [];
  trees = 0;
  headerDone = false;
  failure = null;
  async header(h) {
    if (this.headerDone) throw new Error("JsonDumpWriter: header() called twice");
    this.headerDone = true;
    this.buf += encodeHeader(h);
    await this.maybeFlush();
  }
  async beginDir(name, node) {
    const depth = this.openChild(typeof name === "string" && this.stack.length === 0);
    const p = 2 * depth;
    const f = p + 2;
    this.buf += "\n";
    this.pad(p);
    this.buf += '"' + (typeof name === "string" ? name : escapeName(name)) + '": {\n';
    this.pad(f);
    this.buf += '"attr": ' + encodeAttr(node.attr);
    this.extras(node, f, false);
    this.buf += ",\n";
    this.pad(f);
    this.buf += '"entries": {';
    this.stack.push({ depth, children: 0 });
    await this.maybeFlush();
  }
  async leaf(name, node) {
    const depth = this.openChild(false);
    const p = 2 * depth;
    const f = p + 2;
    this.buf += "\n";
    this.pad(p);
    this.buf += '"' + escapeName(name) + '": {\n';
    this.pad(f);
    this.buf += '"attr": ' + encodeAttr(node.attr);
    this.extras(node, f, true);
    const chunks = node.chunks;
    if (chunks.length === 1) {
      this.buf += ",\n";
      this.pad(f);
      this.buf += '"chunks": [' + encodeChunk(chunks[0]) + "]";
    } else if (chunks.length > 1) {
      this.buf += ",\n";
      this.pad(f);
      this.buf += '"chunks": [';
      for (let i = 0; i < chunks.length; i++) {
        this.buf += (i ? "," : "") + "\n";
        this.pad(f + 2);
        this.buf += encodeChunk(chunks[i]);
      }
      this.buf += "\n";
      this.pad(f);
      this.buf += "]";
    }
    this.buf += "\n";
    this.pad(p);
    this.buf += "}";
    await this.maybeFlush();
  }
  async endDir() {
    const d = this.stack.pop();
    if (!d) throw new Error("JsonDumpWriter: endDir() without an open directory");
    const p = 2 * d.depth;
    this.buf += "\n";
    this.pad(p + 2);
    this.buf += "}\n";
    this.pad(p);
    this.buf += "}";
    await this.maybeFlush();
  }
  async end() {
    if (this.stack.length) throw new Error(`JsonDumpWriter: end() with ${this.stack.length} directories still open`);
    if (!this.headerDone || this.trees === 0) throw new Error("JsonDumpWriter: end() before the header and a tree were written");
    this.buf += "\n}\n";
    await this.flush();
  }
  /** Accounts for a new child of the open directory (or a new tree); returns its depth. */
  openChild(isTree) {
    if (!this.headerDone) throw new Error("JsonDumpWriter: header() must come first");
    if (this.stack.length === 0) {
      if (!isTree) throw new Error("JsonDumpWriter: a tree root must be named FSTree or Trash");
      if (this.trees++ > 0) this.buf += ",";
      return 1;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent.children++ > 0) this.buf += ",";
    return parent.depth + 2;
  }
  /** A member of the entry on a new line indented by `f` spaces. */
  member(f, text) {
    this.buf += ",\n";
    this.pad(f);
    this.buf += text;
  }
  extras(node, f, leaf) {
    if (leaf && node.symlink && node.symlink.length) this.member(f, '"symlink": "' + escapeName(node.symlink) + '"');
    if (node.xattrs.length) this.member(f, '"xattrs": ' + encodeXattrs(node.xattrs));
    if (node.accessAcl) this.member(f, '"posix_acl_access": ' + encodeAcl(node.accessAcl));
    if (node.defaultAcl) this.member(f, '"posix_acl_default": ' + encodeAcl(node.defaultAcl));
  }
  /** `spaces` spaces of indentation: a cached string when short, else bytes filled into `chunk`. */
  pad(spaces) {
    if (spaces <= INLINE_INDENT) {
      this.buf += indent(spaces);
      return;
    }
    this.encode();
    for (let left = spaces; left > 0; ) {
      if (this.used === this.chunk.length) this.nextChunk(CHUNK_BYTES);
      const n = Math.min(left, this.chunk.length - this.used);
      this.chunk.fill(32, this.used, this.used + n);
      this.used += n;
      left -= n;
    }
  }
  /** Hands the encoded bytes over and starts a fresh buffer of at least `bytes`. */
  nextChunk(bytes) {
    this.handOver();
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.unwritten = this.used = 0;
  }
  /** Moves `buf` into `chunk` as UTF-8. */
  encode() {
    const s = this.buf;
    this.buf = "";
    const worst = s.length * 3;
    if (this.used + worst > this.chunk.length) this.nextChunk(worst);
    this.used += this.chunk.write(s, this.used, "utf8");
  }
  /** Writes the encoded bytes not yet written; false when the stream asks to wait. */
  handOver() {
    if (this.used === this.unwritten) return true;
    const piece = this.chunk.subarray(this.unwritten, this.used);
    this.unwritten = this.used;
    return this.out.write(piece);
  }
  maybeFlush() {
    this.encode();
    if (this.used - this.unwritten >= FLUSH_AT) return this.flush();
    if (this.failure) throw this.failure;
  }
  async flush() {
    if (this.failure) throw this.failure;
    this.encode();
    if (!this.handOver()) {
      await once(this.out, "drain");
    }
    if (this.failure) throw this.failure;
  }
};

export {
  JsonDumpWriter
};
