"use client";
// Find in the inspected tree (a backup or the live engine): by path, by name pattern, or by
// inode number; a hard link shows under every path it has. Results are paged by the server.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { EntryDetail, FindHit, FindPage } from "../lib/inspect/schemas";
import { formatBytes } from "../lib/jfs/format";

const PAGE = 50;
type By = "path" | "name" | "inode";
const PLACEHOLDER: Record<By, string> = { path: "/projects/a/readme.md", name: "*.log  or  report", inode: "4096" };
const HINT: Record<By, string> = {
  path: "A path below the root; %XX escapes name bytes that are not UTF-8.",
  name: "With * ? [..] a pattern over the whole name, otherwise a part of it; case-insensitive.",
  inode: "Every path of the inode: a hard link shows once per directory entry.",
};

/** One hit in full (the tree viewer's entry call), shown under the results. */
function HitDetail({ volumeId, backup, hit }: { volumeId: string; backup: string | null; hit: FindHit }) {
  const detail = useQuery({
    queryKey: ["find-entry", volumeId, backup, hit.parentDirId, hit.item.rawName],
    queryFn: async () => {
      const params = new URLSearchParams({ volume: volumeId, op: "entry", name: hit.parentDirId ? hit.item.rawName : "FSTree" });
      if (hit.parentDirId) params.set("dirId", hit.parentDirId);
      if (backup) params.set("backup", backup);
      const r = await fetch(`/api/tree?${params}`, { cache: "no-store" });
      const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      return body as EntryDetail;
    },
  });
  if (detail.error) return <p className="text-sm text-rose-700">{(detail.error as Error).message}</p>;
  const d = detail.data;
  if (!d) return <p className="text-xs text-slate-500">loading…</p>;
  const rows: [string, string][] = [
    ["type", d.typeLabel],
    ["mode", `${d.modeString} (${d.modeOctal})`],
    ["owner", `uid ${d.uid}, gid ${d.gid}`],
    ["size", `${d.size.human} (${d.size.bytes} bytes)`],
    ["links", String(d.nlink)],
    ["modified", d.mtime.iso],
    ...(d.symlink ? [["target", d.symlink.display] as [string, string]] : []),
    ...(d.xattrs.length ? [["xattrs", d.xattrs.map((x) => `${x.name}=${x.value}`).join(", ")] as [string, string]] : []),
  ];
  return (
    <dl className="grid grid-cols-[90px_1fr] gap-x-2 gap-y-0.5 rounded border border-slate-200 bg-slate-50 p-2 text-xs" data-testid="find-detail">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="break-all font-mono">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function FindPanel({ volumeId, backup }: { volumeId: string; backup: string | null }) {
  const [by, setBy] = useState<By>("name");
  const [open, setOpen] = useState<FindHit | null>(null);
  const [text, setText] = useState("");
  const [query, setQuery] = useState<{ by: By; q: string } | null>(null);
  const [offset, setOffset] = useState(0);
  const result = useQuery({
    queryKey: ["find", volumeId, backup, query, offset],
    enabled: !!query,
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const params = new URLSearchParams({ volume: volumeId, op: "find", by: query!.by, q: query!.q, offset: String(offset), limit: String(PAGE) });
      if (backup) params.set("backup", backup);
      const r = await fetch(`/api/tree?${params}`, { cache: "no-store" });
      const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      return body as FindPage;
    },
  });
  const page = result.data;
  const total = page?.total ?? null;
  return (
    <section className="card space-y-2 p-3" aria-label="Find" data-testid="find-panel">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          setOffset(0);
          setOpen(null);
          setQuery({ by, q: text.trim() });
        }}
      >
        <h2 className="mr-2 self-center text-sm font-semibold">Find</h2>
        <div>
          <label className="label" htmlFor="find-by">
            by
          </label>
          <select id="find-by" className="input" value={by} onChange={(e) => setBy(e.target.value as By)}>
            <option value="name">name</option>
            <option value="path">path</option>
            <option value="inode">inode number</option>
          </select>
        </div>
        <div className="min-w-64 flex-1">
          <label className="label" htmlFor="find-q">
            {by === "inode" ? "inode number" : by === "path" ? "path" : "name or pattern"}
          </label>
          <input id="find-q" className="input font-mono" placeholder={PLACEHOLDER[by]} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <button className="btn-primary" type="submit" disabled={!text.trim()}>
          Find
        </button>
        <p className="w-full text-xs text-slate-500">{HINT[by]}</p>
      </form>
      {result.error && <p className="text-sm text-rose-700">{(result.error as Error).message}</p>}
      {query && result.isFetching && <p className="text-xs text-slate-500">searching…</p>}
      {page && (
        <div className="space-y-1" data-testid="find-results">
          <p className="text-xs text-slate-600" data-testid="find-count">
            {total === null
              ? `${page.hits.length} found in the first ${page.scanned?.toLocaleString("en-US")} entries (the search stopped there)`
              : `${total.toLocaleString("en-US")} found`}
            {page.hits.length > 0 && ` · showing ${(page.offset + 1).toLocaleString("en-US")}–${(page.offset + page.hits.length).toLocaleString("en-US")}`}
          </p>
          {page.hits.length > 0 && (
            <table className="w-full text-sm">
              <thead className="border-b border-slate-200 bg-slate-50">
                <tr>
                  <th className="th">Path</th>
                  <th className="th">Type</th>
                  <th className="th">Inode</th>
                  <th className="th">Size</th>
                  <th className="th">Links</th>
                </tr>
              </thead>
              <tbody>
                {page.hits.map((h) => (
                  <tr key={h.rawPath} className="border-b border-slate-100" data-testid="find-hit" data-path={h.path}>
                    <td className="td break-all font-mono text-xs">
                      <button
                        type="button"
                        className="text-left text-sky-800 hover:underline"
                        aria-expanded={open?.rawPath === h.rawPath}
                        onClick={() => setOpen(open?.rawPath === h.rawPath ? null : h)}
                      >
                        {h.path}
                      </button>
                    </td>
                    <td className="td text-xs">{h.item.type}</td>
                    <td className="td text-xs tabular-nums">{h.item.inode}</td>
                    <td className="td text-xs tabular-nums">{h.item.type === "regular" ? formatBytes(BigInt(h.item.length)) : "–"}</td>
                    <td className="td text-xs tabular-nums">{h.item.nlink}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {open && (
            <div className="space-y-1">
              <p className="break-all font-mono text-xs font-semibold">{open.path}</p>
              <HitDetail volumeId={volumeId} backup={backup} hit={open} />
            </div>
          )}
          {(offset > 0 || (total !== null && offset + PAGE < total)) && (
            <div className="flex gap-2">
              <button className="btn" type="button" disabled={offset === 0} onClick={() => { setOpen(null); setOffset(Math.max(0, offset - PAGE)); }}>
                ‹ previous
              </button>
              <button className="btn" type="button" disabled={total === null || offset + PAGE >= total} onClick={() => { setOpen(null); setOffset(offset + PAGE); }}>
                next ›
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
