"use client";
// The metadata tree of a live volume or an indexed backup. One directory at a time, its
// children paged from the server (200 per request) into a virtualized list, so a directory
// of a million entries opens at once. The selected entry shows in words and as dump JSON.
import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { ReactJsonViewProps } from "@microlink/react-json-view";
import dynamic from "next/dynamic";
import { usePathname, useSearchParams } from "next/navigation";
import { type ComponentType, useCallback, useEffect, useMemo, useRef, useState, useTransition } from "react";
import type { ChildrenPage, EntryDetail, TreeItem } from "../lib/inspect/schemas";
import { formatBytes } from "../lib/jfs/format";
import { DumpInteger, parseJsonBig } from "../lib/ui/exact-json";
import { displayNameOf, parseTreeLocation, treeQuery, type TreeLocation } from "../lib/ui/tree-url";
import { startExportAction } from "../lib/server/actions/jobs";
import { JobProgress } from "./JobProgress";

// `bigNumber` (a class whose instances show bare, by toString) is documented in the README of
// @microlink/react-json-view 1.31 but missing from its type declarations.
type JsonViewProps = ReactJsonViewProps & { bigNumber?: new (digits: string) => unknown };
const ReactJson = dynamic<JsonViewProps>(() => import("@microlink/react-json-view").then((m) => m.default as ComponentType<JsonViewProps>), {
  ssr: false,
  loading: () => <p className="text-xs">loading viewer…</p>,
});

/**
 * react-json-view's default colours (solarized) with each text colour darkened to ≥ 4.5:1 on
 * white (WCAG 1.4.3): the default shows integers in #268bd2 (3.7:1).
 */
const JSON_THEME = {
  base00: "rgba(0, 0, 0, 0)",
  base01: "rgb(245, 245, 245)",
  base02: "rgb(235, 235, 235)",
  base03: "#52606d",
  base04: "rgba(0, 0, 0, 0.6)",
  base05: "#586e75",
  base06: "#073642",
  base07: "#002b36",
  base08: "#b3246b",
  base09: "#a83c0f",
  base0A: "#b91c1c",
  base0B: "#5c6b00",
  base0C: "#4f54a8",
  base0D: "#586e75",
  base0E: "#17766f",
  base0F: "#1a6aa6",
};

const PAGE = 200;
const ROW = 28;

type Crumb = { dirId: string; name: string; rawName: string; parentDirId: string | null };

async function getJson<T>(params: Record<string, string | undefined>): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][]);
  const r = await fetch(`/api/tree?${q}`, { cache: "no-store" });
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body as T;
}

/**
 * The crumbs of a location: the root, then each name looked up in its parent (the children
 * filtered by its display name, then matched on the raw name). Starts from `known`, the
 * crumbs already on screen that the location shares. Stops at a name that is not a
 * directory there, and says so.
 */
async function resolveLocation(base: Record<string, string | undefined>, root: TreeItem, names: string[], known: Crumb[]): Promise<{ crumbs: Crumb[]; error: string | null }> {
  const crumbs: Crumb[] = [{ dirId: root.dirId!, name: root.name, rawName: root.rawName, parentDirId: null }];
  for (let i = 0; i < names.length; i++) {
    const have = known[i + 1];
    if (have && have.rawName === names[i] && known[i].dirId === crumbs[i].dirId) {
      crumbs.push(have);
      continue;
    }
    const parent = crumbs[i];
    const page = await getJson<ChildrenPage>({ ...base, op: "children", dirId: parent.dirId, offset: "0", limit: "1000", filter: displayNameOf(names[i]) });
    const hit = page.items.find((it) => it.rawName === names[i] && it.dirId);
    if (!hit) return { crumbs, error: `${parent.name} has no directory named ${displayNameOf(names[i])}` };
    crumbs.push({ dirId: hit.dirId!, name: hit.name, rawName: hit.rawName, parentDirId: parent.dirId });
  }
  return { crumbs, error: null };
}

