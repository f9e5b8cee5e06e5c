"use client";
// A diff streamed from /api/diff: directories appear as the server walks the two trees, the
// totals when it is done. The browser keeps the first MAX_ROWS changes and counts the rest, so
// a diff of millions of changes does not grow the page without bound (the CLI's --json has all).
import { useEffect, useRef, useState } from "react";
import { DiffEventSchema, type DiffEvent, type DiffTotals } from "../lib/inspect/schemas";
import { formatBytes, formatDuration } from "../lib/jfs/format";

const MAX_ROWS = 2000;

type Row = Extract<DiffEvent, { kind: "added" | "removed" | "changed" }>;
type Group = { path: string; rows: Row[] };

interface State {
  groups: Group[];
  shown: number;
  seen: { added: number; removed: number; changed: number };
  compared: number;
  totals: DiffTotals | null;
  durationMs: number | null;
  firstMs: number | null;
  error: string | null;
  /** Entries removed per directory (sub-trees included), for "where did it shrink"; bounded. */
  removedIn: Map<string, { entries: number; bytes: bigint }>;
}

const MAX_TRACKED_DIRS = 10_000;

const initial = (): State => ({
  groups: [],
  shown: 0,
  seen: { added: 0, removed: 0, changed: 0 },
  compared: 0,
  totals: null,
  durationMs: null,
  firstMs: null,
  error: null,
  removedIn: new Map(),
});

const n = (x: number) => x.toLocaleString("en-US");
const bytes = (s: string) => {
  const b = BigInt(s);
  return (b < 0n ? "-" : "") + formatBytes(b < 0n ? -b : b);
};
const SIGN: Record<Row["kind"], { sign: string; cls: string; label: string }> = {
  added: { sign: "+", cls: "text-emerald-700", label: "added" },
  removed: { sign: "−", cls: "text-rose-700", label: "removed" },
  changed: { sign: "~", cls: "text-amber-700", label: "changed" },
};

function apply(s: State, events: DiffEvent[], startedAt: number): State {
  const groups = s.groups.slice();
  let shown = s.shown;
  const seen = { ...s.seen };
  let { compared, totals, durationMs, firstMs, error } = s;
  let removedIn = s.removedIn;
  for (const e of events) {
    if (e.kind === "removed") {
      const key = e.entry.path.slice(0, e.entry.path.lastIndexOf("/")) || "/";
      const cur = removedIn.get(key);
      if (cur || removedIn.size < MAX_TRACKED_DIRS) {
        if (removedIn === s.removedIn) removedIn = new Map(removedIn);
        const n = 1 + (e.subtree?.entries ?? 0);
        const b = BigInt(e.entry.length) + BigInt(e.subtree?.bytes ?? "0");
        removedIn.set(key, { entries: (cur?.entries ?? 0) + n, bytes: (cur?.bytes ?? 0n) + b });
      }
    }
    if (e.kind === "dir") {
      if (shown < MAX_ROWS) groups.push({ path: e.path, rows: [] });
    } else if (e.kind === "progress") compared = e.compared;
    else if (e.kind === "end") {
      totals = e.totals;
      durationMs = e.durationMs;
    } else if (e.kind === "error") error = e.message;
    else {
      seen[e.kind]++;
      firstMs ??= performance.now() - startedAt;
      if (shown < MAX_ROWS && groups.length) {
        const last = groups[groups.length - 1];
        groups[groups.length - 1] = { ...last, rows: [...last.rows, e] };
        shown++;
      }
    }
  }
  return { groups, shown, seen, compared, totals, durationMs, firstMs, error, removedIn };
}

function Detail({ e }: { e: Row }) {
  if (e.kind === "changed") {
    return (
      <span>
        {e.changes.map((c, i) => (
          <span key={c.field} className="mr-3 whitespace-nowrap">
            {i > 0 && " "}
            <span className="text-slate-500">{c.field}</span> {c.field === "size" ? formatBytes(BigInt(c.from)) : c.from} →{" "}
            <span className="font-medium">{c.field === "size" ? formatBytes(BigInt(c.to)) : c.to}</span>
          </span>
        ))}
      </span>
    );
  }
  if (e.subtree) return <span>directory, {n(e.subtree.entries)} entries ({formatBytes(BigInt(e.subtree.bytes))}) inside</span>;
  return <span>{e.entry.type === "regular" ? formatBytes(BigInt(e.entry.length)) : e.entry.type}</span>;
}