/** ls-style type letters (emoji fonts are not on every server a browser may be). */
const TYPE_BADGE: Record<string, { letter: string; cls: string }> = {
  directory: { letter: "d", cls: "bg-sky-100 text-sky-800" },
  regular: { letter: "f", cls: "bg-slate-100 text-slate-600" },
  symlink: { letter: "l", cls: "bg-teal-100 text-teal-800" },
  fifo: { letter: "p", cls: "bg-amber-100 text-amber-800" },
  blockdev: { letter: "b", cls: "bg-violet-100 text-violet-800" },
  chardev: { letter: "c", cls: "bg-violet-100 text-violet-800" },
  socket: { letter: "s", cls: "bg-rose-100 text-rose-800" },
};

type DirPages = { listing: string; total: number | null; pages: Map<number, TreeItem[]>; error: string | null };
const emptyPages = (listing: string): DirPages => ({ listing, total: null, pages: new Map(), error: null });

/** Pages of one directory, fetched as the list scrolls to them. */
function useDirectoryPages(base: Record<string, string | undefined>, dirId: string | null, filter: string) {
  const baseKey = JSON.stringify(base);
  // The pages belong to one listing (directory, filter, source); a state of another listing
  // reads as empty, so changing directory needs no reset in an effect.
  const listing = JSON.stringify([dirId, filter, baseKey]);
  const [state, setState] = useState<DirPages>(() => emptyPages(listing));
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  useEffect(() => {
    generation.current++;
    loading.current = new Set();
  }, [listing]);
  const need = useCallback(
    (page: number) => {
      if (!dirId || loading.current.has(page)) return;
      loading.current.add(page);
      const gen = generation.current;
      getJson<ChildrenPage>({ ...base, op: "children", dirId, offset: String(page * PAGE), limit: String(PAGE), filter: filter || undefined })
        .then((p) => {
          if (gen !== generation.current) return;
          setState((s) => {
            const pages = new Map(s.listing === listing ? s.pages : []);
            pages.set(page, p.items);
            return { listing, total: p.total, pages, error: null };
          });
        })
        .catch((err: Error) => {
          if (gen !== generation.current) return;
          loading.current.delete(page);
          setState((s) => ({ ...(s.listing === listing ? s : emptyPages(listing)), error: err.message }));
        });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dirId, filter, baseKey],
  );
  return { ...(state.listing === listing ? state : emptyPages(listing)), need };
}

export function TreeInspector({ volumeId, backup, volumeName }: { volumeId: string; backup: string | null; volumeName: string }) {
  const base = useMemo(() => ({ volume: volumeId, backup: backup ?? undefined }), [volumeId, backup]);
  const roots = useQuery({ queryKey: ["roots", volumeId, backup], queryFn: () => getJson<{ roots: TreeItem[] }>({ ...base, op: "roots" }) });
  const [path, setPath] = useState<Crumb[]>([]);
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<{ dirId: string | null; rawName: string } | null>(null);
  const [pathError, setPathError] = useState<string | null>(null);
  // The open directory lives in the URL (lib/ui/tree-url): Back/Forward and shared links
  // set it; clicks push it. `path` follows the URL, fetching only crumbs it lacks.
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const wanted = useMemo(() => parseTreeLocation(searchParams), [searchParams]);
  // Read by the effect below, which runs when the URL changes and not when a click has just
  // set the path (its URL arrives a render later).
  const pathRef = useRef(path);
  pathRef.current = path;
  useEffect(() => {
    const path = pathRef.current;
    const all = roots.data?.roots;
    if (!all?.length) return;
    const root = wanted.root ? all.find((r) => r.rawName === wanted.root) : all[0];
    if (!root?.dirId) {
      setPathError(`this source has no tree named ${wanted.root}`);
      return;
    }
    const chain = [root.rawName, ...wanted.names];
    if (path.length === chain.length && path.every((c, i) => c.rawName === chain[i])) return;
    let cancelled = false;
    resolveLocation(base, root, wanted.names, path[0]?.rawName === root.rawName ? path : [])
      .then(({ crumbs, error }) => {
        if (cancelled) return;
        const last = crumbs[crumbs.length - 1];
        setPath(crumbs);
        setPathError(error);
        setSelected({ dirId: last.parentDirId, rawName: last.rawName });
        setFilter("");
      })
      .catch((err: Error) => !cancelled && setPathError(err.message));
    return () => {
      cancelled = true;
    };
  }, [roots.data, wanted, base]);
  /** Show `crumbs` now and record them as a history entry (no server round trip: Next.js follows pushState). */
  const go = (crumbs: Crumb[]) => {
    setPath(crumbs);
    setPathError(null);
    setFilter("");
    const first = roots.data?.roots[0]?.rawName;
    const loc: TreeLocation = { root: crumbs[0].rawName === first ? null : crumbs[0].rawName, names: crumbs.slice(1).map((c) => c.rawName) };
    window.history.pushState(null, "", `${pathname}${treeQuery(searchParams.toString(), loc)}`);
  };
  const current = path[path.length - 1] ?? null;
  const dir = useDirectoryPages(base, current?.dirId ?? null, filter);
  const parentRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns fresh functions each render; this app does not run the React Compiler
  const virt = useVirtualizer({ count: dir.total ?? 0, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 20 });
  const visible = virt.getVirtualItems();
  useEffect(() => {
    if (!current) return;
    if (dir.total === null) {
      dir.need(0);
      return;
    }
    const pages = new Set(visible.map((v) => Math.floor(v.index / PAGE)));
    pages.forEach((p) => {
      if (!dir.pages.has(p)) dir.need(p);
    });
  }, [visible, dir, current]);

  const itemAt = (i: number) => dir.pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const open = (it: TreeItem) => {
    if (!current || !it.dirId) return;
    go([...path, { dirId: it.dirId, name: it.name, rawName: it.rawName, parentDirId: current.dirId }]);
  };
  const switchRoot = (r: TreeItem) => {
    go([{ dirId: r.dirId!, name: r.name, rawName: r.rawName, parentDirId: null }]);
    setSelected({ dirId: null, rawName: r.rawName });
  };
  const livePath = path.map((c) => c.name).join("/");

  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <div className="card flex min-h-0 flex-col p-3">
        <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
          {roots.data?.roots.map((r) => (
            <button
              key={r.rawName}
              className={`rounded px-2 py-0.5 ${path[0]?.rawName === r.rawName ? "bg-slate-800 text-white" : "bg-slate-100"}`}
              onClick={() => switchRoot(r)}
            >
              {r.name}
            </button>
          ))}
          {roots.error && <span className="text-rose-700">{(roots.error as Error).message}</span>}
        </div>
        <nav className="mb-2 flex flex-wrap items-center gap-1 font-mono text-xs" data-testid="breadcrumb" aria-label="Path">
          {path.map((c, i) => (
            <span key={c.dirId} className="inline-flex items-center gap-1">
              {i > 0 && <span aria-hidden className="text-slate-500">/</span>}
              <button
                className="rounded px-1 hover:bg-slate-100"
                onClick={() => {
                  go(path.slice(0, i + 1));
                  setSelected({ dirId: c.parentDirId, rawName: c.rawName });
                }}
              >
                {c.name}
              </button>
            </span>
          ))}
        </nav>
        <div className="mb-2 flex items-center gap-2">
          <input className="input" aria-label="Filter names in this directory" placeholder="Filter names in this directory" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <span className="whitespace-nowrap text-xs text-slate-500" data-testid="child-count">
            {dir.total === null ? "…" : `${dir.total.toLocaleString("en-US")} ${dir.total === 1 ? "entry" : "entries"}`}
          </span>
        </div>
        {pathError && (
          <p role="alert" className="text-sm text-rose-700" data-testid="path-error">
            {pathError}
          </p>
        )}
        {dir.error && <p className="text-sm text-rose-700">{dir.error}</p>}
        <div ref={parentRef} className="h-[60vh] overflow-auto rounded border border-slate-200" data-testid="tree-list">
          <div
            style={{ height: virt.getTotalSize(), position: "relative" }}
            role="listbox"
            aria-label={`Entries of ${current?.name ?? "the directory"} (Space selects, Enter opens a directory)`}
          >
            {visible.map((v) => {
              const it = itemAt(v.index);
              const isSel = it && selected?.rawName === it.rawName && selected?.dirId === current?.dirId;
              return (
                <div
                  key={v.key}
                  className={`absolute left-0 right-0 flex cursor-pointer items-center gap-2 border-b border-slate-100 px-2 text-sm ${isSel ? "bg-sky-100" : "hover:bg-slate-50"}`}
                  style={{ top: v.start, height: ROW }}
                  data-testid="tree-row"
                  data-name={it?.name}
                  data-type={it?.type}
                  onClick={() => it && setSelected({ dirId: current!.dirId, rawName: it.rawName })}
                  onDoubleClick={() => it && open(it)}
                  // Keyboard: Tab reaches each row, Space selects it, Enter opens a directory (or selects).
                  tabIndex={it ? 0 : -1}
                  aria-selected={!!isSel}
                  role="option"
                  onKeyDown={(ev) => {
                    if (!it || ev.target !== ev.currentTarget) return;
                    if (ev.key === " " || (ev.key === "Enter" && !it.dirId)) {
                      ev.preventDefault();
                      setSelected({ dirId: current!.dirId, rawName: it.rawName });
                    } else if (ev.key === "Enter" && it.dirId) {
                      ev.preventDefault();
                      open(it);
                    }
                  }}
                >
                  {it ? (
                    <>
                      <span aria-hidden title={it.type} className={`inline-flex h-4 w-4 items-center justify-center rounded font-mono text-[10px] font-bold ${TYPE_BADGE[it.type]?.cls ?? ""}`}>
                        {TYPE_BADGE[it.type]?.letter ?? "?"}
                      </span>
                      <span className="truncate font-mono text-xs">{it.name}</span>
                      {it.dirId && (
                        // For the mouse only: the row itself is the control (Enter opens), and
                        // an option may not hold another control (WCAG 4.1.2).
                        <span
                          aria-hidden
                          className="rounded bg-slate-100 px-1.5 text-xs text-slate-700 hover:bg-slate-200"
                          onClick={(ev) => {
                            ev.stopPropagation();
                            open(it);
                          }}
                          data-testid="open-dir"
                          data-name={it.name}
                        >
                          open ›
                        </span>
                      )}
                      <span className="ml-auto whitespace-nowrap text-xs tabular-nums text-slate-600">
                        {it.type === "directory" ? (it.childCount != null ? `${it.childCount} entries` : "dir") : formatBytes(Number(it.length))}
                      </span>
                      <span className="shrink-0 whitespace-nowrap text-right font-mono text-xs text-slate-600" data-testid="row-inode">#{it.inode}</span>
                    </>
                  ) : (
                    <span className="text-xs text-slate-600">loading…</span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <ExportBar volumeId={volumeId} backup={backup} dirId={current?.dirId ?? null} livePath={livePath} volumeName={volumeName} />
      </div>
      <EntryPanel base={base} selected={selected} />
    </div>
  );
}

function ExportBar({ volumeId, backup, dirId, livePath, volumeName }: { volumeId: string; backup: string | null; dirId: string | null; livePath: string; volumeName: string }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const go = () =>
    start(async () => {
      setError(null);
      setJobId(null);
      const r = await startExportAction(volumeId, backup ? { source: "backup", backup, dirId: dirId ?? undefined } : { source: "live", inode: dirId ?? undefined, path: livePath });
      if (r.error) setError(r.error);
      else setJobId(r.jobId!);
    });
  return (
    <div className="mt-2 space-y-2">
      <button className="btn" disabled={pending || !dirId} onClick={go} title={`a dump --subdir of this directory of ${volumeName}`}>
        ⬇ Export this directory as a --subdir dump
      </button>
      {error && <p className="text-sm text-rose-700">{error}</p>}
      {jobId && <JobProgress jobId={jobId} />}
    </div>
  );
}

function EntryPanel({ base, selected }: { base: Record<string, string | undefined>; selected: { dirId: string | null; rawName: string } | null }) {
  const [showRaw, setShowRaw] = useState(false);
  const q = useQuery({
    queryKey: ["entry", base, selected],
    enabled: !!selected,
    queryFn: () => getJson<EntryDetail>({ ...base, op: "entry", dirId: selected!.dirId ?? undefined, name: selected!.rawName }),
  });
  if (!selected) return <div className="card p-3 text-sm text-slate-500">Select an entry.</div>;
  if (q.error) return <div className="card p-3 text-sm text-rose-700">{(q.error as Error).message}</div>;
  const e = q.data;
  if (!e) return <div className="card p-3 text-sm text-slate-500">Loading…</div>;
  const rows: [string, React.ReactNode][] = [
    ["Name", <span key="n" className="font-mono">{showRaw ? e.rawName : e.name}</span>],
    ["Type", e.typeLabel],
    ["Inode", <span key="i" className="font-mono">{e.inode}</span>],
    ["Mode", <span key="m" className="font-mono">{e.modeString} ({e.modeOctal})</span>],
    ["Owner", `uid ${e.uid}, gid ${e.gid}`],
    ["Size", `${e.size.human} (${Number(e.size.bytes).toLocaleString("en-US")} bytes)`],
    ["Links", e.nlink],
    ["Modified", e.mtime.iso],
    ["Changed", e.ctime.iso],
    ["Accessed", e.atime.iso],
  ];
  if (e.flagNames.length) rows.push(["Flags", e.flagNames.join(", ")]);
  if (e.tier) rows.push(["Tier", e.tier]);
  if (e.rdev) rows.push(["Device", `${e.rdev.major}:${e.rdev.minor}`]);
  if (e.symlink) rows.push(["Target", <span key="s" className="font-mono">{showRaw ? e.symlink.raw : e.symlink.display}</span>]);
  if (e.type === "regular") rows.push(["Data", `${e.chunkCount} chunk(s), ${e.sliceCount} slice(s)`]);
  if (e.childCount != null) rows.push(["Entries", e.childCount.toLocaleString("en-US")]);
  if (e.xattrs.length)
    rows.push([
      "Xattrs",
      <ul key="x" className="font-mono text-xs">
        {e.xattrs.map((x) => (
          <li key={x.name}>
            {x.name} = {showRaw ? x.rawValue : x.value}
          </li>
        ))}
      </ul>,
    ]);
  const acl = (label: string, a: EntryDetail["accessAcl"]) =>
    a && rows.push([label, <span key={label} className="font-mono text-xs">{`owner ${a.owner}, group ${a.group}, other ${a.other}, mask ${a.mask}${a.users.map((u) => `, user:${u.id}:${u.perm}`).join("")}${a.groups.map((g) => `, group:${g.id}:${g.perm}`).join("")}`}</span>]);
  acl("Access ACL", e.accessAcl);
  acl("Default ACL", e.defaultAcl);
  const escaped = e.rawName !== e.name;
  return (
    <div className="card space-y-3 p-3" data-testid="entry-panel">
      <div className="flex items-center gap-2">
        <h3 className="truncate font-mono text-sm font-semibold">{e.name}</h3>
        <label className="ml-auto inline-flex items-center gap-1 text-xs text-slate-600" title="Show names and values exactly as the dump writes them (%XX escapes)">
          <input type="checkbox" checked={showRaw} onChange={(ev) => setShowRaw(ev.target.checked)} /> raw %XX form{escaped ? " (this name has escapes)" : ""}
        </label>
      </div>
      <dl className="grid grid-cols-[100px_1fr] gap-x-3 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
      <div data-testid="entry-json">
        <div className="label">Dump JSON</div>
        <div className="max-h-[40vh] overflow-auto rounded border border-slate-200 p-2 text-xs" tabIndex={0} role="region" aria-label="Dump JSON of the entry">
          {/* Parsed from the dump's own text: 64-bit integers stay bare numbers (DumpInteger). */}
          <ReactJson
            src={parseJsonBig(e.jsonText, (d) => new DumpInteger(d)) as object}
            bigNumber={DumpInteger}
            name={false}
            collapsed={2}
            theme={JSON_THEME}
            enableClipboard
            displayDataTypes={false}
            displayObjectSize={false}
          />
        </div>
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer text-slate-600">as the dump writes it</summary>
          <pre className="mt-1 max-h-[30vh] overflow-auto whitespace-pre-wrap break-all rounded border border-slate-200 p-2 font-mono" data-testid="entry-json-text" tabIndex={0}>
            {e.jsonText}
          </pre>
        </details>
      </div>
    </div>
  );
}