function Count({ label, name, value, testId }: { label: string; name?: string; value: string; testId: string }) {
  return (
    <div className="min-w-0 rounded border border-slate-200 px-3 py-2">
      <div className="label">{label}</div>
      {name && <div className="truncate font-mono text-xs text-slate-600" title={name}>{name}</div>}
      <div className="tabular-nums" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

export function DiffView({ volumeId, a, b, subdir, labelA, labelB }: { volumeId: string; a: string; b: string; subdir?: string; labelA: string; labelB: string }) {
  const [state, setState] = useState<State>(initial);
  const [done, setDone] = useState(false);
  const started = useRef(0);

  useEffect(() => {
    const ctl = new AbortController();
    const pending: DiffEvent[] = [];
    // The page keys this component by A, B and the directory: a new diff is a new mount.
    started.current = performance.now();
    // Events are applied a few times a second, not one render per event.
    const timer = setInterval(() => {
      if (pending.length) {
        const batch = pending.splice(0);
        setState((s) => apply(s, batch, started.current));
      }
    }, 150);
    (async () => {
      const q = new URLSearchParams({ volume: volumeId, a, b, ...(subdir ? { subdir } : {}) });
      const r = await fetch(`/api/diff?${q}`, { signal: ctl.signal, cache: "no-store" });
      if (!r.ok || !r.body) {
        const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
        pending.push({ kind: "error", message: body.error ?? `HTTP ${r.status}` });
        return;
      }
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let rest = "";
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        const lines = (rest + value).split("\n");
        rest = lines.pop()!;
        for (const line of lines) if (line) pending.push(DiffEventSchema.parse(JSON.parse(line)));
      }
    })()
      .catch((err: Error) => {
        if (!ctl.signal.aborted) pending.push({ kind: "error", message: err.message });
      })
      .finally(() => {
        if (ctl.signal.aborted) return;
        setTimeout(() => {
          clearInterval(timer);
          const batch = pending.splice(0);
          setState((s) => apply(s, batch, started.current));
          setDone(true);
        }, 0);
      });
    return () => {
      ctl.abort();
      clearInterval(timer);
    };
  }, [volumeId, a, b, subdir]);

  const { totals, seen } = state;
  const found = seen.added + seen.removed + seen.changed;
  return (
    <div className="space-y-3">
      <div className="card space-y-2 p-3" data-testid="diff-summary" aria-live="polite">
        <p className="text-sm" data-testid="diff-status" data-state={state.error ? "failed" : done ? "done" : "running"}>
          {state.error ? (
            <span className="text-rose-700">The diff stopped: {state.error}</span>
          ) : done && totals ? (
            found === 0 ? (
              <span className="font-medium text-emerald-700">The two trees are equal (as far as names, sizes, modes, owners, links, xattrs and symlinks go).</span>
            ) : (
              <span>
                Done in {formatDuration(state.durationMs ?? 0)}: {n(found)} differences.
              </span>
            )
          ) : (
            <span>
              Comparing… {n(state.compared)} entries compared, {n(found)} differences so far
              {state.firstMs !== null && ` (first after ${formatDuration(state.firstMs)})`}.
            </span>
          )}
        </p>
        {totals && (
          <div className="grid grid-cols-2 gap-2 text-sm md:grid-cols-5" data-testid="diff-totals">
            <Count label="A (before)" name={labelA} value={`${n(totals.a.entries)} entries · ${formatBytes(BigInt(totals.a.bytes))}`} testId="diff-total-a" />
            <Count label="B (after)" name={labelB} value={`${n(totals.b.entries)} entries · ${formatBytes(BigInt(totals.b.bytes))}`} testId="diff-total-b" />
            <Count label="added (in B only)" value={`${n(totals.added.entries)} · ${formatBytes(BigInt(totals.added.bytes))}`} testId="diff-total-added" />
            <Count label="removed (in A only)" value={`${n(totals.removed.entries)} · ${formatBytes(BigInt(totals.removed.bytes))}`} testId="diff-total-removed" />
            <Count label="changed" value={`${n(totals.changed.entries)} · ${bytes(totals.changed.bytes)}`} testId="diff-total-changed" />
          </div>
        )}
        {totals && done && totals.b.entries < totals.a.entries && state.removedIn.size > 0 && (
          <div className="text-sm" data-testid="diff-shrink">
            <p>
              B has {n(totals.a.entries - totals.b.entries)} fewer entries than A ({bytes(String(BigInt(totals.a.bytes) - BigInt(totals.b.bytes)))} less). Most
              removed under:
            </p>
            <ol className="ml-5 list-decimal font-mono text-xs">
              {[...state.removedIn]
                .sort((x, y) => y[1].entries - x[1].entries)
                .slice(0, 5)
                .map(([dir, c]) => (
                  <li key={dir}>
                    {dir} <span className="font-sans text-slate-600">— {n(c.entries)} entries, {formatBytes(c.bytes)}</span>
                  </li>
                ))}
            </ol>
          </div>
        )}
        {state.shown >= MAX_ROWS && (
          <p className="text-xs text-slate-500">
            Showing the first {n(MAX_ROWS)} differences; the totals count all of them. <code>jfsmeta diff --json</code> lists every one.
          </p>
        )}
      </div>
      <div className="space-y-3" data-testid="diff-list">
        {state.groups
          .filter((g) => g.rows.length)
          .map((g, gi) => (
            <section key={`${gi}:${g.path}`} className="card p-3" data-testid="diff-dir" data-path={g.path} aria-label={`Differences in ${g.path}`}>
              <h2 className="mb-1 break-all font-mono text-sm font-semibold">{g.path}</h2>
              <table className="w-full table-fixed text-sm">
                <colgroup>
                  <col className="w-8" />
                  <col className="w-[35%]" />
                  <col className="w-32" />
                  <col />
                </colgroup>
                <thead className="sr-only">
                  <tr>
                    <th>Change</th>
                    <th>Name</th>
                    <th>Inode</th>
                    <th>Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((e) => (
                    <tr key={`${e.kind}:${e.entry.rawPath}`} className="border-t border-slate-100" data-testid="diff-row" data-kind={e.kind} data-path={e.entry.path}>
                      <td className={`w-8 py-0.5 text-center font-bold ${SIGN[e.kind].cls}`}>
                        <span aria-hidden="true">{SIGN[e.kind].sign}</span>
                        <span className="sr-only">{SIGN[e.kind].label}</span>
                      </td>
                      <td className="break-all py-0.5 pr-3 font-mono text-xs">
                        {e.entry.path.slice(e.entry.path.lastIndexOf("/") + 1)}
                        {e.entry.type === "directory" ? "/" : ""}
                      </td>
                      <td className="whitespace-nowrap py-0.5 pr-3 text-xs tabular-nums text-slate-500">inode {e.entry.inode}</td>
                      <td className="py-0.5 text-xs">
                        <Detail e={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
      </div>
    </div>
  );
}
